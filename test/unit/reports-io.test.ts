import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReportError, writeFileAtomic } from '../../electron/core/reports/io';
import { writeReportXlsx } from '../../electron/core/reports/xlsx';
import { buildReportModel } from './reports-fixture';

const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-report-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const repo = path.resolve(import.meta.dirname, '../..');

async function failure(p: Promise<unknown>): Promise<ReportError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ReportError);
  const r = err as ReportError;
  expect(r.vi.length).toBeGreaterThan(10);
  expect(r.en.length).toBeGreaterThan(10);
  return r;
}

describe('atomic report writes', () => {
  it('replaces an existing report and leaves no temporary file', async () => {
    const out = path.join(dir, 'replace.txt');
    writeFileSync(out, 'old');
    await writeFileAtomic(out, 'mới');
    expect(readFileSync(out, 'utf8')).toBe('mới');
    expect(readdirSync(dir).filter((f) => f.includes('replace'))).toEqual(['replace.txt']);
  });

  it('a missing folder gives a bilingual error and creates nothing', async () => {
    const out = path.join(dir, 'no-such-folder', 'r.xlsx');
    const err = await failure(writeReportXlsx(buildReportModel({ candidates: 2 }), out));
    expect(err.code).toBe('report_folder_missing');
    expect(err.vi).toContain('không tồn tại');
    expect(readdirSync(dir)).not.toContain('no-such-folder');
  });

  it('a folder in the way of the file: the temp file written first is removed again', async () => {
    const sub = path.join(dir, 'blocked');
    mkdirSync(path.join(sub, 'report.xlsx'), { recursive: true });
    const err = await failure(
      writeReportXlsx(buildReportModel({ candidates: 2 }), path.join(sub, 'report.xlsx')),
    );
    expect(err.code).toBe('report_target_is_folder');
    expect(readdirSync(sub)).toEqual(['report.xlsx']);
  });

  // A real full disk: a 96 KiB tmpfs mounted in a private user + mount namespace (no root needed
  // where unprivileged user namespaces are allowed).
  const canMount =
    process.platform === 'linux' &&
    spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs /mnt'], { stdio: 'ignore' })
      .status === 0;

  it.skipIf(!canMount)('a full disk leaves the previous report intact and no half file', () => {
    const disk = path.join(dir, 'disk');
    mkdirSync(disk);
    // .mts: the temp folder has no package.json saying "type": "module".
    const script = path.join(dir, 'fill-disk.mts');
    const imp = (p: string) => JSON.stringify(path.join(repo, p));
    writeFileSync(
      script,
      `import { readdirSync, readFileSync } from 'node:fs';
import { writeReportCsv } from ${imp('electron/core/reports/csv.ts')};
import { writeReportPdf } from ${imp('electron/core/reports/pdf.ts')};
import { buildReportModel } from ${imp('test/unit/reports-fixture.ts')};
const disk = process.argv[2]!;
const small = buildReportModel({ candidates: 1 });
await writeReportCsv(small, disk + '/report.csv');
const before = readFileSync(disk + '/report.csv', 'utf8');
const results: unknown[] = [];
for (const [name, write] of [['report.csv', writeReportCsv], ['report.pdf', writeReportPdf]] as const) {
  try {
    await write(buildReportModel({ candidates: 600, flagged: 20 }), disk + '/' + name);
    results.push({ name, ok: true });
  } catch (e) {
    const err = e as { code: string; vi: string; en: string };
    results.push({ name, code: err.code, vi: err.vi, en: err.en });
  }
}
process.stdout.write(JSON.stringify({
  results,
  files: readdirSync(disk),
  intact: readFileSync(disk + '/report.csv', 'utf8') === before,
}));
`,
    );
    const run = spawnSync(
      'unshare',
      [
        '-rm',
        'sh',
        '-c',
        'mount -t tmpfs -o size=96k tmpfs "$1" && exec node "$2" "$3" "$1"',
        'sh',
        disk,
        path.join(repo, 'bin/run-ts.js'),
        script,
      ],
      { encoding: 'utf8', cwd: repo },
    );
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as {
      results: Array<{ name: string; code?: string; vi?: string; en?: string }>;
      files: string[];
      intact: boolean;
    };
    expect(out.results).toHaveLength(2);
    for (const r of out.results) {
      expect(r.code).toBe('report_disk_full');
      expect(r.vi).toContain('ổ đĩa đã đầy');
      expect(r.en).toContain('the disk is full');
    }
    expect(out.files).toEqual(['report.csv']);
    expect(out.intact).toBe(true);
  });
});
