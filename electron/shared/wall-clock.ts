/**
 * Wall-clock time of an instant in a time zone, and its dd/MM/yyyy and HH:mm(:ss) forms: the one
 * place that asks Intl for time-zone offsets, shared by the reports (any IANA zone) and the screen
 * (Vietnam time). Pure: Intl only, no Node, safe in the renderer.
 */

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Parses an ISO instant; undefined when it is not one. */
function parseInstant(iso: string): Date | undefined {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Offset of `timeZone` from UTC (ms) at instant `t`, from Intl. */
function offsetAt(t: number, timeZone: string): number {
  const out: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatterFor(timeZone).formatToParts(t)) {
    if (p.type in out) out[p.type as keyof WallClock] = Number(p.value);
  }
  const asUtc = Date.UTC(out.year, out.month - 1, out.day, out.hour, out.minute, out.second);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/**
 * Offsets cached per 15-minute slice of UTC time: time-zone changes fall on quarter hours, so
 * one Intl call serves every instant of a slice (a report with 10 000 check-ins makes a few
 * dozen calls instead of 10 000).
 */
const SLICE_MS = 15 * 60_000;
const offsetCache = new Map<string, number>();

function cachedOffset(t: number, timeZone: string): number {
  const slice = Math.floor(t / SLICE_MS);
  const key = `${timeZone}|${slice}`;
  let off = offsetCache.get(key);
  if (off === undefined) {
    // The offset at the slice's start and end agree unless a change falls inside the slice.
    const a = offsetAt(slice * SLICE_MS, timeZone);
    const b = offsetAt(slice * SLICE_MS + SLICE_MS - 1000, timeZone);
    if (a !== b) return offsetAt(t, timeZone);
    off = a;
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(key, off);
  }
  return off;
}

/** Wall-clock fields of an ISO instant in `timeZone`; undefined when `iso` is not a valid instant. */
export function wallClock(iso: string, timeZone: string): WallClock | undefined {
  const d = parseInstant(iso);
  if (!d) return undefined;
  const t = d.getTime();
  const w = new Date(t + cachedOffset(t, timeZone));
  return {
    year: w.getUTCFullYear(),
    month: w.getUTCMonth() + 1,
    day: w.getUTCDate(),
    hour: w.getUTCHours(),
    minute: w.getUTCMinutes(),
    second: w.getUTCSeconds(),
  };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const pad4 = (n: number): string => String(n).padStart(4, '0');

/** `dd/MM/yyyy` of a wall clock. */
export function dmyOf(w: WallClock): string {
  return `${pad2(w.day)}/${pad2(w.month)}/${pad4(w.year)}`;
}

/** `HH:mm` (24 h) of a wall clock. */
export function hmOf(w: WallClock): string {
  return `${pad2(w.hour)}:${pad2(w.minute)}`;
}

/** `HH:mm:ss` (24 h) of a wall clock. */
export function hmsOf(w: WallClock): string {
  return `${hmOf(w)}:${pad2(w.second)}`;
}

/** ISO instant → `dd/MM/yyyy` in `timeZone`; the text itself when it is not an instant. */
export function formatInstantDate(iso: string, timeZone: string): string {
  const w = wallClock(iso, timeZone);
  return w ? dmyOf(w) : iso;
}

/** ISO instant → `HH:mm:ss` (24 h) in `timeZone`; the text itself when it is not an instant. */
export function formatInstantTime(iso: string, timeZone: string): string {
  const w = wallClock(iso, timeZone);
  return w ? hmsOf(w) : iso;
}

/** ISO instant → `dd/MM/yyyy HH:mm:ss` in `timeZone`; the text itself when it is not an instant. */
export function formatInstant(iso: string, timeZone: string): string {
  const w = wallClock(iso, timeZone);
  return w ? `${dmyOf(w)} ${hmsOf(w)}` : iso;
}
