/**
 * Reads a candidate roster from a CSV or XLSX file and validates every row. Pure reading: the
 * database import (transaction, --replace) is built on top of this by electron/core/roster-service.ts.
 *
 * File-level problems throw RosterFileError (code + vi + en). Row problems are collected, all of
 * them, and returned sorted by row; a file with any row error gives `{ ok: false, errors }`.
 *
 * Row numbers are what the user sees: the spreadsheet row in XLSX, the record number in CSV (= the
 * row Excel shows when it opens the CSV; header = 1). Messages contain row numbers and column names
 * but never the personal data itself (the CLI prints them).
 *
 * The reader, one idea a file (each states its decisions):
 *   model.ts     the result, its error, the fields and their labels, raw cells
 *   decode.ts    bytes → raw rows: the format, CSV encodings and delimiters, XLSX cells
 *   header.ts    finding the header row and mapping its columns to fields
 *   cells.ts     one cell → one field value: dates, ID numbers, CMND, sex
 *   validate.ts  every data row, and what spans rows (duplicates, the day/month order)
 *   photos.ts    the photos the rows name
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { todayInVietnam } from '../../../native/util/dates';
import { isBlank } from './cells';
import { detectFormat, readCsvRows, readXlsxRows } from './decode';
import { findHeader } from './header';
import {
  fileError,
  type RawRow,
  type RosterReadOptions,
  type RosterReadResult,
  type RosterRowError,
} from './model';
import { loadPhotos } from './photos';
import { RowValidator } from './validate';

/** The file's bytes; a missing or unreadable file is a RosterFileError. */
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
  const { errors, warnings, rows, photoJobs, dataRows } = v;

  if (dataRows === 0) {
    throw fileError(
      'no_rows',
      'File danh sách chỉ có dòng tiêu đề, không có thí sinh nào.',
      'The roster file has a header row but no candidates.',
    );
  }

  v.checkDateOrder();

  await loadPhotos(photoJobs, rosterDir, v.headers.photo, errors);

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
