/**
 * Short fuzz runs over every outside-bytes parser that test/unit/fuzz-parsers.test.ts does not cover:
 * EF.COM, DG14, DG15, passive authentication of mutated SODs, PN532 frame streams, HID POS reports,
 * keyboard-wedge key streams, QR texts, CSV and XLSX roster files, and every IPC channel (its zod
 * schema, and KioskApi.handle as a signed-in chair). Same harness (test/support/fuzz.ts), same rules:
 * each input parses, is refused with the parser's own error type (or an `{ ok: false }` result), or
 * it is a finding: saved under test-artifacts/fuzz-findings/, printed as hex with its seed.
 *
 * Two child processes with the watchdog, about 15 s of work each on the project's 2-core machines.
 * The long run (1 000 000 inputs per parser; files and the database-backed API: what is feasible) is
 * `npm run bench -- fuzz-long`. Reproduce: `FUZZ_SEED=<seed> npx vitest run test/unit/fuzz-outside-bytes.test.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeFinding,
  fuzzTargets,
  mulberry32,
  runFuzz,
  runFuzzAsync,
  runFuzzIsolated,
  type FuzzShard,
  type FuzzStats,
  type ParserName,
} from '../support/fuzz';
import { OUTSIDE_PARSERS, type OutsideParserName } from '../support/fuzz-targets';
import { CHANNEL_NAMES } from '../../electron/shared/ipc-contract';

const SEED = Number(process.env.FUZZ_SEED ?? 20261128);

/** Inputs per target in npm test (the bench runs 1 000 000). */
const COUNTS: Record<OutsideParserName, number> = {
  com: 20_000,
  dg14: 15_000,
  dg15: 15_000,
  pn532: 25_000,
  'hid-pos': 20_000,
  wedge: 15_000,
  qr: 30_000,
  'ipc-schema': 30_000,
  'passive-auth': 2_500,
  csv: 4_000,
  xlsx: 300,
  'ipc-api': 1_200,
};

const shard = (parser: OutsideParserName, k: number): FuzzShard => ({
  parser,
  seed: SEED + k,
  count: COUNTS[parser],
});

/** Two child processes (the two cores): the fast in-memory parsers, and the ones with I/O or crypto. */
const WORKERS: FuzzShard[][] = [
  [
    shard('com', 1),
    shard('dg14', 2),
    shard('dg15', 3),
    shard('pn532', 4),
    shard('hid-pos', 5),
    shard('wedge', 6),
    shard('qr', 7),
    shard('ipc-schema', 8),
  ],
  [shard('passive-auth', 9), shard('csv', 10), shard('xlsx', 11), shard('ipc-api', 12)],
];

async function runWorker(shards: FuzzShard[]): Promise<FuzzStats[]> {
  const r = await runFuzzIsolated(shards, { stallMs: 30_000, slowMs: 10_000 });
  if (r.hang) {
    throw new Error(
      `fuzz ${r.hang.parser} (seed ${r.hang.seed}) made no progress for 30 s after input ` +
        `#${r.hang.afterIteration}: a hang (reproduce: FUZZ_SEED=${SEED})`,
    );
  }
  for (const s of r.stats) if (s.finding) throw new Error(describeFinding(s.finding));
  return r.stats;
}

/** Targets whose every input is well-formed enough that "refused" is rare or impossible. */
const MOSTLY_ACCEPTED = new Set<ParserName>(['wedge', 'hid-pos', 'pn532']);

describe('fuzzing every other outside-bytes parser', () => {
  it('every parser that takes outside bytes is a target, with its allowed error types', () => {
    const targets = fuzzTargets();
    for (const name of [
      'tlv',
      'card-access',
      'mrz',
      'dg1',
      'dg2',
      'dg13',
      'sod',
      ...OUTSIDE_PARSERS,
    ] as ParserName[]) {
      expect(targets[name], name).toBeDefined();
      expect(Array.isArray(targets[name].allowed), `${name} lists its allowed errors`).toBe(true);
    }
    expect(Object.keys(COUNTS).sort()).toEqual([...OUTSIDE_PARSERS].sort());
  });

  it('the IPC fuzzers start from a valid request of every channel and reach every channel', () => {
    const seen = new Map<string, number>();
    const valid = new Set<string>();
    const t = fuzzTargets()['ipc-schema'];
    const rng = mulberry32(1);
    for (let i = 0; i < 20_000; i++) {
      const input = t.next(rng) as { channel: string; payload: unknown };
      seen.set(input.channel, (seen.get(input.channel) ?? 0) + 1);
      if (t.run(input) === true) valid.add(input.channel);
    }
    for (const c of CHANNEL_NAMES) {
      expect(seen.get(c) ?? 0, c).toBeGreaterThan(100);
      expect(valid.has(c), `${c}: some fuzzed requests pass its schema`).toBe(true);
    }
  });

  it('a finding is saved to a file and printed as hex with its seed; async targets are awaited', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-fuzz-findings-'));
    try {
      let n = 0;
      const r = runFuzz('pn532', 5, 1000, {
        saveDir: dir,
        run: () => {
          if (++n === 77) throw new RangeError('boom');
        },
      });
      expect(r.finding?.iteration).toBe(76);
      expect(r.finding?.error).toBe('RangeError: boom');
      const file = r.finding!.file!;
      expect(path.dirname(file)).toBe(dir);
      // A structured input (a list of chunks) is saved as its JSON; the message carries its hex too.
      const saved = fs.readFileSync(file, 'utf8').trim();
      expect(saved).toBe(r.finding!.input);
      expect(r.finding!.inputHex).toBe(Buffer.from(saved).toString('hex').toUpperCase());
      const text = describeFinding(r.finding!);
      expect(text).toContain('FUZZ_SEED=5');
      expect(text).toContain(`input hex ${r.finding!.inputHex!.slice(0, 40)}`);
      expect(text).toContain(file);
      // Bytes are saved raw (.bin), ready to commit as a regression input.
      const b = runFuzz('com', 6, 100, {
        saveDir: dir,
        run: () => {
          throw new TypeError("Cannot read properties of undefined (reading 'toString')");
        },
      });
      expect(b.finding?.file).toMatch(/\.bin$/);
      expect(fs.readFileSync(b.finding!.file!).toString('hex').toUpperCase()).toBe(b.finding!.input);
      // An asynchronous target's rejection is caught, and runFuzz refuses to run one synchronously.
      const c = await runFuzzAsync('csv', 7, 50, {
        saveDir: false,
        run: (async () => {
          throw new TypeError('async boom');
        }) as unknown as () => void,
      });
      expect(c.finding?.error).toBe('TypeError: async boom');
      expect(runFuzz('csv', 7, 5, { saveDir: false }).finding?.error).toMatch(/asynchronous/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the targets' invariants can fail: a key stream that loses a key is caught though nothing throws", () => {
    const t = fuzzTargets().wedge;
    const rng = mulberry32(3);
    let clean: { expect?: string; minLength: number; events: unknown[] } | undefined;
    for (let i = 0; i < 1000 && !clean; i++) {
      const x = t.next(rng) as { expect?: string; minLength: number; events: unknown[] };
      if (x.expect && x.expect.length > 20) clean = x;
    }
    expect(clean).toBeDefined();
    expect(t.run(clean)).toBe(true);
    const lost = { ...clean!, events: clean!.events.filter((_, i) => i !== 5) };
    expect(() => t.run(lost)).toThrow(/not recovered/);
    // And the harness reports it as a finding, not as a refusal.
    const r = runFuzz('wedge', 4, 100, { saveDir: false, run: () => t.run(lost) as void });
    expect(r.finding?.error).toMatch(/^InvariantError: scanner text not recovered/);
  });

  it(`${OUTSIDE_PARSERS.join(', ')}: each survives its short run without a foreign error, a broken invariant or a hang`, async () => {
    const results = (await Promise.all(WORKERS.map(runWorker))).flat();
    const targets = fuzzTargets();
    for (const parser of OUTSIDE_PARSERS) {
      const s = results.find((r) => r.parser === parser);
      expect(s, parser).toBeDefined();
      expect(s!.count, parser).toBe(COUNTS[parser]);
      // Only the parser's own error types (and clean { ok: false } refusals) were seen.
      const allowed = new Set([...(targets[parser].allowed ?? []), 'refused']);
      for (const type of Object.keys(s!.errorTypes))
        expect(allowed.has(type), `${parser}: ${type}`).toBe(true);
      // Mutations reach both outcomes: some inputs are accepted, many are refused cleanly.
      expect(s!.parsed, `${parser} accepted`).toBeGreaterThan(s!.count * 0.01);
      if (!MOSTLY_ACCEPTED.has(parser))
        expect(s!.rejected, `${parser} refused`).toBeGreaterThan(s!.count * 0.05);
    }
  }, 240_000);
});
