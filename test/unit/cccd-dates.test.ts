import { afterEach, describe, expect, it } from 'vitest';
import {
  addYears,
  ageAt,
  civilFromDays,
  compareDates,
  daysFromCivil,
  formatDmy,
  isIsoDate,
  isoFromDays,
  makeIsoDate,
  parseDate,
  parseDateDetailed,
  parseQrDate,
  todayInVietnam,
  toYymmdd,
} from '../../native/util/dates';

describe('parseDate: accepted forms', () => {
  it.each([
    ['23/05/2002', '2002-05-23'],
    ['3/5/2002', '2002-05-03'],
    ['03/5/2002', '2002-05-03'],
    ['23-05-2002', '2002-05-23'],
    ['23.05.2002', '2002-05-23'],
    ['2002-05-23', '2002-05-23'],
    ['2002-5-3', '2002-05-03'],
    ['23052002', '2002-05-23'],
    ['  23/05/2002 \t', '2002-05-23'],
    ['29/02/2000', '2000-02-29'],
    ['29/02/2024', '2024-02-29'],
    ['01/01/1900', '1900-01-01'],
    ['31/12/2399', '2399-12-31'],
  ])('%j → %s', (text, iso) => {
    expect(parseDate(text)).toBe(iso);
  });
});

describe('parseDate: rejections', () => {
  it.each([
    ['31/02/2020', 'impossible'],
    ['30/02/2024', 'impossible'],
    ['29/02/2023', 'impossible'],
    ['29/02/1900', 'impossible'], // 1900 is not a leap year (Excel pretends it is)
    ['31/04/2021', 'impossible'],
    ['15/13/2020', 'impossible'],
    ['00/01/2000', 'impossible'],
    ['01/00/2000', 'impossible'],
    ['31/12/1899', 'impossible'],
    ['2020-02-30', 'impossible'],
    ['32012020', 'impossible'],
    ['23/05/02', 'format'], // two-digit year: ambiguous century
    ['2002/05/23', 'format'],
    ['23/05-2002', 'format'], // mixed separators
    ['23 05 2002', 'format'],
    ['2305202', 'format'],
    ['May 23, 2002', 'format'],
    ['２３/０５/２００２', 'format'], // full-width digits are not accepted silently
    ['', 'empty'],
    ['   ', 'empty'],
  ])('%j → %s', (text, error) => {
    expect(parseDateDetailed(text)).toEqual({ ok: false, error });
    expect(parseDate(text)).toBeNull();
  });
});

describe('parseQrDate (ddmmyyyy only)', () => {
  it('accepts exactly eight digits', () => {
    expect(parseQrDate('23052002')).toBe('2002-05-23');
    expect(parseQrDate('01011900')).toBe('1900-01-01');
  });
  it('rejects other shapes and impossible days', () => {
    for (const t of [
      '23/05/2002',
      '2002-05-23',
      '2305200',
      '230520021',
      '30022020',
      '01131999',
      '01011899',
      ' 23052002',
    ]) {
      expect(parseQrDate(t), t).toBeNull();
    }
  });
});

describe('makeIsoDate / isIsoDate', () => {
  it('validates calendar days', () => {
    expect(makeIsoDate(2024, 2, 29)).toBe('2024-02-29');
    expect(makeIsoDate(2100, 2, 29)).toBeNull(); // century, not divisible by 400
    expect(makeIsoDate(2000, 2, 29)).toBe('2000-02-29');
    expect(makeIsoDate(2020, 1, 1.5)).toBeNull();
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2023-2-1')).toBe(false);
  });
});

describe('addYears', () => {
  it('keeps month and day', () => {
    expect(addYears('2002-05-23', 25)).toBe('2027-05-23');
    expect(addYears('2002-05-23', -2)).toBe('2000-05-23');
    expect(addYears('2002-05-23', 0)).toBe('2002-05-23');
  });
  it('turns 29 February into 28 February in non-leap years', () => {
    expect(addYears('2000-02-29', 1)).toBe('2001-02-28');
    expect(addYears('2000-02-29', 4)).toBe('2004-02-29');
    expect(addYears('2004-02-29', 25)).toBe('2029-02-28');
    expect(addYears('2024-02-29', -1)).toBe('2023-02-28');
    expect(addYears('2000-02-29', 100)).toBe('2100-02-28');
  });
  it('refuses bad input', () => {
    expect(() => addYears('2023-02-29', 1)).toThrow(RangeError);
    expect(() => addYears('2002-05-23', 1.5)).toThrow(RangeError);
    expect(() => addYears('1901-01-01', -2)).toThrow(RangeError);
  });
});

describe('compareDates', () => {
  it('orders calendar days', () => {
    expect(compareDates('2002-05-23', '2002-05-24')).toBe(-1);
    expect(compareDates('2002-05-23', '2002-05-23')).toBe(0);
    expect(compareDates('2010-01-01', '2009-12-31')).toBe(1);
    expect(() => compareDates('23/05/2002', '2002-05-23')).toThrow(RangeError);
  });
});

describe('ageAt', () => {
  it('counts completed years', () => {
    expect(ageAt('2000-05-23', '2025-05-22')).toBe(24);
    expect(ageAt('2000-05-23', '2025-05-23')).toBe(25);
    expect(ageAt('2000-05-23', '2000-05-23')).toBe(0);
    expect(ageAt('2000-05-23', '2000-12-31')).toBe(0);
    expect(ageAt('2000-12-31', '2001-01-01')).toBe(0);
    expect(ageAt('2000-05-23', '2000-05-22')).toBe(-1);
  });
  it('someone born on 29 February is a year older on 28 February in non-leap years', () => {
    expect(ageAt('2004-02-29', '2025-02-27')).toBe(20);
    expect(ageAt('2004-02-29', '2025-02-28')).toBe(21);
    expect(ageAt('2004-02-29', '2028-02-28')).toBe(23);
    expect(ageAt('2004-02-29', '2028-02-29')).toBe(24);
  });
});

describe('todayInVietnam', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('is the calendar day in UTC+7 whatever the machine time zone', () => {
    for (const tz of ['UTC', 'America/Los_Angeles', 'Asia/Ho_Chi_Minh', 'Pacific/Kiritimati']) {
      process.env.TZ = tz;
      expect(todayInVietnam(new Date('2025-01-31T16:59:59Z')), tz).toBe('2025-01-31');
      expect(todayInVietnam(new Date('2025-01-31T17:00:00Z')), tz).toBe('2025-02-01');
      expect(todayInVietnam(new Date('2024-12-31T17:00:00Z')), tz).toBe('2025-01-01');
    }
  });
});

describe('formatting', () => {
  it('dd/mm/yyyy and YYMMDD', () => {
    expect(formatDmy('2002-05-03')).toBe('03/05/2002');
    expect(toYymmdd('2033-01-05')).toBe('330105');
    expect(toYymmdd('2000-12-31')).toBe('001231');
  });
});

describe('day numbers (no Date objects involved in the rules)', () => {
  it('agree with Date.UTC over 1900-2400, day by day around leap days and every 97th day otherwise', () => {
    const start = Date.UTC(1900, 0, 1) / 86_400_000;
    const end = Date.UTC(2400, 0, 1) / 86_400_000;
    for (let d = start; d < end; d += 97) {
      const utc = new Date(d * 86_400_000);
      const c = civilFromDays(d);
      expect(c).toEqual({ year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate() });
      expect(daysFromCivil(c.year, c.month, c.day)).toBe(d);
    }
    for (const [y, m, dd] of [
      [1900, 2, 28],
      [1900, 3, 1],
      [2000, 2, 29],
      [2000, 3, 1],
      [2100, 2, 28],
      [2100, 3, 1],
      [1970, 1, 1],
    ] as const) {
      expect(daysFromCivil(y, m, dd)).toBe(Date.UTC(y, m - 1, dd) / 86_400_000);
    }
    expect(isoFromDays(0)).toBe('1970-01-01');
    expect(isoFromDays(daysFromCivil(1899, 12, 31))).toBeNull();
  });
});
