/**
 * Serial QR scanner over a real socat pty pair: the test writes what a scanner sends on one end,
 * SerialScanner reads the other.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import {
  SerialScanner,
  TERMINATOR_BYTES,
  type ScanTerminator,
} from '../../native/drivers/scanners/serial-scanner';
import { createPtyPair, type PtyPair } from '../support/socat';
import { needsPart } from '../support/system-parts';

// Fictional CCCD QR payloads (no real people).
const socat = needsPart('socat', 'serial QR scanner over a pty pair');

const QR1 = '079099001234|271234567|Lê Thị Bé|01011999|Nữ|Tổ 1, Phường 2, TP Huế|15082021';
const QR2 = '001088004321||Trần Văn Đức|31121988|Nam|Xã Ân Hữu, Hoài Ân, Bình Định|01072022';

const opened: { close(): Promise<unknown> | unknown }[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function openDevice(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  opened.push({ close: () => new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r())) });
  return port;
}

function write(port: SerialPort, bytes: Uint8Array): Promise<void> {
  return new Promise((res, rej) =>
    port.write(Buffer.from(bytes), (e) => (e ? rej(e) : port.drain(() => res()))),
  );
}

function collect(scanner: SerialScanner, n: number, timeoutMs = 3000): Promise<string[]> {
  const texts: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`got ${texts.length}/${n} scans`)), timeoutMs);
    scanner.on('text', (t) => {
      texts.push(t);
      if (texts.length === n) {
        clearTimeout(timer);
        resolve(texts);
      }
    });
  });
}

async function setup(
  terminator: ScanTerminator,
): Promise<{ pty: PtyPair; scanner: SerialScanner; device: SerialPort }> {
  const pty = await createPtyPair();
  opened.push(pty);
  const scanner = await SerialScanner.open({ path: pty.a, terminator });
  opened.push(scanner);
  const device = await openDevice(pty.b);
  return { pty, scanner, device };
}

describe.skipIf(socat.skip)('serial QR scanner over a pty pair', () => {
  for (const terminator of ['CR', 'LF', 'CRLF', 'TAB'] as const) {
    it(`splits scans on ${terminator} and decodes UTF-8 split across chunks`, async () => {
      const { scanner, device } = await setup(terminator);
      const got = collect(scanner, 2);
      const bytes = new TextEncoder().encode(
        QR1 + TERMINATOR_BYTES[terminator] + QR2 + TERMINATOR_BYTES[terminator],
      );
      // Cut inside 'ê' (2 bytes) and at awkward places, with pauses so they arrive as separate reads.
      const cut = new TextEncoder().encode('079099001234|271234567|L').length + 1;
      for (const [a, b] of [
        [0, cut],
        [cut, cut + 7],
        [cut + 7, bytes.length - 3],
        [bytes.length - 3, bytes.length],
      ] as const) {
        await write(device, bytes.subarray(a, b));
        await new Promise((r) => setTimeout(r, 30));
      }
      expect(await got).toEqual([QR1, QR2]);
    });
  }

  it('drops the stray LF of a CRLF scanner read with terminator CR, and empty lines', async () => {
    const { scanner, device } = await setup('CR');
    const got = collect(scanner, 2);
    await write(device, new TextEncoder().encode(`${QR1}\r\n\r\n${QR2}\r\n`));
    expect(await got).toEqual([QR1, QR2]);
  });

  it('emits close when the scanner goes away', async () => {
    const { pty, scanner } = await setup('CR');
    const closed = new Promise<void>((r) => scanner.once('close', () => r()));
    await pty.unplug();
    await closed;
    expect(scanner.isOpen).toBe(false);
  });
});
