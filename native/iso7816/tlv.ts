/**
 * BER-TLV (ISO/IEC 8825-1 as used by ISO 7816-4 and ICAO 9303): multi-byte tags, definite
 * lengths in short and long form. Decoding is strict and bounded: it never reads past the input
 * and throws TlvError on anything malformed, so it is safe on bytes from a card.
 */
import { concat, uintBytes } from '../util/bytes';

export class TlvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlvError';
  }
}

export interface Tlv {
  /** The tag as a number (e.g. 0x5F1F, 0x7F49). */
  tag: number;
  /** True when the tag's constructed bit is set. */
  constructed: boolean;
  /** The value bytes (a view into the input). */
  value: Uint8Array;
  /** Offset of the tag in the input, and the total encoded length. */
  offset: number;
  length: number;
}

const MAX_DEPTH = 32;

export function readTag(
  buf: Uint8Array,
  offset: number,
): { tag: number; constructed: boolean; next: number } {
  if (offset >= buf.length) throw new TlvError('truncated tag');
  const first = buf[offset]!;
  let tag = first;
  let pos = offset + 1;
  if ((first & 0x1f) === 0x1f) {
    let count = 0;
    for (;;) {
      if (pos >= buf.length) throw new TlvError('truncated multi-byte tag');
      const b = buf[pos++]!;
      tag = tag * 256 + b;
      if (++count > 3) throw new TlvError('tag longer than 4 bytes');
      if ((b & 0x80) === 0) break;
    }
  }
  return { tag, constructed: (first & 0x20) !== 0, next: pos };
}

export function readLength(buf: Uint8Array, offset: number): { length: number; next: number } {
  if (offset >= buf.length) throw new TlvError('truncated length');
  const first = buf[offset]!;
  if (first < 0x80) return { length: first, next: offset + 1 };
  if (first === 0x80) throw new TlvError('indefinite length is not allowed');
  const n = first & 0x7f;
  if (n > 4) throw new TlvError('length field longer than 4 bytes');
  if (offset + 1 + n > buf.length) throw new TlvError('truncated length');
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 1 + i]!;
  return { length, next: offset + 1 + n };
}

/** Decodes one TLV at `offset`. */
export function decodeOne(buf: Uint8Array, offset = 0): Tlv {
  const { tag, constructed, next } = readTag(buf, offset);
  const { length, next: valueStart } = readLength(buf, next);
  if (valueStart + length > buf.length) throw new TlvError(`value of tag ${tag.toString(16)} overruns input`);
  return {
    tag,
    constructed,
    value: buf.subarray(valueStart, valueStart + length),
    offset,
    length: valueStart + length - offset,
  };
}

/** Decodes a sequence of TLVs filling `buf` exactly. */
export function decodeAll(buf: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const t = decodeOne(buf, pos);
    out.push(t);
    pos += t.length;
  }
  return out;
}

/** The children of a constructed TLV. */
export function children(t: Tlv): Tlv[] {
  if (!t.constructed) throw new TlvError(`tag ${t.tag.toString(16)} is not constructed`);
  return decodeAll(t.value);
}

/** Finds the first TLV with `tag` among `list` (not recursive). */
export function find(list: Tlv[], tag: number): Tlv | undefined {
  return list.find((t) => t.tag === tag);
}

/** Depth-first search for a tag, bounded in depth. */
export function findDeep(buf: Uint8Array, tag: number, depth = 0): Tlv | undefined {
  if (depth > MAX_DEPTH) throw new TlvError('nesting too deep');
  for (const t of decodeAll(buf)) {
    if (t.tag === tag) return t;
    if (t.constructed) {
      const hit = findDeep(t.value, tag, depth + 1);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** A tag number as its bytes (the number is the tag's bytes read big-endian). */
export function encodeTag(tag: number): Uint8Array {
  return uintBytes(tag);
}

export function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  let l = length;
  while (l > 0) {
    bytes.unshift(l & 0xff);
    l = Math.floor(l / 256);
  }
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

/** Encodes one TLV; `value` may be bytes or a list of already-encoded children. */
export function encode(tag: number, value: Uint8Array | Uint8Array[]): Uint8Array {
  const v = Array.isArray(value) ? concat(...value) : value;
  const t = encodeTag(tag);
  const l = encodeLength(v.length);
  const out = new Uint8Array(t.length + l.length + v.length);
  out.set(t, 0);
  out.set(l, t.length);
  out.set(v, t.length + l.length);
  return out;
}
