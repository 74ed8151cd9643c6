/**
 * The station side of sync: pushes this station's audit log to the council server, in id order and
 * in batches, and pulls the other stations' check-ins for the sessions open here.
 *
 * - Idempotent: every round starts from what the SERVER holds for this station (its head), never
 *   from a local "sent up to" mark, so a crash or a timeout after the server committed only means
 *   the next round starts later; an entry the server already has with the same hash is ignored by
 *   the server's trigger, and one with another hash is refused (the local history was rewritten).
 * - Local first: checks never wait for the server; a round that cannot reach it fails, and the loop
 *   (SyncLoop) tries again with exponential backoff.
 * - After each batch the station signs its new head (Ed25519 station key) and stores the signature
 *   on the server: a council auditor can tell the station's chain from one written by someone else.
 */
import type pg from 'pg';
import type { Db } from '../db';
import type { AuditLog } from '../audit-log';
import type { StationKey } from '../station-key';
import { KioskError } from '../errors';
import os from 'node:os';
import { connect, serverKey, type CredentialStore } from './connection';
import { duplicateReasonOf } from './findings';

export interface SyncOptions {
  batchSize?: number;
  /** The station's name for the entries sync writes to the local log (default $KIOSK_STATION, else the host name). */
  stationName?: () => string;
  /** Pull re-reads this many check-ins before its cursor (a late commit on the server is not skipped). */
  pullOverlap?: number;
}

export interface SyncRoundResult {
  server: string;
  stationId: string;
  pushed: number;
  batches: number;
  serverHead: number;
  localHead: number;
  pulled: number;
}

export interface HeadStatement {
  stationId: string;
  id: number;
  hash: string;
}

/** The text a station signs for its head on the server. */
export function headStatement(h: HeadStatement): string {
  return `cccd-kiosk-head-v1\n${h.stationId}\n${h.id}\n${h.hash}`;
}

export class StationSync {
  readonly server: string;
  private readonly batchSize: number;
  private readonly overlap: number;
  private readonly stationName: () => string;

  constructor(
    private readonly db: Db,
    private readonly log: AuditLog,
    private readonly stationKey: StationKey,
    private readonly credentials: CredentialStore,
    private readonly url: string,
    options: SyncOptions = {},
  ) {
    this.server = serverKey(url);
    this.batchSize = options.batchSize ?? 500;
    this.overlap = options.pullOverlap ?? 200;
    this.stationName = options.stationName ?? (() => process.env.KIOSK_STATION ?? os.hostname());
  }

  stationId(): string {
    return this.stationKey.fingerprint();
  }

  private client: pg.Client | undefined;

  /**
   * One round: push everything not yet on the server, then pull. The connection is kept between
   * rounds and dropped on any error (the next round connects again).
   */
  async once(): Promise<SyncRoundResult> {
    this.client ??= await connect(this.url, this.credentials.get(this.url));
    const client = this.client;
    try {
      const push = await this.push(client);
      const pulled = await this.pull(client);
      return { server: this.server, stationId: this.stationId(), ...push, pulled };
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Closes the kept connection (the next round opens one). */
  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  async push(
    client: pg.ClientBase,
  ): Promise<{ pushed: number; batches: number; serverHead: number; localHead: number }> {
    const stationId = this.stationId();
    const known = await client.query<{ id: string }>(
      'SELECT station_id AS id FROM kiosk.stations WHERE station_id = $1',
      [stationId],
    );
    if (!known.rowCount) {
      throw new KioskError('station_not_registered', {
        vi: 'Trạm này chưa được đăng ký trên máy chủ hội đồng (kiosk server add-station).',
        en: `This station (${stationId.slice(0, 16)}) is not registered on the council server (kiosk server add-station).`,
      });
    }
    const head = await client.query<{ id: string; hash: string }>(
      'SELECT id, hash FROM kiosk.log_entries WHERE station_id = $1 ORDER BY id DESC LIMIT 1',
      [stationId],
    );
    let serverHead = head.rows[0] ? Number(head.rows[0].id) : 0;
    const localHead = this.log.headEntry()?.id ?? 0;
    if (serverHead > 0) {
      const local = this.log.get(serverHead);
      if (!local || local.hash !== head.rows[0]!.hash) {
        throw new KioskError('history_diverged', {
          vi: `Nhật ký của trạm không còn khớp bản đã gửi lên máy chủ (mục ${serverHead}): nhật ký trên máy trạm đã bị sửa hoặc thay.`,
          en: `The station's log no longer matches the copy on the server at entry ${serverHead}: the local log was rewritten or replaced after it was synced.`,
        });
      }
    }
    const candidateNo = this.db.prepare('SELECT candidate_no FROM candidates WHERE id = ?').pluck();
    let pushed = 0;
    let batches = 0;
    for (;;) {
      const rows = this.log.entriesAfter(serverHead, this.batchSize);
      if (!rows.length) break;
      const nos = rows.map((r) => {
        const j = JSON.parse(r.entry) as unknown[];
        const cid = j[12];
        return j[3] === 'check' && typeof cid === 'number'
          ? ((candidateNo.get(cid) as string | undefined) ?? null)
          : null;
      });
      const last = rows[rows.length - 1]!;
      const signature = this.stationKey.sign(headStatement({ stationId, id: last.id, hash: last.hash }));
      await client.query('BEGIN');
      try {
        await client.query(
          `INSERT INTO kiosk.log_entries (station_id, id, entry, hash, candidate_no)
           SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[])`,
          [stationId, rows.map((r) => r.id), rows.map((r) => r.entry), rows.map((r) => r.hash), nos],
        );
        await client.query(
          `INSERT INTO kiosk.station_heads (station_id, id, hash, signature) VALUES ($1, $2, $3, $4)
           ON CONFLICT (station_id, id) DO NOTHING`,
          [stationId, last.id, last.hash, signature],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      pushed += rows.length;
      batches++;
      serverHead = last.id;
      this.setState('pushed_head', String(serverHead));
    }
    return { pushed, batches, serverHead, localHead };
  }

  /** Pulls the other stations' accepted check-ins for the sessions open on this station. */
  async pull(client: pg.ClientBase): Promise<number> {
    const open = this.db
      .prepare(`SELECT code FROM exam_sessions WHERE state = 'open'`)
      .pluck()
      .all() as string[];
    if (!open.length) return 0;
    const stationId = this.stationId();
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO remote_checkins
         (station_id, log_id, station_name, session_code, candidate_no, at, received_at, pulled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let pulled = 0;
    for (const code of open) {
      const key = `pull_seq/${code}`;
      let cursor = Math.max(0, Number(this.getState(key) ?? '0') - this.overlap);
      for (;;) {
        const r = await client.query<{
          seq: string;
          station_id: string;
          log_id: string;
          station_name: string;
          candidate_no: string;
          at_station: string;
          received_at: Date;
        }>(
          `SELECT seq, station_id, log_id, station_name, candidate_no, at_station, received_at FROM kiosk.checkins
           WHERE session_code = $1 AND seq > $2 AND station_id <> $3 ORDER BY seq LIMIT 5000`,
          [code, cursor, stationId],
        );
        if (!r.rowCount) break;
        const now = new Date().toISOString();
        this.db.transaction(() => {
          for (const x of r.rows) {
            pulled += insert.run(
              x.station_id,
              Number(x.log_id),
              x.station_name,
              code,
              x.candidate_no,
              x.at_station,
              x.received_at.toISOString(),
              now,
            ).changes;
          }
        })();
        cursor = Number(r.rows[r.rows.length - 1]!.seq);
        this.setState(key, String(cursor));
        if (r.rowCount < 5000) break;
      }
    }
    const findings = await client.query<{
      session_code: string;
      candidate_no: string;
      first_name: string;
      first_at: string;
      first_received: Date;
      second_station: string;
      second_log_id: string;
      second_name: string;
      second_at: string;
      second_received: Date;
      found_at: Date;
    }>(
      `SELECT session_code, candidate_no, first_name, first_at, first_received, second_station, second_log_id,
              second_name, second_at, second_received, found_at
       FROM kiosk.findings WHERE kind = 'duplicate_check_in' AND session_code = ANY($1::text[])`,
      [open],
    );
    const keep = this.db.prepare(
      `INSERT OR IGNORE INTO remote_findings (session_code, candidate_no, first_name, first_at, first_received,
         second_station, second_log_id, second_name, second_at, second_received, found_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const candidateId = this.db
      .prepare(
        `SELECT c.id FROM candidates c JOIN exam_sessions s ON s.id = c.session_id WHERE s.code = ? AND c.candidate_no = ?`,
      )
      .pluck();
    this.db.transaction(() => {
      for (const f of findings.rows) {
        const first = { station: f.first_name, at: f.first_at, receivedAt: f.first_received.toISOString() };
        const second = {
          station: f.second_name,
          at: f.second_at,
          receivedAt: f.second_received.toISOString(),
        };
        const added = keep.run(
          f.session_code,
          f.candidate_no,
          f.first_name,
          f.first_at,
          f.first_received.toISOString(),
          f.second_station,
          Number(f.second_log_id),
          f.second_name,
          f.second_at,
          f.second_received.toISOString(),
          f.found_at.toISOString(),
        ).changes;
        // The chair sees it in this station's log too (and the log goes to the server with the rest).
        if (added) {
          this.log.append({
            kind: 'duplicate_check_in',
            station: this.stationName(),
            actor: 'sync',
            sessionCode: f.session_code,
            candidateId: (candidateId.get(f.session_code, f.candidate_no) as number | undefined) ?? null,
            reasons: [duplicateReasonOf(f.candidate_no, first, second)],
            details: { candidateNo: f.candidate_no, first, second, foundAt: f.found_at.toISOString() },
          });
        }
      }
    })();
    return pulled;
  }

  /** How many local entries the server does not have yet (as far as this station knows). */
  pending(): number {
    const pushed = Number(this.getState('pushed_head') ?? '0');
    return Math.max(0, (this.log.headEntry()?.id ?? 0) - pushed);
  }

  private getState(key: string): string | undefined {
    return (
      this.db.prepare('SELECT value FROM sync_state WHERE server = ? AND key = ?').get(this.server, key) as
        { value: string } | undefined
    )?.value;
  }

  private setState(key: string, value: string): void {
    this.db
      .prepare(
        `INSERT INTO sync_state (server, key, value) VALUES (?, ?, ?)
         ON CONFLICT (server, key) DO UPDATE SET value = excluded.value`,
      )
      .run(this.server, key, value);
  }
}

export type SyncState = 'idle' | 'syncing' | 'offline' | 'error' | 'stopped';

export interface SyncStatus {
  server: string | null;
  state: SyncState;
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  lastError: { code: string; vi: string; en: string } | null;
  pending: number;
  lastRound: SyncRoundResult | null;
  nextAttemptInMs: number | null;
}

/**
 * Runs StationSync rounds for ever: every `intervalMs` while the server answers, and with
 * exponential backoff (up to `maxBackoffMs`) while it does not.
 */
export class SyncLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private stopped = true;
  private status: SyncStatus;

  constructor(
    private readonly sync: StationSync,
    private readonly options: { intervalMs?: number; minBackoffMs?: number; maxBackoffMs?: number } = {},
    private readonly onStatus?: (s: SyncStatus) => void,
  ) {
    this.status = {
      server: sync.server,
      state: 'stopped',
      lastSuccessAt: null,
      lastAttemptAt: null,
      lastError: null,
      pending: sync.pending(),
      lastRound: null,
      nextAttemptInMs: null,
    };
  }

  current(): SyncStatus {
    return { ...this.status, pending: this.sync.pending() };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.sync.close();
    this.update({ state: 'stopped', nextAttemptInMs: null });
  }

  /** A round now (the chair's "sync now"); resolves when it is done. */
  async now(): Promise<SyncStatus> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.round();
    return this.current();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.update({ nextAttemptInMs: ms });
    this.timer = setTimeout(() => void this.round(), ms);
    this.timer.unref?.();
  }

  private async round(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      this.update({ state: 'syncing', lastAttemptAt: new Date().toISOString() });
      let next: number;
      try {
        const r = await this.sync.once();
        this.failures = 0;
        this.update({
          state: 'idle',
          lastRound: r,
          lastSuccessAt: new Date().toISOString(),
          lastError: null,
        });
        next = this.options.intervalMs ?? 2000;
      } catch (err) {
        this.failures++;
        const e =
          err instanceof KioskError
            ? { code: err.code, vi: err.vi, en: err.en }
            : {
                code: 'sync_failed',
                vi: 'Đồng bộ thất bại.',
                en: err instanceof Error ? err.message : String(err),
              };
        this.update({ state: e.code === 'server_unreachable' ? 'offline' : 'error', lastError: e });
        const min = this.options.minBackoffMs ?? 1000;
        next = Math.min(this.options.maxBackoffMs ?? 60_000, min * 2 ** Math.min(this.failures - 1, 16));
      } finally {
        this.running = undefined;
      }
      this.schedule(next);
    })();
    return this.running;
  }

  private update(patch: Partial<SyncStatus>): void {
    this.status = { ...this.status, ...patch };
    this.onStatus?.(this.current());
  }
}
