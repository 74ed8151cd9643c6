/**
 * The chain check of passive authentication, tried as a forger would: a DS that may not sign, an
 * issuer that is not a CA, a CA that may not issue certificates, a foreign CSCA signing for a
 * Vietnamese card, a stale CRL, a same-name CSCA with another key, blocked and pinned issuers; and
 * the genuine cases the issue names: validity at the time of signing (or the date of issue), a DS
 * used outside its private-key usage period (warning), a SOD-only read that must say why.
 */
import { KeyUsageFlags } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { passiveAuthentication, type PassiveAuthInput } from '../../native/icao/passive-auth';
import { TrustStore } from '../../native/icao/trust-store';
import { fingerprint } from '../../native/icao/x509';
import { hex } from '../../native/util/bytes';
import { createCrl, type CertifiedKey } from '../../native/softcard/pki';
import { forgeCertificate, forgePki, forgeSod, groupsOf, skiOf } from './helpers/pki-forge';

const pki = forgePki();
const groups = groupsOf([1, 2, 13]);
const SIGNED = new Date(Date.UTC(2024, 5, 1));

function trusting(...ders: Uint8Array[]): TrustStore {
  const store = new TrustStore();
  for (const der of ders) store.addCertificate(der, 'test');
  return store;
}

function run(
  signer: CertifiedKey,
  store: TrustStore | undefined,
  extra: Partial<PassiveAuthInput> & { signingTime?: Date | null } = {},
) {
  const { signingTime, ...input } = extra;
  const sod = forgeSod({ groups, signer, signingTime: signingTime === undefined ? SIGNED : signingTime }).sod;
  return passiveAuthentication({
    sod,
    dataGroups: groups,
    issuingState: 'VNM',
    ...(store ? { trustStore: store } : {}),
    ...input,
  });
}

function codes(r: { reasons: { code: string }[] }): string[] {
  return r.reasons.map((x) => x.code);
}

function severityOf(r: { reasons: { code: string; severity: string }[] }, code: string): string | undefined {
  return r.reasons.find((x) => x.code === code)?.severity;
}

describe('a genuine chain', () => {
  it('passes and reports the issuer for the trust policy', () => {
    const r = run(pki.ds, trusting(pki.csca.der));
    expect(r.chain.outcome).toBe('pass');
    expect(codes(r)).toEqual([]);
    expect(r.chain).toMatchObject({
      csca: 'C=VN, O=CCCD Kiosk Test PKI, CN=CCCD Kiosk Test CSCA',
      issuerCountry: 'VN',
      documentCountry: 'VN',
      issuerId: hex(skiOf(pki.csca)!).toLowerCase(),
      documentSignerFingerprint: fingerprint(pki.ds.der),
      checkedAt: SIGNED,
      checkedAtSource: 'signing_time',
    });
    expect(r.chain.documentSignerDer).toEqual(pki.ds.der);
  });

  it('an issuer without key identifiers is identified by its name', () => {
    const p = forgePki({ csca: { noKeyIds: true }, ds: { noKeyIds: true } });
    const r = run(p.ds, trusting(p.csca.der));
    expect(r.chain.outcome).toBe('pass');
    expect(r.chain.issuerId).toMatch(/^name:[0-9a-f]{40}$/);
  });
});

describe('certificate checks (issue 9 item 7)', () => {
  it('a DS whose keyUsage lacks digitalSignature is proven bad', () => {
    const p = forgePki({ ds: { keyUsage: KeyUsageFlags.keyEncipherment } });
    const r = run(p.ds, trusting(p.csca.der));
    expect(r.signature.outcome).toBe('pass');
    expect(r.chain.outcome).toBe('fail');
    expect(codes(r)).toEqual(['ds_key_usage_invalid']);
    expect(severityOf(r, 'ds_key_usage_invalid')).toBe('error');
  });

  it('a DS without a keyUsage extension is accepted', () => {
    const p = forgePki({ ds: { keyUsage: null } });
    expect(run(p.ds, trusting(p.csca.der)).chain.outcome).toBe('pass');
  });

  for (const [label, ca] of [
    ['cA absent from basicConstraints', false],
    ['no basicConstraints at all', 'absent'],
  ] as const) {
    it(`an issuer with ${label} is never an anchor; its DS gives csca_not_ca`, () => {
      const p = forgePki({ csca: { ca, keyUsage: KeyUsageFlags.keyCertSign } });
      const store = trusting(p.csca.der);
      expect(store.anchors).toEqual([]);
      expect(store.documentSigners).toHaveLength(1);
      expect(store.warnings.map((w) => w.reason.code)).toEqual(['certificate_not_ca']);
      const r = run(p.ds, store);
      expect(r.chain.outcome).toBe('fail');
      expect(codes(r)).toEqual(['csca_not_ca']);
    });
  }

  it('a CA whose keyUsage lacks keyCertSign gives csca_not_ca', () => {
    const p = forgePki({ csca: { keyUsage: KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature } });
    const r = run(p.ds, trusting(p.csca.der));
    expect(codes(r)).toEqual(['csca_not_ca']);
  });

  it('a CRL past its nextUpdate is ignored with a warning; a fresh one revokes', () => {
    const store = trusting(pki.csca.der);
    store.addCrlBytes(createCrl(pki.csca, [pki.ds.cert]), 'revoking.crl');
    const later = new Date(Date.UTC(2100, 0, 1)); // the CRL's nextUpdate (a year from now) is long past
    const stale = run(pki.ds, store, { now: later });
    expect(stale.chain.outcome).toBe('pass');
    expect(codes(stale)).toEqual(['crl_expired']);
    expect(severityOf(stale, 'crl_expired')).toBe('warning');
    const fresh = run(pki.ds, store);
    expect(fresh.chain.outcome).toBe('fail');
    expect(codes(fresh)).toEqual(['ds_revoked']);
  });
});

describe('issuer country = document country (issue 9 item 7)', () => {
  const foreign = forgePki({ country: 'FR', cscaName: 'Test CSCA France' });

  it('a foreign CSCA in the store signing a DS for a VNM card → country_mismatch', () => {
    const r = run(foreign.ds, trusting(pki.csca.der, foreign.csca.der));
    expect(r.signature.outcome).toBe('pass');
    expect(r.chain.outcome).toBe('fail');
    expect(codes(r)).toEqual(['country_mismatch']);
    expect(r.chain).toMatchObject({ issuerCountry: 'FR', documentCountry: 'VN' });
  });

  it("a DS naming VN as its issuer's country but signed by the FR CSCA key → country_mismatch", () => {
    const vnNamed = forgeCertificate({
      subject: { C: 'VN', CN: 'Fake VN DS' },
      // The VN CSCA's name as issuer, signed with the FR CSCA's key, its key identifier as AKI.
      issuer: { ...foreign.csca, cert: pki.csca.cert },
      aki: skiOf(foreign.csca),
    });
    const r = run(vnNamed, trusting(pki.csca.der, foreign.csca.der));
    expect(r.chain.outcome).toBe('fail');
    expect(codes(r)).toEqual(['country_mismatch']);
  });

  it("the MRZ code 'D' is Germany", () => {
    const de = forgePki({ country: 'DE', cscaName: 'Test CSCA Germany' });
    const r = run(de.ds, trusting(de.csca.der), { issuingState: 'D<<' });
    expect(r.chain.outcome).toBe('pass');
    expect(r.chain.documentCountry).toBe('DE');
  });

  it('an issuing state that is no country → country_mismatch', () => {
    expect(codes(run(pki.ds, trusting(pki.csca.der), { issuingState: 'UTO' }))).toEqual(['country_mismatch']);
  });

  it('without an issuing state the CSCA must still be of the DS issuer country', () => {
    const r = run(foreign.ds, trusting(foreign.csca.der), { issuingState: undefined });
    expect(r.chain.outcome).toBe('pass');
    expect(r.chain.documentCountry).toBeUndefined();
  });
});

describe('the time the chain is checked at (issue 9 item 13)', () => {
  const expiring = forgePki({ ds: { notAfter: new Date(Date.UTC(2023, 0, 1)) } });
  const now = new Date(Date.UTC(2030, 0, 1));

  it('signing time first', () => {
    const r = run(expiring.ds, trusting(expiring.csca.der), {
      signingTime: new Date(Date.UTC(2022, 0, 1)),
      now,
    });
    expect(r.chain.outcome).toBe('pass');
    expect(r.chain.checkedAtSource).toBe('signing_time');
  });

  it('else the date of issue from DG13', () => {
    const r = run(expiring.ds, trusting(expiring.csca.der), {
      signingTime: null,
      dateOfIssue: '2022-03-04',
      now,
    });
    expect(r.chain.outcome).toBe('pass');
    expect(r.chain.checkedAtSource).toBe('date_of_issue');
    expect(r.chain.checkedAt).toEqual(new Date(Date.UTC(2022, 2, 4)));
  });

  it('else, when the DS has expired since, at the last moment it could sign (a warning says so)', () => {
    const r = run(expiring.ds, trusting(expiring.csca.der), { signingTime: null, now });
    expect(r.chain.checkedAtSource).toBe('signer_validity');
    expect(r.chain.outcome).toBe('pass');
    expect(codes(r)).toEqual(['signing_time_unknown']);
    expect(severityOf(r, 'signing_time_unknown')).toBe('warning');
  });

  it('else now, while the DS is still valid', () => {
    const p = forgePki();
    const r = run(p.ds, trusting(p.csca.der), { signingTime: null });
    expect(r.chain.checkedAtSource).toBe('now');
    expect(r.chain.outcome).toBe('pass');
  });

  it('a DS expired at signing time is ds_certificate_expired', () => {
    const r = run(expiring.ds, trusting(expiring.csca.der), { signingTime: new Date(Date.UTC(2024, 0, 1)) });
    expect(codes(r)).toEqual(['ds_certificate_expired']);
  });

  it('a DS used outside its private-key usage period is a separate warning', () => {
    const p = forgePki({
      ds: {
        privateKeyUsage: {
          notBefore: new Date(Date.UTC(2020, 0, 1)),
          notAfter: new Date(Date.UTC(2020, 3, 1)),
        },
      },
    });
    const r = run(p.ds, trusting(p.csca.der));
    expect(r.chain.outcome).toBe('pass');
    expect(codes(r)).toEqual(['ds_private_key_usage_outside']);
    expect(severityOf(r, 'ds_private_key_usage_outside')).toBe('warning');
    const inside = run(p.ds, trusting(p.csca.der), { signingTime: new Date(Date.UTC(2020, 1, 1)) });
    expect(codes(inside)).toEqual([]);
  });
});

describe('reasons that say what is wrong (issue 9 item 14)', () => {
  it('a newer CSCA with the same name but another key → issuer_not_recognised, not "signature invalid"', () => {
    const newer = forgePki(); // same names, other key
    const r = run(pki.ds, trusting(newer.csca.der));
    expect(r.chain.outcome).toBe('fail');
    expect(codes(r)).toEqual(['issuer_not_recognised']);
    expect(r.reasons[0]!.en).toContain('issuer key is not in the trust store');
  });

  it('a DS whose key identifier names a trusted CSCA but whose signature fails → ds_certificate_signature_invalid', () => {
    const rogue = forgePki();
    const ds = forgeCertificate({
      subject: { C: 'VN', CN: 'Rogue DS' },
      issuer: rogue.csca,
      aki: skiOf(pki.csca),
    });
    const r = run(ds, trusting(pki.csca.der));
    expect(codes(r)).toEqual(['ds_certificate_signature_invalid']);
  });

  it('same name, no key identifiers, wrong key → issuer_not_recognised', () => {
    const a = forgePki({ csca: { noKeyIds: true }, ds: { noKeyIds: true } });
    const b = forgePki({ csca: { noKeyIds: true }, ds: { noKeyIds: true } });
    expect(codes(run(a.ds, trusting(b.csca.der)))).toEqual(['issuer_not_recognised']);
  });

  it('a SOD-only read with a valid chain still gives a reason', () => {
    const sod = forgeSod({ groups, signer: pki.ds }).sod;
    const r = passiveAuthentication({ sod, dataGroups: new Map(), trustStore: trusting(pki.csca.der) });
    expect(r.chain.outcome).toBe('pass');
    expect(r.hashes.outcome).toBe('not_run');
    expect(codes(r)).toEqual(['dg_none_read']);
  });
});

describe('trust policy (issue 9 item 5 / contract)', () => {
  it('an empty store → trust_store_empty as a warning', () => {
    const r = run(pki.ds, new TrustStore());
    expect(r.chain.outcome).toBe('fail');
    expect(codes(r)).toEqual(['trust_store_empty']);
    expect(severityOf(r, 'trust_store_empty')).toBe('warning');
    expect(codes(run(pki.ds, undefined))).toEqual(['trust_store_empty']);
  });

  it('no issuer configured for the country → csca_not_found (warning)', () => {
    const fr = forgePki({ country: 'FR', cscaName: 'Test CSCA France' });
    const r = run(pki.ds, trusting(fr.csca.der));
    expect(codes(r)).toEqual(['csca_not_found']);
    expect(severityOf(r, 'csca_not_found')).toBe('warning');
  });

  it("the country has a trusted CSCA but not this issuer → issuer_not_recognised (error): the forger's own CSCA", () => {
    const own = forgePki({ cscaName: "Forger's own CSCA" });
    const r = run(own.ds, trusting(pki.csca.der));
    expect(r.signature.outcome).toBe('pass');
    expect(codes(r)).toEqual(['issuer_not_recognised']);
    expect(severityOf(r, 'issuer_not_recognised')).toBe('error');
  });

  it('a pinned issuer passes for an approved DS only; the country then counts as configured', () => {
    const store = new TrustStore();
    const issuerId = hex(skiOf(pki.csca)!);
    store.pinIssuer({ issuerId, country: 'vn', documentSigners: [pki.ds.der] });
    expect([...store.countries()]).toEqual(['VN']);
    const ok = run(pki.ds, store);
    expect(ok.chain.outcome).toBe('pass');
    expect(ok.chain.csca).toBe(`pinned issuer ${issuerId}`);
    const otherDs = forgeCertificate({ subject: { C: 'VN', CN: 'Another DS' }, issuer: pki.csca });
    expect(codes(run(otherDs, store))).toEqual(['issuer_not_recognised']);
    const own = forgePki({ cscaName: "Forger's own CSCA" });
    expect(codes(run(own.ds, store))).toEqual(['issuer_not_recognised']);
  });

  it('a pinned issuer does not vouch for a DS with a bad CSCA signature under a trusted key id', () => {
    const store = trusting(pki.csca.der);
    const rogue = forgePki();
    const ds = forgeCertificate({
      subject: { C: 'VN', CN: 'Rogue DS' },
      issuer: rogue.csca,
      aki: skiOf(pki.csca),
    });
    store.pinIssuer({ issuerId: hex(skiOf(pki.csca)!), country: 'VN', documentSigners: [ds.der] });
    expect(codes(run(ds, store))).toEqual(['ds_certificate_signature_invalid']);
  });

  it('a blocked issuer fails even when it chains to a trusted CSCA', () => {
    const store = trusting(pki.csca.der);
    store.blockIssuer(hex(skiOf(pki.csca)!));
    const r = run(pki.ds, store);
    expect(r.chain.outcome).toBe('fail');
    expect(codes(r)).toEqual(['issuer_blocked']);
    expect(severityOf(r, 'issuer_blocked')).toBe('error');
  });

  it('a block on the CSCA key also stops a DS that names its issuer without a key identifier', () => {
    const store = trusting(pki.csca.der);
    store.blockIssuer(hex(skiOf(pki.csca)!));
    const ds = forgeCertificate({
      subject: { C: 'VN', CN: 'DS without AKI' },
      issuer: pki.csca,
      noKeyIds: true,
    });
    const r = run(ds, store);
    expect(r.chain.issuerId).toMatch(/^name:/);
    expect(codes(r)).toEqual(['issuer_blocked']);
  });

  it('countries() lists the countries of CA anchors only', () => {
    const notCa = forgePki({ country: 'FR', csca: { ca: false } });
    const store = trusting(pki.csca.der, notCa.csca.der);
    expect([...store.countries()]).toEqual(['VN']);
  });
});

describe('a store of many CSCAs', () => {
  it('finds the issuer among 600 anchors by key identifier and name', () => {
    const keys = forgePki().csca;
    const store = new TrustStore();
    for (let i = 0; i < 600; i++) {
      const c = forgeCertificate({
        subject: { C: 'XX', CN: `Filler CSCA ${i}` },
        ca: true,
        keys: { privateKey: keys.privateKey, publicKey: keys.publicKey },
        noKeyIds: i % 2 === 0,
      });
      store.addCertificate(c.der, `filler-${i}`);
    }
    store.addCertificate(pki.csca.der, 'vn');
    expect(store.anchors).toHaveLength(601);
    expect(store.issuersOf(pki.ds.cert).map((a) => a.source)).toEqual(['vn']);
    expect(run(pki.ds, store).chain.outcome).toBe('pass');
  });
});
