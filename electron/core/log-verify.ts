/**
 * Fast verification of the audit log's hash chain (see audit-log.ts and docs/audit-log-format.md).
 *
 * Each row stores the exact text its hash covers (`entry`, a JSON array [LOG_VERSION, id, …,
 * prev_hash]); every other column is generated from that text. Verifying is therefore read-and-hash:
 * for each row, the text must be framed as the row's own entry (it starts with
 * `["<version>",<id>,` and ends with `,"<prev_hash>"]`), its SHA-256 must be the stored hash, and the
 * prev_hash at its end must be the hash of the row before. The id range is split over worker threads
 * (one per core, at most four), each of which checks its rows and the links between them; the main
 * thread then checks the links between the ranges.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Db } from './db';

/** The stored columns, in hashed order (the stored hash is the 16th); generated from `entry`. */
export const LOG_COLUMNS =
  'id, at, kind, station, actor, session_code, source, identity_verdict, authenticity_verdict, outcome, reasons, candidate_id, card_hash, details, prev_hash, hash';

/** What one range of rows says about itself; the main thread stitches the ranges together. */
export interface RangeCheck {
  count: number;
  /** prevHash is null when the row's text does not end as an entry does (the range reports that row). */
  first?: { id: number; prevHash: string | null };
  last?: { id: number; hash: string };
  /** The first broken row inside the range (links to the previous range are checked by the caller). */
  broken?: { id: number; problem: string; index: number; expected: number };
}

/**
 * Checks the rows of one id range. Self-contained on purpose (no outer names): the worker threads
 * run this very function from its source text.
 *  rows: [id, entry text, hash] in id order;
 *  sha256Hex: hashes a string;
 *  version: the log format's first array element (LOG_VERSION).
 */
export function checkRange(
  rows: Iterable<unknown[]>,
  sha256Hex: (text: string) => string,
  version: string,
): RangeCheck {
  const out: RangeCheck = { count: 0 };
  const prefix = '["' + version + '",';
  let expectedId = 0;
  let expectedPrev = '';
  for (const row of rows) {
    const id = row[0] as number;
    const text = row[1];
    const hash = row[2] as string;
    const index = out.count;
    out.count++;
    // The row's own entry: `["<version>",<id>,` … `,"<prev_hash, 64 characters>"]`.
    const isText = typeof text === 'string' && text.length > prefix.length + 70;
    const linked =
      isText &&
      text.endsWith('"]') &&
      text.charCodeAt(text.length - 68) === 44 && // ,
      text.charCodeAt(text.length - 67) === 34; // "
    const prevHash = linked ? text.slice(-66, -2) : null;
    if (index === 0) out.first = { id, prevHash };
    else if (id !== expectedId) {
      out.broken = {
        id,
        problem: id > expectedId ? 'missing_entry' : 'sequence_error',
        index,
        expected: expectedId,
      };
      return out;
    } else if (prevHash !== null && prevHash !== expectedPrev) {
      out.broken = { id, problem: 'prev_hash_mismatch', index, expected: expectedId };
      return out;
    }
    // The frame, by character codes (startsWith on a two-byte string and `id + ','` cost as much as
    // a third of the hashing): the prefix, then the id's digits, then a comma.
    const t = linked ? text : '';
    let framed = linked;
    for (let i = 0; framed && i < prefix.length; i++) framed = t.charCodeAt(i) === prefix.charCodeAt(i);
    let at = prefix.length;
    let n = 0;
    for (let c = framed ? t.charCodeAt(at) : -1; c >= 48 && c <= 57 && at - prefix.length < 16;) {
      n = n * 10 + (c - 48);
      c = t.charCodeAt(++at);
    }
    framed =
      framed &&
      at > prefix.length &&
      n === id &&
      t.charCodeAt(at) === 44 &&
      (at === prefix.length + 1 || t.charCodeAt(prefix.length) !== 48); // no leading zero
    if (!framed || sha256Hex(t) !== hash) {
      out.broken = { id, problem: 'hash_mismatch', index, expected: id };
      return out;
    }
    out.last = { id, hash };
    expectedId = id + 1;
    expectedPrev = hash;
  }
  return out;
}

/** The rows of a range, as checkRange reads them. */
export const RANGE_SQL = 'SELECT id, entry, hash FROM audit_log WHERE id BETWEEN ? AND ? ORDER BY id';

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
  sql: string,
  check: typeof checkRange,
): RangeCheck {
  // Rows are fetched 4 096 ids at a time with all(): one call into SQLite per chunk instead of one per
  // row (a quarter faster than iterate() on a million rows, and the chunk keeps memory small).
  const stmt = db.prepare(sql).raw();
  const CHUNK = 4096;
  function* rows(): Generator<unknown[]> {
    for (let f = from; f <= to; f += CHUNK) {
      yield* stmt.all(f, Math.min(to, f + CHUNK - 1)) as unknown[][];
    }
  }
  return check(rows(), sha256Hex, version);
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
  /**
   * This thread checks one of the ranges while the workers check the others (one worker fewer). For a
   * process that has nothing else to do meanwhile (the CLI): on two cores, this thread plus one worker
   * is faster than two workers and an idle thread. The app's main process keeps it off (it must not
   * block).
   */
  thisThread?: boolean;
}

/** Splits [min, max] into `n` id ranges and checks them in worker threads. */
export async function checkRangesInWorkers(
  file: string,
  version: string,
  min: number,
  max: number,
  n: number,
  options: { thisThread?: (from: number, to: number) => RangeCheck } = {},
): Promise<RangeCheck[]> {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const span = max - min + 1;
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const from = min + Math.floor((span * i) / n);
    const to = min + Math.floor((span * (i + 1)) / n) - 1;
    if (to >= from) ranges.push([from, to]);
  }
  const own = options.thisThread && ranges.length > 1 ? ranges.shift() : undefined;
  const inWorkers = Promise.all(
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
              sql: RANGE_SQL,
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
  if (!own || !options.thisThread) return inWorkers;
  // The workers are started: check the first range here meanwhile. A failure here still waits for
  // the workers (no rejection left unhandled).
  let mine: RangeCheck;
  try {
    mine = options.thisThread(own[0], own[1]);
  } catch (e) {
    await inWorkers.catch(() => undefined);
    throw e;
  }
  return [mine, ...(await inWorkers)];
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}
