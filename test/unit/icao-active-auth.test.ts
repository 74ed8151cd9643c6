/**
 * Active Authentication signatures: RSA ISO/IEC 9796-2 scheme 1 (implicit 'BC' and explicit
 * two-byte trailers) and plain ECDSA, each signed the way a chip does and verified the way the
 * terminal does, plus wrong keys, wrong challenges and tampered signatures.
 */
import { constants, createPublicKey, generateKeyPairSync, publicDecrypt, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hex } from '../../native/util/bytes';
import {
  activeAuthenticate,
  challengeSigner,
  signActiveAuthEcdsa,
  signActiveAuthRsa,
  verifyActiveAuth,
} from '../../native/icao/active-auth';
import { parseDg15 } from '../../native/icao/lds';
import { digest } from '../../native/icao/signature';
import { encode } from '../../native/iso7816/tlv';

const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' });
const otherEc = generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' });
const challenge = Uint8Array.from([0x47, 0x11, 0x08, 0x15, 0x99, 0xaa, 0x01, 0xfe]);

/** The DG15 view of a public key, as the terminal has it. */
function dg15Key(publicKey: ReturnType<typeof createPublicKey>) {
  return parseDg15(encode(0x6f, new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }))));
}

describe('RSA ISO/IEC 9796-2 scheme 1', () => {
  it('signs like a chip: 6A || M1 || SHA-1(M1 || challenge) || BC, and verifies', () => {
    const m1 = new Uint8Array(106).map((_, i) => (i * 7 + 3) & 0xff);
    const sig = signActiveAuthRsa(rsa1024.privateKey, challenge, { m1 });
    expect(sig.length).toBe(128);
    const block = new Uint8Array(
      publicDecrypt({ key: rsa1024.publicKey, padding: constants.RSA_NO_PADDING }, sig),
    );
    expect(block[0]).toBe(0x6a);
    expect(block[127]).toBe(0xbc);
    expect(hex(block.subarray(1, 107))).toBe(hex(m1));
    expect(hex(block.subarray(107, 127))).toBe(hex(digest('sha1', Uint8Array.from([...m1, ...challenge]))));
    expect(verifyActiveAuth(dg15Key(rsa1024.publicKey), challenge, sig)).toEqual({
      ok: true,
      code: 'ok',
      hash: 'sha1',
    });
  });

  it('round-trips SHA-256 with the explicit two-byte trailer (34 CC) on RSA-2048', () => {
    const sig = signActiveAuthRsa(rsa2048.privateKey, challenge, { hash: 'sha256' });
    const block = new Uint8Array(
      publicDecrypt({ key: rsa2048.publicKey, padding: constants.RSA_NO_PADDING }, sig),
    );
    expect(hex(block.subarray(254))).toBe('34CC');
    expect(verifyActiveAuth(dg15Key(rsa2048.publicKey), challenge, sig)).toEqual({
      ok: true,
      code: 'ok',
      hash: 'sha256',
    });
  });

  it('fails with the wrong key, another challenge, or a changed signature', () => {
    const sig = signActiveAuthRsa(rsa1024.privateKey, challenge);
    expect(verifyActiveAuth(dg15Key(otherRsa.publicKey), challenge, sig).ok).toBe(false);
    const other = challenge.slice();
    other[7] = other[7]! ^ 1;
    expect(verifyActiveAuth(dg15Key(rsa1024.publicKey), other, sig)).toMatchObject({
      ok: false,
      code: 'aa_signature_invalid',
    });
    const bad = sig.slice();
    bad[60] = bad[60]! ^ 0x10;
    expect(verifyActiveAuth(dg15Key(rsa1024.publicKey), challenge, bad).ok).toBe(false);
    expect(verifyActiveAuth(dg15Key(rsa1024.publicKey), challenge, sig.subarray(1))).toMatchObject({
      ok: false,
      code: 'aa_format',
    });
  });

  it('is not fooled by a PKCS#1 v1.5 signature of the challenge', () => {
    const pkcs1 = new Uint8Array(sign('sha1', challenge, rsa1024.privateKey));
    expect(verifyActiveAuth(dg15Key(rsa1024.publicKey), challenge, pkcs1).ok).toBe(false);
  });
});

describe('ECDSA (plain r || s)', () => {
  it('round-trips with the DG14 hash and fails with the wrong key or hash', () => {
    const sig = signActiveAuthEcdsa(ec.privateKey, challenge, 'sha256');
    expect(sig.length).toBe(64);
    const key = dg15Key(ec.publicKey);
    expect(key.curve).toBe('brainpoolP256r1');
    expect(verifyActiveAuth(key, challenge, sig, { ecdsaHash: 'sha256' })).toEqual({
      ok: true,
      code: 'ok',
      hash: 'sha256',
    });
    expect(verifyActiveAuth(dg15Key(otherEc.publicKey), challenge, sig, { ecdsaHash: 'sha256' }).ok).toBe(
      false,
    );
    expect(verifyActiveAuth(key, challenge, sig, { ecdsaHash: 'sha1' }).ok).toBe(false);
  });

  it('finds the hash when DG14 does not name it, and accepts a DER signature', () => {
    const sig = signActiveAuthEcdsa(ec.privateKey, challenge, 'sha384');
    expect(verifyActiveAuth(dg15Key(ec.publicKey), challenge, sig)).toEqual({
      ok: true,
      code: 'ok',
      hash: 'sha384',
    });
    const der = new Uint8Array(sign('sha256', challenge, { key: ec.privateKey, dsaEncoding: 'der' }));
    expect(verifyActiveAuth(dg15Key(ec.publicKey), challenge, der, { ecdsaHash: 'sha256' }).ok).toBe(true);
  });
});

describe('challengeSigner (the card engine hook)', () => {
  it('signs RSA and EC challenges that verify, from KeyObjects or PKCS#8 DER', async () => {
    const rsaSign = challengeSigner(
      new Uint8Array(rsa1024.privateKey.export({ type: 'pkcs8', format: 'der' })),
    );
    expect(verifyActiveAuth(rsa1024.publicKey, challenge, await rsaSign(challenge)).ok).toBe(true);
    const ecSign = challengeSigner(ec.privateKey, { ecdsaHash: 'sha512' });
    expect(
      verifyActiveAuth(ec.publicKey, challenge, await ecSign(challenge), { ecdsaHash: 'sha512' }).ok,
    ).toBe(true);
  });
});

describe('INTERNAL AUTHENTICATE over a transport (issue 9 item 2)', () => {
  const key = dg15Key(rsa1024.publicKey);
  const answering = (response: Uint8Array) => ({
    name: 'chip',
    limits: { maxCommandLength: 261, maxResponseLength: 258, extendedLength: false },
    transmit: () => Promise.resolve(response),
  });

  it.each([[0x6d00], [0x6e00], [0x6a81], [0x6a88], [0x6982], [0x6f00], [0x9000]])(
    'a chip with a DG15 key that answers %s (no signature) fails AA, it is not "not supported"',
    async (sw) => {
      const r = await activeAuthenticate(answering(Uint8Array.of(sw >> 8, sw & 0xff)), key);
      expect(r.outcome).toBe('fail');
      expect(r.reason?.code).toBe('active_auth_failed');
      expect(r.reason?.severity).toBe('error');
    },
  );

  it('a signature that verifies passes', async () => {
    const sign = challengeSigner(rsa1024.privateKey);
    let sent: Uint8Array | undefined;
    const t = {
      name: 'chip',
      limits: { maxCommandLength: 261, maxResponseLength: 258, extendedLength: false },
      transmit: async (cmd: Uint8Array) => {
        sent = cmd.subarray(5, 13);
        const sig = await sign(sent);
        return Uint8Array.from([...sig, 0x90, 0x00]);
      },
    };
    const r = await activeAuthenticate(t, key);
    expect(sent).toBeDefined();
    expect(r.outcome).toBe('pass');
  });
});
