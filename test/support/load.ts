/**
 * Load runs: many checks in a row, with latency per check and memory sampled along the way, through
 *   - the CLI's services path in one process (KioskServices.checks.checkQr, as `kiosk check` runs it),
 *   - the `kiosk` CLI itself, one process per check (a sample: each start costs ~1 s),
 *   - the test bridge over HTTP (POST /api/checks.qr with an examiner signed in), served by a child
 *     process whose memory is sampled (./bridge-child.ts).
 * Memory is read after a full garbage collection; "steady" means the least-squares trend over the run
 * (after a warm-up fifth) stays small. Used by test/integration/load.test.ts and bench/load.bench.ts.
 */
import { fork, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { KioskServices } from '../../electron/core/services';
import { fictionalPerson, qrTextOf, rosterCsv } from '../../electron/core/fictional-people';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const LOAD_SESSION = 'LOAD';
export const LOAD_SEED = 93;

export interface MemSample {
  checks: number;
  rss: number;
  heapUsed: number;
}

export interface LoadReport {
  path: 'services' | 'cli' | 'bridge';
  checks: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Identity verdicts returned, counted. */
  verdicts: Record<string, number>;
  samples: MemSample[];
  /** Least-squares trend of the heap (after GC) over the run after warm-up, in MiB per 10 000 checks. */
  heapTrendMiBPer10k: number;
  rssTrendMiBPer10k: number;
  ms: number;
}

/** The QR of check i over a roster of `roster` people: first visits, repeat visits, strangers, bad scans. */
export function loadQr(i: number, roster: number): string {
  if (i % 13 === 12) return `garbage scan ${i}`;
  if (i % 7 === 6) return qrTextOf(fictionalPerson(roster + (i % 1000), LOAD_SEED));
  return qrTextOf(fictionalPerson(i % roster, LOAD_SEED));
}

/** The identity verdicts `checks` load checks must give (first visit match, repeat already_checked_in). */
export function expectedVerdicts(checks: number, roster: number): Record<string, number> {
  const out: Record<string, number> = {};
  const seen = new Set<number>();
  for (let i = 0; i < checks; i++) {
    let v: string;
    if (i % 13 === 12) v = 'invalid_card_data';
    else if (i % 7 === 6) v = 'not_on_roster';
    else {
      const k = i % roster;
      v = seen.has(k) ? 'already_checked_in' : 'match';
      seen.add(k);
    }
    out[v] = (out[v] ?? 0) + 1;
  }
  return out;
}

/** A full GC when this process can do one (V8 flag set at run time), for steady heap samples. */
export function fullGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  return () => gc?.();
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Slope of y over x (least squares), scaled to 10 000 x, in MiB. */
function trend(samples: MemSample[], key: 'rss' | 'heapUsed'): number {
  const s = samples.slice(Math.floor(samples.length / 5));
  if (s.length < 3) return 0;
  const mx = s.reduce((a, p) => a + p.checks, 0) / s.length;
  const my = s.reduce((a, p) => a + p[key], 0) / s.length;
  let num = 0;
  let den = 0;
  for (const p of s) {
    num += (p.checks - mx) * (p[key] - my);
    den += (p.checks - mx) ** 2;
  }
  return den === 0 ? 0 : ((num / den) * 10_000) / 2 ** 20;
}

function report(
  kind: LoadReport['path'],
  latencies: number[],
  verdicts: Record<string, number>,
  samples: MemSample[],
  ms: number,
): LoadReport {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    path: kind,
    checks: latencies.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    verdicts,
    samples,
    heapTrendMiBPer10k: trend(samples, 'heapUsed'),
    rssTrendMiBPer10k: trend(samples, 'rss'),
    ms,
  };
}

/** A database with the load session and a roster of `roster` fictional people. */
export async function loadDatabase(dir: string, roster: number): Promise<string> {
  const db = path.join(dir, 'kiosk.db');
  const s = new KioskServices({ dbPath: db });
  const by = { station: 'load', actor: 'chair' };
  try {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
    s.sessions.create({ code: LOAD_SESSION, council: 'Hội đồng tải', date: today, licenceClasses: [] }, by);
    const csv = path.join(dir, 'roster.csv');
    fs.writeFileSync(csv, rosterCsv(roster, LOAD_SEED));
    await s.roster.importFile(LOAD_SESSION, csv, by);
  } finally {
    s.close();
  }
  return db;
}

export interface LoadOptions {
  checks: number;
  roster?: number;
  /** Memory samples over the run (default 50). */
  samples?: number;
  /**
   * Folder for the database (default the OS temp folder, i.e. the disk: every check's fsync counts).
   * Tests that look at verdicts and memory rather than disk latency may use a tmpfs (/dev/shm).
   */
  baseDir?: string;
}

/** `checks` QR checks in a row through KioskServices in this process (the CLI's services path). */
export async function loadThroughServices(options: LoadOptions): Promise<LoadReport> {
  const roster = options.roster ?? 5000;
  const dir = fs.mkdtempSync(path.join(options.baseDir ?? os.tmpdir(), 'kiosk-load-'));
  const gc = fullGc();
  try {
    const db = await loadDatabase(dir, roster);
    const s = new KioskServices({ dbPath: db });
    const by = { station: 'load', actor: 'examiner' };
    const every = Math.max(1, Math.floor(options.checks / (options.samples ?? 50)));
    const latencies: number[] = [];
    const verdicts: Record<string, number> = {};
    const samples: MemSample[] = [];
    const started = performance.now();
    try {
      for (let i = 0; i < options.checks; i++) {
        const t0 = performance.now();
        const r = s.checks.checkQr(LOAD_SESSION, loadQr(i, roster), by);
        latencies.push(performance.now() - t0);
        verdicts[r.identity.verdict] = (verdicts[r.identity.verdict] ?? 0) + 1;
        if ((i + 1) % every === 0) {
          gc();
          const m = process.memoryUsage();
          samples.push({ checks: i + 1, rss: m.rss, heapUsed: m.heapUsed });
        }
      }
      return report('services', latencies, verdicts, samples, performance.now() - started);
    } finally {
      s.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `checks` runs of `kiosk check --json`, one process each (start-up included in the latency). */
export async function loadThroughCli(options: LoadOptions): Promise<LoadReport> {
  const roster = options.roster ?? 200;
  const dir = fs.mkdtempSync(path.join(options.baseDir ?? os.tmpdir(), 'kiosk-load-cli-'));
  try {
    const db = await loadDatabase(dir, roster);
    const latencies: number[] = [];
    const verdicts: Record<string, number> = {};
    const started = performance.now();
    for (let i = 0; i < options.checks; i++) {
      const t0 = performance.now();
      const r = spawnSync(
        process.execPath,
        [
          path.join(ROOT, 'bin/kiosk.js'),
          '--db',
          db,
          '--json',
          'check',
          '--session',
          LOAD_SESSION,
          '--qr',
          loadQr(i, roster),
        ],
        { encoding: 'utf8', env: { ...process.env, KIOSK_STATION: 'load-cli' }, timeout: 60_000 },
      );
      latencies.push(performance.now() - t0);
      if (r.status !== 0) throw new Error(`kiosk check failed (${r.status}): ${r.stderr.slice(-500)}`);
      const v = (JSON.parse(r.stdout) as { identity: { verdict: string } }).identity.verdict;
      verdicts[v] = (verdicts[v] ?? 0) + 1;
    }
    return report('cli', latencies, verdicts, [], performance.now() - started);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface BridgeChild {
  url: string;
  token: string;
  memory(): Promise<{ rss: number; heapUsed: number }>;
  close(): Promise<void>;
}

async function startBridgeChild(db: string): Promise<BridgeChild> {
  const child = fork(
    path.join(ROOT, 'bin/run-ts.js'),
    [path.join(ROOT, 'test/support/bridge-child.ts'), db],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const waiting = new Map<string, (m: Record<string, unknown>) => void>();
  child.on('message', (m: Record<string, unknown>) => waiting.get(String(m.type))?.(m));
  const next = (type: string, timeoutMs = 30_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`bridge child: no ${type} (${stderr.slice(-800)})`)),
        timeoutMs,
      );
      waiting.set(type, (m) => {
        clearTimeout(timer);
        waiting.delete(type);
        resolve(m);
      });
    });
  const ready = await next('ready', 60_000);
  return {
    url: String(ready.url),
    token: String(ready.token),
    memory: async () => {
      const p = next('memory');
      child.send({ type: 'memory' });
      const m = await p;
      return { rss: Number(m.rss), heapUsed: Number(m.heapUsed) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function post(
  agent: http.Agent,
  url: string,
  token: string,
  channel: string,
  body: unknown,
): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      `${url}/api/${channel}`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          'x-kiosk-token': token,
          'x-kiosk-client': 'load-client-0001',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ok: boolean });
          } catch (e) {
            reject(e as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** `checks` QR checks through the test bridge over HTTP, as a signed-in examiner. */
export async function loadThroughBridge(options: LoadOptions): Promise<LoadReport> {
  const roster = options.roster ?? 5000;
  const dir = fs.mkdtempSync(path.join(options.baseDir ?? os.tmpdir(), 'kiosk-load-bridge-'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let bridge: BridgeChild | undefined;
  try {
    const db = await loadDatabase(dir, roster);
    bridge = await startBridgeChild(db);
    const b = bridge;
    const signIn = await post(agent, b.url, b.token, 'auth.signIn', { username: 'giamthi', pin: '1357' });
    if (!signIn.ok) throw new Error(`sign-in through the bridge failed: ${JSON.stringify(signIn.error)}`);
    const every = Math.max(1, Math.floor(options.checks / (options.samples ?? 50)));
    const latencies: number[] = [];
    const verdicts: Record<string, number> = {};
    const samples: MemSample[] = [];
    const started = performance.now();
    for (let i = 0; i < options.checks; i++) {
      const t0 = performance.now();
      const r = await post(agent, b.url, b.token, 'checks.qr', {
        sessionCode: LOAD_SESSION,
        text: loadQr(i, roster),
      });
      latencies.push(performance.now() - t0);
      if (!r.ok) throw new Error(`checks.qr #${i} failed: ${JSON.stringify(r.error)}`);
      const v = (r.value as { result: { identityVerdict: string } }).result.identityVerdict;
      verdicts[v] = (verdicts[v] ?? 0) + 1;
      if ((i + 1) % every === 0) samples.push({ checks: i + 1, ...(await b.memory()) });
    }
    return report('bridge', latencies, verdicts, samples, performance.now() - started);
  } finally {
    agent.destroy();
    await bridge?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
