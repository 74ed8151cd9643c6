/**
 * The real software CCCD (native/softcard) read by the real terminal stack (native/icao: PACE with the
 * CAN, secure messaging, the learning file reader) through each transport of this layer:
 *   - PC/SC: soft card → VpcdCard → pcscd + vpcd → PcscTransport (extended length)
 *   - PN532: soft card → Pn532Emulator ← socat pty → Pn532 driver → Pn532Transport (short APDUs, chaining)
 * Every file read through the secure channel must equal the card's own file, byte for byte.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCardAccess, preferredPaceInfo } from '../../native/icao/card-access';
import { FileReader, readFile, selectApplication } from '../../native/icao/file-reader';
import { FID, dataGroupFid } from '../../native/icao/lds';
import { pace } from '../../native/icao/pace';
import { SecureTransport } from '../../native/icao/sm';
import { createSoftCard, type SoftCard } from '../../native/softcard/soft-card';
import { PcscContext } from '../../native/drivers/pcsc/pcsc';
import { VpcdCard } from '../../native/drivers/pcsc/vpcd-card';
import { Pn532Emulator } from '../../native/drivers/pn532/emulator';
import { Pn532Transport, openPn532 } from '../../native/drivers/pn532/pn532';
import type { CardTransport } from '../../native/transport/types';
import { equalBytes } from '../../native/util/bytes';
import { testPcscd, useSocket, type PcscdInstance } from '../support/pcscd';
import { createPtyPair } from '../support/socat';
import { needsPart } from '../support/system-parts';

const parts = needsPart(['pcsc', 'socat'], 'software CCCD through the real transports');

let card: SoftCard;
let pcscd: PcscdInstance;

beforeAll(async () => {
  card = createSoftCard();
  pcscd = await testPcscd();
  useSocket(pcscd);
  await pcscd.start();
});

afterAll(async () => {
  await pcscd?.dispose();
});

/** PACE with the CAN, then DG1, DG2 (the photo, ~15 KB) and the SOD over secure messaging. */
async function readThroughSecureChannel(raw: CardTransport): Promise<number> {
  const access = parseCardAccess((await readFile(raw, FID.cardAccess)).data);
  const secure = new SecureTransport(
    raw,
    await pace(raw, { kind: 'can', can: card.can }, preferredPaceInfo(access)!),
  );
  await selectApplication(secure);
  const reader = new FileReader(secure);
  let bytes = 0;
  for (const fid of [FID.com, dataGroupFid(1), dataGroupFid(2), FID.sod]) {
    const { data } = await reader.readFile(fid);
    expect(equalBytes(data, card.files.get(fid)!)).toBe(true);
    bytes += data.length;
  }
  return bytes;
}

describe.skipIf(parts.skip)('software CCCD through the real transports', () => {
  it('PC/SC via pcscd + vpcd', async () => {
    const vpcd = new VpcdCard((apdu) => card.engine.process(apdu), { port: pcscd.ports[0] });
    const ctx = new PcscContext({ pollIntervalMs: 100 });
    ctx.start();
    try {
      await vpcd.insert();
      await ctx.waitForCard(pcscd.readerNames[0]);
      card.engine.reset();
      const t = await ctx.connect(pcscd.readerNames[0]);
      const bytes = await readThroughSecureChannel(t);
      expect(bytes).toBeGreaterThan(10_000);
      expect(t.extendedSupport).toBe('yes');
      await t.close();
    } finally {
      await vpcd.remove();
      await ctx.stop();
    }
  });

  it('PN532 over a pty pair (short APDUs, MI chaining)', async () => {
    const pty = await createPtyPair();
    const emu = await Pn532Emulator.open({ path: pty.b });
    const dev = await openPn532(pty.a);
    try {
      card.engine.reset();
      emu.insertCard((apdu) => card.engine.process(apdu));
      const target = await dev.inListPassiveTarget();
      expect(target?.iso14443_4).toBe(true);
      const bytes = await readThroughSecureChannel(new Pn532Transport(dev, target!));
      expect(bytes).toBeGreaterThan(10_000);
    } finally {
      await dev.close();
      await emu.close();
      await pty.close();
    }
  });
});
