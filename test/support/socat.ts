/**
 * A connected pseudo-terminal pair from socat, for serial tests (PN532 emulator, serial QR scanner).
 * `socat -d -d pty,raw,echo=0,link=DIR/ttyA pty,raw,echo=0,link=DIR/ttyB`. The links live in a temp dir;
 * close() kills socat and removes the dir; `unplug()`/`replug()` simulate the device going away and coming
 * back on the same paths. Every socat started here is killed when the test process exits.
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PtyPair {
  /** Path the code under test opens (the "device" as the host sees it). */
  readonly a: string;
  /** The other end (the emulated device). */
  readonly b: string;
  readonly dir: string;
  /** Kills socat: both links disappear, open ports see a hang-up. */
  unplug(): Promise<void>;
  /** Starts socat again on the same link paths. */
  replug(): Promise<void>;
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
process.once('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // gone
    }
  }
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

export function checkSocatInstalled(): void {
  if (spawnSync('sh', ['-c', 'command -v socat']).status !== 0) {
    throw new Error('socat is not installed: run `apt-get install socat`');
  }
}

async function waitForLinks(paths: string[], child: ChildProcess, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}`);
    if (paths.every((p) => fs.existsSync(p))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`socat did not create ${paths.join(', ')} within ${timeoutMs} ms`);
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(hard);
      running.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function createPtyPair(): Promise<PtyPair> {
  checkSocatInstalled();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-pty-'));
  tempDirs.add(dir);
  const a = path.join(dir, 'ttyA');
  const b = path.join(dir, 'ttyB');
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const c = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    c.stderr?.resume();
    running.add(c);
    c.once('exit', () => running.delete(c));
    child = c;
    await waitForLinks([a, b], c);
  };
  await start();

  return {
    a,
    b,
    dir,
    async unplug() {
      if (child) await kill(child);
      child = undefined;
      // socat removes its links on SIGTERM; make sure they are gone either way.
      fs.rmSync(a, { force: true });
      fs.rmSync(b, { force: true });
    },
    async replug() {
      if (child) return;
      await start();
    },
    async close() {
      if (child) await kill(child);
      child = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}
