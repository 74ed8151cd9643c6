/**
 * The reader manager: owns every configured reader and scanner (PC/SC by name or "any", PN532 on a serial
 * port, serial QR scanner, HID POS scanner by vid/pid), their hot-plug (appear/disappear by polling
 * socket/paths/device lists), reconnects with exponential backoff, and publishes ONE event stream:
 *
 *   qr-scanned · card-present · card-removed · reading-progress · reading-done · reader-error · reader-status
 *
 * Every event is emitted under its own name and, as a discriminated union `{ type, ... }`, under 'event'
 * (what the IPC layer forwards to the UI). When a chip card is present and a `onCard` job is configured,
 * the manager connects a CardTransport and runs the job (the ICAO reading), reporting its progress and
 * outcome; the job's AbortSignal fires when the card leaves.
 *
 * Log lines (the optional `log` sink) carry reader ids, kinds, statuses and error codes only: never
 * scanned text, card data or UIDs.
 */

import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { CardRemovedError, TransportTimeoutError, type CardTransport } from '../transport/types';
import { ReaderError, toReaderErrorInfo, type ReaderErrorInfo } from '../transport/errors';
import {
  PcscContext,
  listPcscReaders,
  pcscdListening,
  pcscModuleStatus,
  pcscSocketPath,
  type PcscModuleState,
  type PcscConnectOptions,
  type PcscReaderInfo,
  type PcscShareMode,
} from '../drivers/pcsc/pcsc';
import { nativeModuleSpec, nativeModuleStatus, type NativeModuleState } from '../util/native-modules';
import type { Bilingual } from '../domain/vocabulary';
import { Pn532Transport, openPn532, type Pn532 } from '../drivers/pn532/pn532';
import { SerialScanner, type ScanTerminator } from '../drivers/scanners/serial-scanner';
import {
  HidPosReader,
  listHidScanners,
  type HidDeviceInfo,
  type HidPosLayout,
  type HidPosScan,
} from '../drivers/hid/hid-pos';

// ---- configuration ----

export type ReaderConfig =
  | {
      kind: 'pcsc';
      id?: string;
      /** Exact PC/SC reader name, or 'any' for whichever reader gets a card. */
      reader: string;
      shareMode?: PcscShareMode;
      extendedLength?: 'auto' | boolean;
    }
  | { kind: 'pn532'; id?: string; path: string; baudRate?: number }
  | { kind: 'serial-scanner'; id?: string; path: string; baudRate?: number; terminator?: ScanTerminator }
  | { kind: 'hid-pos'; id?: string; vendorId: number; productId: number; layout?: Partial<HidPosLayout> };

export type ReaderKind = ReaderConfig['kind'];

export type ReaderStatus =
  'waiting' | 'connecting' | 'ready' | 'card-present' | 'reading' | 'error' | 'stopped';

// ---- events ----

export interface QrScannedEvent {
  readerId: string;
  kind: ReaderKind;
  /** The scanned text (personal data: never log it). */
  text: string;
  symbology?: string;
  at: number;
}

export interface CardPresentEvent {
  readerId: string;
  kind: ReaderKind;
  readerName: string;
  /** ATR in hex for PC/SC readers (not personal data). */
  atr?: string;
}

export interface CardRemovedEvent {
  readerId: string;
  kind: ReaderKind;
  readerName: string;
}

export interface ReadingProgressEvent {
  readerId: string;
  step: string;
  done?: number;
  total?: number;
}

/** Why a reading failed: a reader error, or the card stack's own bilingual error (e.g. IcaoError). */
export interface JobErrorInfo {
  code: string;
  vi: string;
  en: string;
  retryable: boolean;
}

export type ReadingDoneEvent<R> =
  | { readerId: string; ok: true; result: R; durationMs: number }
  | { readerId: string; ok: false; error: JobErrorInfo; durationMs: number };

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

export interface ReaderErrorEvent {
  readerId: string;
  kind: ReaderKind;
  error: ReaderErrorInfo;
  /** When the manager will try again, if it will. */
  retryInMs?: number;
}

export interface ReaderStatusEvent {
  readerId: string;
  kind: ReaderKind;
  status: ReaderStatus;
  /** Technical detail for support (never personal data). */
  detail?: string;
}

export interface ManagerEventPayloads<R> {
  'qr-scanned': QrScannedEvent;
  'card-present': CardPresentEvent;
  'card-removed': CardRemovedEvent;
  'reading-progress': ReadingProgressEvent;
  'reading-done': ReadingDoneEvent<R>;
  'reader-error': ReaderErrorEvent;
  'reader-status': ReaderStatusEvent;
}

export type ManagerEvent<R = unknown> = {
  [K in keyof ManagerEventPayloads<R>]: { type: K } & ManagerEventPayloads<R>[K];
}[keyof ManagerEventPayloads<R>];

export type ManagerEvents<R> = { [K in keyof ManagerEventPayloads<R>]: [ManagerEventPayloads<R>[K]] } & {
  event: [ManagerEvent<R>];
};

// ---- jobs ----

export interface CardJobContext {
  readerId: string;
  readerName: string;
  /** Reports a step of the reading ('bac', 'dg1', …) to the event stream. */
  progress(step: string, done?: number, total?: number): void;
  /** Aborted when the card leaves the reader or the manager stops. */
  signal: AbortSignal;
}

export type CardJob<R> = (transport: CardTransport, ctx: CardJobContext) => Promise<R>;

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
}

/** Injection points for tests and for platforms without a given stack. */
export interface ManagerDeps {
  listHid?: () => Promise<HidDeviceInfo[]>;
  openHid?: (
    match: { vendorId: number; productId: number },
    layout?: Partial<HidPosLayout>,
  ) => Promise<HidPosReader>;
}

export interface ReaderManagerOptions<R> {
  readers: ReaderConfig[];
  onCard?: CardJob<R>;
  /** Log sink: ids, kinds, statuses, error codes only. */
  log?: (line: string) => void;
  backoff?: BackoffOptions;
  /** How often to look for absent ports/devices (default 1000 ms). */
  pollIntervalMs?: number;
  /** How often a PN532 looks for a card / checks it is still there (default 300 ms). */
  cardPollMs?: number;
  pcsc?: { socketPath?: string; pollIntervalMs?: number; connect?: PcscConnectOptions };
  deps?: ManagerDeps;
}

// ---- helpers ----

class Backoff {
  private next: number;
  constructor(private readonly o: Required<BackoffOptions>) {
    this.next = o.initialMs;
  }
  take(): number {
    const d = this.next;
    this.next = Math.min(this.o.maxMs, Math.round(this.next * this.o.factor));
    return d;
  }
  reset(): void {
    this.next = this.o.initialMs;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function defaultId(c: ReaderConfig, index: number): string {
  switch (c.kind) {
    case 'pcsc':
      return `pcsc:${c.reader}`;
    case 'pn532':
      return `pn532:${c.path}`;
    case 'serial-scanner':
      return `serial:${c.path}`;
    case 'hid-pos':
      return `hid:${c.vendorId.toString(16).padStart(4, '0')}:${c.productId.toString(16).padStart(4, '0')}#${index}`;
  }
}

interface Driver {
  readonly id: string;
  readonly kind: ReaderKind;
  status: ReaderStatus;
  start(): void;
  stop(): Promise<void>;
}

// ---- the manager ----

export class ReaderManager<R = unknown> extends EventEmitter<ManagerEvents<R>> {
  private readonly drivers: Driver[] = [];
  private pcsc: PcscContext | undefined;
  private running = false;
  readonly backoff: Required<BackoffOptions>;
  readonly pollIntervalMs: number;
  readonly cardPollMs: number;

  constructor(private readonly options: ReaderManagerOptions<R>) {
    super();
    this.backoff = { initialMs: 500, maxMs: 10_000, factor: 2, ...options.backoff };
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.cardPollMs = options.cardPollMs ?? 300;
    const ids = new Set<string>();
    options.readers.forEach((c, i) => {
      const id = c.id ?? defaultId(c, i);
      if (ids.has(id)) throw new Error(`duplicate reader id ${id}`);
      ids.add(id);
      this.drivers.push(this.makeDriver(c, id));
    });
  }

  /** Current status of every configured reader. */
  status(): ReaderStatusEvent[] {
    return this.drivers.map((d) => ({ readerId: d.id, kind: d.kind, status: d.status }));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const d of this.drivers) d.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await Promise.all(this.drivers.map((d) => d.stop()));
    await this.pcsc?.stop();
    this.pcsc = undefined;
  }

  /** Emits one event under its own name and on the 'event' stream. */
  publish<K extends keyof ManagerEventPayloads<R>>(type: K, payload: ManagerEventPayloads<R>[K]): void {
    (this.emit as (e: string, p: unknown) => boolean)(type, payload);
    this.emit('event', { type, ...payload } as ManagerEvent<R>);
  }

  log(line: string): void {
    this.options.log?.(line);
  }

  setStatus(d: Driver, status: ReaderStatus, detail?: string): void {
    if (d.status === status) return;
    d.status = status;
    this.log(`reader ${d.id} (${d.kind}): ${status}${detail ? ` — ${detail}` : ''}`);
    this.publish('reader-status', { readerId: d.id, kind: d.kind, status, ...(detail ? { detail } : {}) });
  }

  readerError(d: Driver, err: unknown, retryInMs?: number): void {
    const error = toReaderErrorInfo(err);
    this.log(
      `reader ${d.id} (${d.kind}): error ${error.code}${retryInMs !== undefined ? `, retry in ${retryInMs} ms` : ''}`,
    );
    this.publish('reader-error', {
      readerId: d.id,
      kind: d.kind,
      error,
      ...(retryInMs !== undefined ? { retryInMs } : {}),
    });
  }

  /** Runs the card job (if any) on a transport; reports progress and the outcome. */
  async runJob(d: Driver, readerName: string, transport: CardTransport, signal: AbortSignal): Promise<void> {
    const job = this.options.onCard;
    if (!job) return;
    const started = Date.now();
    this.setStatus(d, 'reading');
    this.log(`reader ${d.id}: reading started`);
    try {
      const result = await job(transport, {
        readerId: d.id,
        readerName,
        signal,
        progress: (step, done, total) =>
          this.publish('reading-progress', {
            readerId: d.id,
            step,
            ...(done !== undefined ? { done } : {}),
            ...(total !== undefined ? { total } : {}),
          }),
      });
      const durationMs = Date.now() - started;
      this.log(`reader ${d.id}: reading done in ${durationMs} ms`);
      this.publish('reading-done', { readerId: d.id, ok: true, result, durationMs });
    } catch (e) {
      const error = jobErrorInfo(e);
      const durationMs = Date.now() - started;
      this.log(`reader ${d.id}: reading failed (${error.code}) after ${durationMs} ms`);
      this.publish('reading-done', { readerId: d.id, ok: false, error, durationMs });
    }
  }

  private makeDriver(c: ReaderConfig, id: string): Driver {
    switch (c.kind) {
      case 'pcsc':
        return new PcscDriver(this, id, c, () => this.pcscContext());
      case 'pn532':
        return new Pn532Driver(this, id, c);
      case 'serial-scanner':
        return new SerialScannerDriver(this, id, c);
      case 'hid-pos':
        return new HidPosDriver(this, id, c, this.options.deps ?? {});
    }
  }

  /** One PcscContext shared by every PC/SC reader config. */
  private pcscContext(): PcscContext {
    if (!this.pcsc) {
      this.pcsc = new PcscContext({
        ...(this.options.pcsc?.socketPath ? { socketPath: this.options.pcsc.socketPath } : {}),
        pollIntervalMs: this.options.pcsc?.pollIntervalMs ?? 500,
      });
      this.pcsc.start();
    }
    return this.pcsc;
  }

  /** Whether a card job is configured (drivers connect to cards only then). */
  get hasJob(): boolean {
    return this.options.onCard !== undefined;
  }

  get pcscConnectOptions(): PcscConnectOptions {
    return this.options.pcsc?.connect ?? {};
  }
}

// ---- PC/SC ----

class PcscDriver implements Driver {
  readonly kind = 'pcsc' as const;
  status: ReaderStatus = 'stopped';
  private ctx: PcscContext | undefined;
  private current: { name: string; abort: AbortController } | undefined;
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly m: ReaderManager<unknown>,
    readonly id: string,
    private readonly c: Extract<ReaderConfig, { kind: 'pcsc' }>,
    private readonly getContext: () => PcscContext,
  ) {}

  private matches(name: string): boolean {
    return this.c.reader === 'any' || this.c.reader === name;
  }

  start(): void {
    let ctx: PcscContext;
    try {
      ctx = this.getContext();
    } catch (e) {
      this.m.setStatus(this, 'error', e instanceof ReaderError ? e.code : 'PC/SC library missing');
      this.m.readerError(this, e);
      return;
    }
    this.ctx = ctx;
    const on = <
      E extends
        'service-up' | 'service-down' | 'reader-added' | 'reader-removed' | 'card-inserted' | 'card-removed',
    >(
      event: E,
      fn: (...args: never[]) => void,
    ): void => {
      ctx.on(event, fn as never);
      this.off.push(() => ctx.off(event, fn as never));
    };
    on('service-down', (reason: ReaderErrorInfo) => {
      this.abortCurrent();
      this.m.readerError(this, new ReaderError(reason.code, 'pcscd stopped'));
      this.m.setStatus(this, 'waiting', 'pcscd not running');
    });
    on('service-up', () => this.refresh());
    on('reader-added', (r: PcscReaderInfo) => {
      if (this.matches(r.name)) this.refresh();
    });
    on('reader-removed', (r: PcscReaderInfo) => {
      if (this.matches(r.name)) this.refresh();
    });
    on('card-inserted', (r: PcscReaderInfo) => {
      if (this.matches(r.name) && !this.current) void this.onCard(r);
    });
    on('card-removed', (r: PcscReaderInfo) => {
      if (this.current?.name === r.name) {
        this.abortCurrent();
        this.m.publish('card-removed', { readerId: this.id, kind: 'pcsc', readerName: r.name });
        this.refresh();
        // Another reader ('any') may hold a card already.
        const other = ctx.readers().find((x) => x.cardPresent && this.matches(x.name));
        if (other) void this.onCard(other);
      }
    });
    this.refresh();
    const present = ctx.readers().find((x) => x.cardPresent && this.matches(x.name));
    if (present) void this.onCard(present);
  }

  private refresh(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    if (!ctx.serviceUp) return this.m.setStatus(this, 'waiting', 'pcscd not running');
    if (this.current) return;
    const readers = ctx.readers().filter((r) => this.matches(r.name));
    if (readers.length === 0) this.m.setStatus(this, 'waiting', 'reader not connected');
    else this.m.setStatus(this, 'ready');
  }

  private abortCurrent(): void {
    if (!this.current) return;
    const cur = this.current;
    this.current = undefined;
    cur.abort.abort();
  }

  private async onCard(r: PcscReaderInfo): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    const abort = new AbortController();
    this.current = { name: r.name, abort };
    this.m.setStatus(this, 'card-present');
    this.m.publish('card-present', {
      readerId: this.id,
      kind: 'pcsc',
      readerName: r.name,
      ...(r.atr ? { atr: r.atr } : {}),
    });
    if (!this.m.hasJob) return; // nothing to read: whoever listens decides what to do with the card
    let transport;
    try {
      transport = await ctx.connect(r.name, {
        ...this.m.pcscConnectOptions,
        ...(this.c.shareMode ? { shareMode: this.c.shareMode } : {}),
        ...(this.c.extendedLength !== undefined ? { extendedLength: this.c.extendedLength } : {}),
      });
    } catch (e) {
      if (!abort.signal.aborted) this.m.readerError(this, e);
      return;
    }
    try {
      await this.m.runJob(this, r.name, transport, abort.signal);
    } finally {
      await transport.close();
      if (this.current?.abort === abort) this.m.setStatus(this, 'card-present');
    }
  }

  async stop(): Promise<void> {
    this.abortCurrent();
    for (const f of this.off.splice(0)) f();
    this.m.setStatus(this, 'stopped');
  }
}

// ---- path-based drivers (PN532, serial scanner) ----

abstract class PathDriver implements Driver {
  abstract readonly kind: ReaderKind;
  status: ReaderStatus = 'stopped';
  protected readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  protected readonly backoff: Backoff;

  constructor(
    protected readonly m: ReaderManager<unknown>,
    readonly id: string,
    protected readonly path: string,
  ) {
    this.backoff = new Backoff(m.backoff);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.close();
    await this.loop;
    this.m.setStatus(this, 'stopped');
  }

  /**
   * Resolves when the device path disappears (USB unplug), polling every pollIntervalMs. A pty or tty
   * whose other side vanished does not always make the port emit 'close', so the path is the truth.
   */
  protected pathGone(): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (!fs.existsSync(this.path)) done();
      }, this.m.pollIntervalMs);
      const done = (): void => {
        clearInterval(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Opens the device and resolves when it goes away (or the manager stops). */
  protected abstract session(): Promise<void>;
  protected abstract close(): Promise<void>;

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (!fs.existsSync(this.path)) {
        this.m.setStatus(this, 'waiting', 'port not found');
        await sleep(this.m.pollIntervalMs, signal);
        continue;
      }
      this.m.setStatus(this, 'connecting');
      try {
        await this.session();
        await this.close();
        if (signal.aborted) break;
        // The device went away after working: look for it again straight away.
        this.backoff.reset();
        this.m.readerError(this, new ReaderError('reader_gone', this.path));
      } catch (e) {
        await this.close();
        if (signal.aborted) break;
        const wait = this.backoff.take();
        this.m.setStatus(this, 'error', toReaderErrorInfo(e).code);
        this.m.readerError(this, e, wait);
        await sleep(wait, signal);
      }
    }
  }
}

class SerialScannerDriver extends PathDriver {
  readonly kind = 'serial-scanner' as const;
  private scanner: SerialScanner | undefined;

  constructor(
    m: ReaderManager<unknown>,
    id: string,
    private readonly c: Extract<ReaderConfig, { kind: 'serial-scanner' }>,
  ) {
    super(m, id, c.path);
  }

  protected async session(): Promise<void> {
    const scanner = await SerialScanner.open({
      path: this.c.path,
      ...(this.c.baudRate ? { baudRate: this.c.baudRate } : {}),
      ...(this.c.terminator ? { terminator: this.c.terminator } : {}),
    });
    this.scanner = scanner;
    this.backoff.reset();
    this.m.setStatus(this, 'ready');
    scanner.on('text', (text) => {
      this.m.log(`reader ${this.id}: QR scanned (${text.length} chars)`);
      this.m.publish('qr-scanned', { readerId: this.id, kind: 'serial-scanner', text, at: Date.now() });
    });
    const closed = new Promise<void>((resolve) => {
      if (!scanner.isOpen) return resolve();
      scanner.once('close', () => resolve());
      // A read error (EIO after a hang-up) ends the session too: the port is unusable.
      scanner.on('error', () => resolve());
      this.abort.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([closed, this.pathGone()]);
  }

  protected async close(): Promise<void> {
    const s = this.scanner;
    this.scanner = undefined;
    await s?.close();
  }
}

class Pn532Driver extends PathDriver {
  readonly kind = 'pn532' as const;
  private dev: Pn532 | undefined;

  constructor(
    m: ReaderManager<unknown>,
    id: string,
    private readonly c: Extract<ReaderConfig, { kind: 'pn532' }>,
  ) {
    super(m, id, c.path);
  }

  protected async session(): Promise<void> {
    const dev = await openPn532(this.c.path, {
      name: `PN532 ${this.c.path}`,
      ...(this.c.baudRate ? { baudRate: this.c.baudRate } : {}),
    });
    this.dev = dev;
    await dev.getFirmwareVersion();
    await dev.setPassiveActivationRetries(1);
    this.backoff.reset();
    this.m.setStatus(this, 'ready');
    const signal = this.abort.signal;
    while (!signal.aborted && !dev.isClosed) {
      if (!fs.existsSync(this.c.path)) throw new ReaderError('reader_gone', this.c.path);
      const target = await dev.inListPassiveTarget();
      if (!target) {
        await sleep(this.m.cardPollMs, signal);
        continue;
      }
      const readerName = dev.name;
      const cardAbort = new AbortController();
      const stopCard = (): void => cardAbort.abort();
      signal.addEventListener('abort', stopCard, { once: true });
      this.m.setStatus(this, 'card-present');
      this.m.publish('card-present', { readerId: this.id, kind: 'pn532', readerName });
      await this.m.runJob(this, readerName, new Pn532Transport(dev, target), cardAbort.signal);
      // Wait for the card to leave (Diagnose card presence), then look for the next one.
      while (!signal.aborted && !dev.isClosed) {
        let present = false;
        try {
          present = await dev.checkPresence();
        } catch (e) {
          if (dev.isClosed) throw e;
        }
        if (!present) break;
        await sleep(this.m.cardPollMs, signal);
      }
      signal.removeEventListener('abort', stopCard);
      cardAbort.abort();
      if (signal.aborted) break;
      this.m.publish('card-removed', { readerId: this.id, kind: 'pn532', readerName });
      this.m.setStatus(this, 'ready');
    }
    if (dev.isClosed && !signal.aborted) throw new ReaderError('reader_gone', this.c.path);
  }

  protected async close(): Promise<void> {
    const d = this.dev;
    this.dev = undefined;
    await d?.close();
  }
}

// ---- HID POS ----

class HidPosDriver implements Driver {
  readonly kind = 'hid-pos' as const;
  status: ReaderStatus = 'stopped';
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private reader: HidPosReader | undefined;
  private readonly backoff: Backoff;

  constructor(
    private readonly m: ReaderManager<unknown>,
    readonly id: string,
    private readonly c: Extract<ReaderConfig, { kind: 'hid-pos' }>,
    private readonly deps: ManagerDeps,
  ) {
    this.backoff = new Backoff(m.backoff);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.reader?.close();
    await this.loop;
    this.m.setStatus(this, 'stopped');
  }

  private async present(): Promise<boolean> {
    const list = await (this.deps.listHid ?? (() => listHidScanners({ all: true })))();
    return list.some((d) => d.vendorId === this.c.vendorId && d.productId === this.c.productId);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const open = this.deps.openHid ?? ((match, layout) => HidPosReader.open(match, layout ? { layout } : {}));
    while (!signal.aborted) {
      let found = false;
      try {
        found = await this.present();
      } catch {
        found = false;
      }
      if (!found) {
        this.m.setStatus(this, 'waiting', 'scanner not connected');
        await sleep(this.m.pollIntervalMs, signal);
        continue;
      }
      this.m.setStatus(this, 'connecting');
      try {
        const reader = await open({ vendorId: this.c.vendorId, productId: this.c.productId }, this.c.layout);
        this.reader = reader;
        this.backoff.reset();
        this.m.setStatus(this, 'ready');
        reader.on('text', (scan: HidPosScan) => {
          this.m.log(`reader ${this.id}: QR scanned (${scan.bytes.length} bytes, ${scan.symbology})`);
          this.m.publish('qr-scanned', {
            readerId: this.id,
            kind: 'hid-pos',
            text: scan.text,
            symbology: scan.symbology,
            at: Date.now(),
          });
        });
        reader.on('error', (info) => {
          if (info.code !== 'reader_gone') this.m.readerError(this, new ReaderError(info.code, 'HID POS'));
        });
        await new Promise<void>((resolve) => {
          reader.once('close', () => resolve());
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        this.reader = undefined;
        if (signal.aborted) break;
        this.m.readerError(this, new ReaderError('reader_gone', 'HID POS scanner'));
      } catch (e) {
        if (signal.aborted) break;
        const wait = this.backoff.take();
        this.m.setStatus(this, 'error', toReaderErrorInfo(e).code);
        this.m.readerError(this, e, wait);
        await sleep(wait, signal);
      }
    }
  }
}

// ---- listing (kiosk readers --json) ----

export interface SerialPortListing {
  path: string;
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
}

export interface ReadersListing {
  pcsc: {
    /** The PC/SC module (@pokusew/pcsclite): loaded, not_built, abi_mismatch, library_missing, load_failed. */
    module: PcscModuleState;
    /** pcscd accepts connections on its socket (checked even when the module is not built). */
    serviceRunning: boolean;
    readers: PcscReaderInfo[];
    error?: ReaderErrorInfo;
  };
  serial: SerialPortListing[];
  serialError?: ReaderErrorInfo;
  hid: HidDeviceInfo[];
  /** node-hid (optional): loaded, not_built, library_missing (libusb), ... */
  hidModule: NativeModuleState;
  /** What to do about the HID module when it is not loaded. */
  hidError?: Bilingual;
}

/**
 * Everything attached: PC/SC readers (none when pcscd is not running), serial ports (serialport's list;
 * it never lists pseudo-terminals) and HID POS scanners. Never throws: a missing stack shows as an error
 * entry.
 */
export async function readersList(
  options: { pcscSocketPath?: string; allHid?: boolean } = {},
): Promise<ReadersListing> {
  const [pcsc, serial, hid] = await Promise.all([
    listPcscReaders(options.pcscSocketPath ? { socketPath: options.pcscSocketPath } : {}).then(
      (r): ReadersListing['pcsc'] => ({ module: 'loaded', ...r }),
      async (e: unknown): Promise<ReadersListing['pcsc']> => ({
        module: pcscModuleStatus().state,
        serviceRunning: await pcscdListening(options.pcscSocketPath ?? pcscSocketPath()),
        readers: [],
        error: toReaderErrorInfo(e),
      }),
    ),
    (async (): Promise<{ ports: SerialPortListing[]; error?: ReaderErrorInfo }> => {
      try {
        const { SerialPort } = await import('serialport');
        const ports = await SerialPort.list();
        return {
          ports: ports.map((p) => ({
            path: p.path,
            ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
            ...(p.vendorId ? { vendorId: p.vendorId } : {}),
            ...(p.productId ? { productId: p.productId } : {}),
            ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
          })),
        };
      } catch (e) {
        return {
          ports: [],
          error: toReaderErrorInfo(new ReaderError('io', 'serial port listing failed', { cause: e })),
        };
      }
    })(),
    listHidScanners({ all: options.allHid ?? false }).catch(() => [] as HidDeviceInfo[]),
  ]);
  const hidModule = nativeModuleStatus(nativeModuleSpec('node-hid'));
  return {
    pcsc,
    serial: serial.ports,
    ...(serial.error ? { serialError: serial.error } : {}),
    hid,
    hidModule: hidModule.state,
    ...(hidModule.fix ? { hidError: hidModule.fix } : {}),
  };
}
