/**
 * A serial QR scanner (USB CDC / RS-232) on a device path: each scanned line becomes a `qr-scanned`
 * event. The path is polled as well as the port, since a pty or tty whose other side vanished does not
 * always close the port.
 */
import { SerialScanner } from '../drivers/scanners/serial-scanner';
import type { ReaderConfig } from './config';
import { PathDriver } from './polling-driver';

export class SerialScannerDriver extends PathDriver<Extract<ReaderConfig, { kind: 'serial-scanner' }>> {
  readonly kind = 'serial-scanner' as const;
  private scanner: SerialScanner | undefined;

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
