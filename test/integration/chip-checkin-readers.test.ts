/**
 * The chip check-in flow wired to the ReaderManager over real stacks, as the app runs it:
 *   - a QR scanned on a serial scanner (socat pty) is held; the software CCCD put into pcscd's vpcd
 *     reader is then opened with its CAN, read, checked and logged (the manager's reading-progress /
 *     reading-done carry the flow's job);
 *   - a card pulled mid-read (remove-at) is reported as a retryable failure, nothing is logged, and the
 *     card coming back is checked in once;
 *   - a PN532 unplugged and plugged back (pty unplug/replug) and a restarted pcscd are picked up again;
 *   - a QR with no card under "require chip" is logged rejected, telling the examiner to place the card.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KioskServices } from '../../electron/core/services';
import { ChipCheckin, type ChipCheckinEvent, type ChipCheckinResult } from '../../electron/core/chip-checkin';
import { ReaderManager } from '../../native/readers/manager';
import type { ReaderConfig } from '../../native/readers/config';
import type { ManagerEvent } from '../../native/readers/events';
import { TrustStore } from '../../native/icao/trust-store';
import { DEFAULT_PERSON, type SoftPerson } from '../../native/softcard/person';
import { createSoftCard, type SoftCard } from '../../native/softcard/soft-card';
import { hostOnPn532, hostOnVpcd, waitInserted, type SimHost } from '../../native/softcard/sim-hosts';
import { testPcscd, useSocket, type PcscdInstance } from '../support/pcscd';
import { createPtyPair } from '../support/socat';
import { rosterCsvFor } from '../support/sim-roster';
import { tempDir } from '../support/tmp';
import { needsPart } from '../support/system-parts';

const pcsc = needsPart('pcsc', 'chip check-in with real readers (every group: the file starts pcscd)');
const withSocat = needsPart('socat', 'QR scanner then chip reader; PN532 reader');
const both = { skip: pcsc.skip || withSocat.skip };

const by = { station: 'readers-it', actor: 'examiner-1' };
const OTHER: SoftPerson = {
  ...DEFAULT_PERSON,
  idNumber: '001095054321',
  fullName: 'Trần Văn Bảo',
  dateOfBirth: '1995-03-02',
  sex: 'M',
  dateOfExpiry: '2035-03-02',
  mrzSurname: 'TRAN',
  mrzGivenNames: 'VAN BAO',
  photoSeed: 4,
};

const root = tempDir('checkin-readers-');
let pcscd: PcscdInstance;
let services: KioskServices;
let sessions = 0;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  pcscd = await testPcscd();
  useSocket(pcscd);
  await pcscd.start();
  services = new KioskServices({
    dbPath: path.join(root, 'k.db'),
    policy: { requireChip: true, requireTrustedIssuer: false },
  });
}, 60_000);

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

afterAll(async () => {
  services?.close();
  await pcscd?.dispose();
});

/** A new open session with both fictional holders on its roster. */
async function newSession(): Promise<string> {
  const code = `S${++sessions}`;
  services.sessions.create({ code, council: 'Hội đồng thử', date: '2026-11-27', licenceClasses: [] }, by);
  const csv = path.join(root, `${code}.csv`);
  fs.writeFileSync(csv, rosterCsvFor([DEFAULT_PERSON, OTHER]));
  await services.roster.importFile(code, csv, by);
  return code;
}

function trusting(...cards: SoftCard[]): TrustStore {
  const t = new TrustStore();
  cards.forEach((c, i) => t.addCertificate(c.csca.der, `csca-${i}.der`));
  return t;
}

interface Rig {
  flow: ChipCheckin;
  manager: ReaderManager<ChipCheckinResult>;
  events: ChipCheckinEvent[];
  managerEvents: ManagerEvent<ChipCheckinResult>[];
  next<T extends ChipCheckinEvent['type']>(
    type: T,
    timeoutMs?: number,
  ): Promise<Extract<ChipCheckinEvent, { type: T }>>;
}

/** The flow as the app wires it: the manager's card job, the manager's QR scans fed in. */
function rig(session: string, readers: ReaderConfig[], trustStore: TrustStore, accessTtlMs = 60_000): Rig {
  const flow = new ChipCheckin({
    checks: services.checks,
    session: () => session,
    actor: by,
    trustStore,
    accessTtlMs,
    waitForAccessMs: 30_000,
  });
  const manager = new ReaderManager<ChipCheckinResult>({
    readers,
    onCard: flow.cardJob,
    pollIntervalMs: 100,
    cardPollMs: 100,
    backoff: { initialMs: 100, maxMs: 500 },
    pcsc: { socketPath: pcscd.socketPath, pollIntervalMs: 100 },
  });
  const detach = flow.attach(manager);
  const events: ChipCheckinEvent[] = [];
  const managerEvents: ManagerEvent<ChipCheckinResult>[] = [];
  flow.on('event', (e) => events.push(e));
  manager.on('event', (e) => managerEvents.push(e));
  manager.start();
  cleanups.push(async () => {
    detach();
    flow.close();
    await manager.stop();
  });
  let seen = 0;
  return {
    flow,
    manager,
    events,
    managerEvents,
    next(type, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no ${type} event in ${timeoutMs} ms; got ${events.map((e) => e.type).join(', ')}`),
            ),
          timeoutMs,
        );
        const check = (): void => {
          for (let i = seen; i < events.length; i++) {
            if (events[i]!.type === type) {
              seen = i + 1;
              clearTimeout(timer);
              flow.off('event', check);
              resolve(events[i] as Extract<ChipCheckinEvent, { type: typeof type }>);
              return;
            }
          }
        };
        flow.on('event', check);
        check();
      });
    },
  };
}

async function waitStatus(
  m: ReaderManager<unknown>,
  readerId: string,
  status: string,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (m.status().some((s) => s.readerId === readerId && s.status === status)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`reader ${readerId} not ${status}: ${JSON.stringify(m.status())}`);
}

function host(h: SimHost): SimHost {
  cleanups.push(async () => {
    await h.stop();
    // pcscd notices a vpcd card leaving by polling (about every 400 ms): let the next test start clean.
    await new Promise((res) => setTimeout(res, 1000));
  });
  return h;
}

function checksOf(session: string) {
  return services.log.list({ sessionCode: session, order: 'asc' }).filter((e) => e.kind === 'check');
}

describe.skipIf(both.skip)('QR scanner then chip reader (PC/SC)', () => {
  it('the QR from the serial scanner opens the card put on the reader: one chip check, match, genuine', async () => {
    const session = await newSession();
    const card = createSoftCard();
    const pty = await createPtyPair();
    cleanups.push(() => pty.close());
    const r = rig(
      session,
      [
        { kind: 'pcsc', id: 'chip', reader: pcscd.readerNames[0] },
        { kind: 'serial-scanner', id: 'qr', path: pty.a, terminator: 'CR' },
      ],
      trusting(card),
    );
    await waitStatus(r.manager as ReaderManager<unknown>, 'chip', 'ready');
    await waitStatus(r.manager as ReaderManager<unknown>, 'qr', 'ready');
    expect(r.flow.chipExpected()).toBe(true);

    const scanner = new SerialPort({ path: pty.b, baudRate: 9600, autoOpen: false });
    await new Promise<void>((res, rej) => scanner.open((e) => (e ? rej(e) : res())));
    cleanups.push(() => new Promise<void>((res) => (scanner.isOpen ? scanner.close(() => res()) : res())));
    scanner.write(Buffer.from(`${card.qrText}\r`));
    const held = await r.next('qr-held');
    expect(held.expiresAt).toBeGreaterThan(Date.now());
    expect(checksOf(session)).toHaveLength(0);

    host(hostOnVpcd(card, { port: pcscd.ports[0] }));
    const checked = await r.next('checked');
    expect(checked.source).toBe('chip');
    expect(checked.readerId).toBe('chip');
    expect(checked.readerName).toBe(pcscd.readerNames[0]);
    expect(checked.record.identity.verdict).toBe('match');
    expect(checked.record.authenticity.verdict).toBe('genuine');
    expect(checked.record.outcome).toBe('accepted');
    expect(checked.chip?.reading.photo?.mime).toBe('image/jpeg');

    // The manager's own events carry the flow's job: progress, then the outcome with the logged record.
    await new Promise((res) => setTimeout(res, 50));
    const progress = r.managerEvents.filter((e) => e.type === 'reading-progress');
    expect(progress.map((e) => (e as { step: string }).step)).toEqual(
      expect.arrayContaining(['PACE', 'DG2']),
    );
    const done = r.managerEvents.find((e) => e.type === 'reading-done') as Extract<
      ManagerEvent<ChipCheckinResult>,
      { type: 'reading-done' }
    >;
    expect(done.ok).toBe(true);
    expect(done.ok && done.result.record.logId).toBe(checked.record.logId);

    const logged = checksOf(session);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      source: 'chip',
      identityVerdict: 'match',
      authenticityVerdict: 'genuine',
    });
    expect(logged[0]!.details).toMatchObject({
      reader: pcscd.readerNames[0],
      accessFrom: 'qr',
      accessProtocol: 'PACE',
    });
  }, 90_000);

  it('a card pulled mid-read: a retryable failure, nothing logged; the card back on the reader is checked in once', async () => {
    const session = await newSession();
    const card = createSoftCard({ faults: ['remove-at:25'] });
    const r = rig(session, [{ kind: 'pcsc', id: 'chip', reader: pcscd.readerNames[0] }], trusting(card));
    await waitStatus(r.manager as ReaderManager<unknown>, 'chip', 'ready');
    r.flow.scanQr(card.qrText);
    const h = host(hostOnVpcd(card, { port: pcscd.ports[0], reinsertAfterMs: 500 }));
    const failed = await r.next('failed');
    expect(failed).toMatchObject({
      stage: 'read',
      readerId: 'chip',
      error: { code: 'card_removed', retryable: true },
    });
    expect(failed.error.vi).toContain('đặt lại thẻ');
    expect(checksOf(session)).toHaveLength(0);
    expect(h.removals).toBe(1);

    const checked = await r.next('checked');
    expect(checked.source).toBe('chip');
    expect(checked.record.authenticity.verdict).toBe('genuine');
    expect(checked.record.identity.verdict).toBe('match');
    expect(checksOf(session)).toHaveLength(1);
    // `checked` comes from inside the job; the manager reports the job's end right after.
    const end = Date.now() + 5000;
    while (r.managerEvents.filter((e) => e.type === 'reading-done').length < 2 && Date.now() < end) {
      await new Promise((res) => setTimeout(res, 20));
    }
    const outcomes = r.managerEvents
      .filter((e) => e.type === 'reading-done')
      .map((e) => (e as { ok: boolean }).ok);
    expect(outcomes).toEqual([false, true]);
    expect(services.log.verify().ok).toBe(true);
  }, 90_000);

  it('a restarted pcscd is picked up: the card comes back into the reader and is checked in', async () => {
    const session = await newSession();
    const card = createSoftCard({ person: OTHER });
    const r = rig(session, [{ kind: 'pcsc', id: 'chip', reader: pcscd.readerNames[0] }], trusting(card));
    await waitStatus(r.manager as ReaderManager<unknown>, 'chip', 'ready');
    host(hostOnVpcd(card, { port: pcscd.ports[0] }));
    await pcscd.restart();
    r.flow.provideAccess({ can: card.can });
    const checked = await r.next('checked', 45_000);
    expect(checked.record.candidate?.candidateNo).toBe('002');
    expect(checked.record.authenticity.verdict).toBe('genuine');
  }, 90_000);
});

describe.skipIf(both.skip)('PN532 reader', () => {
  it('is picked up again after it is unplugged and plugged back', async () => {
    const session = await newSession();
    const first = createSoftCard();
    const second = createSoftCard({ person: OTHER });
    const pty = await createPtyPair();
    cleanups.push(() => pty.close());
    const r = rig(session, [{ kind: 'pn532', id: 'nfc', path: pty.a }], trusting(first, second));
    let h = host(await hostOnPn532(first, { path: pty.b }));
    // The card is in the field before its QR is scanned: the flow waits for it.
    await r.next('waiting-access');
    r.flow.scanQr(first.qrText);
    const one = await r.next('checked');
    expect(one.record.candidate?.candidateNo).toBe('001');
    expect(one.record.authenticity.verdict).toBe('genuine');
    expect(one.readerName).toBe(`PN532 ${pty.a}`);

    // Unplug: the manager loses the reader and waits for its port.
    await h.stop();
    const gone = new Promise<void>((resolve) => {
      const on = (e: ManagerEvent<ChipCheckinResult>): void => {
        if (e.type === 'reader-status' && e.readerId === 'nfc' && e.status === 'waiting') {
          r.manager.off('event', on);
          resolve();
        }
      };
      r.manager.on('event', on);
    });
    await pty.unplug();
    await gone;
    expect(r.flow.chipExpected()).toBe(false);

    await pty.replug();
    h = host(await hostOnPn532(second, { path: pty.b }));
    await waitInserted(h);
    r.flow.provideAccess({ can: second.can });
    const two = await r.next('checked', 45_000);
    expect(two.record.candidate?.candidateNo).toBe('002');
    expect(two.record.authenticity.verdict).toBe('genuine');
    expect(two.details).toMatchObject({ accessFrom: 'can', accessProtocol: 'PACE' });
    expect(checksOf(session)).toHaveLength(2);
  }, 120_000);
});

describe.skipIf(pcsc.skip)('require chip', () => {
  it('a QR with no card in time is logged rejected, telling the examiner to place the card', async () => {
    const session = await newSession();
    const card = createSoftCard();
    const r = rig(session, [{ kind: 'pcsc', id: 'chip', reader: pcscd.readerNames[1] }], trusting(card), 500);
    await waitStatus(r.manager as ReaderManager<unknown>, 'chip', 'ready');
    expect(r.flow.scanQr(card.qrText).held).toBe(true);
    const checked = await r.next('checked');
    expect(checked.source).toBe('qr');
    expect(checked.record.outcome).toBe('rejected');
    expect(checked.record.authenticity.verdict).toBe('not_checked');
    expect(checked.record.identity.reasons.map((x) => x.code)).toContain('chip_required');
    expect(checksOf(session)).toHaveLength(1);
  }, 60_000);
});
