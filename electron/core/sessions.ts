import type { Actor } from './actor';
import { z } from 'zod';
import type { Db } from './db';
import type { SessionRow } from './rows';
import { KioskError, storageError } from './errors';
import type { AuditLog, LogEntry } from './audit-log';
import type { SessionSealer } from './session-seal';
import type { SessionState } from '../../native/domain/vocabulary';
import type { SessionRecordDTO } from '../shared/ipc-contract';

/** A stored exam session: the fields the UI sees (SessionRecordDTO) and its row id. */
export interface ExamSession extends SessionRecordDTO {
  id: number;
}

export const sessionInputSchema = z.object({
  code: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[\p{L}\p{N}._/-]+$/u, 'letters, digits, . _ / - only'),
  council: z.string().trim().min(1).max(300),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'),
  location: z.string().trim().max(300).optional(),
  licenceClasses: z.array(z.string().trim().toUpperCase().min(1).max(4)).default([]),
});
export type SessionInput = z.input<typeof sessionInputSchema>;

function toSession(r: SessionRow): ExamSession {
  return {
    id: r.id,
    code: r.code,
    council: r.council,
    date: r.exam_date,
    location: r.location,
    licenceClasses: r.licence_classes ? r.licence_classes.split(',') : [],
    state: r.state,
    createdAt: r.created_at,
    closedAt: r.closed_at,
    signedAt: r.signed_at,
    signedBy: r.signed_by,
  };
}

function isRealDate(iso: string): boolean {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

export class SessionService {
  constructor(
    private readonly db: Db,
    private readonly log: AuditLog,
    /** Seals signed sessions with the station key (session-seal.ts); without it, sign-off is unsealed. */
    private readonly sealer?: SessionSealer,
  ) {}

  create(input: SessionInput, by: Actor): ExamSession {
    const parsed = sessionInputSchema.safeParse(input);
    if (!parsed.success) {
      throw new KioskError(
        'invalid_session',
        {
          vi:
            'Thông tin kỳ sát hạch không hợp lệ: ' +
            parsed.error.issues.map((i) => i.path.join('.')).join(', '),
          en:
            'Invalid exam session: ' +
            parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        },
        parsed.error.issues,
      );
    }
    const s = parsed.data;
    if (!isRealDate(s.date)) {
      throw new KioskError('invalid_session', {
        vi: `Ngày sát hạch không hợp lệ: ${s.date}`,
        en: `Invalid exam date: ${s.date}`,
      });
    }
    if (this.find(s.code)) {
      throw new KioskError('session_exists', {
        vi: `Kỳ sát hạch "${s.code}" đã tồn tại.`,
        en: `Exam session "${s.code}" already exists.`,
      });
    }
    const now = new Date().toISOString();
    try {
      return this.db.transaction(() => {
        const info = this.db
          .prepare(
            `INSERT INTO exam_sessions (code, council, exam_date, location, licence_classes, state, created_at)
             VALUES (?, ?, ?, ?, ?, 'open', ?)`,
          )
          .run(s.code, s.council, s.date, s.location ?? null, [...new Set(s.licenceClasses)].join(','), now);
        this.log.append({
          kind: 'session_created',
          ...by,
          sessionCode: s.code,
          details: { council: s.council, date: s.date, licenceClasses: s.licenceClasses },
        });
        return this.get(s.code, Number(info.lastInsertRowid));
      })();
    } catch (err) {
      throw storageError(err);
    }
  }

  find(code: string): ExamSession | undefined {
    const r = this.db.prepare('SELECT * FROM exam_sessions WHERE code = ?').get(code) as
      SessionRow | undefined;
    return r ? toSession(r) : undefined;
  }

  get(code: string, _id?: number): ExamSession {
    const s = this.find(code);
    if (!s) {
      throw new KioskError('session_not_found', {
        vi: `Không tìm thấy kỳ sát hạch "${code}".`,
        en: `Exam session "${code}" not found.`,
      });
    }
    return s;
  }

  list(): ExamSession[] {
    return (
      this.db.prepare('SELECT * FROM exam_sessions ORDER BY exam_date DESC, id DESC').all() as SessionRow[]
    ).map(toSession);
  }

  /** open → closed: check-in ends; the roster and log stay readable. */
  close(code: string, by: Actor): ExamSession {
    const s = this.get(code);
    if (s.state !== 'open') throw notInState(s, 'open');
    return this.transition(s, 'closed', by, { closed_at: new Date().toISOString() }, 'session_closed');
  }

  /**
   * closed → signed: the chair signs off; the session becomes read-only for good. With a sealer, the
   * same transaction seals the roster and stores the signed statement naming the log head (the
   * `session_signed` entry): no sign-off without its seal.
   */
  sign(code: string, by: Actor, extraDetails: Record<string, unknown> = {}): ExamSession {
    const s = this.get(code);
    if (s.state !== 'closed') throw notInState(s, 'closed');
    const sealer = this.sealer;
    sealer?.ready();
    const now = new Date().toISOString();
    return this.transition(
      s,
      'signed',
      by,
      { signed_at: now, signed_by: by.actor },
      'session_signed',
      extraDetails,
      sealer && {
        before: () => sealer.sealRoster(s.id),
        after: (head) => void sealer.seal(s.id, head, by),
      },
    );
  }

  private transition(
    s: ExamSession,
    to: SessionState,
    by: Actor,
    cols: Record<string, string>,
    kind: 'session_closed' | 'session_signed',
    details: Record<string, unknown> = {},
    hooks?: { before: () => void; after: (entry: LogEntry) => void },
  ): ExamSession {
    const sets = Object.keys(cols)
      .map((c) => `${c} = @${c}`)
      .join(', ');
    try {
      this.db
        .transaction(() => {
          hooks?.before();
          this.db
            .prepare(`UPDATE exam_sessions SET state = @state, ${sets} WHERE id = @id AND state = @from`)
            .run({ ...cols, state: to, id: s.id, from: s.state });
          const entry = this.log.append({ kind, ...by, sessionCode: s.code, details });
          hooks?.after(entry);
        })
        .immediate();
    } catch (err) {
      throw storageError(err);
    }
    return this.get(s.code);
  }
}

export function notInState(s: ExamSession, expected: SessionState): KioskError {
  const stateVi: Record<SessionState, string> = { open: 'đang mở', closed: 'đã đóng', signed: 'đã ký duyệt' };
  return new KioskError(`session_${s.state}`, {
    vi: `Kỳ sát hạch "${s.code}" ${stateVi[s.state]}; thao tác này cần trạng thái "${stateVi[expected]}".`,
    en: `Exam session "${s.code}" is ${s.state}; this needs it to be ${expected}.`,
  });
}
