/**
 * The reader manager: owns every configured reader and scanner (PC/SC by name or "any", PN532 on a serial
 * port, serial QR scanner, HID POS scanner by vid/pid, and in demo mode the software-card reader), their
 * hot-plug (appear/disappear by polling socket/paths/device lists) and reconnects with exponential
 * backoff, and publishes ONE event stream (events.ts).
 *
 * When a chip card is present and an `onCard` job is configured (job.ts), the manager connects a
 * CardTransport and runs the job (the ICAO reading), reporting its progress and outcome; the job's
 * AbortSignal fires when the card leaves. `runJob` also returns the outcome to the driver, so a caller
 * that presented the card (the demo's tap) gets it directly.
 *
 * The pieces: config.ts (what a reader is), events.ts (what the manager tells), job.ts (what it runs on
 * a card), driver.ts (what a driver may ask of it) and one driver per kind: pcsc-driver.ts,
 * pn532-driver.ts, serial-driver.ts (on polling-driver.ts), hid-driver.ts, demo-driver.ts. What is
 * attached to the machine: listing.ts.
 *
 * Log lines (the optional `log` sink) carry reader ids, kinds, statuses and error codes only: never
 * scanned text, card data or UIDs.
 */

import { EventEmitter } from 'node:events';
import type { CardTransport } from '../transport/types';
import { toReaderErrorInfo } from '../transport/errors';
import { PcscContext, type PcscConnectOptions } from '../drivers/pcsc/pcsc';
import { chipReaderReady, defaultReaderId, type ReaderConfig, type ReaderStatus } from './config';
import type { ManagerEvent, ManagerEventPayloads, ManagerEvents, ReaderStatusEvent } from './events';
import { jobErrorInfo, type CardJob, type JobOutcome } from './job';
import type { BackoffOptions, Driver, DriverHost } from './driver';
import { PcscDriver } from './pcsc-driver';
import { Pn532Driver } from './pn532-driver';
import { SerialScannerDriver } from './serial-driver';
import { HidPosDriver, type HidDeps } from './hid-driver';
import { SoftCardDriver, type SoftCardTap } from './demo-driver';

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
  /** Injection points for tests and for platforms without a given stack. */
  deps?: HidDeps;
}

export class ReaderManager<R = unknown> extends EventEmitter<ManagerEvents<R>> implements DriverHost {
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
      const id = c.id ?? defaultReaderId(c, i);
      if (ids.has(id)) throw new Error(`duplicate reader id ${id}`);
      ids.add(id);
      this.drivers.push(this.makeDriver(c, id));
    });
  }

  /** Current status of every configured reader. */
  status(): ReaderStatusEvent[] {
    return this.drivers.map((d) => ({ readerId: d.id, kind: d.kind, status: d.status }));
  }

  /** Whether a chip reader is there to use a QR's CAN (config.ts chipReaderReady). */
  chipReaderReady(): boolean {
    return chipReaderReady(this.drivers);
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

  /**
   * Taps a software card on the software-card reader (config kind 'softcard'; the first one, or
   * `readerId`) and resolves with the card job's outcome; undefined when there is no such reader
   * running or no card job.
   */
  async tap(card: SoftCardTap, readerId?: string): Promise<JobOutcome<R> | undefined> {
    const d = this.drivers.find(
      (x): x is SoftCardDriver =>
        x instanceof SoftCardDriver && (readerId === undefined || x.id === readerId),
    );
    return (await d?.tap(card)) as JobOutcome<R> | undefined;
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

  /**
   * Runs the card job (if any) on a transport; reports its progress and outcome as events and returns
   * the outcome (undefined when there is no job).
   */
  async runJob(
    d: Driver,
    readerName: string,
    transport: CardTransport,
    signal: AbortSignal,
  ): Promise<JobOutcome<R> | undefined> {
    const job = this.options.onCard;
    if (!job) return undefined;
    const started = Date.now();
    this.setStatus(d, 'reading');
    this.log(`reader ${d.id}: reading started`);
    let outcome: JobOutcome<R>;
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
      outcome = { ok: true, result, durationMs: Date.now() - started };
      this.log(`reader ${d.id}: reading done in ${outcome.durationMs} ms`);
    } catch (e) {
      outcome = { ok: false, error: jobErrorInfo(e), durationMs: Date.now() - started };
      this.log(`reader ${d.id}: reading failed (${outcome.error.code}) after ${outcome.durationMs} ms`);
    }
    this.publish('reading-done', { readerId: d.id, ...outcome });
    return outcome;
  }

  /** Whether a card job is configured (drivers connect to cards only then). */
  get hasJob(): boolean {
    return this.options.onCard !== undefined;
  }

  private makeDriver(c: ReaderConfig, id: string): Driver {
    switch (c.kind) {
      case 'pcsc':
        return new PcscDriver(this, id, c, () => this.pcscContext(), this.options.pcsc?.connect);
      case 'pn532':
        return new Pn532Driver(this, id, c);
      case 'serial-scanner':
        return new SerialScannerDriver(this, id, c);
      case 'hid-pos':
        return new HidPosDriver(this, id, c, this.options.deps ?? {});
      case 'softcard':
        return new SoftCardDriver(this, id, c);
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
}
