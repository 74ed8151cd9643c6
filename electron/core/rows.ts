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
 * and was not rejected, while no check of that candidate in the session has a red face check (issue
 * 12) that no examiner overrode afterwards ('face_override' with a reason). A face check is red when it
 * said 'no_match' or its liveness challenge failed ('liveness: failed', e.g. a photo held still). ANY
 * red 'face_check' entry counts, not only the latest: a later 'match' on the same check (after
 * face.retry or face.challengeStart, e.g. a printed photo of the real candidate held up for the second
 * try) does not clear it; only an override logged after it does (forger, h/forger). So neither
 * scanning the card again nor retrying the camera gets round a red face check. The roster's "present",
 * the report and "already checked in" all use it.
 */
export function checkInCondition(l: string): string {
  // Face checks and overrides are found through migration 6's partial indexes by checkId (INDEXED BY:
  // without it SQLite scanned the whole log for each of the candidate's checks, so every check of a
  // busy session cost more than the one before: 16 ms at the 1 500th). CROSS JOIN keeps the
  // candidate's own checks as the outer loop, so each is one index lookup; `id + 0` lets SQLite use
  // the expression index for a rowid compared with json_extract (without it, it scans the index).
  const c = `${l}_c`;
  const f = `${l}_f`;
  const o = `${l}_o`;
  return `${l}.kind = 'check' AND ${l}.identity_verdict = 'match' AND ${l}.outcome != 'rejected'
    AND NOT EXISTS (
      SELECT 1 FROM audit_log ${c}
        CROSS JOIN audit_log ${f} INDEXED BY audit_log_face_check_by_check
          ON ${f}.kind = 'face_check' AND json_extract(${f}.details, '$.checkId') = ${c}.id + 0
       WHERE ${c}.session_code = ${l}.session_code AND ${c}.candidate_id = ${l}.candidate_id AND ${c}.kind = 'check'
         AND (json_extract(${f}.details, '$.face') = 'no_match'
              OR json_extract(${f}.details, '$.liveness') = 'failed')
         AND NOT EXISTS (SELECT 1 FROM audit_log ${o} INDEXED BY audit_log_face_override_by_check
                          WHERE ${o}.kind = 'face_override' AND json_extract(${o}.details, '$.checkId') = ${c}.id + 0
                            AND ${o}.id > ${f}.id))`;
}

/** The columns of the other side of a LEFT JOIN: each may be null. */
export type Nullable<T> = { [K in keyof T]: T[K] | null };
