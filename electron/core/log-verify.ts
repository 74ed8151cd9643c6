/**
 * Fast verification of the audit log's hash chain (see audit-log.ts for the format).
 *
 * Each entry's hash covers one canonical text: JSON.stringify([LOG_VERSION, id, at, ..., prev_hash]).
 * SQLite's json_array() builds the same text in C from the stored columns, so verifying is
 * "read the text and its hash, hash the text" with no JavaScript objects per column. The id range is
 * split over worker threads (one per core, at most four), each of which checks its rows and the links
 * between them; the main thread then checks the links between the ranges. Whenever the SQL text does
 * not hash to the stored hash (a tampered row, or a value json_array would spell differently from
 * JSON.stringify), the row is encoded again in JavaScript from its columns before it is called broken,
 * so the result is exactly that of the row-by-row definition. docs/audit-log-format.md describes the
 * format for independent verifiers.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Db } from './db';

/** The stored columns, in hashed order (the stored hash is the 16th). */
export const LOG_COLUMNS =
  'id, at, kind, station, actor, session_code, source, identity_verdict, authenticity_verdict, outcome, reasons, candidate_id, card_hash, details, prev_hash, hash';

/** What one range of rows says about itself; the main thread stitches the ranges together. */
export interface RangeCheck {
  count: number;
  first?: { id: number; prevHash: string };
  last?: { id: number; hash: string };
  /** The first broken row inside the range (links to the previous range are checked by the caller). */
  broken?: { id: number; problem: string; index: number; expected: number };
}

/**
 * Checks the rows of one id range. Self-contained on purpose (no outer names): the worker threads
 * run this very function from its source text.
 *  rows: [id, canonical text or null, prev_hash, hash] in id order;
 *  sha256Hex: hashes a string;
 *  canonicalOf: the canonical text of row `id` encoded in JavaScript from its columns.
 */
export function checkRange(
  rows: Iterable<unknown[]>,
  sha256Hex: (text: string) => string,
  canonicalOf: (id: number) => string,
): RangeCheck {
  const out: RangeCheck = { count: 0 };
  let expectedId = 0;
  let expectedPrev = '';
  for (const row of rows) {
    const id = row[0] as number;
    const text = row[1] as string | null;
    const prevHash = row[2] as string;
    const hash = row[3] as string;
    const index = out.count;
    out.count++;
    if (index === 0) out.first = { id, prevHash };
    else if (id !== expectedId) {
      out.broken = {
        id,
        problem: id > expectedId ? 'missing_entry' : 'sequence_error',
        index,
        expected: expectedId,
      };
      return out;
    } else if (prevHash !== expectedPrev) {
      out.broken = { id, problem: 'prev_hash_mismatch', index, expected: expectedId };
      return out;
    }
    if ((typeof text !== 'string' || sha256Hex(text) !== hash) && sha256Hex(canonicalOf(id)) !== hash) {
      out.broken = { id, problem: 'hash_mismatch', index, expected: id };
      return out;
    }
    out.last = { id, hash };
    expectedId = id + 1;
    expectedPrev = hash;
  }
  return out;
}

/** The canonical text of each row, built by SQLite (json_array spells strings, integers and null as JSON.stringify). */
export function canonicalSql(version: string): string {
  return `SELECT id, json_array('${version}', id, at, kind, station, actor, session_code, source, identity_verdict, authenticity_verdict, outcome, reasons, candidate_id, card_hash, details, prev_hash), prev_hash, hash FROM audit_log WHERE id BETWEEN ? AND ? ORDER BY id`;
}

/** The rows of a range with the canonical text left to JavaScript (when json_array refuses a value). */
export function plainSql(): string {
  return `SELECT id, NULL, prev_hash, hash FROM audit_log WHERE id BETWEEN ? AND ? ORDER BY id`;
}

export interface RangeSql {
  /** Rows with the canonical text built by SQLite. */
  canonical: string;
  /** Rows with the text left to JavaScript. */
  plain: string;
  /** One row's columns, in hashed order. */
  byId: string;
}

export function rangeSql(version: string): RangeSql {
  return {
    canonical: canonicalSql(version),
    plain: plainSql(),
    byId: `SELECT ${LOG_COLUMNS} FROM audit_log WHERE id = ?`,
  };
}

/**
 * Checks one range on `db` (in this thread, or in a worker from its source text: it uses only its
 * parameters).
 */
export function checkRangeOn(
  db: Db,
  version: string,
  from: number,
  to: number,
  sha256Hex: (text: string) => string,
  sql: RangeSql,
  check: typeof checkRange,
): RangeCheck {
  const byId = db.prepare(sql.byId).raw();
  const canonicalOf = (id: number): string => {
    const r = byId.get(id) as unknown[] | undefined;
    return r ? JSON.stringify([version, ...r.slice(0, 15)]) : '';
  };
  let rows: Iterable<unknown[]>;
  try {
    rows = db.prepare(sql.canonical).raw().iterate(from, to) as Iterable<unknown[]>;
    return check(rows, sha256Hex, canonicalOf);
  } catch {
    // A value json_array cannot hold (a BLOB written around the app): every row in JavaScript.
    rows = db.prepare(sql.plain).raw().iterate(from, to) as Iterable<unknown[]>;
    return check(rows, sha256Hex, canonicalOf);
  }
}

/** The worker: opens the database read-only and checks its range with the same two functions. */
const WORKER_SOURCE = `
// tsx/esbuild with keepNames wrap inner functions in __name(fn, 'name'): a no-op here.
var __name = (fn) => fn;
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const Database = require(workerData.sqlite);
const checkRange = (0, eval)('(' + workerData.checkRange + ')');
const checkRangeOn = (0, eval)('(' + workerData.checkRangeOn + ')');
const sha = typeof crypto.hash === 'function'
  ? (t) => crypto.hash('sha256', t)
  : (t) => crypto.createHash('sha256').update(t).digest('hex');
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
try {
  db.pragma('busy_timeout = 5000');
  const w = workerData;
  parentPort.postMessage(checkRangeOn(db, w.version, w.from, w.to, sha, w.sql, checkRange));
} finally {
  db.close();
}
`;

export interface ParallelOptions {
  /** Worker threads (default: one per core, at most 4; 1 = this thread only). */
  threads?: number;
  /** Below this many entries the log is checked in this thread (default 20 000). */
  minEntriesForThreads?: number;
}

/** Splits [min, max] into `n` id ranges and checks them in worker threads. */
export async function checkRangesInWorkers(
  file: string,
  version: string,
  min: number,
  max: number,
  n: number,
): Promise<RangeCheck[]> {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const span = max - min + 1;
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const from = min + Math.floor((span * i) / n);
    const to = min + Math.floor((span * (i + 1)) / n) - 1;
    if (to >= from) ranges.push([from, to]);
  }
  return Promise.all(
    ranges.map(
      ([from, to]) =>
        new Promise<RangeCheck>((resolve, reject) => {
          const worker = new Worker(WORKER_SOURCE, {
            eval: true,
            workerData: {
              file,
              sqlite,
              version,
              from,
              to,
              sql: rangeSql(version),
              checkRange: checkRange.toString(),
              checkRangeOn: checkRangeOn.toString(),
            },
          });
          worker.once('message', (m: RangeCheck) => resolve(m));
          worker.once('error', reject);
          worker.once('exit', (code) => {
            if (code !== 0) reject(new Error(`log verification worker exited with code ${code}`));
          });
        }),
    ),
  );
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}
