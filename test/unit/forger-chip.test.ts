/**
 * Forger review (issue 9): a blank programmable chip with a genuine card's files (a clone) that tries
 * to pass Active Authentication without the chip's private key. The clone here even has the genuine
 * Chip Authentication key, so that only AA decides. Each test asserts the SAFE behaviour.
 */
import { describe, expect, it } from 'vitest';
import { readChip } from '../../native/chip/read-chip';
import { TrustStore } from '../../native/icao/trust-store';
import { buildSoftCard } from '../../native/softcard/lds-builder';
import { CardEngine, engineTransport } from '../../native/softcard/card-engine';

const built = buildSoftCard();

function store(): TrustStore {
  const s = new TrustStore();
  s.addCertificate(built.csca.der, 'csca');
  return s;
}

function clone(signChallenge: (c: Uint8Array) => Promise<Uint8Array>) {
  const engine = new CardEngine({
    files: new Map(built.files),
    mrzInformation: built.mrzInformation,
    can: built.can,
    caKey: built.ca,
    caOid: built.ca.oid,
    signChallenge,
  });
  return engineTransport(engine, { name: 'forger clone' });
}

describe('forger: Active Authentication without the key', () => {
  it('control: the genuine chip is genuine', async () => {
    const t = clone(built.signChallenge!);
    const r = await readChip(t, { can: built.can }, { trustStore: store() });
    expect(r.authenticity.verdict).toBe('genuine');
  });

  it('replaying a genuine AA answer recorded for another challenge is altered_or_forged', async () => {
    const recorded = await built.signChallenge!(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const r = await readChip(
      clone(async () => recorded),
      { can: built.can },
      { trustStore: store() },
    );
    expect(r.activeAuth.outcome).toBe('fail');
    expect(r.authenticity.verdict).toBe('altered_or_forged');
  });

  it('an empty AA answer (9000, no data) is altered_or_forged', async () => {
    const r = await readChip(
      clone(async () => new Uint8Array(0)),
      { can: built.can },
      { trustStore: store() },
    );
    expect(r.authenticity.verdict).toBe('altered_or_forged');
  });

  it('an AA answer of the modulus size made of 0x00 / 0x01 bytes is altered_or_forged', async () => {
    const one = new Uint8Array(128);
    one[127] = 1;
    const r = await readChip(
      clone(async () => one),
      { can: built.can },
      { trustStore: store() },
    );
    expect(r.authenticity.verdict).toBe('altered_or_forged');
  });
});
