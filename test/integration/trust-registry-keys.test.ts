/**
 * The issuer registry pins the issuer's KEY (recovered from its DS certificates' ECDSA signatures):
 * a rotated DS of the approved issuer passes with no new approval (Vietnam's CSCA curve,
 * brainpoolP512r1 / SHA-512), an RSA issuer pins exactly the chosen DS, and a block follows the
 * issuer's key whatever id the DS carries.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KioskServices } from '../../electron/core/services';
import type { CheckRecord } from '../../electron/core/check-service';
import { fingerprint } from '../../native/icao/x509';
import { createSoftCard } from '../../native/softcard/soft-card';
import {
  createTestPki,
  issueCertificate,
  makeName,
  type CertifiedKey,
  type KeySpec,
} from '../../native/softcard/pki';
import { forgeCertificate } from '../unit/helpers/pki-forge';
import { tempDir } from '../support/tmp';
import { checkCardAtStation } from '../support/trust-station';

const dir = tempDir('registry-keys-');
const by = { station: 'keys-test', actor: 'examiner-1' };
const chair = { station: 'keys-test', actor: 'chutich' };
const open: KioskServices[] = [];
afterAll(() => open.forEach((s) => s.close()));

let n = 0;
function station() {
  const k = ++n;
  const trustDir = path.join(dir, `trust${k}`);
  fs.mkdirSync(trustDir, { recursive: true });
  const services = new KioskServices({ dbPath: path.join(dir, `k${k}.db`), trustStoreDir: trustDir });
  open.push(services);
  return { services, trustDir };
}

const check = (s: ReturnType<typeof station>, signer: CertifiedKey): Promise<CheckRecord> =>
  checkCardAtStation(s, createSoftCard({ build: { faults: { signer } } }), by, dir);

function ds(
  csca: CertifiedKey,
  cn: string,
  spec: KeySpec = { type: 'ec', curve: 'brainpoolP256r1' },
): CertifiedKey {
  return issueCertificate({
    subject: makeName({ C: 'VN', O: 'CCCD Kiosk Test PKI', CN: cn }),
    spec,
    issuer: csca,
    ca: false,
    notBefore: new Date(Date.UTC(2020, 0, 1)),
    notAfter: new Date(Date.UTC(2035, 0, 1)),
    hash: csca.spec.type === 'ec' && csca.spec.curve === 'brainpoolP512r1' ? 'sha512' : 'sha256',
  });
}

describe('issuer registry: key pins', () => {
  it('brainpoolP512r1 CSCA: approval pins its key; a rotated DS passes with no new approval; a forger DS with its id does not', async () => {
    const pki = createTestPki({ csca: { type: 'ec', curve: 'brainpoolP512r1' }, hash: 'sha512' });
    const s = station();
    expect((await check(s, pki.ds)).outcome).toBe('accepted_with_warnings');
    const [issuer] = s.services.trust.list();
    const approved = s.services.trust.approve(issuer!.issuerId, chair);
    expect(approved.pinnedKeys.length).toBeGreaterThan(0);
    expect(approved.country).toBe('VN');
    expect((await check(s, pki.ds)).outcome).toBe('accepted');
    // Rotation: a new DS of the same CSCA, never seen before.
    const rotated = await check(s, ds(pki.csca, 'Document Signer 2027'));
    expect(rotated.authenticity.verdict).toBe('genuine');
    expect(rotated.outcome).toBe('accepted');
    const after = s.services.trust.get(issuer!.issuerId)!;
    expect(after).toMatchObject({
      status: 'approved',
      documentSigners: 2,
      approvedSigners: 2,
      conflict: null,
    });
    // The approval did not change with the sighting.
    expect(after.pinnedKeys).toEqual(approved.pinnedKeys);
    // A forger DS carrying the same issuer id (genuine CSCA certificate, forger's key): red, not recorded.
    const forgerCsca = createTestPki({ csca: { type: 'ec', curve: 'brainpoolP512r1' }, hash: 'sha512' }).csca;
    const forged = await check(
      s,
      ds({ ...pki.csca, privateKey: forgerCsca.privateKey, publicKey: forgerCsca.publicKey }, 'Forged DS'),
    );
    expect(forged.outcome).toBe('rejected');
    expect(forged.authenticity.verdict).not.toBe('genuine');
    expect(s.services.trust.get(issuer!.issuerId)!.documentSigners).toBe(2);
  });

  it('RSA issuer: two DS are a conflict (no key to recover); approval needs --signer and pins that DS only', async () => {
    const pki = createTestPki({ csca: { type: 'rsa', bits: 2048 } });
    const other = ds(pki.csca, 'Second RSA DS', { type: 'rsa', bits: 2048 });
    const s = station();
    await check(s, pki.ds);
    await check(s, other);
    const [issuer] = s.services.trust.list();
    expect(issuer!.conflict).toHaveLength(2);
    expect(() => s.services.trust.approve(issuer!.issuerId, chair)).toThrow(
      expect.objectContaining({ code: 'issuer_conflict' }),
    );
    const r = s.services.trust.approve(issuer!.issuerId, chair, {
      signers: [fingerprint(pki.ds.der).slice(0, 10)],
    });
    expect(r).toMatchObject({ status: 'approved', approvedSigners: 1, pinnedKeys: [] });
    expect((await check(s, pki.ds)).outcome).toBe('accepted');
    expect((await check(s, other)).outcome).toBe('rejected');
  });

  it('a block recorded under a name-only id (DS without AKI) also stops a DS of the same CSCA that has an AKI', async () => {
    const pki = createTestPki();
    const noAki = forgeCertificate({
      subject: { C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'DS without AKI' },
      issuer: pki.csca,
      noKeyIds: true,
    });
    const s = station();
    await check(s, noAki);
    const [issuer] = s.services.trust.list();
    expect(issuer!.issuerId).toMatch(/^name:/);
    s.services.trust.block(issuer!.issuerId, chair);
    const r = await check(s, pki.ds); // AKI id: another registry id, same CSCA key
    expect(r.outcome).toBe('rejected');
    expect(r.identity.reasons.map((x) => `${x.code}:${x.severity}`)).toContain('issuer_blocked:error');
  });
});
