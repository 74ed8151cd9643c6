import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * PIN hashing with node:crypto scrypt: a random 16-byte salt per PIN, parameters stored with the
 * hash so they can be raised later without breaking old accounts, and a timing-safe comparison.
 * Stored form: `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`.
 */

const N = 1 << 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const MAXMEM = 64 * 1024 * 1024;

function derive(pin: string, salt: Buffer, n: number, r: number, p: number, len: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin.normalize('NFC'), salt, len, { N: n, r, p, maxmem: MAXMEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, N, R, P, KEY_LEN);
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `pin` matches `stored`. A malformed stored value never matches. */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n > 1 << 20) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || expected.length < 16) return false;
  const key = await derive(pin, salt, n, r, p, expected.length);
  return timingSafeEqual(key, expected);
}

/** A hash of a random PIN: compared against when the user does not exist, so timing does not tell. */
let dummy: Promise<string> | undefined;
export function dummyPinHash(): Promise<string> {
  dummy ??= hashPin(randomBytes(8).toString('hex'));
  return dummy;
}
