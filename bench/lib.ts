import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One measured figure, with its unit and the goal it is held against. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  goal: string;
  /** Whether the value meets the goal (undefined when the goal is informational). */
  pass?: boolean;
  note?: string;
}

export const RESULTS_DIR = path.resolve(import.meta.dirname, 'results');

export function writeResults(
  benchmark: string,
  figures: Figure[],
  extra: Record<string, unknown> = {},
): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${benchmark}.json`);
  const body = {
    benchmark,
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    figures,
    ...extra,
  };
  fs.writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
  return file;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)]!;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const round = (x: number, digits = 3) => Number(x.toFixed(digits));
