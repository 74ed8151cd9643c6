/**
 * ECDSA issuer-key recovery from DS certificates (native/icao/key-recovery.ts): the issuer registry
 * pins the key two DS certificates of one CSCA share, not the DS's self-declared key identifier.
 */
import { AsnSerializer } from '@peculiar/asn1-schema';
import { describe, expect, it } from 'vitest';
import { recoverIssuerKeys, spkiHex } from '../../native/icao/key-recovery';
import { createTestPki, generateKey, type CertifiedKey } from '../../native/softcard/pki';
import type { HashName } from '../../native/icao/signature';
import { forgeCertificate, skiOf } from './helpers/pki-forge';

const keyOf = (c: CertifiedKey): string =>
  spkiHex(new Uint8Array(AsnSerializer.serialize(c.cert.tbsCertificate.subjectPublicKeyInfo)));
const keysOf = (der: Uint8Array): string[] => recoverIssuerKeys(der).map((k) => spkiHex(k.spki));
const shared = (a: string[], b: string[]): string[] => a.filter((k) => b.includes(k));

function secondDs(csca: CertifiedKey, hash: HashName): CertifiedKey {
  return forgeCertificate({
    subject: { C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'Document Signer 2' },
    issuer: csca,
    hash,
  });
}

describe('ECDSA issuer-key recovery', () => {
  const cases: Array<{ curve: string; hash: HashName }> = [
    { curve: 'brainpoolP256r1', hash: 'sha256' },
    { curve: 'P-256', hash: 'sha256' },
    { curve: 'brainpoolP384r1', hash: 'sha384' },
    // Vietnam's CSCA: brainpoolP512r1, ecdsa-with-SHA512.
    { curve: 'brainpoolP512r1', hash: 'sha512' },
  ];
  for (const { curve, hash } of cases) {
    it(`${curve}/${hash}: the CSCA key is a candidate, and two DS of the CSCA share exactly that key`, () => {
      const pki = createTestPki({
        csca: { type: 'ec', curve },
        ds: { type: 'ec', curve: 'brainpoolP256r1' },
        hash,
      });
      const a = keysOf(pki.ds.der);
      const b = keysOf(secondDs(pki.csca, hash).der);
      expect(a).toContain(keyOf(pki.csca));
      expect(shared(a, b)).toEqual([keyOf(pki.csca)]);
      expect(recoverIssuerKeys(pki.ds.der).find((k) => spkiHex(k.spki) === keyOf(pki.csca))!.curve).toBe(
        curve,
      );
    });
  }

  it("a forger's DS with the genuine CSCA's name and key identifier shares no key with a genuine DS", () => {
    const pki = createTestPki({ csca: { type: 'ec', curve: 'brainpoolP512r1' }, hash: 'sha512' });
    const forgerKeys = generateKey({ type: 'ec', curve: 'brainpoolP512r1' });
    const forger = forgeCertificate({
      subject: { C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test Document Signer' },
      issuer: { ...pki.csca, privateKey: forgerKeys.privateKey, publicKey: forgerKeys.publicKey },
      aki: skiOf(pki.csca)!,
      hash: 'sha512',
    });
    expect(shared(keysOf(forger.der), keysOf(pki.ds.der))).toEqual([]);
    expect(keysOf(forger.der)).not.toContain(keyOf(pki.csca));
  });

  it('an RSA-signed DS has no recoverable key (the registry pins such DS certificates exactly)', () => {
    const pki = createTestPki({ csca: { type: 'rsa', bits: 2048 } });
    expect(recoverIssuerKeys(pki.ds.der)).toEqual([]);
  });

  it('garbage is not a certificate: no candidates, no exception', () => {
    expect(recoverIssuerKeys(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00))).toEqual([]);
  });
});
