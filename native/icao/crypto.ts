/**
 * Symmetric crypto of ICAO 9303 part 11 on top of node:crypto: 3DES and AES (CBC/ECB, zero IV),
 * ISO 9797-1 padding method 2, the retail MAC (ISO 9797-1 MAC algorithm 3 with DES), AES-CMAC
 * (NIST SP 800-38B; node:crypto has no CMAC) and the ICAO key derivation function.
 */

import { createCipheriv, createDecipheriv, createHash, randomBytes as nodeRandomBytes } from 'node:crypto';
import { concat } from '../util/bytes';

/** Block ciphers used by BAC, PACE, CA and secure messaging. 3DES is two-key 3DES (16-byte keys). */
export type CipherAlg = '3DES' | 'AES-128' | 'AES-192' | 'AES-256';

export class CryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CryptoError';
  }
}

export function blockSize(alg: CipherAlg): 8 | 16 {
  return alg === '3DES' ? 8 : 16;
}

export function keyLength(alg: CipherAlg): number {
  switch (alg) {
    case '3DES':
    case 'AES-128':
      return 16;
    case 'AES-192':
      return 24;
    case 'AES-256':
      return 32;
  }
}

export function randomBytes(n: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(n));
}

function u8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function nodeCipherName(alg: CipherAlg, key: Uint8Array, mode: 'cbc' | 'ecb'): string {
  if (alg === '3DES') {
    if (key.length === 16) return `des-ede-${mode}`;
    if (key.length === 24) return `des-ede3-${mode}`;
    if (key.length === 8) return `des-ede-${mode}`; // expanded to K||K below (single DES)
    throw new CryptoError(`3DES key must be 8, 16 or 24 bytes, got ${key.length}`);
  }
  if (key.length !== keyLength(alg)) throw new CryptoError(`${alg} key must be ${keyLength(alg)} bytes`);
  return `aes-${key.length * 8}-${mode}`;
}

function run(
  encrypt: boolean,
  alg: CipherAlg,
  mode: 'cbc' | 'ecb',
  key: Uint8Array,
  data: Uint8Array,
  iv?: Uint8Array,
): Uint8Array {
  const bs = blockSize(alg);
  if (data.length % bs !== 0) throw new CryptoError(`data length ${data.length} is not a multiple of ${bs}`);
  const name = nodeCipherName(alg, key, mode);
  // Single DES (8-byte key) is two-key 3DES with K1 = K2: OpenSSL 3 keeps plain DES in the legacy provider.
  const k = alg === '3DES' && key.length === 8 ? concat(key, key) : key;
  const ivBytes = mode === 'ecb' ? null : (iv ?? new Uint8Array(bs));
  if (ivBytes && ivBytes.length !== bs) throw new CryptoError(`IV must be ${bs} bytes`);
  const c = encrypt ? createCipheriv(name, k, ivBytes) : createDecipheriv(name, k, ivBytes);
  c.setAutoPadding(false);
  return u8(Buffer.concat([c.update(data), c.final()]));
}

/** CBC encryption, zero IV unless given; `data` must be block-aligned (pad it first). */
export function cbcEncrypt(alg: CipherAlg, key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  return run(true, alg, 'cbc', key, data, iv);
}

export function cbcDecrypt(alg: CipherAlg, key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  return run(false, alg, 'cbc', key, data, iv);
}

export function ecbEncrypt(alg: CipherAlg, key: Uint8Array, data: Uint8Array): Uint8Array {
  return run(true, alg, 'ecb', key, data);
}

export function ecbDecrypt(alg: CipherAlg, key: Uint8Array, data: Uint8Array): Uint8Array {
  return run(false, alg, 'ecb', key, data);
}

/** ISO/IEC 9797-1 padding method 2: append 80 then 00 up to a multiple of the block size (always pads). */
export function pad(data: Uint8Array, bs: number): Uint8Array {
  const len = (Math.floor(data.length / bs) + 1) * bs;
  const out = new Uint8Array(len);
  out.set(data, 0);
  out[data.length] = 0x80;
  return out;
}

/** Removes ISO/IEC 9797-1 method 2 padding; throws when the padding is malformed. */
export function unpad(data: Uint8Array): Uint8Array {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0x00) i--;
  if (i < 0 || data[i] !== 0x80) throw new CryptoError('invalid ISO 9797-1 padding');
  return data.subarray(0, i);
}

/**
 * Retail MAC: ISO/IEC 9797-1 MAC algorithm 3 with DES, padding method 2 applied here.
 * key = Ka || Kb (16 bytes); CBC-DES with Ka over all blocks, then D(Kb) and E(Ka) on the last.
 */
export function retailMac(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 16) throw new CryptoError('retail MAC key must be 16 bytes');
  const ka = key.subarray(0, 8);
  const kb = key.subarray(8, 16);
  const padded = pad(data, 8);
  const cbc = cbcEncrypt('3DES', ka, padded);
  const last = cbc.subarray(cbc.length - 8);
  return ecbEncrypt('3DES', ka, ecbDecrypt('3DES', kb, last));
}

function shiftLeft1(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(block.length);
  let carry = 0;
  for (let i = block.length - 1; i >= 0; i--) {
    const b = block[i]!;
    out[i] = ((b << 1) & 0xff) | carry;
    carry = b >> 7;
  }
  return out;
}

function aesAlgFor(key: Uint8Array): CipherAlg {
  if (key.length === 16) return 'AES-128';
  if (key.length === 24) return 'AES-192';
  if (key.length === 32) return 'AES-256';
  throw new CryptoError(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
}

/** AES-CMAC (NIST SP 800-38B / RFC 4493), full 16-byte tag. */
export function aesCmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  const alg = aesAlgFor(key);
  const l = ecbEncrypt(alg, key, new Uint8Array(16));
  const subkey = (b: Uint8Array): Uint8Array => {
    const s = shiftLeft1(b);
    if (b[0]! & 0x80) s[15] = s[15]! ^ 0x87;
    return s;
  };
  const k1 = subkey(l);
  const k2 = subkey(k1);
  const n = Math.max(1, Math.ceil(data.length / 16));
  const complete = data.length > 0 && data.length % 16 === 0;
  const last = new Uint8Array(16);
  const lastStart = (n - 1) * 16;
  if (complete) {
    for (let i = 0; i < 16; i++) last[i] = data[lastStart + i]! ^ k1[i]!;
  } else {
    const rest = data.subarray(lastStart);
    last.set(rest, 0);
    last[rest.length] = 0x80;
    for (let i = 0; i < 16; i++) last[i] = last[i]! ^ k2[i]!;
  }
  const input = concat(data.subarray(0, lastStart), last);
  const cbc = cbcEncrypt(alg, key, input);
  return cbc.slice(cbc.length - 16);
}

/** Sets the odd-parity bit (least significant bit) of every byte of a DES key. */
export function adjustParity(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) {
    const b = key[i]! & 0xfe;
    let ones = 0;
    for (let x = b; x; x >>= 1) ones += x & 1;
    out[i] = b | (ones % 2 === 0 ? 1 : 0);
  }
  return out;
}

/**
 * ICAO 9303 part 11 key derivation: KDF(K, c) = H(K || c as 32-bit big endian), cut to the key size.
 * SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256. 3DES keys get DES parity bits.
 * Counters: 1 = encryption key, 2 = MAC key, 3 = PACE password key.
 */
export function kdf(secret: Uint8Array, counter: number, cipher: CipherAlg): Uint8Array {
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff)
    throw new CryptoError('bad KDF counter');
  const c = new Uint8Array(4);
  new DataView(c.buffer).setUint32(0, counter);
  const hash = cipher === '3DES' || cipher === 'AES-128' ? 'sha1' : 'sha256';
  const digest = u8(createHash(hash).update(secret).update(c).digest());
  const key = digest.slice(0, keyLength(cipher));
  return cipher === '3DES' ? adjustParity(key) : key;
}

export function sha1(data: Uint8Array): Uint8Array {
  return u8(createHash('sha1').update(data).digest());
}

/** XOR of two equal-length byte strings. */
export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new CryptoError('xor of different lengths');
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}
