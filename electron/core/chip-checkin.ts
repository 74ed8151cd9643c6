/**
 * The chip check-in flow: a tap or a scan at the kiosk becomes a logged verdict.
 *
 *   QR scanned ──► held for `accessTtlMs` (its CAN opens the chip) ──► no chip read in time:
 *                                                                     checked QR-only (not_checked)
 *   card on a chip reader ──► opened with the freshest access data (the held QR, a typed CAN/MRZ;
 *                             BAC candidates from the QR's ID and date of birth when PACE is absent)
 *                         ──► full read + authenticity (trust store folder read at each card)
 *                         ──► services.checks.checkReading ──► the audit log (non-personal details)
 *
 * Rules:
 * - One card, one key: access data that opened a card is used up; a QR consumed by a chip read is not
 *   checked again on its own. A QR whose CAN the card refuses (`wrong_access`) does not belong to that
 *   card: it is dropped (the examiner is told, `access-refused`) and the card waits, still on the
 *   reader, for other access data (a new QR scan, a typed CAN) for `waitForAccessMs`.
 * - A failed chip read (card removed, timeout, reader error, wrong CAN) is NOT a check: nothing is
 *   written to the audit log, so it can never count as a check-in; the examiner gets a bilingual,
 *   retryable error (`failed`, stage 'read') and the access data stays held for the retry (except a
 *   refused key). A failed read tells nothing about the holder; only finished checks are logged, each
 *   in one transaction by the check service.
 * - Except a chip that proved it is NOT genuine before its files were read (`chip_not_genuine`, e.g. a
 *   wrong PACE token): that is a finding, logged as a rejected chip check with authenticity
 *   altered_or_forged and its reason (`pace_token_invalid`), under the identity of the held QR that
 *   opened it (or, with a typed CAN and no QR, as an invalid chip check without identity). The key is
 *   used up.
 * - A QR scan with no chip read afterwards is still checked and logged (authenticity `not_checked`):
 *   when its time runs out, when another QR replaces it, or when the examiner accepts it
 *   (`checkHeldQr`). With the policy "require chip" that verdict is rejected and says to place the card.
 *   When no chip reader is ready, a QR is checked at once.
 * - If the held QR and the chip that its CAN opened disagree on the ID number or date of birth, the
 *   chip check carries the error reason `qr_chip_mismatch` (rejected).
 *
 * Wiring: `cardJob` is the ReaderManager's `onCard` job (its progress becomes the manager's
 * `reading-progress`, its result or bilingual error the manager's `reading-done`). QR scans come in by
 * `scanQr`: in the app from electron/app/reader-hub.ts, the one listener of the manager's events, which
 * also says whether a chip reader is ready (`expectChip`). A rig without the app (tests, tools) can
 * `attach(manager)` instead.
 *
 * Every request gets its outcome back directly: `scanQr` returns held / the record / the error,
 * `checkHeldQr` returns the record (or throws), `readAndCheck` resolves with the result (or rejects).
 * The class also tells what happened as events (see ChipCheckinEvents, under their names and as one
 * `event` stream), for observers: the CLI, the tests, and the app for the checks nobody asked for (a held
 * QR checked on its own when its time runs out, marked `unrequested`) and the notes during a read
 * (`waiting-access`, `access-refused`).
 *
 * Plain Node: no electron import. Nothing here prints or logs personal data; the optional `log` sink
 * gets reader ids, codes and timings only.
 */
import { EventEmitter } from 'node:events';
import type { Actor } from './actor';
import type { CheckDetails, CheckRecord, CheckService } from './check-service';
import { KioskError } from './errors';
import { checksNotRun, type Bilingual, type Reason } from '../../native/domain/vocabulary';
import type { CardReading } from '../../native/cccd/types';
import { parseCccdQr } from '../../native/cccd/qr';
import { parseQrDate } from '../../native/util/dates';
import {
  ChipReadError,
  readChip,
  toChipReadError,
  type ChipAccess,
  type ChipReadResult,
} from '../../native/chip/read-chip';
import { loadTrustStore, type TrustStore } from '../../native/icao/trust-store';
import { CardRemovedError, type CardTransport } from '../../native/transport/types';
import type { CardJob, CardJobContext } from '../../native/readers/job';
import type { ManagerEvent } from '../../native/readers/events';
import { chipReaderReady, type ReaderKind, type ReaderStatus } from '../../native/readers/config';

// ---------------------------------------------------------------------------------------------
// Types

/** Where access data came from. */
export type AccessSource = 'qr' | 'can' | 'mrz' | 'id';

/** An error as the examiner sees it (no personal data). */
export interface FlowError extends Bilingual {
  code: string;
  retryable: boolean;
}

export interface ChipCheckinResult {
  source: 'chip' | 'qr';
  record: CheckRecord;
  /** The log entry's non-personal details (as stored, before the check service adds its own). */
  details: CheckDetails;
  readerId?: string;
  readerName?: string;
  /** The chip read itself (photo, document, trace) for the screen: personal data, never log it. */
  chip?: ChipReadResult;
}

/** How a QR-only check ended: the logged record, or the error (nothing logged). */
export type CheckOutcome =
  { result: ChipCheckinResult; error?: never } | { error: FlowError; result?: never };

/**
 * What `scanQr` did: held the QR for the chip, or checked it at once (`result` or `error`). `replaced`:
 * the earlier held QR that this one replaced, checked on its own (one QR at a time).
 */
export interface QrScanOutcome {
  held: boolean;
  result?: ChipCheckinResult;
  error?: FlowError;
  replaced?: CheckOutcome[];
}

/**
 * On `checked` / `failed`: the check of a held QR made later on its own (its time ran out, or the read
 * that was using it failed after it expired): no call returns this outcome, so the app shows it.
 */
export interface Unrequested {
  unrequested?: true;
}

export interface ChipCheckinEventPayloads {
  /** A QR is kept waiting for a chip read until `expiresAt` (ms since the epoch). */
  'qr-held': { expiresAt: number };
  /** A card is on `readerId` but there is no access data yet: scan the QR or type the CAN. */
  'waiting-access': { readerId: string; message: Bilingual };
  /** The card refused access data (a stale or foreign QR, a mistyped CAN); the card waits for more. */
  'access-refused': { readerId: string; source: AccessSource; error: FlowError };
  /** Chip-read progress (`done`/`total` are bytes for files, steps otherwise). */
  progress: { readerId: string; step: string; done: number; total: number };
  /** A check was made and logged. */
  checked: ChipCheckinResult & Unrequested;
  /** A read or a check failed: nothing was logged. */
  failed: { stage: 'read' | 'check'; readerId?: string; error: FlowError } & Unrequested;
}

export type ChipCheckinEvent = {
  [K in keyof ChipCheckinEventPayloads]: { type: K } & ChipCheckinEventPayloads[K];
}[keyof ChipCheckinEventPayloads];

export type ChipCheckinEvents = { [K in keyof ChipCheckinEventPayloads]: [ChipCheckinEventPayloads[K]] } & {
  event: [ChipCheckinEvent];
};

export interface ChipCheckinOptions {
  /** The check service (KioskServices.checks); checkInvalid logs a forged chip opened without a QR. */
  checks: Pick<CheckService, 'checkQr' | 'checkReading'> & Partial<Pick<CheckService, 'checkInvalid'>>;
  /** The session checked into (or a getter for the active one; null = none). */
  session: string | (() => string | null);
  /** Who checks (station and examiner), or a getter. */
  actor: Actor | (() => Actor);
  /** Folder of trusted CSCA certificates / master lists, loaded at every card so imports apply at once. */
  trustStoreDir?: string;
  /** A fixed trust store instead of the folder. Neither = the issuer can never be confirmed. */
  trustStore?: TrustStore;
  /**
   * Builds the trust store for each card (the folder plus the chair's pinned and blocked issuers);
   * used before trustStoreDir.
   */
  loadTrustStore?: () => Promise<TrustStore>;
  /** How long a QR scan or a typed CAN stays usable (default 60 s). */
  accessTtlMs?: number;
  /** How long a card on a reader waits for access data (default 60 s; 0 = fail at once). */
  waitForAccessMs?: number;
  /** Deadline of one chip read (default 45 s). */
  readTimeoutMs?: number;
  /**
   * Whether a QR scan should wait for a chip read (the app: its ReaderHub's chip readers). Default: a
   * PC/SC or PN532 reader of the attached manager is ready (or holds a card); false when no manager is
   * attached.
   */
  expectChip?: () => boolean;
  /** Technical log: reader ids, codes, timings only. */
  log?: (line: string) => void;
}

interface HeldAccess {
  serial: number;
  source: AccessSource;
  access: ChipAccess;
  /** The QR text (for the QR-only fallback and the QR/chip comparison). */
  qrText?: string;
  expiresAt: number;
  timer: NodeJS.Timeout | undefined;
  /** Reads using it right now. */
  inUse: number;
  /** Its time ran out while a read was using it. */
  expired: boolean;
}

const WAITING_FOR_ACCESS: Bilingual = {
  vi: 'Quét mã QR trên thẻ (hoặc nhập 6 số cuối số định danh) để mở chip.',
  en: 'Scan the QR code on the card (or type the last 6 digits of the ID) to open the chip.',
};

const QR_REFUSED: Bilingual = {
  vi: 'Mã QR vừa quét không mở được chip của thẻ trên đầu đọc: mã QR và thẻ không phải của cùng một người. Hãy quét mã QR của chính thẻ này.',
  en: 'The QR just scanned does not open the chip of the card on the reader: the QR and the card do not belong together. Scan the QR of this very card.',
};

const CARD_LEFT: Bilingual = {
  vi: 'Thẻ đã được lấy ra trước khi có mã QR hoặc số CAN để mở chip.',
  en: 'The card left the reader before a QR scan or a CAN came to open the chip.',
};

const NO_SESSION: Bilingual = {
  vi: 'Chưa chọn kỳ sát hạch để điểm danh.',
  en: 'No exam session is selected for check-in.',
};

// ---------------------------------------------------------------------------------------------
// Details kept in the log

/**
 * What the log keeps of a chip read: how it went, never what it read (no ID, name, dates, photo, MRZ,
 * no APDU data). `accessFrom` says which access data opened the chip.
 */
export function chipCheckDetails(
  r: ChipReadResult,
  extra: { readerName?: string; accessFrom?: AccessSource; qrMatchesChip?: boolean } = {},
): CheckDetails {
  const statusWords: Record<string, number> = {};
  let slowest = 0;
  let extended = 0;
  let errors = 0;
  for (const t of r.trace) {
    const key = t.sw === null ? 'none' : t.sw.toString(16).toUpperCase().padStart(4, '0');
    statusWords[key] = (statusWords[key] ?? 0) + 1;
    if (t.ms > slowest) slowest = t.ms;
    if (t.extended) extended++;
    if (t.error) errors++;
  }
  return {
    entry: 'chip',
    ...(extra.readerName ? { reader: extra.readerName } : {}),
    accessProtocol: r.access,
    ...(extra.accessFrom ? { accessFrom: extra.accessFrom } : {}),
    apdus: r.apdus,
    bytesRead: r.bytesRead,
    ms: Math.round(r.ms),
    chipAuth: r.chipAuth.outcome,
    activeAuth: r.activeAuth.outcome,
    ...(r.authenticity.details.signatureAlgorithm
      ? { signatureAlgorithm: r.authenticity.details.signatureAlgorithm }
      : {}),
    dataGroupsRead: r.dataGroups.filter((g) => g.status === 'read').map((g) => g.name),
    dataGroups: r.dataGroups.map((g) => ({
      name: g.name,
      status: g.status,
      bytes: g.bytes,
      ...(g.hashOk !== undefined ? { hashOk: g.hashOk } : {}),
    })),
    warnings: r.warnings.map((w) => w.code),
    ...(extra.qrMatchesChip !== undefined ? { qrMatchesChip: extra.qrMatchesChip } : {}),
    trace: {
      apdus: r.trace.length,
      extendedApdus: extended,
      transportErrors: errors,
      slowestApduMs: Math.round(slowest),
      statusWords,
    },
  };
}

/** A failure as the examiner sees it: bilingual, with a stable code. */
export function flowError(e: unknown): FlowError {
  if (e instanceof ChipReadError) return { code: e.code, vi: e.vi, en: e.en, retryable: e.retryable };
  if (e instanceof KioskError) return { code: e.code, vi: e.vi, en: e.en, retryable: false };
  const c = toChipReadError(e);
  return { code: c.code, vi: c.vi, en: c.en, retryable: c.retryable };
}

function qrMismatchReason(): Reason {
  return {
    code: 'qr_chip_mismatch',
    severity: 'error',
    vi: 'Mã QR đã quét và chip của thẻ ghi khác nhau về số định danh hoặc ngày sinh.',
    en: 'The scanned QR and the card chip differ on the ID number or the date of birth.',
  };
}

// ---------------------------------------------------------------------------------------------
// The flow

/** Minimal view of a ReaderManager (avoids loading the reader stacks here). */
export interface ManagerLike {
  on(event: 'event', listener: (e: ManagerEvent<unknown>) => void): unknown;
  off(event: 'event', listener: (e: ManagerEvent<unknown>) => void): unknown;
  status(): { readerId: string; kind: ReaderKind; status: ReaderStatus }[];
}

export class ChipCheckin extends EventEmitter<ChipCheckinEvents> {
  private readonly held: HeldAccess[] = [];
  private serial = 0;
  private readonly waiters = new Set<() => void>();
  private manager: ManagerLike | undefined;
  private closed = false;
  private activeReads = 0;

  constructor(private readonly options: ChipCheckinOptions) {
    super();
  }

  /** The card job for `new ReaderManager({ onCard })`. */
  readonly cardJob: CardJob<ChipCheckinResult> = (transport, ctx) => this.readAndCheck(transport, ctx);

  /** Chip reads under way. */
  get reading(): number {
    return this.activeReads;
  }

  /** Whether a QR scan waits for a chip read. */
  get heldQr(): boolean {
    return this.held.some((h) => h.source === 'qr');
  }

  /**
   * For a rig without the app (tests, tools): follows a ReaderManager, whose QR scans come in here and
   * whose chip readers' status decides whether a QR waits for the chip. Returns a function that
   * detaches. The app does not use it: its ReaderHub is the one listener of the manager and calls
   * `scanQr` itself.
   */
  attach(manager: ManagerLike): () => void {
    const onEvent = (e: ManagerEvent<unknown>): void => {
      if (e.type === 'qr-scanned') this.scanQr(e.text);
    };
    manager.on('event', onEvent);
    this.manager = manager;
    return () => {
      manager.off('event', onEvent);
      if (this.manager === manager) this.manager = undefined;
    };
  }

  /** Whether a chip reader is there to use a QR's CAN. */
  chipExpected(): boolean {
    if (this.options.expectChip) return this.options.expectChip();
    const m = this.manager;
    if (!m) return false;
    return chipReaderReady(m.status());
  }

  /**
   * A QR scan (hardware scanner, keyboard wedge, camera, the software card's face). With a chip reader
   * ready, or `chipFollows` (the reader that read it presents the card next), the QR is held for the
   * chip read (whose result is the card job's); otherwise it is checked at once. Never throws: the
   * outcome says what happened, a failed check included.
   */
  scanQr(text: string, options: { chipFollows?: boolean } = {}): QrScanOutcome {
    if (this.closed) return { held: false };
    const access = qrAccess(text);
    if (!access || !(options.chipFollows || this.chipExpected())) {
      return { held: false, ...this.checkQrNow(text) };
    }
    const same = this.held.find((h) => h.source === 'qr' && h.qrText === text.trim());
    if (same) {
      // The same QR scanned again: keep it, restart its time.
      this.arm(same);
      this.emitEvent('qr-held', { expiresAt: same.expiresAt });
      this.wake();
      return { held: true };
    }
    // One QR at a time: an earlier one with no chip read is checked on its own now.
    const replaced = this.held
      .filter((x) => x.source === 'qr')
      .map((x) => this.expire(x, false))
      .filter((o): o is CheckOutcome => o !== undefined);
    const h = this.hold('qr', access, text.trim());
    this.emitEvent('qr-held', { expiresAt: h.expiresAt });
    return replaced.length ? { held: true, replaced } : { held: true };
  }

  /** Typed access data (CAN, MRZ, or ID + date of birth for BAC), used for the next card. */
  provideAccess(access: ChipAccess): void {
    if (this.closed) return;
    const source: AccessSource = access.can ? 'can' : access.mrz ? 'mrz' : access.qr ? 'qr' : 'id';
    if (source === 'qr' && access.qr) {
      this.scanQr(access.qr);
      return;
    }
    this.hold(source, { ...access });
  }

  /**
   * The examiner accepts the held QR without a chip read: it is checked now (QR only) and the record
   * returned; undefined when no QR is held. A failed check throws its error (nothing logged).
   */
  checkHeldQr(): ChipCheckinResult | undefined {
    const h = [...this.held].reverse().find((x) => x.source === 'qr');
    if (!h) return undefined;
    this.drop(h);
    const o = this.checkQrNow(h.qrText!);
    if (o.error) throw new KioskError(o.error.code, { vi: o.error.vi, en: o.error.en });
    return o.result;
  }

  /** Stops timers; held access data is dropped without a check. */
  close(): void {
    this.closed = true;
    for (const h of this.held.splice(0)) if (h.timer) clearTimeout(h.timer);
    this.wake();
  }

  /**
   * Reads the card on `transport` and checks it in. Emits `progress`, then `checked` (and resolves)
   * or `failed` (and rejects with a ChipReadError / KioskError). The manager's job.
   */
  async readAndCheck(
    transport: CardTransport,
    ctx: Pick<CardJobContext, 'readerId' | 'readerName'> &
      Partial<Pick<CardJobContext, 'signal' | 'progress'>>,
  ): Promise<ChipCheckinResult> {
    this.activeReads++;
    try {
      return await this.readAndCheckInner(transport, ctx);
    } finally {
      this.activeReads--;
    }
  }

  private async readAndCheckInner(
    transport: CardTransport,
    ctx: Pick<CardJobContext, 'readerId' | 'readerName'> &
      Partial<Pick<CardJobContext, 'signal' | 'progress'>>,
  ): Promise<ChipCheckinResult> {
    const signal = ctx.signal ?? new AbortController().signal;
    const { readerId, readerName } = ctx;
    const fail = (stage: 'read' | 'check', e: unknown): never => {
      const error = flowError(e);
      this.options.log?.(`chip check-in on ${readerId}: ${stage} failed (${error.code})`);
      this.emitEvent('failed', { stage, readerId, error });
      throw e;
    };

    let sessionCode: string;
    try {
      sessionCode = this.sessionCode();
    } catch (e) {
      return fail('check', e);
    }
    const tried = new Set<number>();
    let refusal: ChipReadError | undefined;
    for (;;) {
      const h = this.freshest(tried);
      if (!h) {
        if (this.closed || !(await this.waitForAccess(signal, readerId, tried))) {
          if (signal.aborted && !refusal) {
            // The card left before anything was tried on it: not a failed read, nothing to report.
            this.options.log?.(`chip check-in on ${readerId}: the card left before access data came`);
            throw new ChipReadError('cancelled', CARD_LEFT, true);
          }
          return fail('read', refusal ?? new ChipReadError('access_data_missing', WAITING_FOR_ACCESS, false));
        }
        continue;
      }
      tried.add(h.serial);
      h.inUse++;
      let result: ChipReadResult;
      const started = Date.now();
      try {
        const trustStore =
          this.options.trustStore ??
          (this.options.loadTrustStore
            ? await this.options.loadTrustStore()
            : this.options.trustStoreDir
              ? await loadTrustStore(this.options.trustStoreDir)
              : undefined);
        result = await readChip(transport, h.access, {
          ...(trustStore ? { trustStore } : {}),
          signal,
          timeoutMs: this.options.readTimeoutMs ?? 45_000,
          onProgress: (p) => {
            ctx.progress?.(p.step, p.done, p.total);
            this.emitEvent('progress', { readerId, step: p.step, done: p.done, total: p.total });
          },
        });
      } catch (e) {
        h.inUse--;
        let err = toChipReadError(e);
        // The manager aborts the read when the card leaves: say so, not "cancelled".
        if (err.code === 'cancelled' && signal.aborted) err = toChipReadError(new CardRemovedError());
        this.options.log?.(
          `chip read on ${readerId} failed after ${Date.now() - started} ms (${err.code}, access ${h.source})`,
        );
        if (err.code === 'wrong_access' && !signal.aborted) {
          // This key does not open this card: drop it, tell the examiner, wait for another.
          this.drop(h);
          refusal = err;
          const error = flowError(err);
          this.emitEvent('access-refused', {
            readerId,
            source: h.source,
            error: h.source === 'qr' ? { ...error, ...QR_REFUSED } : error,
          });
          continue;
        }
        if (err.code === 'chip_not_genuine' && err.reason) {
          // A finding, not a failed read: the chip is not what it claims. Logged as rejected.
          this.drop(h);
          let record: CheckRecord | undefined;
          let details: CheckDetails;
          try {
            ({ record, details } = this.logNotGenuine(sessionCode, h, err, err.reason, readerName));
          } catch (e2) {
            return fail('check', e2);
          }
          if (!record) return fail('read', err);
          this.options.log?.(
            `chip check-in on ${readerId}: log #${record.logId}, chip not genuine (${err.reason.code})`,
          );
          const out: ChipCheckinResult = { source: 'chip', record, details, readerId, readerName };
          this.emitEvent('checked', out);
          return out;
        }
        if (h.expired) {
          // Its time ran out during the read: checked on its own, for nobody waiting.
          this.drop(h);
          this.checkQrNow(h.qrText!, true);
        }
        return fail('read', err);
      }
      h.inUse--;
      // One key, one card.
      this.drop(h);

      let reading: CardReading = result.reading;
      let qrMatchesChip: boolean | undefined;
      if (h.qrText !== undefined) {
        // Even a QR that does not parse as a whole (it still opened the chip with its ID's CAN) is
        // compared with the chip on what it does carry: a mangled front must not skip the comparison.
        const q = qrIdentity(h.qrText);
        if (q) {
          qrMatchesChip =
            q.idNumber === reading.idNumber &&
            (q.dateOfBirth === undefined || q.dateOfBirth === reading.dateOfBirth);
          if (!qrMatchesChip) {
            reading = {
              ...reading,
              authenticity: {
                ...reading.authenticity,
                reasons: [...reading.authenticity.reasons, qrMismatchReason()],
              },
            };
          }
        }
      }
      const details = chipCheckDetails(result, {
        readerName,
        accessFrom: h.source,
        ...(qrMatchesChip !== undefined ? { qrMatchesChip } : {}),
      });
      let record: CheckRecord;
      try {
        // The read itself names the issuer: recorded in the registry, and the trust policy applies.
        record = this.options.checks.checkReading(sessionCode, reading, this.actor(), details, result);
      } catch (e) {
        return fail('check', e);
      }
      this.options.log?.(
        `chip check-in on ${readerId}: log #${record.logId}, ${record.identity.verdict}/${record.authenticity.verdict}, ${result.apdus} APDUs, ${Math.round(result.ms)} ms`,
      );
      const out: ChipCheckinResult = {
        source: 'chip',
        record,
        details,
        readerId,
        readerName,
        chip: { ...result, reading },
      };
      this.emitEvent('checked', out);
      return out;
    }
  }

  /**
   * Logs a chip that proved it is not genuine (chip_not_genuine) as a rejected chip check: with the
   * held QR's identity when there is one (the roster match is still shown), else as an invalid chip
   * check. Details: how the read ended, never what it read.
   */
  private logNotGenuine(
    sessionCode: string,
    h: HeldAccess,
    err: ChipReadError,
    why: Reason,
    readerName: string | undefined,
  ): { record?: CheckRecord; details: CheckDetails } {
    const details: CheckDetails = {
      entry: 'chip',
      ...(readerName ? { reader: readerName } : {}),
      accessFrom: h.source,
      chipReadError: err.code,
      reasonCode: why.code,
    };
    const q = h.qrText !== undefined ? parseCccdQr(h.qrText) : undefined;
    if (q?.ok) {
      const reading: CardReading = {
        ...q.reading,
        source: 'chip',
        // No check ran to its end: the chip failed its access proof, which alone marks a forgery.
        authenticity: { verdict: 'altered_or_forged', checks: checksNotRun(), reasons: [why] },
      };
      return {
        record: this.options.checks.checkReading(sessionCode, reading, this.actor(), details),
        details,
      };
    }
    if (this.options.checks.checkInvalid) {
      return {
        record: this.options.checks.checkInvalid(sessionCode, 'chip', why, this.actor(), details),
        details,
      };
    }
    return { details };
  }

  // ---- access data ----

  private hold(source: AccessSource, access: ChipAccess, qrText?: string): HeldAccess {
    const h: HeldAccess = {
      serial: ++this.serial,
      source,
      access,
      ...(qrText !== undefined ? { qrText } : {}),
      expiresAt: 0,
      timer: undefined,
      inUse: 0,
      expired: false,
    };
    this.held.push(h);
    this.arm(h);
    this.wake();
    return h;
  }

  private arm(h: HeldAccess): void {
    const ttl = this.options.accessTtlMs ?? 60_000;
    if (h.timer) clearTimeout(h.timer);
    h.expired = false;
    h.expiresAt = Date.now() + ttl;
    h.timer = setTimeout(() => this.expire(h, true), ttl);
    h.timer.unref?.();
  }

  /**
   * Time is up (`byTimer`) or a newer QR came: a QR with no chip read is checked on its own, and the
   * outcome returned (to scanQr, for a replaced QR; a timer's is `unrequested`).
   */
  private expire(h: HeldAccess, byTimer: boolean): CheckOutcome | undefined {
    if (h.timer) clearTimeout(h.timer);
    h.timer = undefined;
    if (!this.held.includes(h)) return undefined;
    if (h.inUse > 0) {
      // A read is using it: the read decides (success consumes it, failure checks the QR).
      h.expired = true;
      return undefined;
    }
    this.drop(h);
    if (h.source === 'qr' && !this.closed) return this.checkQrNow(h.qrText!, byTimer);
    return undefined;
  }

  private drop(h: HeldAccess): void {
    if (h.timer) clearTimeout(h.timer);
    h.timer = undefined;
    const i = this.held.indexOf(h);
    if (i >= 0) this.held.splice(i, 1);
  }

  /** The newest usable access data not tried on this card yet. */
  private freshest(tried: Set<number>): HeldAccess | undefined {
    for (let i = this.held.length - 1; i >= 0; i--) {
      const h = this.held[i]!;
      if (!tried.has(h.serial) && !h.expired) return h;
    }
    return undefined;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Waits for access data not tried yet; false when the wait ends without any. */
  private async waitForAccess(signal: AbortSignal, readerId: string, tried: Set<number>): Promise<boolean> {
    const limit = this.options.waitForAccessMs ?? 60_000;
    if (limit <= 0 || signal.aborted) return false;
    this.emitEvent('waiting-access', { readerId, message: WAITING_FOR_ACCESS });
    const deadline = Date.now() + limit;
    while (!signal.aborted && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        this.waiters.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
      if (this.freshest(tried)) return true;
    }
    return false;
  }

  // ---- checks ----

  private sessionCode(): string {
    const s = typeof this.options.session === 'function' ? this.options.session() : this.options.session;
    if (!s) throw new KioskError('no_active_session', NO_SESSION);
    return s;
  }

  private actor(): Actor {
    return typeof this.options.actor === 'function' ? this.options.actor() : this.options.actor;
  }

  /**
   * A QR-only check (authenticity not_checked): returns its outcome and tells it as `checked` or
   * `failed` (marked `unrequested` when no call returns it).
   */
  private checkQrNow(text: string, unrequested = false): CheckOutcome {
    const mark: Unrequested = unrequested ? { unrequested: true } : {};
    try {
      const record = this.options.checks.checkQr(this.sessionCode(), text, this.actor());
      const result: ChipCheckinResult = { source: 'qr', record, details: { chipRead: false } };
      this.options.log?.(
        `QR check: log #${record.logId}, ${record.identity.verdict}/${record.authenticity.verdict}`,
      );
      this.emitEvent('checked', { ...result, ...mark });
      return { result };
    } catch (e) {
      const error = flowError(e);
      this.options.log?.(`QR check failed (${error.code})`);
      this.emitEvent('failed', { stage: 'check', error, ...mark });
      return { error };
    }
  }

  private emitEvent<K extends keyof ChipCheckinEventPayloads>(
    type: K,
    payload: ChipCheckinEventPayloads[K],
  ): void {
    (this.emit as (e: string, p: unknown) => boolean)(type, payload);
    this.emit('event', { type, ...payload } as ChipCheckinEvent);
  }
}

/**
 * What a QR says about whose card it is, for the comparison with the chip: the parsed ID and date of
 * birth; for a QR that does not parse as a whole, its first field when that is 12 digits and its date
 * of birth field when that is a date (`parsed` false). The chip's own data is what the check uses; the
 * QR only has to agree with it where it can be read.
 */
export function qrIdentity(
  text: string,
): { idNumber: string; dateOfBirth?: string; parsed: boolean } | undefined {
  const q = parseCccdQr(text);
  if (q.ok) return { idNumber: q.reading.idNumber, dateOfBirth: q.reading.dateOfBirth, parsed: true };
  const fields = text
    .trim()
    .split('|')
    .map((f) => f.trim());
  const id = fields[0];
  if (!id || !/^\d{12}$/.test(id)) return undefined;
  const dob = fields[3] !== undefined ? parseQrDate(fields[3]) : null;
  return { idNumber: id, ...(dob ? { dateOfBirth: dob } : {}), parsed: false };
}

/** Access data from a QR text: its ID (CAN = last 6 digits) and date of birth; undefined when unusable. */
export function qrAccess(text: string): ChipAccess | undefined {
  const q = parseCccdQr(text);
  if (q.ok) return { qr: text.trim() };
  // A mangled name (keyboard layout) still leaves the ID digits usable for the CAN.
  const id = text.trim().split('|')[0]?.trim();
  return id && /^\d{12}$/.test(id) ? { qr: text.trim() } : undefined;
}
