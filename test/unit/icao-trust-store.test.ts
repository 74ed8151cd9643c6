/**
 * The trust store: CSCA certificates from a folder (PEM with one or more certificates, DER, in
 * sub-folders), ICAO master lists (signature checked), CRLs, and files that cannot be read (skipped
 * and reported in both languages). A master list alone is enough to verify a card.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAuthenticity } from '../../native/icao/authenticity';
import { FID, dataGroupOfFid } from '../../native/icao/lds';
import { loadTrustStore, TrustStore } from '../../native/icao/trust-store';
import { buildSoftCard } from '../../native/softcard/lds-builder';
import {
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
  const signer = issueMasterListSigner(pkiB.csca);

  it('loads the CSCAs of a signed master list and verifies a card with it alone', async () => {
    const dir = tempDir('trust-');
    write(
      dir,
      'VN_master_list.ml',
      createMasterList([pki.csca.cert, pkiB.csca.cert, pkiC.csca.cert], signer),
    );
    const store = await loadTrustStore(dir);
    expect(store.problems).toEqual([]);
    expect(store.warnings).toEqual([]);
    expect(store.anchors).toHaveLength(3);
    const card = buildSoftCard({ pki });
    const groups = new Map<number, Uint8Array>();
    for (const [fid, bytes] of card.files) {
      const n = dataGroupOfFid(fid);
      if (n !== undefined) groups.set(n, bytes);
    }
    const r = verifyAuthenticity({
      sod: card.files.get(FID.sod),
      dataGroups: groups,
      trustStore: store,
      activeAuth: 'pass',
    });
    expect(r.verdict).toBe('genuine');
    expect(r.details.csca).toBe('C=VN, O=CCCD Kiosk Test PKI, CN=CCCD Kiosk Test CSCA');
  });

  it('rejects a master list whose signature fails, keeping none of its certificates', () => {
    const store = new TrustStore();
    store.addFile(createMasterList([pki.csca.cert], signer, { corruptSignature: true }), 'tampered.ml');
    expect(store.anchors).toEqual([]);
    expect(codesOf(store)).toEqual(['master_list_bad_signature']);
  });

  it('warns (without rejecting) when the list signer is not issued by a listed CSCA', () => {
    const store = new TrustStore();
    store.addFile(createMasterList([pki.csca.cert], signer), 'other.ml');
    expect(store.anchors).toHaveLength(1);
    expect(store.problems).toEqual([]);
    expect(store.warnings.map((w) => w.reason.code)).toEqual(['master_list_signer_unchained']);
  });

  it('a certificate file is not a master list', () => {
    const store = new TrustStore();
    store.addFile(pki.csca.der, 'wrong-extension.ml');
    expect(codesOf(store)).toEqual(['trust_file_invalid']);
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
