/**
 * Secure messaging (ICAO 9303 part 11 §9.8; ISO/IEC 7816-4 §10): 3DES after BAC, AES after PACE or
 * Chip Authentication (IV = E(KS_enc, SSC), MAC = AES-CMAC over padded input truncated to 8 bytes).
 *
 * Terminal side: protectCommand / unprotectResponse, and SecureTransport, a CardTransport that wraps
 * a raw transport so that file reading runs unchanged over SM. Card side (software card):
 * unprotectCommand / protectResponse. Both sides increment the send sequence counter before each
 * command and each response.
 */

import { concat, equalBytes } from '../util/bytes';
import {
  ApduError,
  decodeCommand,
  encodeCommand,
  encodeResponse,
  encodedCommandLength,
  parseResponse,
  type CommandApdu,
  type DecodedCommand,
} from '../iso7816/apdu';
import {
  aesCmac,
  blockSize,
  cbcDecrypt,
  cbcEncrypt,
  ecbEncrypt,
  kdf,
  pad,
  retailMac,
  unpad,
  type CipherAlg,
} from './crypto';
import { IcaoError } from '../iso7816/sw';
import { decodeAll, encode, TlvError } from '../iso7816/tlv';
import type { CardTransport, TransportLimits } from '../transport/types';

/** Keys and send sequence counter of one secure-messaging session. */
export class SmSession {
  readonly cipher: CipherAlg;
  readonly kEnc: Uint8Array;
  readonly kMac: Uint8Array;
  /** Send sequence counter, big endian; 8 bytes for 3DES, 16 for AES. */
  ssc: Uint8Array;

  constructor(cipher: CipherAlg, kEnc: Uint8Array, kMac: Uint8Array, ssc?: Uint8Array) {
    this.cipher = cipher;
    this.kEnc = kEnc.slice();
    this.kMac = kMac.slice();
    const bs = blockSize(cipher);
    this.ssc = ssc ? ssc.slice() : new Uint8Array(bs);
    if (this.ssc.length !== bs) throw new IcaoError('sm_bad_ssc', SM_INTERNAL);
  }

  /** Session from a shared secret K (PACE, CA): KS_enc = KDF(K, 1), KS_mac = KDF(K, 2), SSC = 0. */
  static fromSecret(cipher: CipherAlg, secret: Uint8Array): SmSession {
    return new SmSession(cipher, kdf(secret, 1, cipher), kdf(secret, 2, cipher));
  }

  get blockSize(): number {
    return blockSize(this.cipher);
  }

  incrementSsc(): void {
    for (let i = this.ssc.length - 1; i >= 0; i--) {
      const v = (this.ssc[i]! + 1) & 0xff;
      this.ssc[i] = v;
      if (v !== 0) break;
    }
  }

  private iv(): Uint8Array {
    return this.cipher === '3DES' ? new Uint8Array(8) : ecbEncrypt(this.cipher, this.kEnc, this.ssc);
  }

  /** Pads (ISO 9797-1 method 2) and encrypts with the current SSC-derived IV. */
  encrypt(data: Uint8Array): Uint8Array {
    return cbcEncrypt(this.cipher, this.kEnc, pad(data, this.blockSize), this.iv());
  }

  decrypt(cryptogram: Uint8Array): Uint8Array {
    if (cryptogram.length === 0 || cryptogram.length % this.blockSize !== 0)
      throw new IcaoError('sm_bad_cryptogram', SM_BAD);
    try {
      return unpad(cbcDecrypt(this.cipher, this.kEnc, cryptogram, this.iv()));
    } catch (e) {
      throw new IcaoError('sm_bad_cryptogram', SM_BAD, { cause: e });
    }
  }

  /** 8-byte MAC over the padded input: retail MAC (3DES) or truncated AES-CMAC. */
  mac(data: Uint8Array): Uint8Array {
    if (this.cipher === '3DES') return retailMac(this.kMac, data);
    return aesCmac(this.kMac, pad(data, 16)).slice(0, 8);
  }

  clone(): SmSession {
    return new SmSession(this.cipher, this.kEnc, this.kMac, this.ssc);
  }
}

const SM_INTERNAL = { vi: 'Lỗi nội bộ kênh bảo mật', en: 'internal secure messaging error' };
const SM_BAD = {
  vi: 'Dữ liệu bảo mật từ chip không hợp lệ (có thể bị can thiệp)',
  en: 'invalid secure messaging data from the chip (possible tampering)',
};
const SM_MAC = {
  vi: 'Mã xác thực (MAC) từ chip không đúng: kênh bảo mật bị hỏng hoặc chip giả',
  en: 'wrong MAC from the chip: secure channel broken or cloned chip',
};

function isSmCla(cla: number): boolean {
  return (cla & 0x0c) === 0x0c;
}

function do97(le: number | undefined, extended: boolean): Uint8Array {
  if (le === undefined) return new Uint8Array(0);
  if (extended) {
    const v = le === 0 || le === 65536 ? 0 : le;
    return encode(0x97, Uint8Array.of(v >> 8, v & 0xff));
  }
  return encode(0x97, Uint8Array.of(le === 0 || le === 256 ? 0 : le));
}

function cryptogramDo(session: SmSession, data: Uint8Array, oddIns: boolean): Uint8Array {
  if (data.length === 0) return new Uint8Array(0);
  const enc = session.encrypt(data);
  return oddIns ? encode(0x85, enc) : encode(0x87, concat(Uint8Array.of(0x01), enc));
}

/** Terminal: wraps a plain command APDU (struct or bytes). Increments the SSC. */
export function protectCommand(session: SmSession, command: CommandApdu | Uint8Array): Uint8Array {
  const cmd: CommandApdu = command instanceof Uint8Array ? decodeCommand(command) : command;
  if (isSmCla(cmd.cla)) throw new ApduError('command is already protected');
  const data = cmd.data ?? new Uint8Array(0);
  const plainExtended = cmd.extended === true || data.length > 255 || (cmd.le !== undefined && cmd.le > 256);
  const cla = (cmd.cla | 0x0c) & 0xff;
  const header = pad(Uint8Array.of(cla, cmd.ins, cmd.p1, cmd.p2), session.blockSize);
  // The SSC is incremented first: for AES the IV is E(KS_enc, SSC) with this command's SSC.
  session.incrementSsc();
  const dataDo = cryptogramDo(session, data, (cmd.ins & 1) === 1);
  const leDo = do97(cmd.le, plainExtended);
  const mac = session.mac(concat(session.ssc, header, dataDo, leDo));
  const body = concat(dataDo, leDo, encode(0x8e, mac));
  return encodeCommand({
    cla,
    ins: cmd.ins,
    p1: cmd.p1,
    p2: cmd.p2,
    data: body,
    le: 0,
    extended: plainExtended || body.length > 255,
  });
}

interface SmObjects {
  cryptogram?: { tag: 0x85 | 0x87; value: Uint8Array };
  le?: Uint8Array;
  status?: Uint8Array;
  mac?: Uint8Array;
  macInput: Uint8Array;
}

function parseSmObjects(body: Uint8Array): SmObjects {
  let list;
  try {
    list = decodeAll(body);
  } catch (e) {
    if (e instanceof TlvError) throw new IcaoError('sm_bad_objects', SM_BAD, { cause: e, sw: 0x6988 });
    throw e;
  }
  const out: SmObjects = { macInput: new Uint8Array(0) };
  const macParts: Uint8Array[] = [];
  let sawMac = false;
  for (const t of list) {
    if (sawMac) throw new IcaoError('sm_bad_objects', SM_BAD, { sw: 0x6988 });
    const raw = body.subarray(t.offset, t.offset + t.length);
    switch (t.tag) {
      case 0x85:
      case 0x87:
        if (out.cryptogram) throw new IcaoError('sm_bad_objects', SM_BAD, { sw: 0x6988 });
        out.cryptogram = { tag: t.tag, value: t.value };
        break;
      case 0x97:
        out.le = t.value;
        break;
      case 0x99:
        out.status = t.value;
        break;
      case 0x8e:
        out.mac = t.value;
        sawMac = true;
        continue;
      default:
        // Other SM objects are tolerated; odd tags are covered by the MAC (ISO 7816-4 §10.2).
        break;
    }
    if (t.tag & 1) macParts.push(raw);
  }
  out.macInput = concat(...macParts);
  return out;
}

function openCryptogram(session: SmSession, c: { tag: 0x85 | 0x87; value: Uint8Array }): Uint8Array {
  if (c.tag === 0x87) {
    if (c.value.length < 1 || c.value[0] !== 0x01)
      throw new IcaoError('sm_bad_objects', SM_BAD, { sw: 0x6988 });
    return session.decrypt(c.value.subarray(1));
  }
  return session.decrypt(c.value);
}

/**
 * Terminal: verifies and opens a protected response; increments the SSC. Throws IcaoError on a
 * missing or wrong MAC. A bare status word (no SM objects) must be handled by the caller.
 */
export function unprotectResponse(
  session: SmSession,
  response: Uint8Array,
): { data: Uint8Array; sw: number } {
  const r = parseResponse(response);
  const objs = parseSmObjects(r.data);
  // DO 99 may be left out (ISO 7816-4 §10.2; vsmartcard's ePass does for every answer): the MAC still
  // covers the SSC and the data, and the status is the plain one. Accepted only for a success or a
  // warning, so an unprotected status can never turn a refusal into data.
  const plainStatusOk = r.sw === 0x9000 || r.sw >> 8 === 0x62;
  if (!objs.mac || (!objs.status && !plainStatusOk)) {
    throw new IcaoError('sm_missing_objects', SM_BAD, { sw: r.sw });
  }
  session.incrementSsc();
  const expected = session.mac(concat(session.ssc, objs.macInput));
  if (!equalBytes(expected, objs.mac)) throw new IcaoError('sm_bad_mac', SM_MAC);
  if (objs.status && objs.status.length !== 2) throw new IcaoError('sm_bad_objects', SM_BAD);
  const sw = objs.status ? (objs.status[0]! << 8) | objs.status[1]! : r.sw;
  const data = objs.cryptogram ? openCryptogram(session, objs.cryptogram) : new Uint8Array(0);
  return { data, sw };
}

/** Thrown on the card side when a protected command is malformed (sw 6987) or its MAC is wrong (6988). */
export class SmCardError extends Error {
  readonly sw: number;
  constructor(sw: number, message: string) {
    super(message);
    this.name = 'SmCardError';
    this.sw = sw;
  }
}

/** Card: verifies and opens a protected command; increments the SSC. Returns the plain command. */
export function unprotectCommand(session: SmSession, command: Uint8Array | DecodedCommand): DecodedCommand {
  const cmd = command instanceof Uint8Array ? decodeCommand(command) : command;
  if (!isSmCla(cmd.cla)) throw new SmCardError(0x6987, 'command is not protected');
  let objs: SmObjects;
  try {
    objs = parseSmObjects(cmd.data);
  } catch {
    throw new SmCardError(0x6988, 'malformed SM data objects');
  }
  if (!objs.mac) throw new SmCardError(0x6987, 'DO 8E missing');
  const header = pad(Uint8Array.of(cmd.cla, cmd.ins, cmd.p1, cmd.p2), session.blockSize);
  session.incrementSsc();
  const expected = session.mac(concat(session.ssc, header, objs.macInput));
  if (!equalBytes(expected, objs.mac)) throw new SmCardError(0x6988, 'wrong MAC');
  let data: Uint8Array = new Uint8Array(0);
  if (objs.cryptogram) {
    try {
      data = openCryptogram(session, objs.cryptogram);
    } catch {
      throw new SmCardError(0x6988, 'bad cryptogram');
    }
  }
  let le: number | undefined;
  let extended = data.length > 255;
  if (objs.le) {
    if (objs.le.length === 1) le = objs.le[0] === 0 ? 256 : objs.le[0]!;
    else if (objs.le.length === 2) {
      const v = (objs.le[0]! << 8) | objs.le[1]!;
      le = v === 0 ? 65536 : v;
      extended = true;
    } else throw new SmCardError(0x6988, 'bad DO 97');
  }
  const hasData = data.length > 0;
  return {
    cla: cmd.cla & ~0x0c & 0xff,
    ins: cmd.ins,
    p1: cmd.p1,
    p2: cmd.p2,
    data,
    le,
    extended,
    case: hasData ? (le === undefined ? 3 : 4) : le === undefined ? 1 : 2,
  };
}

/** Card: protects a response (DO 87/85, DO 99, DO 8E); increments the SSC. */
export function protectResponse(
  session: SmSession,
  data: Uint8Array,
  sw: number,
  oddIns = false,
): Uint8Array {
  session.incrementSsc();
  const dataDo = cryptogramDo(session, data, oddIns);
  const statusDo = encode(0x99, Uint8Array.of(sw >> 8, sw & 0xff));
  const mac = session.mac(concat(session.ssc, dataDo, statusDo));
  return encodeResponse(concat(dataDo, statusDo, encode(0x8e, mac)), sw);
}

function lengthFieldSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4;
}

/** Size of DO 87 (with indicator byte) carrying `n` plain bytes, 0 when n = 0. */
function cryptogramDoSize(n: number, bs: number): number {
  if (n === 0) return 0;
  const v = 1 + (Math.floor(n / bs) + 1) * bs;
  return 1 + lengthFieldSize(v) + v;
}

/** Largest plain response data length whose protected response fits in `maxProtected` bytes. */
export function maxPlainResponse(maxProtected: number, bs: number): number {
  const fixed = 4 + 10 + 2; // DO 99, DO 8E, SW1 SW2
  let n = Math.min(65536, Math.max(0, maxProtected - fixed));
  while (n > 0 && cryptogramDoSize(n, bs) + fixed > maxProtected) n--;
  return n;
}

/** Largest plain command data length whose protected command fits in `maxProtected` bytes. */
export function maxPlainCommandData(maxProtected: number, bs: number, extended: boolean): number {
  const protectedLen = (n: number): number => {
    const body = cryptogramDoSize(n, bs) + 4 + 10; // data DO, DO 97 (worst case 2 bytes), DO 8E
    return encodedCommandLength(body, true, extended && (body > 255 || n > 255));
  };
  let n = Math.min(65535, Math.max(0, maxProtected));
  while (n > 0 && protectedLen(n) > maxProtected) n--;
  if (!extended) n = Math.min(n, 255);
  return n;
}

/**
 * A CardTransport that protects every command and unprotects every response, so the layers above
 * (file reading, CA, AA) run unchanged over secure messaging. Its limits are the wrapped
 * transport's minus the SM overhead.
 */
export class SecureTransport implements CardTransport {
  readonly name: string;
  private readonly inner: CardTransport;
  private current: SmSession;
  private closed = false;
  private plainError = false;
  private verified = false;

  constructor(inner: CardTransport, session: SmSession) {
    this.inner = inner;
    this.current = session;
    this.name = `${inner.name} (secure messaging)`;
  }

  get session(): SmSession {
    return this.current;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * A bare error status (no SM objects) came back since the last verified response. Chips differ:
   * some refuse such an APDU before secure messaging (the counter did not move: the SSC is rolled
   * back, which is right for them), others count the command and then answer plainly (the two
   * counters now differ and the next MAC fails). The caller may open the channel again.
   */
  get uncertain(): boolean {
    return this.plainError;
  }

  /** Whether the last response was a secure-messaging response whose MAC verified. */
  get lastResponseVerified(): boolean {
    return this.verified;
  }

  get limits(): TransportLimits {
    const il = this.inner.limits;
    const bs = this.current.blockSize;
    const resp = maxPlainResponse(il.maxResponseLength, bs);
    const data = maxPlainCommandData(il.maxCommandLength, bs, il.extendedLength);
    return {
      maxResponseLength: resp + 2,
      maxCommandLength: encodedCommandLength(data, true, il.extendedLength && data > 255),
      extendedLength: il.extendedLength,
    };
  }

  /** Replaces the session keys (Chip Authentication); the channel is open again. */
  rekey(session: SmSession): void {
    this.current = session;
    this.closed = false;
    this.plainError = false;
    this.verified = false;
  }

  /** Forgets the keys; further transmits throw. */
  close(): void {
    this.closed = true;
  }

  /**
   * Like transmit, but only a secure-messaging response whose MAC verifies is accepted: a bare
   * status word (which anyone can send) throws IcaoError('sm_missing_objects') and closes the
   * channel. For answers that must prove the keys (Chip Authentication).
   */
  async transmitVerified(command: Uint8Array): Promise<Uint8Array> {
    const response = await this.transmit(command);
    if (!this.verified) {
      this.closed = true;
      throw new IcaoError('sm_missing_objects', SM_BAD, { sw: parseResponse(response).sw });
    }
    return response;
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (this.closed) {
      throw new IcaoError('sm_closed', {
        vi: 'Kênh bảo mật với chip đã đóng, hãy đặt lại thẻ',
        en: 'the secure channel to the chip is closed; present the card again',
      });
    }
    this.verified = false;
    const session = this.current;
    const before = session.ssc.slice();
    const wrapped = protectCommand(session, command);
    const raw = await this.inner.transmit(wrapped);
    const r = parseResponse(raw);
    const afterPlainError = this.plainError;
    if (r.data.length === 0) {
      if (r.sw === 0x6987 || r.sw === 0x6988 || r.sw === 0x9000 || r.sw >> 8 === 0x61) {
        // The chip dropped secure messaging (or a success arrived without a MAC): nothing more can be trusted.
        this.closed = true;
        if (afterPlainError) throw resyncError(r.sw);
        throw new IcaoError(r.sw === 0x9000 ? 'sm_missing_objects' : 'sm_aborted', SM_BAD, { sw: r.sw });
      }
      // A bare error status: the chip refused the APDU itself (e.g. 6700 for an extended length it
      // does not support) without processing it as SM, so its counter did not move. Some chips did
      // count it (see `uncertain`): if the next answer fails, that is reported as 'sm_resync'.
      session.ssc = before;
      this.plainError = true;
      return raw.slice();
    }
    try {
      const { data, sw } = unprotectResponse(session, raw);
      this.plainError = false;
      this.verified = true;
      return encodeResponse(data, sw);
    } catch (e) {
      this.closed = true;
      if (afterPlainError && e instanceof IcaoError) throw resyncError(r.sw, e);
      throw e;
    }
  }
}

/**
 * The channel failed right after a bare error status: most likely the chip counted that command
 * (its send sequence counter is one ahead). Not a sign of tampering: open the channel again.
 */
function resyncError(sw: number, cause?: unknown): IcaoError {
  return new IcaoError(
    'sm_resync',
    {
      vi: 'Kênh bảo mật lệch bộ đếm sau một lỗi không bảo mật từ chip; cần mở lại kênh',
      en: 'the secure channel lost step after a plain error status from the chip; it must be opened again',
    },
    { sw, ...(cause === undefined ? {} : { cause }) },
  );
}
