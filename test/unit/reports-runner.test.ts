/**
 * The report worker (electron/core/reports/runner.ts): a 10 000-candidate PDF is written from a
 * worker thread while this thread's event loop keeps ticking, the file equals the one written in
 * this thread, and errors come back with their code and both languages.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KioskServices } from '../../electron/core/services';
import { fictionalPerson, qrTextOf, rosterCsv } from '../../electron/core/fictional-people';
import { KioskError } from '../../electron/core/errors';
import { ReportError } from '../../electron/core/reports/io';
import { runReportJob, type ReportJob } from '../../electron/core/reports/job';
import { runReportInWorker } from '../../electron/core/reports/runner';

const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-report-runner-'));
const by = { station: 'Bàn 1', actor: 'Đinh Công Tráng' };
const CANDIDATES = 10_000;
const SEED = 5;
let services: KioskServices;
let job: Omit<ReportJob, 'format' | 'out'>;

beforeAll(async () => {
  services = new KioskServices({ dbPath: path.join(dir, 'kiosk.db') });
  services.sessions.create(
    { code: 'RUN', council: 'Hội đồng sát hạch Sở Xây dựng Long An', date: '2026-11-27', licenceClasses: [] },
    by,
  );
  const csv = path.join(dir, 'roster.csv');
  writeFileSync(csv, rosterCsv(CANDIDATES, SEED));
  await services.roster.importFile('RUN', csv, by);
  for (let i = 0; i < 200; i++) services.checks.checkQr('RUN', qrTextOf(fictionalPerson(i * 37, SEED)), by);
  job = {
    dbPath: services.dbPath,
    sessionCode: 'RUN',
    lang: 'vi',
    timeZone: services.timeZone,
    generatedAt: '2026-11-27T10:45:09Z',
  };
}, 120_000);

afterAll(() => {
  services?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('report runner (worker thread)', () => {
  it('writes a 10 000-row PDF while the event loop keeps ticking, equal to the in-thread PDF', async () => {
    const out = path.join(dir, 'worker.pdf');
    let last = performance.now();
    let maxGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 20);
    let result;
    try {
      result = await runReportInWorker({ ...job, format: 'pdf', out });
    } finally {
      clearInterval(timer);
    }
    expect(result.totals).toMatchObject({ candidates: CANDIDATES, present: 200, absent: CANDIDATES - 200 });
    expect(ticks).toBeGreaterThan(5);
    expect(maxGap).toBeLessThan(200);

    const direct = path.join(dir, 'direct.pdf');
    await runReportJob({ ...job, format: 'pdf', out: direct });
    expect(readFileSync(out).equals(readFileSync(direct))).toBe(true);
  }, 120_000);

  it('writes CSV and XLSX too, with the totals of the session', async () => {
    for (const format of ['csv', 'xlsx'] as const) {
      const out = path.join(dir, `worker.${format}`);
      const r = await runReportInWorker({ ...job, format, out });
      expect(r).toMatchObject({ out, format, totals: { candidates: CANDIDATES, present: 200 } });
      expect(readFileSync(out).length).toBeGreaterThan(100_000);
    }
  }, 120_000);

  it('returns the service errors with their code and both languages', async () => {
    const missing = await runReportInWorker({
      ...job,
      sessionCode: 'NOPE',
      format: 'pdf',
      out: path.join(dir, 'x.pdf'),
    }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(KioskError);
    expect(missing).toMatchObject({
      code: 'session_not_found',
      vi: expect.stringContaining('NOPE'),
      en: expect.stringContaining('NOPE'),
    });

    const noFolder = await runReportInWorker({
      ...job,
      format: 'pdf',
      out: path.join(dir, 'no', 'such', 'r.pdf'),
    }).catch((e: unknown) => e);
    expect(noFolder).toBeInstanceOf(ReportError);
    expect(noFolder).toMatchObject({
      code: 'report_folder_missing',
      vi: expect.stringContaining('không tồn tại'),
    });
  }, 60_000);

  it('opens the database read-only: a missing database is an error, not a new empty file', async () => {
    const err = await runReportInWorker({
      ...job,
      dbPath: path.join(dir, 'none.db'),
      format: 'csv',
      out: path.join(dir, 'y.csv'),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'db_missing', vi: expect.any(String), en: expect.any(String) });
  }, 60_000);
});
