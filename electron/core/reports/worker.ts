/**
 * Worker-thread entry of the report runner (runner.ts): runs one ReportJob (workerData) and posts
 * `{ ok: true, result }` or `{ ok: false, error }` with the error's code and both languages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runReportJob, type ReportJob } from './job';
import { serializeReportError } from './runner-errors';

const port = parentPort;
if (!port) throw new Error('reports/worker.ts runs in a worker thread (see reports/runner.ts)');
try {
  port.postMessage({ ok: true, result: await runReportJob(workerData as ReportJob) });
} catch (err) {
  port.postMessage({ ok: false, error: serializeReportError(err) });
}
