/**
 * CLI start (issue 11): wall time of `node bin/kiosk.js check --session DEMO --qr ...` on the demo
 * database, through the built CLI (out/cli/kiosk.mjs) and, for comparison, through tsx and the
 * TypeScript sources, with bare `node -e 0` as the floor this machine sets. Goal: < 250 ms built.
 * CLI_START_RUNS sets the number of runs (default 15; the median is reported).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { round, tmpDir, type Figure } from './lib';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'kiosk.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(args: string[], env: NodeJS.ProcessEnv, runs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0 && r.status !== 1)
      throw new Error(`kiosk ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  }
  return out;
}

export async function benchCliStart(): Promise<Figure[]> {
  const runs = Number(process.env.CLI_START_RUNS ?? 15);
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-cli.mjs')], { stdio: 'ignore' });
  const dir = tmpDir('bench-cli-start-');
  const env = { ...process.env, KIOSK_DATA_DIR: dir, KIOSK_DB: '', KIOSK_STATION: 'bench' };
  const seed = JSON.parse(
    execFileSync(process.execPath, [bin, 'demo', 'seed', '--json'], { env, encoding: 'utf8' }),
  ) as { sampleQr: string };
  const args = [bin, 'check', '--session', 'DEMO', '--qr', seed.sampleQr];
  const floor = median(time(['-e', '0'], env, runs));
  const built = time(args, { ...env, KIOSK_CLI_FROM: 'built' }, runs);
  const tsx = time(args, { ...env, KIOSK_CLI_FROM: 'src' }, Math.max(3, Math.ceil(runs / 3)));
  const m = median(built);
  return [
    {
      name: 'kiosk check on the demo database (node bin/kiosk.js, built CLI), median wall time',
      value: round(m, 0),
      unit: 'ms',
      goal: '< 250 ms',
      pass: m < 250,
      note:
        `${runs} runs, min ${round(Math.min(...built), 0)} ms; node -e 0 alone: ${round(floor, 0)} ms ` +
        `(CLI cost above it ${round(m - floor, 0)} ms); through tsx: ${round(median(tsx), 0)} ms`,
    },
  ];
}
