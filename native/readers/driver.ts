/**
 * What every reader driver is, and what it may ask of its manager. A driver owns one configured reader
 * or scanner (its device, hot-plug and reconnects) and reports through the host: status changes, errors,
 * events, and the card job it runs on a card. The drivers never know the manager class (no import
 * cycle): ReaderManager implements DriverHost.
 */
import type { CardTransport } from '../transport/types';
import type { ReaderKind, ReaderStatus } from './config';
import type { ManagerEventPayloads } from './events';
import type { JobOutcome } from './job';

export interface Driver {
  readonly id: string;
  readonly kind: ReaderKind;
  status: ReaderStatus;
  start(): void;
  stop(): Promise<void>;
}

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
}

/** The manager, as its drivers see it. */
export interface DriverHost {
  readonly backoff: Required<BackoffOptions>;
  /** How often to look for absent ports/devices. */
  readonly pollIntervalMs: number;
  /** How often a PN532 looks for a card / checks it is still there. */
  readonly cardPollMs: number;
  /** Whether a card job is configured (drivers connect to cards only then). */
  readonly hasJob: boolean;
  /** Log sink: ids, kinds, statuses, error codes only. */
  log(line: string): void;
  setStatus(d: Driver, status: ReaderStatus, detail?: string): void;
  readerError(d: Driver, err: unknown, retryInMs?: number): void;
  publish<K extends keyof ManagerEventPayloads<unknown>>(
    type: K,
    payload: ManagerEventPayloads<unknown>[K],
  ): void;
  /** Runs the card job on a card; resolves with its outcome (undefined when there is no job). */
  runJob(
    d: Driver,
    readerName: string,
    transport: CardTransport,
    signal: AbortSignal,
  ): Promise<JobOutcome<unknown> | undefined>;
}

/** Exponential backoff between reconnects. */
export class Backoff {
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

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
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
