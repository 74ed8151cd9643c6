/**
 * Crash safety, full disk and read-only storage, driven from outside the process that writes
 * (./crash-child.ts does the writing through the real services):
 *
 * - `runCrashLoop`: a child logs checks continuously and acknowledges each commit; it is killed with
 *   SIGKILL at a random moment (most while checking, some while it is still opening the database), again
 *   and again on the same database. After every kill the database must open (WAL recovery), pass
 *   SQLite's integrity check, its chain must verify, and every acknowledged check must be in the log
 *   with the hash that was acknowledged.
 * - `runDiskFull`: a small tmpfs in a private mount namespace (`unshare -rm`, as reports-io.test.ts)
 *   filled until writes fail.
 * - `runReadOnly`: the database on a read-only mount, or a database file the user may not write.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../electron/core/db';
import { AuditLog } from '../../electron/core/audit-log';
import { mulberry32 } from './fuzz';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RUN_TS = path.join(ROOT, 'bin/run-ts.js');
const CHILD = path.join(ROOT, 'test/support/crash-child.ts');

type Acked = Array<[number, string]>;

function child(
  args: string[],
  options: { uid?: number } = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [RUN_TS, CHILD, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function jsonLine<T>(stdout: string, what: string): T {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${what}: no JSON from the child: ${stdout.slice(-500)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// SIGKILL loop

export interface KillRecord {
  kill: number;
  /** When the kill came: ms after "ready" (or after the start, for kills while opening). */
  delayMs: number;
  whileOpening: boolean;
  /** Checks acknowledged by this child before it died. */
  acks: number;
  /** Acknowledged checks (of any child so far) missing or changed after this kill. */
  lost: number[];
  opened: boolean;
  integrity: string;
  chainOk: boolean;
}

export interface CrashReport {
  kills: number;
  /** Kills after which nothing acknowledged was lost and the database was sound. */
  survived: number;
  /** Checks acknowledged over all children. */
  acked: number;
  /** Entries in the log at the end (committed, acknowledged or not). */
  entries: number;
  records: KillRecord[];
  ms: number;
}

export interface CrashLoopOptions {
  kills: number;
  seed?: number;
  /** Longest wait after "ready" before the kill (default 300 ms). */
  maxDelayMs?: number;
  /** Share of kills aimed at the start-up (opening, migrating, recovering the WAL); default 0.15. */
  whileOpeningShare?: number;
  onKill?: (r: KillRecord) => void;
}

/** Checks the database as the next start of the app would: open (recovering the WAL), verify. */
function checkDatabase(
  db: string,
  acked: Map<number, string>,
): Omit<KillRecord, 'kill' | 'delayMs' | 'whileOpening' | 'acks'> {
  let conn;
  try {
    conn = openDatabase(db);
  } catch {
    return { lost: [...acked.keys()], opened: false, integrity: 'not opened', chainOk: false };
  }
  try {
    const integrity = String(conn.pragma('integrity_check', { simple: true }));
    const log = new AuditLog(conn);
    const chainOk = log.verify().ok;
    const lost: number[] = [];
    for (const [id, hash] of acked) if (log.get(id)?.hash !== hash) lost.push(id);
    return { lost, opened: true, integrity, chainOk };
  } finally {
    conn.close();
  }
}

/** One child life: runs until killed; returns the acknowledgements it printed. */
function oneLife(
  db: string,
  start: number,
  plan: { whileOpening: boolean; delayMs: number },
): Promise<{ acks: Acked; sawReady: boolean }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [RUN_TS, CHILD, 'loop', db], {
      cwd: ROOT,
      env: { ...process.env, CRASH_START: String(start) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    let sawReady = false;
    let stderr = '';
    const acks: Acked = [];
    let timer: NodeJS.Timeout | undefined;
    const kill = () => c.kill('SIGKILL');
    if (plan.whileOpening) timer = setTimeout(kill, plan.delayMs);
    c.stdout.setEncoding('utf8');
    c.stdout.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready') {
          sawReady = true;
          if (!plan.whileOpening) timer = setTimeout(kill, plan.delayMs);
        } else if (line.startsWith('ack ')) {
          const [, id, hash] = line.split(' ');
          acks.push([Number(id), hash!]);
        }
      }
    });
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', reject);
    c.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      // A line cut by the kill is not an acknowledgement: only complete lines count.
      if (signal !== 'SIGKILL')
        reject(new Error(`crash child exited by itself (${code}): ${stderr.slice(-1000)}`));
      else resolve({ acks, sawReady });
    });
  });
}

export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashReport> {
  const started = performance.now();
  const rng = mulberry32(options.seed ?? 20261127);
  const maxDelay = options.maxDelayMs ?? 300;
  const openingShare = options.whileOpeningShare ?? 0.15;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-crash-'));
  try {
    const setup = child(['setup', dir]);
    const { db, acked: first } = jsonLine<{ db: string; acked: Acked }>(setup.stdout, 'setup');
    const acked = new Map<number, string>(first);
    const records: KillRecord[] = [];
    for (let k = 0; k < options.kills; k++) {
      const whileOpening = rng() < openingShare;
      // Opening takes ~0.5-1 s here (TypeScript loader, SQLite, migrations): aim anywhere in it.
      const delayMs = Math.round(whileOpening ? 150 + rng() * 900 : rng() * maxDelay);
      const life = await oneLife(db, k * 100_003, { whileOpening, delayMs });
      for (const [id, hash] of life.acks) acked.set(id, hash);
      const state = checkDatabase(db, acked);
      const record: KillRecord = {
        kill: k + 1,
        delayMs,
        whileOpening: !life.sawReady,
        acks: life.acks.length,
        ...state,
      };
      records.push(record);
      options.onKill?.(record);
    }
    const conn = openDatabase(db);
    const entries = new AuditLog(conn).verify().entries;
    conn.close();
    return {
      kills: records.length,
      survived: records.filter((r) => r.opened && r.lost.length === 0 && r.integrity === 'ok' && r.chainOk)
        .length,
      acked: acked.size,
      entries,
      records,
      ms: performance.now() - started,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Full disk and read-only storage (private mount namespaces)

/** Whether `unshare -rm` + a tmpfs mount works here (Linux with user namespaces, or root). */
export function canMountTmpfs(): boolean {
  return (
    process.platform === 'linux' &&
    spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs /mnt'], { stdio: 'ignore' })
      .status === 0
  );
}

export interface StorageError {
  ok?: boolean;
  code: string;
  vi: string;
  en: string;
  name: string;
}

export interface DiskFullReport {
  filled: number;
  ackedBefore: number;
  ackedWhileFilling: number;
  firstError?: StorageError;
  laterErrors: string[];
  whileFull: { integrity: string; chainOk: boolean };
  afterFree: { ok: boolean; logId?: number; code?: string };
  final: { integrity: string; chainOk: boolean; entries: number; missing: number[] };
}

/** A `sizeKiB` tmpfs filled until writes fail, then freed (see crash-child.ts disk-full). */
export function runDiskFull(sizeKiB = 1024): DiskFullReport {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-diskfull-'));
  try {
    const r = spawnSync(
      'unshare',
      [
        '-rm',
        'sh',
        '-c',
        'mount -t tmpfs -o size="$4"k tmpfs "$1" && exec "$0" "$2" "$3" disk-full "$1"',
        process.execPath,
        dir,
        RUN_TS,
        CHILD,
        String(sizeKiB),
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    if (r.status !== 0) throw new Error(`disk-full child failed (${r.status}): ${r.stderr.slice(-1500)}`);
    return jsonLine<DiskFullReport>(r.stdout, 'disk-full');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface ReadOnlyReport {
  how: 'read-only mount' | 'file and folder not writable';
  open: { ok: boolean; code?: string; vi?: string; en?: string };
  check?: { ok: boolean; code?: string; vi?: string; en?: string };
  /** The same database afterwards, writable again: nothing changed, nothing lost. */
  after: { integrity: string; chainOk: boolean; entries: number; missing: number[] };
  entriesBefore: number;
}

/** The database on a tmpfs remounted read-only inside a private mount namespace. */
export function runReadOnlyMount(): ReadOnlyReport {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-romount-'));
  try {
    const script = [
      'set -e',
      'mount -t tmpfs -o size=8m tmpfs "$1"',
      'S=$("$0" "$2" "$3" setup "$1")',
      'A=$(printf %s "$S" | "$0" -e \'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.stringify(JSON.parse(s).acked)))\')',
      'mount -o remount,ro "$1"',
      'R=$("$0" "$2" "$3" read-only "$1" "$A")',
      'mount -o remount,rw "$1"',
      'I=$("$0" "$2" "$3" inspect "$1" "$A")',
      'printf \'{"setup":%s,"ro":%s,"after":%s}\\n\' "$S" "$R" "$I"',
    ].join('\n');
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', script, process.execPath, dir, RUN_TS, CHILD], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`read-only mount run failed (${r.status}): ${r.stderr.slice(-1500)}`);
    const out = jsonLine<{
      setup: { acked: Acked; entries: number };
      ro: { open: ReadOnlyReport['open']; check?: ReadOnlyReport['check'] };
      after: ReadOnlyReport['after'];
    }>(r.stdout, 'read-only mount');
    return {
      how: 'read-only mount',
      open: out.ro.open,
      ...(out.ro.check ? { check: out.ro.check } : {}),
      after: out.after,
      entriesBefore: out.setup.entries,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The database file (0444) in a folder (0555) the user cannot write. Root ignores file modes, so as
 * root the child runs as `nobody` (uid 65534). Returns undefined when that is not possible.
 */
export function runReadOnlyFile(): ReadOnlyReport | undefined {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-rofile-'));
  try {
    fs.chmodSync(dir, 0o755);
    const setup = jsonLine<{ acked: Acked; entries: number }>(child(['setup', dir]).stdout, 'setup');
    const acked = JSON.stringify(setup.acked);
    fs.chmodSync(path.join(dir, 'kiosk.db'), 0o444);
    fs.chmodSync(dir, 0o555);
    const r = child(['read-only', dir, acked], isRoot ? { uid: 65534 } : {});
    if (r.code !== 0) {
      if (isRoot) return undefined; // nobody cannot run node from here
      throw new Error(`read-only child failed: ${r.stderr.slice(-1500)}`);
    }
    const ro = jsonLine<{ open: ReadOnlyReport['open']; check?: ReadOnlyReport['check'] }>(
      r.stdout,
      'read-only',
    );
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, 'kiosk.db'), 0o644);
    const after = jsonLine<ReadOnlyReport['after']>(child(['inspect', dir, acked]).stdout, 'inspect');
    return {
      how: 'file and folder not writable',
      open: ro.open,
      ...(ro.check ? { check: ro.check } : {}),
      after,
      entriesBefore: setup.entries,
    };
  } finally {
    fs.chmodSync(dir, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
