/**
 * Decoding a roster file's bytes into raw rows of cells, CSV or XLSX.
 * - The format comes from the magic bytes (a ZIP is an XLSX; .xls and .ods are refused with how to
 *   save them), then the extension.
 * - CSV text: UTF-8 with or without BOM, or UTF-16 with a BOM (Excel's "Unicode text"). Anything
 *   else is refused with a message explaining how to save as "CSV UTF-8"; a guessed legacy
 *   decoding would silently corrupt Vietnamese names. The delimiter is `,`, `;` or tab, the most
 *   frequent outside quotes, unless a `sep=;` first line (Excel's hint) names it; that line is not
 *   counted, so row numbers are what Excel shows when it opens the CSV (header = 1).
 * - XLSX: typed cells (text, numbers, dates), rich text and formula results flattened; exceljs is
 *   loaded only when an XLSX is read (it takes over a second to load).
 */
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
// exceljs takes over a second to load: imported for its types here, loaded only when an XLSX is read.
import type ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { normalizeName } from '../../../native/cccd/names';
import { startsWithBytes } from '../../../native/util/bytes';
import { fileError, type Cell, type RawRow, type RosterFileError, type RosterFormat } from './model';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** CSV or XLSX, by the magic bytes first and the extension second; .xls and .ods are refused. */
export function detectFormat(filePath: string, buf: Uint8Array): RosterFormat {
  const ext = path.extname(filePath).toLowerCase();
  if (startsWithBytes(buf, ZIP_MAGIC)) {
    if (ext === '.ods') {
      throw fileError(
        'unsupported_format',
        'File .ods chưa được hỗ trợ. Hãy lưu lại dạng .xlsx hoặc .csv.',
        'ODS files are not supported. Save the file as .xlsx or .csv.',
      );
    }
    return 'xlsx';
  }
  if (startsWithBytes(buf, OLE_MAGIC)) {
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
    if (startsWithBytes(buf, [0xff, 0xfe])) return new TextDecoder('utf-16le', { fatal: true }).decode(buf);
    if (startsWithBytes(buf, [0xfe, 0xff])) return new TextDecoder('utf-16be', { fatal: true }).decode(buf);
  } catch {
    throw encodingError();
  }
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (!isUtf8(bytes)) throw encodingError();
  return startsWithBytes(bytes, UTF8_BOM) ? bytes.subarray(3) : bytes;
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

/** The rows of a CSV file; row numbers are record numbers (header = 1), a `sep=` line not counted. */
export function readCsvRows(buf: Uint8Array): RawRow[] {
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

/** The rows of one sheet (named, or the first visible one), numbered as the spreadsheet shows them. */
export async function readXlsxRows(
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
