/**
 * The 12-digit personal ID number (số định danh cá nhân) printed on the CCCD: `PPP G YY NNNNNN`.
 *
 * Source: Circular 07/2016/TT-BCA (Thông tư 07/2016/TT-BCA, Article 7 and Annex 1), detailing
 * Decree 137/2015/ND-CP:
 * - PPP: the code of the province or centrally run city where the birth was registered (Annex 1,
 *   63 codes below). Codes are unchanged for numbers already issued; a code outside this table is
 *   reported as a warning, not an error (new administrative units may add codes).
 * - G: century and sex of birth:
 *     20th century (1900-1999): male 0, female 1
 *     21st century (2000-2099): male 2, female 3
 *     22nd century (2100-2199): male 4, female 5
 *     23rd century (2200-2299): male 6, female 7
 *     24th century (2300-2399): male 8, female 9
 *   i.e. centuryStart = 1900 + 100 * floor(G / 2), sex = G even ? male : female.
 * - YY: the last two digits of the birth year.
 * - NNNNNN: a random serial.
 *
 * Messages carry no personal data (no ID digits, no dates): they may be printed by the CLI.
 * Pure: no Node APIs.
 */

import type { Reason, Sex } from '../domain/vocabulary';

/** Annex 1 of Circular 07/2016/TT-BCA: the 63 province codes. */
export const PROVINCE_CODES: Readonly<Record<string, string>> = Object.freeze({
  '001': 'Hà Nội',
  '002': 'Hà Giang',
  '004': 'Cao Bằng',
  '006': 'Bắc Kạn',
  '008': 'Tuyên Quang',
  '010': 'Lào Cai',
  '011': 'Điện Biên',
  '012': 'Lai Châu',
  '014': 'Sơn La',
  '015': 'Yên Bái',
  '017': 'Hòa Bình',
  '019': 'Thái Nguyên',
  '020': 'Lạng Sơn',
  '022': 'Quảng Ninh',
  '024': 'Bắc Giang',
  '025': 'Phú Thọ',
  '026': 'Vĩnh Phúc',
  '027': 'Bắc Ninh',
  '030': 'Hải Dương',
  '031': 'Hải Phòng',
  '033': 'Hưng Yên',
  '034': 'Thái Bình',
  '035': 'Hà Nam',
  '036': 'Nam Định',
  '037': 'Ninh Bình',
  '038': 'Thanh Hóa',
  '040': 'Nghệ An',
  '042': 'Hà Tĩnh',
  '044': 'Quảng Bình',
  '045': 'Quảng Trị',
  '046': 'Thừa Thiên Huế',
  '048': 'Đà Nẵng',
  '049': 'Quảng Nam',
  '051': 'Quảng Ngãi',
  '052': 'Bình Định',
  '054': 'Phú Yên',
  '056': 'Khánh Hòa',
  '058': 'Ninh Thuận',
  '060': 'Bình Thuận',
  '062': 'Kon Tum',
  '064': 'Gia Lai',
  '066': 'Đắk Lắk',
  '067': 'Đắk Nông',
  '068': 'Lâm Đồng',
  '070': 'Bình Phước',
  '072': 'Tây Ninh',
  '074': 'Bình Dương',
  '075': 'Đồng Nai',
  '077': 'Bà Rịa - Vũng Tàu',
  '079': 'Hồ Chí Minh',
  '080': 'Long An',
  '082': 'Tiền Giang',
  '083': 'Bến Tre',
  '084': 'Trà Vinh',
  '086': 'Vĩnh Long',
  '087': 'Đồng Tháp',
  '089': 'An Giang',
  '091': 'Kiên Giang',
  '092': 'Cần Thơ',
  '093': 'Hậu Giang',
  '094': 'Sóc Trăng',
  '095': 'Bạc Liêu',
  '096': 'Cà Mau',
});

export function isKnownProvinceCode(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(PROVINCE_CODES, code);
}

export interface CenturySex {
  /** First year of the century: 1900, 2000, ... 2300. */
  centuryStart: number;
  sex: Sex;
}

/** Meaning of the 4th digit (0-9). */
export function decodeCenturySexDigit(digit: number): CenturySex {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new RangeError('digit must be 0-9');
  return { centuryStart: 1900 + 100 * Math.floor(digit / 2), sex: digit % 2 === 0 ? 'M' : 'F' };
}

/** The 4th digit for a birth year and sex, or null when the year is outside 1900-2399. */
export function centurySexDigitFor(birthYear: number, sex: Sex): number | null {
  const c = Math.floor(birthYear / 100) - 19;
  if (!Number.isInteger(birthYear) || c < 0 || c > 4) return null;
  return c * 2 + (sex === 'F' ? 1 : 0);
}

export interface IdNumberParts {
  provinceCode: string;
  /** Province name from Annex 1, undefined when the code is not in the table. */
  provinceName?: string;
  centurySexDigit: number;
  centuryStart: number;
  sex: Sex;
  /** Last two digits of the birth year, as printed. */
  yearDigits: string;
  /** The full birth year the number encodes (centuryStart + YY). */
  birthYear: number;
  serial: string;
}

const ID_RE = /^\d{12}$/;
const OLD_ID_RE = /^\d{9}$/;

/** Exactly 12 ASCII digits. */
export function isIdNumberFormat(text: string): boolean {
  return ID_RE.test(text);
}

/** Old identity card (CMND) number: exactly 9 ASCII digits. */
export function isOldIdNumberFormat(text: string): boolean {
  return OLD_ID_RE.test(text);
}

export function parseIdNumber(id: string): IdNumberParts | null {
  if (!ID_RE.test(id)) return null;
  const provinceCode = id.slice(0, 3);
  const g = id.charCodeAt(3) - 48;
  const centuryStart = 1900 + 100 * (g >> 1);
  const sex: Sex = (g & 1) === 0 ? 'M' : 'F';
  const yearDigits = id.slice(4, 6);
  const parts: IdNumberParts = {
    provinceCode,
    centurySexDigit: g,
    centuryStart,
    sex,
    yearDigits,
    birthYear: centuryStart + Number(yearDigits),
    serial: id.slice(6),
  };
  const name = PROVINCE_CODES[provinceCode];
  if (name !== undefined) parts.provinceName = name;
  return parts;
}

/** Stable reason codes produced by checkIdNumber. */
export type IdReasonCode =
  'id_format' | 'id_century_mismatch' | 'id_year_mismatch' | 'id_sex_mismatch' | 'id_province_unknown';

const MESSAGES: Record<IdReasonCode, { vi: string; en: string; severity: Reason['severity'] }> = {
  id_format: {
    vi: 'Số CCCD phải gồm đúng 12 chữ số.',
    en: 'The ID number must be exactly 12 digits.',
    severity: 'error',
  },
  id_century_mismatch: {
    vi: 'Chữ số thứ 4 của số CCCD (mã thế kỷ) không khớp với năm sinh.',
    en: "The ID number's 4th digit (century code) does not match the year of birth.",
    severity: 'error',
  },
  id_year_mismatch: {
    vi: 'Chữ số thứ 5-6 của số CCCD không khớp với năm sinh.',
    en: "The ID number's 5th-6th digits do not match the year of birth.",
    severity: 'error',
  },
  id_sex_mismatch: {
    vi: 'Chữ số thứ 4 của số CCCD (mã giới tính) không khớp với giới tính.',
    en: "The ID number's 4th digit (sex code) does not match the sex.",
    severity: 'error',
  },
  id_province_unknown: {
    vi: 'Mã tỉnh (3 chữ số đầu) của số CCCD không có trong danh mục; kiểm tra lại số.',
    en: "The ID number's province code (first 3 digits) is not in the code table; check the number.",
    severity: 'warning',
  },
};

export function idReason(code: IdReasonCode): Reason {
  const m = MESSAGES[code];
  return { code, vi: m.vi, en: m.en, severity: m.severity };
}

export interface IdCheckResult {
  /** False when any reason is an error; warnings keep it true. */
  ok: boolean;
  parts?: IdNumberParts;
  reasons: Reason[];
}

/**
 * Validates the format and, when given, the agreement with a date of birth (ISO) and sex:
 * the century digit against the birth century, the year digits against the birth year, and the
 * digit's parity against the sex. Every disagreement is reported, not just the first.
 */
export function checkIdNumber(id: string, against: { dateOfBirth?: string; sex?: Sex } = {}): IdCheckResult {
  const parts = parseIdNumber(id);
  if (!parts) return { ok: false, reasons: [idReason('id_format')] };
  const reasons: Reason[] = [];
  if (against.dateOfBirth !== undefined) {
    const year = Number(against.dateOfBirth.slice(0, 4));
    if (Math.floor(year / 100) * 100 !== parts.centuryStart) reasons.push(idReason('id_century_mismatch'));
    if (year % 100 !== Number(parts.yearDigits)) reasons.push(idReason('id_year_mismatch'));
  }
  if (against.sex !== undefined && against.sex !== parts.sex) reasons.push(idReason('id_sex_mismatch'));
  if (parts.provinceName === undefined) reasons.push(idReason('id_province_unknown'));
  return { ok: !reasons.some((r) => r.severity === 'error'), parts, reasons };
}
