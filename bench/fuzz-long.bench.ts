/**
 * The long fuzz run over every outside-bytes parser beyond the chip parsers (those are bench/fuzz.bench.ts):
 * EF.COM, DG14, DG15, passive authentication, PN532 frame streams, HID POS reports, keyboard-wedge key
 * streams, QR texts and the IPC schemas get 1 000 000 inputs each; the targets that write a file or a
 * database row per input get what a long run can afford (CSV 250 000, XLSX 20 000, KioskApi.handle
 * 100 000: see the rates in the figures). Shards of at most 250 000 inputs run in child processes with
 * the hang watchdog, two at a time (the two cores); a finding stops only its own shard, is saved under
 * test-artifacts/fuzz-findings/ and named with its seed in the figures.
 *
 * A fresh seed each run explores new inputs; `FUZZ_SEED=<seed>` repeats a run, `FUZZ_INPUTS=<n>` scales
 * every count (n per in-memory parser, the file/database targets in proportion).
 */
import { describeFinding, runFuzzIsolated, type FuzzFinding, type FuzzShard } from '../test/support/fuzz';
import { OUTSIDE_PARSERS, type OutsideParserName } from '../test/support/fuzz-targets';
import { round, type Figure } from './lib';

const FULL = 1_000_000;
/** Targets with a file or a database write per input: share of the full count (what is feasible). */
const FEASIBLE: Partial<Record<OutsideParserName, number>> = {
  csv: 0.25,
  xlsx: 0.02,
  'ipc-api': 0.1,
};
const SHARD = 250_000;

interface Tally {
  count: number;
  parsed: number;
  rejected: number;
  ms: number;
  maxMs: number;
  errorTypes: Record<string, number>;
  findings: FuzzFinding[];
  hangs: string[];
}

export async function benchFuzzLong(): Promise<Figure[]> {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const n = Number(process.env.FUZZ_INPUTS ?? FULL);
  const goal = (p: OutsideParserName): number => Math.max(1, Math.round(n * (FEASIBLE[p] ?? 1)));

  // Slow targets first so the two lanes finish together.
  const order = [...OUTSIDE_PARSERS].sort((a, b) => (FEASIBLE[b] ?? 0) - (FEASIBLE[a] ?? 0));
  const queue: FuzzShard[] = [];
  order.forEach((parser, t) => {
    const total = goal(parser);
    for (let done = 0, k = 0; done < total; done += SHARD, k++) {
      queue.push({ parser, seed: seed + t * 1000 + k, count: Math.min(SHARD, total - done) });
    }
  });

  const tallies = new Map<OutsideParserName, Tally>(
    OUTSIDE_PARSERS.map((p) => [
      p,
      { count: 0, parsed: 0, rejected: 0, ms: 0, maxMs: 0, errorTypes: {}, findings: [], hangs: [] },
    ]),
  );
  const started = performance.now();
  const lane = async (): Promise<void> => {
    for (let s = queue.shift(); s; s = queue.shift()) {
      const t = tallies.get(s.parser as OutsideParserName)!;
      let r: Awaited<ReturnType<typeof runFuzzIsolated>>;
      try {
        r = await runFuzzIsolated([s], { stallMs: 60_000, slowMs: 5_000 });
      } catch (e) {
        // The worker died outside a parser call (the harness itself): a problem, not the end of the run.
        t.hangs.push(`seed ${s.seed}: worker crashed: ${(e as Error).message.slice(0, 300)}`);
        process.stdout.write(`  fuzz ${s.parser} seed ${s.seed}: WORKER CRASHED\n`);
        continue;
      }
      for (const st of r.stats) {
        t.count += st.count;
        t.parsed += st.parsed;
        t.rejected += st.rejected;
        t.ms += st.totalMs;
        t.maxMs = Math.max(t.maxMs, st.maxMs);
        for (const [k, v] of Object.entries(st.errorTypes)) t.errorTypes[k] = (t.errorTypes[k] ?? 0) + v;
        if (st.finding) t.findings.push(st.finding);
      }
      if (r.hang) t.hangs.push(`seed ${r.hang.seed} after input #${r.hang.afterIteration}`);
      process.stdout.write(
        `  fuzz ${s.parser} seed ${s.seed}: ${r.stats[0]?.count ?? 0} inputs` +
          `${r.stats[0]?.finding ? ' — FINDING' : ''}${r.hang ? ' — HANG' : ''}\n`,
      );
    }
  };
  await Promise.all([lane(), lane()]);
  const wallS = (performance.now() - started) / 1000;

  const figures: Figure[] = [];
  let inputs = 0;
  let findings = 0;
  for (const parser of OUTSIDE_PARSERS) {
    const t = tallies.get(parser)!;
    const want = goal(parser);
    inputs += t.count;
    findings += t.findings.length + t.hangs.length;
    const types = Object.entries(t.errorTypes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const problems = [...t.findings.map((f) => describeFinding(f)), ...t.hangs.map((h) => `hang: ${h}`)];
    figures.push({
      name: `fuzz ${parser}: inputs tried`,
      value: t.count,
      unit: 'inputs',
      goal: `≥ ${want}${FEASIBLE[parser] ? ' (file/database per input: what is feasible)' : ''}, no finding`,
      pass: t.count >= want && problems.length === 0,
      note:
        `${round((t.count / t.ms) * 1000, 0)} inputs/s per core, findings ${problems.length}, ` +
        `accepted ${t.parsed}, refused ${t.rejected}${types ? ` (${types})` : ''}, slowest ${round(t.maxMs, 1)} ms` +
        (problems.length ? ` — ${problems.join(' | ').slice(0, 2000)}` : ''),
    });
  }
  figures.push(
    {
      name: 'fuzz (outside-bytes parsers): inputs tried in all',
      value: inputs,
      unit: 'inputs',
      goal: 'informational',
      note: `${OUTSIDE_PARSERS.length} parsers, seeds from ${seed}`,
    },
    {
      name: 'fuzz (outside-bytes parsers): findings',
      value: findings,
      unit: 'findings',
      goal: '0',
      pass: findings === 0,
      note: 'each saved under test-artifacts/fuzz-findings/ and named above',
    },
    {
      name: 'fuzz (outside-bytes parsers): wall time, 2 workers',
      value: round(wallS, 1),
      unit: 's',
      goal: 'informational',
      note: `${round(inputs / wallS, 0)} inputs/s overall`,
    },
  );
  return figures;
}
