/**
 * Date and time formatting for the reports: dd/MM/yyyy and 24-hour HH:mm:ss, instants shown in the
 * report's IANA time zone (Intl.DateTimeFormat), calendar dates printed as they are (a date of birth
 * has no time zone and must never shift by a day).
 */
import { ReportError } from './io';

interface WallClock {
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

/** Throws a bilingual ReportError when `timeZone` is not an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatterFor(timeZone);
  } catch {
    throw new ReportError(
      'report_invalid_time_zone',
      `Múi giờ của báo cáo không hợp lệ: "${timeZone}".`,
      `The report's time zone is not valid: "${timeZone}".`,
    );
  }
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const pad4 = (n: number): string => String(n).padStart(4, '0');

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

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

/** `yyyy-mm-dd` → `dd/MM/yyyy`; any other text is returned unchanged (never guessed at). */
export function formatCalendarDate(isoDate: string): string {
  const m = CALENDAR_DATE.exec(isoDate);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : isoDate;
}

/** `yyyy-mm-dd` → a Date at 00:00 UTC of that day (what spreadsheets store); undefined if not a date. */
export function calendarDateToUtc(isoDate: string): Date | undefined {
  const m = CALENDAR_DATE.exec(isoDate);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCDate() === Number(m[3]) ? d : undefined;
}

/** ISO instant → `dd/MM/yyyy` in `timeZone`. */
export function formatInstantDate(iso: string, timeZone: string): string {
  const w = wallClock(iso, timeZone);
  return w ? `${pad2(w.day)}/${pad2(w.month)}/${pad4(w.year)}` : iso;
}

/** ISO instant → `HH:mm:ss` (24 h) in `timeZone`. */
export function formatInstantTime(iso: string, timeZone: string): string {
  const w = wallClock(iso, timeZone);
  return w ? `${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}` : iso;
}

/** ISO instant → `dd/MM/yyyy HH:mm:ss` in `timeZone`. */
export function formatInstant(iso: string, timeZone: string): string {
  const w = wallClock(iso, timeZone);
  if (!w) return iso;
  return `${pad2(w.day)}/${pad2(w.month)}/${pad4(w.year)} ${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}`;
}

/**
 * ISO instant → a Date whose UTC fields are the wall clock in `timeZone`. Spreadsheet cells have no
 * time zone: this makes the cell show the local time the examiner saw.
 */
export function instantToWallClockUtc(iso: string, timeZone: string): Date | undefined {
  const w = wallClock(iso, timeZone);
  if (!w) return undefined;
  return new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
}
