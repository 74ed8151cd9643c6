/**
 * The roster reader's model: what a roster file gives (rows, row errors, the result), its file-level
 * error, the fields and their labels, the licence classes, and the raw cells the decoders hand to the
 * header search and the row validator.
 */
import type { Reason, Sex } from '../../../native/domain/vocabulary';

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
// Fields

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

/** Licence classes: the 2025 classes and the pre-2025 ones (still on licences and in rosters). */
export const LICENCE_CLASSES: ReadonlySet<string> = new Set([
  ...['A1', 'A', 'B1', 'B', 'C1', 'C', 'D1', 'D2', 'D', 'BE', 'C1E', 'CE', 'D1E', 'D2E', 'DE'],
  ...['A2', 'A3', 'A4', 'B2', 'E', 'FB2', 'FC', 'FD', 'FE'],
]);

// ---------------------------------------------------------------------------------------------
// Raw cells (from either format)

/** A cell as read from either format: text for CSV, typed values for XLSX. */
export type Cell = string | number | Date | null;

export interface RawRow {
  rowNumber: number;
  cells: Cell[];
}

// ---------------------------------------------------------------------------------------------
// Messages

/** A file-level problem (the whole file is refused). */
export function fileError(code: RosterFileErrorCode, vi: string, en: string): RosterFileError {
  return new RosterFileError(code, vi, en);
}

/** A row problem's reason (severity error unless told). Note the order: code, vi, en, severity. */
export function reason(code: string, vi: string, en: string, severity: Reason['severity'] = 'error'): Reason {
  return { code, vi, en, severity };
}
