/**
 * The readers, seen from the application: one ReaderManager (native/readers/manager.ts) built from the
 * station's reader settings (and, in demo mode, the software-card reader), whose card job is the chip
 * check-in flow's (electron/core/chip-checkin.ts: the CAN from the QR, the chip read, the check, the
 * log).
 *
 * The ONE owner of the path from a reader event to a verdict on screen: the hub is the only listener of
 * the manager's events. A QR scan goes to the check-in (`scanQr`) and its outcome comes back here; a
 * chip read's outcome comes back with the manager's `reading-done`; the check-in's own notes during a
 * read (waiting for a QR, a refused CAN) and the held QRs it checks on its own when their time runs out
 * come from its events. All of it leaves as ReaderPortEvents (ports.ts), each verdict once, which
 * electron/app/events.ts shows in the window. Channel calls (a typed QR, "QR only") get their outcome
 * from the check-in directly and never pass here.
 *
 * Plain Node (no electron import); the native reader stacks load lazily inside the manager.
 */
import { KioskError } from '../core/errors';
import { ReaderManager, type ReaderManagerOptions } from '../../native/readers/manager';
import type { ReaderConfig, ReaderStatus } from '../../native/readers/config';
import type { ManagerEvent } from '../../native/readers/events';
import type { JobOutcome } from '../../native/readers/job';
import type { SoftCardTap } from '../../native/readers/demo-driver';
import { readersList } from '../../native/readers/listing';
import type { ChipCheckin, ChipCheckinEvent, ChipCheckinResult, CheckOutcome } from '../core/chip-checkin';
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

/** A reader the station's settings name (the demo's software-card reader is not one). */
type HardwareConfig = Exclude<ReaderConfig, { kind: 'softcard' }>;

/** The demo's software-card reader: not in the reader status list, as it has no hardware to watch. */
const SOFT_CARD: ReaderConfig = { kind: 'softcard', id: 'demo-softcard' };

/** Reader settings → manager configuration. */
export function readerConfigs(s: ReaderSettingsDTO): HardwareConfig[] {
  const out: HardwareConfig[] = [];
  if (s.pcsc.enabled) out.push({ kind: 'pcsc', id: 'pcsc', reader: s.pcsc.name.trim() || 'any' });
  if (s.pn532Port.trim()) out.push({ kind: 'pn532', id: 'pn532', path: s.pn532Port.trim() });
  if (s.serialScannerPort.trim()) {
    out.push({ kind: 'serial-scanner', id: 'serial-scanner', path: s.serialScannerPort.trim() });
  }
  if (s.hidPos)
    out.push({ kind: 'hid-pos', id: 'hid-pos', vendorId: s.hidPos.vendorId, productId: s.hidPos.productId });
  return out;
}

function readerName(c: HardwareConfig): string {
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
  private checkin: ChipCheckin | undefined;
  private offCheckin: (() => void) | undefined;
  private configs: HardwareConfig[] = [];
  private softCard = false;
  private statuses = new Map<string, ReaderStatusDTO>();
  private readonly listeners = new Set<(e: ReaderPortEvent) => void>();
  private progressMax = new Map<string, number>();

  constructor(private readonly options: ReaderHubOptions = {}) {}

  /**
   * The check-in flow that reads the cards and receives the QR scans (KioskApi gives its own). The hub
   * also follows its notes during a read and the held QRs it checks on its own.
   */
  bind(checkin: ChipCheckin): void {
    this.offCheckin?.();
    this.checkin = checkin;
    const on = (e: ChipCheckinEvent): void => this.onCheckinEvent(e);
    checkin.on('event', on);
    this.offCheckin = () => checkin.off('event', on);
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

  chipReady(): boolean {
    return this.manager?.chipReaderReady() ?? false;
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
    this.startManager();
  }

  async useSoftCard(): Promise<void> {
    if (this.softCard) return;
    this.softCard = true;
    await this.stopManager();
    this.startManager();
  }

  async tapSoftCard(card: SoftCardTap): Promise<JobOutcome<ChipCheckinResult>> {
    const outcome = await this.manager?.tap(card);
    if (!outcome) {
      throw new KioskError('no_demo_reader', {
        vi: 'Đầu đọc thẻ mẫu chưa sẵn sàng.',
        en: 'The demo card reader is not ready.',
      });
    }
    return outcome;
  }

  async close(): Promise<void> {
    await this.stopManager();
    this.offCheckin?.();
    this.offCheckin = undefined;
  }

  /** A manager for the configured readers (and the software-card reader in demo mode), started. */
  private startManager(): void {
    const readers: ReaderConfig[] = [...this.configs, ...(this.softCard ? [SOFT_CARD] : [])];
    if (readers.length === 0) return;
    const checkin = this.checkin;
    const manager = new ReaderManager<ChipCheckinResult>({
      readers,
      ...(checkin ? { onCard: checkin.cardJob } : {}),
      log: (line) => this.options.log?.(line),
      ...this.options.manager,
    });
    manager.on('event', (e) => this.onManagerEvent(e));
    this.manager = manager;
    manager.start();
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

  /** A check's outcome, as a verdict or an error for the window. */
  private outcome(o: CheckOutcome, stage: 'read' | 'check' = 'check'): void {
    if (o.result) this.emit({ type: 'checked', result: o.result });
    else this.emit({ type: 'failed', error: o.error, stage });
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
      case 'qr-scanned': {
        // Personal data: it goes to the check-in, never further from here.
        const checkin = this.checkin;
        if (!checkin) return;
        const r = checkin.scanQr(e.text, e.cardFollows ? { chipFollows: true } : {});
        // An earlier QR that this one replaced was checked on its own: its verdict first.
        for (const o of r.replaced ?? []) this.outcome(o);
        if (r.held) this.emit({ type: 'awaiting-chip' });
        else if (r.result || r.error) this.outcome(r as CheckOutcome);
        return;
      }
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
        // The card job's outcome: the verdict (logged by the check-in) or why there is none. A card that
        // left before any access data came was never read: nothing to tell but the progress.
        if (e.ok) this.emit({ type: 'checked', result: e.result });
        else if (e.error.code !== 'cancelled') this.emit({ type: 'failed', error: e.error });
        this.progress(
          e.ok
            ? { readerId: e.readerId, phase: 'done', percent: 100 }
            : { readerId: e.readerId, phase: 'failed' },
        );
        return;
    }
  }

  /** The check-in's notes during a read, and the checks nobody asked for (a held QR whose time ran out). */
  private onCheckinEvent(e: ChipCheckinEvent): void {
    switch (e.type) {
      case 'waiting-access':
        this.progress({ readerId: e.readerId, phase: 'card_present', message: e.message });
        return;
      case 'access-refused':
        this.emit({ type: 'refused', error: e.error });
        return;
      case 'checked': {
        if (!e.unrequested) return;
        const { type: _type, unrequested: _unrequested, ...result } = e;
        this.emit({ type: 'checked', result });
        return;
      }
      case 'failed':
        if (e.unrequested) this.emit({ type: 'failed', error: e.error, stage: e.stage });
        return;
      default:
        // qr-held and progress: the scan's outcome and the manager's reading-progress tell those.
        return;
    }
  }
}
