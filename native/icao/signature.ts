/**
 * Signature verification for X.509 / CMS algorithm identifiers with node:crypto: RSA PKCS#1 v1.5,
 * RSASSA-PSS (parameters parsed), ECDSA with X9.62 (DER) or BSI TR-03111 plain (r||s) signatures,
 * on any curve OpenSSL knows (brainpool included). EC keys with explicit domain parameters are
 * mapped to their named curve first, because node:crypto does not load explicit parameters.
 */
import { createHash, createPublicKey, constants, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { AsnParser, AsnSerializer } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';
import { bilingualError, IcaoError } from './bilingual';
import { normalizeEcSpki } from './ec-spki';

export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export const OID = {
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  sha224WithRSA: '1.2.840.113549.1.1.14',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha224: '1.2.840.10045.4.3.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  /** BSI TR-03111 ecdsa-plain-signatures: 0.4.0.127.0.7.1.1.4.1.x */
  ecdsaPlainSha1: '0.4.0.127.0.7.1.1.4.1.1',
  ecdsaPlainSha224: '0.4.0.127.0.7.1.1.4.1.2',
  ecdsaPlainSha256: '0.4.0.127.0.7.1.1.4.1.3',
  ecdsaPlainSha384: '0.4.0.127.0.7.1.1.4.1.4',
  ecdsaPlainSha512: '0.4.0.127.0.7.1.1.4.1.5',
} as const;

const HASH_BY_OID: Record<string, HashName> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

interface SigAlg {
  kind: 'rsa' | 'ecdsa' | 'rsa-pss';
  hash?: HashName;
  plain?: boolean;
}

const SIG_ALGS: Record<string, SigAlg> = {
  [OID.sha1WithRSA]: { kind: 'rsa', hash: 'sha1' },
  [OID.sha224WithRSA]: { kind: 'rsa', hash: 'sha224' },
  [OID.sha256WithRSA]: { kind: 'rsa', hash: 'sha256' },
  [OID.sha384WithRSA]: { kind: 'rsa', hash: 'sha384' },
  [OID.sha512WithRSA]: { kind: 'rsa', hash: 'sha512' },
  [OID.rsaEncryption]: { kind: 'rsa' },
  [OID.rsassaPss]: { kind: 'rsa-pss' },
  [OID.ecdsaWithSha1]: { kind: 'ecdsa', hash: 'sha1' },
  [OID.ecdsaWithSha224]: { kind: 'ecdsa', hash: 'sha224' },
  [OID.ecdsaWithSha256]: { kind: 'ecdsa', hash: 'sha256' },
  [OID.ecdsaWithSha384]: { kind: 'ecdsa', hash: 'sha384' },
  [OID.ecdsaWithSha512]: { kind: 'ecdsa', hash: 'sha512' },
  [OID.ecPublicKey]: { kind: 'ecdsa' },
  [OID.ecdsaPlainSha1]: { kind: 'ecdsa', hash: 'sha1', plain: true },
  [OID.ecdsaPlainSha224]: { kind: 'ecdsa', hash: 'sha224', plain: true },
  [OID.ecdsaPlainSha256]: { kind: 'ecdsa', hash: 'sha256', plain: true },
  [OID.ecdsaPlainSha384]: { kind: 'ecdsa', hash: 'sha384', plain: true },
  [OID.ecdsaPlainSha512]: { kind: 'ecdsa', hash: 'sha512', plain: true },
};

export function hashNameByOid(oid: string): HashName | undefined {
  return HASH_BY_OID[oid];
}

export function hashOid(name: HashName): string {
  return OID[name];
}

export function digest(hash: HashName, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hash).update(data).digest());
}

/** Hash used by an ECDSA signature-algorithm OID (X9.62 or BSI plain), if it names one. */
export function ecdsaHashByOid(oid: string): { hash: HashName; plain: boolean } | undefined {
  const a = SIG_ALGS[oid];
  return a && a.kind === 'ecdsa' && a.hash ? { hash: a.hash, plain: !!a.plain } : undefined;
}

function unsupported(what: string): IcaoError {
  return bilingualError(
    'signature_algorithm_unsupported',
    `Thuật toán chữ ký không được hỗ trợ (${what}).`,
    `Unsupported signature algorithm (${what}).`,
  );
}

/** A node:crypto public key from SubjectPublicKeyInfo DER (explicit EC parameters mapped to a named curve). */
export function publicKeyFromSpki(spki: Uint8Array | SubjectPublicKeyInfo): KeyObject {
  const der = spki instanceof Uint8Array ? spki : new Uint8Array(AsnSerializer.serialize(spki));
  try {
    return createPublicKey({ key: Buffer.from(normalizeEcSpki(der)), format: 'der', type: 'spki' });
  } catch (e) {
    throw bilingualError(
      'public_key_unreadable',
      'Không đọc được khóa công khai (đường cong hoặc định dạng không được hỗ trợ).',
      'The public key cannot be read (unsupported curve or format).',
      { cause: e },
    );
  }
}

/** Parses RSASSA-PSS parameters (RFC 4055 defaults: SHA-1, MGF1-SHA-1, salt 20). */
export function pssParameters(params: ArrayBuffer | null | undefined): {
  hash: HashName;
  saltLength: number;
} {
  const p = params ? AsnParser.parse(params, RsaSaPssParams) : new RsaSaPssParams();
  const hash = HASH_BY_OID[p.hashAlgorithm.algorithm];
  if (!hash) throw unsupported(`PSS hash ${p.hashAlgorithm.algorithm}`);
  if (p.maskGenAlgorithm.algorithm !== OID.mgf1)
    throw unsupported(`PSS mask ${p.maskGenAlgorithm.algorithm}`);
  const mgfHashAlg = p.maskGenAlgorithm.parameters
    ? AsnParser.parse(p.maskGenAlgorithm.parameters, AlgorithmIdentifier).algorithm
    : OID.sha1;
  if (HASH_BY_OID[mgfHashAlg] !== hash)
    throw unsupported('PSS with an MGF1 hash different from the message hash');
  if (p.trailerField !== 1) throw unsupported('PSS trailer field');
  return { hash, saltLength: p.saltLength };
}

/** A human-readable name for a signature algorithm (for logs; no personal data). */
export function signatureAlgorithmName(alg: AlgorithmIdentifier): string {
  const a = SIG_ALGS[alg.algorithm];
  if (!a) return alg.algorithm;
  if (a.kind === 'rsa-pss') {
    try {
      const p = pssParameters(alg.parameters);
      return `RSASSA-PSS/${p.hash}`;
    } catch {
      return 'RSASSA-PSS';
    }
  }
  return `${a.kind === 'rsa' ? 'RSA-PKCS1v1.5' : a.plain ? 'ECDSA-plain' : 'ECDSA'}${a.hash ? '/' + a.hash : ''}`;
}

/**
 * Verifies `signature` over `data` with the key in `spki` under algorithm `alg`.
 * `fallbackHash` is used when the algorithm OID names no hash (rsaEncryption / ecPublicKey in CMS).
 * Returns false for a wrong signature; throws IcaoError for an unsupported algorithm or key.
 */
export function verifySignature(
  spki: Uint8Array | SubjectPublicKeyInfo | KeyObject,
  alg: AlgorithmIdentifier,
  data: Uint8Array,
  signature: Uint8Array,
  fallbackHash?: HashName,
): boolean {
  const a = SIG_ALGS[alg.algorithm];
  if (!a) throw unsupported(alg.algorithm);
  const key = isKeyObject(spki) ? spki : publicKeyFromSpki(spki);
  const keyType = key.asymmetricKeyType;
  if (a.kind === 'ecdsa' && keyType !== 'ec') throw unsupported(`ECDSA with a ${keyType} key`);
  if (a.kind !== 'ecdsa' && keyType !== 'rsa' && keyType !== 'rsa-pss')
    throw unsupported(`RSA with a ${keyType} key`);
  if (a.kind === 'rsa-pss') {
    const { hash, saltLength } = pssParameters(alg.parameters);
    return nodeVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
  }
  const hash = a.hash ?? fallbackHash;
  if (!hash) throw unsupported(`${alg.algorithm} without a digest algorithm`);
  if (a.kind === 'rsa') {
    if (keyType === 'rsa-pss') throw unsupported('PKCS#1 v1.5 with an RSASSA-PSS key');
    return nodeVerify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  }
  try {
    return nodeVerify(hash, data, { key, dsaEncoding: a.plain ? 'ieee-p1363' : 'der' }, signature);
  } catch {
    // A malformed DER / wrong-length plain signature is simply not a valid signature.
    return false;
  }
}

function isKeyObject(x: unknown): x is KeyObject {
  return typeof x === 'object' && x !== null && 'asymmetricKeyType' in x && 'export' in x;
}
