/**
 * A PN532 NFC reader on a serial port: polls for a card (InListPassiveTarget), runs the card job on it
 * over a Pn532Transport, then waits for the card to leave (Diagnose) before looking for the next one.
 */
import fs from 'node:fs';
import { ReaderError } from '../transport/errors';
import { Pn532Transport, openPn532, type Pn532 } from '../drivers/pn532/pn532';
import type { ReaderConfig } from './config';
import { sleep } from './driver';
import { PathDriver } from './polling-driver';

export class Pn532Driver extends PathDriver<Extract<ReaderConfig, { kind: 'pn532' }>> {
  readonly kind = 'pn532' as const;
  private dev: Pn532 | undefined;

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
