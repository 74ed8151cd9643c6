/**
 * EF.SOD / CMS parsing as a forger attacks it: everything the signature covers and every value read
 * comes from ONE walk of the encoding, and any structure that is not exactly its schema (trailing
 * elements or bytes, a second signerInfos, a repeated attribute) is malformed. BER as real passports
 * write it (indefinite lengths, segmented eContent) still verifies; id-data eContent (Chinese
 * passports) verifies when the signed contentType says so; the signer certificate is found when the
 * sid names its issuer in another RDN order or case, and never a certificate whose key fails.
 */
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { berChildren, berOctets, decodeBerExact, type BerNode } from '../../native/icao/ber';
import { ID_DATA } from '../../native/icao/cms';
import { ICAO_OID } from '../../native/icao/icao-asn1';
import { passiveAuthentication } from '../../native/icao/passive-auth';
import { parseSod } from '../../native/icao/sod';
import { IcaoError } from '../../native/iso7816/sw';
import { encode, TlvError } from '../../native/iso7816/tlv';
import { TrustStore } from '../../native/icao/trust-store';
import { fingerprint } from '../../native/icao/x509';
import { berSod, forgeCertificate, forgePki, forgeSod, groupsOf, wrapSod } from './helpers/pki-forge';

const pki = forgePki();
const genuineGroups = groupsOf([1, 2, 13]);

function trusting(...ders: Uint8Array[]): TrustStore {
  const store = new TrustStore();
  for (const der of ders) store.addCertificate(der, 'test');
  return store;
}

function pa(sod: Uint8Array, groups = genuineGroups, store = trusting(pki.csca.der)) {
  return passiveAuthentication({ sod, dataGroups: groups, trustStore: store, issuingState: 'VNM' });
}

function codes(r: { reasons: { code: string }[] }): string[] {
  return r.reasons.map((x) => x.code);
}

function malformedCode(sod: Uint8Array): string | undefined {
  try {
    parseSod(sod);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(IcaoError);
    return (e as IcaoError).code;
  }
}

function replaceAt(haystack: Uint8Array, needle: Uint8Array, by: Uint8Array): Uint8Array {
  expect(by.length).toBe(needle.length);
  const at = Buffer.from(haystack).indexOf(Buffer.from(needle));
  expect(at).toBeGreaterThanOrEqual(0);
  const out = haystack.slice();
  out.set(by, at);
  return out;
}

describe('a genuine SOD', () => {
  it('passes signature and chain (baseline of the forgeries below)', () => {
    const r = pa(forgeSod({ groups: genuineGroups, signer: pki.ds }).sod);
    expect(r.hashes.outcome).toBe('pass');
    expect(r.signature.outcome).toBe('pass');
    expect(r.chain.outcome).toBe('pass');
    expect(codes(r)).toEqual([]);
  });
});

describe('signer-info splice (issue 9 item 1)', () => {
  // The forger copies a genuine SOD, puts their own LDSSecurityObject and a SignerInfo with their
  // own signed attributes (and the genuine signature) in signerInfos, and appends the genuine
  // signerInfos after it. The old parser checked the signature over the LAST element's attributes
  // while reading messageDigest from the real signerInfos: hashes, signature and chain all passed.
  const genuine = forgeSod({ groups: genuineGroups, signer: pki.ds });
  const forgedGroups = groupsOf([1, 2, 13]);
  forgedGroups.set(1, Uint8Array.from(Buffer.from('forged holder data')));
  const forged = forgeSod({ groups: forgedGroups, signer: pki.ds, signingKey: forgePki().ds });
  const forgedSignerInfo = replaceAt(genuine.signerInfo, genuine.signedAttrs, forged.signedAttrs);
  const spliced = wrapSod([
    genuine.fields.version,
    genuine.fields.digestAlgorithms,
    forged.fields.encap,
    genuine.fields.certificates!,
    encode(0x31, forgedSignerInfo),
    genuine.signerInfos,
  ]);

  it('is malformed, never a passing signature', () => {
    expect(malformedCode(spliced)).toBe('cms_malformed');
    const r = pa(spliced, forgedGroups);
    expect(codes(r)).toEqual(['sod_malformed']);
    expect(r.signature.outcome).not.toBe('pass');
    expect(r.chain.outcome).not.toBe('pass');
  });

  it('without the appended element the forged attributes fail the signature', () => {
    const single = wrapSod([
      genuine.fields.version,
      genuine.fields.digestAlgorithms,
      forged.fields.encap,
      genuine.fields.certificates!,
      encode(0x31, forgedSignerInfo),
    ]);
    const r = pa(single, forgedGroups);
    expect(r.signature.outcome).toBe('fail');
    expect(codes(r)).toContain('sod_signature_invalid');
  });

  it('is malformed in BER too', () => {
    const ber = berSod(genuine);
    // Insert the genuine signerInfos again before the SignedData's end-of-contents.
    const sdEnd = ber.length - 6; // 00 00 of SignedData, [0], ContentInfo
    const spliceBer = Uint8Array.from([
      ...ber.subarray(0, sdEnd),
      ...genuine.signerInfos,
      ...ber.subarray(sdEnd),
    ]);
    const outer = spliceBer.subarray(4); // 77 82 LL LL
    const fixed = encode(0x77, outer);
    expect(malformedCode(fixed)).toBe('cms_malformed');
  });
});

describe('structures that are not exactly their schema are malformed', () => {
  const g = forgeSod({ groups: genuineGroups, signer: pki.ds });
  const base = [g.fields.version, g.fields.digestAlgorithms, g.fields.encap, g.fields.certificates!];

  it('trailing bytes after the 77 element', () => {
    expect(malformedCode(Uint8Array.from([...g.sod, 0x00]))).toBe('sod_not_der');
    expect(malformedCode(Uint8Array.from([...g.sod, 0x31, 0x00]))).toBe('sod_not_der');
  });

  it('an extra element in ContentInfo', () => {
    expect(malformedCode(wrapSod([...base, g.signerInfos], [encode(0x31, [])]))).toBe('cms_malformed');
  });

  it('an extra element in SignedData after signerInfos', () => {
    expect(malformedCode(wrapSod([...base, g.signerInfos, encode(0x04, [])]))).toBe('cms_malformed');
  });

  it('an extra element in a SignerInfo', () => {
    const si = g.signerInfo;
    const extended = encode(0x30, [si.subarray(si[1]! & 0x80 ? 2 + (si[1]! & 0x7f) : 2), g.signedAttrs]);
    expect(malformedCode(wrapSod([...base, encode(0x31, extended)]))).toBe('cms_malformed');
  });

  it('a signed attribute that appears twice, or with two values', () => {
    const extraDigest = encode(0x30, [
      encode(0x06, Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04])),
      encode(0x31, [encode(0x04, new Uint8Array(32))]),
    ]);
    const twice = forgeSod({ groups: genuineGroups, signer: pki.ds, extraAttributes: [extraDigest] });
    expect(malformedCode(twice.sod)).toBe('cms_malformed');
  });

  it('an eContent [0] holding two OCTET STRINGs', () => {
    const f = forgeSod({ groups: genuineGroups, signer: pki.ds });
    const encap = encode(0x30, [
      encode(0x06, Uint8Array.from([0x67, 0x81, 0x08, 0x01, 0x01, 0x01])),
      encode(0xa0, [encode(0x04, f.eContent), encode(0x04, Uint8Array.of(1))]),
    ]);
    expect(
      malformedCode(
        wrapSod([f.fields.version, f.fields.digestAlgorithms, encap, f.fields.certificates!, f.signerInfos]),
      ),
    ).toBe('cms_malformed');
  });

  it('an LDSSecurityObject with a data group listed twice', () => {
    // The content is signed, but a second DG1 hash would let two readers disagree on it.
    const lds = encode(0x30, [
      encode(0x02, Uint8Array.of(0)),
      encode(0x30, [encode(0x06, Uint8Array.from([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]))]),
      encode(0x30, [
        encode(0x30, [encode(0x02, Uint8Array.of(1)), encode(0x04, new Uint8Array(32))]),
        encode(0x30, [encode(0x02, Uint8Array.of(1)), encode(0x04, new Uint8Array(32).fill(1))]),
      ]),
    ]);
    const encap = encode(0x30, [
      encode(0x06, Uint8Array.from([0x67, 0x81, 0x08, 0x01, 0x01, 0x01])),
      encode(0xa0, [encode(0x04, lds)]),
    ]);
    expect(
      malformedCode(
        wrapSod([g.fields.version, g.fields.digestAlgorithms, encap, g.fields.certificates!, g.signerInfos]),
      ),
    ).toBe('lds_malformed');
  });
});

describe('BER as real passports write it (issue 9 item 10)', () => {
  it('indefinite lengths and a segmented eContent verify', () => {
    const g = forgeSod({ groups: genuineGroups, signer: pki.ds });
    const ber = berSod(g);
    expect(ber[5]).toBe(0x80); // ContentInfo with an indefinite length
    const r = pa(ber);
    expect(r.hashes.outcome).toBe('pass');
    expect(r.signature.outcome).toBe('pass');
    expect(r.chain.outcome).toBe('pass');
    expect(codes(r)).toEqual([]);
  });

  it('a BER SOD with a content changed after signing fails the messageDigest', () => {
    const g = forgeSod({ groups: genuineGroups, signer: pki.ds });
    const ber = berSod(g);
    // A byte inside a data-group hash (not crossing a segment boundary), so the content stays well-formed.
    const hashAt = Buffer.from(g.eContent).indexOf(Buffer.from(g.eContent.subarray(-32)));
    const at = Buffer.from(ber).indexOf(Buffer.from(g.eContent.subarray(hashAt + 20, hashAt + 26)));
    expect(at).toBeGreaterThan(0);
    const bad = ber.slice();
    bad[at] = bad[at]! ^ 0x01;
    const r = pa(bad);
    expect(r.signature.outcome).toBe('fail');
    expect(codes(r)).toContain('sod_message_digest_mismatch');
  });
});

describe('eContentType and the signed contentType attribute (issue 9 items 7 and 11)', () => {
  it('id-data content verifies when the signed contentType is id-data too', () => {
    const r = pa(forgeSod({ groups: genuineGroups, signer: pki.ds, eContentType: ID_DATA }).sod);
    expect(r.signature.outcome).toBe('pass');
    expect(r.chain.outcome).toBe('pass');
  });

  it('id-data content with an ldsSecurityObject contentType attribute is a mismatch', () => {
    const sod = forgeSod({
      groups: genuineGroups,
      signer: pki.ds,
      eContentType: ID_DATA,
      contentTypeAttribute: ICAO_OID.ldsSecurityObject,
    }).sod;
    const r = pa(sod);
    expect(r.signature.outcome).toBe('fail');
    expect(codes(r)).toContain('sod_content_type_mismatch');
  });

  it('a SOD without a signed contentType attribute fails', () => {
    const r = pa(forgeSod({ groups: genuineGroups, signer: pki.ds, contentTypeAttribute: null }).sod);
    expect(r.signature.outcome).toBe('fail');
    expect(codes(r)).toContain('sod_content_type_missing');
  });

  it('another eContentType is not an EF.SOD', () => {
    const sod = forgeSod({
      groups: genuineGroups,
      signer: pki.ds,
      eContentType: ICAO_OID.cscaMasterList,
    }).sod;
    expect(codes(pa(sod))).toEqual(['sod_malformed']);
  });
});

describe('locating the document signer certificate (issue 9 item 12)', () => {
  const issuer = pki.ds.cert.tbsCertificate.issuer;
  const upperReversed = new Name(
    [...issuer].reverse().map(
      (rdn) =>
        new RelativeDistinguishedName(
          [...rdn].map(
            (atv) =>
              new AttributeTypeAndValue({
                type: atv.type,
                value: new AttributeValue({ utf8String: atv.value.toString().toUpperCase() }),
              }),
          ),
        ),
    ),
  );

  it('finds it when the sid names the issuer in another RDN order and case', () => {
    const r = pa(forgeSod({ groups: genuineGroups, signer: pki.ds, sidIssuer: upperReversed }).sod);
    expect(codes(r)).toEqual([]);
    expect(r.signature.outcome).toBe('pass');
    expect(r.chain.documentSignerFingerprint).toBe(fingerprint(pki.ds.der));
  });

  it('takes the only certificate when its serial matches but the sid name does not', () => {
    const other = forgePki({ cscaName: 'Somebody Else' }).csca.cert.tbsCertificate.subject;
    const r = pa(forgeSod({ groups: genuineGroups, signer: pki.ds, sidIssuer: other }).sod);
    expect(r.signature.outcome).toBe('pass');
    expect(r.chain.outcome).toBe('pass');
  });

  it('does not guess among several certificates when the name does not match', () => {
    const other = forgePki({ cscaName: 'Somebody Else' }).csca.cert.tbsCertificate.subject;
    const decoy = forgeCertificate({ subject: { C: 'VN', CN: 'Decoy' }, issuer: pki.csca });
    const r = pa(
      forgeSod({
        groups: genuineGroups,
        signer: pki.ds,
        sidIssuer: other,
        certificates: [decoy.der, pki.ds.der],
      }).sod,
    );
    expect(codes(r)).toContain('ds_certificate_missing');
  });

  it('never picks a certificate whose key fails the signature', () => {
    // A decoy with the DS's issuer and serial number, listed first: the real DS is the one that verifies.
    const decoy = forgeCertificate({
      subject: { C: 'VN', CN: 'Decoy' },
      issuer: pki.csca,
      serial: new Uint8Array(pki.ds.cert.tbsCertificate.serialNumber),
    });
    const r = pa(
      forgeSod({ groups: genuineGroups, signer: pki.ds, certificates: [decoy.der, pki.ds.der] }).sod,
    );
    expect(r.signature.outcome).toBe('pass');
    expect(r.chain.outcome).toBe('pass');
    expect(r.chain.documentSignerFingerprint).toBe(fingerprint(pki.ds.der));
  });

  it("a forger's certificate that verifies is the DS, and its chain fails", () => {
    const forger = forgePki(); // same names, other keys
    const sod = forgeSod({
      groups: genuineGroups,
      signer: forger.ds,
      certificates: [pki.ds.der, forger.ds.der],
    }).sod;
    const r = pa(sod);
    expect(r.signature.outcome).toBe('pass');
    expect(r.chain.documentSignerFingerprint).toBe(fingerprint(forger.ds.der));
    expect(r.chain.outcome).toBe('fail');
    expect(codes(r)).toEqual(['issuer_not_recognised']);
  });

  it("the genuine DS named by the sid does not lend its chain to a forger's signature", () => {
    const forger = forgePki();
    const sod = forgeSod({
      groups: genuineGroups,
      signer: forger.ds,
      certificates: [pki.ds.der, forger.ds.der],
      sidSerial: new Uint8Array(pki.ds.cert.tbsCertificate.serialNumber),
    }).sod;
    const r = pa(sod);
    expect(r.signature.outcome).toBe('fail');
    expect(codes(r)).toContain('sod_signature_invalid');
  });
});

describe('the BER walker is strict and bounded', () => {
  const bad: Array<[string, number[]]> = [
    ['indefinite length without end-of-contents', [0x30, 0x80, 0x02, 0x01, 0x00]],
    ['indefinite length on a primitive', [0x04, 0x80, 0x00, 0x00]],
    ['a value overrunning its container', [0x30, 0x03, 0x04, 0x05, 0x00]],
    ['a length field of 5 bytes', [0x04, 0x85, 0, 0, 0, 0, 1, 0]],
    ['trailing bytes', [0x30, 0x00, 0x00]],
    [
      'nesting deeper than 48',
      [...Array.from({ length: 60 }, () => [0x30, 0x80]).flat(), ...new Array(120).fill(0)],
    ],
  ];
  for (const [label, bytes] of bad) {
    it(`rejects ${label}`, () => {
      const walk = (n: BerNode): void => {
        if (n.constructed) berChildren(n).forEach(walk);
      };
      expect(() => walk(decodeBerExact(Uint8Array.from(bytes)))).toThrow(TlvError);
    });
  }

  it('reads nested indefinite lengths and segmented OCTET STRINGs', () => {
    const node = decodeBerExact(
      Uint8Array.from([0x24, 0x80, 0x04, 0x01, 0xaa, 0x24, 0x80, 0x04, 0x01, 0xbb, 0, 0, 0, 0]),
    );
    expect([...berOctets(node)]).toEqual([0xaa, 0xbb]);
  });
});
