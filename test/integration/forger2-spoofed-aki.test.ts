/**
 * Forger review, round 2 (issue 9): the card fault `spoofed-aki` (the round-1 pinning attack a card
 * can carry): a DS signed by the forger's own key whose issuer names are the genuine test CSCA's DN
 * and whose authority key identifier is the genuine CSCA's. On a kiosk trusting the genuine VN test
 * CSCA it is rejected with ds_certificate_signature_invalid.
 */
import { describe, expect, it } from 'vitest';
import { AsnParser } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_subjectKeyIdentifier,
  type Certificate,
} from '@peculiar/asn1-x509';
import { readChip } from '../../native/chip/read-chip';
import { attackPki, trustFolderFor } from '../../native/softcard/attack-pki';
import { FAULT_NAMES, createSoftCard, faultName, parseFault } from '../../native/softcard/soft-card';
import { getTestPki } from '../../native/softcard/pki';
import { TrustStore } from '../../native/icao/trust-store';
import { nameDer, parseCertificate } from '../../native/icao/x509';
import { EXPECTED_REASON, LAB_ROWS } from '../support/attack-lab';

function extValue<T>(c: Certificate, oid: string, type: new () => T): T | undefined {
  const e = c.tbsCertificate.extensions?.find((x) => x.extnID === oid);
  return e ? AsnParser.parse(e.extnValue.buffer, type) : undefined;
}
const hex = (b: ArrayBuffer | Uint8Array): string => Buffer.from(new Uint8Array(b)).toString('hex');

describe('spoofed-aki fault', () => {
  const genuine = getTestPki();

  it('is a contract name and an attack-lab row expecting ds_certificate_signature_invalid', () => {
    expect(faultName(parseFault('spoofed-aki'))).toBe('spoofed-aki');
    expect(FAULT_NAMES).toContain('spoofed-aki');
    expect(EXPECTED_REASON['spoofed-aki']).toBe('ds_certificate_signature_invalid');
    expect(LAB_ROWS.find((r) => r.fault === 'spoofed-aki')?.kind).toBe('attack');
  });

  it("the DS carries the genuine CSCA's DN and AKI, is not signed by the genuine key, and the folder holds only the genuine CSCA", () => {
    const { ds, issuer } = attackPki('spoofed-aki');
    const dsCert = parseCertificate(ds.der).cert;
    const g = genuine.csca.cert;
    expect(hex(nameDer(dsCert.tbsCertificate.issuer))).toBe(hex(nameDer(g.tbsCertificate.subject)));
    const aki = extValue(dsCert, id_ce_authorityKeyIdentifier, AuthorityKeyIdentifier)!.keyIdentifier!;
    const ski = extValue(g, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier)!;
    expect(hex(aki.buffer)).toBe(hex(ski.buffer));
    expect(hex(issuer.publicKey.export({ type: 'spki', format: 'der' }))).not.toBe(
      hex(genuine.csca.publicKey.export({ type: 'spki', format: 'der' })),
    );
    expect(trustFolderFor(['spoofed-aki']).map((f) => f.role)).toEqual(['genuine-csca']);
  });

  it('read on a kiosk trusting the genuine VN test CSCA: ds_certificate_signature_invalid, never genuine', async () => {
    const card = createSoftCard({ faults: ['spoofed-aki'] });
    const store = new TrustStore();
    for (const f of card.trustFolder) store.addCertificate(f.der, f.name);
    const r = await readChip(card.transport, { can: card.can }, { trustStore: store });
    const a = r.reading.authenticity;
    expect(a.checks.signature).toBe('pass');
    expect(
      a.reasons.some((x) => x.code === 'ds_certificate_signature_invalid' && x.severity === 'error'),
    ).toBe(true);
    expect(a.verdict).not.toBe('genuine');
  });
});
