/**
 * The chip check-in flow (electron/core/chip-checkin.ts) with real parts: the software CCCD read by the
 * real ICAO stack (in-memory transport), the real check service on a SQLite file, the real audit log.
 * What it proves: QR-then-chip gives ONE chip check (the QR is used up, not logged twice); a QR with no
 * chip read is still checked (not_checked; rejected with "place the card" under require-chip); a failed
 * read logs nothing and the retry works; a foreign QR is refused while the card waits for the right
 * one; a card placed first waits for its QR; a QR that opens a different chip is flagged; the log
 * details carry no personal data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KioskServices } from '../../electron/core/services';
import {
  ChipCheckin,
  chipCheckDetails,
  type ChipCheckinEvent,
  type ChipCheckinOptions,
} from '../../electron/core/chip-checkin';
import { ChipReadError, readChip } from '../../native/chip/read-chip';
import type { CardTransport } from '../../native/transport/types';
import { TrustStore } from '../../native/icao/trust-store';
import { DEFAULT_PERSON, type SoftPerson } from '../../native/softcard/person';
import {
  cccdQrText,
  createSoftCard,
  createSoftPassport,
  type SoftCard,
} from '../../native/softcard/soft-card';
import { rosterCsvFor } from '../support/sim-roster';
import { tempDir } from '../support/tmp';

const by = { station: 'unit', actor: 'examiner-1' };
/** A second fictional holder (male, born 1995). */
const OTHER: SoftPerson = {
  ...DEFAULT_PERSON,
  idNumber: '001095054321',
  fullName: 'Trần Văn Bảo',
  dateOfBirth: '1995-03-02',
  sex: 'M',
  dateOfExpiry: '2035-03-02',
  mrzSurname: 'TRAN',
  mrzGivenNames: 'VAN BAO',
  oldIdNumber: '012399999',
  photoSeed: 4,
};

const dir = tempDir('chip-checkin-');
let n = 0;
const open: KioskServices[] = [];
const flows: ChipCheckin[] = [];

afterEach(() => {
  for (const f of flows.splice(0)) f.close();
  for (const s of open.splice(0)) s.close();
});

/** A fresh database with an open session whose roster holds DEFAULT_PERSON and OTHER. */
async function setup(policy?: { requireChip: boolean; requireTrustedIssuer: boolean }) {
  const services = new KioskServices({ dbPath: path.join(dir, `k${++n}.db`), ...(policy ? { policy } : {}) });
  open.push(services);
  services.sessions.create(
    { code: 'S1', council: 'Hội đồng thử', date: '2026-11-27', licenceClasses: [] },
    by,
  );
  const csv = path.join(dir, `roster${n}.csv`);
  fs.writeFileSync(csv, rosterCsvFor([DEFAULT_PERSON, OTHER]));
  await services.roster.importFile('S1', csv, by);
  return services;
}

function trustFor(card: SoftCard): TrustStore {
  const t = new TrustStore();
  t.addCertificate(card.csca.der, 'test-csca.der');
  return t;
}

function flowFor(services: KioskServices, card: SoftCard, extra: Partial<ChipCheckinOptions> = {}) {
  const events: ChipCheckinEvent[] = [];
  const flow = new ChipCheckin({
    checks: services.checks,
    session: 'S1',
    actor: by,
    trustStore: trustFor(card),
    expectChip: () => true,
    waitForAccessMs: 0,
    ...extra,
  });
  flow.on('event', (e) => events.push(e));
  flows.push(flow);
  return { flow, events };
}

const ctx = { readerId: 'r1', readerName: 'in-memory reader' };

function checks(services: KioskServices) {
  return services.log.list({ order: 'asc' }).filter((e) => e.kind === 'check');
}

/** No personal data of `p` in a logged or emitted value. */
function expectNoPersonalData(value: unknown, p: SoftPerson): void {
  const text = JSON.stringify(value);
  for (const secret of [
    p.idNumber,
    p.idNumber.slice(-6),
    p.fullName,
    p.mrzSurname!,
    p.dateOfBirth,
    p.dateOfBirth.replace(/-/g, '').slice(2),
    p.residence,
    p.oldIdNumber!,
  ]) {
    expect(text).not.toContain(secret);
  }
}

describe('QR then chip', () => {
  it('one chip check: genuine, match, the QR used up (not logged on its own), details without personal data', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow, events } = flowFor(services, card);
    expect(flow.scanQr(card.qrText)).toEqual({ held: true });
    expect(flow.heldQr).toBe(true);
    const progress: string[] = [];
    const r = await flow.readAndCheck(card.transport, { ...ctx, progress: (step) => progress.push(step) });
    expect(r.source).toBe('chip');
    expect(r.record.source).toBe('chip');
    expect(r.record.identity.verdict).toBe('match');
    expect(r.record.authenticity.verdict).toBe('genuine');
    expect(r.record.outcome).toBe('accepted');
    expect(r.record.candidate?.candidateNo).toBe('001');
    expect(progress).toEqual(expect.arrayContaining(['PACE', 'DG13', 'DG2', 'chip-auth', 'passive-auth']));
    expect(flow.heldQr).toBe(false);

    const logged = checks(services);
    expect(logged).toHaveLength(1);
    const e = logged[0]!;
    expect(e.source).toBe('chip');
    expect(e.identityVerdict).toBe('match');
    expect(e.authenticityVerdict).toBe('genuine');
    expect(e.details).toMatchObject({
      entry: 'chip',
      reader: 'in-memory reader',
      accessProtocol: 'PACE',
      accessFrom: 'qr',
      chipAuth: 'pass',
      activeAuth: 'pass',
      qrMatchesChip: true,
      authenticityChecks: {
        hashes: 'pass',
        signature: 'pass',
        chain: 'pass',
        activeAuth: 'pass',
        chipAuth: 'pass',
      },
    });
    expect(e.details.dataGroupsRead).toEqual(
      expect.arrayContaining(['DG1', 'DG2', 'DG13', 'DG14', 'DG15', 'EF.SOD']),
    );
    expect((e.details.apdus as number) > 10).toBe(true);
    expect((e.details.trace as { statusWords: Record<string, number> }).statusWords['9000']).toBeGreaterThan(
      10,
    );
    expectNoPersonalData(e.details, card.person);
    expect(services.log.verify().ok).toBe(true);

    // Events: held, progress, checked; nothing failed.
    const types = events.map((x) => x.type);
    expect(types[0]).toBe('qr-held');
    expect(types).toContain('progress');
    expect(types.at(-1)).toBe('checked');
    expect(types).not.toContain('failed');
    // The QR's timer was cleared with it: nothing more is logged later.
    await new Promise((res) => setTimeout(res, 50));
    expect(checks(services)).toHaveLength(1);
  });

  it('a typed CAN opens the chip as well (accessFrom can)', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow } = flowFor(services, card);
    flow.provideAccess({ can: card.can });
    const r = await flow.readAndCheck(card.transport, ctx);
    expect(r.details).toMatchObject({ accessFrom: 'can', accessProtocol: 'PACE' });
    expect(r.record.identity.verdict).toBe('match');
  });

  it('a second chip check of the same candidate says already_checked_in', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow } = flowFor(services, card);
    flow.scanQr(card.qrText);
    await flow.readAndCheck(card.transport, ctx);
    flow.scanQr(card.qrText);
    const again = await flow.readAndCheck(card.transport, ctx);
    expect(again.record.identity.verdict).toBe('already_checked_in');
    expect(again.record.outcome).toBe('rejected');
  });
});

describe('QR with no chip read', () => {
  it('is checked on its own when its time runs out: not_checked, accepted with a warning', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow, events } = flowFor(services, card, { accessTtlMs: 150 });
    flow.scanQr(card.qrText);
    expect(checks(services)).toHaveLength(0);
    await new Promise((res) => setTimeout(res, 400));
    const logged = checks(services);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.source).toBe('qr');
    expect(logged[0]!.authenticityVerdict).toBe('not_checked');
    expect(logged[0]!.outcome).toBe('accepted_with_warnings');
    expect(logged[0]!.reasons.map((x) => x.code)).toContain('chip_not_checked');
    const checked = events.find((x) => x.type === 'checked');
    expect(checked).toMatchObject({ type: 'checked', source: 'qr' });
    expect(flow.heldQr).toBe(false);
  });

  it('with "require chip" the verdict is rejected and tells the examiner to place the card', async () => {
    const services = await setup({ requireChip: true, requireTrustedIssuer: false });
    const card = createSoftCard();
    const { flow } = flowFor(services, card, { accessTtlMs: 100 });
    flow.scanQr(card.qrText);
    await new Promise((res) => setTimeout(res, 350));
    const e = checks(services)[0]!;
    expect(e.outcome).toBe('rejected');
    const reason = e.reasons.find((x) => x.code === 'chip_required')!;
    expect(reason.severity).toBe('error');
    expect(reason.vi).toContain('đặt thẻ lên đầu đọc');
    expect(reason.en).toContain('place the card');
  });

  it('is checked at once when no chip reader is ready', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow } = flowFor(services, card, { expectChip: () => false });
    const r = flow.scanQr(card.qrText);
    expect(r.held).toBe(false);
    expect(r.result?.record.source).toBe('qr');
    expect(checks(services)).toHaveLength(1);
  });

  it('a newer QR checks the earlier one alone; the examiner can accept the held QR now', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow } = flowFor(services, card);
    flow.scanQr(card.qrText);
    flow.scanQr(cccdQrText(OTHER));
    let logged = checks(services);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.candidateId).toBe(1);
    const accepted = flow.checkHeldQr();
    expect(accepted?.record.candidate?.candidateNo).toBe('002');
    logged = checks(services);
    expect(logged).toHaveLength(2);
    expect(flow.heldQr).toBe(false);
    expect(flow.checkHeldQr()).toBeUndefined();
  });

  it('an unreadable QR is checked (and logged) at once as invalid card data', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow } = flowFor(services, card);
    const r = flow.scanQr('not a CCCD QR');
    expect(r.held).toBe(false);
    expect(r.result?.record.identity.verdict).toBe('invalid_card_data');
  });
});

describe('failed reads', () => {
  it('a card removed mid-read: bilingual retryable error, nothing logged; the retry checks the card in once', async () => {
    const services = await setup();
    const card = createSoftCard({ faults: ['remove-at:15'] });
    const { flow, events } = flowFor(services, card);
    flow.scanQr(card.qrText);
    const err = await flow.readAndCheck(card.transport, ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ChipReadError);
    expect((err as ChipReadError).code).toBe('card_removed');
    expect((err as ChipReadError).retryable).toBe(true);
    const failed = events.find((x) => x.type === 'failed');
    expect(failed).toMatchObject({
      stage: 'read',
      readerId: 'r1',
      error: { code: 'card_removed', retryable: true },
    });
    expect((failed as { error: { vi: string } }).error.vi).toContain('đặt lại thẻ');
    expect(checks(services)).toHaveLength(0);
    // The QR is still held for the retry.
    expect(flow.heldQr).toBe(true);

    const r = await flow.readAndCheck(card.transport, ctx);
    expect(r.record.authenticity.verdict).toBe('genuine');
    expect(checks(services)).toHaveLength(1);
    expect(services.log.verify().ok).toBe(true);
  });

  it('a foreign QR is refused while the card waits; the right QR then opens it; nothing logged for the refusal', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow, events } = flowFor(services, card, { waitForAccessMs: 10_000 });
    flow.scanQr(cccdQrText(OTHER));
    const reading = flow.readAndCheck(card.transport, ctx);
    // Once the foreign QR is refused and the card waits, scan the card's own QR.
    await new Promise<void>((resolve) => {
      flow.on('waiting-access', () => resolve());
    });
    const refused = events.find((x) => x.type === 'access-refused');
    expect(refused).toMatchObject({ type: 'access-refused', source: 'qr', error: { code: 'wrong_access' } });
    expect((refused as { error: { vi: string; en: string } }).error.en).toContain('do not belong together');
    expect(checks(services)).toHaveLength(0);
    expect(flow.heldQr).toBe(false);
    flow.scanQr(card.qrText);
    const r = await reading;
    expect(r.record.identity.verdict).toBe('match');
    expect(r.record.candidate?.candidateNo).toBe('001');
    expect(checks(services)).toHaveLength(1);
  });

  it('a wrong typed CAN with nothing else: wrong_access, not retryable, nothing logged', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow } = flowFor(services, card);
    flow.provideAccess({ can: '000000' });
    await expect(flow.readAndCheck(card.transport, ctx)).rejects.toMatchObject({
      code: 'wrong_access',
      retryable: false,
    });
    expect(checks(services)).toHaveLength(0);
  });

  it('no access data at all: access_data_missing in both languages', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow } = flowFor(services, card);
    const e = (await flow.readAndCheck(card.transport, ctx).then(
      () => undefined,
      (x: unknown) => x,
    )) as ChipReadError;
    expect(e.code).toBe('access_data_missing');
    expect(e.vi).toContain('mã QR');
    expect(e.en).toContain('QR code');
  });

  it('a closed session: the check fails with the session error, nothing logged', async () => {
    const services = await setup();
    const card = createSoftCard();
    services.sessions.close('S1', by);
    const { flow, events } = flowFor(services, card);
    flow.provideAccess({ can: card.can });
    await expect(flow.readAndCheck(card.transport, ctx)).rejects.toMatchObject({ code: 'session_closed' });
    expect(events.find((x) => x.type === 'failed')).toMatchObject({ stage: 'check' });
    expect(checks(services)).toHaveLength(0);
  });
});

/** The card's transport with the chip's PACE token T_IC corrupted (a chip without the session keys). */
function wrongPaceToken(card: SoftCard): CardTransport {
  return {
    name: 'fake chip',
    limits: card.transport.limits,
    transmit: async (cmd) => {
      const r = await card.transport.transmit(cmd);
      if (cmd[0] === 0x00 && cmd[1] === 0x86 && r[0] === 0x7c && r[2] === 0x86) {
        const out = r.slice();
        out[out.length - 3]! ^= 0x01;
        return out;
      }
      return r;
    },
  };
}

describe('a chip that proves it is not genuine (issue 9 item 4)', () => {
  it('a wrong PACE token: logged as a rejected chip check, altered_or_forged, under the held QR identity', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow, events } = flowFor(services, card);
    flow.scanQr(card.qrText);
    const r = await flow.readAndCheck(wrongPaceToken(card), ctx);
    expect(r.source).toBe('chip');
    expect(r.record.authenticity.verdict).toBe('altered_or_forged');
    expect(r.record.outcome).toBe('rejected');
    expect(r.record.authenticity.reasons.map((x) => x.code)).toContain('pace_token_invalid');
    // The roster match is still shown to the examiner (whose card this claims to be).
    expect(r.record.candidate?.candidateNo).toBe('001');
    const logged = checks(services);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.authenticityVerdict).toBe('altered_or_forged');
    expect(logged[0]!.details).toMatchObject({
      entry: 'chip',
      chipReadError: 'chip_not_genuine',
      reasonCode: 'pace_token_invalid',
      accessFrom: 'qr',
    });
    expectNoPersonalData(logged[0]!.details, card.person);
    expect(events.map((x) => x.type)).not.toContain('failed');
    // The QR was used up by this (forged) card: it is not checked again on its own.
    expect(flow.heldQr).toBe(false);
    await new Promise((res) => setTimeout(res, 30));
    expect(checks(services)).toHaveLength(1);
    expect(services.log.verify().ok).toBe(true);
  });

  it('opened with a typed CAN (no QR identity): logged as an invalid chip check, rejected', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow } = flowFor(services, card);
    flow.provideAccess({ can: card.can });
    const r = await flow.readAndCheck(wrongPaceToken(card), ctx);
    expect(r.record.outcome).toBe('rejected');
    expect(checks(services)).toHaveLength(1);
    expect(checks(services)[0]!.details).toMatchObject({ reasonCode: 'pace_token_invalid' });
  });
});

describe('card first, and mismatches', () => {
  it('a card placed before the QR waits for it', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow, events } = flowFor(services, card, { waitForAccessMs: 10_000 });
    const reading = flow.readAndCheck(card.transport, ctx);
    await new Promise((res) => setTimeout(res, 50));
    expect(events.map((x) => x.type)).toContain('waiting-access');
    flow.scanQr(card.qrText);
    const r = await reading;
    expect(r.record.identity.verdict).toBe('match');
  });

  it('a card that leaves before any access data came is not a failed read: cancelled, no failed event', async () => {
    const services = await setup();
    const card = createSoftCard();
    const { flow, events } = flowFor(services, card, { waitForAccessMs: 10_000 });
    const abort = new AbortController();
    const reading = flow.readAndCheck(card.transport, { ...ctx, signal: abort.signal });
    await new Promise((res) => setTimeout(res, 50));
    abort.abort();
    await expect(reading).rejects.toMatchObject({ code: 'cancelled' });
    expect(events.map((x) => x.type)).toEqual(['waiting-access']);
    expect(checks(services)).toHaveLength(0);
  });

  it('a QR whose CAN opens a chip with a different ID is flagged qr_chip_mismatch and rejected', async () => {
    const services = await setup();
    const card = createSoftCard();
    // Same last 6 digits (so the CAN fits), another province: not this card's QR.
    const forged = cccdQrText({ ...DEFAULT_PERSON, idNumber: '079198012345' });
    const { flow } = flowFor(services, card);
    flow.scanQr(forged);
    const r = await flow.readAndCheck(card.transport, ctx);
    expect(r.details.qrMatchesChip).toBe(false);
    expect(r.record.outcome).toBe('rejected');
    expect(r.record.identity.reasons.map((x) => x.code)).toContain('qr_chip_mismatch');
  });

  it('a QR that does not parse as a whole is still compared with the chip on its ID (forger round 3)', async () => {
    // The CAN (last 6 digits) fits, the rest is broken (sex field): before, such a QR skipped the
    // comparison and the chip of another person checked in green.
    const broken = (idNumber: string): string => {
      const f = cccdQrText({ ...DEFAULT_PERSON, idNumber }).split('|');
      f[4] = 'X';
      return f.join('|');
    };
    const services = await setup();
    const card = createSoftCard();
    const { flow } = flowFor(services, card);
    flow.scanQr(broken('079198012345'));
    const r = await flow.readAndCheck(card.transport, ctx);
    expect(r.details.qrMatchesChip).toBe(false);
    expect(r.record.outcome).toBe('rejected');
    expect(r.record.identity.reasons.map((x) => x.code)).toContain('qr_chip_mismatch');

    // The same damage on this card's own QR: the ID and date of birth agree, the chip decides.
    const services2 = await setup();
    const card2 = createSoftCard();
    const { flow: flow2 } = flowFor(services2, card2);
    flow2.scanQr(broken(DEFAULT_PERSON.idNumber));
    const r2 = await flow2.readAndCheck(card2.transport, ctx);
    expect(r2.details.qrMatchesChip).toBe(true);
    expect(r2.record.identity.reasons.map((x) => x.code)).not.toContain('qr_chip_mismatch');
  });

  it('a non-CCCD passport read with its MRZ is checked and is not genuine', async () => {
    const services = await setup();
    const passport = createSoftPassport();
    const flow = new ChipCheckin({
      checks: services.checks,
      session: 'S1',
      actor: by,
      trustStore: new TrustStore(),
      expectChip: () => true,
      waitForAccessMs: 0,
    });
    flows.push(flow);
    flow.provideAccess({ mrz: passport.mrzText });
    const r = await flow.readAndCheck(passport.transport, ctx);
    expect(r.details).toMatchObject({ accessProtocol: 'BAC', accessFrom: 'mrz' });
    expect(r.record.authenticity.verdict).not.toBe('genuine');
    expect(r.record.identity.verdict).toBe('not_on_roster');
  });
});

describe('chipCheckDetails', () => {
  it('keeps how the read went, never what it read', async () => {
    const card = createSoftCard();
    const r = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
    const d = chipCheckDetails(r, { readerName: 'R', accessFrom: 'qr' });
    expectNoPersonalData(d, card.person);
    expect(JSON.stringify(d)).not.toContain(card.mrzLines[0]!);
    expect(d).toMatchObject({ accessProtocol: 'PACE', apdus: r.apdus, bytesRead: r.bytesRead });
  });
});
