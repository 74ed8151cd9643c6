/**
 * Basic Access Control (ICAO 9303 part 11 §4.3, appendix D): document basic access keys from the
 * MRZ information, mutual authentication with GET CHALLENGE / EXTERNAL AUTHENTICATE, session keys
 * and the send sequence counter. The pure functions are shared with the card side (software card).
 */

import { concat, equalBytes } from '../util/bytes';
import { encodeCommand, parseResponse } from '../iso7816/apdu';
import { cbcDecrypt, cbcEncrypt, kdf, randomBytes, retailMac, sha1, xor } from './crypto';
import { SmSession } from './sm';
import { CardStatusError, IcaoError } from '../iso7816/sw';
import type { CardTransport } from '../transport/types';

function ascii(text: string): Uint8Array {
  if (!/^[\x20-\x7e]*$/.test(text)) {
    throw new IcaoError('mrz_invalid', { vi: 'Thông tin MRZ không hợp lệ', en: 'invalid MRZ information' });
  }
  return new TextEncoder().encode(text);
}

/** K_seed = first 16 bytes of SHA-1(MRZ information) (appendix D.2). */
export function bacKeySeed(mrzInfo: string): Uint8Array {
  return sha1(ascii(mrzInfo)).slice(0, 16);
}

export interface KeyPair3Des {
  kEnc: Uint8Array;
  kMac: Uint8Array;
}

/** Document basic access keys K_enc, K_mac (appendix D.2). */
export function bacKeys(mrzInfo: string): KeyPair3Des {
  const seed = bacKeySeed(mrzInfo);
  return { kEnc: kdf(seed, 1, '3DES'), kMac: kdf(seed, 2, '3DES') };
}

/** Cryptogram || MAC as sent in EXTERNAL AUTHENTICATE and returned by the chip: E(K_enc, S) || MAC(K_mac, E). */
export function bacCryptogram(keys: KeyPair3Des, s: Uint8Array): Uint8Array {
  const e = cbcEncrypt('3DES', keys.kEnc, s);
  return concat(e, retailMac(keys.kMac, e));
}

/** Verifies the MAC of a 40-byte cryptogram and returns the decrypted 32 bytes, or undefined. */
export function bacOpenCryptogram(keys: KeyPair3Des, data: Uint8Array): Uint8Array | undefined {
  if (data.length !== 40) return undefined;
  const e = data.subarray(0, 32);
  if (!equalBytes(retailMac(keys.kMac, e), data.subarray(32, 40))) return undefined;
  return cbcDecrypt('3DES', keys.kEnc, e);
}

/** Session keys and SSC from K.IFD, K.IC, RND.IC, RND.IFD (appendix D.3). */
export function bacSessionKeys(
  kIfd: Uint8Array,
  kIc: Uint8Array,
  rndIc: Uint8Array,
  rndIfd: Uint8Array,
): SmSession {
  const seed = xor(kIfd, kIc);
  const ssc = concat(rndIc.subarray(4, 8), rndIfd.subarray(4, 8));
  return new SmSession('3DES', kdf(seed, 1, '3DES'), kdf(seed, 2, '3DES'), ssc);
}

/** Terminal: S = RND.IFD || RND.IC || K.IFD, encrypted and MACed (EXTERNAL AUTHENTICATE data). */
export function bacTerminalMessage(
  keys: KeyPair3Des,
  rndIfd: Uint8Array,
  rndIc: Uint8Array,
  kIfd: Uint8Array,
): Uint8Array {
  return bacCryptogram(keys, concat(rndIfd, rndIc, kIfd));
}

/**
 * Card side of EXTERNAL AUTHENTICATE: checks the terminal's cryptogram against RND.IC and answers
 * E(RND.IC || RND.IFD || K.IC) with its MAC, plus the session. Undefined when authentication fails.
 */
export function bacCardRespond(
  keys: KeyPair3Des,
  rndIc: Uint8Array,
  cmdData: Uint8Array,
  kIc: Uint8Array = randomBytes(16),
): { response: Uint8Array; session: SmSession } | undefined {
  const s = bacOpenCryptogram(keys, cmdData);
  if (!s) return undefined;
  const rndIfd = s.subarray(0, 8);
  if (!equalBytes(s.subarray(8, 16), rndIc)) return undefined;
  const kIfd = s.subarray(16, 32);
  const response = bacCryptogram(keys, concat(rndIc, rndIfd, kIc));
  return { response, session: bacSessionKeys(kIfd, kIc, rndIc, rndIfd) };
}

export interface BacOptions {
  /** Fixed RND.IFD and K.IFD for reproducible tests; random otherwise. */
  rndIfd?: Uint8Array;
  kIfd?: Uint8Array;
}

const BAC_FAILED = {
  vi: 'Không mở được chip bằng BAC: thông tin MRZ (số giấy tờ, ngày sinh, ngày hết hạn) không khớp',
  en: 'BAC failed: the MRZ information (document number, birth date, expiry date) does not match the chip',
};

/** Terminal side of BAC: GET CHALLENGE, EXTERNAL AUTHENTICATE; returns the secure-messaging session. */
export async function performBac(
  transport: CardTransport,
  mrzInfo: string,
  options: BacOptions = {},
): Promise<SmSession> {
  const keys = bacKeys(mrzInfo);
  const challenge = parseResponse(
    await transport.transmit(encodeCommand({ cla: 0, ins: 0x84, p1: 0, p2: 0, le: 8 })),
  );
  if (challenge.sw !== 0x9000) throw new CardStatusError(challenge.sw, 0x84);
  if (challenge.data.length !== 8) {
    throw new IcaoError('bac_protocol', {
      vi: 'Chip trả lời GET CHALLENGE sai độ dài',
      en: 'the chip answered GET CHALLENGE with a wrong length',
    });
  }
  const rndIc = challenge.data.slice();
  const rndIfd = options.rndIfd ?? randomBytes(8);
  const kIfd = options.kIfd ?? randomBytes(16);
  const cmdData = bacTerminalMessage(keys, rndIfd, rndIc, kIfd);
  const resp = parseResponse(
    await transport.transmit(encodeCommand({ cla: 0, ins: 0x82, p1: 0, p2: 0, data: cmdData, le: 40 })),
  );
  if (resp.sw !== 0x9000) throw new IcaoError('bac_failed', BAC_FAILED, { sw: resp.sw });
  const r = bacOpenCryptogram(keys, resp.data);
  if (!r || !equalBytes(r.subarray(0, 8), rndIc) || !equalBytes(r.subarray(8, 16), rndIfd)) {
    throw new IcaoError('bac_failed', {
      vi: 'Chip trả lời xác thực BAC không hợp lệ',
      en: 'the chip answered BAC mutual authentication incorrectly',
    });
  }
  return bacSessionKeys(kIfd, r.subarray(16, 32), rndIc, rndIfd);
}
