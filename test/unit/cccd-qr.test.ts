import { describe, expect, it } from 'vitest';
import { parseCccdQr, parseSexWord, type QrErrorCode } from '../../native/cccd/qr';
import { notCheckedAuthenticity } from '../../native/domain/vocabulary';

// "Today" for every test: 2025-06-01 in Vietnam.
const NOW = new Date('2025-05-31T20:00:00Z');

// The sample of docs/cccd-card.md (7 fields).
const SAMPLE_7 =
  '089202017098|352576714|Lê Văn Lương|23052002|Nam|Tổ 10 Ấp An Thái, Hòa Bình, Chợ Mới, An Giang|31122021';
// A fictional holder of a 2024 card (11 fields, the last 4 empty).
const SAMPLE_11 = '001305012345||Trần Thị Mai|15032005|Nữ|Số 1 Phố Huế, Hai Bà Trưng, Hà Nội|04102024||||';

function fields(over: Partial<Record<0 | 1 | 2 | 3 | 4 | 5 | 6, string>>, base = SAMPLE_7): string {
  const f = base.split('|');
  for (const [k, v] of Object.entries(over)) f[Number(k)] = v;
  return f.join('|');
}

describe('parseCccdQr: the two forms', () => {
  it('7 fields (the cccd-card.md sample)', () => {
    const r = parseCccdQr(SAMPLE_7, NOW);
    expect(r).toEqual({
      ok: true,
      form: 7,
      warnings: [],
      reading: {
        source: 'qr',
        idNumber: '089202017098',
        oldIdNumber: '352576714',
        fullName: 'Lê Văn Lương',
        dateOfBirth: '2002-05-23',
        sex: 'M',
        residence: 'Tổ 10 Ấp An Thái, Hòa Bình, Chợ Mới, An Giang',
        dateOfIssue: '2021-12-31',
        dateOfExpiry: '2027-05-23',
        authenticity: notCheckedAuthenticity(),
      },
    });
  });

  it('11 fields (2024 card), empty old ID left out, Nữ → F', () => {
    const r = parseCccdQr(SAMPLE_11, NOW);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.form).toBe(11);
    expect(r.reading).not.toHaveProperty('oldIdNumber');
    expect(r.reading).toMatchObject({
      idNumber: '001305012345',
      fullName: 'Trần Thị Mai',
      dateOfBirth: '2005-03-15',
      sex: 'F',
      dateOfIssue: '2024-10-04',
      dateOfExpiry: '2030-03-15',
    });
    expect(r.reading.authenticity.verdict).toBe('not_checked');
  });

  it('a holder past 58 at issue gets no expiry (null)', () => {
    const r = parseCccdQr('079062000777||Võ Văn Tư|01021962|Nam|Quận 1, TP Hồ Chí Minh|15032021', NOW);
    expect(r.ok && r.reading.dateOfExpiry).toBeNull();
  });

  it('a child card from 2024-07-01 runs to the 14th birthday', () => {
    const r = parseCccdQr('036216000123||Phạm Minh Khôi|09092016|Nam|Nam Định|02082024||||', NOW);
    expect(r.ok && r.reading.dateOfExpiry).toBe('2030-09-09');
  });
});

describe('parseCccdQr: tolerance', () => {
  it.each([
    ['trailing CR LF', `${SAMPLE_7}\r\n`],
    ['trailing LF', `${SAMPLE_7}\n`],
    ['trailing Tab (wedge scanner)', `${SAMPLE_7}\t`],
    ['surrounding spaces', `   ${SAMPLE_7}  `],
    ['11-field with CR', `${SAMPLE_11}\r`],
  ])('%s', (_label, text) => {
    expect(parseCccdQr(text, NOW).ok).toBe(true);
  });

  it('decomposed (NFD) name becomes NFC', () => {
    const r = parseCccdQr(SAMPLE_7.normalize('NFD'), NOW);
    expect(r.ok && r.reading.fullName).toBe('Lê Văn Lương');
    expect(r.ok && r.reading.fullName === r.reading.fullName.normalize('NFC')).toBe(true);
  });

  it('keeps empty fields: an empty residence is simply absent', () => {
    const r = parseCccdQr(fields({ 5: '' }), NOW);
    expect(r.ok).toBe(true);
    expect(r.ok && r.reading).not.toHaveProperty('residence');
  });

  it('sex words without diacritics or in capitals', () => {
    expect(parseSexWord('Nam')).toBe('M');
    expect(parseSexWord('NAM')).toBe('M');
    expect(parseSexWord('Nữ')).toBe('F');
    expect(parseSexWord('Nữ'.normalize('NFD'))).toBe('F');
    expect(parseSexWord('NU')).toBe('F');
    expect(parseSexWord('N?')).toBeNull();
    expect(parseSexWord('Male')).toBeNull();
  });

  it('a 12-digit old CMND number is accepted', () => {
    const r = parseCccdQr(fields({ 1: '089202000111' }), NOW);
    expect(r.ok && r.reading.oldIdNumber).toBe('089202000111');
  });

  it('an unknown province code is a warning, not a failure', () => {
    const r = parseCccdQr(fields({ 0: '003202017098' }), NOW);
    expect(r.ok).toBe(true);
    expect(r.ok && r.warnings.map((w) => w.code)).toEqual(['id_province_unknown']);
  });
});

describe('parseCccdQr: each malformed class has its own code', () => {
  const cases: [string, string, QrErrorCode][] = [
    ['empty string', '', 'empty'],
    ['only whitespace and Enter', '  \r\n', 'empty'],
    ['6 fields', SAMPLE_7.split('|').slice(0, 6).join('|'), 'field_count'],
    ['8 fields', `${SAMPLE_7}|`, 'field_count'],
    ['12 fields', `${SAMPLE_11}|`, 'field_count'],
    ['not a CCCD QR at all', 'https://example.com/xyz', 'field_count'],
    ['ID with a letter', fields({ 0: '08920201709O' }), 'id_not_digits'],
    ['ID with 11 digits', fields({ 0: '08920201709' }), 'id_not_digits'],
    ['ID with 13 digits', fields({ 0: '0892020170981' }), 'id_not_digits'],
    ['ID empty', fields({ 0: '' }), 'id_not_digits'],
    ['old ID of 8 digits', fields({ 1: '35257671' }), 'old_id_invalid'],
    ['old ID with letters', fields({ 1: '35257671X' }), 'old_id_invalid'],
    ['empty name', fields({ 2: '  ' }), 'name_empty'],
    ['name mangled by a keyboard layout', fields({ 2: 'L? V?n L??ng' }), 'name_garbled'],
    ['name with replacement characters', fields({ 2: 'L\uFFFD V\uFFFDn' }), 'name_garbled'],
    ['DOB 31 February', fields({ 3: '31022002' }), 'impossible_date'],
    ['DOB month 13', fields({ 3: '23132002' }), 'impossible_date'],
    ['DOB with slashes', fields({ 3: '23/05/2002' }), 'impossible_date'],
    ['DOB 7 digits', fields({ 3: '2305200' }), 'impossible_date'],
    ['issue date impossible', fields({ 6: '32122021' }), 'impossible_date'],
    ['issue date empty', fields({ 6: '' }), 'impossible_date'],
    ['DOB in the future', fields({ 0: '089226017098', 3: '01012026' }), 'future_birth_date'],
    ['sex neither Nam nor Nữ', fields({ 4: 'Male' }), 'sex_invalid'],
    ['sex mangled', fields({ 4: 'N?' }), 'sex_invalid'],
    ['century digit vs DOB', fields({ 0: '089002017098' }), 'id_birth_mismatch'],
    ['year digits vs DOB', fields({ 0: '089203017098' }), 'id_birth_mismatch'],
    ['sex digit vs sex', fields({ 4: 'Nữ' }), 'id_birth_mismatch'],
    ['issue before birth', fields({ 6: '22052002' }), 'issue_before_birth'],
    ['issue date in the future', fields({ 6: '02062025' }), 'future_issue_date'],
  ];

  it.each(cases)('%s → %s', (_label, text, code) => {
    const r = parseCccdQr(text, NOW);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(code);
    expect(r.reason.code).toBe(`qr_${code}`);
    expect(r.reason.severity).toBe('error');
    expect(r.reason.vi.length).toBeGreaterThan(10);
    expect(r.reason.en.length).toBeGreaterThan(10);
    // No personal data in the message.
    expect(r.reason.vi + r.reason.en).not.toMatch(/089|Lương|2002/);
  });

  it('every error code has its own Vietnamese message', () => {
    const byCode = new Map<string, string>();
    for (const [, text, code] of cases) {
      const r = parseCccdQr(text, NOW);
      if (!r.ok) byCode.set(code, r.reason.vi);
    }
    expect(byCode.size).toBe(12);
    expect(new Set(byCode.values()).size).toBe(12);
  });

  it('"today" is the Vietnamese calendar day of `now`', () => {
    const issuedToday = fields({ 6: '01062025' });
    expect(parseCccdQr(issuedToday, new Date('2025-05-31T17:00:00Z')).ok).toBe(true);
    const r = parseCccdQr(issuedToday, new Date('2025-05-31T16:59:00Z'));
    expect(r.ok === false && r.code).toBe('future_issue_date');
  });
});
