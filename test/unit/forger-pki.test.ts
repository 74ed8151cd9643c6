/**
 * Forger review (issue 9): chain and SOD tricks at the passive-authentication level.
 * Each test asserts the SAFE behaviour; a failing test is a hole (see the report).
 */
import { describe, expect, it } from 'vitest';
import { assessAuthenticity } from '../../native/icao/authenticity';
import { passiveAuthentication, type PassiveAuthInput } from '../../native/icao/passive-auth';
import { TrustStore } from '../../native/icao/trust-store';
import { generateKey } from '../../native/softcard/pki';
import { encode } from '../../native/iso7816/tlv';
import { forgeCertificate, forgePki, forgeSod, groupsOf, skiOf, wrapSod } from './helpers/pki-forge';

const groups = groupsOf([1, 2, 13]);

function trusting(...ders: Uint8Array[]): TrustStore {
  const store = new TrustStore();
  for (const der of ders) store.addCertificate(der, 'test');
  return store;
}

function verdictOf(sod: Uint8Array, store: TrustStore, extra: Partial<PassiveAuthInput> = {}) {
  const passive = passiveAuthentication({
    sod,
    dataGroups: groups,
    issuingState: 'VNM',
    trustStore: store,
    ...extra,
  });
  const report = assessAuthenticity({ passive, stored: true });
  return { passive, report, codes: report.reasons.map((r) => r.code) };
}

describe('forger: link certificates and CSCA re-issues (false accusations)', () => {
  // A CSCA rollover as real master lists have it (136 keys of the German list have several
  // certificates with different validity, e.g. RO 4433CA98…: 2014-09-01..2026-11-28 and
  // 2014-09-01..2029-09-01): the new key K2 is published twice, as a link certificate signed by the
  // old key (validity bounded by the old CSCA) and self-signed (full validity).
  const keys2 = generateKey({ type: 'ec', curve: 'brainpoolP256r1' });
  const oldCsca = forgeCertificate({
    subject: { C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test CSCA' },
    ca: true,
    notBefore: new Date(Date.UTC(2012, 0, 1)),
    notAfter: new Date(Date.UTC(2025, 0, 1)),
  });
  const newSelf = forgeCertificate({
    subject: { C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test CSCA' },
    ca: true,
    keys: keys2,
    notBefore: new Date(Date.UTC(2020, 0, 1)),
    notAfter: new Date(Date.UTC(2040, 0, 1)),
  });
  const link = forgeCertificate({
    subject: { C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test CSCA' },
    issuer: oldCsca,
    ca: true,
    keys: keys2,
    notBefore: new Date(Date.UTC(2020, 0, 1)),
    notAfter: new Date(Date.UTC(2025, 0, 1)),
  });
  const ds = forgeCertificate({
    subject: { C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test Document Signer 2027' },
    issuer: newSelf,
    notBefore: new Date(Date.UTC(2026, 0, 1)),
    notAfter: new Date(Date.UTC(2037, 0, 1)),
  });

  it('sanity: link and self-signed certificate carry the same key identifier', () => {
    expect(Buffer.from(skiOf(link)!).toString('hex')).toBe(Buffer.from(skiOf(newSelf)!).toString('hex'));
  });

  it('a genuine document signed in 2027 under the new key passes when only the self-signed CSCA is trusted', () => {
    const sod = forgeSod({ groups, signer: ds, signingTime: new Date(Date.UTC(2027, 2, 1)) }).sod;
    const r = verdictOf(sod, trusting(newSelf.der));
    expect(r.passive.chain.outcome).toBe('pass');
  });

  it('…and is NOT altered_or_forged when the (expired) link certificate is also trusted and comes first', () => {
    const sod = forgeSod({ groups, signer: ds, signingTime: new Date(Date.UTC(2027, 2, 1)) }).sod;
    // Store order as a master list or a folder gives it: the link certificate first.
    const r = verdictOf(sod, trusting(oldCsca.der, link.der, newSelf.der));
    expect(r.report.verdict).not.toBe('altered_or_forged');
    expect(r.passive.chain.outcome).toBe('pass');
  });

  it('…and the other order passes (control)', () => {
    const sod = forgeSod({ groups, signer: ds, signingTime: new Date(Date.UTC(2027, 2, 1)) }).sod;
    const r = verdictOf(sod, trusting(newSelf.der, link.der, oldCsca.der));
    expect(r.passive.chain.outcome).toBe('pass');
  });
});

describe('forger: SOD and chain tricks that must stay blocked', () => {
  const pki = forgePki();
  const store = trusting(pki.csca.der);

  it("a DS with the trusted CSCA's name and AKI but signed by the forger's key is altered_or_forged", () => {
    const forger = forgeCertificate({ subject: { C: 'VN', CN: 'x' }, ca: true });
    const ds = forgeCertificate({
      subject: { C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test Document Signer' },
      issuer: { ...forger, cert: pki.csca.cert },
      aki: skiOf(pki.csca)!,
    });
    const r = verdictOf(forgeSod({ groups, signer: ds }).sod, store);
    expect(r.report.verdict).toBe('altered_or_forged');
  });

  it('two SignerInfos, the forger first and the genuine DS second: not a signature pass', () => {
    const forger = forgePki({ cscaName: 'Forger' });
    const genuine = forgeSod({ groups, signer: pki.ds });
    const forged = forgeSod({ groups, signer: forger.ds, certificates: [forger.ds.der, pki.ds.der] });
    const sod = wrapSod([
      forged.fields.version,
      forged.fields.digestAlgorithms,
      forged.fields.encap,
      forged.fields.certificates!,
      encode(0x31, [forged.signerInfo, genuine.signerInfo]),
    ]);
    const r = verdictOf(sod, store);
    expect(r.report.verdict).not.toBe('signature_valid_chip_unproven');
    expect(r.passive.chain.outcome).not.toBe('pass');
  });

  it('two SignerInfos, genuine first over another content: not a signature pass', () => {
    const other = groupsOf([1, 2, 13, 14]);
    const genuineOther = forgeSod({ groups: other, signer: pki.ds });
    const forger = forgePki({ cscaName: 'Forger' });
    const forged = forgeSod({ groups, signer: forger.ds, certificates: [pki.ds.der, forger.ds.der] });
    const sod = wrapSod([
      forged.fields.version,
      forged.fields.digestAlgorithms,
      forged.fields.encap,
      forged.fields.certificates!,
      encode(0x31, [genuineOther.signerInfo, forged.signerInfo]),
    ]);
    const r = verdictOf(sod, store);
    expect(r.passive.signature.outcome).not.toBe('pass');
    expect(r.report.verdict).toBe('altered_or_forged');
  });

  it('a SOD without DG1 and a forger DS without country under a VN-configured store is not unknown-issuer amber', () => {
    // Passive-auth level view of forger-country.test.ts: no issuing state, no C in the DS issuer.
    const noC = forgeCertificate({ subject: { O: 'Forger', CN: 'Forger CSCA' }, ca: true });
    const ds = forgeCertificate({ subject: { O: 'Forger', CN: 'Forger DS' }, issuer: noC });
    const passive = passiveAuthentication({
      sod: forgeSod({ groups, signer: ds }).sod,
      dataGroups: groups,
      trustStore: store,
    });
    const codes = passive.reasons.map((r) => `${r.code}:${r.severity}`);
    expect(codes).not.toContain('csca_not_found:warning');
  });
});

describe('forger: blocked issuers', () => {
  it('a block recorded under the name-only issuerId also stops a DS of the same CSCA that carries an AKI', () => {
    const pki = forgePki();
    // The registry saw this CSCA first through a DS without key identifiers: issuerId = name:<hash>.
    const dsNoAki = forgeCertificate({
      subject: { C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'DS without AKI' },
      issuer: pki.csca,
      noKeyIds: true,
    });
    const seen = passiveAuthentication({
      sod: forgeSod({ groups, signer: dsNoAki }).sod,
      dataGroups: groups,
      issuingState: 'VNM',
      trustStore: trusting(pki.csca.der),
    });
    const nameId = seen.chain.issuerId!;
    expect(nameId.startsWith('name:')).toBe(true);
    const store = trusting(pki.csca.der);
    store.blockIssuer(nameId);
    // The same CSCA's other DS (with an AKI) is not blocked.
    const r = verdictOf(forgeSod({ groups, signer: pki.ds }).sod, store);
    expect(r.codes).toContain('issuer_blocked');
  });
});
