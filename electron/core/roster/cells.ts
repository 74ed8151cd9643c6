/**
 * Parsing one cell of a roster row into a field value, with the reasons it was refused or corrected.
 * - Dates: text in dd/mm/yyyy, d/m/yyyy (also - or .), yyyy-mm-dd or ddmmyyyy; Excel date cells are
 *   taken as the calendar day of their serial number, rounded to the nearest day (a time of day in a
 *   date of birth is meaningless, and files written by tools that stored local midnight in UTC+7 as
 *   17:00 the day before read correctly); Excel 1900 and 1904 date systems both handled. A number
 *   cell without a date format: 5 digits = an Excel serial whose format was lost, 7-8 digits =
 *   ddmmyyyy whose leading zero was lost; anything else is refused. A slash date whose month is
 *   above 12 is refused (month/day/year), and the order clues go to the row validator.
 * - ID numbers stored as numbers lose their leading zeros (every province code starts with 0).
 *   A 10- or 11-digit value is padded with zeros to 12 digits ONLY when the padded number has a known
 *   province code (then the century/year checks against the date of birth still apply), with a
 *   warning; otherwise the row is refused with an explanation. The same for a 9-digit CMND that became
 *   8 digits. Scientific notation (1.0E+11) has lost digits for good and is refused.
 */
import type { Reason, Sex } from '../../../native/domain/vocabulary';
import { isoFromDays, makeIsoDate, parseDateDetailed } from '../../../native/util/dates';
import { isKnownProvinceCode } from '../../../native/cccd/id-number';
import { normalizeName, stripDiacritics } from '../../../native/cccd/names';
import { reason, type Cell } from './model';

/** An empty cell: nothing, or only white space. */
export function isBlank(cell: Cell | undefined): boolean {
  return cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '');
}

/** Text of a cell: NFC, trimmed, inner whitespace collapsed (normalizeName). */
export function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return normalizeName(cell);
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell.toFixed(0) : String(cell);
  return cell.toISOString().slice(0, 10);
}

export type FieldResult<T> = { value?: T; errors: readonly Reason[]; warnings: readonly Reason[] };

const NONE: readonly Reason[] = Object.freeze([]);

const MS_PER_DAY = 86_400_000;
const EXCEL_EPOCH_SERIAL = 25569; // serial of 1970-01-01 in the 1900 date system

/** Excel date cell (exceljs gives the serial as a UTC instant) → ISO calendar day. */
function excelDateToIso(date: Date, date1904: boolean): string | null {
  let days = Math.round(date.getTime() / MS_PER_DAY);
  if (!date1904) {
    // Excel's 1900 system counts a 29 February 1900 that never was: serials below 60 are one day
    // behind what exceljs computes, and serial 60 is that non-day.
    const serial = days + EXCEL_EPOCH_SERIAL;
    if (serial === 60) return null;
    if (serial < 60) days += 1;
  }
  return isoFromDays(days);
}

function excelSerialToIso(serial: number, date1904: boolean): string | null {
  const days = Math.round(serial) - EXCEL_EPOCH_SERIAL + (date1904 ? 1462 : 0);
  return excelDateToIso(new Date(days * MS_PER_DAY), date1904);
}

/** Ordering clues from slash-dates: day ≤ 12 and month > 12 only fits m/d/y (US Excel). */
export interface DateOrderStats {
  usOnly: number;
  dmyOnly: number;
  ambiguousRows: { rowNumber: number; column: string }[];
}

const DMY_RE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;
const TIME_SUFFIX_RE = /[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

const DATE_MONTH_FIRST = reason(
  'roster_date_invalid',
  'Ngày sinh không hợp lệ: tháng lớn hơn 12 (có thể đang ở dạng tháng/ngày/năm). Hãy dùng ngày/tháng/năm.',
  'Invalid date of birth: month above 12 (it may be month/day/year). Use day/month/year.',
);

const DATE_INVALID = reason(
  'roster_date_invalid',
  'Ngày sinh không hợp lệ (dùng dạng ngày/tháng/năm, ví dụ 05/09/2001).',
  'Invalid date of birth (use day/month/year, e.g. 05/09/2001).',
);

const DOB_FUTURE = reason(
  'roster_dob_future',
  'Ngày sinh sau ngày hôm nay.',
  'The date of birth is in the future.',
);

/**
 * A date of birth cell: an Excel date, a number (ddmmyyyy that lost its leading zero, or an Excel
 * serial whose format was lost) or text; slash dates add their day/month order clues to `order`.
 */
export function parseDob(
  cell: Cell | undefined,
  date1904: boolean,
  today: string,
  order: DateOrderStats,
  rowNumber: number,
  column: string,
): FieldResult<string> {
  let iso: string | null = null;
  if (cell instanceof Date) {
    iso = excelDateToIso(cell, date1904);
  } else if (typeof cell === 'number') {
    if (Number.isInteger(cell) && cell >= 1_000_000 && cell <= 99_999_999) {
      const parsed = parseDateDetailed(cell.toFixed(0).padStart(8, '0'));
      iso = parsed.ok ? parsed.iso : null;
    } else if (cell >= 10_000 && cell < 100_000) {
      iso = excelSerialToIso(cell, date1904);
    }
  } else if (typeof cell === 'string') {
    const trimmed = cell.trim();
    const text = trimmed.length > 10 ? trimmed.replace(TIME_SUFFIX_RE, '') : trimmed;
    const m = DMY_RE.exec(text);
    if (m) {
      // The common case, parsed here so the day/month order clues come from the same match.
      const a = Number(m[1]);
      const b = Number(m[3]);
      if (a <= 12 && b > 12 && b <= 31) {
        order.usOnly++;
        return { errors: [DATE_MONTH_FIRST], warnings: NONE };
      }
      iso = makeIsoDate(Number(m[4]), b, a);
      if (a > 12 && b <= 12) order.dmyOnly++;
      else if (a !== b && iso !== null) order.ambiguousRows.push({ rowNumber, column });
    } else {
      const parsed = parseDateDetailed(text);
      if (parsed.ok) iso = parsed.iso;
    }
  }
  if (iso === null) return { errors: [DATE_INVALID], warnings: NONE };
  if (iso > today) {
    return { errors: [DOB_FUTURE], warnings: NONE };
  }
  return { value: iso, errors: NONE, warnings: NONE };
}

const SCIENTIFIC_RE = /^\d+([.,]\d+)?e\+?\d+$/i;

/**
 * Digits of a number-like cell: text with spaces removed and an Excel text-marker apostrophe dropped,
 * or an integer number. `null` = not digits.
 */
function digitsOf(cell: Cell | undefined): { digits: string | null; numeric: boolean; scientific: boolean } {
  if (typeof cell === 'number') {
    if (Number.isSafeInteger(cell) && cell >= 0)
      return { digits: cell.toFixed(0), numeric: true, scientific: false };
    return { digits: null, numeric: true, scientific: false };
  }
  const text = cellText(cell).replace(/\s+/g, '').replace(/^'/, '');
  if (SCIENTIFIC_RE.test(text)) return { digits: null, numeric: false, scientific: true };
  return { digits: /^\d+$/.test(text) ? text : null, numeric: false, scientific: false };
}

const LOST_DIGITS = reason(
  'roster_id_lost_digits',
  'Số CCCD bị Excel đổi sang dạng số khoa học (ví dụ 1,0E+11) nên đã mất chữ số. Định dạng cột là Văn bản (Text) rồi nhập lại.',
  'Excel turned the ID number into scientific notation (e.g. 1.0E+11) and digits were lost. Format the column as Text and enter the numbers again.',
);

/** A 12-digit ID number cell; 10-11 digits are padded only to a known province code (a warning). */
export function parseIdCell(cell: Cell | undefined): FieldResult<string> {
  const { digits, scientific } = digitsOf(cell);
  if (scientific) return { errors: [LOST_DIGITS], warnings: NONE };
  if (digits !== null && digits.length === 12) return { value: digits, errors: NONE, warnings: NONE };
  if (digits !== null && (digits.length === 10 || digits.length === 11)) {
    const padded = digits.padStart(12, '0');
    if (isKnownProvinceCode(padded.slice(0, 3))) {
      return {
        value: padded,
        errors: NONE,
        warnings: [
          reason(
            'roster_id_padded',
            'Số CCCD thiếu số 0 ở đầu (ô được lưu dạng số); đã tự thêm số 0. Nên định dạng cột là Văn bản (Text).',
            'The ID number lacked its leading zeros (the cell was stored as a number); they were added back. Format the column as Text.',
            'warning',
          ),
        ],
      };
    }
    return {
      errors: [
        reason(
          'roster_id_leading_zeros',
          'Số CCCD không đủ 12 chữ số, có thể do mất số 0 ở đầu khi lưu dạng số. Định dạng cột là Văn bản (Text) rồi nhập lại đủ 12 số.',
          'The ID number has fewer than 12 digits, probably leading zeros lost by a number cell. Format the column as Text and enter all 12 digits.',
        ),
      ],
      warnings: NONE,
    };
  }
  return {
    errors: [
      reason(
        'roster_id_format',
        'Số CCCD phải gồm đúng 12 chữ số.',
        'The ID number must be exactly 12 digits.',
      ),
    ],
    warnings: [],
  };
}

/** A 9-digit CMND cell; 8 digits are padded (a warning). */
export function parseOldIdCell(cell: Cell | undefined): FieldResult<string> {
  const { digits, scientific } = digitsOf(cell);
  if (!scientific && digits !== null && digits.length === 9)
    return { value: digits, errors: NONE, warnings: NONE };
  if (!scientific && digits !== null && digits.length === 8) {
    return {
      value: digits.padStart(9, '0'),
      errors: [],
      warnings: [
        reason(
          'roster_cmnd_padded',
          'Số CMND thiếu số 0 ở đầu (ô được lưu dạng số); đã tự thêm số 0.',
          'The CMND number lacked its leading zero (the cell was stored as a number); it was added back.',
          'warning',
        ),
      ],
    };
  }
  return {
    errors: [
      reason(
        'roster_cmnd_format',
        'Số CMND phải gồm đúng 9 chữ số.',
        'The CMND number must be exactly 9 digits.',
      ),
    ],
    warnings: [],
  };
}

const SEX_WORDS: ReadonlyMap<string, Sex> = new Map([
  ['Nam', 'M'],
  ['NAM', 'M'],
  ['nam', 'M'],
  ['Nữ', 'F'],
  ['NỮ', 'F'],
  ['nữ', 'F'],
]);

/** Nam / Nữ (any case, with or without diacritics), M / F, male / female; null otherwise. */
export function parseSexCell(text: string): Sex | null {
  const quick = SEX_WORDS.get(text);
  if (quick !== undefined) return quick;
  const s = stripDiacritics(text).toLowerCase();
  if (s === 'nam' || s === 'm' || s === 'male') return 'M';
  if (s === 'nu' || s === 'f' || s === 'female') return 'F';
  return null;
}
