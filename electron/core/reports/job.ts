/**
 * One report, from a database file to an output file: what the report worker runs (worker.ts,
 * runner.ts) and what a caller without a UI to keep responsive may run directly.
 *
 * The database is opened read-only with its own connection: a report never writes, and the
 * Electron main process keeps its read-write connection meanwhile (WAL lets both read).
 */
import { AuditLog } from '../audit-log';
import { openDatabase } from '../db';
import { ReportService } from '../report-service';
import type { ReportFormat } from '../../../native/domain/vocabulary';
import { SessionService } from '../sessions';
import type { ReportLang, ReportTotals } from './model';

/** A report request; plain data, so it crosses to a worker thread as it is. */
export interface ReportJob {
  dbPath: string;
  sessionCode: string;
  format: ReportFormat;
  out: string;
  lang: ReportLang;
  /** IANA time zone the instants are printed in (the kiosk's, KioskServices.timeZone). */
  timeZone: string;
  /** ISO instant the report is dated; now by default. */
  generatedAt?: string;
}

export interface ReportJobResult {
  out: string;
  format: ReportFormat;
  totals: ReportTotals;
}

/** Builds and writes the report of `job`; errors are the bilingual ones of ReportService.write(). */
export async function runReportJob(job: ReportJob): Promise<ReportJobResult> {
  const db = openDatabase(job.dbPath, { readonly: true });
  try {
    const log = new AuditLog(db);
    const reports = new ReportService(db, log, new SessionService(db, log), job.timeZone);
    const now = job.generatedAt ? new Date(job.generatedAt) : new Date();
    const model = await reports.write(job.sessionCode, job.format, job.out, job.lang, now);
    return { out: job.out, format: job.format, totals: model.totals };
  } finally {
    db.close();
  }
}
