/**
 * PN532 host-link frames (NXP PN532 User Manual UM0701-02, §6.2): pure encode/decode, no I/O.
 *
 *   normal information frame   00 00 FF LEN LCS TFI PD0..PDn DCS 00
 *   extended information frame 00 00 FF FF FF LENM LENL LCS TFI PD0..PDn DCS 00
 *   ACK                        00 00 FF 00 FF 00
 *   NACK                       00 00 FF FF 00 00
 *   error (syntax error)       00 00 FF 01 FF 7F 81 00
 *
 * LEN counts TFI and PD bytes; LEN + LCS ≡ 0 (mod 256) (LENM + LENL + LCS for extended frames);
 * TFI + ΣPD + DCS ≡ 0. TFI is D4 host→PN532, D5 PN532→host; PD0 is the command code (the response
 * code is the command code + 1). The preamble and postamble are optional on receive.
 *
 * `Pn532Decoder` is a streaming decoder: it takes arbitrary chunks, resynchronises on the start code
 * after garbage or a bad checksum, and reports checksum errors and skipped bytes as events.
 */

export const TFI_HOST_TO_PN532 = 0xd4;
export const TFI_PN532_TO_HOST = 0xd5;
/** TFI of the application-level error frame. */
export const TFI_ERROR = 0x7f;

export const ACK_FRAME = Uint8Array.of(0x00, 0x00, 0xff, 0x00, 0xff, 0x00);
export const NACK_FRAME = Uint8Array.of(0x00, 0x00, 0xff, 0xff, 0x00, 0x00);
export const ERROR_FRAME = Uint8Array.of(0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00);

/**
 * HSU wake-up (UM §7.2.11 / AN10609): 0x55 0x55 followed by enough zeros to keep the line busy while the
 * PN532 leaves power-down; the first command after it must be SAMConfiguration.
 */
export const WAKEUP_SEQUENCE = Uint8Array.of(0x55, 0x55, ...new Array<number>(14).fill(0));

/** Largest LEN (TFI + PD) of a normal frame. */
export const MAX_NORMAL_LEN = 0xff;
/** Largest LEN of an extended frame the PN532 accepts (its buffer: TFI + 264 bytes). */
export const MAX_EXTENDED_LEN = 265;

export const CMD = {
  Diagnose: 0x00,
  GetFirmwareVersion: 0x02,
  SAMConfiguration: 0x14,
  RFConfiguration: 0x32,
  InDataExchange: 0x40,
  InListPassiveTarget: 0x4a,
  InRelease: 0x52,
} as const;

export type Pn532Frame =
  | { type: 'ack' }
  | { type: 'nack' }
  | { type: 'error' }
  | { type: 'data'; tfi: number; command: number; params: Uint8Array; extended: boolean };

export type Pn532DecoderEvent =
  Pn532Frame | { type: 'checksum-error'; field: 'lcs' | 'dcs' } | { type: 'garbage'; bytes: number };

function sum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s += bytes[i]!;
  return s & 0xff;
}

/**
 * Encodes an information frame with `tfi` and body (command code then parameters). An extended frame is
 * used when the body does not fit a normal one, or when `extended` asks for it.
 */
export function encodeFrame(tfi: number, body: Uint8Array, options: { extended?: boolean } = {}): Uint8Array {
  const len = body.length + 1;
  if (body.length === 0) throw new RangeError('PN532 frame body must hold at least the command code');
  if (len > MAX_EXTENDED_LEN) throw new RangeError(`PN532 frame too long: LEN ${len} > ${MAX_EXTENDED_LEN}`);
  const extended = options.extended === true || len > MAX_NORMAL_LEN;
  const header = extended
    ? [
        0x00,
        0x00,
        0xff,
        0xff,
        0xff,
        len >> 8,
        len & 0xff,
        (0x100 - (((len >> 8) + (len & 0xff)) & 0xff)) & 0xff,
      ]
    : [0x00, 0x00, 0xff, len, (0x100 - len) & 0xff];
  const out = new Uint8Array(header.length + len + 2);
  out.set(header, 0);
  out[header.length] = tfi;
  out.set(body, header.length + 1);
  const dcs = (0x100 - ((tfi + sum(body)) & 0xff)) & 0xff;
  out[header.length + len] = dcs;
  out[header.length + len + 1] = 0x00;
  return out;
}

/** A host→PN532 command frame. */
export function encodeCommand(
  command: number,
  params: Uint8Array | readonly number[] = [],
  extended = false,
): Uint8Array {
  const body = new Uint8Array(1 + params.length);
  body[0] = command;
  body.set(params, 1);
  return encodeFrame(TFI_HOST_TO_PN532, body, { extended });
}

/** A PN532→host response frame (response code = command + 1). */
export function encodeResponse(
  command: number,
  params: Uint8Array | readonly number[] = [],
  extended = false,
): Uint8Array {
  const body = new Uint8Array(1 + params.length);
  body[0] = (command + 1) & 0xff;
  body.set(params, 1);
  return encodeFrame(TFI_PN532_TO_HOST, body, { extended });
}

/** Streaming frame decoder with resynchronisation. */
export class Pn532Decoder {
  private buf: Uint8Array = new Uint8Array(0);
  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = new Uint8Array(0);
  }

  push(chunk: Uint8Array): Pn532DecoderEvent[] {
    if (chunk.length > 0) {
      const joined = new Uint8Array(this.buf.length + chunk.length);
      joined.set(this.buf);
      joined.set(chunk, this.buf.length);
      this.buf = joined;
    }
    const events: Pn532DecoderEvent[] = [];
    let pos = 0;
    let garbage = 0;
    const flushGarbage = (): void => {
      if (garbage > 0) events.push({ type: 'garbage', bytes: garbage });
      garbage = 0;
    };
    const b = this.buf;
    for (;;) {
      // Find the start code 00 FF (preamble zeros and postambles before it are not garbage).
      let start = -1;
      for (let i = pos; i + 1 < b.length; i++) {
        if (b[i] === 0x00 && b[i + 1] === 0xff) {
          start = i;
          break;
        }
      }
      if (start < 0) {
        // Keep a trailing 00 (it may be the first half of a start code).
        const keepFrom = b.length > pos && b[b.length - 1] === 0x00 ? b.length - 1 : b.length;
        garbage += countGarbage(b, pos, keepFrom);
        pos = keepFrom;
        break;
      }
      garbage += countGarbage(b, pos, start);
      const p = start + 2;
      if (b.length < p + 2) {
        pos = start;
        break;
      }
      const x = b[p]!;
      const y = b[p + 1]!;
      if (x === 0x00 && y === 0xff) {
        flushGarbage();
        events.push({ type: 'ack' });
        pos = skipPostamble(b, p + 2);
        continue;
      }
      if (x === 0xff && y === 0x00) {
        flushGarbage();
        events.push({ type: 'nack' });
        pos = skipPostamble(b, p + 2);
        continue;
      }
      let len: number;
      let bodyStart: number;
      let extended = false;
      if (x === 0xff && y === 0xff) {
        if (b.length < p + 5) {
          pos = start;
          break;
        }
        const lenM = b[p + 2]!;
        const lenL = b[p + 3]!;
        const lcs = b[p + 4]!;
        if (((lenM + lenL + lcs) & 0xff) !== 0) {
          flushGarbage();
          events.push({ type: 'checksum-error', field: 'lcs' });
          pos = start + 2;
          garbage += 1;
          continue;
        }
        len = (lenM << 8) | lenL;
        bodyStart = p + 5;
        extended = true;
      } else {
        if (((x + y) & 0xff) !== 0 || x === 0) {
          flushGarbage();
          events.push({ type: 'checksum-error', field: 'lcs' });
          pos = start + 2;
          garbage += 1;
          continue;
        }
        len = x;
        bodyStart = p + 2;
      }
      if (len === 0 || len > MAX_EXTENDED_LEN) {
        events.push({ type: 'checksum-error', field: 'lcs' });
        pos = start + 2;
        garbage += 1;
        continue;
      }
      if (b.length < bodyStart + len + 1) {
        pos = start;
        break;
      }
      const dcs = b[bodyStart + len]!;
      if (((sum(b, bodyStart, bodyStart + len) + dcs) & 0xff) !== 0) {
        flushGarbage();
        events.push({ type: 'checksum-error', field: 'dcs' });
        pos = start + 2;
        garbage += 1;
        continue;
      }
      flushGarbage();
      const tfi = b[bodyStart]!;
      if (tfi === TFI_ERROR && len === 1) {
        events.push({ type: 'error' });
      } else if (len >= 2) {
        events.push({
          type: 'data',
          tfi,
          command: b[bodyStart + 1]!,
          params: b.slice(bodyStart + 2, bodyStart + len),
          extended,
        });
      } else {
        // A frame with a TFI but no command code: not a valid information frame.
        events.push({ type: 'checksum-error', field: 'dcs' });
      }
      pos = skipPostamble(b, bodyStart + len + 1);
    }
    flushGarbage();
    this.buf = b.slice(pos);
    return events;
  }
}

/** Zeros between frames are preambles/postambles, not garbage. */
function countGarbage(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (b[i] !== 0x00) n++;
  return n;
}

/**
 * Skips the 00 postamble, unless that 00 may be the first byte of the next frame's start code (00 FF,
 * preamble omitted): followed by FF, or the last byte received so far. A zero left in place is
 * harmless (zeros are never garbage), and the decision no longer depends on how the bytes were chunked.
 */
function skipPostamble(b: Uint8Array, pos: number): number {
  return pos + 1 < b.length && b[pos] === 0x00 && b[pos + 1] !== 0xff ? pos + 1 : pos;
}

/** Human-readable frame summary for traces (command codes and lengths only, never payload bytes). */
export function describeFrame(frame: Pn532Frame): string {
  if (frame.type !== 'data') return frame.type.toUpperCase();
  return `${frame.tfi.toString(16).toUpperCase()} ${frame.command.toString(16).padStart(2, '0').toUpperCase()} +${frame.params.length}${frame.extended ? ' ext' : ''}`;
}
