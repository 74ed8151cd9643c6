import type { Db } from './db';
import { sha256Hex } from './canonical';
import {
  LOG_COLUMNS,
  checkRange,
  checkRangeOn,
  checkRangesInWorkers,
  defaultThreads,
  RANGE_SQL,
  type ParallelOptions,
  type RangeCheck,
} from './log-verify';
import type { LogKind, ReadingSource, Reason } from '../../native/domain/vocabulary';
import type { LogRecordDTO, VerifyDTO } from '../shared/ipc-contract';
import { storageError } from './errors';

/**
 * The tamper-evident audit log. Every entry is chained to the one before it:
 *   entry = JSON array [LOG_VERSION, id, at, kind, station, actor, session_code, source,
 *                       identity_verdict, authenticity_verdict, outcome, reasons, candidate_id,
 *                       card_hash, details, prev_hash], as JSON.stringify writes it
 *   hash  = SHA-256(entry)
 * The row stores that exact text (`entry`) beside its hash; the other columns are generated from the
 * text by SQLite (migration 5), so a column can never say what the hash does not cover, and verifying
 * is read-and-hash. The first entry's prev_hash is GENESIS. Because the id is hashed too, a deleted,
 * inserted or swapped row breaks the chain at that row. docs/audit-log-format.md has the format.
 */

export const LOG_VERSION = 'cccd-kiosk-log-v1';
export const GENESIS_HASH = '0'.repeat(64);

export interface LogEntryInput {
  kind: LogKind;
  station: string;
  actor: string;
  sessionCode?: string | null;
  source?: ReadingSource | null;
  identityVerdict?: string | null;
  authenticityVerdict?: string | null;
  outcome?: string | null;
  reasons?: Reason[];
  candidateId?: number | null;
  cardHash?: string | null;
  /** Non-personal details (authenticity checks, trace summary, counts). */
  details?: Record<string, unknown>;
  /** Override the timestamp (tests); defaults to now, UTC. */
  at?: string;
}

/** A stored entry: the columns the UI may see (LogRecordDTO) and the rest of the hashed row. */
export interface LogEntry extends LogRecordDTO {
  candidateId: number | null;
  cardHash: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** Row as stored, in hashed column order. */
type RawRow = [
  number,
  string,
  string,
  string,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string,
  number | null,
  string | null,
  string,
  string,
  string,
];

export { LOG_COLUMNS };

/** The exact text an entry's hash covers, from its fields in hashed order (a stored hash at index 15 is ignored). */
export function entryText(row: Omit<RawRow, 15> | RawRow): string {
  return JSON.stringify([LOG_VERSION, ...(row as unknown[]).slice(0, 15)]);
}

export function entryHash(row: Omit<RawRow, 15> | RawRow): string {
  return sha256Hex(entryText(row));
}

/** One stored entry as it is hashed and synced: its id, the exact text and the hash of that text. */
export interface StoredEntry {
  id: number;
  entry: string;
  hash: string;
}

function toEntry(r: RawRow): LogEntry {
  return {
    id: r[0],
    at: r[1],
    kind: r[2] as LogKind,
    station: r[3],
    actor: r[4],
    sessionCode: r[5],
    source: r[6] as ReadingSource | null,
    identityVerdict: r[7],
    authenticityVerdict: r[8],
    outcome: r[9],
    reasons: safeJson(r[10], []) as Reason[],
    candidateId: r[11],
    cardHash: r[12],
    details: safeJson(r[13], {}) as Record<string, unknown>,
    prevHash: r[14],
    hash: r[15],
  };
}

function safeJson(text: string | null, fallback: unknown): unknown {
  if (typeof text !== 'string') return fallback;
  try {
    return JSON.parse(text) ?? fallback;
  } catch {
    return fallback;
  }
}

export class AuditLog {
  private readonly insert;
  private readonly head;

  constructor(private readonly db: Db) {
    this.insert = db.prepare('INSERT INTO audit_log (id, entry, hash) VALUES (?, ?, ?)');
    this.head = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
  }

  /**
   * Appends one entry. Call inside a transaction when the entry must commit together with other
   * writes; on its own it is atomic too. Returns the stored entry.
   */
  append(input: LogEntryInput): LogEntry {
    const run = () => {
      const last = this.head.get() as { id: number; hash: string } | undefined;
      const id = (last?.id ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const row: RawRow = [
        id,
        input.at ?? new Date().toISOString(),
        input.kind,
        input.station,
        input.actor,
        input.sessionCode ?? null,
        input.source ?? null,
        input.identityVerdict ?? null,
        input.authenticityVerdict ?? null,
        input.outcome ?? null,
        JSON.stringify(input.reasons ?? []),
        input.candidateId ?? null,
        input.cardHash ?? null,
        JSON.stringify(input.details ?? {}),
        prevHash,
        '',
      ];
      const text = entryText(row);
      row[15] = sha256Hex(text);
      this.insert.run(id, text, row[15]);
      return toEntry(row);
    };
    try {
      return this.db.inTransaction ? run() : this.db.transaction(run).immediate();
    } catch (err) {
      throw storageError(err);
    }
  }

  get(id: number): LogEntry | undefined {
    const r = this.db.prepare(`SELECT ${LOG_COLUMNS} FROM audit_log WHERE id = ?`).raw().get(id) as
      RawRow | undefined;
    return r ? toEntry(r) : undefined;
  }

  /**
   * The stored entries after `afterId`, in id order, as their exact hashed text: what an external
   * copy (the council server) keeps and re-hashes.
   */
  entriesAfter(afterId: number, limit = 500): StoredEntry[] {
    return this.db
      .prepare('SELECT id, entry, hash FROM audit_log WHERE id > ? ORDER BY id LIMIT ?')
      .all(afterId, limit) as StoredEntry[];
  }

  /** Everyone who made a check, for the log screen's examiner filter. */
  checkActors(): string[] {
    return (
      this.db.prepare(`SELECT DISTINCT actor FROM audit_log WHERE kind = 'check' ORDER BY actor`).all() as {
        actor: string;
      }[]
    ).map((r) => r.actor);
  }

  headEntry(): { id: number; hash: string } | undefined {
    return this.head.get() as { id: number; hash: string } | undefined;
  }

  list(filter: LogFilter = {}): LogEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.sessionCode) {
      where.push('session_code = ?');
      args.push(filter.sessionCode);
    }
    if (filter.kind) {
      where.push('kind = ?');
      args.push(filter.kind);
    }
    if (filter.identityVerdict) {
      where.push('identity_verdict = ?');
      args.push(filter.identityVerdict);
    }
    if (filter.outcome) {
      where.push('outcome = ?');
      args.push(filter.outcome);
    }
    if (filter.actor) {
      where.push('actor = ?');
      args.push(filter.actor);
    }
    if (filter.from) {
      where.push('at >= ?');
      args.push(filter.from);
    }
    if (filter.to) {
      where.push('at <= ?');
      args.push(filter.to);
    }
    const sql = `SELECT ${LOG_COLUMNS} FROM audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY id ${filter.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`;
    args.push(filter.limit ?? 1000, filter.offset ?? 0);
    return (
      this.db
        .prepare(sql)
        .raw()
        .all(...args) as RawRow[]
    ).map(toEntry);
  }

  /** Recomputes the chain over every entry and names the first broken one (in this thread). */
  verify(): VerifyReport {
    const started = performance.now();
    const bounds = this.bounds();
    if (!bounds) return stitch([], started);
    return stitch(
      [checkRangeOn(this.db, LOG_VERSION, bounds.min, bounds.max, sha256Hex, RANGE_SQL, checkRange)],
      started,
    );
  }

  /**
   * The same result as verify(), with the id range spread over worker threads (one per core) when
   * the log is large: what `kiosk log verify` and the chair's screen use.
   */
  async verifyParallel(options: ParallelOptions = {}): Promise<VerifyReport> {
    const started = performance.now();
    const bounds = this.bounds();
    if (!bounds) return stitch([], started);
    const threads = options.threads ?? defaultThreads();
    const file = this.db.name;
    const span = bounds.max - bounds.min + 1;
    if (threads <= 1 || span < (options.minEntriesForThreads ?? 20_000) || this.db.memory || !file) {
      return this.verify();
    }
    // Workers read the file: what this connection wrote must be in it (WAL readers see committed data).
    const ranges = await checkRangesInWorkers(file, LOG_VERSION, bounds.min, bounds.max, threads, {
      thisThread: options.thisThread ? (from, to) => this.checkRange(from, to) : undefined,
    });
    return stitch(ranges, started);
  }

  /** One id range checked on this connection, in this thread. */
  private checkRange(from: number, to: number): RangeCheck {
    return checkRangeOn(this.db, LOG_VERSION, from, to, sha256Hex, RANGE_SQL, checkRange);
  }

  /**
   * The lowest and highest id (two rowid lookups: a count(*) would read every page of the log, which
   * costs as much as a third of the verification itself).
   */
  private bounds(): { min: number; max: number } | undefined {
    const b = this.db.prepare('SELECT min(id) AS min, max(id) AS max FROM audit_log').get() as {
      min: number | null;
      max: number | null;
    };
    return b.min === null || b.max === null ? undefined : { min: b.min, max: b.max };
  }
}

/** Joins the checks of consecutive id ranges into one report, as a row-by-row pass would give it. */
function stitch(ranges: RangeCheck[], started: number): VerifyReport {
  let expectedId = 1;
  let expectedPrev = GENESIS_HASH;
  let count = 0;
  for (const r of ranges) {
    if (!r.first) continue;
    const id = r.first.id;
    if (id !== expectedId) {
      const problem = id > expectedId ? 'missing_entry' : 'sequence_error';
      return broken(id, problem, messageFor(problem, id, expectedId), count + 1, started);
    }
    if (r.first.prevHash !== null && r.first.prevHash !== expectedPrev) {
      return broken(
        id,
        'prev_hash_mismatch',
        messageFor('prev_hash_mismatch', id, expectedId),
        count + 1,
        started,
      );
    }
    if (r.broken) {
      const b = r.broken;
      return broken(b.id, b.problem, messageFor(b.problem, b.id, b.expected), count + b.index + 1, started);
    }
    if (!r.last) continue;
    count += r.count;
    expectedId = r.last.id + 1;
    expectedPrev = r.last.hash;
  }
  return {
    ok: true,
    entries: count,
    headId: count ? expectedId - 1 : null,
    headHash: count ? expectedPrev : null,
    ms: performance.now() - started,
  };
}

function messageFor(problem: string, id: number, expectedId: number): string {
  switch (problem) {
    case 'missing_entry':
      return `entry ${expectedId}${id - expectedId > 1 ? `-${id - 1}` : ''} is missing before entry ${id}`;
    case 'sequence_error':
      return `entry ${id} is out of sequence (expected ${expectedId})`;
    case 'prev_hash_mismatch':
      return `entry ${id} does not link to entry ${id - 1} (an entry was inserted, deleted, reordered or its link edited)`;
    default:
      return `entry ${id} was modified after it was written`;
  }
}

export interface LogFilter {
  sessionCode?: string;
  kind?: LogKind;
  identityVerdict?: string;
  outcome?: string;
  actor?: string;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
  order?: 'asc' | 'desc';
}

/** The answer of a chain check: what `log.verify` returns to the UI, as it is. */
export type VerifyReport = VerifyDTO;

function broken(id: number, problem: string, message: string, count: number, started: number): VerifyReport {
  return {
    ok: false,
    entries: count,
    firstBroken: {
      id,
      problem,
      message,
      vi: `Nhật ký bị thay đổi: mục số ${id} không khớp chuỗi băm (${problemVi(problem)}).`,
    },
    ms: performance.now() - started,
  };
}

function problemVi(problem: string): string {
  switch (problem) {
    case 'missing_entry':
      return 'thiếu mục trước đó';
    case 'sequence_error':
      return 'sai thứ tự';
    case 'prev_hash_mismatch':
      return 'không nối với mục trước';
    default:
      return 'nội dung đã bị sửa';
  }
}
