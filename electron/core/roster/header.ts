/**
 * Finding the header row and mapping its columns to roster fields. Title rows above the header are
 * allowed (the header is looked for in the first 10 non-blank rows) and keep their row numbers.
 * Headers are compared without diacritics, case or punctuation, in Vietnamese or English, with the
 * common aliases ('SBD', 'Họ tên', 'CMND', 'Hạng GPLX', ...).
 */
import { normalizeName, stripDiacritics } from '../../../native/cccd/names';
import { isBlank } from './cells';
import { ROSTER_FIELD_LABELS, fileError, type RawRow, type RosterField } from './model';

const HEADER_SEARCH_ROWS = 10;

/** The columns a roster must have. */
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

function labelBoth(field: RosterField): string {
  const l = ROSTER_FIELD_LABELS[field];
  return `"${l.vi}" / "${l.en}"`;
}

/** Each field found in the header: its column index and its header as written. */
export type ColumnMap = Map<RosterField, { index: number; header: string }>;

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

/**
 * The header row: the row, among the first HEADER_SEARCH_ROWS non-blank ones, that names the most
 * fields (the first naming every required one wins). Throws RosterFileError when the file is empty,
 * names one field twice, or lacks a required column.
 */
export function findHeader(rows: RawRow[]): { headerIndex: number; columns: ColumnMap } {
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
