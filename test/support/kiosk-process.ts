/**
 * The real `kiosk` command as child processes, without blocking the test process (which may be
 * serving a card meanwhile): `runKiosk` waits for the exit, `startKiosk` starts a long-running command
 * (`kiosk sim card`, `kiosk sim pn532`) and hands back its output line by line. Every process started
 * here is killed when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { KIOSK_BIN, type CliResult } from './cli';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) {
    try {
      c.kill('SIGKILL');
    } catch {
      // gone
    }
  }
});

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, KIOSK_STATION: 'test-station', ...extra };
}

/** Runs `kiosk args...` to the end. */
export function runKiosk(
  args: string[],
  extraEnv: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KIOSK_BIN, ...args], {
      env: env(extraEnv),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kiosk ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        json: () => JSON.parse(stdout),
        ms: Date.now() - started,
      });
    });
  });
}

export interface KioskProcess {
  child: ChildProcess;
  /** The first line of stdout (e.g. the simulated card's QR text). */
  firstLine: string;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** Resolves when a stdout line matches. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM (then SIGKILL after 5 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts a long-running `kiosk` command and waits for its first line of output. */
export async function startKiosk(
  args: string[],
  extraEnv: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<KioskProcess> {
  const child = spawn(process.execPath, [KIOSK_BIN, ...args], {
    env: env(extraEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const l of [...listeners]) l();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      running.delete(child);
      resolve(code);
      for (const l of [...listeners]) l();
    }),
  );

  const waitForLine = (re: RegExp, limit = timeoutMs): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = lines.find((l) => re.test(l));
        if (hit !== undefined) {
          done();
          resolve(hit);
        } else if (exitCode !== undefined) {
          done();
          reject(
            new Error(
              `kiosk ${args.join(' ')} exited (${exitCode}) before ${re}:\n${lines.join('\n')}\n${stderr}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `no line ${re} from kiosk ${args.join(' ')} in ${limit} ms:\n${lines.join('\n')}\n${stderr}`,
          ),
        );
      }, limit);
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  const firstLine = await waitForLine(/.*/);
  return {
    child,
    firstLine,
    lines,
    waitForLine,
    async stop() {
      if (exitCode !== undefined) return exitCode;
      const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(hard);
      return code;
    },
  };
}
