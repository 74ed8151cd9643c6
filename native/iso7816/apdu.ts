/**
 * ISO/IEC 7816-4 command and response APDUs: cases 1-4 in short and extended length.
 * Encoding validates every field; decoding (the card side) is strict and bounded and throws
 * ApduError on anything malformed, so it is safe on bytes from the outside.
 *
 * Le convention: `le` is the number of bytes expected, 1..256 (short) or 1..65536 (extended);
 * `le: 0` means "as many as possible" and is encoded as 00 (short) / 0000 (extended).
 * Decoding always returns the numeric maximum (256 or 65536) for an encoded 00 / 0000.
 */

import { SW } from './sw';

export class ApduError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApduError';
  }
}

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (Lc = its length); absent or empty for cases 1 and 2. */
  data?: Uint8Array;
  /** Expected response length; absent for cases 1 and 3. 0 = maximum. */
  le?: number;
  /** Force extended length even when short would do. */
  extended?: boolean;
}

export interface DecodedCommand {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** Undefined when the command has no Le field. 256 or 65536 for an encoded 00 / 0000. */
  le: number | undefined;
  extended: boolean;
  /** ISO 7816-3 case: 1 no data no Le, 2 Le only, 3 data only, 4 data and Le. */
  case: 1 | 2 | 3 | 4;
}

export const MAX_SHORT_LC = 255;
export const MAX_SHORT_LE = 256;
export const MAX_EXTENDED_LC = 65535;
export const MAX_EXTENDED_LE = 65536;

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new ApduError(`${name} must be a byte, got ${v}`);
}

/** True when the command needs (or asks for) extended length. */
export function needsExtended(cmd: CommandApdu): boolean {
  const lc = cmd.data?.length ?? 0;
  return cmd.extended === true || lc > MAX_SHORT_LC || (cmd.le !== undefined && cmd.le > MAX_SHORT_LE);
}

/** Encodes a command APDU; chooses short length unless a field needs (or `extended` asks for) extended. */
export function encodeCommand(cmd: CommandApdu): Uint8Array {
  checkByte('CLA', cmd.cla);
  checkByte('INS', cmd.ins);
  checkByte('P1', cmd.p1);
  checkByte('P2', cmd.p2);
  if (cmd.cla === 0xff) throw new ApduError('CLA FF is invalid');
  if ((cmd.ins & 0xf0) === 0x60 || (cmd.ins & 0xf0) === 0x90) throw new ApduError('INS 6X/9X is invalid');
  const data = cmd.data ?? new Uint8Array(0);
  if (data.length > MAX_EXTENDED_LC) throw new ApduError(`command data too long: ${data.length}`);
  const le = cmd.le;
  if (le !== undefined && (!Number.isInteger(le) || le < 0 || le > MAX_EXTENDED_LE)) {
    throw new ApduError(`Le out of range: ${le}`);
  }
  const ext = needsExtended(cmd);
  const out: number[] = [cmd.cla, cmd.ins, cmd.p1, cmd.p2];
  if (!ext) {
    if (data.length > 0) out.push(data.length, ...data);
    if (le !== undefined) out.push(le === MAX_SHORT_LE ? 0 : le);
    return Uint8Array.from(out);
  }
  if (data.length > 0) {
    out.push(0, data.length >> 8, data.length & 0xff, ...data);
    if (le !== undefined) {
      const v = le === MAX_EXTENDED_LE ? 0 : le;
      out.push(v >> 8, v & 0xff);
    }
  } else if (le !== undefined) {
    const v = le === MAX_EXTENDED_LE ? 0 : le;
    out.push(0, v >> 8, v & 0xff);
  }
  return Uint8Array.from(out);
}

/** Decodes a command APDU (card side). Throws ApduError on a malformed or ambiguous body. */
export function decodeCommand(bytes: Uint8Array): DecodedCommand {
  if (bytes.length < 4) throw new ApduError(`command APDU too short: ${bytes.length}`);
  if (bytes.length > 4 + 3 + MAX_EXTENDED_LC + 2) throw new ApduError('command APDU too long');
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const body = bytes.subarray(4);
  const base = { cla, ins, p1, p2 };
  const empty = new Uint8Array(0);
  if (body.length === 0) return { ...base, data: empty, le: undefined, extended: false, case: 1 };
  const b0 = body[0]!;
  if (body.length === 1) return { ...base, data: empty, le: b0 === 0 ? 256 : b0, extended: false, case: 2 };
  if (b0 !== 0) {
    // Short Lc (1..255).
    const lc = b0;
    if (body.length === 1 + lc)
      return { ...base, data: body.subarray(1, 1 + lc), le: undefined, extended: false, case: 3 };
    if (body.length === 2 + lc) {
      const le = body[1 + lc]!;
      return { ...base, data: body.subarray(1, 1 + lc), le: le === 0 ? 256 : le, extended: false, case: 4 };
    }
    throw new ApduError(`body length ${body.length} does not match Lc ${lc}`);
  }
  // Extended: 00 followed by two bytes.
  if (body.length === 3) {
    const le = (body[1]! << 8) | body[2]!;
    return { ...base, data: empty, le: le === 0 ? 65536 : le, extended: true, case: 2 };
  }
  if (body.length < 3) throw new ApduError('truncated extended length');
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) throw new ApduError('extended Lc of zero');
  if (body.length === 3 + lc)
    return { ...base, data: body.subarray(3, 3 + lc), le: undefined, extended: true, case: 3 };
  if (body.length === 5 + lc) {
    const le = (body[3 + lc]! << 8) | body[4 + lc]!;
    return { ...base, data: body.subarray(3, 3 + lc), le: le === 0 ? 65536 : le, extended: true, case: 4 };
  }
  throw new ApduError(`body length ${body.length} does not match extended Lc ${lc}`);
}

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
  sw1: number;
  sw2: number;
}

/** Splits a response APDU into data and status word. */
export function parseResponse(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) throw new ApduError(`response APDU too short: ${bytes.length}`);
  if (bytes.length > MAX_EXTENDED_LE + 2) throw new ApduError('response APDU too long');
  const sw1 = bytes[bytes.length - 2]!;
  const sw2 = bytes[bytes.length - 1]!;
  return { data: bytes.subarray(0, bytes.length - 2), sw: (sw1 << 8) | sw2, sw1, sw2 };
}

/** Builds a response APDU (card side). */
export function encodeResponse(data: Uint8Array, sw: number = SW.OK): Uint8Array {
  if (!Number.isInteger(sw) || sw < 0 || sw > 0xffff) throw new ApduError(`invalid status word ${sw}`);
  if (data.length > MAX_EXTENDED_LE) throw new ApduError('response data too long');
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}

/** Length of the encoded command without building it (for limit checks). */
export function encodedCommandLength(dataLength: number, hasLe: boolean, extended: boolean): number {
  let n = 4;
  if (!extended) return n + (dataLength > 0 ? 1 + dataLength : 0) + (hasLe ? 1 : 0);
  if (dataLength > 0) n += 3 + dataLength + (hasLe ? 2 : 0);
  else if (hasLe) n += 3;
  return n;
}
