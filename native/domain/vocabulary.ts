/**
 * The kiosk's words, shared by every layer (card code, core services, reports, CLI and renderer):
 * verdicts, outcomes, reasons, roles, session states, log kinds. Pure types and data: imports
 * nothing, safe to load anywhere.
 *
 * Each word list is declared ONCE here, as an `as const` list with its type derived from it; every
 * other module (the IPC contract and its zod schemas, the verification engine, the reports, the CLI,
 * the renderer's filters) imports the list or the type from here. The words in Vietnamese and English
 * are in ./labels.ts (one wording per word); docs/architecture-vocabulary.md says how to add one.
 */

/** Text in both languages: Vietnamese for the examiner, English for the log. */
export interface Bilingual {
  vi: string;
  en: string;
}

/** The two languages of the kiosk: the UI, the reports and the CLI speak both. */
export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** How much a reason weighs: 'error' rejects, 'warning' accepts with a warning, 'info' is informational. */
export const REASON_SEVERITIES = ['error', 'warning', 'info'] as const;
export type ReasonSeverity = (typeof REASON_SEVERITIES)[number];

/**
 * A reason attached to a verdict. `code` is stable and machine-readable; it is chosen by the module
 * that finds the problem (its text, with the facts of the case, travels with it), and is logged.
 */
export interface Reason extends Bilingual {
  code: string;
  severity: ReasonSeverity;
}

/** Where the card data came from: the printed QR code or the chip. */
export const READING_SOURCES = ['qr', 'chip'] as const;
export type ReadingSource = (typeof READING_SOURCES)[number];

/** How the card data was entered at the kiosk: scanned QR, chip read, or typed by the examiner. */
export const ENTRY_METHODS = ['qr', 'chip', 'manual'] as const;
export type EntryMethod = (typeof ENTRY_METHODS)[number];

/** Question 1, "is the card genuine?" (docs/architecture.md, "Verdicts people can act on"). */
export const AUTHENTICITY_VERDICTS = [
  'genuine',
  'signature_valid_chip_unproven',
  'unknown_issuer',
  'altered_or_forged',
  'not_checked',
] as const;
export type AuthenticityVerdict = (typeof AUTHENTICITY_VERDICTS)[number];

/** Question 2, "is this the registered candidate?". */
export const IDENTITY_VERDICTS = [
  'match',
  'not_on_roster',
  'data_mismatch',
  'already_checked_in',
  'card_expired',
  'wrong_session',
  'invalid_card_data',
] as const;
export type IdentityVerdict = (typeof IDENTITY_VERDICTS)[number];

/** What the examiner is told: green, amber or red. */
export const OUTCOMES = ['accepted', 'accepted_with_warnings', 'rejected'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The result of one authenticity check. */
export const CHECK_OUTCOMES = ['pass', 'fail', 'not_run', 'not_supported'] as const;
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number];

/** The authenticity checks of a chip, each with its own CheckOutcome (AuthenticityChecks below). */
export const AUTHENTICITY_CHECKS = ['hashes', 'signature', 'chain', 'activeAuth', 'chipAuth'] as const;
export type AuthenticityCheck = (typeof AUTHENTICITY_CHECKS)[number];

/** Each authenticity check's own result, kept for the log and the UI. */
export interface AuthenticityChecks extends Record<AuthenticityCheck, CheckOutcome> {
  /** Every data group read hashes to its value in the SOD (and none read is missing from it). */
  hashes: CheckOutcome;
  /** CMS signed attributes + signature of the SOD by the document signer. */
  signature: CheckOutcome;
  /** Document signer chains to a CSCA in the trust store. */
  chain: CheckOutcome;
  /** Active Authentication with the DG15 key. */
  activeAuth: CheckOutcome;
  /** Chip Authentication with the DG14 key. */
  chipAuth: CheckOutcome;
}

export interface AuthenticityResult {
  verdict: AuthenticityVerdict;
  checks: AuthenticityChecks;
  reasons: Reason[];
}

/** Accounts: an examiner checks candidates in; a council chair also reviews, signs off and configures. */
export const ROLES = ['examiner', 'chair'] as const;
export type Role = (typeof ROLES)[number];

/** An exam session is open for check-in, then closed, then signed off by the chair (read-only for good). */
export const SESSION_STATES = ['open', 'closed', 'signed'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** What an issuer (the CSCA behind a chip's document signer) is to this station. */
export const ISSUER_STATUSES = ['seen', 'approved', 'blocked'] as const;
export type IssuerStatus = (typeof ISSUER_STATUSES)[number];

/** Every kind of entry in the tamper-evident audit log. */
export const LOG_KINDS = [
  'check',
  'session_created',
  'session_closed',
  'session_signed',
  'roster_imported',
  'sign_in',
  'sign_in_failed',
  'settings_changed',
  /** A retention purge erased the personal data of signed sessions (details: codes and counts only). */
  'privacy_purged',
  /** The chair changed what the station trusts: an issuer approved, blocked or unblocked, a list imported. */
  'trust_changed',
  /** A face check of a card check (details: checkId, verdict, distance, threshold, model; never an image). */
  'face_check',
  /** The examiner overrode a red face check with a written reason (details: checkId, reason). */
  'face_override',
  /** The council server found a candidate accepted at two stations (pulled by sync; both stations and times). */
  'duplicate_check_in',
] as const;
export type LogKind = (typeof LOG_KINDS)[number];

/**
 * Question 3, "is the person at the desk the card's holder?" (docs/face.md): the live face against the
 * chip's DG2 photo (or the roster photo). 'not_checked': no camera, no reference photo, or face check off.
 */
export const FACE_VERDICTS = ['match', 'no_match', 'no_face', 'not_checked'] as const;
export type FaceVerdict = (typeof FACE_VERDICTS)[number];

/** Which reference photo a face was compared with. */
export const FACE_REFERENCES = ['chip', 'roster'] as const;
export type FaceReference = (typeof FACE_REFERENCES)[number];

/** The presentation-attack challenge the examiner may start: turn the head, or blink. */
export const FACE_CHALLENGES = ['turn_head', 'blink'] as const;
export type FaceChallenge = (typeof FACE_CHALLENGES)[number];

export const LIVENESS_STATES = ['passed', 'failed', 'not_run'] as const;
export type LivenessState = (typeof LIVENESS_STATES)[number];

/** The outcome of a face check, as logged (face_check details) and shown. Never an image or descriptor. */
export interface FaceResult {
  face: FaceVerdict;
  /** Euclidean distance of the 128-d descriptors (smaller = more alike); null without a decision. */
  distance: number | null;
  threshold: number;
  /** The photo `distance` was measured against. */
  against: FaceReference | null;
  /** Distance to the roster photo too, when both a chip and a roster photo were compared. */
  rosterDistance: number | null;
  /** Faces found in the decisive frame(s). */
  faces: number;
  modelVersion: string;
  liveness?: LivenessState;
}

/** The attendance report's file formats. */
export const REPORT_FORMATS = ['csv', 'xlsx', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export type Sex = 'M' | 'F';

export interface CardPhoto {
  /** 'image/jpeg' or 'image/png' (JPEG 2000 is converted to PNG). */
  mime: string;
  data: Uint8Array;
}

/** Every authenticity check not run: a QR reading, or a chip that could not be read. */
export function checksNotRun(): AuthenticityChecks {
  return {
    hashes: 'not_run',
    signature: 'not_run',
    chain: 'not_run',
    activeAuth: 'not_run',
    chipAuth: 'not_run',
  };
}

/** The authenticity of a reading whose chip was not checked (QR only, or no reading at all). */
export function notCheckedAuthenticity(): AuthenticityResult {
  return { verdict: 'not_checked', checks: checksNotRun(), reasons: [] };
}
