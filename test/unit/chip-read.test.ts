/**
 * The chip-reading pipeline against the software CCCD: a full read through PACE (CAN from the QR)
 * and through BAC, every simulated fault with its own verdict or a clean retryable error, a plain
 * BAC-only passport, stored reads checked offline, and the support trace that never holds data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ChipReadError,
  inspectStoredRead,
  readChip,
  writeStoredRead,
  type ChipProgress,
  type ChipReadResult,
} from '../../native/chip/read-chip';
import { IcaoError } from '../../native/iso7816/sw';
import { TrustStore } from '../../native/icao/trust-store';
import {
  createSoftCard,
  createSoftPassport,
  faultName,
  FAULT_NAMES,
  parseFault,
  type SoftCard,
} from '../../native/softcard/soft-card';
import { DEFAULT_PERSON, facePhotoJpeg, parseSoftPerson } from '../../native/softcard/person';
import { equalBytes } from '../../native/util/bytes';
import { parseCccdQr } from '../../native/cccd/qr';
import type { CardTransport } from '../../native/transport/types';
import { tempDir } from '../support/tmp';

function trustFor(card: { csca: { der: Uint8Array } }): TrustStore {
  const store = new TrustStore();
  store.addCertificate(card.csca.der, 'test-csca.der');
  return store;
}

async function rejection(p: Promise<unknown>): Promise<ChipReadError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ChipReadError);
    return e as ChipReadError;
  }
  throw new Error('expected the read to fail');
}

const TRACE_KEYS = new Set([
  'cla',
  'ins',
  'p1p2',
  'lc',
  'le',
  'extended',
  'responseLength',
  'sw',
  'ms',
  'error',
]);

/** The trace has only headers, lengths, status words and timings: no bytes of the card's data. */
function expectDataFreeTrace(r: ChipReadResult, card: SoftCard): void {
  expect(r.trace.length).toBe(r.apdus);
  for (const e of r.trace) for (const k of Object.keys(e)) expect(TRACE_KEYS.has(k)).toBe(true);
  const text = JSON.stringify(r.trace);
  expect(text).not.toContain(card.person.idNumber);
  expect(text).not.toContain(card.person.idNumber.slice(-6));
  expect(text).not.toContain('Nguy');
}

function expectPersonRead(r: ChipReadResult, card: SoftCard): void {
  const p = card.person;
  expect(r.reading.source).toBe('chip');
  expect(r.reading.idNumber).toBe(p.idNumber);
  expect(r.reading.fullName).toBe(p.fullName.normalize('NFC'));
  expect(r.reading.dateOfBirth).toBe(p.dateOfBirth);
  expect(r.reading.sex).toBe(p.sex);
  expect(r.reading.dateOfIssue).toBe(p.dateOfIssue);
  expect(r.reading.dateOfExpiry).toBe(p.dateOfExpiry);
  expect(r.reading.oldIdNumber).toBe(p.oldIdNumber);
  expect(r.reading.residence).toBe(p.residence);
  expect(r.reading.photo?.mime).toBe('image/jpeg');
  expect(equalBytes(r.reading.photo!.data, facePhotoJpeg(p.photoSeed))).toBe(true);
  expect(r.reading.photo!.data.length).toBeGreaterThan(12_000);
  expect(r.document.source).toBe('DG13');
  expect(r.document.documentNumber).toBe(p.idNumber.slice(3));
  expect(r.document.documentType).toBe('ID');
  expect(r.document.mrz).toEqual(card.mrzLines);
  expect(r.document.fatherName).toBe(p.father);
  expect(r.document.motherName).toBe(p.mother);
  expect(r.document.placeOfOrigin).toBe(p.placeOfOrigin);
}

function expectGenuine(r: ChipReadResult): void {
  expect(r.authenticity.verdict).toBe('genuine');
  expect(r.authenticity.checks).toEqual({
    hashes: 'pass',
    signature: 'pass',
    chain: 'pass',
    activeAuth: 'pass',
    chipAuth: 'pass',
  });
  expect(r.reading.authenticity.verdict).toBe('genuine');
}

describe('full read of the software CCCD', () => {
  it('through PACE with the CAN from the QR: genuine, every field and the JPEG photo', async () => {
    const card = createSoftCard();
    const progress: ChipProgress[] = [];
    const r = await readChip(
      card.transport,
      { qr: card.qrText },
      { trustStore: trustFor(card), onProgress: (p) => progress.push(p) },
    );
    expect(r.access).toBe('PACE');
    expectGenuine(r);
    expectPersonRead(r, card);
    expectDataFreeTrace(r, card);
    expect(r.chipAuth.outcome).toBe('pass');
    expect(r.activeAuth.outcome).toBe('pass');
    const byName = new Map(r.dataGroups.map((g) => [g.name, g]));
    for (const n of ['DG1', 'DG2', 'DG13', 'DG14', 'DG15']) {
      expect(byName.get(n)).toMatchObject({ status: 'read', hashOk: true });
      expect(byName.get(n)!.bytes).toBe(card.files.get(0x0100 + Number(n.slice(2)))!.length);
    }
    expect(byName.get('DG3')?.status).toBe('skipped');
    expect(byName.get('EF.SOD')?.status).toBe('read');
    expect(equalBytes(r.files.get('DG2')!, card.files.get(0x0102)!)).toBe(true);
    expect(r.bytesRead).toBeGreaterThan(16_000);
    // Progress: the steps in order (EF.SOD right after EF.COM: its signed list says what to read),
    // DG2 reported in growing byte counts up to its size.
    const steps = [...new Set(progress.map((p) => p.step))];
    expect(steps).toEqual([
      'EF.CardAccess',
      'PACE',
      'EF.COM',
      'EF.SOD',
      'DG14',
      'chip-auth',
      'DG1',
      'DG13',
      'DG15',
      'active-auth',
      'DG2',
      'passive-auth',
    ]);
    const dg2 = progress.filter((p) => p.step === 'DG2' && p.total > 0);
    const dg2Size = card.files.get(0x0102)!.length;
    expect(dg2.at(-1)).toEqual({ step: 'DG2', done: dg2Size, total: dg2Size });
    expect(dg2.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < dg2.length; i++) expect(dg2[i]!.done).toBeGreaterThanOrEqual(dg2[i - 1]!.done);
  });

  it('through BAC when the chip has no EF.CardAccess: ID and DOB from the QR, expiry found', async () => {
    const card = createSoftCard({ pace: false });
    const r = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
    expect(r.access).toBe('BAC');
    expectGenuine(r);
    expectPersonRead(r, card);
    expectDataFreeTrace(r, card);
    // One BAC: GET CHALLENGE + EXTERNAL AUTHENTICATE, plain; never a SELECT MF.
    expect(r.trace.filter((e) => e.ins === 0x82)).toHaveLength(1);
    expect(r.trace.some((e) => e.ins === 0xa4 && e.p1p2 === 0x000c)).toBe(false);
  });

  it('through BAC from a typed MRZ alone (the terminal told not to use PACE)', async () => {
    const card = createSoftCard();
    const r = await readChip(
      card.transport,
      { mrz: card.mrzLines.join('\n') },
      { trustStore: trustFor(card), pace: false },
    );
    expect(r.access).toBe('BAC');
    expectGenuine(r);
  });

  it('through PACE with a CAN derived from a typed CCCD MRZ', async () => {
    const card = createSoftCard();
    const r = await readChip(card.transport, { mrz: card.mrzLines.join('') }, { trustStore: trustFor(card) });
    expect(r.access).toBe('PACE');
    expectGenuine(r);
  });

  it('BAC tries the expiry candidates in order, with a fresh start after each failure', async () => {
    // Issued at 21: the card ran to the 25th birthday (2025), but without the issue date the most
    // likely expiry today is the 40th birthday, so the first attempt fails.
    const person = parseSoftPerson({
      ...DEFAULT_PERSON,
      idNumber: '079200012345',
      fullName: 'Trần Văn Hùng',
      dateOfBirth: '2000-03-01',
      sex: 'M',
      dateOfIssue: '2021-05-01',
      dateOfExpiry: '2025-03-01',
      mrzSurname: undefined,
      mrzGivenNames: undefined,
    });
    const card = createSoftCard({ person, pace: false });
    const r = await readChip(
      card.transport,
      { idNumber: person.idNumber, dateOfBirth: person.dateOfBirth },
      { trustStore: trustFor(card), today: '2026-11-27' },
    );
    expect(r.access).toBe('BAC');
    expectGenuine(r);
    expect(r.reading.dateOfExpiry).toBe('2025-03-01');
    const ext = r.trace.map((e, i) => ({ ...e, i })).filter((e) => e.ins === 0x82);
    expect(ext.map((e) => e.sw)).toEqual([0x6300, 0x9000]);
    // Between the two attempts the application is selected again (00 A4 04 0C).
    const between = r.trace.slice(ext[0]!.i + 1, ext[1]!.i);
    expect(between.some((e) => e.ins === 0xa4 && e.p1p2 === 0x040c)).toBe(true);
  });

  it('a wrong CAN falls back to BAC with the QR data, and says so', async () => {
    const card = createSoftCard();
    const r = await readChip(
      card.transport,
      { can: '999999', qr: card.qrText },
      { trustStore: trustFor(card) },
    );
    expect(r.access).toBe('BAC');
    expectGenuine(r);
    expect(r.warnings.map((w) => w.code)).toContain('pace_password_refused');
  });

  it('reads through a short-only reader (no extended APDU ever sent)', async () => {
    const card = createSoftCard({
      limits: { extendedLength: false, maxCommandLength: 261, maxResponseLength: 258 },
    });
    const r = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
    expectGenuine(r);
    expect(r.trace.some((e) => e.extended)).toBe(false);
    // 15 KB of DG2 in 223-byte chunks.
    const dg2Reads = r.trace.filter((e) => e.ins === 0xb0).length;
    expect(dg2Reads).toBeGreaterThan(69);
  });

  it('without a trust store the verdict cannot be genuine: unknown issuer', async () => {
    const card = createSoftCard();
    const r = await readChip(card.transport, { qr: card.qrText });
    expect(r.authenticity.verdict).toBe('unknown_issuer');
    expect(r.authenticity.checks.chain).toBe('fail');
    expect(r.authenticity.reasons.map((x) => x.code)).toContain('trust_store_empty');
    expect(r.chipAuth.outcome).toBe('pass');
  });

  it('the reading from the chip matches the reading from the QR', async () => {
    const card = createSoftCard();
    const r = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
    const qr = parseCccdQr(card.qrText);
    if (!qr.ok) throw new Error('QR of the software card does not parse');
    for (const k of ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'dateOfIssue', 'dateOfExpiry'] as const) {
      expect(r.reading[k]).toEqual(qr.reading[k]);
    }
  });
});

describe('every fault gets its own outcome', () => {
  it.each([
    ['altered-dg1', 1],
    ['altered-dg2', 2],
    ['altered-dg13', 13],
  ])('%s: altered_or_forged, naming the group', async (fault, n) => {
    const card = createSoftCard({ faults: [fault] });
    const r = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
    expect(r.authenticity.verdict).toBe('altered_or_forged');
    expect(r.authenticity.checks.hashes).toBe('fail');
    expect(r.authenticity.details.mismatchedGroups).toEqual([n]);
    const mismatch = r.authenticity.reasons.find((x) => x.code === 'dg_hash_mismatch')!;
    expect(mismatch.en).toContain(`DG${n} `);
    expect(mismatch.vi).toContain(`DG${n} `);
    for (const g of r.dataGroups.filter((g) => g.hashOk !== undefined)) {
      expect(g.hashOk).toBe(g.name !== `DG${n}`);
    }
    // Issue 9 item 8: the DG1/DG13 disagreement is an error reason of the verdict, not a note.
    if (n === 13) {
      const m = r.authenticity.reasons.find((x) => x.code === 'dg1_dg13_mismatch');
      expect(m?.severity).toBe('error');
    }
  });

  it('bad-signature: altered_or_forged with the signature failed', async () => {
    const card = createSoftCard({ faults: ['bad-signature'] });
    const r = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
    expect(r.authenticity.verdict).toBe('altered_or_forged');
    expect(r.authenticity.checks.signature).toBe('fail');
    expect(r.authenticity.checks.hashes).toBe('pass');
    expect(r.authenticity.reasons.map((x) => x.code)).toContain('sod_signature_invalid');
  });

  it('unknown-csca: unknown_issuer (not a bad signature)', async () => {
    const card = createSoftCard({ faults: ['unknown-csca'] });
    const r = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
    expect(r.authenticity.verdict).toBe('unknown_issuer');
    expect(r.authenticity.checks).toMatchObject({ hashes: 'pass', signature: 'pass', chain: 'fail' });
  });

  it('clone: AA and CA announced by the SOD both failed → altered_or_forged; the read still completes', async () => {
    const card = createSoftCard({ faults: ['clone'] });
    const r = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
    // Issue 9 item 2: a failed proof the SOD announces is a clone (was signature_valid_chip_unproven).
    expect(r.authenticity.verdict).toBe('altered_or_forged');
    expect(r.authenticity.checks).toEqual({
      hashes: 'pass',
      signature: 'pass',
      chain: 'pass',
      activeAuth: 'fail',
      chipAuth: 'fail',
    });
    const codes = r.authenticity.reasons.map((x) => x.code);
    expect(codes).toContain('active_auth_failed');
    expect(codes).toContain('chip_auth_failed');
    expectPersonRead(r, card);
    // After the failed CA the channel was opened again with PACE (a second MSE:Set AT C1A4).
    expect(r.trace.filter((e) => e.ins === 0x22 && e.p1p2 === 0xc1a4)).toHaveLength(2);
  });

  it('no-sod: altered_or_forged with the no-SOD reason', async () => {
    const card = createSoftCard({ faults: ['no-sod'] });
    const r = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
    expect(r.authenticity.verdict).toBe('altered_or_forged');
    expect(r.authenticity.reasons.map((x) => x.code)).toContain('sod_missing');
    expect(r.dataGroups.find((g) => g.name === 'EF.SOD')?.status).toBe('absent');
    expectPersonRead(r, card);
  });

  it('remove-at:N for several N: a clean retryable error, then a retry reads the card', async () => {
    const total = await (async () => {
      const c = createSoftCard();
      await readChip(c.transport, { qr: c.qrText }, { trustStore: trustFor(c) });
      return c.engine.commandCount;
    })();
    for (const n of [1, 2, 4, 7, 9, 12, 16, 25, total]) {
      const card = createSoftCard({ faults: [`remove-at:${n}`] });
      const err = await rejection(
        readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) }),
      );
      expect(err.code).toBe('card_removed');
      expect(err.retryable).toBe(true);
      expect(err.vi).toMatch(/thẻ/i);
      expect(err.en).toMatch(/card/i);
      expect(card.removals).toBe(1);
      expect(card.engine.commandCount).toBe(n);
      const retry = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
      expectGenuine(retry);
    }
  });

  it.each([['max-read:100'], ['max-read:37'], ['no-extended']])(
    '%s still reads everything',
    async (fault) => {
      const card = createSoftCard({ faults: [fault] });
      const r = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
      expectGenuine(r);
      expectPersonRead(r, card);
      const reads = r.trace.filter((e) => e.ins === 0xb0).length;
      if (fault === 'no-extended') {
        // One extended read refused with 6700, short reads from then on.
        expect(r.trace.filter((e) => e.extended && e.sw === 0x6700)).toHaveLength(1);
        expect(r.trace.filter((e) => e.extended && e.sw === 0x9000)).toHaveLength(0);
      } else {
        const n = Number(fault.split(':')[1]);
        expect(reads).toBeGreaterThan(15308 / n);
      }
    },
  );

  it('slow:MS reads within a generous deadline and times out cleanly under a short one', async () => {
    const card = createSoftCard({ faults: ['slow:3'] });
    const r = await readChip(
      card.transport,
      { qr: card.qrText },
      { trustStore: trustFor(card), timeoutMs: 20_000 },
    );
    expectGenuine(r);
    expect(r.ms).toBeGreaterThanOrEqual(3 * r.apdus);

    const slow = createSoftCard({ faults: ['slow:400'] });
    const t0 = performance.now();
    const err = await rejection(readChip(slow.transport, { qr: slow.qrText }, { timeoutMs: 600 }));
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(err.code).toBe('timeout');
    expect(err.retryable).toBe(true);
  });

  it('an abort signal stops the read with a clean error', async () => {
    const card = createSoftCard({ faults: ['slow:20'] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 60);
    const err = await rejection(readChip(card.transport, { qr: card.qrText }, { signal: ac.signal }));
    expect(err.code).toBe('cancelled');
  });

  it('no fault crashes or hangs, whatever the combination', async () => {
    const faults = [
      'altered-dg1',
      'altered-dg2',
      'altered-dg13',
      'bad-signature',
      'unknown-csca',
      'clone',
      'no-sod',
      'remove-at:10',
      'max-read:64',
      'no-extended',
      'slow:1',
    ];
    for (let i = 0; i < faults.length; i++) {
      const pick = [faults[i]!, faults[(i * 5 + 3) % faults.length]!];
      const card = createSoftCard({ faults: pick });
      try {
        const r = await readChip(
          card.transport,
          { qr: card.qrText },
          { trustStore: trustFor(card), timeoutMs: 20_000 },
        );
        expect(r.authenticity.verdict).not.toBe('not_checked');
        if (pick.some((f) => !/^(max-read|no-extended|slow|remove-at)/.test(f))) {
          expect(r.authenticity.verdict).not.toBe('genuine');
        }
      } catch (e) {
        expect(e).toBeInstanceOf(ChipReadError);
        expect((e as ChipReadError).code).toBe('card_removed');
      }
    }
  });
});

describe('fault names', () => {
  it('parses every documented name and gives it back', () => {
    for (const name of FAULT_NAMES) {
      const text = name.replace(':N', ':12').replace(':MS', ':250');
      expect(faultName(parseFault(text))).toBe(text);
    }
    expect(parseFault('remove-at:3')).toEqual({ kind: 'remove-at', n: 3 });
    expect(parseFault('slow:0')).toEqual({ kind: 'slow', ms: 0 });
  });

  it('rejects unknown names and bad numbers with bilingual errors', () => {
    for (const bad of [
      'altered-dg4',
      'remove',
      'remove-at:0',
      'remove-at:x',
      'max-read:0',
      'slow:-5',
      'clone2',
    ]) {
      let err: unknown;
      try {
        parseFault(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(IcaoError);
      expect((err as IcaoError).vi.length).toBeGreaterThan(10);
      expect((err as IcaoError).en).toContain(bad);
    }
    expect(() => createSoftCard({ faults: ['nope'] })).toThrow(/nope/);
  });

  it('the QR of a card issued from 2024 has 11 fields, before 7', () => {
    const old = createSoftCard();
    expect(old.qrText.split('|')).toHaveLength(7);
    const person = parseSoftPerson({ ...DEFAULT_PERSON, dateOfIssue: '2024-10-04' });
    const card = createSoftCard({ person });
    expect(card.qrText.split('|')).toHaveLength(11);
    expect(card.qrText.endsWith('|04102024||||')).toBe(true);
    expect(parseCccdQr(card.qrText).ok).toBe(true);
  });
});

describe('access problems', () => {
  it('wrong CAN and nothing for BAC: wrong_access, not retryable', async () => {
    const card = createSoftCard();
    const err = await rejection(readChip(card.transport, { can: '123456' }));
    expect(err.code).toBe('wrong_access');
    expect(err.retryable).toBe(false);
    expect(err.vi).toContain('CAN');
  });

  it('a wrong typed MRZ on a BAC-only chip: wrong_access', async () => {
    const card = createSoftCard({ pace: false });
    const lines = [...card.mrzLines];
    lines[1] = lines[1]!.replace(/^\d{6}/, '990101');
    const err = await rejection(readChip(card.transport, { mrz: lines.join('\n') }));
    expect(err.code).toBe('wrong_access');
  });

  it('no access data, or malformed data, are told apart', async () => {
    const card = createSoftCard();
    expect((await rejection(readChip(card.transport, {}))).code).toBe('access_data_missing');
    expect((await rejection(readChip(card.transport, { can: '12ab' }))).code).toBe('access_data_invalid');
    expect((await rejection(readChip(card.transport, { mrz: 'not an mrz' }))).code).toBe(
      'access_data_invalid',
    );
    const qrErr = await rejection(readChip(card.transport, { qr: 'hello' }));
    expect(qrErr.code).toBe('access_data_invalid');
    expect(qrErr.vi).toContain('QR');
    // Nothing was sent to the card for any of these.
    expect(card.engine.commandCount).toBe(0);
  });

  it('a card that is not an eMRTD', async () => {
    const notEmrtd: CardTransport = {
      name: 'bank card',
      limits: { maxCommandLength: 261, maxResponseLength: 258, extendedLength: false },
      transmit: async () => Uint8Array.of(0x6a, 0x82),
    };
    const err = await rejection(readChip(notEmrtd, { idNumber: '001198012345', dateOfBirth: '1998-04-12' }));
    expect(err.code).toBe('not_emrtd');
    expect(err.retryable).toBe(false);
  });

  it('a reader that throws something unexpected still gives a ChipReadError', async () => {
    const broken: CardTransport = {
      name: 'broken',
      limits: { maxCommandLength: 261, maxResponseLength: 258, extendedLength: false },
      transmit: async () => {
        throw new TypeError('boom');
      },
    };
    const err = await rejection(readChip(broken, { can: '012345' }));
    expect(err.code).toBe('chip_error');
  });
});

describe('groups the chip refuses or lacks are reported, not fatal', () => {
  it('DG13 listed in the SOD but refused (6982): the MRZ gives the identity, the card is withheld data → forged', async () => {
    const card = createSoftCard({ engine: { eacProtectedFids: [0x0103, 0x010d] } });
    const r = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
    expect(r.dataGroups.find((g) => g.name === 'DG13')).toMatchObject({ status: 'denied', bytes: 0 });
    expect(r.document.source).toBe('DG1');
    expect(r.reading.idNumber).toBe(card.person.idNumber);
    expect(r.reading.fullName).toBe('NGUYEN THI MAI ANH');
    expect(r.reading.dateOfIssue).toBeUndefined();
    // Issue 9 item 2: only DG3/DG4 may be refused (EAC); any other group the SOD signs must be given.
    expect(r.authenticity.verdict).toBe('altered_or_forged');
    expect(r.authenticity.reasons.filter((x) => x.code === 'dg_withheld')).toHaveLength(1);
    expect(r.authenticity.reasons.find((x) => x.code === 'dg_withheld')?.en).toContain('DG13');
    // DG3 (EAC) is never selected and never "withheld".
    expect(r.dataGroups.find((g) => g.name === 'DG3')?.status).toBe('skipped');
  });

  it('a CCCD-like eMRTD without DG13 (its SOD does not list it), over BAC from the typed MRZ', async () => {
    // EF.COM still names DG13: it is unsigned, so the kiosk does not even select it.
    const card = createSoftCard({ pace: false, build: { faults: { omitFromSod: [13] } } });
    card.files.delete(0x010d);
    const r = await readChip(
      card.transport,
      { mrz: card.mrzLines.join('\n') },
      { trustStore: trustFor(card) },
    );
    expect(r.access).toBe('BAC');
    expect(r.dataGroups.find((g) => g.name === 'DG13')?.status).toBe('skipped');
    expect(r.document).toMatchObject({ source: 'DG1', documentType: 'ID', idNumber: card.person.idNumber });
    expect(r.reading.dateOfExpiry).toBe(card.person.dateOfExpiry);
    expectGenuine(r);
  });

  it('the same chip whose SOD still lists the missing DG13: withheld → altered_or_forged', async () => {
    const card = createSoftCard({ pace: false });
    card.files.delete(0x010d);
    const r = await readChip(
      card.transport,
      { mrz: card.mrzLines.join('\n') },
      { trustStore: trustFor(card) },
    );
    expect(r.dataGroups.find((g) => g.name === 'DG13')?.status).toBe('absent');
    expect(r.authenticity.verdict).toBe('altered_or_forged');
    expect(r.authenticity.reasons.map((x) => x.code)).toContain('dg_withheld');
  });

  it('a reader failure keeps its own bilingual message and retryability', async () => {
    const { ReaderError } = await import('../../native/transport/errors');
    const unplugged: CardTransport = {
      name: 'unplugged',
      limits: { maxCommandLength: 261, maxResponseLength: 258, extendedLength: false },
      transmit: async () => {
        throw new ReaderError('reader_gone');
      },
    };
    const err = await rejection(readChip(unplugged, { can: '012345' }));
    expect(err.code).toBe('reader_error');
    expect(err.retryable).toBe(true);
    expect(err.vi).toContain('Đầu đọc');
  });
});

describe('a plain ICAO 9303 passport (BAC, no DG13, no SOD)', () => {
  it('reads with plain READ BINARY; the MRZ gives the identity; never genuine', async () => {
    const passport = createSoftPassport();
    const r = await readChip(passport.transport, { mrz: passport.mrzText });
    expect(r.access).toBe('BAC');
    expect(r.document).toMatchObject({
      source: 'DG1',
      documentType: 'P',
      documentNumber: 'X12345678',
      issuingState: 'UTO',
      fullName: 'ERIKSSON ANNA MARIA',
      dateOfBirth: '1984-08-12',
      dateOfExpiry: '2034-04-15',
      sex: 'F',
      mrzValid: true,
    });
    expect(r.reading.fullName).toBe('ERIKSSON ANNA MARIA');
    expect(r.reading.photo?.mime).toBe('image/jpeg');
    expect(r.authenticity.verdict).not.toBe('genuine');
    expect(r.authenticity.verdict).toBe('altered_or_forged');
    expect(r.authenticity.reasons.map((x) => x.code)).toContain('sod_missing');
    // Without an SOD, EF.COM's list is used (EF.SOD is tried right after EF.COM).
    expect(r.dataGroups.map((g) => [g.name, g.status])).toEqual([
      ['EF.COM', 'read'],
      ['EF.SOD', 'absent'],
      ['DG1', 'read'],
      ['DG2', 'read'],
    ]);
    expect(r.chipAuth.outcome).toBe('not_run');
    expect(r.activeAuth.outcome).toBe('not_run');
    // Plain READ BINARY only: no odd INS, no SFI.
    const reads = r.trace.filter((e) => e.ins === 0xb0 || e.ins === 0xb1);
    expect(reads.every((e) => e.ins === 0xb0 && ((e.p1p2 ?? 0) & 0x8000) === 0)).toBe(true);
  });
});

describe('stored reads checked offline', () => {
  it('a dump of a genuine read: signature valid, chain to the CSCA, chip unproven offline', async () => {
    const card = createSoftCard();
    const live = await readChip(card.transport, { qr: card.qrText }, { trustStore: trustFor(card) });
    const dir = tempDir('chip-dump-');
    const written = await writeStoredRead(dir, live.files);
    expect(written.map((p) => path.basename(p)).sort()).toEqual(
      ['DG1', 'DG13', 'DG14', 'DG15', 'DG2', 'EF.COM', 'EF.CardAccess', 'EF.SOD']
        .map((n) => `${n}.bin`)
        .sort(),
    );
    const withCsca = await inspectStoredRead(dir, trustFor(card));
    expect(withCsca.authenticity.verdict).toBe('signature_valid_chip_unproven');
    expect(withCsca.authenticity.checks).toEqual({
      hashes: 'pass',
      signature: 'pass',
      chain: 'pass',
      activeAuth: 'not_run',
      chipAuth: 'not_run',
    });
    expect(withCsca.document).toEqual(live.document);
    expect(withCsca.reading?.idNumber).toBe(card.person.idNumber);

    const without = await inspectStoredRead(dir);
    expect(without.authenticity.verdict).toBe('unknown_issuer');

    // A byte changed in the stored DG13: altered.
    const dg13 = fs.readFileSync(path.join(dir, 'DG13.bin'));
    dg13[dg13.length - 3]! ^= 0x01;
    fs.writeFileSync(path.join(dir, 'DG13.bin'), dg13);
    const altered = await inspectStoredRead(dir, trustFor(card));
    expect(altered.authenticity.verdict).toBe('altered_or_forged');
    expect(altered.dataGroups.find((g) => g.name === 'DG13')?.hashOk).toBe(false);
  });

  it('an empty or missing folder is a clean error', async () => {
    const dir = tempDir('chip-empty-');
    expect((await rejection(inspectStoredRead(dir))).code).toBe('stored_read_invalid');
    expect((await rejection(inspectStoredRead(path.join(dir, 'nope')))).code).toBe('stored_read_invalid');
  });
});
