/**
 * The trust store: CSCA certificates from a folder (PEM with one or more certificates, DER, in
 * sub-folders), ICAO master lists (signature checked), CRLs, and files that cannot be read (skipped
 * and reported in both languages). A master list is used only when its signer chains to a CSCA
 * already trusted (a certificate file of the folder) or its fingerprint is confirmed (issue 9 item 6).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAuthenticity } from '../../native/icao/authenticity';
import { FID, dataGroupOfFid } from '../../native/icao/lds';
import { loadTrustStore, TrustStore } from '../../native/icao/trust-store';
import { fingerprint } from '../../native/icao/x509';
import { passiveAuthentication } from '../../native/icao/passive-auth';
import { forgeCertificate, forgeListSigner, forgeSod, groupsOf } from './helpers/pki-forge';
import { buildSoftCard } from '../../native/softcard/lds-builder';
import { ICAO_OID } from '../../native/icao/icao-asn1';
import { encode } from '../../native/iso7816/tlv';
import {
  buildSignedData,
  createCrl,
  createMasterList,
  createTestPki,
  getTestPki,
  issueMasterListSigner,
} from '../../native/softcard/pki';
import { tempDir } from '../support/tmp';

const pki = getTestPki();
const pkiB = createTestPki({ cscaName: 'CCCD Kiosk Test CSCA B', csca: { type: 'rsa', bits: 2048 } });
const pkiC = createTestPki({ cscaName: 'CCCD Kiosk Test CSCA C', csca: { type: 'ec', curve: 'P-384' } });

function write(dir: string, name: string, data: Uint8Array | string): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  return p;
}

function codesOf(store: TrustStore): string[] {
  return store.problems.map((p) => p.reason.code).sort();
}

describe('loadTrustStore', () => {
  it('loads PEM, multi-certificate PEM, DER and sub-folders; skips and reports bad files', async () => {
    const dir = tempDir('trust-');
    write(dir, 'csca-a.pem', pki.csca.pem);
    write(dir, 'nested/csca-b.der', pkiB.csca.der);
    write(dir, 'bundle.crt', pkiC.csca.pem + pki.csca.pem); // C plus a duplicate of A
    write(dir, 'ds.cer', pki.ds.der); // a document signer, kept apart from the anchors
    write(dir, 'notes.txt', 'not a certificate, not a trust file');
    write(dir, 'broken.cer', Uint8Array.from([0x30, 0x82, 0x01, 0x00, 1, 2, 3]));
    write(dir, 'empty.pem', '-----BEGIN NOTHING-----\n-----END NOTHING-----\n');
    fs.symlinkSync(path.join(dir, 'missing-target.der'), path.join(dir, 'dangling.der'));
    const store = await loadTrustStore(dir);
    expect(store.anchors.map((a) => a.subject).sort()).toEqual([
      'C=VN, O=CCCD Kiosk Test PKI, CN=CCCD Kiosk Test CSCA',
      'C=VN, O=CCCD Kiosk Test PKI, CN=CCCD Kiosk Test CSCA B',
      'C=VN, O=CCCD Kiosk Test PKI, CN=CCCD Kiosk Test CSCA C',
    ]);
    expect(store.documentSigners).toHaveLength(1);
    expect(codesOf(store)).toEqual(['trust_file_invalid', 'trust_file_invalid', 'trust_file_unreadable']);
    for (const p of store.problems) {
      expect(p.reason.severity).toBe('error');
      expect(p.reason.vi).toContain(path.basename(p.file));
      expect(p.reason.en).toContain(path.basename(p.file));
    }
    expect(store.anchors.find((a) => a.subject.endsWith('CSCA B'))?.source).toBe(
      path.join(dir, 'nested/csca-b.der'),
    );
  });

  it('reports a missing folder instead of throwing', async () => {
    const store = await loadTrustStore(path.join(tempDir('trust-'), 'does-not-exist'));
    expect(store.anchors).toEqual([]);
    expect(codesOf(store)).toEqual(['trust_folder_unreadable']);
  });
});

describe('ICAO master lists', () => {
  const signer = forgeListSigner(pkiB.csca);
  const list = () => createMasterList([pki.csca.cert, pkiB.csca.cert, pkiC.csca.cert], signer);

  function cardGroups(card: ReturnType<typeof buildSoftCard>): Map<number, Uint8Array> {
    const groups = new Map<number, Uint8Array>();
    for (const [fid, bytes] of card.files) {
      const n = dataGroupOfFid(fid);
      if (n !== undefined) groups.set(n, bytes);
    }
    return groups;
  }

  it("loads a list whose signer chains to a CSCA file of the folder, and verifies a card with the list's CSCA", async () => {
    const dir = tempDir('trust-');
    write(dir, 'VN_master_list.ml', list());
    write(dir, 'list-signer-csca.pem', pkiB.csca.pem); // the CSCA that issued the list signer
    const store = await loadTrustStore(dir);
    expect(store.problems).toEqual([]);
    expect(store.warnings).toEqual([]);
    expect(store.anchors).toHaveLength(3);
    const card = buildSoftCard({ pki });
    const r = verifyAuthenticity({
      sod: card.files.get(FID.sod),
      dataGroups: cardGroups(card),
      trustStore: store,
      activeAuth: 'pass',
    });
    expect(r.verdict).toBe('genuine');
    expect(r.details.csca).toBe('C=VN, O=CCCD Kiosk Test PKI, CN=CCCD Kiosk Test CSCA');
  });

  it('refuses a list whose signer chains only to a CSCA inside the list itself (poisoning)', async () => {
    const dir = tempDir('trust-');
    write(dir, 'VN_master_list.ml', list());
    const store = await loadTrustStore(dir);
    expect(store.anchors).toEqual([]);
    expect(codesOf(store)).toEqual(['master_list_signer_untrusted']);
    expect(store.problems[0]!.reason.en).toContain(fingerprint(signer.der));
  });

  it("a folder's trusted-lists.json confirming the signer fingerprint accepts the list", async () => {
    const dir = tempDir('trust-');
    write(dir, 'lists/VN_master_list.ml', list());
    write(
      dir,
      'trusted-lists.json',
      JSON.stringify({
        lists: [{ file: 'lists/VN_master_list.ml', signerFingerprint: fingerprint(signer.der) }],
      }),
    );
    const store = await loadTrustStore(dir);
    expect(store.problems).toEqual([]);
    expect(store.anchors).toHaveLength(3);
    const wrong = tempDir('trust-');
    write(wrong, 'VN_master_list.ml', list());
    write(
      wrong,
      'trusted-lists.json',
      JSON.stringify({ lists: [{ file: 'VN_master_list.ml', signerFingerprint: '00'.repeat(32) }] }),
    );
    expect(codesOf(await loadTrustStore(wrong))).toEqual(['master_list_signer_untrusted']);
  });

  it('in a folder, a list is not vouched for by the CSCAs of another list', async () => {
    const dir = tempDir('trust-');
    // a.ml (confirmed) brings pkiB's CSCA; b.ml is signed under pkiB but has no confirmation of its own.
    const signerC = issueMasterListSigner(pkiC.csca);
    write(dir, 'a.ml', createMasterList([pkiB.csca.cert], signerC));
    write(dir, 'b.ml', createMasterList([pki.csca.cert], signer));
    write(
      dir,
      'trusted-lists.json',
      JSON.stringify({ lists: [{ file: 'a.ml', signerFingerprint: fingerprint(signerC.der) }] }),
    );
    const store = await loadTrustStore(dir);
    expect(store.anchors.map((a) => a.subject)).toEqual([
      'C=VN, O=CCCD Kiosk Test PKI, CN=CCCD Kiosk Test CSCA B',
    ]);
    expect(codesOf(store)).toEqual(['master_list_signer_untrusted']);
  });

  it('addMasterList: signer chaining to an already trusted anchor, or a confirmed fingerprint', () => {
    const trusted = new TrustStore();
    trusted.addCertificate(pkiB.csca.der, 'b.pem');
    expect(trusted.addMasterList(list(), 'list.ml')).toBe(2); // pkiB's CSCA was already there
    const confirmed = new TrustStore();
    expect(
      confirmed.addMasterList(list(), 'list.ml', {
        confirmSignerFingerprint: fingerprint(signer.der).toUpperCase(),
      }),
    ).toBe(3);
    const refused = new TrustStore();
    expect(refused.addMasterList(list(), 'list.ml')).toBe(0);
    expect(codesOf(refused)).toEqual(['master_list_signer_untrusted']);
  });

  it('a document signer of a trusted CSCA cannot sign a list (no master-list signer key usage)', () => {
    const store = new TrustStore();
    store.addCertificate(pkiB.csca.der, 'b.pem');
    const forger = createTestPki({ cscaName: "Forger's CSCA" });
    const dsOfB = issueMasterListSigner(pkiB.csca); // issued by the trusted CSCA, no list-signer usage
    expect(store.addMasterList(createMasterList([forger.csca.cert], dsOfB), 'forged.ml')).toBe(0);
    expect(codesOf(store)).toEqual(['master_list_signer_untrusted']);
    expect(store.anchors).toHaveLength(1);
  });

  it('a non-CA certificate in a list is not an anchor, and a DS it issued gives csca_not_ca', () => {
    const notCa = issueMasterListSigner(pki.csca); // a certificate without cA=true
    const store = new TrustStore();
    store.addCertificate(pkiB.csca.der, 'b.pem');
    expect(store.addMasterList(createMasterList([notCa.cert, pki.csca.cert], signer), 'mixed.ml')).toBe(1);
    expect(store.anchors.map((a) => a.subject.split('CN=')[1])).toEqual([
      'CCCD Kiosk Test CSCA B',
      'CCCD Kiosk Test CSCA',
    ]);
    expect(store.warnings.map((w) => w.reason.code)).toEqual(['certificate_not_ca']);
    const ds = forgeCertificate({ subject: { C: 'VN', CN: 'DS under a non-CA' }, issuer: notCa });
    const groups = groupsOf();
    const r = passiveAuthentication({
      sod: forgeSod({ groups, signer: ds }).sod,
      dataGroups: groups,
      trustStore: store,
      issuingState: 'VNM',
    });
    expect(r.signature.outcome).toBe('pass');
    expect(r.reasons.map((x) => x.code)).toEqual(['csca_not_ca']);
  });

  it('rejects a master list whose signature fails, keeping none of its certificates', () => {
    const store = new TrustStore();
    store.addCertificate(pkiB.csca.der, 'b.pem');
    store.addFile(createMasterList([pki.csca.cert], signer, { corruptSignature: true }), 'tampered.ml');
    expect(store.anchors).toHaveLength(1);
    expect(codesOf(store)).toEqual(['master_list_bad_signature']);
  });

  it('a certificate file is not a master list', () => {
    const store = new TrustStore();
    store.addFile(pki.csca.der, 'wrong-extension.ml');
    expect(codesOf(store)).toEqual(['trust_file_invalid']);
  });
});

describe('large master lists (issue 9 item 9)', () => {
  it('a list of 700 certificates (more ASN.1 nodes than the generic parser allows) loads', () => {
    // Real lists (DE, NL: 400-600 CSCAs, ~1 MB) failed with "Maximum ASN.1 node count exceeded".
    // Repeating a certificate gives the same size and node count cheaply; duplicates are added once.
    const certList = encode(0x31, [pki.csca.der, ...Array.from({ length: 700 }, () => pkiC.csca.der)]);
    const store = new TrustStore();
    store.addCertificate(pkiB.csca.der, 'b.pem');
    const bytes = buildSignedData({
      eContentType: ICAO_OID.cscaMasterList,
      eContent: encode(0x30, [encode(0x02, Uint8Array.of(0)), certList]),
      signer: forgeListSigner(pkiB.csca),
    });
    expect(bytes.length).toBeGreaterThan(300_000);
    expect(store.addMasterList(bytes, 'big.ml')).toBe(2);
    expect(store.problems).toEqual([]);
    expect(store.issuersOf(pki.ds.cert).map((a) => a.subject)).toEqual([
      'C=VN, O=CCCD Kiosk Test PKI, CN=CCCD Kiosk Test CSCA',
    ]);
  });
});

describe('anchors (issue 9 item 6)', () => {
  it('a self-issued certificate without cA=true is never an anchor', async () => {
    const dir = tempDir('trust-');
    const selfIssuedDs = issueMasterListSigner(pki.csca); // not a CA
    write(dir, 'ds.cer', selfIssuedDs.der);
    write(dir, 'csca.pem', pki.csca.pem);
    const store = await loadTrustStore(dir);
    expect(store.anchors.map((a) => a.subject)).toEqual([
      'C=VN, O=CCCD Kiosk Test PKI, CN=CCCD Kiosk Test CSCA',
    ]);
    expect(store.documentSigners).toHaveLength(1);
    expect(store.warnings.map((w) => w.reason.code)).toEqual(['certificate_not_ca']);
    expect(store.warnings[0]!.reason.severity).toBe('warning');
  });
});

describe('CRLs', () => {
  it('loads DER and PEM CRLs and finds those of a CSCA', async () => {
    const dir = tempDir('trust-');
    write(dir, 'csca.pem', pki.csca.pem);
    write(dir, 'csca.crl', createCrl(pki.csca, [pki.ds.cert]));
    const pem = `-----BEGIN X509 CRL-----\n${Buffer.from(createCrl(pkiB.csca, [])).toString('base64')}\n-----END X509 CRL-----\n`;
    write(dir, 'b.crl', pem);
    write(dir, 'bad.crl', 'garbage');
    const store = await loadTrustStore(dir);
    expect(store.crls).toHaveLength(2);
    expect(store.crlsFor(pki.csca.cert)).toHaveLength(1);
    expect(store.crlsFor(pkiC.csca.cert)).toHaveLength(0);
    expect(codesOf(store)).toEqual(['trust_file_invalid']);
  });
});
