/**
 * Forger review, round 2 (issue 9): the issuer registry's blocks and approvals after the key-recovery
 * fixes. The forger controls a DS certificate and a CSCA of its own (their keys, names, key
 * identifiers), and can read every genuine SOD (the genuine issuer DN and AKI are public).
 *
 * Each test asserts the SAFE behaviour; a failing test is a hole (see the round-2 report).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KioskServices } from '../../electron/core/services';
import type { CheckRecord } from '../../electron/core/check-service';
import { issuerIdOf } from '../../electron/core/trust-policy';
import { createSoftCard, type SoftCard } from '../../native/softcard/soft-card';
import { getTestPki, issueCertificate, makeName, type CertifiedKey } from '../../native/softcard/pki';
import { fingerprint } from '../../native/icao/x509';
import { tempDir } from '../support/tmp';
import { checkCardAtStation } from '../support/trust-station';

const dir = tempDir('forger2-registry-');
const by = { station: 'forger2-test', actor: 'examiner-1' };
const chair = { station: 'forger2-test', actor: 'chutich' };
const open: KioskServices[] = [];
afterAll(() => open.forEach((s) => s.close()));

const genuine = getTestPki();
const GENUINE_CSCA_DN = { C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test CSCA' };

/** The forger's own CSCA (own key, own SKI) with the genuine CSCA's subject DN, and a DS under it. */
function forgerDsWithGenuineIssuerName(): CertifiedKey {
  const csca = issueCertificate({
    subject: makeName(GENUINE_CSCA_DN),
    spec: genuine.csca.spec,
    ca: true,
    notBefore: new Date(Date.UTC(2020, 0, 1)),
    notAfter: new Date(Date.UTC(2040, 0, 1)),
  });
  return issueCertificate({
    subject: makeName({ C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test Document Signer' }),
    spec: genuine.ds.spec,
    issuer: csca,
    ca: false,
    notBefore: new Date(Date.UTC(2020, 0, 1)),
    notAfter: new Date(Date.UTC(2035, 0, 1)),
  });
}

let n = 0;
function station(opts: { trustGenuineCsca: boolean }) {
  const k = ++n;
  const trustDir = path.join(dir, `trust${k}`);
  fs.mkdirSync(trustDir, { recursive: true });
  if (opts.trustGenuineCsca) fs.writeFileSync(path.join(trustDir, 'vn-csca.pem'), genuine.csca.pem);
  const services = new KioskServices({ dbPath: path.join(dir, `k${k}.db`), trustStoreDir: trustDir });
  open.push(services);
  return { services, trustDir };
}

/** Reads `card` as the kiosk does (trust folder + registry) and checks it into a fresh session. */
const check = (s: { services: KioskServices; trustDir: string }, card: SoftCard): Promise<CheckRecord> =>
  checkCardAtStation(s, card, by, dir);

const forgedCard = (ds: CertifiedKey): SoftCard => createSoftCard({ build: { faults: { signer: ds } } });
const genuineCard = (): SoftCard => createSoftCard();

describe('forger2: blocks and approvals', () => {
  it('blocking a forger issuer that copied the genuine CSCA NAME does not block the genuine CSCA (trusted anchor)', async () => {
    const s = station({ trustGenuineCsca: true });
    expect((await check(s, genuineCard())).outcome).toBe('accepted');
    const ds = forgerDsWithGenuineIssuerName();
    expect(issuerIdOf(ds.der)).not.toBe(issuerIdOf(genuine.ds.der));
    const forged = await check(s, forgedCard(ds));
    expect(forged.outcome).toBe('rejected');
    // The chair does the natural thing: blocks the forger's issuer shown in the registry.
    const rec = s.services.trust.resolve(issuerIdOf(ds.der));
    s.services.trust.block(rec.issuerId, chair);
    expect((await check(s, forgedCard(ds))).outcome).toBe('rejected');
    // SAFE: genuine cards of the genuine CSCA are still green.
    const after = await check(s, genuineCard());
    expect(after.authenticity.reasons.map((r) => r.code)).not.toContain('issuer_blocked');
    expect(after.outcome).toBe('accepted');
  });

  it('blocking a forger issuer that copied the genuine CSCA NAME does not block the genuine (approved) issuer', async () => {
    const s = station({ trustGenuineCsca: false });
    await check(s, genuineCard());
    s.services.trust.approve(issuerIdOf(genuine.ds.der), chair);
    expect((await check(s, genuineCard())).outcome).toBe('accepted');
    const ds = forgerDsWithGenuineIssuerName();
    await check(s, forgedCard(ds));
    s.services.trust.block(s.services.trust.resolve(issuerIdOf(ds.der)).issuerId, chair);
    const after = await check(s, genuineCard());
    expect(after.outcome).toBe('accepted');
  });

  it('--signer naming DS certificates of two different groups is refused (no mixed pin)', async () => {
    const s = station({ trustGenuineCsca: false });
    await check(s, genuineCard());
    const forgerCsca = issueCertificate({
      subject: makeName(GENUINE_CSCA_DN),
      spec: genuine.csca.spec,
      ca: true,
      notBefore: new Date(Date.UTC(2020, 0, 1)),
      notAfter: new Date(Date.UTC(2040, 0, 1)),
    });
    // Genuine AKI on the forger's DS (copied), signed by the forger's key.
    forgerCsca.cert.tbsCertificate.extensions = genuine.csca.cert.tbsCertificate.extensions;
    const ds = issueCertificate({
      subject: makeName({ C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test Document Signer' }),
      spec: genuine.ds.spec,
      issuer: forgerCsca,
      ca: false,
      notBefore: new Date(Date.UTC(2020, 0, 1)),
      notAfter: new Date(Date.UTC(2035, 0, 1)),
    });
    await check(s, forgedCard(ds));
    const id = issuerIdOf(genuine.ds.der);
    expect(s.services.trust.resolve(id).conflict).toHaveLength(2);
    expect(() =>
      s.services.trust.approve(id, chair, {
        signers: [fingerprint(genuine.ds.der).slice(0, 12), fingerprint(ds.der).slice(0, 12)],
      }),
    ).toThrow(expect.objectContaining({ code: 'issuer_conflict' }));
    s.services.trust.approve(id, chair, { signers: [fingerprint(genuine.ds.der).slice(0, 12)] });
    const forged = await check(s, forgedCard(ds));
    expect(forged.outcome).not.toBe('accepted');
    expect(forged.authenticity.verdict).not.toBe('genuine');
  });
});
