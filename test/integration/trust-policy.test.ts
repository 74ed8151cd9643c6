/**
 * The trust policy of issue 9 end to end on real parts: a software CCCD read by the real ICAO stack,
 * the real check service and issuer registry on a SQLite file, the real audit log.
 *
 *   empty trust store                           → amber (never worse than a QR-only scan)
 *   a VN CSCA configured, card from another VN issuer → red, issuer_not_recognised
 *   the chair approved (pinned) the issuer       → accepted
 *   once a VN issuer is pinned, another VN issuer → red
 *   the chair blocked the issuer                 → red, issuer_blocked (even under a trusted CSCA)
 *   requireTrustedIssuer                         → red
 * Every chip check records its issuer (counted); every decision is in the hash-chained log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KioskServices } from '../../electron/core/services';
import type { CheckRecord } from '../../electron/core/check-service';
import { issuerIdOf } from '../../electron/core/trust-policy';
import { createSoftCard, type SoftCard } from '../../native/softcard/soft-card';
import { DEFAULT_PERSON } from '../../native/softcard/person';
import { getTestPki } from '../../native/softcard/pki';
import { tempDir } from '../support/tmp';
import { checkCardAtStation } from '../support/trust-station';

const dir = tempDir('trust-policy-');
const by = { station: 'trust-test', actor: 'examiner-1' };
const chair = { station: 'trust-test', actor: 'chutich' };
const open: KioskServices[] = [];
afterAll(() => open.forEach((s) => s.close()));

/** The default VN test PKI (what the soft card uses unless told otherwise). */
const vnCard = (): SoftCard => createSoftCard();
/** Another VN issuer (a second CSCA of the same country, e.g. a forger's own). */
const otherVnCard = (): SoftCard =>
  createSoftCard({
    build: { pkiOptions: { cscaName: 'Other VN CSCA', dsName: 'Other VN Document Signer' } },
  });

let n = 0;
function station(policy?: { requireChip: boolean; requireTrustedIssuer: boolean }) {
  const k = ++n;
  const trustDir = path.join(dir, `trust${k}`);
  fs.mkdirSync(trustDir, { recursive: true });
  const services = new KioskServices({
    dbPath: path.join(dir, `k${k}.db`),
    trustStoreDir: trustDir,
    ...(policy ? { policy } : {}),
  });
  open.push(services);
  return { services, trustDir };
}

/** Reads `card` as the kiosk does (trust folder + registry) and checks it into a fresh session. */
const check = (s: { services: KioskServices; trustDir: string }, card: SoftCard): Promise<CheckRecord> =>
  checkCardAtStation(s, card, by, dir);

const codes = (r: CheckRecord) => r.identity.reasons.map((x) => `${x.code}:${x.severity}`);

describe('trust policy matrix', () => {
  it('a genuine card on a kiosk with an EMPTY trust store is amber, and the examiner is told why', async () => {
    const s = station();
    const r = await check(s, vnCard());
    expect(r.identity.verdict).toBe('match');
    expect(r.authenticity.verdict).toBe('unknown_issuer');
    expect(r.outcome).toBe('accepted_with_warnings');
    const why = r.identity.reasons.find((x) => x.code === 'issuer_unknown')!;
    expect(why.severity).toBe('warning');
    expect(why.vi).toContain('VN');
    expect(why.en).toContain('no trusted issuer is configured');
    expect(r.identity.reasons.some((x) => x.severity === 'error')).toBe(false);
    // The station remembers the issuer, and the chair's banner asks to configure VN.
    const [issuer] = s.services.trust.list();
    expect(issuer).toMatchObject({ country: 'VN', cards: 1, status: 'seen', documentSigners: 1 });
    expect(issuer!.issuerId).toBe(issuerIdOf(getTestPki().ds.der));
    expect(issuer!.issuerId).toMatch(/^[0-9a-f]{40}$/);
    expect(s.services.trust.unconfiguredCountries(s.services.trustCountries.get())).toEqual([
      { country: 'VN', issuers: 1, cards: 1 },
    ]);
  });

  it('the card’s own CSCA trusted → accepted; the issuer is counted on every read', async () => {
    const s = station();
    fs.writeFileSync(path.join(s.trustDir, 'vn-csca.pem'), vnCard().csca.pem);
    const r1 = await check(s, vnCard());
    expect(r1.authenticity.verdict).toBe('genuine');
    expect(r1.outcome).toBe('accepted');
    await check(s, vnCard());
    expect(s.services.trust.list()).toMatchObject([{ country: 'VN', cards: 2 }]);
    expect(s.services.trust.unconfiguredCountries(s.services.trustCountries.get())).toEqual([]);
  });

  it('a VN CSCA configured and a card from another, unknown VN issuer → red issuer_not_recognised', async () => {
    const s = station();
    fs.writeFileSync(path.join(s.trustDir, 'vn-csca.pem'), vnCard().csca.pem);
    const r = await check(s, otherVnCard());
    expect(r.authenticity.verdict).toBe('unknown_issuer');
    expect(r.outcome).toBe('rejected');
    expect(codes(r)).toContain('issuer_not_recognised:error');
  });

  it('an issuer the chair approved (pinned) is accepted; another unknown VN issuer is then red', async () => {
    const s = station();
    const first = await check(s, vnCard());
    expect(first.outcome).toBe('accepted_with_warnings');
    const [issuer] = s.services.trust.list();
    const approved = s.services.trust.approve(issuer!.issuerId, chair);
    expect(approved).toMatchObject({ status: 'approved', statusBy: 'chutich', approvedSigners: 1 });

    const pinned = await check(s, vnCard());
    expect(pinned.outcome).toBe('accepted');
    expect(pinned.identity.reasons.some((x) => x.severity !== 'info')).toBe(false);

    const other = await check(s, otherVnCard());
    expect(other.outcome).toBe('rejected');
    expect(codes(other)).toContain('issuer_not_recognised:error');
    // Both issuers are in the registry; the banner has nothing to ask (VN is configured).
    expect(s.services.trust.list()).toHaveLength(2);
    expect(s.services.trust.unconfiguredCountries(s.services.trustCountries.get())).toEqual([]);
  });

  it('a blocked issuer is red (issuer_blocked), even when its CSCA is trusted; unblock restores it', async () => {
    const s = station();
    fs.writeFileSync(path.join(s.trustDir, 'vn-csca.pem'), vnCard().csca.pem);
    expect((await check(s, vnCard())).outcome).toBe('accepted');
    const [issuer] = s.services.trust.list();
    s.services.trust.block(issuer!.issuerId, chair);
    const blocked = await check(s, vnCard());
    expect(blocked.outcome).toBe('rejected');
    expect(codes(blocked)).toContain('issuer_blocked:error');
    s.services.trust.unblock(issuer!.issuerId, chair);
    expect((await check(s, vnCard())).outcome).toBe('accepted');
  });

  it('a blocked issuer without a trusted CSCA is red too', async () => {
    const s = station();
    await check(s, otherVnCard());
    s.services.trust.block(s.services.trust.list()[0]!.issuerId, chair);
    const r = await check(s, otherVnCard());
    expect(r.outcome).toBe('rejected');
    expect(codes(r)).toContain('issuer_blocked:error');
  });

  it('requireTrustedIssuer makes an unknown issuer red, configured or not', async () => {
    const s = station({ requireChip: false, requireTrustedIssuer: true });
    const empty = await check(s, vnCard());
    expect(empty.outcome).toBe('rejected');
    expect(codes(empty)).toContain('issuer_untrusted:error');
  });

  it('every decision is a trust_changed entry without personal data, and the chain verifies', async () => {
    const s = station();
    await check(s, vnCard());
    const id = s.services.trust.list()[0]!.issuerId;
    s.services.trust.approve(id, chair);
    s.services.trust.block(id, chair);
    s.services.trust.unblock(id, chair);
    const entries = s.services.log.list({ kind: 'trust_changed', order: 'asc' });
    expect(entries.map((e) => e.details.action)).toEqual([
      'issuer_approved',
      'issuer_blocked',
      'issuer_unblocked',
    ]);
    expect(entries.every((e) => e.actor === 'chutich' && e.details.issuerId === id)).toBe(true);
    const text = JSON.stringify(s.services.log.list({}));
    for (const secret of [DEFAULT_PERSON.idNumber, DEFAULT_PERSON.fullName, DEFAULT_PERSON.dateOfBirth])
      expect(text).not.toContain(secret);
    expect(s.services.log.verify().ok).toBe(true);
    expect(() => s.services.trust.approve('not-an-issuer', chair)).toThrow(/issuer/);
  });
});
