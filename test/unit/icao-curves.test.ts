/**
 * The curve table (PACE standardized domain parameters 8-18) against OpenSSL via node:crypto:
 * the same private key must give the same public key and the same ECDH secret on both sides.
 */
import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  allCurves,
  bigintToBytes,
  bytesToBigint,
  curveByDomain,
  curveByName,
  curveByOid,
  curveByParameterId,
  decodePoint,
  ecdhKeyPair,
  ecdhSharedSecret,
  encodePoint,
  randomScalar,
} from '../../native/icao/curves';
import { hex } from '../../native/util/bytes';
import { IcaoError } from '../../native/iso7816/sw';

describe('curves', () => {
  it('covers parameter ids 8 to 18', () => {
    expect(allCurves().map((c) => c.parameterId)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    expect(curveByParameterId(13).name).toBe('brainpoolP256r1');
    expect(curveByParameterId(12).name).toBe('P-256');
    expect(() => curveByParameterId(2)).toThrow(IcaoError);
  });

  it('resolves names, aliases and OIDs', () => {
    expect(curveByName('secp256r1').name).toBe('P-256');
    expect(curveByName('prime256v1').name).toBe('P-256');
    expect(curveByName('BrainpoolP384R1').name).toBe('brainpoolP384r1');
    expect(curveByOid('1.3.36.3.3.2.8.1.1.7').name).toBe('brainpoolP256r1');
    expect(() => curveByName('curve25519')).toThrow(IcaoError);
  });

  for (const curve of allCurves()) {
    it(`${curve.name}: noble point arithmetic agrees with OpenSSL`, () => {
      const k = randomScalar(curve);
      const kb = bigintToBytes(k, Math.ceil(curve.n.toString(16).length / 2));
      const ossl = createECDH(curve.openssl);
      ossl.setPrivateKey(kb);
      expect(hex(encodePoint(curve.Point.BASE.multiply(k)))).toBe(hex(new Uint8Array(ossl.getPublicKey())));

      const peer = ecdhKeyPair(curve);
      const viaNode = ecdhSharedSecret(curve, kb, peer.publicKey);
      const viaNoble = decodePoint(curve, peer.publicKey).multiply(k).toAffine().x;
      expect(bytesToBigint(viaNode)).toBe(viaNoble);
      expect(viaNode.length).toBe(curve.size);
      expect(curveByDomain(curve)?.name).toBe(curve.name);
    });
  }

  it('rejects a point that is not on the curve', () => {
    const curve = curveByName('brainpoolP256r1');
    const p = encodePoint(curve.Point.BASE);
    p[p.length - 1] = p[p.length - 1]! ^ 1;
    expect(() => decodePoint(curve, p)).toThrow(IcaoError);
    expect(() => ecdhSharedSecret(curve, ecdhKeyPair(curve).privateKey, p)).toThrow(IcaoError);
  });
});
