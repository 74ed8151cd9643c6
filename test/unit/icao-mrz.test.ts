/**
 * MRZ parsing: the CCCD samples of docs/cccd-card.md (valid, then every check digit broken in turn),
 * typed input, TD3, the BAC MRZ_information and the CCCD MRZ builder.
 */
import { describe, expect, it } from 'vitest';
import {
  bacMrzInformation,
  cccdMrzInformation,
  checkDigit,
  formatCccdMrz,
  mrzInformation,
  parseMrz,
  type Mrz,
} from '../../native/icao/mrz';

const SAMPLE = [
  'IDVNM0930470641001093047064<<2',
  '9301054M3301052VNM<<<<<<<<<<<8',
  'UNG<<HOANG<HIEP<<<<<<<<<<<<<<<',
];
const NO_EXPIRY = [
  'IDVNM0510019778031051001977<<8',
  '5108185M9912315VNM<<<<<<<<<<<0',
  'TRAN<<VAN<AN<<<<<<<<<<<<<<<<<<',
];
const TODAY = new Date('2026-06-01T00:00:00Z');

function ok(text: string): Mrz {
  const r = parseMrz(text, { today: TODAY });
  if (!r.ok) throw new Error(`expected a valid MRZ, got ${r.code}`);
  return r.mrz;
}

/** Replaces the character at (line, column) with a different digit. */
function breakDigit(lines: string[], line: number, col: number): string {
  const copy = [...lines];
  const l = copy[line]!;
  const c = l[col]!;
  const replacement = String((Number(c) + 3) % 10);
  copy[line] = l.slice(0, col) + replacement + l.slice(col + 1);
  return copy.join('\n');
}

describe('CCCD MRZ samples', () => {
  it('parses the first sample with every check digit valid', () => {
    const mrz = ok(SAMPLE.join('\n'));
    expect(mrz.format).toBe('TD1');
    expect(mrz.documentCode).toBe('ID');
    expect(mrz.issuingState).toBe('VNM');
    expect(mrz.documentNumber).toBe('093047064');
    expect(mrz.cccd).toEqual({
      idNumber: '001093047064',
      idNumberCheckDigitOk: true,
      documentNumberMatchesId: true,
    });
    expect(mrz.dateOfBirth).toBe('930105');
    expect(mrz.dateOfBirthIso).toBe('1993-01-05');
    expect(mrz.sex).toBe('M');
    expect(mrz.dateOfExpiryIso).toBe('2033-01-05');
    expect(mrz.noExpiry).toBe(false);
    expect(mrz.nationality).toBe('VNM');
    expect(mrz.surname).toBe('UNG');
    expect(mrz.givenNames).toBe('HOANG HIEP');
    expect(mrz.checks.map((c) => c.field)).toEqual([
      'documentNumber',
      'dateOfBirth',
      'dateOfExpiry',
      'cccdIdNumber',
      'composite',
    ]);
    expect(mrz.checks.every((c) => c.ok)).toBe(true);
    expect(mrzInformation(mrz)).toBe('093047064193010543301052');
  });

  it('reads 991231 as "no expiry" and a 1951 birth date', () => {
    const mrz = ok(NO_EXPIRY.join(''));
    expect(mrz.cccd?.idNumber).toBe('031051001977');
    expect(mrz.documentNumber).toBe('051001977');
    expect(mrz.dateOfBirthIso).toBe('1951-08-18');
    expect(mrz.noExpiry).toBe(true);
    expect(mrz.dateOfExpiryIso).toBeNull();
    expect(mrzInformation(mrz)).toBe('051001977851081859912315');
  });

  it('accepts typed text: lower case, spaces, blank lines, CRLF', () => {
    const typed = `  idvnm 093047064 1001093047064<<2\r\n\r\n9301054m3301052vnm<<<<<<<<<<< 8\n ung<<hoang<hiep<<<<<<<<<<<<<<< \n`;
    expect(mrzInformation(ok(typed))).toBe('093047064193010543301052');
  });

  const broken: Array<[string, number, number, string]> = [
    ['document number', 0, 14, 'mrz_check_digit_document_number'],
    ['ID number', 0, 29, 'mrz_check_digit_id_number'],
    ['date of birth', 1, 6, 'mrz_check_digit_date_of_birth'],
    ['date of expiry', 1, 14, 'mrz_check_digit_date_of_expiry'],
    ['composite', 1, 29, 'mrz_check_digit_composite'],
  ];
  for (const [name, line, col, code] of broken) {
    it(`rejects a wrong ${name} check digit with its own code`, () => {
      const r = parseMrz(breakDigit(SAMPLE, line, col), { today: TODAY });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.code).toBe(code);
      expect(r.reason.severity).toBe('error');
      expect(r.reason.vi.length).toBeGreaterThan(10);
      expect(r.reason.en.length).toBeGreaterThan(10);
      // The message never echoes MRZ content.
      expect(r.reason.vi + r.reason.en).not.toMatch(/093047064|UNG|HOANG/);
      const failed = r.mrz!.checks.filter((c) => !c.ok).map((c) => c.field);
      expect(failed[0]).toBe(r.field);
    });
  }

  it('rejects a changed data digit (the check digit no longer matches)', () => {
    const r = parseMrz(breakDigit(SAMPLE, 1, 3), { today: TODAY }); // DOB month digit
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('mrz_check_digit_date_of_birth');
  });

  it('rejects a document number that is not the last 9 digits of the ID (the known first-9 bug)', () => {
    const id = '001093047064';
    const first9 = id.slice(0, 9);
    const l1 = `IDVNM${first9}${checkDigit(first9)}${id}<<${checkDigit(id)}`;
    const l2head = '9301054M3301052VNM<<<<<<<<<<<';
    const composite = checkDigit(
      l1.slice(5, 30) + l2head.slice(0, 7) + l2head.slice(8, 15) + l2head.slice(18, 29),
    );
    const r = parseMrz([l1, l2head + composite, SAMPLE[2]].join('\n'), { today: TODAY });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('mrz_cccd_document_number');
  });

  it('rejects wrong layouts and characters', () => {
    const short = parseMrz(SAMPLE.join('\n').slice(0, 80));
    expect(!short.ok && short.code).toBe('mrz_layout');
    const bad = parseMrz(SAMPLE.join('').replace('UNG', 'ÙNG'));
    expect(!bad.ok && bad.code).toBe('mrz_charset');
    const empty = parseMrz('  \n ');
    expect(!empty.ok && empty.code).toBe('mrz_empty');
  });

  it('rejects an impossible date whose check digit is right', () => {
    const lines = [...SAMPLE];
    const dob = '931305'; // month 13
    const l2head = `${dob}${checkDigit(dob)}M3301052VNM<<<<<<<<<<<`;
    const composite = checkDigit(
      lines[0]!.slice(5, 30) + l2head.slice(0, 7) + l2head.slice(8, 15) + l2head.slice(18, 29),
    );
    lines[1] = l2head + composite;
    const r = parseMrz(lines.join('\n'), { today: TODAY });
    expect(!r.ok && r.code).toBe('mrz_date_invalid');
  });
});

describe('TD3 (passport)', () => {
  it('parses the ICAO 9303 specimen', () => {
    const mrz = ok(
      'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10',
    );
    expect(mrz.format).toBe('TD3');
    expect(mrz.documentNumber).toBe('L898902C3');
    expect(mrz.surname).toBe('ERIKSSON');
    expect(mrz.givenNames).toBe('ANNA MARIA');
    expect(mrz.dateOfBirthIso).toBe('1974-08-12');
    expect(mrz.sex).toBe('F');
    expect(mrz.checks).toHaveLength(5);
    const broken = parseMrz(
      'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<11',
    );
    expect(!broken.ok && broken.code).toBe('mrz_check_digit_composite');
  });
});

describe('BAC MRZ_information', () => {
  it('matches ICAO 9303-11 appendix D.2 (document number padded with <)', () => {
    expect(bacMrzInformation('L898902C', '690806', '940623')).toBe('L898902C<369080619406236');
  });
  it('takes the CCCD document number from the last 9 digits of the ID', () => {
    expect(cccdMrzInformation('001093047064', '930105', '330105')).toBe('093047064193010543301052');
    expect(() => cccdMrzInformation('12345', '930105', '330105')).toThrow(RangeError);
  });
});

describe('formatCccdMrz', () => {
  it('reproduces the documented samples exactly', () => {
    expect(
      formatCccdMrz({
        idNumber: '001093047064',
        dateOfBirth: '1993-01-05',
        sex: 'M',
        dateOfExpiry: '2033-01-05',
        surname: 'UNG',
        givenNames: 'HOANG HIEP',
      }),
    ).toEqual(SAMPLE);
    expect(
      formatCccdMrz({
        idNumber: '031051001977',
        dateOfBirth: '1951-08-18',
        sex: 'M',
        dateOfExpiry: null,
        surname: 'TRAN',
        givenNames: 'VAN AN',
      }).slice(0, 2),
    ).toEqual(NO_EXPIRY.slice(0, 2));
  });
  it('truncates a long name to 30 characters and refuses diacritics', () => {
    const lines = formatCccdMrz({
      idNumber: '001093047064',
      dateOfBirth: '1993-01-05',
      sex: 'F',
      dateOfExpiry: '2033-01-05',
      surname: 'TONTHATNGUYENPHUOC',
      givenNames: 'HOANG THI BAO NGOC ANH',
    });
    expect(lines[2]).toHaveLength(30);
    expect(ok(lines.join('')).valid).toBe(true);
    expect(() =>
      formatCccdMrz({
        idNumber: '001093047064',
        dateOfBirth: '1993-01-05',
        sex: 'F',
        dateOfExpiry: null,
        surname: 'NGUYỄN',
        givenNames: 'AN',
      }),
    ).toThrow(RangeError);
  });
});
