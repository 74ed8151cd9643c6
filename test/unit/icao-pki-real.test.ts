/**
 * Passive authentication on real documents from other projects' public test data (the corpus of
 * test/fixtures/real-docs, see its SOURCES.md): every genuine SOD verifies (signature and chain)
 * under its country's CSCA and under the German and Dutch master lists, at its signing time (or,
 * without one, at a moment inside the DS validity); its tampered twin does not. Covers BER with
 * indefinite lengths (NZ), id-data eContent (CN), a sid naming its issuer in another RDN order
 * (MY), RSASSA-PSS, explicit EC parameters, link CSCAs, and master lists of ~600 certificates.
 *
 * The corpus lives in its own folder; REAL_DOCS_DIR may point elsewhere. Absent corpus → skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { passiveAuthentication } from '../../native/icao/passive-auth';
import { loadTrustStore, type TrustStore } from '../../native/icao/trust-store';

const DIR = process.env.REAL_DOCS_DIR ?? path.resolve(import.meta.dirname, '../fixtures/real-docs');
const present = fs.existsSync(path.join(DIR, 'manifest.json'));

interface Doc {
  id: string;
  dir: string;
  country: string;
  files: string[];
  csca: string;
  masterLists: string[];
  signingTime: string | null;
  ds: { notBefore: string; notAfter: string };
  offsets: { dg1Hash: [number, number] };
}

const manifest: { documents: Doc[] } = present
  ? (JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as { documents: Doc[] })
  : { documents: [] };

function read(doc: Doc, name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(DIR, doc.dir, `${name}.bin`)));
}

function groupsOf(doc: Doc): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (const f of doc.files) {
    const m = /^DG(\d+)$/.exec(f);
    if (m) out.set(Number(m[1]), read(doc, f));
  }
  return out;
}

/** Inside the DS validity when the SOD has no signing time (the stored read has no date of issue). */
function nowFor(doc: Doc): Date | undefined {
  if (doc.signingTime) return undefined;
  return new Date(new Date(doc.ds.notBefore).getTime() + 86_400_000);
}

function verify(doc: Doc, store: TrustStore, sod = read(doc, 'EF.SOD')) {
  const now = nowFor(doc);
  return passiveAuthentication({
    sod,
    dataGroups: groupsOf(doc),
    trustStore: store,
    issuingState: doc.country,
    ...(now ? { now } : {}),
  });
}

const chainCodes = (r: { reasons: { code: string }[] }) =>
  r.reasons.map((x) => x.code).filter((c) => c !== 'dg_none_read');

describe.skipIf(!present)('real documents under their CSCA', () => {
  for (const doc of manifest.documents) {
    it(`${doc.id}: signature and chain pass; a tampered twin fails`, async () => {
      const store = await loadTrustStore(path.join(DIR, doc.csca));
      expect(store.problems).toEqual([]);
      const r = verify(doc, store);
      expect(chainCodes(r)).toEqual([]);
      expect(r.signature.outcome).toBe('pass');
      expect(r.chain.outcome).toBe('pass');
      expect(r.chain.checkedAtSource).toBe(doc.signingTime ? 'signing_time' : 'now');
      if (groupsOf(doc).size > 0) expect(r.hashes.outcome).toBe('pass');
      const twin = read(doc, 'EF.SOD').slice();
      twin[doc.offsets.dg1Hash[0] + 3]! ^= 0x01;
      const t = verify(doc, store, twin);
      expect(t.signature.outcome).toBe('fail');
      expect(chainCodes(t)).toContain('sod_message_digest_mismatch');
    });
  }
});

for (const ml of ['ml-deu', 'ml-nld']) {
  describe.skipIf(!present)(`real documents under the ${ml} master list (issue 9 item 9)`, () => {
    let store: TrustStore;
    beforeAll(async () => {
      store = await loadTrustStore(path.join(DIR, 'csca', ml));
    }, 60_000);

    it('the list loads: hundreds of CSCAs, its signer chained to the folder root', () => {
      expect(store.problems).toEqual([]);
      expect(store.anchors.length).toBeGreaterThan(350);
      expect(store.countries().size).toBeGreaterThan(80);
    });

    for (const doc of manifest.documents.filter((d) => d.masterLists.includes(ml))) {
      it(`${doc.id} verifies with the master list alone`, () => {
        const r = verify(doc, store);
        expect(chainCodes(r)).toEqual([]);
        expect(r.chain.outcome).toBe('pass');
      });
    }
  });
}
