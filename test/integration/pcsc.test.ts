/**
 * PC/SC through a real pcscd with the vsmartcard vpcd virtual reader: our VpcdCard client inserts the
 * test card, PcscContext/PcscTransport read it through pcscd like any physical reader.
 */

import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CardRemovedError, TransportTimeoutError } from '../../native/transport/types';
import { PcscContext, type PcscReaderInfo, type PcscTransport } from '../../native/drivers/pcsc/pcsc';
import { VpcdCard, CONTACTLESS_ATR } from '../../native/drivers/pcsc/vpcd-card';
import { ReaderCardRemovedError, ReaderError, ReaderTimeoutError } from '../../native/transport/errors';
import { encodeCommand } from '../../native/iso7816/apdu';
import { equalBytes, hex } from '../../native/util/bytes';
import { testPcscd, useSocket, type PcscdInstance } from '../support/pcscd';
import { createTestCard, patternFile } from '../support/test-card';
import { readBinary, selectFid } from '../support/read-file';
import { needsPart } from '../support/system-parts';

const pcsc = needsPart('pcsc', 'PC/SC with pcscd + vpcd');

const FILE = patternFile(4096, 3);
const FID = 0x011e;

let pcscd: PcscdInstance;
let ctx: PcscContext;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

function nextEvent<T>(
  emitter: PcscContext,
  event: 'card-inserted' | 'card-removed' | 'reader-added' | 'reader-removed',
  name?: string,
  timeoutMs = 8000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (info: PcscReaderInfo): void => {
      if (name && info.name !== name) return;
      clearTimeout(timer);
      emitter.off(event, on);
      resolve(info as T);
    };
    emitter.on(event, on);
  });
}

beforeAll(async () => {
  pcscd = await testPcscd();
  useSocket(pcscd);
  await pcscd.start();
  ctx = new PcscContext({ pollIntervalMs: 100 });
  ctx.start();
  await ctx.waitForReader(pcscd.readerNames[0]);
  await ctx.waitForReader(pcscd.readerNames[1]);
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  // Let pcscd notice the removals (it polls vpcd every 400 ms) so the next test starts from empty readers.
  const end = Date.now() + 5000;
  while (ctx.readers().some((r) => r.cardPresent) && Date.now() < end)
    await new Promise((r) => setTimeout(r, 50));
});

afterAll(async () => {
  await ctx?.stop();
  await pcscd?.dispose();
});

async function insert(
  card: ReturnType<typeof createTestCard>,
  port: number,
  reconnect = false,
): Promise<VpcdCard> {
  const vpcd = new VpcdCard(card.card, { port, reconnect, reconnectDelayMs: 100 });
  cleanups.push(() => vpcd.remove());
  await vpcd.insert();
  return vpcd;
}

describe.skipIf(pcsc.skip)('PC/SC with pcscd + vpcd', () => {
  it('lists both virtual readers, empty', () => {
    const names = ctx.readers().map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining([...pcscd.readerNames]));
    expect(ctx.readers().every((r) => !r.cardPresent)).toBe(true);
    expect(ctx.serviceUp).toBe(true);
  });

  it('inserts the test card and reads a 4 KB file with short APDUs', async () => {
    const card = createTestCard({ files: new Map([[FID, FILE]]) });
    const inserted = nextEvent<PcscReaderInfo>(ctx, 'card-inserted', pcscd.readerNames[0]);
    await insert(card, pcscd.ports[0]);
    const info = await inserted;
    expect(info.atr).toBe(hex(CONTACTLESS_ATR));
    const t = await ctx.connect(pcscd.readerNames[0]);
    cleanups.push(() => t.close());
    expect(t.protocol).toBe('T1');
    await selectFid(t, FID);
    const { data, apdus } = await readBinary(t, FILE.length, 256);
    expect(equalBytes(data, FILE)).toBe(true);
    expect(apdus).toBe(16);
    // Every READ BINARY the card saw was short (5 bytes: header + Le).
    const reads = card.log.filter((a) => a[1] === 0xb0);
    expect(reads.every((a) => a.length === 5)).toBe(true);
    // GET CHALLENGE gives 8 fresh bytes; an unknown INS is 6D00.
    const c1 = await t.transmit(Uint8Array.of(0, 0x84, 0, 0, 8));
    const c2 = await t.transmit(Uint8Array.of(0, 0x84, 0, 0, 8));
    expect(c1.length).toBe(10);
    expect(equalBytes(c1, c2)).toBe(false);
    expect(hex(await t.transmit(Uint8Array.of(0, 0xca, 0, 0, 0)))).toBe('6D00');
  });

  it('reads the 4 KB file with one extended APDU and remembers that extended length works', async () => {
    const card = createTestCard({ files: new Map([[FID, FILE]]) });
    await insert(card, pcscd.ports[0]);
    await ctx.waitForCard(pcscd.readerNames[0]);
    const t = await ctx.connect(pcscd.readerNames[0]);
    cleanups.push(() => t.close());
    expect(t.extendedSupport).toBe('unknown');
    await selectFid(t, FID);
    const { data, apdus } = await readBinary(t, FILE.length, 4096);
    expect(apdus).toBe(1);
    expect(equalBytes(data, FILE)).toBe(true);
    expect(t.extendedSupport).toBe('yes');
    expect(t.limits.extendedLength).toBe(true);
    expect(card.log.at(-1)).toEqual(Uint8Array.of(0, 0xb0, 0, 0, 0, 0x10, 0x00));
  });

  it('falls back to short APDUs when the card refuses extended length, and remembers it', async () => {
    const card = createTestCard({ files: new Map([[FID, FILE]]), extendedLength: false });
    await insert(card, pcscd.ports[0]);
    await ctx.waitForCard(pcscd.readerNames[0]);
    const t = await ctx.connect(pcscd.readerNames[0]);
    cleanups.push(() => t.close());
    await selectFid(t, FID);
    const before = card.log.length;
    const { data, apdus } = await readBinary(t, FILE.length, 4096);
    expect(equalBytes(data, FILE)).toBe(true);
    expect(apdus).toBe(16); // each extended request came back with 256 bytes
    expect(t.extendedSupport).toBe('no');
    expect(t.limits.extendedLength).toBe(false);
    expect(t.limits.maxResponseLength).toBe(258);
    const seen = card.log.slice(before);
    // One extended attempt (refused with 6700), then only short READ BINARYs.
    expect(seen[0]!.length).toBe(7);
    expect(seen.slice(1).every((a) => a.length === 5)).toBe(true);
    expect(seen.length).toBe(17);
  });

  it('card removed mid-read gives a clean CardRemovedError; a retry after re-insert works', async () => {
    const holder: { vpcd?: VpcdCard } = {};
    let pulled = false;
    const card = createTestCard({
      files: new Map([[FID, FILE]]),
      onApdu: (apdu) => {
        // Pull the card on the 6th READ BINARY, before it answers.
        if (!pulled && apdu[1] === 0xb0 && apdu[2] === 0x05) {
          pulled = true;
          void holder.vpcd?.remove();
        }
      },
    });
    const vpcd = await insert(card, pcscd.ports[0]);
    holder.vpcd = vpcd;
    await ctx.waitForCard(pcscd.readerNames[0]);
    const t = await ctx.connect(pcscd.readerNames[0]);
    const removed = nextEvent<PcscReaderInfo>(ctx, 'card-removed', pcscd.readerNames[0]);
    await selectFid(t, FID);
    const err = await readBinary(t, FILE.length, 256).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CardRemovedError);
    expect(err).toBeInstanceOf(ReaderCardRemovedError);
    expect((err as ReaderCardRemovedError).vi).toMatch(/Thẻ/);
    expect((err as ReaderCardRemovedError).retryable).toBe(true);
    await removed;
    // The old connection stays dead and says why.
    await expect(t.transmit(Uint8Array.of(0, 0xb0, 0, 0, 0))).rejects.toBeInstanceOf(CardRemovedError);

    const inserted = nextEvent<PcscReaderInfo>(ctx, 'card-inserted', pcscd.readerNames[0]);
    await vpcd.insert();
    await inserted;
    const t2: PcscTransport = await ctx.connect(pcscd.readerNames[0]);
    cleanups.push(() => t2.close());
    await selectFid(t2, FID);
    const { data } = await readBinary(t2, FILE.length, 256);
    expect(equalBytes(data, FILE)).toBe(true);
  });

  it('maps a sharing violation to a bilingual ReaderError', async () => {
    const card = createTestCard({ files: new Map([[FID, FILE]]) });
    await insert(card, pcscd.ports[1]);
    await ctx.waitForCard(pcscd.readerNames[1]);
    const t = await ctx.connect(pcscd.readerNames[1], { shareMode: 'exclusive' });
    cleanups.push(() => t.close());
    const other = new PcscContext({ pollIntervalMs: 100 });
    other.start();
    cleanups.push(() => other.stop());
    await other.waitForCard(pcscd.readerNames[1]);
    const err = await other.connect(pcscd.readerNames[1]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReaderError);
    expect((err as ReaderError).code).toBe('sharing_violation');
    expect((err as ReaderError).vi).toMatch(/chương trình khác/);
    // The exclusive holder still works.
    expect(
      hex(
        await t
          .transmit(encodeCommand({ cla: 0, ins: 0x84, p1: 0, p2: 0, le: 8 }))
          .then((r) => r.subarray(8)),
      ),
    ).toBe('9000');
  });

  it('a card that does not answer in time gives a bilingual TransportTimeoutError', async () => {
    let slow = false;
    let slowDone!: () => void;
    const slowFinished = new Promise<void>((r) => (slowDone = r));
    const card = createTestCard({
      onApdu: async () => {
        if (!slow) return;
        slow = false;
        await new Promise((r) => setTimeout(r, 2000));
        slowDone();
      },
    });
    await insert(card, pcscd.ports[1]);
    await ctx.waitForCard(pcscd.readerNames[1]);
    const t = await ctx.connect(pcscd.readerNames[1], { timeoutMs: 500 });
    cleanups.push(() => t.close());
    slow = true;
    const err = await t.transmit(Uint8Array.of(0, 0x84, 0, 0, 8)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportTimeoutError);
    expect((err as ReaderTimeoutError).code).toBe('timeout');
    expect((err as ReaderTimeoutError).vi).toMatch(/không phản hồi/);
    // While the late answer is still on its way the reader is busy: the next command times out too…
    await expect(t.transmit(Uint8Array.of(0, 0x84, 0, 0, 8))).rejects.toMatchObject({ code: 'timeout' });
    // …and once it has arrived (and been discarded) the connection works again.
    await slowFinished;
    const r = await t.transmit(Uint8Array.of(0, 0x84, 0, 0, 8));
    expect(r.length).toBe(10);
  });

  it('pcscd restarted: readers go and come back, the card with reconnect re-inserts itself', async () => {
    if (!pcscd.canRestart)
      throw new Error('this test needs a pcscd it may restart (run as root, or with no system pcscd)');
    const card = createTestCard({ files: new Map([[FID, FILE]]) });
    const vpcd = await insert(card, pcscd.ports[0], true);
    await ctx.waitForCard(pcscd.readerNames[0]);
    const events: string[] = [];
    const log = (e: string) => (info?: PcscReaderInfo) => events.push(info ? `${e}:${info.name}` : e);
    const handlers = {
      'service-down': log('service-down'),
      'service-up': log('service-up'),
      'reader-removed': log('reader-removed'),
      'reader-added': log('reader-added'),
      'card-removed': log('card-removed'),
      'card-inserted': log('card-inserted'),
    } as const;
    for (const [e, h] of Object.entries(handlers)) ctx.on(e as keyof typeof handlers, h);
    cleanups.push(() => {
      for (const [e, h] of Object.entries(handlers)) ctx.off(e as keyof typeof handlers, h);
    });
    const before = await ctx.connect(pcscd.readerNames[0]);
    const down = new Promise<void>((r) => ctx.once('service-down', () => r()));
    await pcscd.stop();
    await down;
    // A connection from before the restart reports the reader as gone.
    const gone = await before.transmit(Uint8Array.of(0, 0x84, 0, 0, 8)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(gone).toBeInstanceOf(ReaderError);
    expect((gone as ReaderError).code).toBe('reader_gone');
    await expect(ctx.connect(pcscd.readerNames[0])).rejects.toMatchObject({ code: 'service_unavailable' });
    expect(ctx.serviceUp).toBe(false);
    expect(ctx.readers()).toEqual([]);
    expect(events).toContain(`card-removed:${pcscd.readerNames[0]}`);
    expect(events).toContain(`reader-removed:${pcscd.readerNames[0]}`);
    // The card's connection died with pcscd; it keeps trying to come back.
    for (let i = 0; i < 40 && vpcd.inserted; i++) await new Promise((r) => setTimeout(r, 50));
    expect(vpcd.inserted).toBe(false);

    await pcscd.start();
    await ctx.waitForReader(pcscd.readerNames[0]);
    await ctx.waitForCard(pcscd.readerNames[0], 10_000);
    expect(events).toContain('service-up');
    expect(events.lastIndexOf(`card-inserted:${pcscd.readerNames[0]}`)).toBeGreaterThan(
      events.indexOf('service-up'),
    );
    const t = await ctx.connect(pcscd.readerNames[0]);
    cleanups.push(() => t.close());
    await selectFid(t, FID);
    const { data } = await readBinary(t, 512, 256);
    expect(equalBytes(data, FILE.subarray(0, 512))).toBe(true);
  });

  it('pcscd killed hard (stale socket file left): no freeze, picked up again when it restarts', async () => {
    if (!pcscd.canRestart)
      throw new Error('this test needs a pcscd it may restart (run as root, or with no system pcscd)');
    const down = new Promise<void>((r) => ctx.once('service-down', () => r()));
    await pcscd.stop('SIGKILL');
    await down;
    expect(fs.existsSync(pcscd.socketPath)).toBe(true); // stale: nobody listens
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    try {
      await new Promise((r) => setTimeout(r, 800));
      expect(ticks).toBeGreaterThanOrEqual(25);
      expect(ctx.serviceUp).toBe(false);
      await pcscd.start();
      await ctx.waitForReader(pcscd.readerNames[0]);
      expect(ctx.serviceUp).toBe(true);
    } finally {
      clearInterval(ticker);
    }
  });
});
