/**
 * The application layer with real readers: KioskApi + ReaderHub + the real ReaderManager, a serial QR
 * scanner and a PN532 reader on socat pseudo-terminals, the PN532 emulator holding software CCCDs of
 * fictional candidates, and the real chip-reading pipeline (PACE with the CAN from the QR, CA/AA,
 * passive authentication against a trust folder holding the test CSCA).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { KioskServices } from '../../electron/core/services';
import { KioskApi, type Caller } from '../../electron/app/kiosk-api';
import { QueuedDialogs } from '../../electron/app/bridge-server';
import { ReaderHub } from '../../electron/app/reader-hub';
import type { EventSink } from '../../electron/app/ports';
import type { CheckResultDTO, EventName, ReaderSettingsDTO } from '../../electron/shared/ipc-contract';
import { Pn532Emulator } from '../../native/drivers/pn532/emulator';
import type { SoftCard } from '../../native/softcard/soft-card';
import { createPtyPair, type PtyPair } from '../support/socat';
import { tempDir } from '../support/tmp';
import { rosterLine, softCardOf, softPerson } from '../support/kiosk-soft-cards';
import { needsPart } from '../support/system-parts';

const socat = needsPart('socat', 'KioskApi with the real reader manager');

const SEED = 911;
const SESSION = 'SH-HUB-1';
const dir = tempDir('kiosk-hub-');
const examiner: Caller = { clientId: 'window-1' };

interface Recorded {
  clientId: string | null;
  event: EventName;
  payload: unknown;
}

let services: KioskServices;
let api: KioskApi;
let hub: ReaderHub;
let emu: Pn532Emulator;
let scannerPty: PtyPair;
let pn532Pty: PtyPair;
const events: Recorded[] = [];
const sink: EventSink = {
  emit(clientId, event, payload) {
    events.push({ clientId, event, payload });
  },
};

async function until<T>(what: string, fn: () => T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The next event of a kind after `from` (index into `events`). */
function nextEvent<T>(event: EventName, from: number): Promise<T> {
  return until(event, () => events.slice(from).find((e) => e.event === event)?.payload as T | undefined);
}

async function ok<T>(
  p: Promise<{ ok: boolean; value?: unknown; error?: { code: string; en: string } }>,
): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`${r.error!.code}: ${r.error!.en}`);
  return r.value as T;
}

function insert(card: SoftCard): void {
  card.engine.reset();
  emu.insertCard((apdu) => card.engine.process(apdu));
}

const cards = {
  genuine: softCardOf(0, SEED),
  altered: softCardOf(1, SEED, ['altered-dg13']),
  clone: softCardOf(2, SEED, ['clone']),
  unknownCsca: softCardOf(3, SEED, ['unknown-csca']),
};

beforeAll(async () => {
  scannerPty = await createPtyPair();
  pn532Pty = await createPtyPair();
  emu = await Pn532Emulator.open({ path: pn532Pty.b });

  const trustDir = path.join(dir, 'trust');
  fs.mkdirSync(trustDir);
  fs.writeFileSync(path.join(trustDir, 'csca-test.pem'), cards.genuine.csca.pem);

  services = new KioskServices({ dbPath: path.join(dir, 'kiosk.db') });
  hub = new ReaderHub({ manager: { pollIntervalMs: 100, cardPollMs: 100 } });
  api = new KioskApi({
    services,
    dialogs: new QueuedDialogs(),
    trustStoreDir: trustDir,
    events: sink,
    readers: hub,
  });
  await ok(api.handle('auth.setup', examiner, { username: 'chair1', displayName: 'Chủ tịch', pin: '2468' }));
  await ok(
    api.handle('sessions.create', examiner, { code: SESSION, council: 'Hội đồng thử', date: '2026-11-27' }),
  );
  const csv = path.join(dir, 'roster.csv');
  fs.writeFileSync(
    csv,
    [
      'Số báo danh,Họ và tên,Ngày sinh,Số CCCD,Hạng GPLX,Giới tính',
      ...[0, 1, 2, 3].map((i) => rosterLine(String(i + 1).padStart(6, '0'), softPerson(i, SEED))),
    ].join('\n'),
  );
  services.roster.importRows(
    SESSION,
    [0, 1, 2, 3].map((i) => {
      const p = softPerson(i, SEED);
      return {
        rowNumber: i + 2,
        candidateNo: String(i + 1).padStart(6, '0'),
        fullName: p.fullName,
        dateOfBirth: p.dateOfBirth,
        idNumber: p.idNumber,
        sex: p.sex,
        licenceClass: 'B',
      };
    }),
    { station: 'test', actor: 'test' },
    false,
  );
  const readers: ReaderSettingsDTO = {
    qrWedge: true,
    pcsc: { enabled: false, name: '' },
    pn532Port: pn532Pty.a,
    serialScannerPort: scannerPty.a,
    hidPos: null,
  };
  await ok(api.handle('settings.update', examiner, { readers }));
  await ok(api.handle('checks.setActiveSession', examiner, { sessionCode: SESSION }));
  await until('readers ready', () =>
    hub.status().every((s) => s.state === 'ready') && hub.status().length === 2 ? true : undefined,
  );
}, 60_000);

afterAll(async () => {
  await api?.close();
  services?.close();
  await emu?.close();
  await scannerPty?.close();
  await pn532Pty?.close();
});

describe.skipIf(socat.skip)('KioskApi with the real reader manager', () => {
  it('reports both readers as ready in the reader.status events', () => {
    const last = events.filter((e) => e.event === 'reader.status').at(-1)!.payload as {
      kind: string;
      state: string;
    }[];
    expect(last.map((r) => `${r.kind}:${r.state}`).sort()).toEqual(['pn532:ready', 'serial-scanner:ready']);
  });

  it('a QR from the serial scanner makes the CAN wait for the chip; the genuine card then reads green', async () => {
    const from = events.length;
    fs.writeFileSync(scannerPty.b, cards.genuine.qrText + '\r');
    await nextEvent('scan.awaitingChip', from);
    expect(services.log.list({ kind: 'check' })).toHaveLength(0);
    insert(cards.genuine);
    const result = await nextEvent<CheckResultDTO>('scan.result', from);
    expect(result).toMatchObject({
      outcome: 'accepted',
      identityVerdict: 'match',
      authenticityVerdict: 'genuine',
      entry: 'chip',
      source: 'chip',
    });
    expect(result.reasons.filter((r) => r.severity !== 'info')).toEqual([]);
    expect(result.chipPhoto).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    expect(result.candidate?.fullName).toBe(cards.genuine.person.fullName);
    const progress = events
      .slice(from)
      .filter((e) => e.event === 'reading.progress')
      .map((e) => e.payload as { phase: string; percent?: number });
    expect(progress.map((p) => p.phase)).toEqual(
      expect.arrayContaining(['card_present', 'connecting', 'reading', 'verifying', 'done']),
    );
    const percents = progress.map((p) => p.percent).filter((p): p is number => p !== undefined);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    // The log keeps how the read went, never what was read.
    const entry = services.log.get(result.logId)!;
    expect(entry).toMatchObject({ source: 'chip', authenticityVerdict: 'genuine', actor: 'chair1' });
    expect(entry.details).toMatchObject({
      entry: 'chip',
      chipAuth: 'pass',
      accessProtocol: 'PACE',
      accessFrom: 'qr',
    });
    const text = JSON.stringify(entry);
    expect(text).not.toContain(cards.genuine.person.idNumber);
    expect(text).not.toContain(cards.genuine.person.fullName);
    emu.removeCard();
  });

  it('a card placed first waits for the QR, and a wrong CAN is reported while the card stays', async () => {
    const from = events.length;
    insert(cards.unknownCsca);
    const waiting = await until('waiting for the CAN', () =>
      events
        .slice(from)
        .map((e) => e.payload as { phase?: string; message?: { vi: string } })
        .find((p) => p.phase === 'card_present' && p.message),
    );
    expect(waiting.message!.vi).toContain('Quét mã QR');
    // The genuine card's QR (another person): its CAN does not open this chip.
    const r1 = await ok<{ status: string }>(
      api.handle('checks.qr', examiner, { sessionCode: SESSION, text: cards.genuine.qrText }),
    );
    expect(r1.status).toBe('awaiting_chip');
    const wrong = await nextEvent<{ code: string; vi: string }>('scan.error', from);
    expect(wrong.code).toBe('wrong_access');
    // The right QR: the same card on the reader is read without being lifted.
    const r2 = await ok<{ status: string }>(
      api.handle('checks.qr', examiner, { sessionCode: SESSION, text: cards.unknownCsca.qrText }),
    );
    expect(r2.status).toBe('awaiting_chip');
    const result = await nextEvent<CheckResultDTO>('scan.result', from);
    expect(result).toMatchObject({ identityVerdict: 'match', authenticityVerdict: 'unknown_issuer' });
    // Issue 9: the kiosk trusts a VN CSCA, so another VN issuer it does not know is red (a forger's own
    // CSCA looks exactly like this); only a country with no configured issuer is amber.
    expect(result.reasons.map((r) => r.code)).toContain('issuer_not_recognised');
    expect(result.outcome).toBe('rejected');
    emu.removeCard();
  });

  it('an altered data group is rejected as altered or forged', async () => {
    const from = events.length;
    await ok(api.handle('checks.qr', examiner, { sessionCode: SESSION, text: cards.altered.qrText }));
    insert(cards.altered);
    const result = await nextEvent<CheckResultDTO>('scan.result', from);
    expect(result.authenticityVerdict).toBe('altered_or_forged');
    expect(result.outcome).toBe('rejected');
    expect(result.authenticityChecks.hashes).toBe('fail');
    emu.removeCard();
  });

  it('a cloned chip (copied files, wrong private keys) does not pass as genuine', async () => {
    const from = events.length;
    await ok(api.handle('checks.qr', examiner, { sessionCode: SESSION, text: cards.clone.qrText }));
    insert(cards.clone);
    const result = await nextEvent<CheckResultDTO>('scan.result', from);
    // Issue 9: the SOD announces AA and CA, so a failed proof is a clone: altered or forged.
    expect(result.authenticityVerdict).toBe('altered_or_forged');
    expect(result.authenticityChecks.chipAuth).toBe('fail');
    expect(result.outcome).toBe('rejected');
    emu.removeCard();
  });

  it('"QR only": the examiner may check the waiting QR without the chip', async () => {
    // Not on the roster: a red verdict, but checked from the QR alone.
    const p = softPerson(5, SEED);
    const from = events.length;
    const qr = softCardOf(5, SEED).qrText;
    const r = await ok<{ status: string }>(
      api.handle('checks.qr', examiner, { sessionCode: SESSION, text: qr }),
    );
    expect(r.status).toBe('awaiting_chip');
    const result = await ok<CheckResultDTO>(api.handle('checks.qrOnly', examiner, { sessionCode: SESSION }));
    expect(result).toMatchObject({ entry: 'qr', identityVerdict: 'not_on_roster' });
    expect(result.card?.fullName).toBe(p.fullName);
    const again = await api.handle('checks.qrOnly', examiner, { sessionCode: SESSION });
    expect(!again.ok && again.error.code).toBe('no_pending_qr');
    expect(events.slice(from).some((e) => e.event === 'scan.result')).toBe(false);
  });

  it('without a chip reader the serial scanner QR is checked at once and pushed to the window', async () => {
    await ok(
      api.handle('settings.update', examiner, {
        readers: {
          qrWedge: true,
          pcsc: { enabled: false, name: '' },
          pn532Port: '',
          serialScannerPort: scannerPty.a,
          hidPos: null,
        },
      }),
    );
    await until('scanner ready', () =>
      hub.status().length === 1 && hub.status()[0]!.state === 'ready' ? true : undefined,
    );
    const from = events.length;
    fs.writeFileSync(scannerPty.b, softCardOf(6, SEED).qrText + '\r\n');
    const result = await nextEvent<CheckResultDTO>('scan.result', from);
    expect(result).toMatchObject({ entry: 'qr', identityVerdict: 'not_on_roster', outcome: 'rejected' });
    expect(events.slice(from).find((e) => e.event === 'scan.result')!.clientId).toBe(examiner.clientId);
  });
});
