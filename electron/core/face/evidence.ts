/**
 * The evidence frame of a red face check (issue 12): only when the chair turned `faceKeepEvidence` on,
 * the camera frame that decided `no_match` is kept, encrypted with the station's data key like the
 * roster photos (data-crypto.ts; the AAD binds it to its session and check), and erased with the rest of
 * the session's personal data by the retention purge (privacy.ts). Never logged, never printed.
 */
import type { Db } from '../db';
import type { DataCipher } from '../data-crypto';
import { storageError } from '../errors';

const context = (sessionId: number, checkId: number): string => `face_evidence:${sessionId}:${checkId}`;

export class FaceEvidence {
  constructor(
    private readonly db: Db,
    private readonly cipher: DataCipher,
  ) {}

  /** Keeps one frame of a check (JPEG bytes); returns its row id. */
  keep(sessionCode: string, checkId: number, jpeg: Uint8Array, at: Date = new Date()): number {
    const s = this.db.prepare('SELECT id FROM exam_sessions WHERE code = ?').get(sessionCode) as
      { id: number } | undefined;
    if (!s) throw storageError(new Error('no such session'));
    try {
      return Number(
        this.db
          .prepare(
            'INSERT INTO face_evidence (session_id, check_log_id, created_at, mime, image) VALUES (?, ?, ?, ?, ?)',
          )
          .run(
            s.id,
            checkId,
            at.toISOString(),
            'image/jpeg',
            this.cipher.encrypt(jpeg, context(s.id, checkId)),
          ).lastInsertRowid,
      );
    } catch (err) {
      throw storageError(err);
    }
  }

  /** The frames kept for a check, decrypted (for the chair's review). */
  frames(checkId: number): { mime: string; data: Uint8Array; at: string }[] {
    const rows = this.db
      .prepare(
        'SELECT session_id, check_log_id, created_at, mime, image FROM face_evidence WHERE check_log_id = ? ORDER BY id',
      )
      .all(checkId) as {
      session_id: number;
      check_log_id: number;
      created_at: string;
      mime: string;
      image: Buffer;
    }[];
    return rows.map((r) => ({
      mime: r.mime,
      at: r.created_at,
      data: new Uint8Array(this.cipher.decrypt(r.image, context(r.session_id, r.check_log_id))),
    }));
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM face_evidence').get() as { n: number }).n;
  }
}
