/**
 * Dates and times on screen: dd/MM/yyyy and 24-hour HH:mm, in Vietnam time (UTC+7, no daylight
 * saving) whatever the machine's time zone. Calendar dates (yyyy-mm-dd) are never shifted. The
 * time-zone arithmetic is the reports' own (electron/shared/wall-clock.ts).
 */
import { dmyOf, hmOf, hmsOf, wallClock, type WallClock } from '../../electron/shared/wall-clock';

const TZ = 'Asia/Ho_Chi_Minh';
const VN_OFFSET_MS = 7 * 3600_000;

/** yyyy-mm-dd → dd/MM/yyyy. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** The wall clock in Vietnam of an ISO instant; null for none or a text that is not an instant. */
function vnClock(isoInstant: string | null | undefined): WallClock | null {
  return (isoInstant && wallClock(isoInstant, TZ)) || null;
}

/** ISO instant → HH:mm (24 h, Vietnam time). */
export function formatTime(isoInstant: string | null | undefined): string {
  const w = vnClock(isoInstant);
  return w ? hmOf(w) : '';
}

/** ISO instant → dd/MM/yyyy HH:mm:ss (Vietnam time). */
export function formatDateTime(isoInstant: string | null | undefined): string {
  const w = vnClock(isoInstant);
  return w ? `${dmyOf(w)} ${hmsOf(w)}` : '';
}

/** dd/MM/yyyy (also d/M/yyyy, - or .) → yyyy-mm-dd, or null when not a real date. */
export function parseDmy(text: string): string | null {
  const m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(text);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The UTC instant of 00:00 (or 23:59:59.999 with `endOfDay`) Vietnam time on a yyyy-mm-dd date. */
export function vnDayBoundary(isoDate: string, endOfDay = false): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const ms = Date.UTC(y, m - 1, d) - VN_OFFSET_MS + (endOfDay ? 86_400_000 - 1 : 0);
  return new Date(ms).toISOString();
}

/** Today in Vietnam as dd/MM/yyyy. */
export function todayDmy(now = new Date()): string {
  return dmyOf(vnClock(now.toISOString())!);
}
