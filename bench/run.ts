/**
 * `npm run bench`: runs every benchmark and writes one JSON file per benchmark under bench/results/.
 * `npm run bench -- core` runs only the named ones.
 */
import { writeResults, type Figure } from './lib';
import { benchLogVerify, benchRosterAndChecks } from './core.bench';
import { benchReports } from './reports.bench';
import { benchChip } from './chip.bench';
import { benchTransports } from './transports.bench';
import { benchFuzz } from './fuzz.bench';
import { benchFuzzLong } from './fuzz-long.bench';
import { benchCardPull } from './card-pull.bench';
import { benchCrash } from './crash.bench';
import { benchLoad } from './load.bench';
import { attackLabRows, benchAttackLab } from './attack-lab.bench';
import { benchCliStart } from './cli-start.bench';
import { benchFace, faceExtras } from './face.bench';
import { benchSync } from './sync.bench';

const benches: Record<string, () => Promise<Figure[]>> = {
  'roster-and-checks': benchRosterAndChecks,
  'log-verify': () => benchLogVerify(),
  reports: benchReports,
  chip: benchChip,
  transports: benchTransports,
  'card-pull': benchCardPull,
  crash: benchCrash,
  load: benchLoad,
  // Issue 9: attacks tried / rejected per transport, honest faults read genuine (table of rows too).
  'attack-lab': benchAttackLab,
  'cli-start': benchCliStart,
  // Issue 12: the face engine in Node and the threshold's calibration (distances, FAR/FRR).
  face: benchFace,
  // Issue 13: 10 station processes × 2 000 checks into one PostgreSQL council server.
  sync: () => benchSync(),
  // The long fuzz runs (several minutes each): FUZZ_SEED repeats a run, FUZZ_INPUTS scales it.
  'fuzz-chip': benchFuzz,
  'fuzz-long': benchFuzzLong,
};

/** More to write into a benchmark's result file than its figures. */
const extras: Record<string, () => Record<string, unknown>> = {
  'attack-lab': () => ({ rows: attackLabRows() }),
  face: faceExtras,
};

const only = process.argv.slice(2);
let failed = 0;
for (const [name, fn] of Object.entries(benches)) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  process.stdout.write(`bench ${name} ...\n`);
  const figures = await fn();
  const file = writeResults(name, figures, extras[name]?.() ?? {});
  for (const f of figures) {
    const mark = f.pass === undefined ? ' ' : f.pass ? '✓' : '✗';
    if (f.pass === false) failed++;
    process.stdout.write(
      `  ${mark} ${f.name}: ${f.value} ${f.unit} (goal ${f.goal})${f.note ? ` — ${f.note}` : ''}\n`,
    );
  }
  process.stdout.write(`  → ${file}\n`);
}
if (failed) process.stdout.write(`${failed} figure(s) miss their goal\n`);
