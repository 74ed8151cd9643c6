/**
 * Machine Readable Zone (ICAO 9303 parts 3, 4 and 5): TD1 (3 x 30, ID cards such as the CCCD) and
 * TD3 (2 x 44, passports). Parsing validates every check digit; the BAC "MRZ_information" string is
 * derived from the parsed fields. CCCD specifics: the 12-digit personal ID sits in the TD1 optional
 * data, followed by its own check digit, and the document number is the LAST 9 digits of that ID.
 *
 * Pure: no Node APIs. Messages never echo the MRZ content (personal data).
 */
import type { Reason } from '../domain/vocabulary';
import { makeIsoDate, toYymmdd } from '../util/dates';
import { reason } from './bilingual';

export type MrzFormat = 'TD1' | 'TD3';

export type MrzField =
  'documentNumber' | 'dateOfBirth' | 'dateOfExpiry' | 'optionalData' | 'composite' | 'cccdIdNumber';

export interface MrzCheck {
  field: MrzField;
  /** Characters covered by the check digit. */
  value: string;
  /** The check digit as printed. */
  printed: string;
  /** The check digit computed from `value`. */
  expected: string;
  ok: boolean;
}

export interface Mrz {
  format: MrzFormat;
  lines: string[];
  /** e.g. 'ID', 'I<', 'P<'. */
  documentCode: string;
  issuingState: string;
  /** Without filler characters; may be longer than 9 characters (TD1 long document numbers). */
  documentNumber: string;
  documentNumberCheckDigit: string;
  /** TD1 line 1 optional data (positions 16-30), TD3 personal number; fillers kept. */
  optionalData1: string;
  /** TD1 line 2 optional data (positions 19-29); empty for TD3. */
  optionalData2: string;
  /** YYMMDD as printed. */
  dateOfBirth: string;
  dateOfBirthCheckDigit: string;
  /** ISO yyyy-mm-dd (century chosen so that the date is not in the future), null if not a date. */
  dateOfBirthIso: string | null;
  sex?: 'M' | 'F';
  /** YYMMDD as printed. */
  dateOfExpiry: string;
  dateOfExpiryCheckDigit: string;
  /** ISO yyyy-mm-dd; null when not a date or when a CCCD carries 991231 ("Không thời hạn"). */
  dateOfExpiryIso: string | null;
  /** True for a CCCD without expiry (991231). */
  noExpiry: boolean;
  nationality: string;
  surname: string;
  givenNames: string;
  checks: MrzCheck[];
  /** All check digits correct. */
  valid: boolean;
  /** Present when this is a Vietnamese ID card (document code I*, issuer VNM, 12-digit ID in optional data). */
  cccd?: { idNumber: string; idNumberCheckDigitOk: boolean; documentNumberMatchesId: boolean };
}

export type MrzErrorCode =
  | 'mrz_empty'
  | 'mrz_layout'
  | 'mrz_charset'
  | 'mrz_check_digit_document_number'
  | 'mrz_check_digit_date_of_birth'
  | 'mrz_check_digit_date_of_expiry'
  | 'mrz_check_digit_optional_data'
  | 'mrz_check_digit_composite'
  | 'mrz_check_digit_id_number'
  | 'mrz_date_invalid'
  | 'mrz_cccd_document_number';

export type MrzResult =
  { ok: true; mrz: Mrz } | { ok: false; code: MrzErrorCode; reason: Reason; field?: MrzField; mrz?: Mrz };

const WEIGHTS = [7, 3, 1];

function charValue(c: string): number {
  if (c === '<') return 0;
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 55;
  throw new RangeError('invalid MRZ character');
}

/** ICAO 9303 check digit (weights 7-3-1, `<` = 0, A = 10 ... Z = 35). */
export function checkDigit(value: string): number {
  let sum = 0;
  for (let i = 0; i < value.length; i++) sum += charValue(value[i]!) * WEIGHTS[i % 3]!;
  return sum % 10;
}

/** The MRZ lines from typed or OCR'd text: case folded, whitespace removed, layout detected. */
export function normalizeMrzText(text: string): { format: MrzFormat; lines: string[] } | null {
  const compact = text.toUpperCase().replace(/[\s\u00a0]+/g, '');
  if (compact.length === 90) {
    return { format: 'TD1', lines: [compact.slice(0, 30), compact.slice(30, 60), compact.slice(60, 90)] };
  }
  if (compact.length === 88) return { format: 'TD3', lines: [compact.slice(0, 44), compact.slice(44, 88)] };
  return null;
}

const FIELD_TEXT: Record<MrzField, { vi: string; en: string; code: MrzErrorCode }> = {
  documentNumber: { vi: 'số giấy tờ', en: 'document number', code: 'mrz_check_digit_document_number' },
  dateOfBirth: { vi: 'ngày sinh', en: 'date of birth', code: 'mrz_check_digit_date_of_birth' },
  dateOfExpiry: { vi: 'ngày hết hạn', en: 'date of expiry', code: 'mrz_check_digit_date_of_expiry' },
  optionalData: { vi: 'dữ liệu tùy chọn', en: 'optional data', code: 'mrz_check_digit_optional_data' },
  composite: { vi: 'số kiểm tra tổng hợp', en: 'composite check digit', code: 'mrz_check_digit_composite' },
  cccdIdNumber: { vi: 'số định danh cá nhân', en: 'personal ID number', code: 'mrz_check_digit_id_number' },
};

function makeCheck(field: MrzField, value: string, printed: string): MrzCheck {
  const expected = String(checkDigit(value));
  return { field, value, printed, expected, ok: printed === expected };
}

/**
 * YYMMDD → ISO. `kind: 'birth'` picks the century that keeps the date at or before `today`;
 * `kind: 'expiry'` uses 20YY. Returns null when the text is not a calendar date.
 */
export function yymmddToIso(
  yymmdd: string,
  kind: 'birth' | 'expiry',
  today: Date = new Date(),
): string | null {
  if (!/^\d{6}$/.test(yymmdd)) return null;
  const yy = Number(yymmdd.slice(0, 2));
  const m = Number(yymmdd.slice(2, 4));
  const d = Number(yymmdd.slice(4, 6));
  if (kind === 'expiry') return makeIsoDate(2000 + yy, m, d);
  const recent = makeIsoDate(2000 + yy, m, d);
  if (recent !== null && recent <= today.toISOString().slice(0, 10)) return recent;
  return makeIsoDate(1900 + yy, m, d);
}

function splitName(field: string): { surname: string; givenNames: string } {
  const trimmed = field.replace(/<+$/, '');
  const idx = trimmed.indexOf('<<');
  const surname = (idx < 0 ? trimmed : trimmed.slice(0, idx)).replace(/</g, ' ').trim();
  const givenNames =
    idx < 0
      ? ''
      : trimmed
          .slice(idx + 2)
          .replace(/</g, ' ')
          .replace(/\s+/g, ' ')
          .trim();
  return { surname, givenNames };
}

function strip(s: string): string {
  return s.replace(/<+$/, '');
}

function fail(
  code: MrzErrorCode,
  vi: string,
  en: string,
  extra: { field?: MrzField; mrz?: Mrz } = {},
): MrzResult {
  return { ok: false, code, reason: reason(code, 'error', vi, en), ...extra };
}

/** Parses a TD1 or TD3 MRZ from text (spaces, newlines and lower case are tolerated). */
export function parseMrz(text: string, options: { today?: Date } = {}): MrzResult {
  if (!text || !text.trim()) return fail('mrz_empty', 'Chưa nhập MRZ.', 'The MRZ is empty.');
  const norm = normalizeMrzText(text);
  if (!norm) {
    return fail(
      'mrz_layout',
      'MRZ không đúng định dạng: cần 3 dòng × 30 ký tự (thẻ căn cước) hoặc 2 dòng × 44 ký tự (hộ chiếu).',
      'The MRZ has the wrong layout: expected 3 lines of 30 characters (ID card) or 2 lines of 44 (passport).',
    );
  }
  const joined = norm.lines.join('');
  if (/[^A-Z0-9<]/.test(joined)) {
    return fail(
      'mrz_charset',
      'MRZ chỉ được chứa chữ in hoa không dấu, chữ số và ký tự "<".',
      'The MRZ may only contain capital letters A-Z, digits and "<".',
    );
  }
  const mrz =
    norm.format === 'TD1' ? parseTd1(norm.lines, options.today) : parseTd3(norm.lines, options.today);
  const firstBad = mrz.checks.find((c) => !c.ok);
  if (firstBad) {
    const f = FIELD_TEXT[firstBad.field];
    return fail(
      f.code,
      `Số kiểm tra của ${f.vi} trong MRZ không đúng.`,
      `The MRZ check digit of the ${f.en} is wrong.`,
      { field: firstBad.field, mrz },
    );
  }
  if (mrz.dateOfBirthIso === null && /^\d{6}$/.test(mrz.dateOfBirth)) {
    return fail(
      'mrz_date_invalid',
      'Ngày sinh trong MRZ không phải ngày hợp lệ.',
      'The MRZ date of birth is not a valid date.',
      {
        field: 'dateOfBirth',
        mrz,
      },
    );
  }
  if (mrz.dateOfExpiryIso === null && !mrz.noExpiry) {
    return fail(
      'mrz_date_invalid',
      'Ngày hết hạn trong MRZ không phải ngày hợp lệ.',
      'The MRZ date of expiry is not a valid date.',
      { field: 'dateOfExpiry', mrz },
    );
  }
  if (mrz.cccd && !mrz.cccd.documentNumberMatchesId) {
    return fail(
      'mrz_cccd_document_number',
      'Số giấy tờ trong MRZ không khớp với 9 chữ số cuối của số định danh.',
      'The MRZ document number does not equal the last 9 digits of the personal ID number.',
      { field: 'documentNumber', mrz },
    );
  }
  return { ok: true, mrz };
}

function parseTd1(lines: string[], today?: Date): Mrz {
  const [l1, l2, l3] = lines as [string, string, string];
  const documentCode = strip(l1.slice(0, 2)) || l1.slice(0, 2);
  const issuingState = l1.slice(2, 5).replace(/</g, '');
  let documentNumber = strip(l1.slice(5, 14));
  let documentNumberCheckDigit = l1[14]!;
  const optionalData1 = l1.slice(15, 30);
  let docCheckValue = l1.slice(5, 14);
  if (documentNumberCheckDigit === '<') {
    // Long document number (ICAO 9303-5 note j): continues in the optional data, the check digit
    // being the last character before the first filler.
    const rest = strip(optionalData1);
    documentNumber = strip(l1.slice(5, 14)) + rest.slice(0, -1);
    documentNumberCheckDigit = rest.slice(-1);
    docCheckValue = documentNumber;
  }
  const dateOfBirth = l2.slice(0, 6);
  const dateOfBirthCheckDigit = l2[6]!;
  const sexChar = l2[7]!;
  const dateOfExpiry = l2.slice(8, 14);
  const dateOfExpiryCheckDigit = l2[14]!;
  const nationality = l2.slice(15, 18).replace(/</g, '');
  const optionalData2 = l2.slice(18, 29);
  const compositeCd = l2[29]!;
  const checks: MrzCheck[] = [
    makeCheck('documentNumber', docCheckValue, documentNumberCheckDigit),
    makeCheck('dateOfBirth', dateOfBirth, dateOfBirthCheckDigit),
    makeCheck('dateOfExpiry', dateOfExpiry, dateOfExpiryCheckDigit),
  ];
  let cccd: Mrz['cccd'];
  const idMatch = /^(\d{12})<<(\d)$/.exec(optionalData1);
  if (documentCode.startsWith('I') && issuingState === 'VNM' && idMatch) {
    const idNumber = idMatch[1]!;
    const idCheck = makeCheck('cccdIdNumber', idNumber, idMatch[2]!);
    checks.push(idCheck);
    cccd = {
      idNumber,
      idNumberCheckDigitOk: idCheck.ok,
      documentNumberMatchesId: documentNumber === idNumber.slice(3),
    };
  }
  checks.push(
    makeCheck(
      'composite',
      l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29),
      compositeCd,
    ),
  );
  const noExpiry = issuingState === 'VNM' && dateOfExpiry === '991231';
  const { surname, givenNames } = splitName(l3);
  return {
    format: 'TD1',
    lines,
    documentCode,
    issuingState,
    documentNumber,
    documentNumberCheckDigit,
    optionalData1,
    optionalData2,
    dateOfBirth,
    dateOfBirthCheckDigit,
    dateOfBirthIso: yymmddToIso(dateOfBirth, 'birth', today),
    sex: sexChar === 'M' || sexChar === 'F' ? sexChar : undefined,
    dateOfExpiry,
    dateOfExpiryCheckDigit,
    dateOfExpiryIso: noExpiry ? null : yymmddToIso(dateOfExpiry, 'expiry'),
    noExpiry,
    nationality,
    surname,
    givenNames,
    checks,
    valid: checks.every((c) => c.ok),
    cccd,
  };
}

function parseTd3(lines: string[], today?: Date): Mrz {
  const [l1, l2] = lines as [string, string];
  const documentCode = strip(l1.slice(0, 2)) || l1.slice(0, 2);
  const issuingState = l1.slice(2, 5).replace(/</g, '');
  const { surname, givenNames } = splitName(l1.slice(5, 44));
  const documentNumber = strip(l2.slice(0, 9));
  const dateOfBirth = l2.slice(13, 19);
  const dateOfExpiry = l2.slice(21, 27);
  const personal = l2.slice(28, 42);
  const personalCd = l2[42]!;
  const checks: MrzCheck[] = [
    makeCheck('documentNumber', l2.slice(0, 9), l2[9]!),
    makeCheck('dateOfBirth', dateOfBirth, l2[19]!),
    makeCheck('dateOfExpiry', dateOfExpiry, l2[27]!),
  ];
  // The personal-number check digit may be '<' when the field is all fillers.
  if (!(personalCd === '<' && /^<+$/.test(personal)))
    checks.push(makeCheck('optionalData', personal, personalCd));
  checks.push(makeCheck('composite', l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 43), l2[43]!));
  const sexChar = l2[20]!;
  return {
    format: 'TD3',
    lines,
    documentCode,
    issuingState,
    documentNumber,
    documentNumberCheckDigit: l2[9]!,
    optionalData1: personal,
    optionalData2: '',
    dateOfBirth,
    dateOfBirthCheckDigit: l2[19]!,
    dateOfBirthIso: yymmddToIso(dateOfBirth, 'birth', today),
    sex: sexChar === 'M' || sexChar === 'F' ? sexChar : undefined,
    dateOfExpiry,
    dateOfExpiryCheckDigit: l2[27]!,
    dateOfExpiryIso: yymmddToIso(dateOfExpiry, 'expiry'),
    noExpiry: false,
    nationality: l2.slice(10, 13).replace(/</g, ''),
    surname,
    givenNames,
    checks,
    valid: checks.every((c) => c.ok),
  };
}

/**
 * BAC MRZ_information (ICAO 9303-11 §9.7.1): document number (padded to 9 with '<') + its check digit
 * + date of birth + check digit + date of expiry + check digit.
 */
export function bacMrzInformation(documentNumber: string, dateOfBirth: string, dateOfExpiry: string): string {
  const doc = documentNumber.length < 9 ? documentNumber.padEnd(9, '<') : documentNumber;
  return `${doc}${checkDigit(doc)}${dateOfBirth}${checkDigit(dateOfBirth)}${dateOfExpiry}${checkDigit(dateOfExpiry)}`;
}

/** MRZ_information of a parsed MRZ. */
export function mrzInformation(mrz: Mrz): string {
  return bacMrzInformation(mrz.documentNumber, mrz.dateOfBirth, mrz.dateOfExpiry);
}

/** MRZ_information of a CCCD from the 12-digit ID and the two YYMMDD dates (document number = ID12.slice(3)). */
export function cccdMrzInformation(idNumber: string, dateOfBirth: string, dateOfExpiry: string): string {
  if (!/^\d{12}$/.test(idNumber)) throw new RangeError('the personal ID number must have 12 digits');
  return bacMrzInformation(idNumber.slice(3), dateOfBirth, dateOfExpiry);
}

export interface CccdMrzInput {
  idNumber: string;
  /** ISO yyyy-mm-dd. */
  dateOfBirth: string;
  sex: 'M' | 'F';
  /** ISO yyyy-mm-dd, or null for a card without expiry (printed as 991231). */
  dateOfExpiry: string | null;
  /** Upper case A-Z without diacritics; spaces become '<'. */
  surname: string;
  givenNames: string;
}

function mrzName(text: string): string {
  const up = text.toUpperCase().trim().replace(/\s+/g, '<');
  if (/[^A-Z<]/.test(up)) throw new RangeError('MRZ names must be A-Z without diacritics');
  return up;
}

/** The three TD1 lines of a CCCD with correct check digits. */
export function formatCccdMrz(input: CccdMrzInput): [string, string, string] {
  if (!/^\d{12}$/.test(input.idNumber)) throw new RangeError('the personal ID number must have 12 digits');
  const doc = input.idNumber.slice(3);
  const optional = `${input.idNumber}<<${checkDigit(input.idNumber)}`;
  const l1 = `IDVNM${doc}${checkDigit(doc)}${optional}`;
  const dob = toYymmdd(input.dateOfBirth);
  const doe = input.dateOfExpiry === null ? '991231' : toYymmdd(input.dateOfExpiry);
  const l2head = `${dob}${checkDigit(dob)}${input.sex}${doe}${checkDigit(doe)}VNM${'<'.repeat(11)}`;
  const composite = checkDigit(
    l1.slice(5, 30) + l2head.slice(0, 7) + l2head.slice(8, 15) + l2head.slice(18, 29),
  );
  const l2 = `${l2head}${composite}`;
  const name = `${mrzName(input.surname)}<<${mrzName(input.givenNames)}`;
  const l3 = name.length >= 30 ? name.slice(0, 30) : name.padEnd(30, '<');
  return [l1, l2, l3];
}
