/**
 * The vpcd client against a local TCP server that speaks the vpcd driver's side of the protocol
 * (what pcscd's libifdvpcd does): length-prefixed frames, 1-byte control codes, APDUs.
 */

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VpcdCard, VpcdFrameReader, vpcdFrame, CONTACTLESS_ATR } from '../../native/drivers/pcsc/vpcd-card';
import { hex } from '../../native/util/bytes';
import { createTestCard } from '../support/test-card';

interface FakeDriver {
  port: number;
  /** Sends a payload to the card, resolves with the answer (or undefined when none is expected). */
  send(payload: Uint8Array, expectAnswer?: boolean): Promise<Uint8Array | undefined>;
  connected: Promise<void>;
  disconnected: Promise<void>;
  close(): Promise<void>;
}

const servers: FakeDriver[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

async function fakeDriver(port = 0): Promise<FakeDriver> {
  let sock: net.Socket | undefined;
  const reader = new VpcdFrameReader();
  const answers: ((f: Uint8Array) => void)[] = [];
  let onConnect!: () => void;
  let onDisconnect!: () => void;
  const connected = new Promise<void>((r) => (onConnect = r));
  const disconnected = new Promise<void>((r) => (onDisconnect = r));
  const server = net.createServer((s) => {
    sock = s;
    onConnect();
    s.on('data', (chunk) => {
      for (const f of reader.push(chunk)) answers.shift()?.(f);
    });
    s.on('close', () => onDisconnect());
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const d: FakeDriver = {
    port: (server.address() as net.AddressInfo).port,
    connected,
    disconnected,
    send(payload, expectAnswer = true) {
      const p = expectAnswer ? new Promise<Uint8Array>((r) => answers.push(r)) : Promise.resolve(undefined);
      sock!.write(vpcdFrame(payload));
      return p;
    },
    close: () =>
      new Promise<void>((r) => {
        sock?.destroy();
        server.close(() => r());
      }),
  };
  servers.push(d);
  return d;
}

describe('vpcd framing', () => {
  it('prefixes a 2-byte big-endian length', () => {
    expect(hex(vpcdFrame(Uint8Array.of(0x04)))).toBe('000104');
    expect(hex(vpcdFrame(new Uint8Array(0x0102)).subarray(0, 2))).toBe('0102');
  });

  it('splits frames across arbitrary TCP chunks', () => {
    const r = new VpcdFrameReader();
    const bytes = new Uint8Array([...vpcdFrame(Uint8Array.of(1, 2, 3)), ...vpcdFrame(Uint8Array.of(4))]);
    expect(r.push(bytes.subarray(0, 1))).toEqual([]);
    expect(r.push(bytes.subarray(1, 4))).toEqual([]);
    expect(r.push(bytes.subarray(4))).toEqual([Uint8Array.of(1, 2, 3), Uint8Array.of(4)]);
  });
});

describe('VpcdCard', () => {
  it('answers GET ATR, power controls (no reply) and APDUs, in order', async () => {
    const drv = await fakeDriver();
    const tc = createTestCard();
    const card = new VpcdCard(tc.card, { port: drv.port });
    const power: string[] = [];
    card.on('power', (p) => power.push(p));
    await card.insert();
    await drv.connected;
    expect(card.inserted).toBe(true);
    expect(await drv.send(Uint8Array.of(0x04))).toEqual(CONTACTLESS_ATR);
    await drv.send(Uint8Array.of(0x01), false);
    await drv.send(Uint8Array.of(0x02), false);
    await drv.send(Uint8Array.of(0x00), false);
    const [a, b] = await Promise.all([
      drv.send(Uint8Array.of(0x00, 0x84, 0x00, 0x00, 0x08)),
      drv.send(Uint8Array.of(0x00, 0xca, 0x00, 0x00, 0x00)),
    ]);
    expect(a!.length).toBe(10);
    expect(hex(b!)).toBe('6D00');
    expect(power).toEqual(['on', 'reset', 'off']);
    await card.remove();
    await drv.disconnected;
    expect(card.inserted).toBe(false);
  });

  it('answers 6F00 when the card function throws', async () => {
    const drv = await fakeDriver();
    const card = new VpcdCard(
      async () => {
        throw new Error('card crashed');
      },
      { port: drv.port },
    );
    await card.insert();
    await drv.connected;
    expect(hex((await drv.send(Uint8Array.of(0x00, 0xa4, 0x00, 0x00)))!)).toBe('6F00');
    await card.remove();
  });

  it('rejects insert() when nothing listens, unless asked to reconnect', async () => {
    const probe = await fakeDriver();
    const port = probe.port;
    await probe.close();
    servers.pop();
    await expect(new VpcdCard(createTestCard().card, { port }).insert()).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });

    const card = new VpcdCard(createTestCard().card, { port, reconnect: true, reconnectDelayMs: 30 });
    const inserted = card.insert();
    await new Promise((r) => setTimeout(r, 120));
    const drv = await fakeDriver(port); // the driver (pcscd) starts later
    await inserted;
    await drv.connected;
    expect(card.inserted).toBe(true);
    // The driver goes away and comes back: the card reconnects by itself.
    await drv.close();
    servers.pop();
    const drv2 = await fakeDriver(port);
    await drv2.connected;
    expect(hex((await drv2.send(Uint8Array.of(0x04)))!)).toBe(hex(CONTACTLESS_ATR));
    await card.remove();
  });
});
