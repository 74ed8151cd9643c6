/**
 * Forger review, round 2 (issue 9): secure-messaging answers without DO 99 (accepted when the MAC
 * verifies, for vsmartcard's ePass). A man in the middle (or a relay) can change the UNPROTECTED
 * status word of such an answer; it must never turn a refusal into data, and a protected answer must
 * never be accepted twice (replay) or under another counter.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SmSession, protectResponse, unprotectResponse } from '../../native/icao/sm';
import { encodeResponse } from '../../native/iso7816/apdu';
import { encode } from '../../native/iso7816/tlv';

const keys = (): [Uint8Array, Uint8Array] => [randomBytes(16), randomBytes(16)];

function pair(): { card: SmSession; kiosk: SmSession } {
  const [enc, mac] = keys();
  return { card: new SmSession('AES-128', enc, mac), kiosk: new SmSession('AES-128', enc, mac) };
}

/** A card answer without DO 99: DO 8E over SSC (and DO 87 when there is data), plain status word. */
function noDo99(card: SmSession, data: Uint8Array, sw: number): Uint8Array {
  card.incrementSsc();
  const dataDo = data.length ? encode(0x87, Uint8Array.of(0x01, ...card.encrypt(data))) : new Uint8Array(0);
  const mac = card.mac(Uint8Array.of(...card.ssc, ...dataDo));
  return encodeResponse(Uint8Array.of(...dataDo, ...encode(0x8e, mac)), sw);
}

function withSw(apdu: Uint8Array, sw: number): Uint8Array {
  const out = apdu.slice();
  out[out.length - 2] = sw >> 8;
  out[out.length - 1] = sw & 0xff;
  return out;
}

describe('SM answers without DO 99', () => {
  it('an error answer (no DO 99) is never accepted as data', () => {
    const { card, kiosk } = pair();
    const r = noDo99(card, new Uint8Array(0), 0x6a82);
    expect(() => unprotectResponse(kiosk, r)).toThrow();
  });

  it("a MITM setting 9000 on a DO99-less answer gets at most the chip's own MAC'd data, never other data", () => {
    const { card, kiosk } = pair();
    const secret = Uint8Array.of(1, 2, 3);
    const r = withSw(noDo99(card, secret, 0x6282), 0x9000);
    const out = unprotectResponse(kiosk, r);
    expect(Buffer.from(out.data)).toEqual(Buffer.from(secret));
  });

  it('a DO 99 answer saying 6A82 stays 6A82 whatever the outer status word says', () => {
    const { card, kiosk } = pair();
    const r = withSw(protectResponse(card, new Uint8Array(0), 0x6a82), 0x9000);
    expect(unprotectResponse(kiosk, r).sw).toBe(0x6a82);
  });

  it('a verified answer replayed for the next command fails its MAC', () => {
    const { card, kiosk } = pair();
    const r = noDo99(card, Uint8Array.of(9, 9), 0x9000);
    unprotectResponse(kiosk, r);
    expect(() => unprotectResponse(kiosk, r)).toThrow();
  });

  it('stripping DO 99 from a protected error answer fails its MAC', () => {
    const { card, kiosk } = pair();
    const full = protectResponse(card, new Uint8Array(0), 0x6a82);
    // body = 99 02 6A 82 | 8E 08 mac
    const body = full.subarray(0, full.length - 2);
    const stripped = encodeResponse(body.subarray(4), 0x9000);
    expect(() => unprotectResponse(kiosk, stripped)).toThrow();
  });
});
