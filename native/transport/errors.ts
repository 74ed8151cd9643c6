/**
 * Reader and transport errors that can reach the examiner: each carries a stable `code`, a Vietnamese
 * message (`vi`) for the screen and an English one (`en`) for the log. Messages never contain personal
 * data (only reader names, ports and status codes).
 *
 * Card removal and timeouts subclass the shared CardRemovedError / TransportTimeoutError so callers that
 * only know native/transport/types.ts still recognise them.
 */

import type { Bilingual } from '../domain/vocabulary';
import { CardRemovedError, TransportTimeoutError } from './types';

export type ReaderErrorCode =
  | 'card_removed'
  | 'timeout'
  | 'reader_gone'
  | 'service_unavailable'
  | 'sharing_violation'
  | 'driver_missing'
  | 'module_not_built'
  | 'not_connected'
  | 'apdu_too_long'
  | 'protocol'
  | 'io';

export interface ReaderErrorInfo extends Bilingual {
  code: ReaderErrorCode;
  retryable: boolean;
}

const MESSAGES: Record<ReaderErrorCode, Bilingual> = {
  card_removed: {
    vi: 'Thẻ đã bị rút ra hoặc mất kết nối với thẻ. Vui lòng đặt lại thẻ.',
    en: 'The card was removed or stopped answering. Please present the card again.',
  },
  timeout: {
    vi: 'Thẻ hoặc đầu đọc không phản hồi kịp thời. Vui lòng thử lại.',
    en: 'The card or reader did not answer in time. Please try again.',
  },
  reader_gone: {
    vi: 'Đầu đọc thẻ đã bị ngắt kết nối.',
    en: 'The card reader was disconnected.',
  },
  service_unavailable: {
    vi: 'Dịch vụ đầu đọc thẻ (pcscd) chưa chạy.',
    en: 'The smart-card service (pcscd) is not running.',
  },
  sharing_violation: {
    vi: 'Đầu đọc thẻ đang được một chương trình khác sử dụng.',
    en: 'The card reader is in use by another program.',
  },
  driver_missing: {
    vi: 'Thiếu thư viện điều khiển đầu đọc thẻ trên máy này.',
    en: 'The reader driver library is not installed on this machine.',
  },
  module_not_built: {
    vi: 'Mô-đun PC/SC của kiosk chưa được biên dịch trên máy này (không phải do pcscd chưa chạy).',
    en: "The kiosk's PC/SC module was never built on this machine (this is not pcscd being stopped).",
  },
  not_connected: {
    vi: 'Chưa kết nối với thẻ.',
    en: 'Not connected to a card.',
  },
  apdu_too_long: {
    vi: 'Lệnh gửi tới thẻ quá dài đối với đầu đọc này.',
    en: 'The command is too long for this reader.',
  },
  protocol: {
    vi: 'Lỗi giao tiếp với đầu đọc thẻ.',
    en: 'Communication error with the card reader.',
  },
  io: {
    vi: 'Lỗi cổng kết nối của đầu đọc.',
    en: 'Reader port error.',
  },
};

const RETRYABLE: ReadonlySet<ReaderErrorCode> = new Set([
  'card_removed',
  'timeout',
  'reader_gone',
  'service_unavailable',
  'sharing_violation',
  'protocol',
  'io',
]);

/** The examiner-facing message for a code, optionally with a technical detail appended to `en` only. */
export function readerMessage(code: ReaderErrorCode, detail?: string): Bilingual {
  const m = MESSAGES[code];
  return { vi: m.vi, en: detail ? `${m.en} (${detail})` : m.en };
}

/** A reader-level failure other than card removal or timeout. */
export class ReaderError extends Error implements ReaderErrorInfo {
  readonly code: ReaderErrorCode;
  readonly vi: string;
  readonly en: string;
  readonly retryable: boolean;
  constructor(
    code: ReaderErrorCode,
    detail?: string,
    options?: { cause?: unknown; /** What to do, appended in both languages. */ fix?: Bilingual },
  ) {
    const msg = readerMessage(code, detail);
    const fix = options?.fix;
    super(
      fix ? `${msg.en} ${fix.en}` : msg.en,
      options?.cause !== undefined ? { cause: options.cause } : undefined,
    );
    this.name = 'ReaderError';
    this.code = code;
    this.vi = fix ? `${msg.vi} ${fix.vi}` : msg.vi;
    this.en = fix ? `${msg.en} ${fix.en}` : msg.en;
    this.retryable = RETRYABLE.has(code);
  }
}

/** CardRemovedError with bilingual text. */
export class ReaderCardRemovedError extends CardRemovedError implements ReaderErrorInfo {
  readonly code = 'card_removed' as const;
  readonly vi: string;
  readonly en: string;
  constructor(detail?: string, options?: { cause?: unknown }) {
    const msg = readerMessage('card_removed', detail);
    super(msg.en);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
    this.vi = msg.vi;
    this.en = msg.en;
  }
}

/** TransportTimeoutError with bilingual text. */
export class ReaderTimeoutError extends TransportTimeoutError implements ReaderErrorInfo {
  readonly code = 'timeout' as const;
  readonly vi: string;
  readonly en: string;
  constructor(detail?: string, options?: { cause?: unknown }) {
    const msg = readerMessage('timeout', detail);
    super(msg.en);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
    this.vi = msg.vi;
    this.en = msg.en;
  }
}

/** Converts anything thrown by a reader into the bilingual shape (for events and the UI). */
export function toReaderErrorInfo(err: unknown): ReaderErrorInfo {
  if (
    err instanceof ReaderError ||
    err instanceof ReaderCardRemovedError ||
    err instanceof ReaderTimeoutError
  ) {
    return { code: err.code, vi: err.vi, en: err.en, retryable: err.retryable };
  }
  if (err instanceof CardRemovedError)
    return { code: 'card_removed', ...readerMessage('card_removed'), retryable: true };
  if (err instanceof TransportTimeoutError)
    return { code: 'timeout', ...readerMessage('timeout'), retryable: true };
  const detail = err instanceof Error ? err.message : String(err);
  return { code: 'protocol', ...readerMessage('protocol', detail), retryable: true };
}
