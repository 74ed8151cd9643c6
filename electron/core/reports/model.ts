/**
 * The attendance report of one exam session: the data the core fills from the database and
 * that the CSV, XLSX and PDF writers print. Pure types (no Node, no Electron): the renderer may
 * import it too.
 *
 * Dates are ISO strings. Calendar dates (date of birth, session date) are `yyyy-mm-dd` and are
 * printed as they are; instants (check-in time, generation time, log entries) are ISO UTC
 * (`2025-03-12T02:15:02Z`) and are printed in `timeZone`.
 */
import type {
  AuthenticityVerdict,
  IdentityVerdict,
  Lang,
  ReadingSource,
  Reason,
  SessionState,
} from '../../../native/domain/vocabulary';

export interface ReportSession {
  /** Session code, e.g. 'SH-2025-03-12-B2'. */
  code: string;
  /** The examination council (hội đồng sát hạch) as it should be printed. */
  council: string;
  /** ISO calendar date `yyyy-mm-dd` of the session. */
  date: string;
  location?: string;
  /** Licence classes examined in the session, e.g. ['B2', 'C']. */
  licenceClasses: string[];
  state: SessionState;
  /** ISO UTC instant the session was signed off. */
  signedAt?: string;
  signedBy?: string;
}

export interface ReportCandidate {
  /** Candidate number (số báo danh). */
  candidateNo: string;
  fullName: string;
  /** ISO calendar date `yyyy-mm-dd`. */
  dateOfBirth: string;
  /** The ID number with all but the last digits hidden, e.g. '•••••••47064'. Never the full number. */
  idNumberMasked: string;
  licenceClass?: string;
  present: boolean;
  /** ISO UTC instant of the accepted check-in. */
  checkedInAt?: string;
  identityVerdict?: IdentityVerdict;
  authenticityVerdict?: AuthenticityVerdict;
  examiner?: string;
  station?: string;
  source?: ReadingSource;
}

/** A check that was rejected or accepted with a warning, as recorded in the log. */
export interface ReportFlaggedCheck {
  logId: number;
  /** ISO UTC instant of the check. */
  at: string;
  examiner: string;
  station: string;
  source: ReadingSource;
  identityVerdict: IdentityVerdict;
  authenticityVerdict: AuthenticityVerdict;
  candidateNo?: string;
  fullName?: string;
  reasons: Reason[];
}

export interface ReportTotals {
  candidates: number;
  present: number;
  absent: number;
  rejectedChecks: number;
  warningChecks: number;
}

/** The log's hash chain at the time of the report, so a reader can check the report against the log. */
export interface ReportIntegrity {
  /** Hash of the last log entry (hex). */
  headHash: string;
  /** Number of log entries covered. */
  entries: number;
  /** Signature over the head hash (hex or base64), when the session was signed. */
  signature?: string;
  /** Public key that verifies the signature (hex, base64 or PEM). */
  publicKey?: string;
  /** The signed statement (canonical JSON) that `signature` covers, when the session was signed. */
  statement?: string;
  /** SHA-256 fingerprint (hex) of the public key. */
  keyFingerprint?: string;
}

export interface ReportModel {
  session: ReportSession;
  /** ISO UTC instant the report was generated. */
  generatedAt: string;
  /** IANA time zone the instants are shown in, e.g. 'Asia/Ho_Chi_Minh'. */
  timeZone: string;
  candidates: ReportCandidate[];
  flagged: ReportFlaggedCheck[];
  /** Examiners of the session, in the order their signature lines are printed. */
  examiners: string[];
  totals: ReportTotals;
  integrity?: ReportIntegrity;
  /**
   * A report of every station of a council, from the council server (electron/core/sync): the
   * candidate table gets a station column; check-in times are the stations' own clocks.
   */
  consolidated?: { times: 'station' };
}

/** A report is printed in one of the kiosk's two languages. */
export type ReportLang = Lang;

/** Options common to the three writers. */
export interface ReportWriteOptions {
  /** Language of the report's texts; Vietnamese by default. */
  lang?: ReportLang;
}
