/**
 * The signed statement of a session's sign-off ("seal"), stored in `session_seals`.
 *
 * When the chair signs a session off, inside the same transaction:
 *  1. every candidate row of the session gets a random 256-bit nonce and a PERSONAL DIGEST
 *     = SHA-256(canonical JSON of the nonce and the row's personal columns as stored: name, date of
 *     birth, ID numbers, sex, note and photo ciphertexts, photo type);
 *  2. the session becomes 'signed' and the `session_signed` log entry is appended: that entry is the
 *     log HEAD the statement names;
 *  3. the statement below is built, its canonical JSON signed with the station's Ed25519 key, and
 *     statement + signature + public key + key fingerprint are stored.
 *
 *   { type: 'cccd-kiosk/session-seal', version: 1,
 *     session: <code>, sessionDigest: SHA-256 of the signed exam_sessions row (every column),
 *     roster: { candidates: n, digest: SHA-256 over every candidate row's id, candidate number,
 *               licence class, source row and personal digest, in id order },
 *     head: { id, hash }, signedAt, signedBy, station, key: <public key fingerprint> }
 *
 * A retention purge erases the personal columns and the nonce but keeps the personal digest, so
 * the roster digest, the statement and its signature stay valid; without the nonce the digest
 * tells nothing about the erased data.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from './db';
import type { CandidateRow, SessionRow } from './rows';
import type { Actor } from './actor';
import { canonicalJson, sha256Hex } from './canonical';
import type { StationKey } from './station-key';
import { publicKeyFingerprint } from './station-key';
import { storageError } from './errors';

export const SEAL_TYPE = 'cccd-kiosk/session-seal';

export interface SealStatement {
  type: typeof SEAL_TYPE;
  version: 1;
  session: string;
  sessionDigest: string;
  roster: { candidates: number; digest: string };
  head: { id: number; hash: string };
  signedAt: string;
  signedBy: string;
  station: string;
  key: string;
}

export interface SessionSeal {
  sessionId: number;
  /** The canonical JSON that was signed, exactly as stored. */
  statement: string;
  /** Ed25519 signature over `statement` (UTF-8), base64. */
  signature: string;
  /** SPKI PEM of the signing key. */
  publicKey: string;
  keyFingerprint: string;
  createdAt: string;
}

/** A candidates row as stored (the columns the seal covers: all but the session id). */
export type CandidateRowRaw = Omit<CandidateRow, 'session_id'>;

const SESSION_COLUMNS =
  'id, code, council, exam_date, location, licence_classes, state, created_at, closed_at, signed_at, signed_by';
const CANDIDATE_COLUMNS =
  'id, candidate_no, full_name, date_of_birth, id_number, old_id_number, licence_class, sex, photo, photo_mime, ' +
  'note, source_row, seal_nonce, personal_digest, purged_at';

export function sessionRow(db: Db, sessionId: number): SessionRow | undefined {
  return db.prepare(`SELECT ${SESSION_COLUMNS} FROM exam_sessions WHERE id = ?`).get(sessionId) as
    SessionRow | undefined;
}

export function candidateRows(db: Db, sessionId: number): CandidateRowRaw[] {
  return db
    .prepare(`SELECT ${CANDIDATE_COLUMNS} FROM candidates WHERE session_id = ? ORDER BY id`)
    .all(sessionId) as CandidateRowRaw[];
}

export function sessionRowDigest(row: SessionRow): string {
  return sha256Hex(canonicalJson({ table: 'exam_sessions', ...row }));
}

/** The digest of a row's personal columns, as stored, with its nonce. */
export function personalDigest(row: CandidateRowRaw, nonce: string): string {
  return sha256Hex(
    canonicalJson({
      v: 1,
      nonce,
      fullName: row.full_name,
      dateOfBirth: row.date_of_birth,
      idNumber: row.id_number,
      oldIdNumber: row.old_id_number,
      sex: row.sex,
      note: row.note,
      photoMime: row.photo_mime,
      photo: row.photo ? sha256Hex(row.photo) : null,
    }),
  );
}

/** The roster digest over the stored personal digests and the non-personal columns. */
export function rosterDigest(rows: CandidateRowRaw[]): string {
  return sha256Hex(
    canonicalJson({
      v: 1,
      rows: rows.map((r) => ({
        id: r.id,
        candidateNo: r.candidate_no,
        licenceClass: r.licence_class,
        sourceRow: r.source_row,
        personal: r.personal_digest,
      })),
    }),
  );
}

/** Parses a stored statement; null when it is not one. */
export function parseStatement(text: string): SealStatement | null {
  try {
    const s = JSON.parse(text) as Partial<SealStatement>;
    if (
      s?.type !== SEAL_TYPE ||
      s.version !== 1 ||
      typeof s.session !== 'string' ||
      typeof s.head?.id !== 'number' ||
      typeof s.head.hash !== 'string' ||
      typeof s.roster?.digest !== 'string' ||
      typeof s.roster.candidates !== 'number' ||
      typeof s.sessionDigest !== 'string' ||
      typeof s.key !== 'string'
    ) {
      return null;
    }
    return s as SealStatement;
  } catch {
    return null;
  }
}

interface SealRow {
  session_id: number;
  statement: string;
  signature: string;
  public_key: string;
  key_fingerprint: string;
  created_at: string;
}

export function findSeal(db: Db, sessionId: number): SessionSeal | undefined {
  const r = db.prepare('SELECT * FROM session_seals WHERE session_id = ?').get(sessionId) as
    SealRow | undefined;
  return r
    ? {
        sessionId: r.session_id,
        statement: r.statement,
        signature: r.signature,
        publicKey: r.public_key,
        keyFingerprint: r.key_fingerprint,
        createdAt: r.created_at,
      }
    : undefined;
}

/** What SessionService.sign() calls, inside its transaction. */
export class SessionSealer {
  constructor(
    private readonly db: Db,
    private readonly key: StationKey,
  ) {}

  /** Loads (or creates) the station key: call before the sign-off transaction so a key problem stops it early. */
  ready(): void {
    this.key.publicKeyPem();
  }

  /** Step 1: nonces and personal digests, while the session is still 'closed'. */
  sealRoster(sessionId: number): void {
    const update = this.db.prepare('UPDATE candidates SET seal_nonce = ?, personal_digest = ? WHERE id = ?');
    for (const row of candidateRows(this.db, sessionId)) {
      if (row.purged_at) continue;
      const nonce = randomBytes(32).toString('hex');
      update.run(nonce, personalDigest(row, nonce), row.id);
    }
  }

  /** Step 3: the statement over the signed session row, the roster and the log head. */
  seal(sessionId: number, head: { id: number; hash: string }, by: Actor): SessionSeal {
    const session = sessionRow(this.db, sessionId);
    if (!session || session.state !== 'signed' || !session.signed_at) {
      throw new Error('seal: the session is not signed');
    }
    const rows = candidateRows(this.db, sessionId);
    const publicKey = this.key.publicKeyPem();
    const statement: SealStatement = {
      type: SEAL_TYPE,
      version: 1,
      session: session.code,
      sessionDigest: sessionRowDigest(session),
      roster: { candidates: rows.length, digest: rosterDigest(rows) },
      head: { id: head.id, hash: head.hash },
      signedAt: session.signed_at,
      signedBy: session.signed_by ?? by.actor,
      station: by.station,
      key: publicKeyFingerprint(publicKey),
    };
    const text = canonicalJson(statement);
    const seal: SessionSeal = {
      sessionId,
      statement: text,
      signature: this.key.sign(text),
      publicKey,
      keyFingerprint: statement.key,
      createdAt: session.signed_at,
    };
    try {
      this.db
        .prepare(
          `INSERT INTO session_seals (session_id, statement, signature, public_key, key_fingerprint, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(
          seal.sessionId,
          seal.statement,
          seal.signature,
          seal.publicKey,
          seal.keyFingerprint,
          seal.createdAt,
        );
    } catch (err) {
      throw storageError(err);
    }
    return seal;
  }
}
