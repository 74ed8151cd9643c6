import { describe, expect, it } from 'vitest';
import {
  assertTimeZone,
  calendarDateToUtc,
  formatCalendarDate,
  formatInstant,
  formatInstantDate,
  formatInstantTime,
  instantToWallClockUtc,
  wallClock,
} from '../../electron/core/reports/format';
import { ReportError } from '../../electron/core/reports/io';
import {
  authenticityVerdictLabel,
  identityVerdictLabel,
  reportLabels,
} from '../../electron/core/reports/labels';
import { AUTHENTICITY_VERDICTS, IDENTITY_VERDICTS } from '../../native/domain/vocabulary';
import { KioskError } from '../../electron/core/errors';

const VN = 'Asia/Ho_Chi_Minh';

const reference = new Map<string, Intl.DateTimeFormat>();
/** Reference: the wall clock straight from Intl, one call per instant. */
function intlWallClock(t: number, timeZone: string) {
  let f = reference.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    reference.set(timeZone, f);
  }
  const parts = f.formatToParts(t);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

describe('report date formatting', () => {
  it('prints calendar dates dd/MM/yyyy without any time-zone shift', () => {
    expect(formatCalendarDate('2002-05-23')).toBe('23/05/2002');
    expect(formatCalendarDate('1951-08-18')).toBe('18/08/1951');
    expect(calendarDateToUtc('2002-05-23')?.toISOString()).toBe('2002-05-23T00:00:00.000Z');
    expect(calendarDateToUtc('2025-02-30')).toBeUndefined();
    // Text that is not an ISO date is shown as is, never guessed at.
    expect(formatCalendarDate('23/05/2002')).toBe('23/05/2002');
    expect(calendarDateToUtc('')).toBeUndefined();
  });

  it('prints instants in the report time zone, 24-hour clock, rolling the date over', () => {
    expect(formatInstant('2025-03-12T02:15:02Z', VN)).toBe('12/03/2025 09:15:02');
    expect(formatInstant('2025-03-12T17:30:00Z', VN)).toBe('13/03/2025 00:30:00');
    expect(formatInstantTime('2025-03-12T16:59:59Z', VN)).toBe('23:59:59');
    expect(formatInstantTime('2025-03-12T17:00:00Z', VN)).toBe('00:00:00');
    expect(formatInstantDate('2025-12-31T17:00:00Z', VN)).toBe('01/01/2026');
    expect(formatInstant('2025-03-12T09:15:02+07:00', 'UTC')).toBe('12/03/2025 02:15:02');
    expect(formatInstant('not a date', VN)).toBe('not a date');
    expect(instantToWallClockUtc('2025-03-12T17:30:00Z', VN)?.toISOString()).toBe('2025-03-13T00:30:00.000Z');
  });

  it('agrees with Intl every few minutes across daylight-saving changes (cached offsets)', () => {
    const zones = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', VN];
    const days = [Date.UTC(2025, 2, 9), Date.UTC(2025, 2, 30), Date.UTC(2025, 3, 5), Date.UTC(2025, 9, 26)];
    for (const zone of zones) {
      for (const day of days) {
        for (let t = day - 6 * 3600_000; t < day + 30 * 3600_000; t += 7 * 60_000 + 13_000) {
          expect(wallClock(new Date(t).toISOString(), zone)).toEqual(intlWallClock(t, zone));
        }
      }
    }
  });

  it('rejects an unknown time zone with a bilingual KioskError', () => {
    expect(() => assertTimeZone(VN)).not.toThrow();
    let err: unknown;
    try {
      assertTimeZone('Mars/Olympus_Mons');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReportError);
    expect(err).toBeInstanceOf(KioskError);
    expect(err).toMatchObject({ code: 'report_invalid_time_zone' });
    expect((err as ReportError).vi).toContain('Mars/Olympus_Mons');
    expect((err as ReportError).en).toContain('Mars/Olympus_Mons');
  });
});

describe('report labels', () => {
  it('names all 7 identity and 5 authenticity verdicts in words, in both languages', () => {
    expect(IDENTITY_VERDICTS).toHaveLength(7);
    expect(AUTHENTICITY_VERDICTS).toHaveLength(5);
    for (const lang of ['vi', 'en'] as const) {
      const ids = IDENTITY_VERDICTS.map((v) => identityVerdictLabel(v, lang));
      const auths = AUTHENTICITY_VERDICTS.map((v) => authenticityVerdictLabel(v, lang));
      for (const [label, code] of [
        ...ids.map((l, i) => [l, IDENTITY_VERDICTS[i]] as const),
        ...auths.map((l, i) => [l, AUTHENTICITY_VERDICTS[i]] as const),
      ]) {
        expect(label.length).toBeGreaterThan(5);
        expect(label).not.toContain('_');
        expect(label).not.toBe(code);
      }
      expect(new Set(ids).size).toBe(7);
      expect(new Set(auths).size).toBe(5);
    }
    expect(identityVerdictLabel('match')).toBe('Đúng thí sinh');
    expect(identityVerdictLabel('not_on_roster')).toBe('Không có trong danh sách');
    expect(authenticityVerdictLabel('genuine')).toBe('Thẻ thật (chip xác thực)');
    expect(authenticityVerdictLabel('not_checked')).toBe('Chưa kiểm tra chip');
    expect(identityVerdictLabel('match', 'en')).toBe('Registered candidate');
    expect(identityVerdictLabel(undefined)).toBe('');
  });

  it('defaults to Vietnamese and formats pages and dated lines', () => {
    const vi = reportLabels();
    expect(vi.lang).toBe('vi');
    expect(vi.page(3, 12)).toBe('Trang 3/12');
    expect(vi.datedLine('05/09/2025')).toBe('Ngày 05 tháng 09 năm 2025');
    expect(reportLabels('en').page(3, 12)).toBe('Page 3/12');
  });
});
