/**
 * The reader manager against real stacks: a private pcscd (started after the manager, restarted), the
 * vpcd card, socat pty pairs for a serial scanner and a PN532 emulator, and recorded HID POS reports.
 */

import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { ReaderManager, type ReaderManagerOptions } from '../../native/readers/manager';
import { readersList } from '../../native/readers/listing';
import type { ReaderConfig } from '../../native/readers/config';
import type { ManagerEvent } from '../../native/readers/events';
import { VpcdCard } from '../../native/drivers/pcsc/vpcd-card';
import { Pn532Emulator } from '../../native/drivers/pn532/emulator';
import { HidPosReader } from '../../native/drivers/hid/hid-pos';
import type { CardTransport } from '../../native/transport/types';
import { equalBytes } from '../../native/util/bytes';
import { testPcscd, useSocket, type PcscdInstance } from '../support/pcscd';
import { createPtyPair, type PtyPair } from '../support/socat';
import { createTestCard, patternFile } from '../support/test-card';
import { readBinary, selectFid } from '../support/read-file';
import { needsPart } from '../support/system-parts';

const pcsc = needsPart('pcsc', 'reader manager: PC/SC');
const socat = needsPart('socat', 'reader manager: serial scanner, PN532, failed readings');

const FILE = patternFile(4096, 5);
const FID = 0x011e;
// A fictional CCCD QR payload (no real person).
const QR = '079099001234|271234567|Lê Thị Bích|01011999|Nữ|Tổ 1, Phường 2, TP Huế|15082021';

let pcscd: PcscdInstance;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  if (pcsc.skip) return; // the serial and HID groups run without pcscd
  pcscd = await testPcscd();
  useSocket(pcscd);
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

afterAll(async () => {
  await pcscd?.dispose();
});

/** Reads the test file, reporting progress per 1 KB. */
async function readJob(
  t: CardTransport,
  ctx: { progress(step: string, done?: number, total?: number): void },
) {
  await selectFid(t, FID);
  const parts: Uint8Array[] = [];
  for (let off = 0; off < FILE.length; off += 1024) {
    const { data } = await readBinary(
      {
        name: t.name,
        limits: t.limits,
        transmit: (cmd) => {
          // READ BINARY at absolute offsets: shift P1P2 by `off`.
          const c = cmd.slice();
          const abs = ((c[2]! << 8) | c[3]!) + off;
          c[2] = abs >> 8;
          c[3] = abs & 0xff;
          return t.transmit(c);
        },
      },
      1024,
      256,
    );
    parts.push(data);
    ctx.progress('file', off + 1024, FILE.length);
  }
  const all = new Uint8Array(FILE.length);
  parts.forEach((p, i) => all.set(p, i * 1024));
  return all;
}

function startManager(options: ReaderManagerOptions<Uint8Array>): {
  m: ReaderManager<Uint8Array>;
  events: ManagerEvent<Uint8Array>[];
  logs: string[];
} {
  const logs: string[] = [];
  const m = new ReaderManager<Uint8Array>({ log: (l) => logs.push(l), ...options });
  const events: ManagerEvent<Uint8Array>[] = [];
  m.on('event', (e) => events.push(e));
  m.start();
  cleanups.push(() => m.stop());
  return { m, events, logs };
}

function waitEvent<T extends ManagerEvent<Uint8Array>['type']>(
  m: ReaderManager<Uint8Array>,
  type: T,
  pred: (e: Extract<ManagerEvent<Uint8Array>, { type: T }>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Extract<ManagerEvent<Uint8Array>, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      m.off('event', on);
      reject(new Error(`no ${type} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (e: ManagerEvent<Uint8Array>): void => {
      if (e.type === type && pred(e as Extract<ManagerEvent<Uint8Array>, { type: T }>)) {
        clearTimeout(timer);
        m.off('event', on);
        resolve(e as Extract<ManagerEvent<Uint8Array>, { type: T }>);
      }
    };
    m.on('event', on);
  });
}

describe.skipIf(pcsc.skip)('reader manager: PC/SC', () => {
  it('picks up a pcscd started after it without freezing, reads cards, survives removal and a pcscd restart', async () => {
    if (!pcscd.canRestart)
      throw new Error('needs a pcscd this test may start and stop (root for an isolated one)');
    expect(pcscd.running()).toBe(false);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    cleanups.push(() => clearInterval(ticker));
    const { m, events, logs } = startManager({
      readers: [{ kind: 'pcsc', reader: 'any', id: 'chip' }],
      pcsc: { pollIntervalMs: 100 },
      onCard: readJob,
    });
    await new Promise((r) => setTimeout(r, 1000));
    // The event loop kept running while pcscd was absent (pcsclite's constructor would busy-wait).
    expect(ticks).toBeGreaterThanOrEqual(30);
    expect(m.status()).toEqual([{ readerId: 'chip', kind: 'pcsc', status: 'waiting' }]);

    const ready = waitEvent(m, 'reader-status', (e) => e.status === 'ready');
    const ticksBefore = ticks;
    await pcscd.start();
    await ready;
    expect(ticks).toBeGreaterThan(ticksBefore);

    // A card: present → progress → done, with the file's bytes.
    const tc = createTestCard({ files: new Map([[FID, FILE]]) });
    const vpcd = new VpcdCard(tc.card, { port: pcscd.ports[0], reconnect: true, reconnectDelayMs: 100 });
    cleanups.push(() => vpcd.remove());
    const done = waitEvent(m, 'reading-done');
    await vpcd.insert();
    const result = await done;
    expect(result.ok).toBe(true);
    expect(result.ok && equalBytes(result.result, FILE)).toBe(true);
    const present = events.find((e) => e.type === 'card-present');
    expect(present).toMatchObject({
      readerId: 'chip',
      kind: 'pcsc',
      readerName: pcscd.readerNames[0],
      atr: '3B80800101',
    });
    const progress = events.filter((e) => e.type === 'reading-progress');
    expect(progress.map((e) => (e.type === 'reading-progress' ? e.done : 0))).toEqual([
      1024, 2048, 3072, 4096,
    ]);

    // Removed mid-read: a clean card_removed outcome; re-inserted: read again from the start.
    let pulls = 0;
    tc.options.onApdu = (apdu) => {
      if (pulls === 0 && apdu[1] === 0xb0 && apdu[2] === 0x09) {
        pulls++;
        void vpcd.remove();
      }
    };
    const removedOnce = waitEvent(m, 'card-removed');
    await vpcd.remove();
    await removedOnce;
    const failed = waitEvent(m, 'reading-done');
    const removedMidRead = waitEvent(m, 'card-removed');
    await vpcd.insert();
    const f = await failed;
    expect(f.ok).toBe(false);
    expect(!f.ok && f.error.code).toBe('card_removed');
    expect(!f.ok && f.error.vi.length > 0).toBe(true);
    await removedMidRead;
    const again = waitEvent(m, 'reading-done');
    await vpcd.insert();
    const ok = await again;
    expect(ok.ok && equalBytes(ok.result, FILE)).toBe(true);

    // pcscd restarted: reader error + waiting, then ready and the card (reconnecting) is read again.
    const down = waitEvent(m, 'reader-error', (e) => e.error.code === 'service_unavailable');
    const waiting = waitEvent(m, 'reader-status', (e) => e.status === 'waiting');
    await pcscd.stop();
    await down;
    await waiting;
    const back = waitEvent(m, 'reading-done', (e) => e.ok);
    await pcscd.start();
    await back;
    expect(ticks).toBeGreaterThan(ticksBefore + 20);

    // Log lines name readers and statuses, never card contents.
    expect(logs.length).toBeGreaterThan(5);
    expect(logs.every((l) => l.startsWith('reader chip'))).toBe(true);
  });

  it('readersList shows the virtual readers, and answers at once when pcscd is down', async () => {
    if (!pcscd.running()) await pcscd.start();
    const list = await readersList();
    expect(list.pcsc.serviceRunning).toBe(true);
    expect(list.pcsc.readers.map((r) => r.name)).toEqual(expect.arrayContaining([...pcscd.readerNames]));
    expect(Array.isArray(list.serial)).toBe(true);
    expect(list.serial.every((p) => !p.path.includes('kiosk-pty'))).toBe(true);
    expect(list.hid).toEqual([]);
    JSON.stringify(list); // serialisable for `kiosk readers --json`
    if (pcscd.canRestart) {
      await pcscd.stop();
      const t0 = Date.now();
      const down = await readersList();
      expect(down.pcsc).toEqual({ module: 'loaded', serviceRunning: false, readers: [] });
      expect(Date.now() - t0).toBeLessThan(3000);
    }
  });
});

async function openDeviceEnd(p: string): Promise<SerialPort> {
  const port = new SerialPort({ path: p, baudRate: 9600, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  port.on('error', () => undefined);
  cleanups.push(() => new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r())));
  return port;
}

describe.skipIf(socat.skip)('reader manager: serial scanner', () => {
  it('emits qr-scanned, handles unplug/replug, and never logs the scanned text', async () => {
    const pty: PtyPair = await createPtyPair();
    cleanups.push(() => pty.close());
    const { m, logs } = startManager({
      readers: [{ kind: 'serial-scanner', path: pty.a, terminator: 'CRLF', id: 'qr' }],
      pollIntervalMs: 100,
      backoff: { initialMs: 100, maxMs: 400 },
    });
    await waitEvent(m, 'reader-status', (e) => e.status === 'ready');
    let dev = await openDeviceEnd(pty.b);
    const scanned = waitEvent(m, 'qr-scanned');
    dev.write(Buffer.from(`${QR}\r\n`));
    expect(await scanned).toMatchObject({ readerId: 'qr', kind: 'serial-scanner', text: QR });

    const gone = waitEvent(m, 'reader-error', (e) => e.error.code === 'reader_gone');
    const waiting = waitEvent(m, 'reader-status', (e) => e.status === 'waiting');
    await pty.unplug();
    await gone;
    await waiting;
    const readyAgain = waitEvent(m, 'reader-status', (e) => e.status === 'ready');
    await pty.replug();
    await readyAgain;
    dev = await openDeviceEnd(pty.b);
    const scanned2 = waitEvent(m, 'qr-scanned');
    dev.write(Buffer.from(`${QR}\r\n`));
    expect((await scanned2).text).toBe(QR);

    const joined = logs.join('\n');
    expect(joined).not.toContain('079099001234');
    expect(joined).not.toContain('Bích');
    expect(joined).toContain('QR scanned');
  });

  it('retries a port that exists but cannot be opened with exponential backoff', async () => {
    const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'kiosk-notaport-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'ttyX');
    fs.writeFileSync(file, 'not a tty');
    const { m } = startManager({
      readers: [{ kind: 'serial-scanner', path: file, id: 'bad' }],
      backoff: { initialMs: 50, maxMs: 200, factor: 2 },
    });
    const waits: number[] = [];
    await new Promise<void>((resolve) => {
      m.on('reader-error', (e) => {
        if (e.retryInMs !== undefined) waits.push(e.retryInMs);
        if (waits.length === 4) resolve();
      });
    });
    expect(waits).toEqual([50, 100, 200, 200]);
    expect(m.status()[0]!.status).toBe('error');
  });
});

describe.skipIf(socat.skip)('reader manager: PN532', () => {
  it('detects a card, runs the job, reports removal', async () => {
    const pty = await createPtyPair();
    cleanups.push(() => pty.close());
    const emu = await Pn532Emulator.open({ path: pty.b });
    cleanups.push(() => emu.close());
    const { m, events } = startManager({
      readers: [{ kind: 'pn532', path: pty.a, id: 'nfc' }],
      cardPollMs: 50,
      pollIntervalMs: 100,
      onCard: readJob,
    });
    await waitEvent(m, 'reader-status', (e) => e.status === 'ready');
    const done = waitEvent(m, 'reading-done');
    emu.insertCard(createTestCard({ files: new Map([[FID, FILE]]) }).card);
    const r = await done;
    expect(r.ok && equalBytes(r.result, FILE)).toBe(true);
    const removed = waitEvent(m, 'card-removed');
    emu.removeCard();
    expect(await removed).toMatchObject({ readerId: 'nfc', kind: 'pn532' });
    const types = events.map((e) => e.type);
    expect(types.indexOf('card-present')).toBeLessThan(types.indexOf('reading-done'));
    expect(types.filter((t) => t === 'reading-progress')).toHaveLength(4);
  });
});

describe.skipIf(socat.skip)('reader manager: failed readings', () => {
  it('passes the card stack bilingual errors through and never leaks an arbitrary error message', async () => {
    const pty = await createPtyPair();
    cleanups.push(() => pty.close());
    const emu = await Pn532Emulator.open({ path: pty.b });
    cleanups.push(() => emu.close());
    let n = 0;
    const { m, logs } = startManager({
      readers: [{ kind: 'pn532', path: pty.a, id: 'nfc' }],
      cardPollMs: 50,
      pollIntervalMs: 100,
      onCard: async () => {
        n++;
        if (n === 1) throw new Error('DG13 field for Lê Thị Bích 079099001234 is malformed');
        throw Object.assign(new Error('secure messaging failed'), {
          code: 'sm_mac_invalid',
          vi: 'Dữ liệu từ chip không hợp lệ.',
          en: 'Invalid secure messaging data from the chip.',
        });
      },
    });
    await waitEvent(m, 'reader-status', (e) => e.status === 'ready');
    const first = waitEvent(m, 'reading-done');
    emu.insertCard(createTestCard().card);
    const f1 = await first;
    expect(!f1.ok && f1.error.code).toBe('reading_failed');
    expect(JSON.stringify(f1)).not.toMatch(/079099001234|Bích/);
    const removed = waitEvent(m, 'card-removed');
    emu.removeCard();
    await removed;
    const second = waitEvent(m, 'reading-done');
    emu.insertCard(createTestCard().card);
    const f2 = await second;
    expect(!f2.ok && f2.error).toEqual({
      code: 'sm_mac_invalid',
      vi: 'Dữ liệu từ chip không hợp lệ.',
      en: 'Invalid secure messaging data from the chip.',
      retryable: false,
    });
    expect(logs.join('\n')).not.toMatch(/079099001234|Bích/);
  });
});

class RecordedDevice extends EventEmitter {
  close(): void {
    this.emit('closed');
  }
  play(reports: Uint8Array[]): void {
    for (const r of reports) this.emit('data', Buffer.from(r));
  }
}

function hidReports(text: string): Uint8Array[] {
  const data = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += 56) {
    const part = data.subarray(off, off + 56);
    const r = new Uint8Array(64);
    r[0] = 2;
    r[1] = part.length;
    r.set([0x5d, 0x51, 0x31], 2);
    r.set(part, 5);
    r[63] = off + 56 < data.length ? 1 : 0;
    out.push(r);
  }
  return out;
}

describe('reader manager: HID POS (recorded reports)', () => {
  it('opens the scanner when it appears, emits qr-scanned, and waits again when it goes away', async () => {
    const cfg: ReaderConfig = { kind: 'hid-pos', vendorId: 0x0c2e, productId: 0x0b61, id: 'pos' };
    let attached = false;
    let device: RecordedDevice | undefined;
    const { m } = startManager({
      readers: [cfg],
      pollIntervalMs: 50,
      deps: {
        listHid: async () =>
          attached
            ? [{ vendorId: 0x0c2e, productId: 0x0b61, interface: 0, usagePage: 0x8c, path: '/dev/hidraw9' }]
            : [],
        openHid: async () => {
          device = new RecordedDevice();
          return new HidPosReader(device);
        },
      },
    });
    await waitEvent(m, 'reader-status', (e) => e.status === 'waiting');
    const ready = waitEvent(m, 'reader-status', (e) => e.status === 'ready');
    attached = true;
    await ready;
    const scanned = waitEvent(m, 'qr-scanned');
    device!.play(hidReports(QR));
    expect(await scanned).toMatchObject({ readerId: 'pos', kind: 'hid-pos', text: QR, symbology: 'QR Code' });
    const gone = waitEvent(m, 'reader-error', (e) => e.error.code === 'reader_gone');
    const waiting = waitEvent(m, 'reader-status', (e) => e.status === 'waiting');
    attached = false;
    device!.emit('error', new Error('device disconnected'));
    await gone;
    await waiting;
  });
});
