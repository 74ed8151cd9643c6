/**
 * How a chip read fails: ChipReadError with a stable code, Vietnamese and English text and
 * `retryable`, and the mapping of anything thrown below (transport, reader, ICAO, status words) to it.
 * Also the two questions the pipeline asks of an error it catches: did the transport fail (never
 * swallowed), or did the chip merely answer badly (the pipeline may go on)?
 */
import type { Bilingual, Reason } from '../domain/vocabulary';
import { reason } from '../icao/bilingual';
import { CardStatusError, IcaoError } from '../iso7816/sw';
import { ReaderError } from '../transport/errors';
import { CardRemovedError, TransportTimeoutError } from '../transport/types';

export type ChipReadErrorCode =
  | 'card_removed'
  | 'timeout'
  | 'cancelled'
  | 'wrong_access'
  | 'access_data_missing'
  | 'access_data_invalid'
  | 'not_emrtd'
  | 'reader_error'
  | 'chip_error'
  | 'chip_data_invalid'
  | 'chip_not_genuine'
  | 'stored_read_invalid';

/**
 * A chip read that could not finish. `retryable`: presenting the card again may work.
 * `chip_not_genuine` (not retryable) is a finding, not a failure: the chip proved it is not what it
 * claims before any file was read (e.g. a wrong PACE token); `reason` says why (error severity) and
 * the check-in flow logs it as a rejected check.
 */
export class ChipReadError extends Error implements Bilingual {
  readonly code: ChipReadErrorCode;
  readonly vi: string;
  readonly en: string;
  readonly retryable: boolean;
  /** For chip_not_genuine: the authenticity reason (e.g. `pace_token_invalid`). */
  readonly reason?: Reason;
  constructor(
    code: ChipReadErrorCode,
    text: Bilingual,
    retryable: boolean,
    options?: { cause?: unknown; reason?: Reason },
  ) {
    super(text.en, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChipReadError';
    this.code = code;
    this.vi = text.vi;
    this.en = text.en;
    this.retryable = retryable;
    if (options?.reason) this.reason = options.reason;
  }
}

const MESSAGES: Record<ChipReadErrorCode, Bilingual> = {
  card_removed: {
    vi: 'Thẻ đã bị rút ra trong khi đọc chip. Hãy đặt lại thẻ lên đầu đọc.',
    en: 'The card was removed while the chip was being read. Place the card on the reader again.',
  },
  timeout: {
    vi: 'Chip không phản hồi kịp thời. Hãy đặt lại thẻ và thử lại.',
    en: 'The chip did not answer in time. Place the card again and retry.',
  },
  cancelled: { vi: 'Đã hủy đọc chip.', en: 'The chip reading was cancelled.' },
  wrong_access: {
    vi: 'Không mở được chip: số CAN hoặc thông tin MRZ (số giấy tờ, ngày sinh, ngày hết hạn) không khớp với thẻ.',
    en: 'Could not open the chip: the CAN or the MRZ data (document number, date of birth, date of expiry) does not match the card.',
  },
  access_data_missing: {
    vi: 'Cần quét mã QR, hoặc nhập số CAN (6 số cuối số định danh) hay MRZ, để mở chip.',
    en: 'Scan the QR code, or enter the CAN (last 6 digits of the ID) or the MRZ, to open the chip.',
  },
  access_data_invalid: {
    vi: 'Dữ liệu để mở chip không hợp lệ: CAN phải có 6 chữ số, số định danh 12 chữ số, MRZ đúng định dạng.',
    en: 'The data to open the chip is invalid: the CAN must be 6 digits, the ID 12 digits, the MRZ well formed.',
  },
  not_emrtd: {
    vi: 'Thẻ trên đầu đọc không phải thẻ căn cước gắn chip hay hộ chiếu điện tử.',
    en: 'The card on the reader is not a chip ID card or an electronic passport.',
  },
  reader_error: {
    vi: 'Lỗi đầu đọc thẻ. Hãy kiểm tra đầu đọc và thử lại.',
    en: 'Card reader error. Check the reader and retry.',
  },
  chip_error: {
    vi: 'Chip trả lời không đúng giao thức. Hãy đặt lại thẻ và thử lại.',
    en: 'The chip answered outside the protocol. Place the card again and retry.',
  },
  chip_data_invalid: {
    vi: 'Không đọc được thông tin nhận dạng trên chip.',
    en: 'The identity data on the chip cannot be read.',
  },
  chip_not_genuine: {
    vi: 'Chip không phải chip thật của thẻ: chip trả lời sai khi mở kênh bảo mật (PACE). Thẻ có thể bị làm giả.',
    en: 'The chip is not genuine: it answered the secure channel set-up (PACE) wrongly. The card may be forged.',
  },
  stored_read_invalid: {
    vi: 'Thư mục không chứa dữ liệu chip đã lưu (EF.COM.bin, DG1.bin, ..., EF.SOD.bin).',
    en: 'The folder holds no stored chip read (EF.COM.bin, DG1.bin, ..., EF.SOD.bin).',
  },
};

const RETRYABLE = new Set<ChipReadErrorCode>(['card_removed', 'timeout', 'reader_error', 'chip_error']);

export function chipError(code: ChipReadErrorCode, cause?: unknown, detail?: string): ChipReadError {
  const m = MESSAGES[code];
  return new ChipReadError(
    code,
    { vi: m.vi, en: detail ? `${m.en} (${detail})` : m.en },
    RETRYABLE.has(code),
    { cause },
  );
}

/** PACE failed cryptographically: the chip is not what it claims (red, logged as a rejected check). */
function notGenuine(e: IcaoError): ChipReadError {
  const m = MESSAGES.chip_not_genuine;
  const token = e.code === 'pace_token_invalid';
  return new ChipReadError('chip_not_genuine', m, false, {
    cause: e,
    reason: reason(
      e.code,
      'error',
      token
        ? 'Chip trả mã xác thực PACE (T_IC) sai: chip không biết khóa phiên, có thể là chip giả.'
        : 'Chip trả lời PACE sai về mật mã (điểm hoặc dữ liệu không hợp lệ): có thể là chip giả.',
      token
        ? 'The chip returned a wrong PACE authentication token (T_IC): it does not hold the session keys, a possible fake chip.'
        : 'The chip answered PACE with invalid cryptographic data (point or data objects): a possible fake chip.',
    ),
  });
}

/** Maps anything thrown during a read to a ChipReadError (bilingual, with `retryable`). */
export function toChipReadError(e: unknown): ChipReadError {
  if (e instanceof ChipReadError) return e;
  if (e instanceof CardRemovedError) return chipError('card_removed', e);
  if (e instanceof TransportTimeoutError) return chipError('timeout', e);
  if (e instanceof ReaderError) {
    return new ChipReadError('reader_error', { vi: e.vi, en: e.en }, e.retryable, { cause: e });
  }
  if (e instanceof IcaoError) {
    if (e.code === 'pace_wrong_password' || e.code === 'bac_failed') return chipError('wrong_access', e);
    if (e.code === 'pace_token_invalid' || e.code === 'pace_protocol_invalid') return notGenuine(e);
    return chipError('chip_error', e, `${e.code}: ${e.en}`);
  }
  if (e instanceof CardStatusError) return chipError('chip_error', e, e.en);
  if (e instanceof Error && e.name === 'TransportLimitError') return chipError('reader_error', e, e.message);
  return chipError('chip_error', e, e instanceof Error ? e.name : undefined);
}

/** A transport error the pipeline must not swallow (the card left, the reader failed, time ran out). */
export function isTransportFailure(e: unknown): boolean {
  return (
    e instanceof CardRemovedError ||
    e instanceof TransportTimeoutError ||
    e instanceof ReaderError ||
    e instanceof ChipReadError ||
    (e instanceof Error && e.name === 'TransportLimitError')
  );
}

/** The chip answered, but not as hoped (a status word or a protocol failure): the pipeline may go on. */
export function isCardAnswer(e: unknown): boolean {
  return e instanceof CardStatusError || e instanceof IcaoError;
}
