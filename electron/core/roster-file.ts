/**
 * Reads a candidate roster from a CSV or XLSX file and validates every row. Pure reading: the
 * database import (transaction, --replace) is built on top of this by electron/core/roster.ts.
 *
 * File-level problems throw RosterFileError (code + vi + en). Row problems are collected, all of
 * them, and returned sorted by row; a file with any row error gives `{ ok: false, errors }`.
 *
 * Decisions, stated once:
 * - Row numbers are what the user sees: the spreadsheet row in XLSX, the record number in CSV
 *   (= the row Excel shows when it opens the CSV; header = 1). A `sep=;` first line (Excel's hint)
 *   is honoured and not counted. Title rows above the header are allowed (the header is looked for in
 *   the first 10 non-blank rows) and keep their row numbers.
 * - CSV text: UTF-8 with or without BOM, or UTF-16 with a BOM (Excel's "Unicode text"). Anything
 *   else is refused with a message explaining how to save as "CSV UTF-8"; a guessed legacy
 *   decoding would silently corrupt Vietnamese names.
 * - Dates: text in dd/mm/yyyy, d/m/yyyy (also - or .), yyyy-mm-dd or ddmmyyyy; Excel date cells are
 *   taken as the calendar day of their serial number, rounded to the nearest day (a time of day in a
 *   date of birth is meaningless, and files written by tools that stored local midnight in UTC+7 as
 *   17:00 the day before read correctly); Excel 1900 and 1904 date systems both handled. A number
 *   cell without a date format: 5 digits = an Excel serial whose format was lost, 7-8 digits =
 *   ddmmyyyy whose leading zero was lost; anything else is refused.
 * - ID numbers stored as numbers lose their leading zeros (every province code starts with 0).
 *   A 10- or 11-digit value is padded with zeros to 12 digits ONLY when the padded number has a known
 *   province code (then the century/year checks against the date of birth still apply), with a
 *   warning; otherwise the row is refused with an explanation. The same for a 9-digit CMND that became
 *   8 digits. Scientific notation (1.0E+11) has lost digits for good and is refused.
 * - A CSV whose slash dates only make sense as month/day/year (US Excel) is not re-interpreted: such
 *   rows are refused, and so are the rows whose day and month are both ≤ 12 (they are ambiguous).
 * - Photos: path relative to the roster file's folder (Windows `\` accepted), must exist, be at most
 *   10 MB and be JPEG or PNG by their magic bytes.
 *
 * Messages contain row numbers and column names but never the personal data itself (the CLI prints them).
 */

import { isUtf8 } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
// exceljs takes over a second to load: imported for its types here, loaded only when an XLSX is read.
import type ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Reason, Sex } from '../../native/domain/vocabulary';
import { isoFromDays, makeIsoDate, parseDateDetailed, todayInVietnam } from '../../native/util/dates';
import { checkIdNumber, isKnownProvinceCode } from '../../native/cccd/id-number';
import { looksGarbledName, normalizeName, stripDiacritics } from '../../native/cccd/names';

// ---------------------------------------------------------------------------------------------
// Types

export interface RosterPhoto {
  mime: string;
  data: Uint8Array;
  fileName: string;
}

export interface RosterRow {
  rowNumber: number;
  candidateNo: string;
  fullName: string;
  dateOfBirth: string;
  idNumber: string;
  oldIdNumber?: string;
  licenceClass?: string;
  sex?: Sex;
  photo?: RosterPhoto;
  note?: string;
}

export interface RosterRowError {
  rowNumber: number;
  /** The column's header as written in the file. */
  column?: string;
  reason: Reason;
}

export type RosterFormat = 'csv' | 'xlsx';

export type RosterReadResult =
  | { ok: true; format: RosterFormat; sheet?: string; rows: RosterRow[]; warnings: RosterRowError[] }
  | { ok: false; format: RosterFormat; sheet?: string; errors: RosterRowError[]; warnings: RosterRowError[] };

export type RosterFileErrorCode =
  | 'not_found'
  | 'unreadable'
  | 'unsupported_format'
  | 'encoding'
  | 'csv_malformed'
  | 'xlsx_corrupt'
  | 'unknown_sheet'
  | 'missing_columns'
  | 'duplicate_column'
  | 'empty'
  | 'no_rows';

export class RosterFileError extends Error {
  readonly code: RosterFileErrorCode;
  readonly vi: string;
  readonly en: string;
  constructor(code: RosterFileErrorCode, vi: string, en: string) {
    super(en);
    this.name = 'RosterFileError';
    this.code = code;
    this.vi = vi;
    this.en = en;
  }
}

export interface RosterReadOptions {
  /** XLSX sheet name; default: the first visible sheet. Ignored for CSV. */
  sheet?: string;
  /** Fixes "today" (in Vietnam) for the future-date check; default: now. */
  now?: Date;
}

// ---------------------------------------------------------------------------------------------
// Columns

export type RosterField =
  | 'candidateNo'
  | 'fullName'
  | 'dateOfBirth'
  | 'idNumber'
  | 'oldIdNumber'
  | 'licenceClass'
  | 'sex'
  | 'photo'
  | 'note';

export const ROSTER_FIELD_LABELS: Readonly<Record<RosterField, { vi: string; en: string }>> = {
  candidateNo: { vi: 'Số báo danh', en: 'Candidate No' },
  fullName: { vi: 'Họ và tên', en: 'Full name' },
  dateOfBirth: { vi: 'Ngày sinh', en: 'Date of birth' },
  idNumber: { vi: 'Số CCCD', en: 'ID number' },
  oldIdNumber: { vi: 'CMND', en: 'Old ID (CMND)' },
  licenceClass: { vi: 'Hạng GPLX', en: 'Licence class' },
  sex: { vi: 'Giới tính', en: 'Sex' },
  photo: { vi: 'Ảnh', en: 'Photo' },
  note: { vi: 'Ghi chú', en: 'Note' },
};

const REQUIRED_FIELDS: readonly RosterField[] = ['candidateNo', 'fullName', 'dateOfBirth', 'idNumber'];

/** Header text → comparison key: no diacritics, lower case, letters and digits only. */
export function headerKey(text: string): string {
  return stripDiacritics(text.normalize('NFC'))
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const HEADER_ALIASES: ReadonlyMap<string, RosterField> = new Map(
  (
    [
      ['candidateNo', ['Số báo danh', 'SBD', 'Candidate No', 'Candidate number', 'Candidate']],
      ['fullName', ['Họ và tên', 'Họ tên', 'Full name', 'Name']],
      ['dateOfBirth', ['Ngày sinh', 'Ngày tháng năm sinh', 'Date of birth', 'DOB', 'Birth date']],
      [
        'idNumber',
        ['Số CCCD', 'CCCD', 'Số định danh', 'Số định danh cá nhân', 'Số căn cước', 'ID number', 'ID no'],
      ],
      ['oldIdNumber', ['CMND', 'Số CMND', 'Old ID', 'Old ID number']],
      ['licenceClass', ['Hạng', 'Hạng GPLX', 'Hạng bằng', 'Licence class', 'License class', 'Class']],
      ['sex', ['Giới tính', 'Sex', 'Gender']],
      ['photo', ['Ảnh', 'Hình ảnh', 'Ảnh chân dung', 'Photo']],
      ['note', ['Ghi chú', 'Note', 'Notes']],
    ] as [RosterField, string[]][]
  ).flatMap(([field, names]) => names.map((n) => [headerKey(n), field] as [string, RosterField])),
);

/** Licence classes: the 2025 classes and the pre-2025 ones (still on licences and in rosters). */
export const LICENCE_CLASSES: ReadonlySet<string> = new Set([
  ...['A1', 'A', 'B1', 'B', 'C1', 'C', 'D1', 'D2', 'D', 'BE', 'C1E', 'CE', 'D1E', 'D2E', 'DE'],
  ...['A2', 'A3', 'A4', 'B2', 'E', 'FB2', 'FC', 'FD', 'FE'],
]);

// ---------------------------------------------------------------------------------------------
// Cells

/** A cell as read from either format: text for CSV, typed values for XLSX. */
type Cell = string | number | Date | null;

interface RawRow {
  rowNumber: number;
  cells: Cell[];
}

function isBlank(cell: Cell | undefined): boolean {
  return cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '');
}

// ---------------------------------------------------------------------------------------------
// Messages

function fileError(code: RosterFileErrorCode, vi: string, en: string): RosterFileError {
  return new RosterFileError(code, vi, en);
}

function reason(code: string, vi: string, en: string, severity: Reason['severity'] = 'error'): Reason {
  return { code, vi, en, severity };
}

function labelBoth(field: RosterField): string {
  const l = ROSTER_FIELD_LABELS[field];
  return `"${l.vi}" / "${l.en}"`;
}

// ---------------------------------------------------------------------------------------------
// Reading the file

const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const HEADER_SEARCH_ROWS = 10;

function startsWith(buf: Uint8Array, bytes: number[]): boolean {
  return bytes.every((b, i) => buf[i] === b);
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function detectFormat(filePath: string, buf: Uint8Array): RosterFormat {
  const ext = path.extname(filePath).toLowerCase();
  if (startsWith(buf, ZIP_MAGIC)) {
    if (ext === '.ods') {
      throw fileError(
        'unsupported_format',
        'File .ods chưa được hỗ trợ. Hãy lưu lại dạng .xlsx hoặc .csv.',
        'ODS files are not supported. Save the file as .xlsx or .csv.',
      );
    }
    return 'xlsx';
  }
  if (startsWith(buf, OLE_MAGIC)) {
    throw fileError(
      'unsupported_format',
      'File Excel 97-2003 (.xls) chưa được hỗ trợ. Hãy mở bằng Excel và lưu lại dạng .xlsx.',
      'Excel 97-2003 (.xls) files are not supported. Open the file in Excel and save it as .xlsx.',
    );
  }
  if (ext === '.xlsx' || ext === '.xlsm') {
    throw fileError(
      'xlsx_corrupt',
      'File .xlsx bị hỏng hoặc không phải file Excel.',
      'The .xlsx file is damaged or is not an Excel file.',
    );
  }
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv') return 'csv';
  throw fileError(
    'unsupported_format',
    'Chỉ nhận danh sách dạng .csv hoặc .xlsx.',
    'Only .csv and .xlsx roster files are accepted.',
  );
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * The CSV content for csv-parse: UTF-8 bytes as they are (checked, BOM removed), or the decoded text
 * of a UTF-16 file. Handing csv-parse the bytes avoids decoding and re-encoding a large file.
 */
function csvContent(buf: Uint8Array): Buffer | string {
  try {
    if (startsWith(buf, [0xff, 0xfe])) return new TextDecoder('utf-16le', { fatal: true }).decode(buf);
    if (startsWith(buf, [0xfe, 0xff])) return new TextDecoder('utf-16be', { fatal: true }).decode(buf);
  } catch {
    throw encodingError();
  }
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (!isUtf8(bytes)) throw encodingError();
  return startsWith(bytes, UTF8_BOM) ? bytes.subarray(3) : bytes;
}

function encodingError(): RosterFileError {
  return fileError(
    'encoding',
    'File CSV không phải UTF-8 nên tiếng Việt sẽ bị lỗi. Trong Excel, chọn Lưu thành "CSV UTF-8 (Comma delimited)".',
    'The CSV file is not UTF-8, so Vietnamese text would be corrupted. In Excel, save it as "CSV UTF-8 (Comma delimited)".',
  );
}

const DELIMITERS = [',', ';', '\t'] as const;

/** Counts each candidate delimiter outside quotes over the first lines; the most frequent wins. */
export function detectDelimiter(text: string): ',' | ';' | '\t' {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let inQuotes = false;
  let lines = 0;
  const limit = Math.min(text.length, 64 * 1024);
  for (let i = 0; i < limit && lines < 10; i++) {
    const ch = text[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && ch === '\n') lines++;
    else if (!inQuotes && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best: ',' | ';' | '\t' = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

function readCsvRows(buf: Uint8Array): RawRow[] {
  let content = csvContent(buf);
  // The start of the file, as text, to find the delimiter (a cut character at the end is harmless).
  const head =
    typeof content === 'string' ? content.slice(0, 65536) : content.subarray(0, 65536).toString('utf8');
  let delimiter: string | undefined;
  const sep = /^sep=(.)\r?\n/i.exec(head);
  if (sep) {
    delimiter = sep[1];
    content = typeof content === 'string' ? content.slice(sep[0].length) : content.subarray(sep[0].length);
  }
  delimiter ??= detectDelimiter(sep ? head.slice(sep[0].length) : head);
  let records: string[][];
  try {
    records = parseCsv(content, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    }) as string[][];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    const at = typeof line === 'number' ? ` (${line})` : '';
    throw fileError(
      'csv_malformed',
      `File CSV bị lỗi định dạng gần dòng${at}: thường do dấu ngoặc kép không đóng.`,
      `The CSV file is malformed near line${at}: usually an unclosed quote.`,
    );
  }
  return records.map((cells, i) => ({ rowNumber: i + 1, cells }));
}

/** Flattens an exceljs cell value (rich text, formula result, hyperlink, error) to a Cell. */
function excelCell(value: ExcelJS.CellValue | undefined): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText))
      return value.richText.map((r) => r.text).join('');
    if ('formula' in value || 'sharedFormula' in value) {
      const result = (value as { result?: unknown }).result;
      return excelCell(result as ExcelJS.CellValue | undefined);
    }
    if ('hyperlink' in value && 'text' in value) return excelCell(value.text as ExcelJS.CellValue);
    if ('error' in value) return String(value.error);
  }
  return null;
}

async function readXlsxRows(
  buf: Uint8Array,
  sheetName: string | undefined,
): Promise<{ rows: RawRow[]; sheet: string; date1904: boolean }> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength) as unknown as ExcelJS.Buffer);
  } catch {
    throw fileError(
      'xlsx_corrupt',
      'File .xlsx bị hỏng hoặc không phải file Excel.',
      'The .xlsx file is damaged or is not an Excel file.',
    );
  }
  const sheets = wb.worksheets;
  if (sheets.length === 0) {
    throw fileError('empty', 'File Excel không có trang tính nào.', 'The Excel file has no worksheet.');
  }
  let ws: ExcelJS.Worksheet | undefined;
  if (sheetName !== undefined) {
    const want = normalizeName(sheetName).toLowerCase();
    ws =
      sheets.find((s) => s.name === sheetName) ??
      sheets.find((s) => normalizeName(s.name).toLowerCase() === want);
    if (!ws) {
      const names = sheets.map((s) => `"${s.name}"`).join(', ');
      throw fileError(
        'unknown_sheet',
        `Không có trang tính "${sheetName}". Các trang có trong file: ${names}.`,
        `There is no sheet "${sheetName}". Sheets in the file: ${names}.`,
      );
    }
  } else {
    ws = sheets.find((s) => s.state !== 'hidden' && s.state !== 'veryHidden') ?? sheets[0]!;
  }
  const rows: RawRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = row.values as ExcelJS.CellValue[];
    const cells: Cell[] = [];
    // row.values is 1-based (index 0 unused).
    for (let c = 1; c < values.length; c++) cells.push(excelCell(values[c]));
    rows.push({ rowNumber, cells });
  });
  return { rows, sheet: ws.name, date1904: wb.properties?.date1904 === true };
}

// ---------------------------------------------------------------------------------------------
// Header

type ColumnMap = Map<RosterField, { index: number; header: string }>;

function mapHeader(row: RawRow): { map: ColumnMap; duplicate?: RosterField } {
  const map: ColumnMap = new Map();
  let duplicate: RosterField | undefined;
  row.cells.forEach((cell, index) => {
    if (typeof cell !== 'string') return;
    const field = HEADER_ALIASES.get(headerKey(cell));
    if (!field) return;
    if (map.has(field)) duplicate ??= field;
    else map.set(field, { index, header: normalizeName(cell) });
  });
  return duplicate ? { map, duplicate } : { map };
}

function findHeader(rows: RawRow[]): { headerIndex: number; columns: ColumnMap } {
  let best: { headerIndex: number; map: ColumnMap; duplicate?: RosterField } | undefined;
  let seen = 0;
  for (let i = 0; i < rows.length && seen < HEADER_SEARCH_ROWS; i++) {
    const row = rows[i]!;
    if (row.cells.every(isBlank)) continue;
    seen++;
    const mapped = mapHeader(row);
    if (!best || mapped.map.size > best.map.size) best = { headerIndex: i, ...mapped };
    if (REQUIRED_FIELDS.every((f) => mapped.map.has(f))) break;
  }
  if (!best) {
    throw fileError('empty', 'File danh sách trống.', 'The roster file is empty.');
  }
  if (best.duplicate) {
    throw fileError(
      'duplicate_column',
      `Có hai cột cùng là ${labelBoth(best.duplicate)}. Hãy xóa hoặc đổi tên một cột.`,
      `Two columns both mean ${labelBoth(best.duplicate)}. Delete or rename one of them.`,
    );
  }
  const missing = REQUIRED_FIELDS.filter((f) => !best.map.has(f));
  if (missing.length > 0) {
    const vi = missing.map((f) => `"${ROSTER_FIELD_LABELS[f].vi}"`).join(', ');
    const en = missing.map((f) => `"${ROSTER_FIELD_LABELS[f].en}"`).join(', ');
    throw fileError('missing_columns', `Thiếu cột bắt buộc: ${vi}.`, `Required column missing: ${en}.`);
  }
  return { headerIndex: best.headerIndex, columns: best.map };
}

// ---------------------------------------------------------------------------------------------
// Field parsers

/** Text of a cell: NFC, trimmed, inner whitespace collapsed (normalizeName). */
function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return normalizeName(cell);
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell.toFixed(0) : String(cell);
  return cell.toISOString().slice(0, 10);
}

type FieldResult<T> = { value?: T; errors: readonly Reason[]; warnings: readonly Reason[] };

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
interface DateOrderStats {
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

function parseDob(
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

function parseIdCell(cell: Cell | undefined): FieldResult<string> {
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

function parseOldIdCell(cell: Cell | undefined): FieldResult<string> {
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

function parseSexCell(text: string): Sex | null {
  const quick = SEX_WORDS.get(text);
  if (quick !== undefined) return quick;
  const s = stripDiacritics(text).toLowerCase();
  if (s === 'nam' || s === 'm' || s === 'male') return 'M';
  if (s === 'nu' || s === 'f' || s === 'female') return 'F';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Photos

function sniffImage(data: Uint8Array): string | null {
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  return null;
}

async function loadPhoto(rosterDir: string, ref: string): Promise<{ photo?: RosterPhoto; error?: Reason }> {
  const rel = ref.replace(/\\/g, '/');
  const full = path.resolve(rosterDir, rel);
  const tooLarge = reason(
    'roster_photo_too_large',
    'File ảnh lớn hơn 10 MB.',
    'The photo file is larger than 10 MB.',
  );
  let data: Buffer;
  try {
    // A regular file of known size only: a path to a device (/dev/zero), a FIFO or a huge file must not
    // make the import read without end.
    const info = await stat(full);
    if (!info.isFile()) {
      return {
        error: reason(
          'roster_photo_unreadable',
          'Không đọc được file ảnh.',
          'The photo file cannot be read.',
        ),
      };
    }
    if (info.size > MAX_PHOTO_BYTES) return { error: tooLarge };
    data = await readFile(full);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return {
        error: reason(
          'roster_photo_not_found',
          'Không tìm thấy file ảnh (đường dẫn tính từ thư mục chứa file danh sách).',
          'Photo file not found (the path is relative to the roster file folder).',
        ),
      };
    }
    return {
      error: reason('roster_photo_unreadable', 'Không đọc được file ảnh.', 'The photo file cannot be read.'),
    };
  }
  if (data.length > MAX_PHOTO_BYTES) return { error: tooLarge };
  const mime = sniffImage(data);
  if (!mime) {
    return {
      error: reason(
        'roster_photo_format',
        'File ảnh phải là JPEG hoặc PNG.',
        'The photo must be a JPEG or PNG file.',
      ),
    };
  }
  return {
    photo: {
      mime,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      fileName: path.basename(rel),
    },
  };
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// ---------------------------------------------------------------------------------------------
// Row validation

/** A photo to read once all rows are validated; `row` is absent when the row already failed. */
interface PhotoJob {
  rowNumber: number;
  ref: string;
  row?: RosterRow;
}

const NAME_GARBLED = reason(
  'roster_name_garbled',
  'Họ tên bị lỗi ký tự (mất dấu tiếng Việt). Hãy lưu file dạng "CSV UTF-8" hoặc .xlsx.',
  'The name has broken characters (Vietnamese letters lost). Save the file as "CSV UTF-8" or .xlsx.',
);
const SEX_INVALID = reason(
  'roster_sex_invalid',
  'Giới tính phải là Nam hoặc Nữ.',
  'Sex must be Nam (male) or Nữ (female).',
);
const CLASS_UNKNOWN = reason(
  'roster_licence_class_unknown',
  'Hạng GPLX không hợp lệ (ví dụ: A1, A, B, C1, B2).',
  'Unknown licence class (e.g. A1, A, B, C1, B2).',
);

function missing(f: RosterField): Reason {
  return reason(
    'roster_required_missing',
    `Thiếu ${ROSTER_FIELD_LABELS[f].vi}.`,
    `${ROSTER_FIELD_LABELS[f].en} is missing.`,
  );
}

const ALL_FIELDS = Object.keys(ROSTER_FIELD_LABELS) as RosterField[];

/**
 * Validates data rows one at a time and keeps what spans rows (duplicates, date-order clues).
 * Written as a class with no per-row closures: a 100 000-row roster must validate in well under 2 s.
 */
class RowValidator {
  readonly errors: RosterRowError[] = [];
  readonly warnings: RosterRowError[] = [];
  readonly rows: RosterRow[] = [];
  readonly photoJobs: PhotoJob[] = [];
  readonly order: DateOrderStats = { usOnly: 0, dmyOnly: 0, ambiguousRows: [] };
  /** Column header as written in the file (the Vietnamese label for an absent optional column). */
  readonly headers = {} as Record<RosterField, string>;
  dataRows = 0;
  private readonly index = {} as Record<RosterField, number>;
  private readonly seenIds = new Map<string, number>();
  private readonly seenCandidates = new Map<string, number>();
  private readonly date1904: boolean;
  private readonly today: string;
  private rowNumber = 0;
  private bad = false;

  constructor(columns: ColumnMap, date1904: boolean, today: string) {
    for (const f of ALL_FIELDS) {
      const c = columns.get(f);
      this.index[f] = c === undefined ? -1 : c.index;
      this.headers[f] = c === undefined ? ROSTER_FIELD_LABELS[f].vi : c.header;
    }
    this.date1904 = date1904;
    this.today = today;
  }

  private cell(raw: RawRow, f: RosterField): Cell | undefined {
    const i = this.index[f];
    return i < 0 ? undefined : raw.cells[i];
  }

  private err(f: RosterField, r: Reason): void {
    this.errors.push({ rowNumber: this.rowNumber, column: this.headers[f], reason: r });
    this.bad = true;
  }

  private warn(f: RosterField, r: Reason): void {
    this.warnings.push({ rowNumber: this.rowNumber, column: this.headers[f], reason: r });
  }

  validate(raw: RawRow): void {
    if (raw.cells.every(isBlank)) return;
    this.dataRows++;
    const rowNumber = raw.rowNumber;
    this.rowNumber = rowNumber;
    this.bad = false;

    // Candidate number
    const candidateNo = cellText(this.cell(raw, 'candidateNo'));
    if (candidateNo === '') this.err('candidateNo', missing('candidateNo'));

    // Name (the garbled check looks at the text as it came in)
    const nameCell = this.cell(raw, 'fullName');
    const fullName = cellText(nameCell);
    if (fullName === '') this.err('fullName', missing('fullName'));
    else if (looksGarbledName(typeof nameCell === 'string' ? nameCell : fullName)) {
      this.err('fullName', NAME_GARBLED);
    }

    // Date of birth
    let dateOfBirth: string | undefined;
    const dobCell = this.cell(raw, 'dateOfBirth');
    if (isBlank(dobCell)) this.err('dateOfBirth', missing('dateOfBirth'));
    else {
      const r = parseDob(dobCell, this.date1904, this.today, this.order, rowNumber, this.headers.dateOfBirth);
      for (const e of r.errors) this.err('dateOfBirth', e);
      dateOfBirth = r.value;
    }

    // Sex (optional)
    let sex: Sex | undefined;
    const sexText = cellText(this.cell(raw, 'sex'));
    if (sexText !== '') {
      const sx = parseSexCell(sexText);
      if (sx === null) this.err('sex', SEX_INVALID);
      else sex = sx;
    }

    // ID number, then its agreement with the date of birth and sex
    let idNumber: string | undefined;
    const idCell = this.cell(raw, 'idNumber');
    if (isBlank(idCell)) this.err('idNumber', missing('idNumber'));
    else {
      const r = parseIdCell(idCell);
      for (const e of r.errors) this.err('idNumber', e);
      for (const w of r.warnings) this.warn('idNumber', w);
      if (r.value !== undefined) {
        idNumber = r.value;
        const against: { dateOfBirth?: string; sex?: Sex } = {};
        if (dateOfBirth !== undefined) against.dateOfBirth = dateOfBirth;
        if (sex !== undefined) against.sex = sex;
        for (const rs of checkIdNumber(idNumber, against).reasons) {
          if (rs.severity === 'error') this.err('idNumber', rs);
          else this.warn('idNumber', rs);
        }
      }
    }

    // Old ID (optional)
    let oldIdNumber: string | undefined;
    const oldCell = this.cell(raw, 'oldIdNumber');
    if (!isBlank(oldCell)) {
      const r = parseOldIdCell(oldCell);
      for (const e of r.errors) this.err('oldIdNumber', e);
      for (const w of r.warnings) this.warn('oldIdNumber', w);
      oldIdNumber = r.value;
    }

    // Licence class (optional)
    let licenceClass: string | undefined;
    let classText = cellText(this.cell(raw, 'licenceClass'));
    if (!LICENCE_CLASSES.has(classText)) classText = classText.replace(/\s+/g, '').toUpperCase();
    if (classText !== '') {
      if (LICENCE_CLASSES.has(classText)) licenceClass = classText;
      else this.err('licenceClass', CLASS_UNKNOWN);
    }

    // Duplicates within the file: the later row names the earlier one.
    if (idNumber !== undefined) {
      const first = this.seenIds.get(idNumber);
      if (first !== undefined) {
        this.err(
          'idNumber',
          reason(
            'roster_duplicate_id',
            `Số CCCD trùng ở dòng ${first} và dòng ${rowNumber}.`,
            `The same ID number is in rows ${first} and ${rowNumber}.`,
          ),
        );
      } else this.seenIds.set(idNumber, rowNumber);
    }
    if (candidateNo !== '') {
      const key = candidateNo.toUpperCase();
      const first = this.seenCandidates.get(key);
      if (first !== undefined) {
        this.err(
          'candidateNo',
          reason(
            'roster_duplicate_candidate_no',
            `Số báo danh trùng ở dòng ${first} và dòng ${rowNumber}.`,
            `The same candidate number is in rows ${first} and ${rowNumber}.`,
          ),
        );
      } else this.seenCandidates.set(key, rowNumber);
    }

    const noteText = cellText(this.cell(raw, 'note'));
    const photoRef = cellText(this.cell(raw, 'photo'));

    if (!this.bad && dateOfBirth !== undefined && idNumber !== undefined) {
      const row: RosterRow = { rowNumber, candidateNo, fullName, dateOfBirth, idNumber };
      if (oldIdNumber !== undefined) row.oldIdNumber = oldIdNumber;
      if (licenceClass !== undefined) row.licenceClass = licenceClass;
      if (sex !== undefined) row.sex = sex;
      if (noteText !== '') row.note = noteText;
      this.rows.push(row);
      if (photoRef !== '') this.photoJobs.push({ rowNumber, ref: photoRef, row });
    } else if (photoRef !== '') {
      // Still check the photo so the user sees every problem of the row at once.
      this.photoJobs.push({ rowNumber, ref: photoRef });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function readBytes(filePath: string): Promise<Uint8Array> {
  try {
    return await readFile(filePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw fileError('not_found', 'Không tìm thấy file danh sách.', 'The roster file was not found.');
    }
    throw fileError(
      'unreadable',
      'Không đọc được file danh sách (không có quyền hoặc không phải file).',
      'The roster file cannot be read (no permission, or not a file).',
    );
  }
}

/**
 * Reads and validates a roster file. Throws RosterFileError for file-level problems; returns every
 * row error otherwise.
 */
export async function readRosterFile(
  filePath: string,
  options: RosterReadOptions = {},
): Promise<RosterReadResult> {
  const buf = await readBytes(filePath);
  if (buf.length === 0) throw fileError('empty', 'File danh sách trống.', 'The roster file is empty.');
  const format = detectFormat(filePath, buf);
  let rawRows: RawRow[];
  let sheet: string | undefined;
  let date1904 = false;
  if (format === 'csv') {
    rawRows = readCsvRows(buf);
  } else {
    const x = await readXlsxRows(buf, options.sheet);
    rawRows = x.rows;
    sheet = x.sheet;
    date1904 = x.date1904;
  }
  if (rawRows.every((r) => r.cells.every(isBlank))) {
    throw fileError('empty', 'File danh sách trống.', 'The roster file is empty.');
  }
  const { headerIndex, columns } = findHeader(rawRows);
  const today = todayInVietnam(options.now);
  const rosterDir = path.dirname(path.resolve(filePath));

  const v = new RowValidator(columns, date1904, today);
  for (let i = headerIndex + 1; i < rawRows.length; i++) v.validate(rawRows[i]!);
  const { errors, warnings, rows, order, photoJobs, dataRows } = v;

  if (dataRows === 0) {
    throw fileError(
      'no_rows',
      'File danh sách chỉ có dòng tiêu đề, không có thí sinh nào.',
      'The roster file has a header row but no candidates.',
    );
  }

  // Slash dates that only fit month/day/year and none that only fit day/month/year: the whole
  // column is probably US-ordered, so the rows where both readings are possible cannot be trusted.
  if (order.usOnly > 0 && order.dmyOnly === 0) {
    const ambiguous = reason(
      'roster_date_order',
      'Ngày sinh có thể đang ở dạng tháng/ngày/năm (kiểu Mỹ) nên không rõ ngày và tháng. Hãy dùng ngày/tháng/năm.',
      'The dates of birth may be month/day/year (US style), so day and month are unclear. Use day/month/year.',
    );
    // Any error makes the result { ok: false }, so these rows need not be taken out of `rows`.
    for (const a of order.ambiguousRows) {
      errors.push({ rowNumber: a.rowNumber, column: a.column, reason: ambiguous });
    }
  }

  const photoColumn = v.headers.photo;
  await forEachLimited(photoJobs, 8, async (job) => {
    const r = await loadPhoto(rosterDir, job.ref);
    if (r.error) errors.push({ rowNumber: job.rowNumber, column: photoColumn, reason: r.error });
    else if (r.photo && job.row) job.row.photo = r.photo;
  });

  // Stable sort keeps each row's reasons in column-check order.
  const byRow = (a: RosterRowError, b: RosterRowError): number => a.rowNumber - b.rowNumber;
  errors.sort(byRow);
  warnings.sort(byRow);

  if (errors.length > 0) {
    return sheet === undefined
      ? { ok: false, format, errors, warnings }
      : { ok: false, format, sheet, errors, warnings };
  }
  return sheet === undefined
    ? { ok: true, format, rows, warnings }
    : { ok: true, format, sheet, rows, warnings };
}
