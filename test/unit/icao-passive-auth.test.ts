/**
 * Passive authentication and the authenticity verdict on software-card files: all checks pass with
 * the CSCA trusted, and every fault gives its own outcome (altered group named, bad signature,
 * untrusted CSCA, injected group, missing SOD, tampered SOD content, expired/forged/revoked DS),
 * for ECDSA brainpool (named and explicit parameters), RSASSA-PSS and RSA PKCS#1 v1.5 SODs.
 */
import { AsnParser } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { verifyAuthenticity } from '../../native/icao/authenticity';
import { FID, dataGroupOfFid } from '../../native/icao/lds';
import { passiveAuthentication } from '../../native/icao/passive-auth';
import { parseSod } from '../../native/icao/sod';
import { TrustStore } from '../../native/icao/trust-store';
import {
  buildSoftCard,
  buildSod,
  type BuiltSoftCard,
  type SoftCardBuildOptions,
} from '../../native/softcard/lds-builder';
import { createCrl, createTestPki, getTestPki, type CertifiedKey } from '../../native/softcard/pki';

/** What a reader gets: every data group it may read (DG3 needs EAC, so it is not read). */
function readGroups(card: BuiltSoftCard): Map<number, Uint8Array> {
  const groups = new Map<number, Uint8Array>();
  for (const [fid, bytes] of card.files) {
    const n = dataGroupOfFid(fid);
    if (n !== undefined && n !== 3) groups.set(n, bytes);
  }
  return groups;
}

function trusting(...ders: Uint8Array[]): TrustStore {
  const store = new TrustStore();
  for (const der of ders) store.addCertificate(der, 'test');
  return store;
}

function check(
  card: BuiltSoftCard,
  store = trusting(card.csca.der),
  activeAuth: 'pass' | 'not_run' = 'pass',
) {
  return verifyAuthenticity({
    sod: card.files.get(FID.sod),
    dataGroups: readGroups(card),
    trustStore: store,
    activeAuth,
  });
}

function codes(r: { reasons: { code: string }[] }): string[] {
  return r.reasons.map((x) => x.code);
}

describe('a genuine software card', () => {
  it('passes every passive check with its CSCA trusted', () => {
    const card = buildSoftCard();
    const passive = passiveAuthentication({
      sod: card.files.get(FID.sod),
      dataGroups: readGroups(card),
      trustStore: trusting(card.csca.der),
    });
    expect(passive.hashes).toEqual({
      outcome: 'pass',
      matched: [1, 2, 13, 14, 15],
      mismatched: [],
      injected: [],
      notRead: [3],
    });
    expect(passive.signature).toEqual({ outcome: 'pass', algorithm: 'ECDSA/sha256' });
    expect(passive.chain.outcome).toBe('pass');
    expect(passive.chain.csca).toBe('C=VN, O=CCCD Kiosk Test PKI, CN=CCCD Kiosk Test CSCA');
    expect(passive.reasons).toEqual([]);
    expect(passive.sod?.hash).toBe('sha256');
    expect(passive.sod?.signer.signingTime).toBeInstanceOf(Date);
  });

  it('is genuine with AA passed, chip-unproven without it', () => {
    const card = buildSoftCard();
    const genuine = check(card);
    expect(genuine.verdict).toBe('genuine');
    expect(genuine.checks).toEqual({
      hashes: 'pass',
      signature: 'pass',
      chain: 'pass',
      activeAuth: 'pass',
      chipAuth: 'not_run',
    });
    const unproven = check(card, trusting(card.csca.der), 'not_run');
    expect(unproven.verdict).toBe('signature_valid_chip_unproven');
    expect(codes(unproven)).toEqual(['chip_proof_unavailable']);
  });

  const variants: Array<[string, SoftCardBuildOptions, string]> = [
    ['RSASSA-PSS', { pkiOptions: { csca: { type: 'rsa', bits: 2048, pss: true } } }, 'RSASSA-PSS/sha256'],
    [
      'RSASSA-PSS with id-RSASSA-PSS keys and SHA-512',
      { pkiOptions: { csca: { type: 'rsa', bits: 2048, pss: true, pssKeyType: true }, hash: 'sha512' } },
      'RSASSA-PSS/sha512',
    ],
    ['RSA PKCS#1 v1.5', { pkiOptions: { csca: { type: 'rsa', bits: 2048 } } }, 'RSA-PKCS1v1.5/sha256'],
    [
      'ECDSA brainpool with explicit-parameter CSCA and DS keys and SHA-384',
      {
        pkiOptions: {
          csca: { type: 'ec', curve: 'brainpoolP384r1', explicitParameters: true },
          hash: 'sha384',
        },
      },
      'ECDSA/sha384',
    ],
    [
      'ECDSA P-256 with an LDS v1 security object',
      { pkiOptions: { csca: { type: 'ec', curve: 'P-256' } }, ldsV1: true },
      'ECDSA/sha256',
    ],
  ];
  for (const [name, options, algorithm] of variants) {
    it(`verifies a ${name} SOD`, () => {
      const card = buildSoftCard(options);
      const r = check(card);
      expect(r.verdict).toBe('genuine');
      expect(r.details.signatureAlgorithm).toBe(algorithm);
    });
  }

  it('reads the LDS v1 version info', () => {
    const sod = parseSod(buildSoftCard({ ldsV1: true }).files.get(FID.sod)!);
    expect(sod.version).toBe(1);
    expect(sod.ldsVersion).toBe('0108');
    expect(sod.unicodeVersion).toBe('040000');
  });
});

describe('faults', () => {
  for (const dg of [1, 2, 13]) {
    it(`DG${dg} altered after signing → altered_or_forged naming DG${dg}`, () => {
      const r = check(buildSoftCard({ faults: { alterAfterSigning: [dg] } }));
      expect(r.verdict).toBe('altered_or_forged');
      expect(r.checks.hashes).toBe('fail');
      expect(r.checks.signature).toBe('pass');
      expect(r.details.mismatchedGroups).toEqual([dg]);
      const reason = r.reasons.find((x) => x.code === 'dg_hash_mismatch')!;
      expect(reason.severity).toBe('error');
      expect(reason.en).toContain(`DG${dg} `);
      expect(reason.vi).toContain(`DG${dg} `);
    });
  }

  it('a bad SOD signature → altered_or_forged', () => {
    const r = check(buildSoftCard({ faults: { badSignature: true } }));
    expect(r.verdict).toBe('altered_or_forged');
    expect(r.checks.hashes).toBe('pass');
    expect(r.checks.signature).toBe('fail');
    expect(codes(r)).toContain('sod_signature_invalid');
  });

  it('a SOD signed under an untrusted CSCA → unknown_issuer', () => {
    const r = check(buildSoftCard({ faults: { untrustedSigner: true } }));
    expect(r.verdict).toBe('unknown_issuer');
    expect(r.checks).toMatchObject({ hashes: 'pass', signature: 'pass', chain: 'fail' });
    // Issue 9 trust policy: Vietnam has a trusted CSCA in this store, so another VN issuer is not
    // recognised (an error), rather than "no CSCA configured" (csca_not_found, a warning).
    expect(codes(r)).toContain('issuer_not_recognised');
  });

  it('a group read but absent from the SOD → injection', () => {
    const r = check(buildSoftCard({ faults: { omitFromSod: [13] } }));
    expect(r.verdict).toBe('altered_or_forged');
    expect(r.details.injectedGroups).toEqual([13]);
    expect(codes(r)).toContain('dg_not_in_sod');
    expect(r.reasons.find((x) => x.code === 'dg_not_in_sod')!.en).toContain('DG13');
  });

  it('no SOD → altered_or_forged', () => {
    const card = buildSoftCard({ faults: { noSod: true } });
    expect(card.files.has(FID.sod)).toBe(false);
    const r = check(card);
    expect(r.verdict).toBe('altered_or_forged');
    expect(r.checks).toMatchObject({ hashes: 'not_run', signature: 'not_run', chain: 'not_run' });
    expect(codes(r)).toEqual(['sod_missing']);
  });

  it('a hash changed inside the signed content breaks the messageDigest and that group', () => {
    const card = buildSoftCard();
    const sod = card.files.get(FID.sod)!.slice();
    const parsed = parseSod(sod);
    const dg1Hash = parsed.dataGroupHashes.get(1)!;
    const at = Buffer.from(sod).indexOf(Buffer.from(dg1Hash));
    expect(at).toBeGreaterThan(0);
    sod[at] = sod[at]! ^ 0xff;
    const r = verifyAuthenticity({
      sod,
      dataGroups: readGroups(card),
      trustStore: trusting(card.csca.der),
      activeAuth: 'pass',
    });
    expect(r.verdict).toBe('altered_or_forged');
    expect(r.details.mismatchedGroups).toEqual([1]);
    expect(r.checks.signature).toBe('fail');
    expect(codes(r)).toContain('sod_message_digest_mismatch');
  });

  it('garbage in EF.SOD → altered_or_forged (sod_malformed)', () => {
    const card = buildSoftCard();
    const sod = card.files.get(FID.sod)!.slice(0, 200);
    const r = verifyAuthenticity({ sod, dataGroups: readGroups(card), trustStore: trusting(card.csca.der) });
    expect(r.verdict).toBe('altered_or_forged');
    expect(codes(r)).toEqual(['sod_malformed']);
  });

  it('an empty trust store → unknown_issuer with its own reason', () => {
    const r = check(buildSoftCard(), new TrustStore());
    expect(r.verdict).toBe('unknown_issuer');
    expect(codes(r)).toEqual(['trust_store_empty']);
  });

  it('a DS certificate whose CSCA signature is forged → altered_or_forged (a chain proven bad)', () => {
    const card = buildSoftCard();
    const ds = card.pki.ds;
    const der = ds.der.slice();
    der[der.length - 3] = der[der.length - 3]! ^ 0x01; // inside the certificate's signature
    const forged: CertifiedKey = { ...ds, der, cert: AsnParser.parse(der, Certificate) };
    const sod = buildSod({ groups: regroup(card), signer: forged });
    const r = verifyAuthenticity({
      sod,
      dataGroups: readGroups(card),
      trustStore: trusting(card.csca.der),
      activeAuth: 'pass',
    });
    expect(r.checks.signature).toBe('pass');
    expect(r.checks.chain).toBe('fail');
    expect(r.verdict).toBe('altered_or_forged');
    expect(codes(r)).toContain('ds_certificate_signature_invalid');
  });

  it("a rogue CSCA with the trusted CSCA's name does not pass the chain", () => {
    const trusted = getTestPki();
    const rogue = createTestPki(); // same names, other keys
    const card = buildSoftCard({ pki: rogue });
    const r = check(card, trusting(trusted.csca.der));
    expect(r.checks.signature).toBe('pass');
    expect(r.checks.chain).toBe('fail');
    expect(r.verdict).toBe('unknown_issuer');
    // Issue 9 item 14: a same-name CSCA with another key means the issuer's key is not in the store.
    expect(codes(r)).toContain('issuer_not_recognised');
  });

  it('a DS certificate expired at signing time → altered_or_forged (proven bad at the signing time)', () => {
    const pki = createTestPki({ dsNotAfter: new Date(Date.UTC(2021, 0, 1)) });
    const card = buildSoftCard({ pki, signingTime: new Date(Date.UTC(2024, 5, 1)) });
    const r = check(card);
    expect(r.verdict).toBe('altered_or_forged');
    expect(codes(r)).toContain('ds_certificate_expired');
    // Signed while the DS was valid: passes even though the check runs later.
    const early = buildSoftCard({ pki, signingTime: new Date(Date.UTC(2020, 5, 1)) });
    expect(check(early).verdict).toBe('genuine');
  });

  it('a DS revoked by a CRL of its CSCA → altered_or_forged; a CRL with a bad signature is ignored', () => {
    const pki = getTestPki();
    const card = buildSoftCard({ pki });
    const store = trusting(card.csca.der);
    store.addCrlBytes(createCrl(pki.csca, [], { corruptSignature: true }), 'bad.crl');
    store.addCrlBytes(createCrl(pki.csca, [pki.ds.cert], { corruptSignature: true }), 'bad-revoking.crl');
    const ignored = check(card, store);
    expect(ignored.verdict).toBe('genuine');
    expect(codes(ignored).filter((c) => c === 'crl_invalid')).toHaveLength(2);
    store.addCrlBytes(createCrl(pki.csca, [pki.ds.cert]), 'good.crl');
    const revoked = check(card, store);
    expect(revoked.verdict).toBe('altered_or_forged');
    expect(codes(revoked)).toContain('ds_revoked');
  });

  it('a SOD without the DS certificate uses a DS from the trust folder', () => {
    const card = buildSoftCard();
    const sod = buildSod({ groups: regroup(card), signer: card.pki.ds, includeCertificate: false });
    const bare = verifyAuthenticity({
      sod,
      dataGroups: readGroups(card),
      trustStore: trusting(card.csca.der),
      activeAuth: 'pass',
    });
    expect(bare.verdict).toBe('not_checked');
    expect(codes(bare)).toContain('ds_certificate_missing');
    const store = trusting(card.csca.der, card.pki.ds.der);
    const withDs = verifyAuthenticity({
      sod,
      dataGroups: readGroups(card),
      trustStore: store,
      activeAuth: 'pass',
    });
    expect(withDs.verdict).toBe('genuine');
  });
});

/** The card's signed groups (DG3 included) for re-signing in a test. */
function regroup(card: BuiltSoftCard): Map<number, Uint8Array> {
  const groups = readGroups(card);
  groups.set(3, card.files.get(0x0103)!);
  return groups;
}
