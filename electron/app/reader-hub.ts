/**
 * The readers, seen from the application: one ReaderManager (native/readers/manager.ts) built from the
 * station's reader settings, whose card job and QR scans go to the chip check-in flow
 * (electron/core/chip-checkin.ts: the CAN from the QR, the chip read, the check), and whose events
 * become the contract's reader status and reading progress.
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
import type { ChipCheckin, ChipCheckinResult } from '../core/chip-checkin';
import type {
  ReaderInfoDTO,
  ReaderSettingsDTO,
  ReaderStatusDTO,
  ReadingProgressDTO,
} from '../shared/ipc-contract';
import type { ReaderPort, ReaderPortEvent } from './ports';

export interface ReaderHubOptions {
  /** Technical log: reader ids, kinds, statuses and codes only. */
  log?: (line: string) => void;
  /** @deprecated The check-in flow reads KioskApi's trust folder; kept so older callers compile. */
  trustStoreDir?: string;
  /** How long a card on the reader waits for a QR or CAN (check-in flow; default 60 s). */
  waitForAccessMs?: number;
  /** How long a scanned QR / typed CAN stays usable (check-in flow; default 60 s). */
  accessTtlMs?: number;
  /** Deadline of one chip read (check-in flow; default 45 s). */
  readTimeoutMs?: number;
  /** Manager timings (tests use shorter polls). */
  manager?: Pick<
    ReaderManagerOptions<ChipCheckinResult>,
    'pollIntervalMs' | 'cardPollMs' | 'backoff' | 'pcsc'
  >;
}

const STATE: Record<ReaderStatus, ReaderStatusDTO['state']> = {
  waiting: 'disconnected',
  connecting: 'disconnected',
  ready: 'ready',
  'card-present': 'card_present',
  reading: 'reading',
  error: 'error',
  stopped: 'disabled',
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
export function stepPercent(
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
  private manager: ReaderManager<ChipCheckinResult> | undefined;
  private detach: (() => void) | undefined;
  private checkin: ChipCheckin | undefined;
  private configs: ReaderConfig[] = [];
  private statuses = new Map<string, ReaderStatusDTO>();
  private readonly listeners = new Set<(e: ReaderPortEvent) => void>();
  private progressMax = new Map<string, number>();

  constructor(private readonly options: ReaderHubOptions = {}) {}

  /** The check-in flow that reads the cards and receives the QR scans (KioskApi gives its own). */
  bind(checkin: ChipCheckin): void {
    this.checkin = checkin;
  }

  /** Timings for the check-in flow that KioskApi builds. */
  get flowTimings(): { waitForAccessMs?: number; accessTtlMs?: number; readTimeoutMs?: number } {
    const { waitForAccessMs, accessTtlMs, readTimeoutMs } = this.options;
    return {
      ...(waitForAccessMs !== undefined ? { waitForAccessMs } : {}),
      ...(accessTtlMs !== undefined ? { accessTtlMs } : {}),
      ...(readTimeoutMs !== undefined ? { readTimeoutMs } : {}),
    };
  }

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
    const checkin = this.checkin;
    const manager = new ReaderManager<ChipCheckinResult>({
      readers: this.configs,
      ...(checkin ? { onCard: checkin.cardJob } : {}),
      log: (line) => this.options.log?.(line),
      ...this.options.manager,
    });
    manager.on('event', (e) => this.onManagerEvent(e));
    this.manager = manager;
    // QR scans from serial / HID POS scanners and the chip readers' status go to the check-in flow.
    this.detach = checkin?.attach(manager);
    manager.start();
  }

  async close(): Promise<void> {
    await this.stopManager();
  }

  private async stopManager(): Promise<void> {
    const m = this.manager;
    this.manager = undefined;
    this.detach?.();
    this.detach = undefined;
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

  private onManagerEvent(e: ManagerEvent<ChipCheckinResult>): void {
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
        // The check-in flow has it (attach); it is personal data, never forwarded from here.
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
        // The verdict or the error itself comes from the check-in flow's events.
        this.progress(
          e.ok
            ? { readerId: e.readerId, phase: 'done', percent: 100 }
            : { readerId: e.readerId, phase: 'failed' },
        );
        return;
    }
  }
}
