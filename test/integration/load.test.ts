/**
 * Checks in a row under load, with the right verdict every time and memory that does not grow:
 * through the CLI's services path in one process, through the `kiosk` CLI process itself (a small
 * sample), and through the test bridge over HTTP (the bridge in its own process, its memory sampled).
 * The 10 000-check runs with p50/p99 figures are `npm run bench -- load` (bench/load.bench.ts).
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  expectedVerdicts,
  loadThroughBridge,
  loadThroughCli,
  loadThroughServices,
  type LoadReport,
} from '../support/load';

/** Verdicts and memory are the point here, not disk latency: a tmpfs when there is one. */
const baseDir = fs.existsSync('/dev/shm') ? '/dev/shm' : undefined;
const onTmpfs = baseDir ? { baseDir } : {};

/** Heap after GC may drift by warm-up (code, caches); a leak of even 200 bytes per check shows above this. */
const MAX_HEAP_TREND_MIB_PER_10K = 5;

function expectSteady(r: LoadReport): void {
  expect(r.samples.length).toBeGreaterThanOrEqual(20);
  expect(r.heapTrendMiBPer10k, JSON.stringify(r.samples.map((s) => s.heapUsed))).toBeLessThan(
    MAX_HEAP_TREND_MIB_PER_10K,
  );
}

describe('load', () => {
  it('2 000 checks through the services path: right verdicts, steady heap', async () => {
    const r = await loadThroughServices({ checks: 2000, roster: 1200, ...onTmpfs });
    expect(r.verdicts).toEqual(expectedVerdicts(2000, 1200));
    expect(r.verdicts.already_checked_in).toBeGreaterThan(0);
    expectSteady(r);
    // A durable commit (fsync) per check: generous bound, the bench reports the real figures.
    expect(r.p50Ms).toBeLessThan(50);
  }, 120_000);

  it('1 000 checks through the test bridge over HTTP: right verdicts, the bridge process steady', async () => {
    const r = await loadThroughBridge({ checks: 1000, roster: 600, samples: 25, ...onTmpfs });
    expect(r.verdicts).toEqual(expectedVerdicts(1000, 600));
    expectSteady(r);
    expect(r.p50Ms).toBeLessThan(100);
  }, 120_000);

  it('the kiosk CLI process: each run checks and logs like the services path', async () => {
    const r = await loadThroughCli({ checks: 2, roster: 50, ...onTmpfs });
    expect(r.verdicts).toEqual(expectedVerdicts(2, 50));
  }, 60_000);
});
