/**
 * EC public keys in SubjectPublicKeyInfo form, on top of the curve table in ./curves: which curve an
 * `ECParameters` names (a named-curve OID or explicit domain parameters, as many CSCA, DS and chip
 * keys carry), rewriting explicit parameters to the named curve (node:crypto does not load explicit
 * parameters), and building SPKIs (named or explicit) for the software card.
 */
import { AsnParser, AsnSerializer } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { ECParameters, id_ecPublicKey } from '@peculiar/asn1-ecc';
import { allCurves, bigintToBytes, bytesToBigint, curveByName, curveByOid, type EcCurve } from './curves';
import { oidDer } from './icao-asn1';
import { decodeOne, encode } from '../iso7816/tlv';

export const ID_PRIME_FIELD = '1.2.840.10045.1.1';

/** The curve named by `ECParameters` DER (named OID or explicit prime-field domain); undefined when unknown. */
export function curveOfEcParameters(parametersDer: Uint8Array | ArrayBuffer): EcCurve | undefined {
  const params = AsnParser.parse(parametersDer, ECParameters);
  if (params.namedCurve) {
    try {
      return curveByOid(params.namedCurve);
    } catch {
      return undefined;
    }
  }
  const sc = params.specifiedCurve;
  if (!sc || sc.fieldID.fieldType !== ID_PRIME_FIELD) return undefined;
  const prime = decodeOne(new Uint8Array(sc.fieldID.parameters));
  if (prime.tag !== 0x02) return undefined;
  const p = bytesToBigint(prime.value);
  const a = bytesToBigint(new Uint8Array(sc.curve.a));
  const b = bytesToBigint(new Uint8Array(sc.curve.b));
  const n = bytesToBigint(new Uint8Array(sc.order));
  const base = new Uint8Array(sc.base.buffer);
  // Compare p, a, b, n, then G (decoded on the candidate curve, so a compressed base point works too).
  for (const c of allCurves()) {
    if (c.p !== p || c.a !== a || c.b !== b || c.n !== n) continue;
    try {
      const g = c.Point.fromBytes(base).toAffine();
      if (g.x === c.Gx && g.y === c.Gy) return c;
    } catch {
      // not a point on this curve
    }
  }
  return undefined;
}

/** SPKI DER for an EC public key with named-curve parameters. */
export function ecSpkiDer(curveName: string, point: Uint8Array): Uint8Array {
  const curve = curveByName(curveName);
  const spki = new SubjectPublicKeyInfo({
    algorithm: new AlgorithmIdentifier({
      algorithm: id_ecPublicKey,
      parameters: AsnSerializer.serialize(new ECParameters({ namedCurve: curve.oid })),
    }),
    subjectPublicKey: point.slice().buffer,
  });
  return new Uint8Array(AsnSerializer.serialize(spki));
}

/** DER of explicit (specified) prime-field domain parameters for a curve, as some issuers encode keys. */
export function explicitEcParametersDer(curveName: string): Uint8Array {
  const c = curveByName(curveName);
  const int = (v: bigint): Uint8Array => {
    let bytes = bigintToBytes(v, Math.max(1, Math.ceil(v.toString(16).length / 2)));
    if (bytes[0]! & 0x80) bytes = Uint8Array.from([0, ...bytes]);
    return encode(0x02, bytes);
  };
  const g = new Uint8Array(1 + 2 * c.size);
  g[0] = 4;
  g.set(bigintToBytes(c.Gx, c.size), 1);
  g.set(bigintToBytes(c.Gy, c.size), 1 + c.size);
  // Built with the TLV codec: the asn1-schema serializer drops the optional cofactor's value.
  return encode(0x30, [
    int(1n),
    encode(0x30, [oidDer(ID_PRIME_FIELD), int(c.p)]),
    encode(0x30, [encode(0x04, bigintToBytes(c.a, c.size)), encode(0x04, bigintToBytes(c.b, c.size))]),
    encode(0x04, g),
    int(c.n),
    int(c.h),
  ]);
}

/** SPKI DER with explicit domain parameters. */
export function ecSpkiDerExplicit(curveName: string, point: Uint8Array): Uint8Array {
  const spki = new SubjectPublicKeyInfo({
    algorithm: new AlgorithmIdentifier({
      algorithm: id_ecPublicKey,
      parameters: explicitEcParametersDer(curveName).slice().buffer,
    }),
    subjectPublicKey: point.slice().buffer,
  });
  return new Uint8Array(AsnSerializer.serialize(spki));
}

/**
 * If `spkiDer` is an EC key with explicit parameters of a known curve, the same key with named-curve
 * parameters; otherwise `spkiDer` unchanged.
 */
export function normalizeEcSpki(spkiDer: Uint8Array): Uint8Array {
  const spki = AsnParser.parse(spkiDer, SubjectPublicKeyInfo);
  if (spki.algorithm.algorithm !== id_ecPublicKey || !spki.algorithm.parameters) return spkiDer;
  const params = AsnParser.parse(spki.algorithm.parameters, ECParameters);
  if (!params.specifiedCurve) return spkiDer;
  const curve = curveOfEcParameters(spki.algorithm.parameters);
  if (!curve) return spkiDer;
  return ecSpkiDer(curve.name, new Uint8Array(spki.subjectPublicKey));
}

/** The uncompressed point (04 || X || Y) of an EC point on `curve`, validated. */
export function uncompressedPoint(curve: EcCurve, point: Uint8Array): Uint8Array {
  const p = curve.Point.fromBytes(point);
  p.assertValidity();
  return p.toBytes(false);
}
