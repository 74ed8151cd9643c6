/**
 * Fuzzing the chip parsers: TLV, EF.CardAccess, MRZ, DG1, DG2, DG13 and EF.SOD each get at least
 * 100 000 random and mutated inputs seeded from valid samples. Each must either parse or throw its
 * own error type (TlvError / IcaoError; the MRZ parser returns a result and must never throw), never
 * take long on one input, and never hang: the runs happen in two child processes whose watchdog
 * kills a parser that stops making progress and reports where.
 *
 * Reproduce a failure with the seed it prints: `FUZZ_SEED=<seed> npx vitest run test/unit/fuzz-parsers.test.ts`.
 * The long run (1 000 000 inputs per parser) is `npm run bench -- fuzz`.
 */
import { describe, expect, it } from 'vitest';
import {
  describeFinding,
  mulberry32,
  mutateBytes,
  runFuzz,
  runFuzzIsolated,
  type FuzzShard,
  type FuzzStats,
  type ParserName,
} from '../support/fuzz';

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const PER_PARSER = 100_000;

/**
 * Two child processes (the two cores). EF.SOD goes through the ASN.1 library (@peculiar/asn1-schema
 * on asn1js), about ten times the cost per input of the TLV-level parsers, so its inputs are split
 * over both workers to finish together.
 */
const WORKERS: FuzzShard[][] = [
  [
    { parser: 'tlv', seed: SEED, count: PER_PARSER },
    { parser: 'mrz', seed: SEED + 1, count: PER_PARSER },
    { parser: 'dg1', seed: SEED + 2, count: PER_PARSER },
    { parser: 'dg13', seed: SEED + 3, count: PER_PARSER },
    { parser: 'dg2', seed: SEED + 4, count: PER_PARSER },
    { parser: 'card-access', seed: SEED + 5, count: PER_PARSER },
    { parser: 'sod', seed: SEED + 6, count: PER_PARSER * 0.4 },
  ],
  [{ parser: 'sod', seed: SEED + 7, count: PER_PARSER * 0.6 }],
];

async function runWorker(shards: FuzzShard[]): Promise<FuzzStats[]> {
  // A slow input is a finding only when far slower than a busy CI machine can explain; hangs are the watchdog's.
  const r = await runFuzzIsolated(shards, { stallMs: 20_000, slowMs: 10_000 });
  if (r.hang) {
    throw new Error(
      `fuzz ${r.hang.parser} (seed ${r.hang.seed}) made no progress for 20 s after input ` +
        `#${r.hang.afterIteration}: a hang (reproduce: FUZZ_SEED=${SEED})`,
    );
  }
  for (const s of r.stats) if (s.finding) throw new Error(describeFinding(s.finding));
  return r.stats;
}

describe('fuzzing the chip parsers', () => {
  it('the mutator is deterministic for a seed and actually changes its inputs', () => {
    const samples = [Uint8Array.from([0x61, 0x03, 0x5f, 0x1f, 0x00]), Uint8Array.from([0x30, 0x00])];
    const a = mulberry32(42);
    const b = mulberry32(42);
    let changed = 0;
    for (let i = 0; i < 200; i++) {
      const x = mutateBytes(a, samples);
      const y = mutateBytes(b, samples);
      expect(x).toEqual(y);
      if (!samples.some((s) => s.length === x.length && s.every((v, j) => v === x[j]))) changed++;
    }
    expect(changed).toBeGreaterThan(150);
  });

  it('the harness can fail: a foreign error is reported with its seed and input index, reproducibly', () => {
    const boom = (input: Uint8Array | string): void => {
      if ((input as Uint8Array).length % 7 === 3) throw new TypeError('boom');
    };
    const a = runFuzz('dg13', 99, 5000, { run: boom });
    expect(a.finding?.kind).toBe('unexpected_error');
    expect(a.finding?.error).toBe('TypeError: boom');
    const b = runFuzz('dg13', 99, 5000, { run: boom });
    expect(b.finding?.iteration).toBe(a.finding?.iteration);
    expect(b.finding?.input).toBe(a.finding?.input);
    const text = describeFinding(a.finding!);
    expect(text).toContain('FUZZ_SEED=99');
    expect(text).toContain(`#${a.finding!.iteration}`);
    // The parser's own errors are fine; a slow input is a finding too.
    expect(runFuzz('mrz', 1, 200).finding).toBeUndefined();
    const slow = runFuzz('tlv', 3, 10, {
      slowMs: 5,
      run: () => {
        const end = performance.now() + 15;
        while (performance.now() < end);
      },
    });
    expect(slow.finding?.kind).toBe('slow');
  });

  it('the watchdog kills a parser that hangs and says where', async () => {
    const r = await runFuzzIsolated([{ parser: 'dg1', seed: 5, count: 10_000 }], {
      stallMs: 3_000,
      env: { FUZZ_SELFTEST_HANG_AT: '2500' },
    });
    expect(r.hang).toEqual({ parser: 'dg1', seed: 5, afterIteration: 2000 });
    expect(r.stats).toEqual([]);
  }, 30_000);

  it(`TLV, EF.CardAccess, MRZ, DG1, DG2, DG13 and EF.SOD each survive ${PER_PARSER} inputs without a foreign error or a hang`, async () => {
    const results = (await Promise.all(WORKERS.map(runWorker))).flat();
    const byParser = new Map<ParserName, { count: number; parsed: number; rejected: number }>();
    for (const r of results) {
      const t = byParser.get(r.parser) ?? { count: 0, parsed: 0, rejected: 0 };
      t.count += r.count;
      t.parsed += r.parsed;
      t.rejected += r.rejected;
      byParser.set(r.parser, t);
    }
    for (const parser of ['tlv', 'card-access', 'mrz', 'dg1', 'dg2', 'dg13', 'sod'] as const) {
      const t = byParser.get(parser)!;
      expect(t.count, parser).toBeGreaterThanOrEqual(PER_PARSER);
      // Mutations reach both outcomes: some inputs still parse, many are rejected cleanly.
      expect(t.parsed, `${parser} parsed`).toBeGreaterThan(PER_PARSER * 0.005);
      if (parser !== 'mrz') expect(t.rejected, `${parser} rejected`).toBeGreaterThan(PER_PARSER * 0.2);
    }
  }, 240_000);
});
