/**
 * Calendar dates for the CCCD rules. Every date here is an ISO `yyyy-mm-dd` string: a calendar
 * day with no time and no time zone. Nothing in this module builds a `Date` in local time, so a
 * date of birth never moves by a day because the machine runs in UTC+7 or UTC.
 *
 * Rules stated once:
 * - Years before 1900 are rejected (no living card holder; also keeps Excel's 1900 quirks out).
 * - Adding years to 29 February lands on 28 February in a non-leap year (the birthday of someone
 *   born on 29 February is 28 February in non-leap years, for ages and card expiry alike).
 *
 * Pure: no Node APIs.
 */

export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The ISO date for year/month/day, or null when that day does not exist or is before 1900. */
export function makeIsoDate(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  if (month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Splits a valid ISO date; throws RangeError on anything else (a programming error upstream). */
export function splitIsoDate(iso: string): CalendarDate {
  const m = ISO_RE.exec(iso);
  if (m && makeIsoDate(Number(m[1]), Number(m[2]), Number(m[3])) !== null) {
    return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  }
  throw new RangeError('not a valid ISO calendar date (yyyy-mm-dd)');
}

export function isIsoDate(text: string): boolean {
  const m = ISO_RE.exec(text);
  return m !== null && makeIsoDate(Number(m[1]), Number(m[2]), Number(m[3])) !== null;
}

export type DateParseFailure = 'empty' | 'format' | 'impossible';

export type DateParseResult = { ok: true; iso: string } | { ok: false; error: DateParseFailure };

// d/m/yyyy with '/', '-' or '.' (the same separator twice); yyyy-mm-dd; ddmmyyyy.
const DMY_RE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;
const YMD_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const COMPACT_RE = /^(\d{2})(\d{2})(\d{4})$/;

/**
 * Parses `dd/mm/yyyy`, `d/m/yyyy` (also with `-` or `.`), `yyyy-mm-dd` and `ddmmyyyy` (the QR form).
 * `format` = not one of those shapes; `impossible` = the shape is right but the day does not exist
 * (31/02, month 13) or the year is before 1900. Two-digit years are refused as ambiguous.
 */
export function parseDateDetailed(text: string): DateParseResult {
  const s = text.trim();
  if (s === '') return { ok: false, error: 'empty' };
  let y: number;
  let mo: number;
  let d: number;
  let m = DMY_RE.exec(s);
  if (m) {
    d = Number(m[1]);
    mo = Number(m[3]);
    y = Number(m[4]);
  } else if ((m = YMD_RE.exec(s))) {
    y = Number(m[1]);
    mo = Number(m[2]);
    d = Number(m[3]);
  } else if ((m = COMPACT_RE.exec(s))) {
    d = Number(m[1]);
    mo = Number(m[2]);
    y = Number(m[3]);
  } else {
    return { ok: false, error: 'format' };
  }
  const iso = makeIsoDate(y, mo, d);
  return iso === null ? { ok: false, error: 'impossible' } : { ok: true, iso };
}

/** Like parseDateDetailed, but null on any failure. */
export function parseDate(text: string): string | null {
  const r = parseDateDetailed(text);
  return r.ok ? r.iso : null;
}

/** The QR form only: exactly eight digits `ddmmyyyy`. */
export function parseQrDate(text: string): string | null {
  const m = COMPACT_RE.exec(text);
  if (!m) return null;
  return makeIsoDate(Number(m[3]), Number(m[2]), Number(m[1]));
}

/** -1, 0 or 1. Both arguments must be valid ISO dates. */
export function compareDates(a: string, b: string): -1 | 0 | 1 {
  splitIsoDate(a);
  splitIsoDate(b);
  // Fixed-width yyyy-mm-dd strings order exactly like the dates they name.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The same month/day `years` later (or earlier when negative); 29 Feb becomes 28 Feb in non-leap years. */
export function addYears(iso: string, years: number): string {
  if (!Number.isInteger(years)) throw new RangeError('years must be an integer');
  const { year, month, day } = splitIsoDate(iso);
  const y = year + years;
  const d = Math.min(day, daysInMonth(y, month));
  const out = makeIsoDate(y, month, d);
  if (out === null) throw new RangeError('resulting date is out of range');
  return out;
}

/**
 * Age in completed years on `at`: the largest n with addYears(dob, n) <= at. Someone born on
 * 29 February turns a year older on 28 February in non-leap years (same rule as addYears).
 * Negative when `at` is before the birth date is not meaningful: returns -1 then.
 */
export function ageAt(dateOfBirth: string, at: string): number {
  const b = splitIsoDate(dateOfBirth);
  const t = splitIsoDate(at);
  if (at < dateOfBirth) return -1;
  let age = t.year - b.year;
  if (age > 0 && addYears(dateOfBirth, age) > at) age -= 1;
  return age;
}

/**
 * Today's calendar date in Vietnam (UTC+7 all year, no daylight saving), whatever the machine's
 * time zone: the card rules are about Vietnamese calendar days.
 */
export function todayInVietnam(now: Date = new Date()): string {
  const shifted = new Date(now.getTime() + 7 * 3600 * 1000);
  return shifted.toISOString().slice(0, 10);
}

/** `dd/mm/yyyy` for display. */
export function formatDmy(iso: string): string {
  const { year, month, day } = splitIsoDate(iso);
  return `${pad(day, 2)}/${pad(month, 2)}/${pad(year, 4)}`;
}

/** `YYMMDD` as in an MRZ / the BAC key. */
export function toYymmdd(iso: string): string {
  const { year, month, day } = splitIsoDate(iso);
  return `${pad(year % 100, 2)}${pad(month, 2)}${pad(day, 2)}`;
}

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm; no Date objects). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil. */
export function civilFromDays(days: number): CalendarDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** ISO date from days since 1970-01-01, or null when before 1900. */
export function isoFromDays(days: number): string | null {
  const c = civilFromDays(days);
  return makeIsoDate(c.year, c.month, c.day);
}
