/**
 * Runs a report in a worker thread (node:worker_threads) so the Electron main process, which
 * answers the window and the card readers, never waits on a report: building the model and
 * writing a 10 000-row PDF take the worker a second of CPU, the main thread none.
 *
 * The worker (worker.ts) opens the database read-only (job.ts) and writes the file itself; the
 * caller gets the totals back, or the same bilingual KioskError / ReportError as from
 * ReportService.write(). One worker per report, ended when it has answered.
 *
 * Where the worker's code is: next to this module as `report-worker.js` when bundled
 * (electron.vite.config.ts builds it as its own entry of out/main), or the TypeScript source
 * through tsx when running from sources (tests, scripts).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { KioskError } from '../errors';
import type { ReportJob, ReportJobResult } from './job';
import { deserializeReportError, type SerializedReportError } from './runner-errors';

/** File name of the bundled worker entry, beside the bundle that contains this module. */
export const REPORT_WORKER_FILE = 'report-worker.js';

type WorkerReply = { ok: true; result: ReportJobResult } | { ok: false; error: SerializedReportError };

/** The worker's code: the bundled file, or (from sources) a bootstrap that loads the .ts through tsx. */
function workerEntry(): { entry: URL | string; eval: boolean } {
  const here = import.meta.url;
  if (/\.[cm]?ts$/.test(new URL(here).pathname)) {
    // tsx's ESM API (its `import` export: the CommonJS one cannot register from an eval'd worker).
    const req = createRequire(here);
    const pkgFile = req.resolve('tsx/package.json');
    const pkg = req(pkgFile) as { exports: Record<string, { import: { default: string } }> };
    const tsxApi = new URL(pkg.exports['./esm/api']!.import.default, pathToFileURL(pkgFile)).href;
    const source = new URL('./worker.ts', here).href;
    return {
      entry: `import(${JSON.stringify(tsxApi)}).then((t) => { t.register(); return import(${JSON.stringify(source)}); });`,
      eval: true,
    };
  }
  const file = REPORT_WORKER_FILE; // a variable: bundlers must not treat it as an asset import
  return { entry: new URL(file, here), eval: false };
}

const failed = (why: { vi: string; en: string }): KioskError =>
  new KioskError('report_failed', {
    vi: `Không tạo được báo cáo (${why.vi}).`,
    en: `Could not generate the report (${why.en}).`,
  });

/** Writes the report of `job` from a worker thread; resolves when the file is in place. */
export function runReportInWorker(job: ReportJob): Promise<ReportJobResult> {
  const { entry, eval: isEval } = workerEntry();
  return new Promise((resolve, reject) => {
    let settled = false;
    const worker = new Worker(entry, { workerData: job, eval: isEval });
    worker.once('message', (reply: WorkerReply) => {
      settled = true;
      if (reply.ok) resolve(reply.result);
      else reject(deserializeReportError(reply.error));
      void worker.terminate();
    });
    worker.once('error', (err) => {
      if (settled) return;
      settled = true;
      const message = err instanceof Error ? err.message : String(err);
      reject(failed({ vi: `lỗi luồng xử lý: ${message}`, en: `worker error: ${message}` }));
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(failed({ vi: `luồng xử lý dừng, mã ${code}`, en: `the worker stopped with code ${code}` }));
    });
  });
}
