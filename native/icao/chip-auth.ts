/**
 * Chip Authentication v1 with ECDH (ICAO 9303 part 11 §6.2): proves the chip holds the private key
 * matching the DG14 public key (anti-cloning) and replaces the secure-messaging keys.
 *
 * id-CA-ECDH-3DES-CBC-CBC: MSE:Set KAT (91 ephemeral key, 84 key id).
 * id-CA-ECDH-AES-CBC-CMAC-*: MSE:Set AT (80 OID, 84 key id) + GENERAL AUTHENTICATE (7C { 80 key }).
 * Both answered under the old keys; then KS_enc/KS_mac = KDF(x(SK_IFD · PK_IC), 1/2), SSC = 0.
 * Success = the chip answers a command with a secure-messaging response whose MAC verifies under
 * the new keys (a clone cannot compute them). A bare status word there (9000, 6A82 ... without SM
 * objects) proves nothing: anyone can send one, so it is a failure.
 */

import { concat, uintBytes } from '../util/bytes';
import { encodeCommand, parseResponse } from '../iso7816/apdu';
import { caAlgorithm, encodeOid, OID, protocolName } from './card-access';
import { curveByName, ecdhKeyPair, ecdhSharedSecret } from './curves';
import { SmSession, type SecureTransport } from './sm';
import { CardStatusError, IcaoError } from '../iso7816/sw';
import { decodeOne, encode } from '../iso7816/tlv';
import type { CipherAlg } from './crypto';

/** The chip's Chip Authentication key as read from DG14. */
export interface ChipAuthKey {
  /** CA protocol OID (id-CA-ECDH-...); id-PK-ECDH alone means the default 3DES variant. */
  oid: string;
  keyId?: number;
  /** Curve name, e.g. 'brainpoolP256r1'. */
  curve: string;
  /** Uncompressed point 04 || x || y. */
  publicKey: Uint8Array;
}

function resolveCipher(oid: string): CipherAlg {
  if (oid === OID.PK_ECDH || oid === OID.CA_ECDH) return '3DES';
  const alg = caAlgorithm(oid);
  if (!alg || alg.agreement !== 'ECDH') {
    throw new IcaoError('ca_unsupported', {
      vi: `Chip dùng kiểu xác thực chip chưa được hỗ trợ (${protocolName(oid)})`,
      en: `unsupported chip authentication variant (${protocolName(oid)})`,
    });
  }
  return alg.cipher;
}

const CA_FAILED = {
  vi: 'Xác thực chip (Chip Authentication) thất bại: chip có thể là bản sao',
  en: 'Chip Authentication failed: the chip may be a clone',
};

export interface ChipAuthOptions {
  /** Fixed terminal ephemeral private key (tests). */
  ephemeralPrivateKey?: Uint8Array;
  /**
   * The EF selected to confirm the new keys (default EF.COM 011E; better a file just read, e.g. DG14,
   * so that an honest chip answers 9000); null skips the confirmation, leaving it to the next command
   * (the result is then not `confirmed`).
   */
  confirmFid?: number | null;
}

export interface ChipAuthResult {
  oid: string;
  protocolName: string;
  keyId?: number;
  /** True once the chip answered correctly under the new keys. */
  confirmed: boolean;
}

/**
 * Terminal side of Chip Authentication over an open secure channel. Rekeys `secure` and confirms.
 * Throws IcaoError('chip_auth_failed') when the chip refuses or cannot answer under the new keys;
 * transport errors (card removed, timeout) pass through unchanged.
 */
export async function chipAuthenticate(
  secure: SecureTransport,
  key: ChipAuthKey,
  options: ChipAuthOptions = {},
): Promise<ChipAuthResult> {
  const cipher = resolveCipher(key.oid);
  const curve = curveByName(key.curve);
  const eph = ecdhKeyPair(curve, options.ephemeralPrivateKey);
  const k = ecdhSharedSecret(curve, eph.privateKey, key.publicKey);
  const keyRef = key.keyId === undefined ? new Uint8Array(0) : encode(0x84, uintBytes(key.keyId));

  const send = async (cmd: Uint8Array, ins: number): Promise<Uint8Array> => {
    const r = parseResponse(await secure.transmit(cmd));
    if (r.sw !== 0x9000)
      throw new IcaoError('chip_auth_failed', CA_FAILED, { sw: r.sw, cause: new CardStatusError(r.sw, ins) });
    return r.data;
  };

  if (cipher === '3DES') {
    const data = concat(encode(0x91, eph.publicKey), keyRef);
    await send(encodeCommand({ cla: 0, ins: 0x22, p1: 0x41, p2: 0xa6, data }), 0x22);
  } else {
    const data = concat(encode(0x80, encodeOid(key.oid)), keyRef);
    await send(encodeCommand({ cla: 0, ins: 0x22, p1: 0x41, p2: 0xa4, data }), 0x22);
    const ga = encode(0x7c, encode(0x80, eph.publicKey));
    const resp = await send(encodeCommand({ cla: 0, ins: 0x86, p1: 0, p2: 0, data: ga, le: 256 }), 0x86);
    try {
      if (decodeOne(resp).tag !== 0x7c) throw new Error('not 7C');
    } catch (e) {
      throw new IcaoError('chip_auth_failed', CA_FAILED, { cause: e });
    }
  }

  secure.rekey(SmSession.fromSecret(cipher, k));
  const result: ChipAuthResult = { oid: key.oid, protocolName: protocolName(key.oid), confirmed: false };
  if (key.keyId !== undefined) result.keyId = key.keyId;
  const confirmFid = options.confirmFid === undefined ? 0x011e : options.confirmFid;
  if (confirmFid === null) return result;
  try {
    // Any status word is fine here, but only inside a response whose MAC verifies under the new
    // keys: that is what a clone cannot produce.
    await secure.transmitVerified(
      encodeCommand({
        cla: 0,
        ins: 0xa4,
        p1: 0x02,
        p2: 0x0c,
        data: Uint8Array.of(confirmFid >> 8, confirmFid & 0xff),
      }),
    );
  } catch (e) {
    // The keys are out of step with the chip: nothing more can go over this channel.
    secure.close();
    if (e instanceof IcaoError)
      throw new IcaoError('chip_auth_failed', CA_FAILED, {
        cause: e,
        ...(e.sw === undefined ? {} : { sw: e.sw }),
      });
    throw e;
  }
  result.confirmed = true;
  return result;
}

/** The chip's Chip Authentication key pair (software card). */
export interface ChipAuthCardKey {
  curve: string;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  keyId?: number;
}

/**
 * Card side: the new session from the terminal's ephemeral public key, for the CA protocol OID
 * (or 3DES for MSE:Set KAT). Throws IcaoError('invalid_public_key') on a bad terminal key.
 */
export function chipAuthCardSession(
  cardKey: ChipAuthCardKey,
  oid: string,
  terminalPublicKey: Uint8Array,
): SmSession {
  const cipher = resolveCipher(oid);
  const curve = curveByName(cardKey.curve);
  return SmSession.fromSecret(cipher, ecdhSharedSecret(curve, cardKey.privateKey, terminalPublicKey));
}
