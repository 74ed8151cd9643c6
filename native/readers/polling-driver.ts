/**
 * A reader on a device path (a PN532 or a serial QR scanner on /dev/tty…, COMn): waits for the path to
 * appear, opens the device, and reconnects with exponential backoff when it fails or goes away (USB
 * unplug). The subclasses say what one session with the open device is.
 */
import fs from 'node:fs';
import { ReaderError, toReaderErrorInfo } from '../transport/errors';
import type { ReaderKind, ReaderStatus } from './config';
import { Backoff, sleep, type Driver, type DriverHost } from './driver';

export abstract class PathDriver<C extends { path: string }> implements Driver {
  abstract readonly kind: ReaderKind;
  status: ReaderStatus = 'stopped';
  protected readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  protected readonly backoff: Backoff;
  protected readonly path: string;

  constructor(
    protected readonly m: DriverHost,
    readonly id: string,
    protected readonly c: C,
  ) {
    this.path = c.path;
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
