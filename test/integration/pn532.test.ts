/**
 * The PN532 driver against the PN532 emulator over a real socat pseudo-terminal pair (serialport on
 * both ends, 115200 8N1).
 */

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CardRemovedError } from '../../native/transport/types';
import { Pn532Emulator } from '../../native/drivers/pn532/emulator';
import { Pn532Transport, openPn532, type Pn532 } from '../../native/drivers/pn532/pn532';
import { CMD } from '../../native/drivers/pn532/codec';
import { ReaderCardRemovedError, ReaderError } from '../../native/transport/errors';
import { equalBytes, fromHex, hex } from '../../native/util/bytes';
import { createPtyPair, type PtyPair } from '../support/socat';
import { createTestCard, patternFile } from '../support/test-card';
import { readBinary, selectFid } from '../support/read-file';
import { needsPart } from '../support/system-parts';

const socat = needsPart('socat', 'PN532 over a socat pty pair');

const FILE = patternFile(4096, 11);
const FID = 0x0102;

let pty: PtyPair;
let emu: Pn532Emulator;
let dev: Pn532;
const traces: string[] = [];

beforeAll(async () => {
  pty = await createPtyPair();
  emu = await Pn532Emulator.open({ path: pty.b });
  dev = await openPn532(pty.a, { trace: (l) => traces.push(l), ackTimeoutMs: 150, exchangeTimeoutMs: 1000 });
});

afterAll(async () => {
  await dev?.close();
  await emu?.close();
  await pty?.close();
});

beforeEach(() => {
  emu.removeCard();
  Object.assign(emu.faults, {
    corruptResponses: 0,
    dropAcks: 0,
    dropCommands: 0,
    delayAcks: 0,
    ackDelayMs: 0,
    garbageBeforeResponse: undefined,
  });
});

afterEach(() => {
  traces.length = 0;
});

async function listedTransport(): Promise<Pn532Transport> {
  const target = await dev.inListPassiveTarget();
  expect(target).not.toBeNull();
  return new Pn532Transport(dev, target!);
}

describe.skipIf(socat.skip)('PN532 over a socat pty pair', () => {
  it('wakes up (wake-up bytes then SAMConfiguration) and reads the firmware version', async () => {
    expect(emu.received).toContain(CMD.SAMConfiguration);
    const fw = await dev.getFirmwareVersion();
    expect(fw).toEqual({ ic: 0x32, version: 1, revision: 6, support: 7 });
  });

  it('lists no target without a card, then the ISO 14443-4 target with ATQA/SAK/UID/ATS', async () => {
    await dev.setPassiveActivationRetries(2);
    expect(await dev.inListPassiveTarget()).toBeNull();
    emu.insertCard(createTestCard().card, { uid: fromHex('08AABBCC') });
    const t = await dev.inListPassiveTarget();
    expect(t).not.toBeNull();
    expect(hex(t!.uid)).toBe('08AABBCC');
    expect(hex(t!.atqa)).toBe('0004');
    expect(t!.sak).toBe(0x20);
    expect(t!.iso14443_4).toBe(true);
    expect(hex(t!.ats!)).toBe('0578807002');
    expect(await dev.checkPresence()).toBe(true);
  });

  it('reads a 4 KB file with short APDUs; 258-byte answers come back chained (MI) and reassembled', async () => {
    const card = createTestCard({ files: new Map([[FID, FILE]]) });
    emu.insertCard(card.card);
    const t = await listedTransport();
    expect(t.limits).toEqual({ maxCommandLength: 261, maxResponseLength: 258, extendedLength: false });
    await selectFid(t, FID);
    const before = emu.received.length;
    const { data, apdus } = await readBinary(t, FILE.length, 256);
    expect(equalBytes(data, FILE)).toBe(true);
    expect(apdus).toBe(16);
    // Each 256-byte READ BINARY needed two InDataExchange frames (252 + 6 bytes).
    const exchanges = emu.received.slice(before).filter((c) => c === CMD.InDataExchange).length;
    expect(exchanges).toBe(32);
  });

  it('sends a command APDU longer than one frame in MI-chained parts', async () => {
    const card = createTestCard();
    emu.insertCard(card.card);
    const t = await listedTransport();
    // A 261-byte short APDU (UPDATE BINARY-like, unknown to the test card: 6D00).
    const apdu = new Uint8Array(261);
    apdu.set([0x00, 0xd6, 0x00, 0x00, 0xff]);
    apdu.fill(0x5a, 5, 260);
    const r = await t.transmit(apdu);
    expect(hex(r)).toBe('6D00');
    expect(equalBytes(card.log.at(-1)!, apdu)).toBe(true);
  });

  it('sends extended APDUs in short form (no extended length on a PN532)', async () => {
    const card = createTestCard({ files: new Map([[FID, FILE]]) });
    emu.insertCard(card.card);
    const t = await listedTransport();
    await selectFid(t, FID);
    const r = await t.transmit(fromHex('00B00000001000'));
    expect(r.length).toBe(258);
    expect(hex(card.log.at(-1)!)).toBe('00B0000000');
  });

  it('card removed mid-read: clean CardRemovedError, then a retry after re-insert works', async () => {
    let pulled = false;
    const card = createTestCard({
      files: new Map([[FID, FILE]]),
      onApdu: (apdu) => {
        if (!pulled && apdu[1] === 0xb0 && apdu[2] === 0x07) {
          pulled = true;
          emu.removeCard();
        }
      },
    });
    emu.insertCard(card.card);
    const t = await listedTransport();
    await selectFid(t, FID);
    const err = await readBinary(t, FILE.length, 256).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CardRemovedError);
    expect(err).toBeInstanceOf(ReaderCardRemovedError);
    expect((err as ReaderCardRemovedError).vi.length).toBeGreaterThan(0);
    expect(t.present).toBe(false);
    await expect(t.transmit(fromHex('00B0000000'))).rejects.toBeInstanceOf(CardRemovedError);
    expect(await dev.inListPassiveTarget()).toBeNull();

    emu.insertCard(card.card);
    const t2 = await listedTransport();
    await selectFid(t2, FID);
    const { data } = await readBinary(t2, FILE.length, 256);
    expect(equalBytes(data, FILE)).toBe(true);
  });

  it('resynchronises after garbage bytes before a response', async () => {
    emu.insertCard(createTestCard({ files: new Map([[FID, FILE]]) }).card);
    const t = await listedTransport();
    await selectFid(t, FID);
    const garbageBefore = dev.stats.garbageBytes;
    // Garbage with a fake start code (00 FF 34 99: bad LCS) and random bytes.
    emu.faults.garbageBeforeResponse = fromHex('13 37 00 FF 34 99 AB CD EF 00 FF');
    const { data } = await readBinary(t, 512, 256);
    expect(equalBytes(data, FILE.subarray(0, 512))).toBe(true);
    expect(dev.stats.garbageBytes).toBeGreaterThan(garbageBefore);
  });

  it('asks for a corrupted response again with NACK', async () => {
    emu.insertCard(createTestCard({ files: new Map([[FID, FILE]]) }).card);
    const t = await listedTransport();
    await selectFid(t, FID);
    const nacks = emu.nacksReceived;
    emu.faults.corruptResponses = 2;
    const { data } = await readBinary(t, 256, 256);
    expect(equalBytes(data, FILE.subarray(0, 256))).toBe(true);
    expect(emu.nacksReceived - nacks).toBe(2);
    expect(traces.some((l) => l.includes('NACK'))).toBe(true);
  });

  it('copes with a lost ACK and resends a command that was lost entirely', async () => {
    const fwBefore = dev.stats.ackTimeouts;
    emu.faults.dropAcks = 1;
    expect((await dev.getFirmwareVersion()).ic).toBe(0x32);
    emu.faults.dropCommands = 1;
    expect((await dev.getFirmwareVersion()).ic).toBe(0x32);
    expect(dev.stats.ackTimeouts - fwBefore).toBe(1);
  });

  it('never sends an APDU twice: a late ACK is waited for, a lost exchange is a timeout', async () => {
    const card = createTestCard({ files: new Map([[FID, FILE]]) });
    emu.insertCard(card.card);
    const t = await listedTransport();
    await selectFid(t, FID);
    // ACK (and answer) 400 ms late, past the 150 ms ACK timeout: still one execution, right answer.
    emu.faults.delayAcks = 1;
    emu.faults.ackDelayMs = 400;
    let before = card.log.length;
    const r = await t.transmit(fromHex('00B0000010'));
    expect(hex(r)).toBe(hex(FILE.subarray(0, 16)) + '9000');
    expect(card.log.length - before).toBe(1);
    // The exchange lost on the line: a timeout, and the card never saw it (no blind resend).
    emu.faults.dropCommands = 1;
    before = card.log.length;
    await expect(t.transmit(fromHex('00B0000010'))).rejects.toMatchObject({ code: 'timeout' });
    expect(card.log.length - before).toBe(0);
    // The next exchange works and gets its own answer, not a stale one.
    expect(hex(await t.transmit(fromHex('00B0001010')))).toBe(hex(FILE.subarray(16, 32)) + '9000');
  });

  it('gives up with a bilingual timeout when the PN532 never answers', async () => {
    emu.faults.dropCommands = 10;
    const err = await dev.getFirmwareVersion().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect((err as { code: string }).code).toBe('timeout');
    expect((err as { vi: string }).vi).toMatch(/không phản hồi/);
    emu.faults.dropCommands = 0;
  });

  it('maps the PN532 error frame to a protocol error, and answers the line test and InRelease', async () => {
    const err = await dev.command(0x99, [0x01]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReaderError);
    expect((err as ReaderError).code).toBe('protocol');
    expect(hex(await dev.command(CMD.Diagnose, [0x00, 0xca, 0xfe]))).toBe('CAFE');
    emu.insertCard(createTestCard().card);
    const t = await listedTransport();
    await dev.inRelease(t.target.tg);
    // A released target no longer takes APDUs: "not acceptable in the current context" (27) = card gone.
    await expect(t.transmit(fromHex('0084000008'))).rejects.toBeInstanceOf(CardRemovedError);
  });

  it('traces frame summaries without APDU bytes', async () => {
    emu.insertCard(createTestCard({ files: new Map([[FID, FILE]]) }).card);
    const t = await listedTransport();
    await selectFid(t, FID);
    expect(traces.length).toBeGreaterThan(0);
    expect(traces.join('\n')).not.toMatch(/A40|0102/);
  });

  it('reports a closed port as reader_gone', async () => {
    const pair = await createPtyPair();
    try {
      const e2 = await Pn532Emulator.open({ path: pair.b });
      const d2 = await openPn532(pair.a);
      await e2.close();
      await pair.unplug();
      const err = await d2.getFirmwareVersion().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err).toBeInstanceOf(ReaderError);
      expect((err as ReaderError).code).toBe('reader_gone');
      expect(d2.isClosed).toBe(true);
      await d2.close();
    } finally {
      await pair.close();
    }
  });
});
