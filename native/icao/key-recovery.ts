/**
 * ECDSA public-key recovery for certificates (SEC 1 v2 §4.1.6): from a certificate's ECDSA signature
 * (r, s) over its tbsCertificate and the hash its signatureAlgorithm names, the public keys that could
 * have made that signature, i.e. the candidate keys of the ISSUER (for a document signer: its CSCA).
 *
 * Why: while a country's CSCA certificate is not public, the station still learns the issuer's key
 * from the document signer (DS) certificates it sees. Two DS certificates of the same CSCA share
 * exactly one recovered key, and that key, not the DS's self-declared authority key identifier (which a
 * forger copies from any genuine SOD), is the issuer's identity: the chair pins it, and a DS signed
 * under another key never passes the pin, whatever names and key identifiers it carries.
 *
 * The issuer's curve is not in the DS certificate: every supported named curve whose order fits the
 * signature is tried, and every candidate is checked with node:crypto. A candidate on a wrong curve
 * also "verifies" (recovery makes any (r, s) verify), but it is a point whose private key nobody
 * knows, and it differs for every signature, so it never links two DS certificates and pinning it
 * trusts nobody. Public certificate data only: nothing here is personal data.
 */
import { AsnParser } from '@peculiar/asn1-schema';
import { ECDSASigValue } from '@peculiar/asn1-ecc';
import type { Certificate } from '@peculiar/asn1-x509';
import { allCurves, bigintToBytes, bytesToBigint, type EcCurve } from './curves';
import { ecSpkiDer } from './ec-spki';
import { digest, ecdsaHashByOid, verifySignature } from './signature';
import { fingerprint, parseCertificate } from './x509';

export interface RecoveredKey {
  /** Curve name from ./curves. */
  curve: string;
  /** SubjectPublicKeyInfo DER with the named curve. */
  spki: Uint8Array;
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

function mod(a: bigint, n: bigint): bigint {
  const r = a % n;
  return r < 0n ? r + n : r;
}

function invert(a: bigint, n: bigint): bigint {
  let [oldR, r] = [mod(a, n), n];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return mod(oldS, n);
}

/** The ECDSA hash integer e: the leftmost bitlen(n) bits of the hash (SEC 1 §4.1.3 step 5). */
function hashInteger(h: Uint8Array, n: bigint): bigint {
  const e = bytesToBigint(h);
  const excess = h.length * 8 - bitLength(n);
  return excess > 0 ? e >> BigInt(excess) : e;
}

function tbsBytes(cert: Certificate): Uint8Array | undefined {
  return cert.tbsCertificateRaw ? new Uint8Array(cert.tbsCertificateRaw) : undefined;
}

/** (r, s) of a certificate's ECDSA signature, X9.62 DER or BSI plain r||s. */
function signatureValues(sig: Uint8Array, plain: boolean): { r: bigint; s: bigint } | undefined {
  try {
    if (plain) {
      if (sig.length === 0 || sig.length % 2 !== 0) return undefined;
      const half = sig.length / 2;
      return { r: bytesToBigint(sig.subarray(0, half)), s: bytesToBigint(sig.subarray(half)) };
    }
    const v = AsnParser.parse(sig, ECDSASigValue);
    return { r: bytesToBigint(new Uint8Array(v.r)), s: bytesToBigint(new Uint8Array(v.s)) };
  } catch {
    return undefined;
  }
}

/**
 * Candidates on one curve: for x = r + j·n < p (j = 0, 1, …) and both parities of y, R = (x, y) and
 * Q = r⁻¹(s·R − e·G). Returns the uncompressed points.
 */
function recoverOnCurve(curve: EcCurve, r: bigint, s: bigint, e: bigint): Uint8Array[] {
  const { n, p } = curve;
  const out: Uint8Array[] = [];
  const rInv = invert(r, n);
  const u1 = mod(-e * rInv, n);
  const u2 = mod(s * rInv, n);
  for (let x = r; x < p; x += n) {
    for (const prefix of [0x02, 0x03]) {
      let R;
      try {
        const bytes = new Uint8Array(curve.size + 1);
        bytes[0] = prefix;
        bytes.set(bigintToBytes(x, curve.size), 1);
        R = curve.Point.fromBytes(bytes);
        R.assertValidity();
      } catch {
        continue; // x is not the abscissa of a point of this curve
      }
      const Q = curve.Point.BASE.mulAddUnsafe(u1, R, u2);
      if (Q.is0()) continue;
      out.push(Q.toBytes(false));
    }
  }
  return out;
}

const memo = new Map<string, RecoveredKey[]>();
const MEMO_MAX = 256;

/**
 * The candidate issuer public keys of `certDer` (empty when it is not ECDSA-signed, or its signature
 * cannot be read). Each candidate verifies the certificate's signature (node:crypto). Memoized per
 * certificate.
 */
export function recoverIssuerKeys(certDer: Uint8Array): RecoveredKey[] {
  const fp = fingerprint(certDer);
  const hit = memo.get(fp);
  if (hit) return hit;
  const out = recoverUncached(certDer);
  if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!);
  memo.set(fp, out);
  return out;
}

function recoverUncached(certDer: Uint8Array): RecoveredKey[] {
  let cert: Certificate;
  try {
    cert = parseCertificate(certDer).cert;
  } catch {
    return [];
  }
  const alg = ecdsaHashByOid(cert.signatureAlgorithm.algorithm);
  const tbs = tbsBytes(cert);
  if (!alg || !tbs) return [];
  const sig = new Uint8Array(cert.signatureValue);
  const rs = signatureValues(sig, alg.plain);
  if (!rs || rs.r === 0n || rs.s === 0n) return [];
  const h = digest(alg.hash, tbs);
  const width = Math.max(bitLength(rs.r), bitLength(rs.s));
  const out: RecoveredKey[] = [];
  for (const curve of allCurves()) {
    if (rs.r >= curve.n || rs.s >= curve.n) continue;
    // r and s are uniform below n: both 48 bits shorter than n happens with probability 2^-96, so a
    // much larger curve is not the signer's (and costs time).
    if (width < bitLength(curve.n) - 48) continue;
    if (alg.plain && sig.length !== 2 * Math.ceil(bitLength(curve.n) / 8)) continue;
    let points: Uint8Array[];
    try {
      points = recoverOnCurve(curve, rs.r, rs.s, hashInteger(h, curve.n));
    } catch {
      continue;
    }
    for (const point of points) {
      const spki = ecSpkiDer(curve.name, point);
      let ok = false;
      try {
        ok = verifySignature(spki, cert.signatureAlgorithm, tbs, sig);
      } catch {
        ok = false; // a curve node:crypto does not know
      }
      if (ok) out.push({ curve: curve.name, spki });
    }
  }
  return out;
}

/** Hex of an SPKI DER (the form the registry stores and compares). */
export function spkiHex(spki: Uint8Array): string {
  return Buffer.from(spki).toString('hex');
}
