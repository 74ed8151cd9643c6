/**
 * The chip-reading pipeline: from a card transport to a CardReading with its authenticity.
 *
 *  1. Access. EF.CardAccess is selected by FID (never via SELECT MF); when it offers PACE, PACE runs
 *     with the CAN (given, or the last 6 digits of the ID from the QR / typed ID / typed CCCD MRZ),
 *     or else with a typed MRZ. Without PACE, or when it fails, BAC: from a typed MRZ, or for a CCCD
 *     from document number = last 9 digits of the ID + date of birth + each expiry candidate of
 *     bacExpiryCandidates (ending with 991231); the first that opens the chip wins, and each failed
 *     attempt costs a fresh start (the application is selected again).
 *     When EF.CardAccess offers PACE, a PACE that fails cryptographically (wrong chip token T_IC,
 *     invalid point, malformed answer) is a forged chip (`chip_not_genuine`), never a reason for
 *     BAC; BAC follows only a chip without PACE, a variant this terminal lacks, a refused MSE:Set AT,
 *     or a refused password (which is still `wrong_access` when BAC fails too).
 *  2. Files. EF.COM (unsigned: informative only), then EF.SOD, whose signed list of data groups says
 *     what is read: every group it lists (DG14, DG1, DG13, DG15, DG2, then any other), except DG3/DG4
 *     (EAC). Files the SOD does not list are never selected. A listed group the chip withholds
 *     (6A82, 6982, any other status, malformed) is `dg_withheld`: altered_or_forged. Without a usable
 *     SOD, EF.COM's list is used (the verdict is altered_or_forged anyway).
 *  3. Proof. Chip Authentication with the DG14 key right after DG14 (the rest is read under the new
 *     keys; if it fails the channel is opened again); it must pass when DG14 announces it. Active
 *     Authentication with a random 8-byte challenge must pass when the SOD lists DG15. Passive
 *     authentication against the trust store (none given = the issuer cannot be confirmed: at best
 *     `unknown_issuer`), and the verdict (native/icao/authenticity.ts).
 *     Secure messaging: a plain error status under SM leaves it open whether the chip counted the
 *     command; the channel is opened again (PACE/BAC) before the next file or proof, and a file whose
 *     read fails right after one is read again on a new channel.
 *  4. Reading. DG13 fields first (name with diacritics, dates, sex, old ID, residence); the DG1 MRZ
 *     fills in for other eMRTDs (name without diacritics, the document number). DG1 and DG13 that
 *     disagree on the ID number or date of birth are `dg1_dg13_mismatch` (altered_or_forged).
 *
 * Errors become ChipReadError with a stable code, Vietnamese and English text and `retryable`.
 * The result carries the support trace of RecordingTransport (headers, lengths, status words and
 * timings: never data bytes). Nothing here logs; personal data stays in the returned values.
 *
 * `inspectStoredRead(dir)` checks a stored read (`EF.COM.bin`, `DG1.bin`, ..., `EF.SOD.bin`, as
 * `writeStoredRead` / `kiosk chip read --dump` write them) offline with the same passive
 * authentication; a stored read can never prove the chip itself (AA/CA are not run).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AuthenticityChecks,
  Bilingual,
  CardPhoto,
  CheckOutcome,
  Reason,
  Sex,
} from '../domain/vocabulary';
import type { CardReading } from '../cccd/types';
import { parseCccdQr } from '../cccd/qr';
import { bacExpiryCandidates } from '../cccd/expiry';
import { isIsoDate, toYymmdd } from '../util/dates';
import { parseResponse, decodeCommand } from '../iso7816/apdu';
import { activeAuthenticate } from '../icao/active-auth';
import { assessAuthenticity, type AnnouncedProofs, type AuthenticityReport } from '../icao/authenticity';
import { performBac } from '../icao/bac';
import { dataGroupLabel, reason } from '../icao/bilingual';
import { parseCardAccess, preferredPaceInfo, type PaceInfo } from '../icao/card-access';
import { chipAuthenticate } from '../icao/chip-auth';
import { parseDg13, type Dg13 } from '../cccd/dg13';
import { parseDg14, type Dg14 } from '../icao/dg14';
import { dg2Photo, parseDg2 } from '../icao/dg2';
import { FileReader, selectApplication, type FileReaderOptions } from '../icao/file-reader';
import { dataGroupFid, parseDg1, parseDg15, parseEfCom, type Dg1 } from '../icao/lds';
import { cccdMrzInformation, mrzInformation, parseMrz } from '../icao/mrz';
import { pace, type PacePassword } from '../icao/pace';
import { passiveAuthentication, type PassiveAuthInput, type PassiveAuthResult } from '../icao/passive-auth';
import { SecureTransport } from '../icao/sm';
import { parseSod } from '../icao/sod';
import { CardStatusError, IcaoError } from '../iso7816/sw';
import { readLength, readTag } from '../iso7816/tlv';
import type { TrustStore } from '../icao/trust-store';
import { ReaderError } from '../transport/errors';
import { RecordingTransport, type TraceEntry } from '../transport/recording';
import {
  CardRemovedError,
  TransportTimeoutError,
  type CardTransport,
  type TransportLimits,
} from '../transport/types';

// ---------------------------------------------------------------------------------------------
// Public types

/** What the kiosk knows to open the chip. Any one of them may be enough. */
export interface ChipAccess {
  /** Card Access Number (6 digits): on a CCCD, the last 6 digits of the ID. */
  can?: string;
  /** A typed MRZ (TD1 3 x 30 or TD3 2 x 44), or a 24-character BAC MRZ_information. */
  mrz?: string;
  /** The QR text of the card front (gives the ID, date of birth and issue date). */
  qr?: string;
  /** 12-digit ID number, ISO dates. */
  idNumber?: string;
  dateOfBirth?: string;
  dateOfIssue?: string;
}

export type ChipStep =
  | 'EF.CardAccess'
  | 'PACE'
  | 'BAC'
  | 'EF.COM'
  | 'DG1'
  | 'DG2'
  | 'DG13'
  | 'DG14'
  | 'DG15'
  | 'EF.SOD'
  | `DG${number}`
  | 'chip-auth'
  | 'active-auth'
  | 'passive-auth';

/** Progress for the UI: for files `done`/`total` are bytes ("reading DG2 40%"), otherwise steps. */
export interface ChipProgress {
  step: ChipStep;
  done: number;
  total: number;
}

export interface ReadChipOptions {
  /** CSCA certificates / master lists. Without one the verdict cannot be genuine (unknown_issuer). */
  trustStore?: TrustStore;
  onProgress?: (p: ChipProgress) => void;
  /** Chunk sizes and extended-length use (see FileReader). */
  fileReader?: FileReaderOptions;
  /** false = never try PACE (BAC only). Default true. */
  pace?: boolean;
  /** Run Chip Authentication / Active Authentication when the chip offers them (default true). */
  chipAuth?: boolean;
  activeAuth?: boolean;
  /** Deadline for the whole read; when it passes the read stops with a retryable 'timeout'. */
  timeoutMs?: number;
  /** Aborts the read (e.g. the card left the reader). */
  signal?: AbortSignal;
  /** Today (ISO) for the BAC expiry candidates; default today in Vietnam. */
  today?: string;
  /** Reference time for certificate validity when the SOD has no signing time. */
  now?: Date;
}

export type DataGroupStatus = 'read' | 'absent' | 'denied' | 'error' | 'skipped';

export interface DataGroupInfo {
  /** 'EF.COM', 'DG1', ..., 'EF.SOD'. */
  name: string;
  fid: number;
  /** Size in bytes (0 when not read). */
  bytes: number;
  status: DataGroupStatus;
  /** For data groups checked against the SOD: whether the hash matched. */
  hashOk?: boolean;
  /** The chip's status word when it did not give the file. */
  sw?: number;
}

/** Everything the chip says about the holder and the document (personal data: never log it). */
export interface ChipDocument {
  /** Where the identity fields came from. */
  source: 'DG13' | 'DG1' | 'none';
  idNumber?: string;
  oldIdNumber?: string;
  fullName?: string;
  dateOfBirth?: string;
  sex?: Sex;
  dateOfIssue?: string;
  /** ISO date, null = no expiry. */
  dateOfExpiry?: string | null;
  nationality?: string;
  ethnicity?: string;
  religion?: string;
  placeOfOrigin?: string;
  residence?: string;
  identifyingMarks?: string;
  fatherName?: string;
  motherName?: string;
  spouseName?: string;
  /** The MRZ lines of DG1. */
  mrz?: string[];
  mrzValid?: boolean;
  documentNumber?: string;
  /** MRZ document code ('ID', 'I', 'P', ...). */
  documentType?: string;
  issuingState?: string;
  photo?: { mime: string; bytes: number; width?: number; height?: number };
}

export interface ChipAuthSummary {
  outcome: CheckOutcome;
  code?: string;
}

export interface ChipReadResult {
  reading: CardReading;
  document: ChipDocument;
  authenticity: AuthenticityReport;
  access: 'PACE' | 'BAC';
  dataGroups: DataGroupInfo[];
  /** Raw files by name ('EF.CardAccess', 'EF.COM', 'DG1', ..., 'EF.SOD'), for --dump. */
  files: Map<string, Uint8Array>;
  /** Command APDUs sent. */
  apdus: number;
  /** File bytes read. */
  bytesRead: number;
  /** Wall time of the whole read. */
  ms: number;
  /** One entry per APDU: headers, lengths, status words, timings; never data. */
  trace: TraceEntry[];
  chipAuth: ChipAuthSummary;
  activeAuth: ChipAuthSummary;
  /** Notes that are not about authenticity (PACE fell back to BAC, a group was refused ...). */
  warnings: Reason[];
}

export interface StoredReadResult {
  /** Undefined when the files hold no usable identity. */
  reading?: CardReading;
  document: ChipDocument;
  authenticity: AuthenticityReport;
  dataGroups: DataGroupInfo[];
  files: Map<string, Uint8Array>;
  warnings: Reason[];
}

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

function chipError(code: ChipReadErrorCode, cause?: unknown, detail?: string): ChipReadError {
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

// ---------------------------------------------------------------------------------------------
// File names

const HANDLED_GROUPS = [1, 2, 13, 14, 15] as const;
/** Data groups behind Extended Access Control (fingerprints, iris): never selected, never "withheld". */
const EAC_GROUPS: ReadonlySet<number> = new Set([3, 4]);
const FID_COM = 0x011e;
const FID_SOD = 0x011d;
const FID_CARD_ACCESS = 0x011c;

/** The stored-read file name of a FID ('EF.COM', 'DG2', ...). */
export function fileName(fid: number): string {
  if (fid === FID_COM) return 'EF.COM';
  if (fid === FID_SOD) return 'EF.SOD';
  if (fid === FID_CARD_ACCESS) return 'EF.CardAccess';
  const n = fid - 0x0100;
  if (n >= 1 && n <= 16) return `DG${n}`;
  return fid.toString(16).toUpperCase().padStart(4, '0');
}

function fidOfName(name: string): number | undefined {
  if (name === 'EF.COM') return FID_COM;
  if (name === 'EF.SOD') return FID_SOD;
  if (name === 'EF.CardAccess') return FID_CARD_ACCESS;
  const m = /^DG(\d{1,2})$/.exec(name);
  const n = m ? Number(m[1]) : NaN;
  return n >= 1 && n <= 16 ? dataGroupFid(n) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Transports used by the pipeline

function sleepReject(ms: number, make: () => Error): { promise: Promise<never>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(make()), Math.max(0, ms));
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** Enforces the read's deadline and abort signal on every command. */
class GuardedTransport implements CardTransport {
  constructor(
    private readonly inner: CardTransport,
    private readonly deadline: number | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get limits(): TransportLimits {
    return this.inner.limits;
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (this.signal?.aborted) throw chipError('cancelled');
    if (this.deadline === undefined && !this.signal) return this.inner.transmit(command);
    const racers: Promise<Uint8Array>[] = [this.inner.transmit(command)];
    const cleanups: (() => void)[] = [];
    if (this.deadline !== undefined) {
      const t = sleepReject(
        this.deadline - performance.now(),
        () => new TransportTimeoutError('the chip read took longer than its deadline'),
      );
      racers.push(t.promise);
      cleanups.push(t.cancel);
    }
    if (this.signal) {
      const signal = this.signal;
      racers.push(
        new Promise<never>((_, reject) => {
          const onAbort = (): void => reject(chipError('cancelled'));
          signal.addEventListener('abort', onAbort, { once: true });
          cleanups.push(() => signal.removeEventListener('abort', onAbort));
        }),
      );
    }
    try {
      return await Promise.race(racers);
    } finally {
      for (const c of cleanups) c();
    }
  }
}

/** Watches READ BINARY answers over the secure channel to report bytes read of the current file. */
class ProgressTransport implements CardTransport {
  current: { step: ChipStep; done: number; total: number } | undefined;

  constructor(
    private readonly inner: CardTransport,
    private readonly report: ((p: ChipProgress) => void) | undefined,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get limits(): TransportLimits {
    return this.inner.limits;
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const response = await this.inner.transmit(command);
    const file = this.current;
    const ins = command[1];
    if (!file || !this.report || (ins !== 0xb0 && ins !== 0xb1) || response.length < 2) return response;
    const r = parseResponse(response);
    if ((r.sw !== 0x9000 && r.sw !== 0x6282) || r.data.length === 0) return response;
    let offset = -1;
    try {
      const c = decodeCommand(command);
      if (ins === 0xb0 && (c.p1 & 0x80) === 0) offset = (c.p1 << 8) | c.p2;
    } catch {
      offset = -1;
    }
    if (offset === 0 && ins === 0xb0) {
      try {
        const t = readTag(r.data, 0);
        const l = readLength(r.data, t.next);
        file.total = l.next + l.length;
      } catch {
        // not a TLV: the reader will say so; progress just stays indeterminate
      }
      file.done = r.data.length;
    } else if (offset > 0) {
      file.done = Math.max(file.done, offset + r.data.length);
    } else {
      file.done += r.data.length;
    }
    if (file.total > 0) file.done = Math.min(file.done, file.total);
    this.report({ step: file.step, done: file.done, total: file.total });
    return response;
  }
}

// ---------------------------------------------------------------------------------------------
// Access credentials

interface Credentials {
  can?: string;
  /** The typed MRZ's MRZ_information, if any. */
  typedMrz?: string;
  /** BAC MRZ_information candidates, most likely first, without duplicates. */
  bac: string[];
}

const MRZ_INFO_RE = /^[A-Z0-9<]{9}\d\d{6}\d\d{6}\d$/;

function resolveCredentials(access: ChipAccess, today: string | undefined): Credentials {
  let idNumber = access.idNumber?.trim() || undefined;
  let dateOfBirth = access.dateOfBirth?.trim() || undefined;
  let dateOfIssue = access.dateOfIssue?.trim() || undefined;
  let typedMrz: string | undefined;
  let mrzCan: string | undefined;

  if (access.mrz !== undefined && access.mrz.trim() !== '') {
    const compact = access.mrz.toUpperCase().replace(/\s+/g, '');
    if (MRZ_INFO_RE.test(compact)) typedMrz = compact;
    else {
      const parsed = parseMrz(access.mrz);
      const mrz = parsed.ok ? parsed.mrz : parsed.mrz;
      if (!mrz || !/^\d{6}$/.test(mrz.dateOfBirth) || !/^\d{6}$/.test(mrz.dateOfExpiry)) {
        throw chipError('access_data_invalid');
      }
      // A check digit typed wrong still gives the fields: the chip decides.
      typedMrz = mrzInformation(mrz);
      if (mrz.cccd) mrzCan = mrz.cccd.idNumber.slice(-6);
    }
  }
  if (access.qr !== undefined && access.qr.trim() !== '') {
    const q = parseCccdQr(access.qr);
    if (q.ok) {
      idNumber ??= q.reading.idNumber;
      dateOfBirth ??= q.reading.dateOfBirth;
      dateOfIssue ??= q.reading.dateOfIssue;
    } else {
      // A mangled name (keyboard layout) still leaves the digits usable.
      const fields = access.qr.trim().split('|');
      const id = fields[0]?.trim();
      if (id && /^\d{12}$/.test(id)) idNumber ??= id;
      const dob = fields[3]?.trim();
      if (dob && /^\d{8}$/.test(dob)) {
        const iso = `${dob.slice(4)}-${dob.slice(2, 4)}-${dob.slice(0, 2)}`;
        if (isIsoDate(iso)) dateOfBirth ??= iso;
      }
      if (!idNumber && !access.can && !typedMrz) {
        throw new ChipReadError('access_data_invalid', q.reason, false);
      }
    }
  }
  if (idNumber !== undefined && !/^\d{12}$/.test(idNumber)) throw chipError('access_data_invalid');
  if (dateOfBirth !== undefined && !isIsoDate(dateOfBirth)) throw chipError('access_data_invalid');
  if (dateOfIssue !== undefined && !isIsoDate(dateOfIssue)) dateOfIssue = undefined;
  const can = access.can?.trim() || undefined;
  if (can !== undefined && !/^\d{6}$/.test(can)) throw chipError('access_data_invalid');

  const bac: string[] = [];
  const add = (info: string): void => {
    if (!bac.includes(info)) bac.push(info);
  };
  if (typedMrz) add(typedMrz);
  if (idNumber && dateOfBirth) {
    const dob = toYymmdd(dateOfBirth);
    for (const doe of bacExpiryCandidates(dateOfBirth, dateOfIssue, today)) {
      add(cccdMrzInformation(idNumber, dob, doe));
    }
  }
  const out: Credentials = { bac };
  const anyCan = can ?? idNumber?.slice(-6) ?? mrzCan;
  if (anyCan) out.can = anyCan;
  if (typedMrz) out.typedMrz = typedMrz;
  if (!out.can && bac.length === 0) throw chipError('access_data_missing');
  return out;
}

// ---------------------------------------------------------------------------------------------
// The read

/** A transport error the pipeline must not swallow (the card left, the reader failed, time ran out). */
function isTransportFailure(e: unknown): boolean {
  return (
    e instanceof CardRemovedError ||
    e instanceof TransportTimeoutError ||
    e instanceof ReaderError ||
    e instanceof ChipReadError ||
    (e instanceof Error && e.name === 'TransportLimitError')
  );
}

/** The chip answered, but not as hoped (a status word or a protocol failure): the pipeline may go on. */
function isCardAnswer(e: unknown): boolean {
  return e instanceof CardStatusError || e instanceof IcaoError;
}

/** PACE failures after which BAC may be tried. */
const PACE_FALLBACK = new Set(['pace_wrong_password', 'pace_set_at_refused', 'pace_unsupported']);

/** How often one read may open its secure channel again (after plain errors or a failed CA). */
const MAX_REOPENS = 8;

interface Channel {
  secure: SecureTransport;
  method: 'PACE' | 'BAC';
  /** Opens a new channel with what worked (after a failed Chip Authentication broke the old one). */
  reopen(): Promise<SecureTransport>;
}

class ChipReader {
  readonly files = new Map<string, Uint8Array>();
  readonly groups: DataGroupInfo[] = [];
  readonly warnings: Reason[] = [];
  private readonly rec: RecordingTransport;
  private channel!: Channel;
  private progressT!: ProgressTransport;
  private reader!: FileReader;
  private reopens = 0;

  constructor(
    transport: CardTransport,
    private readonly options: ReadChipOptions,
  ) {
    const deadline =
      options.timeoutMs === undefined ? undefined : performance.now() + Math.max(0, options.timeoutMs);
    this.rec = new RecordingTransport(new GuardedTransport(transport, deadline, options.signal));
  }

  get trace(): TraceEntry[] {
    return this.rec.trace;
  }

  private progress(step: ChipStep, done: number, total: number): void {
    this.options.onProgress?.({ step, done, total });
  }

  private warn(code: string, vi: string, en: string): void {
    this.warnings.push(reason(code, 'warning', vi, en));
  }

  private bindReader(): void {
    this.progressT = new ProgressTransport(this.channel.secure, this.options.onProgress);
    this.reader = new FileReader(this.progressT, this.options.fileReader);
  }

  /**
   * The secure channel, opened again (PACE/BAC with what worked) when a failed authentication closed
   * it, or when a plain error status under secure messaging left it open whether the chip counted
   * that command (see SecureTransport.uncertain).
   */
  private async secure(force = false): Promise<SecureTransport> {
    const current = this.channel.secure;
    if (force || !current.isOpen || current.uncertain) {
      if (++this.reopens > MAX_REOPENS) {
        throw chipError('chip_error', undefined, 'the secure channel had to be opened again too often');
      }
      this.channel.secure = await this.channel.reopen();
      this.bindReader();
    }
    return this.channel.secure;
  }

  async open(creds: Credentials): Promise<void> {
    const rec = this.rec;
    let paceInfo: PaceInfo | undefined;
    if (this.options.pace !== false) {
      this.progress('EF.CardAccess', 0, 1);
      try {
        const { data } = await new FileReader(rec, this.options.fileReader).readFile(FID_CARD_ACCESS);
        this.files.set('EF.CardAccess', data);
        try {
          paceInfo = preferredPaceInfo(parseCardAccess(data));
        } catch {
          this.warn(
            'card_access_malformed',
            'EF.CardAccess trên chip bị lỗi; dùng BAC.',
            'EF.CardAccess on the chip is malformed; using BAC.',
          );
        }
      } catch (e) {
        // No EF.CardAccess (6A82), refused, or malformed: a BAC-only document. Anything else is real.
        if (!isCardAnswer(e)) throw e;
      }
      this.progress('EF.CardAccess', 1, 1);
    }

    let passwordRefused = false;
    const password: PacePassword | undefined = creds.can
      ? { kind: 'can', can: creds.can }
      : creds.typedMrz
        ? { kind: 'mrz', mrzInformation: creds.typedMrz }
        : undefined;
    if (paceInfo && password) {
      const info = paceInfo;
      this.progress('PACE', 0, 1);
      const openPace = async (): Promise<SecureTransport> => {
        const secure = new SecureTransport(rec, await pace(rec, password, info));
        await this.selectApp(secure);
        return secure;
      };
      try {
        const secure = await openPace();
        this.channel = { secure, method: 'PACE', reopen: openPace };
        this.progress('PACE', 1, 1);
        return;
      } catch (e) {
        if (!isCardAnswer(e)) throw e;
        // Only a refused password, a refused MSE:Set AT or a variant this terminal lacks lets BAC
        // follow. A PACE that fails cryptographically (wrong T_IC, invalid point, malformed answer)
        // is a fake chip (chip_not_genuine), and any other failure is reported, not hidden by BAC.
        if (!(e instanceof IcaoError) || !PACE_FALLBACK.has(e.code)) throw e;
        if (e.code === 'pace_wrong_password') passwordRefused = true;
        this.warn(
          passwordRefused ? 'pace_password_refused' : 'pace_failed',
          passwordRefused
            ? 'Chip từ chối số CAN/MRZ qua PACE; thử BAC.'
            : 'Không mở được chip bằng PACE; thử BAC.',
          passwordRefused
            ? 'The chip refused the CAN/MRZ over PACE; trying BAC.'
            : 'PACE did not open the chip; trying BAC.',
        );
      }
    }

    if (creds.bac.length === 0) {
      throw passwordRefused ? chipError('wrong_access') : chipError('access_data_missing');
    }
    this.progress('BAC', 0, creds.bac.length);
    await this.selectApp(rec);
    for (let i = 0; i < creds.bac.length; i++) {
      const info = creds.bac[i]!;
      try {
        const secure = new SecureTransport(rec, await performBac(rec, info));
        this.channel = {
          secure,
          method: 'BAC',
          reopen: async () => {
            await this.selectApp(rec);
            return new SecureTransport(rec, await performBac(rec, info));
          },
        };
        this.progress('BAC', creds.bac.length, creds.bac.length);
        return;
      } catch (e) {
        if (isTransportFailure(e)) throw e;
        if (e instanceof IcaoError && e.code === 'bac_failed') {
          passwordRefused = true;
          this.progress('BAC', i + 1, creds.bac.length);
          // A fresh start for the next attempt: select the application again.
          await this.selectApp(rec);
          continue;
        }
        if (e instanceof CardStatusError) {
          // GET CHALLENGE refused: this chip does not do BAC.
          throw passwordRefused ? chipError('wrong_access', e) : toChipReadError(e);
        }
        throw e;
      }
    }
    throw chipError('wrong_access');
  }

  private async selectApp(t: CardTransport): Promise<void> {
    try {
      await selectApplication(t);
    } catch (e) {
      if (e instanceof CardStatusError && (e.sw === 0x6a82 || e.sw === 0x6a86 || e.sw === 0x6d00)) {
        throw chipError('not_emrtd', e);
      }
      throw e;
    }
  }

  get access(): 'PACE' | 'BAC' {
    return this.channel.method;
  }

  /**
   * Reads one EF; a refusal or absence is recorded (status absent / denied / error), not thrown.
   * A read that loses the secure channel right after a plain error status is tried once more on a
   * new channel (chips differ in whether they count a command they answer plainly).
   */
  async readEf(fid: number): Promise<Uint8Array | undefined> {
    const name = fileName(fid);
    await this.secure();
    this.progressT.current = { step: name as ChipStep, done: 0, total: 0 };
    this.progress(name as ChipStep, 0, 0);
    try {
      let data: Uint8Array;
      try {
        ({ data } = await this.reader.readFile(fid));
      } catch (e) {
        if (!(e instanceof IcaoError && e.code === 'sm_resync')) throw e;
        await this.secure(true);
        this.progressT.current = { step: name as ChipStep, done: 0, total: 0 };
        ({ data } = await this.reader.readFile(fid));
      }
      this.files.set(name, data);
      this.groups.push({ name, fid, bytes: data.length, status: 'read' });
      this.progress(name as ChipStep, data.length, data.length);
      return data;
    } catch (e) {
      if (e instanceof CardStatusError) {
        const status: DataGroupStatus = e.sw === 0x6a82 ? 'absent' : e.sw === 0x6982 ? 'denied' : 'error';
        this.groups.push({ name, fid, bytes: 0, status, sw: e.sw });
        if (status === 'error' && !/^DG\d/.test(name)) {
          this.warn(
            'file_refused',
            `Chip từ chối đọc ${name} (${e.sw.toString(16).toUpperCase()}).`,
            `The chip refused to read ${name} (${e.sw.toString(16).toUpperCase()}).`,
          );
        }
        return undefined;
      }
      if (e instanceof IcaoError && e.code === 'file_malformed') {
        this.groups.push({ name, fid, bytes: 0, status: 'error' });
        this.warn(
          'file_malformed',
          `Tệp ${name} trên chip bị lỗi cấu trúc.`,
          `The file ${name} on the chip is malformed.`,
        );
        return undefined;
      }
      throw e;
    } finally {
      this.progressT.current = undefined;
    }
  }

  async chipAuthenticate(dg14: Dg14): Promise<ChipAuthSummary> {
    const key = dg14.chipAuthKeys[0];
    if (!key) return { outcome: dg14.unsupportedKeys.length > 0 ? 'not_supported' : 'not_run' };
    this.progress('chip-auth', 0, 1);
    try {
      // Confirmed by selecting DG14 again (just read: an honest chip answers 9000) in a response
      // whose MAC verifies under the new keys; a bare status word there fails.
      const r = await chipAuthenticate(await this.secure(), key, { confirmFid: dataGroupFid(14) });
      return { outcome: r.confirmed ? 'pass' : 'fail', code: r.confirmed ? 'ok' : 'ca_unconfirmed' };
    } catch (e) {
      if (isTransportFailure(e)) throw e;
      // Only a variant the kiosk itself cannot run is "not supported"; any answer of the chip that
      // does not prove the key is a failure.
      if (e instanceof IcaoError && (e.code === 'ca_unsupported' || e.code === 'unsupported_curve'))
        return { outcome: 'not_supported', code: e.code };
      if (e instanceof IcaoError || e instanceof CardStatusError) {
        // Whatever state the chip is in now, the next command goes over a new channel.
        this.channel.secure.close();
        return { outcome: 'fail', code: e instanceof IcaoError ? e.code : 'ca_refused' };
      }
      throw e;
    } finally {
      this.progress('chip-auth', 1, 1);
    }
  }

  async activeAuthenticate(dg15: Uint8Array, dg14: Dg14 | undefined): Promise<ChipAuthSummary> {
    let key;
    try {
      key = parseDg15(dg15);
    } catch (e) {
      // A DG15 the kiosk cannot parse (its hash is checked): the kiosk cannot run AA.
      return { outcome: 'not_supported', code: e instanceof IcaoError ? e.code : 'aa_key_invalid' };
    }
    this.progress('active-auth', 0, 1);
    try {
      const r = await activeAuthenticate(await this.secure(), key, {
        ...(dg14?.activeAuth?.hash ? { ecdsaHash: dg14.activeAuth.hash } : {}),
      });
      // A bare status word under SM (no signature) is a failure like any other non-signature.
      return { outcome: r.outcome, code: r.code };
    } catch (e) {
      if (isTransportFailure(e)) throw e;
      // The chip broke the secure channel instead of answering: no proof.
      if (e instanceof IcaoError) {
        this.channel.secure.close();
        return { outcome: 'fail', code: e.code };
      }
      throw e;
    } finally {
      this.progress('active-auth', 1, 1);
    }
  }

  async run(creds: Credentials): Promise<ChipRun> {
    await this.open(creds);
    this.bindReader();

    // EF.COM is unsigned: it only informs. The SOD's signed list decides what is read.
    const comBytes = await this.readEf(FID_COM);
    let comList: number[] | undefined;
    if (comBytes) {
      try {
        comList = parseEfCom(comBytes).dataGroups;
      } catch {
        this.warn('com_malformed', 'EF.COM bị lỗi.', 'EF.COM is malformed.');
      }
    }
    const sodBytes = await this.readEf(FID_SOD);
    let sodList: number[] | undefined;
    if (sodBytes) {
      try {
        sodList = [...parseSod(sodBytes).dataGroupHashes.keys()].sort((a, b) => a - b);
      } catch {
        // Passive authentication reports the malformed SOD (altered_or_forged).
        sodList = undefined;
      }
    }
    const listed = sodList ?? comList ?? [...HANDLED_GROUPS];
    if (sodList && comList) {
      const hidden = sodList.filter((n) => !comList.includes(n));
      if (hidden.length > 0) {
        this.warn(
          'com_incomplete',
          `EF.COM không liệt kê ${hidden.map((n) => `DG${n}`).join(', ')} mà EF.SOD có ký; vẫn đọc theo EF.SOD.`,
          `EF.COM does not list ${hidden.map((n) => `DG${n}`).join(', ')}, which EF.SOD signs; read as EF.SOD says.`,
        );
      }
      // Groups only EF.COM names are not selected (nothing signed to check them against).
      for (const n of comList.filter((x) => !sodList.includes(x) && x >= 1 && x <= 16)) {
        this.groups.push({ name: `DG${n}`, fid: dataGroupFid(n), bytes: 0, status: 'skipped' });
      }
    }
    const valid = listed.filter((n) => Number.isInteger(n) && n >= 1 && n <= 16);
    const wanted = new Set(valid.filter((n) => !EAC_GROUPS.has(n)));
    for (const n of valid) {
      if (EAC_GROUPS.has(n))
        this.groups.push({ name: `DG${n}`, fid: dataGroupFid(n), bytes: 0, status: 'skipped' });
    }

    let chipAuth: ChipAuthSummary = { outcome: 'not_run' };
    let activeAuth: ChipAuthSummary = { outcome: 'not_run' };
    let dg14: Dg14 | undefined;
    let caAnnounced = false;
    if (wanted.has(14)) {
      const bytes = await this.readEf(dataGroupFid(14));
      if (bytes) {
        try {
          dg14 = parseDg14(bytes);
        } catch {
          this.warn('dg14_malformed', 'DG14 trên chip bị lỗi.', 'DG14 on the chip is malformed.');
        }
      }
      if (dg14) {
        caAnnounced =
          dg14.chipAuthKeys.length > 0 || dg14.unsupportedKeys.length > 0 || dg14.chipAuthInfos.length > 0;
        if (this.options.chipAuth !== false) chipAuth = await this.chipAuthenticate(dg14);
        if (caAnnounced && chipAuth.outcome === 'not_run' && this.options.chipAuth !== false) {
          // CA info without a key the kiosk can use.
          chipAuth = { outcome: 'not_supported', code: 'ca_key_missing' };
        }
      }
    }
    for (const n of [1, 13, 15]) {
      if (!wanted.has(n)) continue;
      const bytes = await this.readEf(dataGroupFid(n));
      if (n === 15 && bytes && this.options.activeAuth !== false) {
        activeAuth = await this.activeAuthenticate(bytes, dg14);
      }
    }
    if (wanted.has(2)) await this.readEf(dataGroupFid(2));
    for (const n of [...wanted].sort((a, b) => a - b)) {
      if (HANDLED_GROUPS.includes(n as (typeof HANDLED_GROUPS)[number])) continue;
      await this.readEf(dataGroupFid(n));
    }
    const announced: AnnouncedProofs = {
      activeAuth: sodList?.includes(15) ?? false,
      chipAuth: sodList?.includes(14) === true && caAnnounced,
    };
    return { chipAuth, activeAuth, announced, sodListed: sodList };
  }
}

interface ChipRun {
  chipAuth: ChipAuthSummary;
  activeAuth: ChipAuthSummary;
  /** The anti-clone proofs the SOD announces. */
  announced: AnnouncedProofs;
  /** The data groups the SOD lists; undefined without a usable SOD. */
  sodListed: number[] | undefined;
}

/** Groups the SOD lists that the chip withholds: `dg_withheld` (error), DG3/DG4 excepted (EAC). */
function withheldReasons(sodListed: number[] | undefined, groups: DataGroupInfo[]): Reason[] {
  if (!sodListed) return [];
  const out: Reason[] = [];
  for (const n of sodListed) {
    if (EAC_GROUPS.has(n)) continue;
    const g = groups.find((x) => x.name === `DG${n}`);
    if (g?.status === 'read') continue;
    const why = g?.sw === undefined ? '' : ` (${g.sw.toString(16).toUpperCase().padStart(4, '0')})`;
    const label = dataGroupLabel(n);
    out.push(
      reason(
        'dg_withheld',
        'error',
        `EF.SOD có ký ${label.vi} nhưng chip không cho đọc${why}: chip sao chép hoặc giả.`,
        `EF.SOD signs ${label.en} but the chip withholds it${why}: a cloned or fake chip.`,
      ),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Interpreting the files (live or stored)

interface Interpretation {
  document: ChipDocument;
  photo?: CardPhoto;
  /** Findings about the data that belong to the authenticity verdict (errors and warnings). */
  readReasons: Reason[];
}

async function interpret(files: Map<string, Uint8Array>): Promise<Interpretation> {
  // Everything found here goes to the verdict's reasons: a group the issuer signed that cannot be
  // read is a warning (no clean green), DG1 and DG13 that disagree are a forgery.
  const warnings: Reason[] = [];
  let dg1: Dg1 | undefined;
  let dg13: Dg13 | undefined;
  const dg1Bytes = files.get('DG1');
  if (dg1Bytes) {
    try {
      dg1 = parseDg1(dg1Bytes);
    } catch {
      warnings.push(
        reason('dg1_unreadable', 'warning', 'DG1 (MRZ) không đọc được.', 'DG1 (MRZ) cannot be read.'),
      );
    }
  }
  const dg13Bytes = files.get('DG13');
  if (dg13Bytes) {
    try {
      dg13 = parseDg13(dg13Bytes);
    } catch {
      warnings.push(
        reason(
          'dg13_unreadable',
          'warning',
          'DG13 (thông tin công dân) không đọc được.',
          'DG13 cannot be read.',
        ),
      );
    }
  }
  const doc: ChipDocument = { source: 'none' };
  if (dg1) {
    const m = dg1.mrz;
    doc.mrz = [...m.lines];
    doc.mrzValid = dg1.valid;
    doc.documentNumber = m.documentNumber;
    doc.documentType = m.documentCode;
    doc.issuingState = m.issuingState;
    doc.nationality = m.nationality;
    const personal = m.optionalData1.replace(/</g, '');
    doc.idNumber = m.cccd?.idNumber ?? (/^\d{12}$/.test(personal) ? personal : m.documentNumber);
    doc.fullName = `${m.surname} ${m.givenNames}`.trim();
    if (m.dateOfBirthIso) doc.dateOfBirth = m.dateOfBirthIso;
    if (m.sex) doc.sex = m.sex;
    if (m.noExpiry) doc.dateOfExpiry = null;
    else if (m.dateOfExpiryIso) doc.dateOfExpiry = m.dateOfExpiryIso;
    doc.source = 'DG1';
  }
  if (dg13 && dg13.idNumber && dg13.fullName) {
    const mismatch = dg1 ? dg1Dg13Mismatch(dg1, dg13) : undefined;
    if (mismatch) {
      warnings.push(
        reason(
          'dg1_dg13_mismatch',
          'error',
          `${mismatch.vi} trong DG13 khác với MRZ (DG1): dữ liệu chip bị giả mạo.`,
          `The ${mismatch.en} in DG13 differs from the one in the MRZ (DG1): forged chip data.`,
        ),
      );
    }
    doc.source = 'DG13';
    doc.idNumber = dg13.idNumber;
    doc.fullName = dg13.fullName.normalize('NFC');
    const copy = [
      'dateOfBirth',
      'sex',
      'dateOfIssue',
      'oldIdNumber',
      'nationality',
      'ethnicity',
      'religion',
      'placeOfOrigin',
      'residence',
      'identifyingMarks',
      'fatherName',
      'motherName',
      'spouseName',
    ] as const;
    for (const k of copy) {
      const v = dg13[k];
      if (v !== undefined) (doc as unknown as Record<string, unknown>)[k] = v;
    }
    if (dg13.dateOfExpiry !== undefined) doc.dateOfExpiry = dg13.dateOfExpiry;
  }
  let photo: CardPhoto | undefined;
  const dg2Bytes = files.get('DG2');
  if (dg2Bytes) {
    try {
      const face = parseDg2(dg2Bytes).faces[0];
      photo = await dg2Photo(dg2Bytes);
      doc.photo = { mime: photo.mime, bytes: photo.data.length };
      if (face && face.width > 0) {
        doc.photo.width = face.width;
        doc.photo.height = face.height;
      }
    } catch {
      warnings.push(
        reason(
          'dg2_unreadable',
          'warning',
          'Ảnh chân dung (DG2) không đọc được.',
          'The face image (DG2) cannot be read.',
        ),
      );
    }
  }
  const out: Interpretation = { document: doc, readReasons: warnings };
  if (photo) out.photo = photo;
  return out;
}

/** What DG1 (MRZ) and DG13 disagree on, if anything: the ID number or the date of birth. */
function dg1Dg13Mismatch(dg1: Dg1, dg13: Dg13): { vi: string; en: string } | undefined {
  const m = dg1.mrz;
  const mrzId = m.cccd?.idNumber;
  if (mrzId && dg13.idNumber && mrzId !== dg13.idNumber) return { vi: 'Số định danh', en: 'ID number' };
  if (
    dg13.idNumber &&
    /^\d{12}$/.test(dg13.idNumber) &&
    m.issuingState === 'VNM' &&
    m.documentCode.startsWith('I')
  ) {
    // The CCCD document number is the last 9 digits of the ID.
    if (/^\d{9}$/.test(m.documentNumber) && m.documentNumber !== dg13.idNumber.slice(3))
      return { vi: 'Số định danh', en: 'ID number' };
  }
  if (dg13.dateOfBirth && isIsoDate(dg13.dateOfBirth) && /^\d{6}$/.test(m.dateOfBirth)) {
    if (toYymmdd(dg13.dateOfBirth) !== m.dateOfBirth) return { vi: 'Ngày sinh', en: 'date of birth' };
  }
  return undefined;
}

function readingOf(
  doc: ChipDocument,
  photo: CardPhoto | undefined,
  authenticity: AuthenticityReport,
): CardReading | undefined {
  if (doc.source === 'none' || !doc.idNumber || !doc.fullName || !doc.dateOfBirth) return undefined;
  const reading: CardReading = {
    source: 'chip',
    idNumber: doc.idNumber,
    fullName: doc.fullName,
    dateOfBirth: doc.dateOfBirth,
    authenticity: {
      verdict: authenticity.verdict,
      checks: authenticity.checks,
      reasons: authenticity.reasons,
    },
  };
  if (doc.oldIdNumber) reading.oldIdNumber = doc.oldIdNumber;
  if (doc.sex) reading.sex = doc.sex;
  if (doc.residence) reading.residence = doc.residence;
  if (doc.dateOfIssue) reading.dateOfIssue = doc.dateOfIssue;
  if (doc.dateOfExpiry !== undefined) reading.dateOfExpiry = doc.dateOfExpiry;
  if (photo) reading.photo = photo;
  return reading;
}

function dataGroupsFromFiles(files: Map<string, Uint8Array>): Map<number, Uint8Array> {
  const groups = new Map<number, Uint8Array>();
  for (const [name, bytes] of files) {
    const m = /^DG(\d{1,2})$/.exec(name);
    if (m) groups.set(Number(m[1]), bytes);
  }
  return groups;
}

function withHashes(groups: DataGroupInfo[], passive: PassiveAuthResult): DataGroupInfo[] {
  return groups.map((g) => {
    const m = /^DG(\d{1,2})$/.exec(g.name);
    if (!m || g.status !== 'read') return g;
    const n = Number(m[1]);
    if (passive.hashes.matched.includes(n)) return { ...g, hashOk: true };
    if (passive.hashes.mismatched.includes(n) || passive.hashes.injected.includes(n))
      return { ...g, hashOk: false };
    return g;
  });
}

/**
 * PassiveAuthInput as helper A extends it (issue 9): the document's issuing state (DG1, alpha-3) for
 * the DS/CSCA country check, and its date of issue (DG13, ISO) as the time to check the chain at
 * when the SOD has no signing time. Declared here so this compiles before and after that change.
 */
type PassiveInput = PassiveAuthInput & { issuingState?: string; dateOfIssue?: string };

/**
 * The document's issuing state for passive authentication. A document whose identity comes from DG13
 * with a 12-digit personal ID is a Vietnamese CCCD, whatever else the chip says: the country must never
 * come from fields the forger picks freely (the DS certificate's issuer, or a missing DG1), else a
 * forged CCCD under the forger's own CSCA "of another country" is merely unconfigured (amber).
 */
function documentState(document: ChipDocument): string | undefined {
  if (document.source === 'DG13' && /^\d{12}$/.test(document.idNumber ?? '')) return 'VNM';
  return document.issuingState;
}

function assess(
  files: Map<string, Uint8Array>,
  document: ChipDocument,
  trustStore: TrustStore | undefined,
  now: Date | undefined,
  proof: {
    activeAuth: CheckOutcome;
    chipAuth: CheckOutcome;
    announced?: AnnouncedProofs;
    readReasons: Reason[];
    stored?: boolean;
  },
): { passive: PassiveAuthResult; report: AuthenticityReport } {
  const input: PassiveInput = {
    sod: files.get('EF.SOD'),
    dataGroups: dataGroupsFromFiles(files),
    ...(trustStore ? { trustStore } : {}),
    ...(now ? { now } : {}),
    ...(documentState(document) ? { issuingState: documentState(document) } : {}),
    ...(document.dateOfIssue ? { dateOfIssue: document.dateOfIssue } : {}),
  };
  const passive = passiveAuthentication(input);
  const report = assessAuthenticity({
    passive,
    activeAuth: proof.activeAuth,
    chipAuth: proof.chipAuth,
    ...(proof.announced ? { announced: proof.announced } : {}),
    readReasons: proof.readReasons,
    ...(proof.stored ? { stored: true } : {}),
  });
  return { passive, report };
}

/**
 * Reads a chip through `transport`: opens it (PACE or BAC), reads the files, proves the chip and
 * checks the data, and returns the reading with its authenticity. Throws ChipReadError.
 */
export async function readChip(
  transport: CardTransport,
  access: ChipAccess,
  options: ReadChipOptions = {},
): Promise<ChipReadResult> {
  const start = performance.now();
  const reader = new ChipReader(transport, options);
  try {
    const creds = resolveCredentials(access, options.today);
    const { chipAuth, activeAuth, announced, sodListed } = await reader.run(creds);
    const { document, photo, readReasons } = await interpret(reader.files);
    options.onProgress?.({ step: 'passive-auth', done: 0, total: 1 });
    const { passive, report } = assess(reader.files, document, options.trustStore, options.now, {
      activeAuth: activeAuth.outcome,
      chipAuth: chipAuth.outcome,
      announced,
      readReasons: [...withheldReasons(sodListed, reader.groups), ...readReasons],
    });
    options.onProgress?.({ step: 'passive-auth', done: 1, total: 1 });
    const reading = readingOf(document, photo, report);
    if (!reading) throw chipError('chip_data_invalid');
    let bytesRead = 0;
    for (const g of reader.groups) bytesRead += g.bytes;
    bytesRead += reader.files.get('EF.CardAccess')?.length ?? 0;
    return {
      reading,
      document,
      authenticity: report,
      access: reader.access,
      dataGroups: withHashes(reader.groups, passive),
      files: reader.files,
      apdus: reader.trace.length,
      bytesRead,
      ms: performance.now() - start,
      trace: [...reader.trace],
      chipAuth,
      activeAuth,
      warnings: [...reader.warnings],
    };
  } catch (e) {
    throw toChipReadError(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Stored reads

const STORED_ORDER = [
  'EF.CardAccess',
  'EF.COM',
  ...Array.from({ length: 16 }, (_, i) => `DG${i + 1}`),
  'EF.SOD',
];

/** Writes `files` as `<name>.bin` into `dir` (created if needed). Returns the paths written. */
export async function writeStoredRead(dir: string, files: Map<string, Uint8Array>): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, bytes] of files) {
    if (fidOfName(name) === undefined) continue;
    const path = join(dir, `${name}.bin`);
    await writeFile(path, bytes);
    written.push(path);
  }
  return written;
}

/**
 * Checks a stored read offline: `EF.COM.bin`, `DG1.bin` ... `DG16.bin`, `EF.SOD.bin` in `dir`.
 * Passive authentication as for a live read; AA/CA cannot run on files, so the best verdict is
 * `signature_valid_chip_unproven`. Throws ChipReadError('stored_read_invalid') when nothing is there.
 */
export async function inspectStoredRead(dir: string, trustStore?: TrustStore): Promise<StoredReadResult> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw chipError('stored_read_invalid', e);
  }
  const files = new Map<string, Uint8Array>();
  const groups: DataGroupInfo[] = [];
  for (const name of STORED_ORDER) {
    if (!names.includes(`${name}.bin`)) continue;
    const bytes = new Uint8Array(await readFile(join(dir, `${name}.bin`)));
    files.set(name, bytes);
    if (name !== 'EF.CardAccess')
      groups.push({ name, fid: fidOfName(name)!, bytes: bytes.length, status: 'read' });
  }
  if (!files.has('EF.COM') && !files.has('EF.SOD') && dataGroupsFromFiles(files).size === 0) {
    throw chipError('stored_read_invalid');
  }
  // A stored read cannot run AA/CA, and a group missing from the folder is not "withheld" (the
  // dump may be partial): the best verdict is signature_valid_chip_unproven, with its reason.
  const { document, photo, readReasons } = await interpret(files);
  const { passive, report } = assess(files, document, trustStore, undefined, {
    activeAuth: 'not_run',
    chipAuth: 'not_run',
    readReasons,
    stored: true,
  });
  const out: StoredReadResult = {
    document,
    authenticity: report,
    dataGroups: withHashes(groups, passive),
    files,
    warnings: [],
  };
  const reading = readingOf(document, photo, report);
  if (reading) out.reading = reading;
  return out;
}

export type { AuthenticityChecks };
