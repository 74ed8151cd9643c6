/**
 * Report benchmark (issue 2): time to write the attendance report of a session with 10 000
 * candidates and 2 000 flagged checks, in each format, to a temp folder (atomic write included).
 * Goal: under 2 s per format. Each format is written once to warm up (fonts, code), then timed
 * `runs` times; the median is the figure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeReportCsv } from '../electron/core/reports/csv';
import { writeReportPdf } from '../electron/core/reports/pdf';
import { writeReportXlsx } from '../electron/core/reports/xlsx';
import type { ReportModel } from '../electron/core/reports/model';
import { buildReportModel } from '../test/unit/reports-fixture';
import { percentile, round, tmpDir, type Figure } from './lib';

const GOAL_MS = 2000;

export async function benchReports(
  opts: { candidates?: number; flagged?: number; runs?: number } = {},
): Promise<Figure[]> {
  const candidates = opts.candidates ?? 10_000;
  const flagged = opts.flagged ?? 2_000;
  const runs = opts.runs ?? 3;
  const model = buildReportModel({ candidates, flagged });
  const small = buildReportModel({ candidates: 20, flagged: 5 });
  const dir = tmpDir('kiosk-bench-reports-');
  const writers: Array<[string, (m: ReportModel, out: string) => Promise<void>]> = [
    ['csv', writeReportCsv],
    ['xlsx', writeReportXlsx],
    ['pdf', writeReportPdf],
  ];
  const figures: Figure[] = [];
  try {
    for (const [format, write] of writers) {
      const out = path.join(dir, `report.${format}`);
      await write(small, out);
      const times: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < runs; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await write(model, out);
        times.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
      }
      cpu.sort((a, b) => a - b);
      times.sort((a, b) => a - b);
      const median = percentile(times, 50);
      figures.push({
        name: `report ${format}, ${candidates} candidates + ${flagged} flagged (median of ${runs})`,
        value: round(median, 0),
        unit: 'ms',
        goal: `< ${GOAL_MS} ms`,
        pass: median < GOAL_MS,
        // CPU time tells a busy machine from slow code: wall time far above it means other load.
        note: `min ${round(times[0] ?? NaN, 0)} ms, max ${round(times.at(-1) ?? NaN, 0)} ms, CPU median ${round(
          percentile(cpu, 50),
          0,
        )} ms, ${round(fs.statSync(out).size / 2 ** 20, 2)} MiB`,
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
