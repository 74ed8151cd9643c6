/**
 * THE IPC contract of the kiosk: every channel the UI may call, with its zod request schema, who may
 * call it, and its response type; and every event the main process pushes to the UI.
 *
 * - The main process (electron/main/ipc.ts) and the test bridge (electron/app/bridge-server.ts) both hand
 *   each request to `KioskApi.handle`, which validates the payload with the schema below and enforces
 *   `access` before any work is done.
 * - The preload (electron/preload/index.ts) and the e2e bridge client build `window.kiosk` from the
 *   names below with `buildKioskApi`: a namespaced, function-only API
 *   (`window.kiosk.sessions.create(...)`, `window.kiosk.scan.onResult(cb)`), never a generic invoke.
 *
 * Pure: zod and types only, so the renderer, the preload, the main process and Node tests share it.
 */
import { z } from 'zod';
import {
  FACE_CHALLENGES,
  IDENTITY_VERDICTS,
  LANGS,
  LOG_KINDS,
  OUTCOMES,
  REPORT_FORMATS,
  ROLES,
  type AuthenticityChecks,
  type AuthenticityVerdict,
  type Bilingual,
  type CheckOutcome,
  type EntryMethod,
  type FaceChallenge,
  type FaceResult,
  type IdentityVerdict,
  type IssuerStatus,
  type Lang,
  type LogKind,
  type Outcome,
  type ReadingSource,
  type Reason,
  type Role,
  type SessionState,
} from '../../native/domain/vocabulary';

// ---------------------------------------------------------------------------------------------
// Shared value types: the kiosk's words come from the domain vocabulary (native/domain), re-exported
// here so the renderer finds every type of the contract in one place.
// ---------------------------------------------------------------------------------------------

export type {
  AuthenticityVerdict,
  Bilingual,
  CheckOutcome,
  EntryMethod,
  FaceChallenge,
  FaceReference,
  FaceResult,
  FaceVerdict,
  IdentityVerdict,
  IssuerStatus,
  Lang,
  LogKind,
  Outcome,
  ReadingSource,
  ReportFormat,
  Role,
  SessionState,
} from '../../native/domain/vocabulary';

/** A reason as it crosses IPC: the domain's Reason, plain JSON. */
export type ReasonDTO = Reason;
/** One authenticity check's result, as it crosses IPC. */
export type CheckOutcomeDTO = CheckOutcome;

/** The error half of every response: a stable code, Vietnamese for the screen, English for the log. */
export interface ApiError extends Bilingual {
  code: string;
  details?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Who may call a channel: anyone (sign-in screen), any signed-in user, or a chair only. */
export type Access = 'public' | 'signed_in' | 'chair';

// ---------------------------------------------------------------------------------------------
// Response types (DTOs). Plain JSON: they cross IPC and HTTP unchanged.
// ---------------------------------------------------------------------------------------------

export interface SignedInUser {
  username: string;
  displayName: string;
  role: Role;
  signedInAt: string;
}

export interface UserChoice {
  username: string;
  displayName: string;
  role: Role;
}

export interface UserDTO extends UserChoice {
  active: boolean;
  /** ISO instant until which sign-in is refused after repeated wrong PINs, or null. */
  lockedUntil: string | null;
  createdAt: string;
}

export interface AuthStatus {
  /** No account exists yet: the first screen creates the first chair account. */
  setupRequired: boolean;
  user: SignedInUser | null;
  station: string;
  language: Lang;
  /** Demo mode (fictional roster); the demo accounts' PINs are shown on the sign-in screen. */
  demo: { pins: Array<{ username: string; pin: string }> } | null;
}

/** An exam session as stored (electron/core/sessions.ts keeps these fields and its row id). */
export interface SessionRecordDTO {
  code: string;
  council: string;
  date: string;
  location: string | null;
  licenceClasses: string[];
  state: SessionState;
  createdAt: string;
  closedAt: string | null;
  signedAt: string | null;
  signedBy: string | null;
}

export interface SessionDTO extends SessionRecordDTO {
  total: number;
  present: number;
}

export interface RowErrorDTO {
  rowNumber: number;
  column?: string;
  reason: ReasonDTO;
}

export interface PreviewRowDTO {
  rowNumber: number;
  candidateNo: string;
  fullName: string;
  dateOfBirth: string;
  idNumber: string;
  licenceClass: string | null;
  sex: 'M' | 'F' | null;
  hasPhoto: boolean;
}

export interface RosterPickDTO {
  /** Opaque handle for the file the user chose; the renderer never sends file paths. */
  token: string;
  fileName: string;
}

export interface RosterPreviewDTO {
  token: string;
  fileName: string;
  format: 'csv' | 'xlsx';
  sheet?: string;
  /** Rows read from the file (all of them; `rows` holds the first PREVIEW_ROWS for display). */
  totalRows: number;
  rows: PreviewRowDTO[];
  /** Every bad row with its reason; nothing is imported while this is not empty. */
  errors: RowErrorDTO[];
  /** Candidates already in the session (an import must replace them). */
  existingCandidates: number;
  canImport: boolean;
}

export const PREVIEW_ROWS = 500;

export interface ImportResultDTO {
  sessionCode: string;
  imported: number;
  replaced: number;
}

export interface CandidateDTO {
  id: number;
  candidateNo: string;
  fullName: string;
  dateOfBirth: string;
  /** Only the last 5 digits are readable. */
  idNumberMasked: string;
  licenceClass: string | null;
  sex: 'M' | 'F' | null;
  note: string | null;
  hasPhoto: boolean;
  checkedInAt: string | null;
}

export interface CandidateListDTO {
  candidates: CandidateDTO[];
  total: number;
  present: number;
}

export interface PhotoDTO {
  /** `data:image/jpeg;base64,...` (img-src allows data: only for these). */
  dataUrl: string | null;
}

export type AuthenticityChecksDTO = AuthenticityChecks;

export interface CheckResultDTO {
  logId: number;
  at: string;
  source: ReadingSource;
  /** How the card data was entered: scanned QR, chip read, or typed by the examiner. */
  entry: EntryMethod;
  sessionCode: string;
  outcome: Outcome;
  identityVerdict: IdentityVerdict;
  authenticityVerdict: AuthenticityVerdict;
  authenticityChecks: AuthenticityChecksDTO;
  /** Identity and authenticity reasons together, errors first. */
  reasons: ReasonDTO[];
  /** The roster entry the card matched, if any. */
  candidate: {
    id: number;
    candidateNo: string;
    fullName: string;
    dateOfBirth: string;
    licenceClass: string | null;
    sex: 'M' | 'F' | null;
  } | null;
  /** What the card itself says (shown when it does not match the roster). */
  card: { fullName: string; dateOfBirth: string; idNumberMasked: string } | null;
  chipPhoto: string | null;
  rosterPhoto: string | null;
  counts: { present: number; total: number };
  /**
   * The audit id of the check entry (the same as logId): the renderer sends camera frames for it
   * (`face.frame`). Optional for older producers of this DTO.
   */
  checkId?: number;
  /** A face check is expected for this check: face check on in Settings and a chip or roster photo exists. */
  faceRequired?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Face check (issue 12, docs/face.md): frames from the camera are compared in the main process with the
// chip's DG2 photo (and the roster photo) of the check; only the verdict and the distance are logged.
// ---------------------------------------------------------------------------------------------

/** The verdict of a face check as it crosses IPC (the domain's FaceResult, plain JSON). */
export type FaceResultDTO = FaceResult;

/** A face found in a frame, in the frame's pixels. */
export interface FaceBoxDTO {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

/** The presentation-attack challenge, evaluated in main from the landmarks of the frames sent. */
export interface ChallengeStateDTO {
  kind: FaceChallenge;
  state: 'waiting' | 'passed' | 'failed';
  prompt: Bilingual;
  secondsLeft: number;
}

export interface FaceFrameDTO {
  width: number;
  height: number;
  faces: FaceBoxDTO[];
  /** Set when this frame completed a decision for the check (logged once as 'face_check'). */
  result: FaceResultDTO | null;
  challenge: ChallengeStateDTO | null;
}

export interface FaceStatusDTO {
  enabled: boolean;
  /** The models are loaded and the engine answers. */
  ready: boolean;
  modelVersion: string;
  threshold: number;
  error: Bilingual | null;
}

/** Largest camera frame accepted by face.frame (a 640x480 JPEG is ~40-80 KB). */
export const FACE_FRAME_MAX_BYTES = 400 * 1024;
/** Bounds of the face distance threshold (Settings). */
export const FACE_THRESHOLD_MIN = 0.2;
export const FACE_THRESHOLD_MAX = 0.8;

export interface RecentCheckDTO {
  logId: number;
  at: string;
  source: ReadingSource | null;
  outcome: Outcome;
  identityVerdict: IdentityVerdict;
  authenticityVerdict: AuthenticityVerdict | null;
  candidateNo: string | null;
  fullName: string | null;
  actor: string;
  station: string;
}

/**
 * The answer to a scanned QR or a typed number. With a chip reader ready, the card is read first:
 * 'awaiting_chip' (the CAN went to the reader; the verdict comes as a `scan.result` event). Otherwise
 * (or when the QR is not a valid CCCD QR) the check is made at once: 'checked'.
 */
export interface CheckStartDTO {
  status: 'checked' | 'awaiting_chip';
  result: CheckResultDTO | null;
}

/** @deprecated name kept for readers of older code: the same as CheckStartDTO. */
export type ManualCheckDTO = CheckStartDTO;

/**
 * The columns of an audit log entry that the UI may see (electron/core/audit-log.ts keeps these and
 * the candidate id, card hash, details and hashes). Verdicts are strings: an older or newer log may
 * hold a word this build does not know.
 */
export interface LogRecordDTO {
  id: number;
  at: string;
  kind: LogKind;
  station: string;
  actor: string;
  sessionCode: string | null;
  source: ReadingSource | null;
  identityVerdict: string | null;
  authenticityVerdict: string | null;
  outcome: string | null;
  reasons: ReasonDTO[];
}

export interface LogEntryDTO extends LogRecordDTO {
  candidateNo: string | null;
  candidateName: string | null;
}

export interface LogDetailsDTO extends LogEntryDTO {
  cardHash: string | null;
  prevHash: string;
  hash: string;
  /** Non-personal details: authenticity checks, trace summary, import counts... */
  details: Record<string, unknown>;
}

export interface LogPageDTO {
  entries: LogEntryDTO[];
  /** True when more entries match than were returned. */
  more: boolean;
}

export type VerifyDTO =
  | { ok: true; entries: number; headId: number | null; headHash: string | null; ms: number }
  | {
      ok: false;
      entries: number;
      firstBroken: { id: number; problem: string; message: string; vi: string };
      ms: number;
    };

export type ExportResultDTO =
  { cancelled: true } | { cancelled: false; path: string; fileName: string; bytes: number };

export interface ReaderSettingsDTO {
  /** Listen for keyboard-wedge QR scanners in the window. */
  qrWedge: boolean;
  /** PC/SC chip readers: off, or any reader / a reader whose name contains `name`. */
  pcsc: { enabled: boolean; name: string };
  /** PN532 module on a serial port ('' = none). */
  pn532Port: string;
  /** USB-serial QR scanner port ('' = none). */
  serialScannerPort: string;
  /** HID POS scanner by USB ids, or null. */
  hidPos: { vendorId: number; productId: number } | null;
}

/** The settings the chair edits (settings.update); electron/core/settings.ts stores them. */
export interface EditableSettingsDTO {
  stationName: string;
  language: Lang;
  /** A QR-only reading is not enough: the chip must be read. */
  requireChip: boolean;
  /** A chip whose issuer is not trusted is rejected (otherwise a warning). */
  requireTrustedIssuer: boolean;
  soundEnabled: boolean;
  /** Seconds an accepted verdict stays on screen before the waiting screen returns (0 = until dismissed). */
  verdictSeconds: number;
  readers: ReaderSettingsDTO;
  /**
   * Retention (Decree 13/2023): days after sign-off when a session's personal data is erased, applied
   * when the app starts (KioskApi.applyRetention); null keeps it until purged by hand
   * (`kiosk privacy purge`).
   */
  retentionDays: number | null;
  /** Compare the person at the desk with the chip/roster photo (docs/face.md). */
  faceEnabled: boolean;
  /** Largest descriptor distance still called a match (0.2..0.8; default from the calibration). */
  faceThreshold: number;
  /** The camera (MediaDeviceInfo.deviceId); '' = the first camera. */
  cameraDeviceId: string;
  /** Chair only: keep the live frame of a red face check, encrypted, purged by retention. */
  faceKeepEvidence: boolean;
}

export interface SettingsDTO extends EditableSettingsDTO {
  trustStore: { files: number; updatedAt: string | null };
  /** The station's signing key (Ed25519): PEM and SHA-256 fingerprint, to hand to auditors; null if unavailable. */
  stationKey: { publicKey: string; fingerprint: string } | null;
}

export interface TrustImportDTO {
  cancelled: boolean;
  imported: number;
  skipped: Array<{ file: string; reason: Bilingual }>;
  total: number;
}

/** DS certificates under one issuer id that can be one issuer: they share a key, DN and country. */
export interface SignerGroupDTO {
  /** SHA-256 (hex) of the issuer key the group's DS certificates share; null while not unique (one DS) or RSA. */
  issuerKey: string | null;
  issuerDn: string;
  country: string | null;
  /** SHA-256 fingerprints of the group's DS certificates. */
  signers: string[];
  cards: number;
  firstSeen: string;
  lastSeen: string;
}

/**
 * An issuer (the CSCA behind a chip's document signer) seen on this station: certificate facts only.
 * The trust registry (electron/core/trust-registry.ts) keeps exactly this record.
 */
export interface IssuerDTO {
  /** Hex authority key identifier of the DS certificates (or 'name:' + a hash of the issuer name). */
  issuerId: string;
  /** Alpha-2: the pinned country when approved, else that of the group with the most cards (null: unknown). */
  country: string | null;
  issuerDn: string;
  firstSeen: string;
  lastSeen: string;
  /** Chip reads signed under this issuer (a card read twice counts twice). */
  cards: number;
  status: IssuerStatus;
  statusBy: string | null;
  statusAt: string | null;
  /** DS certificates seen / covered by the approval (signed under the pinned key, or pinned themselves). */
  documentSigners: number;
  approvedSigners: number;
  /** Pinned issuer keys (SHA-256 hex of the SPKI), when approved by key. */
  pinnedKeys: string[];
  /**
   * Null, or the distinct groups of DS certificates under this id that cannot be one issuer (no shared
   * recovered key, or another issuer DN or country): the chair must choose one (`signers`); approval
   * needs `signers`.
   */
  conflict: SignerGroupDTO[] | null;
}

export interface TrustIssuersDTO {
  issuers: IssuerDTO[];
  /** Countries with a trusted CSCA in the trust store or an approved issuer. */
  configuredCountries: string[];
  /** Countries of cards read on this station with no configured issuer: the chair's banner. */
  unconfiguredCountries: Array<{ country: string; issuers: number; cards: number }>;
}

/** The station check (kiosk doctor): the same checks as `kiosk doctor --json`. */
export interface DoctorCheckDTO {
  id: string;
  state: 'ok' | 'warning' | 'problem' | 'skipped';
  vi: string;
  en: string;
  fix?: { vi: string; en: string };
}
export interface DoctorReportDTO {
  ready: boolean;
  checks: DoctorCheckDTO[];
}

/** Sync with the council server (electron/core/sync): what the chair's screen shows. */
export interface SyncStatusDTO {
  /** The server (host:port/database), or null when this station does not sync. */
  server: string | null;
  /** Whether this station has a role on that server (kiosk server add-station). */
  registered: boolean;
  state: 'idle' | 'syncing' | 'offline' | 'error' | 'stopped';
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  lastError: { code: string; vi: string; en: string } | null;
  /** Local log entries the server does not hold yet (as far as this station knows). */
  pending: number;
  /** Entries the server holds for this station, and the local head, after the last round. */
  serverHead: number | null;
  localHead: number;
  /** Check-ins of other stations pulled so far (all sessions). */
  remoteCheckins: number;
  /** duplicate_check_in findings of the server (the same candidate accepted at two stations), newest first. */
  duplicates: SyncDuplicateDTO[];
}

/** Check-ins made at OTHER stations of a session, as pulled from the council server. */
export interface RemoteCheckinDTO {
  station: string;
  /** The other station's own clock, and when the server received it (ISO). */
  at: string;
  receivedAt: string;
  candidateNo: string;
  /** From this station's roster (null when the candidate is not on it). */
  fullName: string | null;
}

export interface SyncDuplicateDTO {
  sessionCode: string;
  candidateNo: string;
  /** Station name, its own clock's time, and when the server received it (both ISO). */
  first: { station: string; at: string; receivedAt: string };
  second: { station: string; at: string; receivedAt: string };
}

export interface ReaderInfoDTO {
  kind: 'pcsc' | 'serial' | 'hid';
  name: string;
  detail?: string;
}

export interface ReaderStatusDTO {
  id: string;
  kind: 'pcsc' | 'pn532' | 'serial-scanner' | 'hid-pos' | 'keyboard-wedge';
  name: string;
  state: 'ready' | 'card_present' | 'reading' | 'disconnected' | 'error' | 'disabled';
  message?: Bilingual;
}

export interface ReadingProgressDTO {
  readerId: string;
  phase: 'card_present' | 'connecting' | 'reading' | 'verifying' | 'done' | 'failed' | 'card_removed';
  /** 0..100 while reading. */
  percent?: number;
  message?: Bilingual;
}

export interface Empty {
  [key: string]: never;
}

// ---------------------------------------------------------------------------------------------
// Request schemas
// ---------------------------------------------------------------------------------------------

const empty = z.object({}).strict();
const sessionCode = z.string().trim().min(1).max(64);
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._-]{2,32}$/, 'username: 2-32 of a-z 0-9 . _ -');
export const pinSchema = z.string().regex(/^\d{4,12}$/, 'PIN: 4-12 digits');
const displayName = z.string().trim().min(1).max(100);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const isoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
const reportFormat = z.enum(REPORT_FORMATS);
const lang = z.enum(LANGS);
const issuerId = z
  .string()
  .trim()
  .regex(/^(name:)?[0-9a-fA-F]{6,128}$/, 'issuer id: hex authority key identifier');

export const readerSettingsSchema = z
  .object({
    qrWedge: z.boolean(),
    pcsc: z.object({ enabled: z.boolean(), name: z.string().trim().max(200) }).strict(),
    pn532Port: z.string().trim().max(200),
    serialScannerPort: z.string().trim().max(200),
    hidPos: z
      .object({
        vendorId: z.number().int().min(0).max(0xffff),
        productId: z.number().int().min(0).max(0xffff),
      })
      .strict()
      .nullable(),
  })
  .strict();

export const settingsUpdateSchema = z
  .object({
    stationName: z.string().trim().min(1).max(64),
    language: lang,
    requireChip: z.boolean(),
    requireTrustedIssuer: z.boolean(),
    soundEnabled: z.boolean(),
    verdictSeconds: z.number().int().min(0).max(600),
    readers: readerSettingsSchema,
    retentionDays: z.number().int().min(0).max(36_500).nullable(),
    faceEnabled: z.boolean(),
    faceThreshold: z.number().min(FACE_THRESHOLD_MIN).max(FACE_THRESHOLD_MAX),
    cameraDeviceId: z.string().trim().max(512),
    faceKeepEvidence: z.boolean(),
  })
  .partial()
  .strict();

/** Decodes base64 without Node's Buffer (this module also runs in the renderer). */
function base64Bytes(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * A camera frame: JPEG bytes (a Uint8Array over Electron IPC; base64 text over the test bridge's JSON),
 * at most FACE_FRAME_MAX_BYTES.
 */
export const faceFrameBytesSchema = z
  .union([
    z.instanceof(Uint8Array),
    z
      .string()
      .max(Math.ceil((FACE_FRAME_MAX_BYTES * 4) / 3) + 4)
      // Whole base64 quanta only: what atob accepts (found by the ipc-schema fuzzer).
      .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'base64'),
  ])
  .transform((v) => (typeof v === 'string' ? base64Bytes(v) : v))
  .refine((b) => b.length > 0 && b.length <= FACE_FRAME_MAX_BYTES, {
    message: `frame: 1..${FACE_FRAME_MAX_BYTES} bytes`,
  });

const checkId = z.number().int().positive();

// ---------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------

interface ChannelDef<Req extends z.ZodType, Res> {
  access: Access;
  request: Req;
  /** Phantom: carries the response type; never read at run time. */
  response: Res;
}

function def<Res>() {
  return <Req extends z.ZodType>(access: Access, request: Req): ChannelDef<Req, Res> => ({
    access,
    request,
    response: undefined as unknown as Res,
  });
}

export const channels = {
  // Sign-in. The signed-in user belongs to the calling window only.
  'auth.status': def<AuthStatus>()('public', empty),
  'auth.users': def<UserChoice[]>()('public', empty),
  'auth.setup': def<SignedInUser>()(
    'public',
    z.object({ username: usernameSchema, displayName, pin: pinSchema }).strict(),
  ),
  'auth.signIn': def<SignedInUser>()(
    'public',
    z.object({ username: usernameSchema, pin: z.string().max(64) }).strict(),
  ),
  'auth.signOut': def<Empty>()('public', empty),
  'auth.changePin': def<Empty>()(
    'signed_in',
    z.object({ currentPin: z.string().max(64), newPin: pinSchema }).strict(),
  ),

  // Accounts (chair only).
  'users.list': def<UserDTO[]>()('chair', empty),
  'users.create': def<UserDTO>()(
    'chair',
    z.object({ username: usernameSchema, displayName, role: z.enum(ROLES), pin: pinSchema }).strict(),
  ),
  'users.setPin': def<UserDTO>()('chair', z.object({ username: usernameSchema, pin: pinSchema }).strict()),
  'users.setActive': def<UserDTO>()(
    'chair',
    z.object({ username: usernameSchema, active: z.boolean() }).strict(),
  ),

  // Exam sessions.
  'sessions.list': def<SessionDTO[]>()('signed_in', empty),
  'sessions.create': def<SessionDTO>()(
    'signed_in',
    z
      .object({
        code: z.string().trim().min(1).max(64),
        council: z.string().trim().min(1).max(300),
        date: isoDate,
        location: z.string().trim().max(300).optional(),
        licenceClasses: z.array(z.string().trim().min(1).max(4)).max(40).default([]),
      })
      .strict(),
  ),
  'sessions.close': def<SessionDTO>()('chair', z.object({ sessionCode }).strict()),
  /** The chair signs off a closed session with their PIN; it becomes read-only for good. */
  'sessions.signOff': def<SessionDTO>()('chair', z.object({ sessionCode, pin: z.string().max(64) }).strict()),

  // Roster import with preview: pick a file (main shows the dialog), preview it, then import exactly
  // what was previewed.
  'roster.pickFile': def<RosterPickDTO | null>()('signed_in', empty),
  'roster.preview': def<RosterPreviewDTO>()(
    'signed_in',
    z
      .object({ sessionCode, token: z.string().min(1).max(64), sheet: z.string().max(100).optional() })
      .strict(),
  ),
  'roster.import': def<ImportResultDTO>()(
    'signed_in',
    z.object({ sessionCode, token: z.string().min(1).max(64), replace: z.boolean().default(false) }).strict(),
  ),

  // Candidates.
  'candidates.search': def<CandidateListDTO>()(
    'signed_in',
    z.object({ sessionCode, query: z.string().max(100).optional() }).strict(),
  ),
  'candidates.photo': def<PhotoDTO>()(
    'signed_in',
    z.object({ candidateId: z.number().int().positive() }).strict(),
  ),

  // Checks.
  'checks.qr': def<CheckStartDTO>()(
    'signed_in',
    z.object({ sessionCode, text: z.string().min(1).max(2000) }).strict(),
  ),
  /** The examiner accepts the QR alone for the card waiting to be read (no chip reader, broken chip). */
  'checks.qrOnly': def<CheckResultDTO>()('signed_in', z.object({ sessionCode }).strict()),
  /** Fallback when the QR scanner fails: the ID (12 digits) or the CAN (6 digits) typed from the card. */
  'checks.manual': def<CheckStartDTO>()(
    'signed_in',
    z
      .object({
        sessionCode,
        number: z
          .string()
          .trim()
          .regex(/^(\d{6}|\d{12})$/, '6-digit CAN or 12-digit ID'),
      })
      .strict(),
  ),
  'checks.recent': def<RecentCheckDTO[]>()(
    'signed_in',
    z.object({ sessionCode, limit: z.number().int().min(1).max(50).default(8) }).strict(),
  ),
  /** The session this window checks in for: chip reads and scanner events are checked against it. */
  'checks.setActiveSession': def<Empty>()(
    'signed_in',
    z.object({ sessionCode: sessionCode.nullable() }).strict(),
  ),

  // Face check (examiner): frames from the camera, compared in main with the photo of the check.
  /** checkId null: preview only (boxes, no decision). */
  'face.frame': def<FaceFrameDTO>()(
    'signed_in',
    z.object({ checkId: checkId.nullable(), jpeg: faceFrameBytesSchema }).strict(),
  ),
  /** Forget the decision of a check and decide again from new frames (logged again). */
  'face.retry': def<Empty>()('signed_in', z.object({ checkId }).strict()),
  /** The examiner overrides a red face check with a written reason (logged 'face_override' with their name). */
  'face.override': def<FaceResultDTO>()(
    'signed_in',
    z.object({ checkId, reason: z.string().trim().min(5).max(500) }).strict(),
  ),
  'face.challengeStart': def<ChallengeStateDTO>()(
    'signed_in',
    z.object({ checkId, kind: z.enum(FACE_CHALLENGES).optional() }).strict(),
  ),
  'face.status': def<FaceStatusDTO>()('signed_in', empty),

  // The audit log (chair only).
  'log.list': def<LogPageDTO>()(
    'chair',
    z
      .object({
        sessionCode: sessionCode.optional(),
        outcome: z.enum(OUTCOMES).optional(),
        identityVerdict: z.enum(IDENTITY_VERDICTS).optional(),
        actor: usernameSchema.optional(),
        kind: z.enum(LOG_KINDS).optional(),
        from: isoInstant.optional(),
        to: isoInstant.optional(),
        limit: z.number().int().min(1).max(500).default(100),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
  ),
  'log.get': def<LogDetailsDTO>()('chair', z.object({ id: z.number().int().positive() }).strict()),
  'log.verify': def<VerifyDTO>()('chair', empty),
  'log.actors': def<string[]>()('chair', empty),

  // Reports (chair only): main shows the save dialog and writes the file.
  'reports.export': def<ExportResultDTO>()(
    'chair',
    z.object({ sessionCode, format: reportFormat, lang: lang.default('vi') }).strict(),
  ),

  // Settings.
  'settings.get': def<SettingsDTO>()('signed_in', empty),
  'settings.update': def<SettingsDTO>()('chair', settingsUpdateSchema),
  'settings.importTrustStore': def<TrustImportDTO>()('chair', empty),
  'settings.listReaders': def<ReaderInfoDTO[]>()('chair', empty),
  // The station check for the IT person (same checks as `kiosk doctor`); chair only, like all settings.
  'settings.doctor': def<DoctorReportDTO>()('chair', empty),

  // Sync with the council server (chair only): status, the server to sync with (its role and password
  // come from `kiosk server add-station`, stored encrypted), a round now.
  'sync.status': def<SyncStatusDTO>()('chair', empty),
  'sync.configure': def<SyncStatusDTO>()(
    'chair',
    z
      .object({
        server: z
          .string()
          .trim()
          .max(500)
          .regex(/^postgres(ql)?:\/\/[^\s@]+$/, 'postgres://host:port/database, without user or password')
          .nullable(),
      })
      .strict(),
  ),
  'sync.now': def<SyncStatusDTO>()('chair', empty),
  /** The session across stations: the other stations' check-ins pulled so far (the log screen). */
  'sync.sessionCheckins': def<RemoteCheckinDTO[]>()('chair', z.object({ sessionCode }).strict()),

  // What the station trusts to sign chips (chair only): issuers seen on chip reads, approve (pin) or
  // block one, lift a decision. Every change is in the audit log.
  'trust.issuers': def<TrustIssuersDTO>()('chair', empty),
  'trust.approve': def<IssuerDTO>()(
    'chair',
    z
      .object({
        issuerId,
        /** The DS certificates to trust (SHA-256 hex or a unique 6+ digit prefix): needed on a conflict. */
        signers: z
          .array(
            z
              .string()
              .trim()
              .regex(/^[0-9a-fA-F]{6,64}$/, 'signer: SHA-256 fingerprint'),
          )
          .max(16)
          .optional(),
      })
      .strict(),
  ),
  'trust.block': def<IssuerDTO>()('chair', z.object({ issuerId }).strict()),
  'trust.unblock': def<IssuerDTO>()('chair', z.object({ issuerId }).strict()),

  // Reader status snapshot (the same data as the reader.status event).
  'readers.status': def<ReaderStatusDTO[]>()('public', empty),

  // Demo mode only: a fictional card's QR text, to try the kiosk without a scanner.
  'demo.sampleQr': def<{ text: string }>()(
    'signed_in',
    z.object({ kind: z.enum(['on_roster', 'not_on_roster']) }).strict(),
  ),
  // Demo mode only: a software card (native/softcard) tapped on a virtual reader; the real chip
  // check-in runs on it and the verdict comes back (and as scan.result, like a real reader's).
  'demo.tapCard': def<CheckResultDTO>()(
    'signed_in',
    z.object({ sessionCode, kind: z.enum(['genuine', 'altered', 'clone']) }).strict(),
  ),
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type RequestOf<C extends ChannelName> = z.input<Channels[C]['request']>;
export type ParsedRequestOf<C extends ChannelName> = z.output<Channels[C]['request']>;
export type ResponseOf<C extends ChannelName> = Channels[C]['response'];

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

// ---------------------------------------------------------------------------------------------
// Events (main → window)
// ---------------------------------------------------------------------------------------------

function ev<P>(): { payload: P } {
  return { payload: undefined as unknown as P };
}

export const events = {
  /** A check made in the main process (chip read, serial/HID scanner), for the window's active session. */
  'scan.result': ev<CheckResultDTO>(),
  /** A scan or read that failed before a check could be made (card removed, reader error). */
  'scan.error': ev<ApiError>(),
  /** A QR from a hardware scanner gave the CAN: place the card on the reader. */
  'scan.awaitingChip': ev<{ qrOnlyAvailable: boolean }>(),
  'reader.status': ev<ReaderStatusDTO[]>(),
  'reading.progress': ev<ReadingProgressDTO>(),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = Events[E]['payload'];
export const EVENT_NAMES = Object.keys(events) as EventName[];

/** IPC channel / SSE names on the wire. */
export const IPC_INVOKE_PREFIX = 'kiosk:';
export const IPC_EVENT_PREFIX = 'kiosk-event:';

// ---------------------------------------------------------------------------------------------
// The window.kiosk shape, derived from the lists above
// ---------------------------------------------------------------------------------------------

type NamespaceOf<S extends string> = S extends `${infer NS}.${string}` ? NS : never;
type Namespace = NamespaceOf<ChannelName> | NamespaceOf<EventName>;

type Args<C extends ChannelName> =
  Record<never, never> extends RequestOf<C> ? [request?: RequestOf<C>] : [request: RequestOf<C>];

type MethodsOf<NS extends string> = {
  [C in ChannelName as C extends `${NS}.${infer M}` ? M : never]: (
    ...args: Args<C>
  ) => Promise<Result<ResponseOf<C>>>;
};
type EventMethodsOf<NS extends string> = {
  [E in EventName as E extends `${NS}.${infer M}` ? `on${Capitalize<M>}` : never]: (
    listener: (payload: EventPayload<E>) => void,
  ) => () => void;
};

/** `window.kiosk`: one object per namespace, one function per channel or event. */
export type KioskWindowApi = { [NS in Namespace]: MethodsOf<NS> & EventMethodsOf<NS> };

export type Invoke = (channel: ChannelName, request: unknown) => Promise<unknown>;
export type Subscribe = (event: EventName, listener: (payload: unknown) => void) => () => void;

/**
 * Builds window.kiosk from the channel and event names: the preload passes an ipcRenderer-backed
 * invoke/subscribe, the e2e bridge client an HTTP/SSE-backed one. The result holds functions only.
 */
export function buildKioskApi(invoke: Invoke, subscribe: Subscribe): KioskWindowApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of CHANNEL_NAMES) {
    const [ns, method] = name.split('.') as [string, string];
    (api[ns] ??= {})[method] = (request?: unknown) => invoke(name, request ?? {});
  }
  for (const name of EVENT_NAMES) {
    const [ns, e] = name.split('.') as [string, string];
    (api[ns] ??= {})[`on${e.charAt(0).toUpperCase()}${e.slice(1)}`] = (listener: (p: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      return subscribe(name, (p) => listener(p));
    };
  }
  for (const ns of Object.values(api)) Object.freeze(ns);
  return Object.freeze(api) as unknown as KioskWindowApi;
}

export function isChannelName(name: string): name is ChannelName {
  return Object.prototype.hasOwnProperty.call(channels, name);
}

export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}
