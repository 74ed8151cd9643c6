/**
 * Personal data under Vietnam's Decree 13/2023/ND-CP: encrypted at rest (data-crypto.ts), kept only
 * as long as needed (the retention purge below), never in the audit log (which holds verdicts,
 * reasons, codes, counts and hashes only).
 *
 * The purge erases the personal columns of the candidates of SIGNED sessions signed more than N
 * days ago: name, date of birth, ID numbers, sex, photo, note and the seal nonce. What stays: the
 * row (id, candidate number, licence class, source row, personal digest), the session, the log and
 * the seal, so verdicts remain and `kiosk log verify --session` still passes. The erased bytes must
 * not linger in the database files either: SQLite leaves old copies of rows in free space (an update
 * or a page split before the purge), so the purge rebuilds the file (VACUUM) and checkpoints and
 * truncates the WAL.
 */
import type { Db } from './db';
import type { AuditLog } from './audit-log';
import type { Actor } from './actor';
import {
  candidateContext,
  ENCRYPTED_TEXT_PREFIX,
  isEncryptedBlob,
  isEncryptedText,
  type DataCipher,
} from './data-crypto';
import { KioskError, storageError } from './errors';

export interface PurgeOptions {
  /** Purge sessions signed at least this many days ago (0 = every signed session). */
  olderThanDays: number;
  dryRun?: boolean;
  now?: Date;
  by: Actor;
}

export interface PurgedSession {
  code: string;
  signedAt: string;
  /** Candidates whose personal data is (or, in a dry run, would be) erased. */
  candidates: number;
}

export interface PurgeResult {
  dryRun: boolean;
  olderThanDays: number;
  /** Sessions signed at or before this instant are purged. */
  cutoff: string;
  sessions: PurgedSession[];
  candidates: number;
  /** The log entry recording the purge (none in a dry run or when nothing was purged). */
  logId: number | null;
  /**
   * The database file was rebuilt so no erased byte remains in it. False when another program held
   * the database at that moment: run the purge again (it then only rebuilds) when it is closed.
   */
  compacted: boolean;
}

const AT_REST_META_KEY = 'privacy.encrypted_at_rest';
const COMPACT_PENDING_KEY = 'privacy.compaction_pending';

export class PrivacyService {
  constructor(
    private readonly db: Db,
    private readonly log: AuditLog,
    private readonly cipher: DataCipher,
  ) {}

  purge(options: PurgeOptions): PurgeResult {
    const days = options.olderThanDays;
    if (!Number.isInteger(days) || days < 0 || days > 36_500) {
      throw new KioskError('usage', {
        vi: 'Số ngày lưu trữ phải là số nguyên từ 0 đến 36500.',
        en: 'The retention period must be a whole number of days from 0 to 36500.',
      });
    }
    const now = options.now ?? new Date();
    const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
    const find = () =>
      this.db
        .prepare(
          `SELECT s.id, s.code, s.signed_at AS signedAt, count(c.id) AS candidates
           FROM exam_sessions s JOIN candidates c ON c.session_id = s.id AND c.purged_at IS NULL
           WHERE s.state = 'signed' AND s.signed_at <= ?
           GROUP BY s.id ORDER BY s.signed_at, s.id`,
        )
        .all(cutoff) as Array<PurgedSession & { id: number }>;
    const base = { dryRun: options.dryRun ?? false, olderThanDays: days, cutoff, compacted: false };
    const strip = (list: Array<PurgedSession & { id: number }>): PurgedSession[] =>
      list.map(({ code, signedAt, candidates }) => ({ code, signedAt, candidates }));

    if (options.dryRun) {
      const list = find();
      return { ...base, sessions: strip(list), candidates: sum(list), logId: null };
    }
    // Erased bytes are overwritten with zeros instead of left in free space.
    this.db.pragma('secure_delete = ON');
    let result: PurgeResult;
    const pending = this.compactionPending();
    try {
      result = this.db
        .transaction(() => {
          const list = find();
          if (!list.length) return { ...base, sessions: [], candidates: 0, logId: null };
          const at = now.toISOString();
          const erase = this.db.prepare(
            `UPDATE candidates SET full_name = '', date_of_birth = '', id_number = '-' || id, old_id_number = NULL,
             sex = NULL, photo = NULL, photo_mime = NULL, note = NULL, seal_nonce = NULL, purged_at = ?
           WHERE session_id = ? AND purged_at IS NULL`,
          );
          // Face check evidence frames (issue 12) of these sessions go with the rest of their personal data.
          const dropEvidence = this.db.prepare('DELETE FROM face_evidence WHERE session_id = ?');
          for (const s of list) {
            erase.run(at, s.id);
            dropEvidence.run(s.id);
          }
          const sessions = strip(list);
          const entry = this.log.append({
            kind: 'privacy_purged',
            ...options.by,
            details: { olderThanDays: days, cutoff, sessions, candidates: sum(list) },
          });
          return { ...base, sessions, candidates: sum(list), logId: entry.id };
        })
        .immediate();
    } catch (err) {
      throw storageError(err);
    }
    if (result.candidates > 0 || pending) result = { ...result, compacted: this.compact() };
    return result;
  }

  /** A purge whose rebuild could not run (another program held the database) leaves this flag. */
  private compactionPending(): boolean {
    return this.db.prepare('SELECT 1 FROM meta WHERE key = ?').get(COMPACT_PENDING_KEY) !== undefined;
  }

  /**
   * Rebuilds the database file (VACUUM: no free space, no stale copy of an erased row) and folds the
   * WAL into it, truncated. Returns false when it could not (the database is busy elsewhere).
   */
  private compact(): boolean {
    const flag = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    try {
      flag.run(COMPACT_PENDING_KEY, new Date().toISOString());
      this.db.exec('VACUUM');
      this.db.prepare('DELETE FROM meta WHERE key = ?').run(COMPACT_PENDING_KEY);
      const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      return !r || r.busy === 0;
    } catch {
      return false;
    }
  }

  /**
   * Encrypts photos and notes that an older version stored in plain text. Runs when the services
   * open; a flag in `meta` makes it a no-op afterwards. Returns how many rows were encrypted.
   */
  encryptLegacyPlaintext(): number {
    const done = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(AT_REST_META_KEY) as
      { value: string } | undefined;
    if (done) return 0;
    const rows = this.db
      .prepare(
        `SELECT id, session_id, candidate_no, photo, note FROM candidates
         WHERE (photo IS NOT NULL AND substr(photo, 1, 4) != CAST('CKE1' AS BLOB))
            OR (note IS NOT NULL AND substr(note, 1, ${ENCRYPTED_TEXT_PREFIX.length}) != '${ENCRYPTED_TEXT_PREFIX}')`,
      )
      .all() as Array<{
      id: number;
      session_id: number;
      candidate_no: string;
      photo: Buffer | null;
      note: string | null;
    }>;
    if (rows.length) this.db.pragma('secure_delete = ON');
    try {
      this.db
        .transaction(() => {
          const update = this.db.prepare('UPDATE candidates SET photo = ?, note = ? WHERE id = ?');
          for (const r of rows) {
            const photo =
              r.photo && !isEncryptedBlob(r.photo)
                ? this.cipher.encrypt(r.photo, candidateContext('photo', r.session_id, r.candidate_no))
                : r.photo;
            const note =
              r.note !== null && !isEncryptedText(r.note)
                ? this.cipher.encryptText(r.note, candidateContext('note', r.session_id, r.candidate_no))
                : r.note;
            update.run(photo, note, r.id);
          }
          this.db
            .prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
            .run(
              AT_REST_META_KEY,
              JSON.stringify({ version: 1, at: new Date().toISOString(), rows: rows.length }),
            );
        })
        .immediate();
    } catch (err) {
      throw storageError(err);
    }
    if (rows.length) this.compact();
    return rows.length;
  }
}

function sum(list: Array<{ candidates: number }>): number {
  return list.reduce((n, s) => n + s.candidates, 0);
}
