import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const KIOSK_BIN = path.join(ROOT, 'bin', 'kiosk.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: () => unknown;
}

/** Runs the real `kiosk` command as a separate process. */
export function kiosk(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [KIOSK_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, KIOSK_STATION: 'test-station', ...env },
    timeout: 60_000,
  });
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    json: () => JSON.parse(r.stdout),
  };
}
