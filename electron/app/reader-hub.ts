/**
 * The readers, seen from the application: one ReaderManager (native/readers/manager.ts) built from the
 * station's reader settings, whose card job is the chip-reading pipeline (native/chip/read-chip.ts),
 * and whose events become the contract's events (reader status, reading progress) and the inputs of
 * checks (a QR text from a serial / HID POS scanner, a chip reading).
 *
 * Opening a CCCD chip needs the CAN (the last 6 digits of the ID): it comes from the QR scanned just
 * before or after the card is placed, or typed by the examiner (`provideAccessKey`). A card that is
 * placed first waits for it; a key that does not open the chip is reported and the next key tried,
 * while the card stays on the reader. Keys expire (a stale CAN must not open the next person's card).
 *
 * Plain Node (no electron import); the native reader stacks load lazily inside the manager.
 */
import {
  ReaderManager,
  readersList,
  type ManagerEvent,
  type ReaderConfig,
  type ReaderManagerOptions,
  type ReaderStatus,
} from '../../native/readers/manager';
import { readChip, toChipReadError, type ChipAccess, type ChipReadResult } from '../../native/chip/read-chip';
import { loadTrustStore } from '../../native/icao/trust-store';
import type { CardTransport } from '../../native/transport/types';
import type { CardJobContext } from '../../native/readers/manager';
import type {
  ApiError,
  Bilingual,
  ReaderInfoDTO,
  ReaderSettingsDTO,
  ReaderStatusDTO,
  ReadingProgressDTO,
} from '../shared/ipc-contract';
import type { ReaderPort, ReaderPortEvent } from './ports';

export interface ReaderHubOptions {
  /** Folder of trusted CSCA certificates (read at every chip read, so imports apply at once). */
  trustStoreDir: string;
  /** Technical log: reader ids, kinds, statuses and codes only. */
  log?: (line: string) => void;
  /** How long a CAN stays usable after the QR scan / typing (default 2 minutes). */
  accessTtlMs?: number;
  /** How long a card on the reader waits for a CAN (default 60 s). */
  waitForAccessMs?: number;
  /** Deadline for one chip read (default 45 s). */
  readTimeoutMs?: number;
  /** Manager timings (tests use shorter polls). */
  manager?: Pick<ReaderManagerOptions<ChipReadResult>, 'pollIntervalMs' | 'cardPollMs' | 'backoff' | 'pcsc'>;
  /** For tests: a different chip reader (default readChip). */
  readChip?: typeof readChip;
}

interface AccessKey {
  can: string;
  qr?: string;
  at: number;
  serial: number;
}

const CHIP_KINDS = new Set(['pcsc', 'pn532']);

const STATE: Record<ReaderStatus, ReaderStatusDTO['state']> = {
  waiting: 'disconnected',
  connecting: 'disconnected',
  ready: 'ready',
  'card-present': 'card_present',
  reading: 'reading',
  error: 'error',
  stopped: 'disabled',
};

const WAITING_FOR_CAN: Bilingual = {
  vi: 'Quét mã QR trên thẻ (hoặc nhập 6 số cuối số CCCD) để mở chip.',
  en: 'Scan the QR code on the card (or type the last 6 digits of the ID) to open the chip.',
};

/** Reader settings → manager configuration. */
export function readerConfigs(s: ReaderSettingsDTO): ReaderConfig[] {
  const out: ReaderConfig[] = [];
  if (s.pcsc.enabled) out.push({ kind: 'pcsc', id: 'pcsc', reader: s.pcsc.name.trim() || 'any' });
  if (s.pn532Port.trim()) out.push({ kind: 'pn532', id: 'pn532', path: s.pn532Port.trim() });
  if (s.serialScannerPort.trim()) {
    out.push({ kind: 'serial-scanner', id: 'serial-scanner', path: s.serialScannerPort.trim() });
  }
  if (s.hidPos)
    out.push({ kind: 'hid-pos', id: 'hid-pos', vendorId: s.hidPos.vendorId, productId: s.hidPos.productId });
  return out;
}

function readerName(c: ReaderConfig): string {
  switch (c.kind) {
    case 'pcsc':
      return c.reader === 'any' ? 'PC/SC' : c.reader;
    case 'pn532':
    case 'serial-scanner':
      return c.path;
    case 'hid-pos':
      return `${c.vendorId.toString(16).padStart(4, '0')}:${c.productId.toString(16).padStart(4, '0')}`;
  }
}

/** Where a chip-read step sits in the reading, for a progress bar that only moves forward. */
function stepPercent(
  step: string,
  done: number,
  total: number,
): { phase: ReadingProgressDTO['phase']; percent: number } {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  if (step === 'EF.CardAccess' || step === 'PACE' || step === 'BAC')
    return { phase: 'connecting', percent: 5 + 10 * frac };
  if (step === 'chip-auth' || step === 'active-auth') return { phase: 'verifying', percent: 85 + 5 * frac };
  if (step === 'passive-auth') return { phase: 'verifying', percent: 92 + 7 * frac };
  // Files: DG2 (the photo) is most of the bytes.
  const files: Record<string, [number, number]> = {
    'EF.COM': [15, 2],
    DG13: [17, 5],
    DG1: [22, 3],
    DG14: [25, 3],
    DG15: [28, 2],
    DG2: [30, 50],
    'EF.SOD': [80, 5],
  };
  const [base, span] = files[step] ?? [20, 5];
  return { phase: 'reading', percent: base + span * frac };
}

export class ReaderHub implements ReaderPort {
  private manager: ReaderManager<ChipReadResult> | undefined;
  private configs: ReaderConfig[] = [];
  private statuses = new Map<string, ReaderStatusDTO>();
  private readonly listeners = new Set<(e: ReaderPortEvent) => void>();
  private access: AccessKey | undefined;
  private serial = 0;
  private accessWaiters = new Set<() => void>();
  private progressMax = new Map<string, number>();

  constructor(private readonly options: ReaderHubOptions) {}

  status(): ReaderStatusDTO[] {
    return this.configs.map((c) => this.statuses.get(c.id!)!).filter(Boolean);
  }

  async listReaders(): Promise<ReaderInfoDTO[]> {
    const l = await readersList();
    return [
      ...l.pcsc.readers.map((r) => ({
        kind: 'pcsc' as const,
        name: r.name,
        ...(r.cardPresent ? { detail: 'card' } : {}),
      })),
      ...l.serial.map((p) => ({
        kind: 'serial' as const,
        name: p.path,
        ...(p.manufacturer ? { detail: p.manufacturer } : {}),
      })),
      ...l.hid.map((h) => ({
        kind: 'hid' as const,
        name: `${h.vendorId.toString(16).padStart(4, '0')}:${h.productId.toString(16).padStart(4, '0')}`,
        ...(h.product ? { detail: h.product } : {}),
      })),
    ];
  }

  onEvent(listener: (event: ReaderPortEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True when a chip reader is there to use the key (the QR check then waits for the chip). */
  chipReaderReady(): boolean {
    return this.status().some(
      (s) =>
        CHIP_KINDS.has(s.kind) &&
        (s.state === 'ready' || s.state === 'card_present' || s.state === 'reading'),
    );
  }

  provideAccessKey(key: { can: string; qr?: string }): boolean {
    if (!/^\d{6}$/.test(key.can)) return false;
    this.access = { can: key.can, ...(key.qr ? { qr: key.qr } : {}), at: Date.now(), serial: ++this.serial };
    for (const wake of [...this.accessWaiters]) wake();
    return this.chipReaderReady();
  }

  async configure(settings: ReaderSettingsDTO): Promise<void> {
    await this.stopManager();
    this.configs = readerConfigs(settings);
    this.statuses = new Map(
      this.configs.map((c) => [
        c.id!,
        { id: c.id!, kind: c.kind, name: readerName(c), state: 'disconnected' } satisfies ReaderStatusDTO,
      ]),
    );
    this.emitStatus();
    if (this.configs.length === 0) return;
    const manager = new ReaderManager<ChipReadResult>({
      readers: this.configs,
      onCard: (transport, ctx) => this.readCard(transport, ctx),
      log: (line) => this.options.log?.(line),
      ...this.options.manager,
    });
    manager.on('event', (e) => this.onManagerEvent(e));
    this.manager = manager;
    manager.start();
  }

  async close(): Promise<void> {
    await this.stopManager();
    for (const wake of [...this.accessWaiters]) wake();
  }

  private async stopManager(): Promise<void> {
    const m = this.manager;
    this.manager = undefined;
    if (m) {
      m.removeAllListeners('event');
      await m.stop();
    }
  }

  private emit(e: ReaderPortEvent): void {
    for (const l of this.listeners) l(e);
  }

  private emitStatus(): void {
    this.emit({ type: 'status', readers: this.status() });
  }

  private progress(p: ReadingProgressDTO): void {
    this.emit({ type: 'progress', progress: p });
  }

  private onManagerEvent(e: ManagerEvent<ChipReadResult>): void {
    switch (e.type) {
      case 'reader-status': {
        const cur = this.statuses.get(e.readerId);
        if (!cur) return;
        const state = STATE[e.status];
        const next: ReaderStatusDTO = { id: cur.id, kind: cur.kind, name: cur.name, state };
        // Keep the last error's words while the reader is down, so the examiner sees why.
        if ((state === 'error' || state === 'disconnected') && cur.message) next.message = cur.message;
        this.statuses.set(e.readerId, next);
        this.emitStatus();
        return;
      }
      case 'reader-error': {
        const cur = this.statuses.get(e.readerId);
        if (cur) {
          this.statuses.set(e.readerId, { ...cur, message: { vi: e.error.vi, en: e.error.en } });
          this.emitStatus();
        }
        return;
      }
      case 'qr-scanned':
        this.emit({ type: 'qr', readerId: e.readerId, text: e.text });
        return;
      case 'card-present':
        this.progressMax.set(e.readerId, 0);
        this.progress({ readerId: e.readerId, phase: 'card_present' });
        return;
      case 'card-removed':
        this.progress({ readerId: e.readerId, phase: 'card_removed' });
        return;
      case 'reading-progress': {
        const { phase, percent } = stepPercent(e.step, e.done ?? 0, e.total ?? 0);
        const max = Math.max(this.progressMax.get(e.readerId) ?? 0, Math.round(percent));
        this.progressMax.set(e.readerId, max);
        this.progress({ readerId: e.readerId, phase, percent: max });
        return;
      }
      case 'reading-done':
        if (e.ok) {
          this.progress({ readerId: e.readerId, phase: 'done', percent: 100 });
          this.emit({
            type: 'chip',
            readerId: e.readerId,
            reading: e.result.reading,
            details: chipDetails(e.result),
          });
        } else {
          this.progress({
            readerId: e.readerId,
            phase: 'failed',
            message: { vi: e.error.vi, en: e.error.en },
          });
          this.emit({
            type: 'error',
            readerId: e.readerId,
            error: { code: e.error.code, vi: e.error.vi, en: e.error.en },
          });
        }
        return;
    }
  }

  /** A fresh key newer than `after`, waiting for one while the card stays (or until the wait ends). */
  private async nextAccess(
    after: number,
    signal: AbortSignal,
    readerId: string,
  ): Promise<AccessKey | undefined> {
    const ttl = this.options.accessTtlMs ?? 120_000;
    const fresh = () => {
      const a = this.access;
      return a && a.serial > after && Date.now() - a.at <= ttl ? a : undefined;
    };
    const now = fresh();
    if (now) return now;
    this.progress({ readerId, phase: 'card_present', message: WAITING_FOR_CAN });
    const deadline = Date.now() + (this.options.waitForAccessMs ?? 60_000);
    while (!signal.aborted && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.accessWaiters.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        this.accessWaiters.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
      const a = fresh();
      if (a) return a;
    }
    return undefined;
  }

  /** The manager's card job: wait for a CAN, read the chip; a wrong key waits for the next one. */
  private async readCard(transport: CardTransport, ctx: CardJobContext): Promise<ChipReadResult> {
    const read = this.options.readChip ?? readChip;
    let lastSerial = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const key = await this.nextAccess(lastSerial, ctx.signal, ctx.readerId);
      if (ctx.signal.aborted) throw toChipReadError(new Error('aborted'));
      if (!key) {
        // No QR and no CAN: readChip says so in the examiner's words.
        return read(transport, {}, { signal: ctx.signal });
      }
      lastSerial = key.serial;
      const access: ChipAccess = { can: key.can, ...(key.qr ? { qr: key.qr } : {}) };
      try {
        const trustStore = await loadTrustStore(this.options.trustStoreDir);
        const result = await read(transport, access, {
          trustStore,
          signal: ctx.signal,
          timeoutMs: this.options.readTimeoutMs ?? 45_000,
          onProgress: (p) => ctx.progress(p.step, p.done, p.total),
        });
        // One key, one card: the next person's card needs their own QR.
        if (this.access?.serial === key.serial) this.access = undefined;
        return result;
      } catch (e) {
        const err = toChipReadError(e);
        if (err.code !== 'wrong_access' || ctx.signal.aborted || attempt === 2) throw err;
        // The key does not open this card (a stale or mistyped CAN): say so and wait for another.
        const apiError: ApiError = { code: err.code, vi: err.vi, en: err.en };
        this.emit({ type: 'error', readerId: ctx.readerId, error: apiError });
      }
    }
    throw toChipReadError(new Error('unreachable'));
  }
}

/** What the log keeps of a chip read: how it went, never what it read. */
export function chipDetails(r: ChipReadResult): Record<string, unknown> {
  const statusWords: Record<string, number> = {};
  let slowest = 0;
  for (const t of r.trace) {
    const key = t.sw === null ? 'error' : t.sw.toString(16).toUpperCase().padStart(4, '0');
    statusWords[key] = (statusWords[key] ?? 0) + 1;
    if (t.ms > slowest) slowest = t.ms;
  }
  return {
    entry: 'chip',
    trace: {
      access: r.access,
      apdus: r.apdus,
      bytesRead: r.bytesRead,
      ms: Math.round(r.ms),
      slowestApduMs: Math.round(slowest),
      statusWords,
    },
    dataGroups: r.dataGroups.map((g) => ({
      name: g.name,
      status: g.status,
      bytes: g.bytes,
      ...(g.hashOk !== undefined ? { hashOk: g.hashOk } : {}),
    })),
    chipAuth: r.chipAuth.outcome,
    activeAuth: r.activeAuth.outcome,
    warnings: r.warnings.map((w) => w.code),
  };
}
