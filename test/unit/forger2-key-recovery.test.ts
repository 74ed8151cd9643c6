/**
 * Forger review, round 2 (issue 9): ECDSA issuer-key recovery. The pinned key is the genuine CSCA's;
 * a forger who knows every genuine DS certificate (and so every genuine signature r, s) tries to make
 * a DS of its own whose recovered candidates include that key: the genuine signature moved onto the
 * forger's tbsCertificate, r and s chosen, s negated (n − s), the signature in plain r||s form.
 */
import { AsnParser, AsnSerializer } from '@peculiar/asn1-schema';
import { ECDSASigValue } from '@peculiar/asn1-ecc';
import { Certificate } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { recoverIssuerKeys, spkiHex } from '../../native/icao/key-recovery';
import { curveByName, bigintToBytes, bytesToBigint } from '../../native/icao/curves';
import { getTestPki, spkiFor } from '../../native/softcard/pki';

const genuine = getTestPki();
const cscaKey = spkiHex(spkiFor(genuine.csca.publicKey, genuine.csca.spec));

function withSignature(der: Uint8Array, sig: Uint8Array, tweak?: (c: Certificate) => void): Uint8Array {
  const c = AsnParser.parse(der, Certificate);
  tweak?.(c);
  c.signatureValue = sig.buffer.slice(sig.byteOffset, sig.byteOffset + sig.byteLength) as ArrayBuffer;
  // Re-serialize the (possibly changed) tbsCertificate, not its cached raw bytes.
  const fresh = AsnParser.parse(AsnSerializer.serialize(c), Certificate);
  return new Uint8Array(AsnSerializer.serialize(fresh));
}

function sigOf(der: Uint8Array): { r: bigint; s: bigint } {
  const c = AsnParser.parse(der, Certificate);
  const v = AsnParser.parse(c.signatureValue, ECDSASigValue);
  return { r: bytesToBigint(new Uint8Array(v.r)), s: bytesToBigint(new Uint8Array(v.s)) };
}

function derSig(r: bigint, s: bigint, size: number): Uint8Array {
  const v = new ECDSASigValue();
  const enc = (x: bigint) => {
    const b = bigintToBytes(x, size);
    return (b[0]! & 0x80 ? Uint8Array.of(0, ...b) : b).buffer as ArrayBuffer;
  };
  v.r = enc(r);
  v.s = enc(s);
  return new Uint8Array(AsnSerializer.serialize(v));
}

describe('key recovery against a forger', () => {
  it('sanity: the genuine DS recovers the genuine CSCA key', () => {
    expect(genuine.csca.spec.type).toBe('ec');
    expect(recoverIssuerKeys(genuine.ds.der).map((k) => spkiHex(k.spki))).toContain(cscaKey);
  });

  it('the genuine signature (r, s and n − s) on a changed tbsCertificate never recovers the genuine key', () => {
    const spec = genuine.csca.spec as { type: 'ec'; curve: string };
    const curve = curveByName(spec.curve);
    const { r, s } = sigOf(genuine.ds.der);
    for (const sv of [s, curve.n - s]) {
      const forged = withSignature(genuine.ds.der, derSig(r, sv, curve.size), (c) => {
        c.tbsCertificate.serialNumber = Uint8Array.of(0x01, 0x02, 0x03).buffer;
      });
      const keys = recoverIssuerKeys(forged).map((k) => spkiHex(k.spki));
      expect(keys).not.toContain(cscaKey);
    }
  });

  it('r or s out of range, zero, or oversize gives no candidate that is the genuine key', () => {
    const spec = genuine.csca.spec as { type: 'ec'; curve: string };
    const curve = curveByName(spec.curve);
    const { r, s } = sigOf(genuine.ds.der);
    for (const [rv, sv] of [
      [0n, s],
      [r, 0n],
      [r + curve.n, s],
      [r, s + curve.n],
      [1n, 1n],
    ] as const) {
      const forged = withSignature(genuine.ds.der, derSig(rv, sv, curve.size + 1));
      const keys = recoverIssuerKeys(forged).map((k) => spkiHex(k.spki));
      expect(keys).not.toContain(cscaKey);
    }
  });
});
