/**
 * pcscd for tests.
 *
 * Two ways:
 * - `startIsolatedPcscd()` (preferred, needs root as on the project's machines and CI): a private pcscd in
 *   its own mount namespace, with its own socket directory bind-mounted over /run/pcscd and its own vpcd
 *   ports. Tests may stop and restart it freely without touching the system pcscd or other test files.
 *   The client side reaches it through PCSCLITE_CSOCK_NAME (set by `useSocket()` before pcsclite loads).
 * - `ensurePcscd()`: the shared system pcscd; starts `pcscd -f -a` if its socket is missing and stops only
 *   what it started.
 *
 * Both wait until the virtual readers are listening and fail with a clear message when pcscd or the
 * vsmartcard vpcd driver is not installed. Every process started here is killed when the test process
 * exits, even after a failure.
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pcscdListening } from '../../native/drivers/pcsc/pcsc';

export const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
export const SYSTEM_SOCKET = '/run/pcscd/pcscd.comm';

export interface PcscdInstance {
  /** Socket the client library must use (PCSCLITE_CSOCK_NAME). */
  readonly socketPath: string;
  /** vpcd TCP ports: [reader "Virtual PCD 00 00", reader "Virtual PCD 00 01"]. */
  readonly ports: [number, number];
  readonly readerNames: [string, string];
  /** True for a private instance (safe to stop/restart). */
  readonly isolated: boolean;
  /** True when this helper may stop and start the daemon. */
  readonly canRestart: boolean;
  readonly logFile: string | undefined;
  running(): boolean;
  start(): Promise<void>;
  /**
   * Stops the daemon: SIGTERM (then SIGKILL after 3 s), or SIGKILL at once, which leaves a stale socket
   * file behind like a crashed pcscd.
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  restart(): Promise<void>;
  /** Stops what this helper started and removes its temp files. */
  dispose(): Promise<void>;
}

const started = new Set<ChildProcess>();
const tempDirs = new Set<string>();
process.once('exit', () => {
  for (const child of started) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const out = r.stdout.trim();
  return r.status === 0 && out ? out : undefined;
}

/** Throws a clear message when pcscd or the vpcd driver is missing. */
export function checkPcscdInstalled(): string {
  const pcscd = which('pcscd') ?? (fs.existsSync('/usr/sbin/pcscd') ? '/usr/sbin/pcscd' : undefined);
  if (!pcscd) {
    throw new Error('pcscd is not installed: run `apt-get install pcscd vsmartcard-vpcd libpcsclite-dev`');
  }
  if (!fs.existsSync(VPCD_DRIVER)) {
    throw new Error(`the vpcd driver (${VPCD_DRIVER}) is missing: run \`apt-get install vsmartcard-vpcd\``);
  }
  return pcscd;
}

/** Resolves when a unix socket accepts a connection (the product's own probe, with a test timeout). */
export function socketAccepts(socketPath: string, timeoutMs = 500): Promise<boolean> {
  return pcscdListening(socketPath, timeoutMs);
}

/** TCP ports in LISTEN state, from /proc (no connection: connecting to vpcd would insert a card). */
export function listeningTcpPorts(): Set<number> {
  const ports = new Set<number>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue;
      const port = parseInt(cols[1]!.split(':')[1] ?? '', 16);
      if (Number.isFinite(port)) ports.add(port);
    }
  }
  return ports;
}

async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function freePortPair(): Promise<[number, number]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '0.0.0.0', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    if (first >= 65535) continue;
    const secondFree = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(first + 1, '0.0.0.0', () => srv.close(() => resolve(true)));
    });
    if (secondFree) return [first, first + 1];
  }
  throw new Error('could not find two consecutive free TCP ports for vpcd');
}

function stopChild(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      started.delete(child);
      resolve();
    });
    child.kill(signal);
  });
}

/** Sets PCSCLITE_CSOCK_NAME for this process. Call before @pokusew/pcsclite is first used. */
export function useSocket(instance: PcscdInstance): void {
  process.env.PCSCLITE_CSOCK_NAME = instance.socketPath;
}

function canIsolate(): boolean {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  if (!which('unshare')) return false;
  return spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']).status === 0;
}

/** A private pcscd (own mount namespace, socket dir and vpcd ports). Not started until start(). */
export async function createIsolatedPcscd(): Promise<PcscdInstance> {
  const pcscd = checkPcscdInstalled();
  if (!canIsolate()) {
    throw new Error(
      'an isolated pcscd needs root and `unshare --mount` (util-linux); use ensurePcscd() instead',
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-pcscd-'));
  tempDirs.add(dir);
  const runDir = path.join(dir, 'run');
  const confDir = path.join(dir, 'reader.conf.d');
  fs.mkdirSync(runDir);
  fs.mkdirSync(confDir);
  fs.mkdirSync('/run/pcscd', { recursive: true });
  const ports = await freePortPair();
  fs.writeFileSync(
    path.join(confDir, 'vpcd'),
    [
      'FRIENDLYNAME "Virtual PCD"',
      `DEVICENAME   /dev/null:0x${ports[0].toString(16)}`,
      `LIBPATH      ${VPCD_DRIVER}`,
      `CHANNELID    0x${ports[0].toString(16)}`,
      '',
    ].join('\n'),
  );
  const socketPath = path.join(runDir, 'pcscd.comm');
  const logFile = path.join(dir, 'pcscd.log');
  let child: ChildProcess | undefined;

  const instance: PcscdInstance = {
    socketPath,
    ports,
    readerNames: ['Virtual PCD 00 00', 'Virtual PCD 00 01'],
    isolated: true,
    canRestart: true,
    logFile,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async start() {
      if (instance.running()) return;
      for (const f of ['pcscd.comm', 'pcscd.pid', 'pcscd.pub'])
        fs.rmSync(path.join(runDir, f), { force: true });
      const log = fs.openSync(logFile, 'a');
      child = spawn(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          'mount --bind "$0" /run/pcscd && exec "$1" -f -a -c "$2"',
          runDir,
          pcscd,
          confDir,
        ],
        { stdio: ['ignore', log, log] },
      );
      fs.closeSync(log);
      started.add(child);
      const c = child;
      c.once('exit', () => started.delete(c));
      await waitFor(
        `pcscd to listen on ${socketPath} and vpcd on ports ${ports.join(', ')} (log: ${logFile})`,
        async () => {
          if (c.exitCode !== null) throw new Error(`pcscd exited with ${c.exitCode}; see ${logFile}`);
          const listening = listeningTcpPorts();
          return listening.has(ports[0]) && listening.has(ports[1]) && (await socketAccepts(socketPath));
        },
        10_000,
      );
    },
    async stop(signal) {
      if (child) await stopChild(child, signal);
      child = undefined;
    },
    async restart() {
      await instance.stop();
      await instance.start();
    },
    async dispose() {
      await instance.stop();
      fs.rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
  return instance;
}

/**
 * The shared system pcscd: reuses a running one, or starts `pcscd -f -a` (with the system
 * /etc/reader.conf.d, i.e. vpcd on 35963/35964) and stops it in dispose().
 */
export async function ensurePcscd(): Promise<PcscdInstance> {
  const pcscd = checkPcscdInstalled();
  const socketPath = process.env.PCSCLITE_CSOCK_NAME ?? SYSTEM_SOCKET;
  const ports: [number, number] = [35963, 35964];
  let child: ChildProcess | undefined;
  const already = await socketAccepts(socketPath);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-pcscd-'));
  tempDirs.add(dir);
  const logFile = path.join(dir, 'pcscd.log');
  const instance: PcscdInstance = {
    socketPath,
    ports,
    readerNames: ['Virtual PCD 00 00', 'Virtual PCD 00 01'],
    isolated: false,
    canRestart: !already,
    logFile: already ? undefined : logFile,
    running: () =>
      already ? true : child !== undefined && child.exitCode === null && child.signalCode === null,
    async start() {
      if (already || instance.running()) return;
      const log = fs.openSync(logFile, 'a');
      child = spawn(pcscd, ['-f', '-a'], { stdio: ['ignore', log, log] });
      fs.closeSync(log);
      started.add(child);
      const c = child;
      await waitFor(
        `pcscd on ${socketPath} (log: ${logFile})`,
        async () => {
          if (c.exitCode !== null) throw new Error(`pcscd exited with ${c.exitCode}; see ${logFile}`);
          const listening = listeningTcpPorts();
          return listening.has(ports[0]) && (await socketAccepts(socketPath));
        },
        10_000,
      );
    },
    async stop(signal) {
      if (already) throw new Error('refusing to stop a pcscd this test did not start');
      if (child) await stopChild(child, signal);
      child = undefined;
    },
    async restart() {
      await instance.stop();
      await instance.start();
    },
    async dispose() {
      if (!already && child) await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
  if (!already) await instance.start();
  return instance;
}

/** Isolated when possible, the shared system pcscd otherwise. The isolated one is not started yet. */
export async function testPcscd(): Promise<PcscdInstance> {
  checkPcscdInstalled();
  if (canIsolate()) return createIsolatedPcscd();
  return ensurePcscd();
}
