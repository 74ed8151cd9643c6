import { describe, expect, it } from 'vitest';
import {
  PROVINCE_CODES,
  centurySexDigitFor,
  checkIdNumber,
  decodeCenturySexDigit,
  isIdNumberFormat,
  isKnownProvinceCode,
  isOldIdNumberFormat,
  parseIdNumber,
} from '../../native/cccd/id-number';

const codes = (r: { reasons: { code: string }[] }): string[] => r.reasons.map((x) => x.code);

describe('province codes (Circular 07/2016/TT-BCA, Annex 1)', () => {
  it('has the 63 provinces with 3-digit codes from 001 to 096', () => {
    const keys = Object.keys(PROVINCE_CODES);
    expect(keys).toHaveLength(63);
    expect(new Set(Object.values(PROVINCE_CODES)).size).toBe(63);
    for (const k of keys) expect(k).toMatch(/^0\d\d$/);
    expect(PROVINCE_CODES['001']).toBe('Hà Nội');
    expect(PROVINCE_CODES['079']).toBe('Hồ Chí Minh');
    expect(PROVINCE_CODES['089']).toBe('An Giang');
    expect(PROVINCE_CODES['096']).toBe('Cà Mau');
  });
  it('leaves the gaps of the table unknown', () => {
    for (const c of ['000', '003', '005', '018', '041', '076', '097', '100'])
      expect(isKnownProvinceCode(c), c).toBe(false);
    expect(isKnownProvinceCode('toString')).toBe(false);
  });
});

describe('century/sex digit', () => {
  it('follows the table: even male, odd female, one pair per century from 1900', () => {
    const table = [
      [0, 1900, 'M'],
      [1, 1900, 'F'],
      [2, 2000, 'M'],
      [3, 2000, 'F'],
      [4, 2100, 'M'],
      [5, 2100, 'F'],
      [6, 2200, 'M'],
      [7, 2200, 'F'],
      [8, 2300, 'M'],
      [9, 2300, 'F'],
    ] as const;
    for (const [digit, centuryStart, sex] of table) {
      expect(decodeCenturySexDigit(digit)).toEqual({ centuryStart, sex });
      expect(centurySexDigitFor(centuryStart + 57, sex)).toBe(digit);
    }
    expect(centurySexDigitFor(1999, 'F')).toBe(1);
    expect(centurySexDigitFor(2000, 'M')).toBe(2);
    expect(centurySexDigitFor(1899, 'M')).toBeNull();
    expect(centurySexDigitFor(2400, 'F')).toBeNull();
    expect(() => decodeCenturySexDigit(10)).toThrow(RangeError);
  });
});

describe('format', () => {
  it('accepts exactly 12 ASCII digits', () => {
    expect(isIdNumberFormat('001093047064')).toBe(true);
    for (const bad of [
      '00109304706',
      '0010930470641',
      '00109304706A',
      ' 001093047064',
      '001 093 047 064',
      '００１０９３０４７０６４',
      '',
    ]) {
      expect(isIdNumberFormat(bad), bad).toBe(false);
      expect(parseIdNumber(bad)).toBeNull();
      expect(codes(checkIdNumber(bad))).toEqual(['id_format']);
    }
  });
  it('old CMND: exactly 9 digits', () => {
    expect(isOldIdNumberFormat('352576714')).toBe(true);
    expect(isOldIdNumberFormat('35257671')).toBe(false);
    expect(isOldIdNumberFormat('3525767140')).toBe(false);
  });
});

describe('parseIdNumber', () => {
  it('splits PPP G YY NNNNNN (the MRZ sample of cccd-card.md)', () => {
    expect(parseIdNumber('001093047064')).toEqual({
      provinceCode: '001',
      provinceName: 'Hà Nội',
      centurySexDigit: 0,
      centuryStart: 1900,
      sex: 'M',
      yearDigits: '93',
      birthYear: 1993,
      serial: '047064',
    });
    const p = parseIdNumber('089305012345')!;
    expect([p.provinceName, p.sex, p.birthYear]).toEqual(['An Giang', 'F', 2005]);
  });
});

describe('checkIdNumber against date of birth and sex', () => {
  it('passes when century, year and sex agree', () => {
    expect(checkIdNumber('001093047064', { dateOfBirth: '1993-01-05', sex: 'M' })).toMatchObject({
      ok: true,
      reasons: [],
    });
    expect(checkIdNumber('089202017098', { dateOfBirth: '2002-05-23', sex: 'M' }).ok).toBe(true);
    expect(checkIdNumber('079301000001', { dateOfBirth: '2001-12-31', sex: 'F' }).ok).toBe(true);
    expect(checkIdNumber('079000000001', { dateOfBirth: '1900-01-01' }).ok).toBe(true);
    expect(checkIdNumber('079299000001', { dateOfBirth: '2099-06-01' }).ok).toBe(true);
  });
  it('reports the century digit when the century is wrong', () => {
    const r = checkIdNumber('001293047064', { dateOfBirth: '1993-01-05' });
    expect(r.ok).toBe(false);
    expect(codes(r)).toEqual(['id_century_mismatch']);
  });
  it('reports the year digits when they differ', () => {
    expect(codes(checkIdNumber('001094047064', { dateOfBirth: '1993-01-05' }))).toEqual(['id_year_mismatch']);
    // 1999 vs 2000: both the century and the year digits disagree.
    expect(codes(checkIdNumber('001099047064', { dateOfBirth: '2000-01-01' }))).toEqual([
      'id_century_mismatch',
      'id_year_mismatch',
    ]);
  });
  it('reports the sex when the parity disagrees, only when a sex is given', () => {
    expect(codes(checkIdNumber('001193047064', { dateOfBirth: '1993-01-05', sex: 'M' }))).toEqual([
      'id_sex_mismatch',
    ]);
    expect(codes(checkIdNumber('001193047064', { dateOfBirth: '1993-01-05' }))).toEqual([]);
    expect(codes(checkIdNumber('001093047064', { sex: 'F' }))).toEqual(['id_sex_mismatch']);
  });
  it('reports every disagreement at once', () => {
    expect(codes(checkIdNumber('001395047064', { dateOfBirth: '1993-01-05', sex: 'M' }))).toEqual([
      'id_century_mismatch',
      'id_year_mismatch',
      'id_sex_mismatch',
    ]);
  });
  it('an unknown province code is a warning that keeps the number acceptable', () => {
    const r = checkIdNumber('003093047064', { dateOfBirth: '1993-01-05', sex: 'M' });
    expect(r.ok).toBe(true);
    expect(r.reasons).toHaveLength(1);
    expect(r.reasons[0]).toMatchObject({ code: 'id_province_unknown', severity: 'warning' });
  });
  it('gives bilingual messages without the number itself', () => {
    const r = checkIdNumber('001395047064', { dateOfBirth: '1993-01-05', sex: 'M' });
    for (const x of r.reasons) {
      expect(x.vi.length).toBeGreaterThan(10);
      expect(x.en.length).toBeGreaterThan(10);
      expect(x.severity).toBe('error');
      expect(x.vi + x.en).not.toMatch(/001395047064|1993/);
    }
  });
});
