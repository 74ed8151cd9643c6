/**
 * The card job: what the manager runs on a card that a chip reader holds (the application gives it: in
 * the kiosk, the chip check-in's read and check), and the outcome it hands back, which is both the
 * `reading-done` event and the return value of ReaderManager.runJob for a caller that waits for it
 * (the demo's software-card tap).
 */
import type { CardTransport } from '../transport/types';
import { CardRemovedError, TransportTimeoutError } from '../transport/types';
import { ReaderError, toReaderErrorInfo } from '../transport/errors';

export interface CardJobContext {
  readerId: string;
  readerName: string;
  /** Reports a step of the reading ('bac', 'dg1', …) to the event stream. */
  progress(step: string, done?: number, total?: number): void;
  /** Aborted when the card leaves the reader or the manager stops. */
  signal: AbortSignal;
}

export type CardJob<R> = (transport: CardTransport, ctx: CardJobContext) => Promise<R>;

/** Why a reading failed: a reader error, or the card stack's own bilingual error (e.g. IcaoError). */
export interface JobErrorInfo {
  code: string;
  vi: string;
  en: string;
  retryable: boolean;
}

/** How a card job ended: its result, or the examiner's bilingual error; and how long it took. */
export type JobOutcome<R> =
  { ok: true; result: R; durationMs: number } | { ok: false; error: JobErrorInfo; durationMs: number };

/**
 * The outcome of a failed card job for the examiner: reader errors as they are, any other error that
 * carries a stable `code` with `vi`/`en` (the ICAO stack's errors) passed through, anything else a
 * generic "could not read" (its message is not used: it might quote card data).
 */
export function jobErrorInfo(err: unknown): JobErrorInfo {
  if (err instanceof ReaderError || err instanceof CardRemovedError || err instanceof TransportTimeoutError) {
    return toReaderErrorInfo(err);
  }
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; vi?: unknown; en?: unknown; retryable?: unknown };
    if (typeof e.code === 'string' && typeof e.vi === 'string' && typeof e.en === 'string') {
      return { code: e.code, vi: e.vi, en: e.en, retryable: e.retryable === true };
    }
  }
  return {
    code: 'reading_failed',
    vi: 'Không đọc được chip của thẻ. Vui lòng đặt lại thẻ.',
    en: 'The card chip could not be read. Please present the card again.',
    retryable: true,
  };
}
