/** Errors across the report worker's thread boundary, bilingual on both sides. */
import { KioskError } from '../errors';
import { ReportError, type ReportErrorCode } from './io';

export interface SerializedReportError {
  name: string;
  code: string;
  vi: string;
  en: string;
}

/** What the worker posts for an error: a KioskError as it is, anything else as `report_failed`. */
export function serializeReportError(err: unknown): SerializedReportError {
  if (err instanceof KioskError) return { name: err.name, code: err.code, vi: err.vi, en: err.en };
  const message = err instanceof Error ? err.message : String(err);
  return {
    name: 'KioskError',
    code: 'report_failed',
    vi: `Không tạo được báo cáo (lỗi: ${message}).`,
    en: `Could not generate the report (error: ${message}).`,
  };
}

/** The error the caller of the runner gets: the same class, code and texts as in the worker. */
export function deserializeReportError(e: SerializedReportError): KioskError {
  return e.name === 'ReportError'
    ? new ReportError(e.code as ReportErrorCode, e.vi, e.en)
    : new KioskError(e.code, { vi: e.vi, en: e.en });
}
