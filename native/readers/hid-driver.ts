/**
 * A HID POS barcode scanner (usage page 0x8C) by vendor and product id: waits for it in the HID device
 * list, opens it, turns each scan into a `qr-scanned` event, and reconnects with backoff.
 */
import { ReaderError, toReaderErrorInfo } from '../transport/errors';
import {
  HidPosReader,
  listHidScanners,
  type HidDeviceInfo,
  type HidPosLayout,
  type HidPosScan,
} from '../drivers/hid/hid-pos';
import type { ReaderConfig, ReaderStatus } from './config';
import { Backoff, sleep, type Driver, type DriverHost } from './driver';

/** Injection points for tests and for platforms without node-hid. */
export interface HidDeps {
  listHid?: () => Promise<HidDeviceInfo[]>;
  openHid?: (
    match: { vendorId: number; productId: number },
    layout?: Partial<HidPosLayout>,
  ) => Promise<HidPosReader>;
}

export class HidPosDriver implements Driver {
  readonly kind = 'hid-pos' as const;
  status: ReaderStatus = 'stopped';
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private reader: HidPosReader | undefined;
  private readonly backoff: Backoff;

  constructor(
    private readonly m: DriverHost,
    readonly id: string,
    private readonly c: Extract<ReaderConfig, { kind: 'hid-pos' }>,
    private readonly deps: HidDeps,
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
