/**
 * PACE with Generic Mapping over ECDH (ICAO 9303 part 11 §4.4, appendix G), on the standardized
 * EC domain parameters 8-18 (brainpoolP256r1 = 13 on the CCCD), with 3DES or AES-128/192/256.
 *
 * Password: the MRZ information (K = SHA-1 of it) or the CAN (K = its characters); Kπ = KDF(K, 3).
 * Terminal: `pace(transport, password, info)` runs MSE:Set AT and the four GENERAL AUTHENTICATE
 * steps and returns the secure-messaging session. Card side: `PaceChip` holds one run's state, so
 * the software card answers with the same math. Fixed private keys and nonce can be injected to
 * reproduce appendix G.1.
 */

import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { concat, equalBytes } from '../util/bytes';
import { encodeCommand, parseResponse } from '../iso7816/apdu';
import { paceAlgorithm, encodeOid, type PaceAlgorithm } from './card-access';
import {
  aesCmac,
  blockSize,
  cbcDecrypt,
  cbcEncrypt,
  kdf,
  randomBytes,
  retailMac,
  sha1,
  type CipherAlg,
} from './crypto';
import {
  bigintToBytes,
  bytesToBigint,
  curveByParameterId,
  decodePoint,
  encodePoint,
  randomScalar,
  type EcCurve,
} from './curves';
import { SmSession } from './sm';
import { IcaoError, triesLeft } from '../iso7816/sw';
import { decodeAll, decodeOne, encode, find, TlvError } from '../iso7816/tlv';
import type { CardTransport } from '../transport/types';

export type PacePassword = { kind: 'mrz'; mrzInformation: string } | { kind: 'can'; can: string };

/** Password reference in MSE:Set AT (tag 83): 01 MRZ, 02 CAN. */
export function passwordReference(p: PacePassword): number {
  return p.kind === 'mrz' ? 0x01 : 0x02;
}

/** K: SHA-1 of the MRZ information, or the CAN characters themselves. */
export function passwordKey(p: PacePassword): Uint8Array {
  const text = p.kind === 'mrz' ? p.mrzInformation : p.can;
  if (!/^[\x20-\x7e]+$/.test(text)) {
    throw new IcaoError('pace_bad_password', {
      vi: 'Mã truy cập chip (CAN/MRZ) không hợp lệ',
      en: 'invalid chip access password (CAN/MRZ)',
    });
  }
  const bytes = new TextEncoder().encode(text);
  return p.kind === 'mrz' ? sha1(bytes) : bytes;
}

/** Kπ = KDF(K, 3). */
export function passwordPi(p: PacePassword, cipher: CipherAlg): Uint8Array {
  return kdf(passwordKey(p), 3, cipher);
}

export function decryptNonce(cipher: CipherAlg, kPi: Uint8Array, z: Uint8Array): Uint8Array {
  return cbcDecrypt(cipher, kPi, z);
}

export function encryptNonce(cipher: CipherAlg, kPi: Uint8Array, s: Uint8Array): Uint8Array {
  return cbcEncrypt(cipher, kPi, s);
}

/** Generic Mapping: G' = s·G + H, where H = SK_map · PK_map(peer). */
export function mapGenerator(
  curve: EcCurve,
  s: Uint8Array,
  h: WeierstrassPoint<bigint>,
): WeierstrassPoint<bigint> {
  const sv = bytesToBigint(s) % curve.n;
  if (sv === 0n) throw new IcaoError('pace_protocol_invalid', PACE_PROTOCOL);
  const g = curve.Point.BASE.multiply(sv).add(h);
  if (g.is0()) throw new IcaoError('pace_protocol_invalid', PACE_PROTOCOL);
  return g;
}

/** The public key data object 7F49 { 06 OID, 86 point } that the authentication tokens cover. */
export function publicKeyDataObject(oid: string, publicKey: Uint8Array): Uint8Array {
  return encode(0x7f49, [encode(0x06, encodeOid(oid)), encode(0x86, publicKey)]);
}

/** Authentication token T = MAC(KS_mac, 7F49 ...): CMAC-8 for AES (unpadded), retail MAC for 3DES. */
export function authToken(
  cipher: CipherAlg,
  kMac: Uint8Array,
  oid: string,
  publicKey: Uint8Array,
): Uint8Array {
  const input = publicKeyDataObject(oid, publicKey);
  return cipher === '3DES' ? retailMac(kMac, input) : aesCmac(kMac, input).slice(0, 8);
}

const PACE_PROTOCOL = {
  vi: 'Chip trả lời PACE sai về mật mã (điểm hoặc dữ liệu không hợp lệ): chip có thể giả',
  en: 'the chip answered PACE with invalid cryptographic data (point or data objects): possible fake chip',
};

const PACE_REFUSED = {
  vi: 'Chip từ chối một bước PACE',
  en: 'the chip refused a PACE step',
};

/** A point sent by the chip: an invalid one is a protocol violation by the chip. */
function chipPoint(curve: EcCurve, bytes: Uint8Array): WeierstrassPoint<bigint> {
  try {
    return decodePoint(curve, bytes);
  } catch (e) {
    throw new IcaoError('pace_protocol_invalid', PACE_PROTOCOL, { cause: e });
  }
}

function unsupportedPace(what: string): IcaoError {
  return new IcaoError('pace_unsupported', {
    vi: `Chip yêu cầu kiểu PACE chưa được hỗ trợ (${what})`,
    en: `the chip asks for an unsupported PACE variant (${what})`,
  });
}

/** What the terminal or the card needs to know about the PACE variant. */
export interface PaceDomain {
  oid: string;
  parameterId: number;
  algorithm: PaceAlgorithm;
  curve: EcCurve;
}

/** Resolves a PACEInfo (protocol OID + parameterId) to a supported ECDH-GM domain. */
export function paceDomain(info: { protocol: string; parameterId?: number }): PaceDomain {
  const algorithm = paceAlgorithm(info.protocol);
  if (!algorithm) throw unsupportedPace(info.protocol);
  if (algorithm.agreement !== 'ECDH' || algorithm.mapping !== 'GM') {
    throw unsupportedPace(`${algorithm.agreement}-${algorithm.mapping}`);
  }
  if (info.parameterId === undefined) throw unsupportedPace('proprietary domain parameters');
  const curve = curveByParameterId(info.parameterId);
  return { oid: info.protocol, parameterId: info.parameterId, algorithm, curve };
}

function scalarFrom(curve: EcCurve, fixed: Uint8Array | undefined): bigint {
  if (!fixed) return randomScalar(curve);
  const k = bytesToBigint(fixed);
  if (k <= 0n || k >= curve.n) throw new RangeError('private key out of range');
  return k;
}

/** Shared secret K = x coordinate of k·P, as field-size bytes. */
function sharedX(curve: EcCurve, k: bigint, peer: WeierstrassPoint<bigint>): Uint8Array {
  const shared = peer.multiply(k);
  if (shared.is0()) throw new IcaoError('pace_protocol_invalid', PACE_PROTOCOL);
  return bigintToBytes(shared.toAffine().x, curve.size);
}

export interface PaceOptions {
  /** Fixed terminal mapping private key (tests: appendix G.1). */
  mappingPrivateKey?: Uint8Array;
  /** Fixed terminal ephemeral private key (tests: appendix G.1). */
  ephemeralPrivateKey?: Uint8Array;
  /** Observes intermediate values (tests); never logs anything itself. */
  onStep?: (step: PaceTrace) => void;
}

/** Intermediate values of a terminal run, for tests that compare with appendix G.1. */
export interface PaceTrace {
  kPi?: Uint8Array;
  nonce?: Uint8Array;
  sharedSecret?: Uint8Array;
  tokenIfd?: Uint8Array;
  tokenIc?: Uint8Array;
}

function ga(data: Uint8Array, last: boolean): Uint8Array {
  return encodeCommand({
    cla: last ? 0x00 : 0x10,
    ins: 0x86,
    p1: 0,
    p2: 0,
    data: encode(0x7c, data),
    le: 256,
  });
}

function wrongPassword(p: PacePassword, sw: number): IcaoError {
  const left = triesLeft(sw);
  const tail = left === undefined ? '' : ` (${left})`;
  return p.kind === 'can'
    ? new IcaoError(
        'pace_wrong_password',
        {
          vi: `Không mở được chip: số CAN (6 số cuối số định danh) không đúng${tail}`,
          en: `could not open the chip: wrong CAN (last 6 digits of the ID number)${tail}`,
        },
        { sw },
      )
    : new IcaoError(
        'pace_wrong_password',
        {
          vi: `Không mở được chip: thông tin MRZ không đúng${tail}`,
          en: `could not open the chip: wrong MRZ information${tail}`,
        },
        { sw },
      );
}

async function step(
  transport: CardTransport,
  password: PacePassword,
  data: Uint8Array,
  last: boolean,
  expectTag: number,
): Promise<Uint8Array> {
  const r = parseResponse(await transport.transmit(ga(data, last)));
  if (r.sw !== 0x9000) {
    if (r.sw >> 8 === 0x63) throw wrongPassword(password, r.sw);
    // A refusal in the middle of the protocol: not proof of a fake chip, not a reason for BAC.
    throw new IcaoError('pace_refused', PACE_REFUSED, { sw: r.sw });
  }
  try {
    const outer = decodeOne(r.data);
    if (outer.tag !== 0x7c || outer.length !== r.data.length) throw new TlvError('not 7C');
    const inner = find(decodeAll(outer.value), expectTag);
    if (!inner) throw new TlvError(`missing tag ${expectTag.toString(16)}`);
    return inner.value.slice();
  } catch (e) {
    throw new IcaoError('pace_protocol_invalid', PACE_PROTOCOL, { cause: e });
  }
}

/**
 * Terminal side of PACE-GM-ECDH: MSE:Set AT, then GENERAL AUTHENTICATE (nonce, mapping, key
 * agreement, mutual authentication). Returns the new secure-messaging session (SSC = 0).
 * Throws IcaoError: 'pace_wrong_password' when the chip refuses the token (63xx);
 * 'pace_token_invalid' when the chip's token T_IC is wrong and 'pace_protocol_invalid' when its
 * points or data objects are (both: a chip that is not what it claims); 'pace_set_at_refused' when
 * MSE:Set AT is refused (the chip declines the variant/password); 'pace_refused' for another
 * refusal mid-protocol; 'pace_unsupported' for variants this terminal does not implement.
 */
export async function pace(
  transport: CardTransport,
  password: PacePassword,
  info: { protocol: string; parameterId?: number },
  options: PaceOptions = {},
): Promise<SmSession> {
  const domain = paceDomain(info);
  const { curve, oid } = domain;
  const cipher = domain.algorithm.cipher;

  const mse = [encode(0x80, encodeOid(oid)), encode(0x83, Uint8Array.of(passwordReference(password)))];
  mse.push(encode(0x84, Uint8Array.of(domain.parameterId)));
  const mseResp = parseResponse(
    await transport.transmit(encodeCommand({ cla: 0, ins: 0x22, p1: 0xc1, p2: 0xa4, data: concat(...mse) })),
  );
  if (mseResp.sw !== 0x9000) {
    if (mseResp.sw >> 8 === 0x63) throw wrongPassword(password, mseResp.sw);
    // The chip declines this PACE variant or password before any cryptography: BAC may follow.
    throw new IcaoError('pace_set_at_refused', PACE_REFUSED, { sw: mseResp.sw });
  }

  // 1. Encrypted nonce.
  const z = await step(transport, password, new Uint8Array(0), false, 0x80);
  if (z.length === 0 || z.length % blockSize(cipher) !== 0)
    throw new IcaoError('pace_protocol_invalid', PACE_PROTOCOL);
  const kPi = passwordPi(password, cipher);
  const s = decryptNonce(cipher, kPi, z);
  options.onStep?.({ kPi, nonce: s });

  // 2. Generic mapping.
  const skMap = scalarFrom(curve, options.mappingPrivateKey);
  const pkMapIfd = encodePoint(curve.Point.BASE.multiply(skMap));
  const pkMapIc = chipPoint(curve, await step(transport, password, encode(0x81, pkMapIfd), false, 0x82));
  const h = pkMapIc.multiply(skMap);
  const gMapped = mapGenerator(curve, s, h);

  // 3. Key agreement on the mapped generator.
  const skEph = scalarFrom(curve, options.ephemeralPrivateKey);
  const pkIfdPoint = gMapped.multiply(skEph);
  const pkIfd = encodePoint(pkIfdPoint);
  const pkIcBytes = await step(transport, password, encode(0x83, pkIfd), false, 0x84);
  const pkIc = chipPoint(curve, pkIcBytes);
  if (pkIc.equals(pkIfdPoint)) throw new IcaoError('pace_protocol_invalid', PACE_PROTOCOL);
  const k = sharedX(curve, skEph, pkIc);
  const session = SmSession.fromSecret(cipher, k);
  options.onStep?.({ sharedSecret: k });

  // 4. Mutual authentication.
  const tIfd = authToken(cipher, session.kMac, oid, encodePoint(pkIc));
  const tIc = await step(transport, password, encode(0x85, tIfd), true, 0x86);
  const expected = authToken(cipher, session.kMac, oid, pkIfd);
  options.onStep?.({ tokenIfd: tIfd, tokenIc: tIc });
  if (!equalBytes(tIc, expected)) {
    throw new IcaoError('pace_token_invalid', {
      vi: 'Chip trả mã xác thực PACE sai (chip có thể giả)',
      en: 'the chip returned a wrong PACE authentication token (possible fake chip)',
    });
  }
  return session;
}

export interface PaceChipFixed {
  nonce?: Uint8Array;
  mappingPrivateKey?: Uint8Array;
  ephemeralPrivateKey?: Uint8Array;
}

/**
 * Card side of one PACE-GM-ECDH run. Methods follow the GENERAL AUTHENTICATE steps and return the
 * data for the response, or undefined when the terminal's input is invalid (the card answers 6A80)
 * or its token is wrong (6300).
 */
export class PaceChip {
  private readonly domain: PaceDomain;
  private readonly kPi: Uint8Array;
  private readonly fixed: PaceChipFixed;
  private s?: Uint8Array;
  private gMapped?: WeierstrassPoint<bigint>;
  private skEph?: bigint;
  private pkIc?: Uint8Array;
  private pkIfd?: Uint8Array;
  private session?: SmSession;
  /** Next expected step (1..4); 5 when done, 0 when failed. */
  stage = 1;

  constructor(
    info: { protocol: string; parameterId: number },
    password: PacePassword,
    fixed: PaceChipFixed = {},
  ) {
    this.domain = paceDomain(info);
    this.kPi = passwordPi(password, this.domain.algorithm.cipher);
    this.fixed = fixed;
  }

  get oid(): string {
    return this.domain.oid;
  }

  /** Step 1: a fresh nonce s, returned encrypted with Kπ (tag 80). */
  encryptedNonce(): Uint8Array | undefined {
    if (this.stage !== 1) return this.fail();
    const cipher = this.domain.algorithm.cipher;
    this.s = this.fixed.nonce ?? randomBytes(blockSize(cipher));
    this.stage = 2;
    return encryptNonce(cipher, this.kPi, this.s);
  }

  /** Step 2: takes PK_map,IFD (tag 81), returns PK_map,IC (tag 82). */
  map(pkMapIfdBytes: Uint8Array): Uint8Array | undefined {
    if (this.stage !== 2 || !this.s) return this.fail();
    const curve = this.domain.curve;
    let pkMapIfd: WeierstrassPoint<bigint>;
    try {
      pkMapIfd = decodePoint(curve, pkMapIfdBytes);
    } catch {
      return this.fail();
    }
    const sk = scalarFrom(curve, this.fixed.mappingPrivateKey);
    this.gMapped = mapGenerator(curve, this.s, pkMapIfd.multiply(sk));
    this.stage = 3;
    return encodePoint(curve.Point.BASE.multiply(sk));
  }

  /** Step 3: takes PK_IFD (tag 83), returns PK_IC (tag 84). */
  agree(pkIfdBytes: Uint8Array): Uint8Array | undefined {
    if (this.stage !== 3 || !this.gMapped) return this.fail();
    const curve = this.domain.curve;
    let pkIfd: WeierstrassPoint<bigint>;
    try {
      pkIfd = decodePoint(curve, pkIfdBytes);
    } catch {
      return this.fail();
    }
    this.skEph = scalarFrom(curve, this.fixed.ephemeralPrivateKey);
    const pkIcPoint = this.gMapped.multiply(this.skEph);
    if (pkIcPoint.equals(pkIfd)) return this.fail();
    this.pkIc = encodePoint(pkIcPoint);
    this.pkIfd = encodePoint(pkIfd);
    this.session = SmSession.fromSecret(this.domain.algorithm.cipher, sharedX(curve, this.skEph, pkIfd));
    this.stage = 4;
    return this.pkIc;
  }

  /** Step 4: checks T_IFD (tag 85); returns T_IC (tag 86) and the session, or undefined (wrong password). */
  authenticate(tIfd: Uint8Array): { token: Uint8Array; session: SmSession } | undefined {
    if (this.stage !== 4 || !this.session || !this.pkIc || !this.pkIfd) return this.fail();
    const cipher = this.domain.algorithm.cipher;
    const expected = authToken(cipher, this.session.kMac, this.domain.oid, this.pkIc);
    if (!equalBytes(expected, tIfd)) return this.fail();
    this.stage = 5;
    return {
      token: authToken(cipher, this.session.kMac, this.domain.oid, this.pkIfd),
      session: this.session,
    };
  }

  private fail(): undefined {
    this.stage = 0;
    return undefined;
  }
}
