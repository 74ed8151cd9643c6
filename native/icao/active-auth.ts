/**
 * Active Authentication (ICAO 9303-11 §6.1): the chip signs the terminal's 8-byte challenge with the
 * private key matching DG15.
 *  - RSA: ISO/IEC 9796-2 digital signature scheme 1 (message recovery). The recovered block is
 *    header '6A' (partial recovery) || M1 || H(M1 || challenge) || trailer, the trailer being 'BC'
 *    (implicit SHA-1) or two bytes 'xx CC' naming the hash (ISO/IEC 10118-3 identifier: 33 SHA-1,
 *    34 SHA-256, 35 SHA-512, 36 SHA-384, 38 SHA-224). Raw RSA via node:crypto with no padding.
 *  - ECDSA: plain r || s (BSI TR-03111), hash from DG14 ActiveAuthenticationInfo.
 * Both verify (terminal side) and sign (software card side).
 */
import {
  constants,
  createPrivateKey,
  privateEncrypt,
  publicDecrypt,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import type { CheckOutcome, Reason } from '../domain/vocabulary';
import type { CardTransport } from '../transport/types';
import { concat, equalBytes } from '../util/bytes';
import { encodeCommand, parseResponse } from '../iso7816/apdu';
import { reason } from './bilingual';
import { digest, publicKeyFromSpki, type HashName } from './signature';
import type { ActiveAuthPublicKey } from './lds';

const HASH_LENGTH: Record<HashName, number> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/** ISO/IEC 10118-3 hash-function identifiers used in the two-byte 9796-2 trailer. */
const TRAILER_ID: Record<HashName, number> = {
  sha1: 0x33,
  sha256: 0x34,
  sha512: 0x35,
  sha384: 0x36,
  sha224: 0x38,
};

export interface AaVerification {
  ok: boolean;
  /** Stable code: 'ok', 'aa_signature_invalid', 'aa_format', 'aa_hash_unknown'. */
  code: string;
  /** The hash that was used (RSA: from the trailer; ECDSA: given or found). */
  hash?: HashName;
}

export interface AaVerifyOptions {
  /** ECDSA: the hash from DG14 ActiveAuthenticationInfo. When absent, common hashes are tried. */
  ecdsaHash?: HashName;
  /** RSA with the implicit 'BC' trailer: the hash (default SHA-1 as ISO/IEC 9796-2 implies). */
  implicitTrailerHash?: HashName;
}

function modulusBytes(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new RangeError('not an RSA key');
  return Math.ceil(bits / 8);
}

/** Verifies an AA response against `challenge` with the DG15 key. */
export function verifyActiveAuth(
  key: ActiveAuthPublicKey | KeyObject,
  challenge: Uint8Array,
  signature: Uint8Array,
  options: AaVerifyOptions = {},
): AaVerification {
  const pub = 'spki' in key ? publicKeyFromSpki(key.spki) : key;
  if (pub.asymmetricKeyType === 'rsa') return verifyRsa9796(pub, challenge, signature, options);
  if (pub.asymmetricKeyType === 'ec') return verifyEcdsa(pub, challenge, signature, options);
  return { ok: false, code: 'aa_format' };
}

function verifyRsa9796(
  key: KeyObject,
  challenge: Uint8Array,
  signature: Uint8Array,
  options: AaVerifyOptions,
): AaVerification {
  const k = modulusBytes(key);
  if (signature.length !== k) return { ok: false, code: 'aa_format' };
  let block: Uint8Array;
  try {
    block = new Uint8Array(publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature));
  } catch {
    return { ok: false, code: 'aa_signature_invalid' };
  }
  // Header: the first two bits are '01'; the third says partial (1) or total (0) recovery.
  if ((block[0]! & 0xc0) !== 0x40) return { ok: false, code: 'aa_signature_invalid' };
  const last = block[block.length - 1]!;
  let hash: HashName | undefined;
  let trailerLength: number;
  if (last === 0xbc) {
    hash = options.implicitTrailerHash ?? 'sha1';
    trailerLength = 1;
  } else if (last === 0xcc) {
    const id = block[block.length - 2]!;
    hash = (Object.keys(TRAILER_ID) as HashName[]).find((h) => TRAILER_ID[h] === id);
    if (!hash) return { ok: false, code: 'aa_hash_unknown' };
    trailerLength = 2;
  } else {
    return { ok: false, code: 'aa_signature_invalid' };
  }
  const hLen = HASH_LENGTH[hash];
  // The padding ends at the first byte whose low nibble is 'A' (the header '6A' in practice).
  let start = 0;
  while (start < block.length && (block[start]! & 0x0f) !== 0x0a) start++;
  start++;
  const hashStart = block.length - trailerLength - hLen;
  if (start > hashStart) return { ok: false, code: 'aa_signature_invalid', hash };
  const m1 = block.subarray(start, hashStart);
  const partial = (block[0]! & 0x20) !== 0;
  const message = partial ? concat(m1, challenge) : m1;
  if (!partial && !equalBytes(m1, challenge)) return { ok: false, code: 'aa_signature_invalid', hash };
  const ok = equalBytes(digest(hash, message), block.subarray(hashStart, hashStart + hLen));
  return { ok, code: ok ? 'ok' : 'aa_signature_invalid', hash };
}

function verifyEcdsa(
  key: KeyObject,
  challenge: Uint8Array,
  signature: Uint8Array,
  options: AaVerifyOptions,
): AaVerification {
  const hashes: HashName[] = options.ecdsaHash
    ? [options.ecdsaHash]
    : ['sha256', 'sha1', 'sha384', 'sha512', 'sha224'];
  // Plain r || s is the ICAO format; a DER signature (seen on a few chips) is accepted too.
  const encodings: Array<'ieee-p1363' | 'der'> = isDerSig(signature) ? ['ieee-p1363', 'der'] : ['ieee-p1363'];
  for (const hash of hashes) {
    for (const dsaEncoding of encodings) {
      let ok = false;
      try {
        ok = nodeVerify(hash, challenge, { key, dsaEncoding }, signature);
      } catch {
        ok = false;
      }
      if (ok) return { ok: true, code: 'ok', hash };
    }
  }
  return { ok: false, code: 'aa_signature_invalid', hash: options.ecdsaHash };
}

function isDerSig(sig: Uint8Array): boolean {
  return sig.length >= 8 && sig[0] === 0x30 && sig[1] === sig.length - 2 && sig[2] === 0x02;
}

// ---------------------------------------------------------------------------------------------
// Terminal side over a transport

export interface ActiveAuthResult {
  outcome: CheckOutcome;
  /** 'ok', 'aa_not_supported', 'aa_refused', or a verification code ('aa_signature_invalid', ...). */
  code: string;
  hash?: HashName;
  /** The chip's status word when it did not answer 9000. */
  sw?: number;
  reason?: Reason;
}

/** Status words a chip without AA would give: for a chip whose SOD lists DG15 they are a failure. */
const NOT_SUPPORTED_SW = new Set([0x6d00, 0x6e00, 0x6a81, 0x6a88]);

/**
 * INTERNAL AUTHENTICATE with a random 8-byte challenge over `transport` (normally the secure
 * channel) and verification with the DG15 key. Card-removal and timeout errors pass through.
 *
 * Only a signature that verifies is a pass. A chip that has a DG15 key has Active Authentication,
 * so any other answer (6D00 "not supported", a refusal, a bare status word) is a FAILURE: a clone
 * that copied DG15 cannot sign and would like to be taken for a chip without AA.
 */
export async function activeAuthenticate(
  transport: CardTransport,
  key: ActiveAuthPublicKey,
  options: AaVerifyOptions & { challenge?: Uint8Array } = {},
): Promise<ActiveAuthResult> {
  const challenge = options.challenge ?? new Uint8Array(randomBytes(8));
  // RSA: one modulus-sized block; ECDSA: r || s, twice the field size (= point length - 1).
  const expected =
    key.kind === 'rsa' ? Math.ceil((key.modulusBits ?? 2048) / 8) : (key.point?.length ?? 65) - 1;
  const le = expected <= 256 ? 256 : expected;
  const response = parseResponse(
    await transport.transmit(encodeCommand({ cla: 0, ins: 0x88, p1: 0, p2: 0, data: challenge, le })),
  );
  if (response.sw !== 0x9000 || response.data.length === 0) {
    const notSupported = NOT_SUPPORTED_SW.has(response.sw);
    return {
      outcome: 'fail',
      code: notSupported ? 'aa_not_supported' : 'aa_refused',
      sw: response.sw,
      reason: reason(
        'active_auth_failed',
        'error',
        notSupported
          ? 'Chip có khóa xác thực chủ động (DG15) nhưng trả lời không hỗ trợ AA: có thể là chip sao chép.'
          : 'Chip có khóa xác thực chủ động (DG15) nhưng từ chối ký: có thể là chip sao chép.',
        notSupported
          ? 'The chip has an Active Authentication key (DG15) but answers that it does not support AA: it may be a cloned chip.'
          : 'The chip has an Active Authentication key (DG15) but refused to sign: it may be a cloned chip.',
      ),
    };
  }
  const v = verifyActiveAuth(key, challenge, response.data, options);
  const out: ActiveAuthResult = { outcome: v.ok ? 'pass' : 'fail', code: v.code };
  if (v.hash) out.hash = v.hash;
  if (!v.ok) {
    out.reason = reason(
      'active_auth_failed',
      'error',
      'Chữ ký xác thực chủ động (AA) của chip không hợp lệ: có thể là chip sao chép.',
      'The Active Authentication signature is invalid: the chip may be a clone.',
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Card side

export interface RsaAaSignOptions {
  /** Default SHA-1 with the implicit 'BC' trailer (what most chips do). */
  hash?: HashName;
  /** 'implicit' = 'BC' (SHA-1 only by the standard); 'explicit' = 'xx CC'. Default: implicit for SHA-1. */
  trailer?: 'implicit' | 'explicit';
  /** M1 (the recoverable random part); random by default. Its length must fit the block exactly. */
  m1?: Uint8Array;
}

/** ISO/IEC 9796-2 scheme 1 signature of `challenge` (partial recovery), as an RSA chip computes it. */
export function signActiveAuthRsa(
  privateKey: KeyObject,
  challenge: Uint8Array,
  options: RsaAaSignOptions = {},
): Uint8Array {
  const hash = options.hash ?? 'sha1';
  const trailer = options.trailer ?? (hash === 'sha1' ? 'implicit' : 'explicit');
  const trailerBytes = trailer === 'implicit' ? Uint8Array.of(0xbc) : Uint8Array.of(TRAILER_ID[hash], 0xcc);
  const k = modulusBytes(privateKey);
  const m1Length = k - 1 - HASH_LENGTH[hash] - trailerBytes.length;
  if (m1Length < 1) throw new RangeError('RSA key too small for this hash');
  const m1 = options.m1 ?? new Uint8Array(randomBytes(m1Length));
  if (m1.length !== m1Length) throw new RangeError(`M1 must be ${m1Length} bytes`);
  const h = digest(hash, concat(m1, challenge));
  const block = concat(Uint8Array.of(0x6a), m1, h, trailerBytes);
  return new Uint8Array(privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block));
}

/** ECDSA AA signature of `challenge`, plain r || s. */
export function signActiveAuthEcdsa(
  privateKey: KeyObject,
  challenge: Uint8Array,
  hash: HashName = 'sha256',
): Uint8Array {
  return new Uint8Array(nodeSign(hash, challenge, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
}

/**
 * A `signChallenge` hook for the software card engine: RSA keys sign with ISO/IEC 9796-2, EC keys
 * with plain ECDSA. `privateKey` may be a KeyObject or PKCS#8 DER.
 */
export function challengeSigner(
  privateKey: KeyObject | Uint8Array,
  options: { rsa?: RsaAaSignOptions; ecdsaHash?: HashName } = {},
): (challenge: Uint8Array) => Promise<Uint8Array> {
  const key =
    privateKey instanceof Uint8Array
      ? createPrivateKey({ key: Buffer.from(privateKey), format: 'der', type: 'pkcs8' })
      : privateKey;
  return (challenge) =>
    Promise.resolve(
      key.asymmetricKeyType === 'rsa'
        ? signActiveAuthRsa(key, challenge, options.rsa)
        : signActiveAuthEcdsa(key, challenge, options.ecdsaHash ?? 'sha256'),
    );
}
