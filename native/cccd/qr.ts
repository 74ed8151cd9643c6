/**
 * The QR code on the front of the CCCD (see docs/cccd-card.md): UTF-8, fields separated by `|`,
 * empty fields kept.
 *   7 fields:  ID12 | old CMND (may be empty) | full name | DOB ddmmyyyy | Nam/Nữ | residence | issue ddmmyyyy
 *   11 fields (cards from 2024): the same 7, then 4 more that are empty on the cards seen (ignored).
 *
 * The QR carries no expiry and no signature: the reading's authenticity is 'not_checked' and the
 * expiry is computed by the renewal-age rule (expiry.ts). Surrounding whitespace and a trailing
 * CR/LF/Tab (keyboard-wedge scanners end with Enter or Tab) are tolerated.
 *
 * Every malformed class gets its own stable code; messages are short Vietnamese for the examiner plus
 * English for the log, and carry no personal data. Pure: no Node APIs.
 */

import { parseQrDate, todayInVietnam } from '../util/dates';
import { cardExpiry } from './expiry';
import { parseIdNumber, PROVINCE_CODES, idReason } from './id-number';
import { looksGarbledName, normalizeName, stripDiacritics } from './names';
import { notCheckedAuthenticity, type Reason, type Sex } from '../domain/vocabulary';
import type { CardReading } from './types';

export type QrErrorCode =
  | 'empty'
  | 'field_count'
  | 'id_not_digits'
  | 'old_id_invalid'
  | 'name_empty'
  | 'name_garbled'
  | 'impossible_date'
  | 'future_birth_date'
  | 'sex_invalid'
  | 'id_birth_mismatch'
  | 'issue_before_birth'
  | 'future_issue_date';

export type QrParseResult =
  | { ok: true; form: 7 | 11; reading: CardReading; warnings: Reason[] }
  | { ok: false; code: QrErrorCode; reason: Reason };

const MESSAGES: Record<QrErrorCode, { vi: string; en: string }> = {
  empty: {
    vi: 'Không đọc được dữ liệu từ mã QR. Hãy quét lại.',
    en: 'The QR code gave no data. Scan again.',
  },
  field_count: {
    vi: 'Mã QR không đúng định dạng CCCD (sai số trường). Hãy quét lại hoặc đọc chip.',
    en: 'The QR code is not in the CCCD format (wrong number of fields). Scan again or read the chip.',
  },
  id_not_digits: {
    vi: 'Số CCCD trong mã QR không phải 12 chữ số.',
    en: 'The ID number in the QR code is not 12 digits.',
  },
  old_id_invalid: {
    vi: 'Số CMND cũ trong mã QR không hợp lệ.',
    en: 'The old ID (CMND) number in the QR code is invalid.',
  },
  name_empty: {
    vi: 'Mã QR không có họ tên.',
    en: 'The QR code has no name.',
  },
  name_garbled: {
    vi: 'Họ tên trong mã QR bị lỗi ký tự. Kiểm tra cài đặt bàn phím của máy quét rồi quét lại.',
    en: "The name in the QR code has broken characters. Check the scanner's keyboard layout and scan again.",
  },
  impossible_date: {
    vi: 'Ngày sinh hoặc ngày cấp trong mã QR không hợp lệ.',
    en: 'The date of birth or issue date in the QR code is not a valid date.',
  },
  future_birth_date: {
    vi: 'Ngày sinh trong mã QR sau ngày hôm nay.',
    en: 'The date of birth in the QR code is in the future.',
  },
  sex_invalid: {
    vi: 'Giới tính trong mã QR không phải Nam hoặc Nữ.',
    en: 'The sex in the QR code is neither Nam nor Nữ.',
  },
  id_birth_mismatch: {
    vi: 'Số CCCD không khớp với ngày sinh hoặc giới tính trong mã QR.',
    en: 'The ID number does not match the date of birth or sex in the QR code.',
  },
  issue_before_birth: {
    vi: 'Ngày cấp trong mã QR trước ngày sinh.',
    en: 'The issue date in the QR code is before the date of birth.',
  },
  future_issue_date: {
    vi: 'Ngày cấp trong mã QR sau ngày hôm nay.',
    en: 'The issue date in the QR code is in the future.',
  },
};

export function qrReason(code: QrErrorCode): Reason {
  const m = MESSAGES[code];
  return { code: `qr_${code}`, vi: m.vi, en: m.en, severity: 'error' };
}

function fail(code: QrErrorCode): QrParseResult {
  return { ok: false, code, reason: qrReason(code) };
}

/** Nam → M, Nữ → F; also without diacritics or in any case ("NAM", "Nu"), which wedge scanners produce. */
export function parseSexWord(text: string): Sex | null {
  const s = stripDiacritics(normalizeName(text)).toLowerCase();
  if (s === 'nam') return 'M';
  if (s === 'nu') return 'F';
  return null;
}

/**
 * Parses the CCCD QR text. `now` (default: the current time) fixes "today" in Vietnam for the
 * future-date checks.
 */
export function parseCccdQr(text: string, now?: Date): QrParseResult {
  const trimmed = text.trim();
  if (trimmed === '') return fail('empty');
  const fields = trimmed.split('|').map((f) => f.trim());
  if (fields.length !== 7 && fields.length !== 11) return fail('field_count');
  const form: 7 | 11 = fields.length === 7 ? 7 : 11;
  const [id, oldId, rawName, dobText, sexText, residence, issueText] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];

  const parts = parseIdNumber(id);
  if (!parts) return fail('id_not_digits');
  // The old CMND has 9 digits; people who held the 12-digit CMND (2012-2016) carry that one.
  if (oldId !== '' && !/^(\d{9}|\d{12})$/.test(oldId)) return fail('old_id_invalid');

  const fullName = normalizeName(rawName);
  if (fullName === '') return fail('name_empty');
  if (looksGarbledName(rawName)) return fail('name_garbled');

  const today = todayInVietnam(now);
  const dateOfBirth = parseQrDate(dobText);
  if (dateOfBirth === null) return fail('impossible_date');
  if (dateOfBirth > today) return fail('future_birth_date');

  const sex = parseSexWord(sexText);
  if (sex === null) return fail('sex_invalid');

  const year = Number(dateOfBirth.slice(0, 4));
  if (
    Math.floor(year / 100) * 100 !== parts.centuryStart ||
    year % 100 !== Number(parts.yearDigits) ||
    sex !== parts.sex
  ) {
    return fail('id_birth_mismatch');
  }

  const dateOfIssue = parseQrDate(issueText);
  if (dateOfIssue === null) return fail('impossible_date');
  if (dateOfIssue < dateOfBirth) return fail('issue_before_birth');
  if (dateOfIssue > today) return fail('future_issue_date');

  const reading: CardReading = {
    source: 'qr',
    idNumber: id,
    fullName,
    dateOfBirth,
    sex,
    dateOfIssue,
    dateOfExpiry: cardExpiry(dateOfBirth, dateOfIssue),
    authenticity: notCheckedAuthenticity(),
  };
  if (oldId !== '') reading.oldIdNumber = oldId;
  const place = normalizeName(residence);
  if (place !== '') reading.residence = place;

  const warnings: Reason[] = [];
  if (PROVINCE_CODES[parts.provinceCode] === undefined) warnings.push(idReason('id_province_unknown'));
  return { ok: true, form, reading, warnings };
}
