/**
 * Date and time formatting for the reports: dd/MM/yyyy and 24-hour HH:mm:ss, instants shown in the
 * report's IANA time zone (Intl.DateTimeFormat, through electron/shared/wall-clock.ts, which the
 * screen uses too), calendar dates printed as they are (a date of birth has no time zone and must
 * never shift by a day).
 */
import { ReportError } from './io';
import { isKnownTimeZone, wallClock } from '../../shared/wall-clock';

export {
  formatInstant,
  formatInstantDate,
  formatInstantTime,
  wallClock,
  type WallClock,
} from '../../shared/wall-clock';

/** Throws a bilingual ReportError when `timeZone` is not an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  if (!isKnownTimeZone(timeZone)) {
    throw new ReportError(
      'report_invalid_time_zone',
      `Múi giờ của báo cáo không hợp lệ: "${timeZone}".`,
      `The report's time zone is not valid: "${timeZone}".`,
    );
  }
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

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

/**
 * ISO instant → a Date whose UTC fields are the wall clock in `timeZone`. Spreadsheet cells have no
 * time zone: this makes the cell show the local time the examiner saw.
 */
export function instantToWallClockUtc(iso: string, timeZone: string): Date | undefined {
  const w = wallClock(iso, timeZone);
  if (!w) return undefined;
  return new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
}
