/**
 * The rows of the kiosk's tables as SQLite returns them (snake_case columns), named and typed once:
 * each service picks the columns it selects from these (`Pick<CandidateRow, 'id' | 'full_name'>`), so a
 * column cannot mean two things in two files. Plus the one SQL condition several services share: what
 * counts as a check-in.
 */
import type { AuthenticityVerdict, IdentityVerdict, Outcome } from '../../native/domain/vocabulary';

/** An exam_sessions row, every column. */
export interface SessionRow {
  id: number;
  code: string;
  council: string;
  exam_date: string;
  location: string | null;
  licence_classes: string;
  state: 'open' | 'closed' | 'signed';
  created_at: string;
  closed_at: string | null;
  signed_at: string | null;
  signed_by: string | null;
}

/** A candidates row, every column (photo and note are ciphertexts, data-crypto.ts). */
export interface CandidateRow {
  id: number;
  session_id: number;
  candidate_no: string;
  full_name: string;
  date_of_birth: string;
  id_number: string;
  old_id_number: string | null;
  licence_class: string | null;
  sex: 'M' | 'F' | null;
  photo: Buffer | null;
  photo_mime: string | null;
  note: string | null;
  source_row: number | null;
  seal_nonce: string | null;
  personal_digest: string | null;
  purged_at: string | null;
}

/** The columns of an audit_log check entry that the lists and reports read. */
export interface CheckLogRow {
  id: number;
  at: string;
  actor: string;
  station: string;
  source: 'qr' | 'chip';
  identity_verdict: IdentityVerdict;
  authenticity_verdict: AuthenticityVerdict;
  outcome: Outcome;
  /** JSON of the Reason[] shown to the examiner. */
  reasons: string;
  candidate_id: number | null;
}

/**
 * The audit_log entry (table alias `l`) that checked a candidate in: a check that matched the roster
 * and was not rejected. The roster's "present", the report and "already checked in" all use it.
 */
export function checkInCondition(l: string): string {
  return `${l}.kind = 'check' AND ${l}.identity_verdict = 'match' AND ${l}.outcome != 'rejected'`;
}

/** The columns of the other side of a LEFT JOIN: each may be null. */
export type Nullable<T> = { [K in keyof T]: T[K] | null };
