/**
 * The attack lab matrix (issue 9): the clean card, every attack and every honest interoperability
 * fault of the software CCCD, each checked by the kiosk's real check path (test/support/attack-lab:
 * QR scan held, chip read by the chip check-in flow with the scenario's trust folder, verification,
 * the audit log) over three transports:
 *   memory  the in-memory transport in front of the card engine
 *   PC/SC   pcsc-lite → a private pcscd + vsmartcard vpcd → the card hosted as `kiosk sim card` does
 *   PN532   the PN532 driver → socat pty pair → the PN532 emulator hosted as `kiosk sim pn532` does
 * Attack → `rejected` with its own reason code; honest fault and clean card → `genuine`, `accepted`.
 * The PC/SC and PN532 columns are skipped with a notice when pcscd, the vpcd driver or socat are
 * missing, except under CI=true where a missing tool fails the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscContext } from '../../native/pcsc/pcsc';
import { Pn532Transport, openPn532, type Pn532 } from '../../native/pn532/pn532';
import { hostOnPn532, hostOnVpcd, waitInserted, type SimHost } from '../../native/softcard/sim-hosts';
import type { SoftCard } from '../../native/softcard/soft-card';
import { LAB_ROWS, LabKiosk, judge, labCard, rowName, type LabRow } from '../support/attack-lab';
import { checkPcscdInstalled, testPcscd, useSocket, type PcscdInstance } from '../support/pcscd';
import { checkSocatInstalled, createPtyPair, type PtyPair } from '../support/socat';
import { tempDir } from '../support/tmp';

const CI = process.env.CI === 'true' || process.env.CI === '1';

function missing(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
const pcscMissing = missing(checkPcscdInstalled);
const socatMissing = missing(checkSocatInstalled);
for (const [what, why] of [
  ['PC/SC', pcscMissing],
  ['PN532', socatMissing],
] as const) {
  if (why && !CI) process.stderr.write(`attack lab: the ${what} column is skipped: ${why}\n`);
}

const root = tempDir('attack-lab-');
let kiosk: LabKiosk;

beforeAll(() => {
  kiosk = new LabKiosk(root);
});
afterAll(() => kiosk?.close());

/** One card at a time behind a reader: the hosted "card" forwards to the row's soft card. */
function slot(): {
  card: SoftCard | undefined;
  hosted: { engine: { process(a: Uint8Array): Promise<Uint8Array>; reset(): void } };
} {
  const s: ReturnType<typeof slot> = {
    card: undefined,
    hosted: {
      engine: {
        process: (apdu) => {
          if (!s.card) throw new Error('no card in the slot');
          return s.card.engine.process(apdu);
        },
        reset: () => s.card?.engine.reset(),
      },
    },
  };
  return s;
}

function expectRow(row: LabRow, r: Awaited<ReturnType<LabKiosk['check']>>): void {
  const j = judge(row, r);
  const want = row.kind === 'attack' ? `rejected with ${row.expectedCode} (error)` : 'genuine and accepted';
  expect(j.pass, `${rowName(row)}: want ${want}; got ${j.summary}`).toBe(true);
}

describe('attack lab over the in-memory transport', () => {
  it.each(LAB_ROWS.map((r) => [rowName(r), r] as const))('%s', async (_name, row) => {
    const card = labCard(row);
    expectRow(row, await kiosk.check(card, card.transport, 'memory'));
  });
});

describe.skipIf(!!pcscMissing && !CI)('attack lab over PC/SC (pcscd + vpcd)', () => {
  let pcscd: PcscdInstance;
  let ctx: PcscContext;
  let host: SimHost;
  const s = slot();

  beforeAll(async () => {
    if (pcscMissing) throw new Error(`CI=true and ${pcscMissing}`);
    pcscd = await testPcscd();
    useSocket(pcscd);
    await pcscd.start();
    host = hostOnVpcd(s.hosted, { port: pcscd.ports[0], reinsertAfterMs: -1 });
    await waitInserted(host);
    ctx = new PcscContext({ pollIntervalMs: 100 });
    ctx.start();
    await ctx.waitForCard(pcscd.readerNames[0]);
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    await ctx?.stop();
    await pcscd?.dispose();
  });

  it.each(LAB_ROWS.map((r) => [rowName(r), r] as const))('%s', async (_name, row) => {
    s.card = labCard(row);
    const t = await ctx.connect(pcscd.readerNames[0]);
    try {
      s.card.engine.reset();
      expectRow(row, await kiosk.check(s.card, t, pcscd.readerNames[0]));
    } finally {
      await t.close();
    }
  });
});

describe.skipIf(!!socatMissing && !CI)('attack lab over the PN532 emulator (socat pty)', () => {
  let pty: PtyPair;
  let host: SimHost;
  let dev: Pn532;
  const s = slot();

  beforeAll(async () => {
    if (socatMissing) throw new Error(`CI=true and ${socatMissing}`);
    pty = await createPtyPair();
    host = await hostOnPn532(s.hosted, { path: pty.b, reinsertAfterMs: -1 });
    dev = await openPn532(pty.a);
  }, 30_000);

  afterAll(async () => {
    await dev?.close();
    await host?.stop();
    await pty?.close();
  });

  it.each(LAB_ROWS.map((r) => [rowName(r), r] as const))('%s', async (_name, row) => {
    s.card = labCard(row);
    // Activating the target powers the card up afresh (sim-hosts resets the engine).
    const target = await dev.inListPassiveTarget();
    expect(target?.iso14443_4).toBe(true);
    expectRow(row, await kiosk.check(s.card, new Pn532Transport(dev, target!), 'PN532'));
  });
});
