/**
 * The long fuzz run (issue 3): at least 1 000 000 random and mutated inputs for each chip parser
 * (TLV, EF.CardAccess, MRZ, DG1, DG2, DG13, EF.SOD), in two child processes with a hang watchdog,
 * as test/unit/fuzz-parsers.test.ts does with 100 000. A fresh seed each run explores new inputs;
 * it is printed with the figures, and `FUZZ_SEED=<seed> npm run bench -- fuzz` repeats a run.
 * `FUZZ_INPUTS=<n>` changes the count per parser.
 */
import { describeFinding, runFuzzIsolated, type FuzzShard, type FuzzStats } from '../test/support/fuzz';
import { round, type Figure } from './lib';

const PARSERS = ['tlv', 'card-access', 'mrz', 'dg1', 'dg2', 'dg13', 'sod'] as const;

export async function benchFuzz(): Promise<Figure[]> {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const n = Number(process.env.FUZZ_INPUTS ?? 1_000_000);
  // EF.SOD costs about ten times the others per input (ASN.1 library): split it over both workers.
  const workers: FuzzShard[][] = [
    [
      { parser: 'tlv', seed, count: n },
      { parser: 'mrz', seed: seed + 1, count: n },
      { parser: 'dg1', seed: seed + 2, count: n },
      { parser: 'dg13', seed: seed + 3, count: n },
      { parser: 'dg2', seed: seed + 4, count: n },
      { parser: 'card-access', seed: seed + 5, count: n },
      { parser: 'sod', seed: seed + 6, count: Math.round(n * 0.35) },
    ],
    [{ parser: 'sod', seed: seed + 7, count: n - Math.round(n * 0.35) }],
  ];
  const start = performance.now();
  const results = await Promise.all(
    workers.map((w) => runFuzzIsolated(w, { stallMs: 60_000, slowMs: 2_000 })),
  );
  const wallS = (performance.now() - start) / 1000;
  const stats: FuzzStats[] = results.flatMap((r) => r.stats);
  const figures: Figure[] = [];
  for (const r of results) {
    if (r.hang) {
      figures.push({
        name: `fuzz ${r.hang.parser}: hang`,
        value: r.hang.afterIteration,
        unit: 'inputs before the hang',
        goal: 'no hang',
        pass: false,
        note: `seed ${r.hang.seed}`,
      });
    }
  }
  for (const parser of PARSERS) {
    const mine = stats.filter((s) => s.parser === parser);
    const count = mine.reduce((a, s) => a + s.count, 0);
    const ms = mine.reduce((a, s) => a + s.totalMs, 0);
    const finding = mine.find((s) => s.finding)?.finding;
    const maxMs = Math.max(0, ...mine.map((s) => s.maxMs));
    figures.push({
      name: `fuzz ${parser}: inputs without a foreign error or a hang`,
      value: finding ? finding.iteration : count,
      unit: 'inputs',
      goal: `≥ ${n}`,
      pass: !finding && count >= n,
      note: finding
        ? describeFinding(finding)
        : `${round((count / ms) * 1000, 0)} inputs/s, slowest input ${round(maxMs, 1)} ms, seeds from ${seed}`,
    });
  }
  figures.push({
    name: 'fuzz wall time (2 workers)',
    value: round(wallS, 1),
    unit: 's',
    goal: 'informational',
    note: `seed ${seed}, ${n} inputs per parser`,
  });
  return figures;
}
