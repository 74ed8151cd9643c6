/**
 * A strict, bounded BER walker for the signed structures of passive authentication (CMS SignedData
 * in EF.SOD and master lists). Unlike ./tlv (definite lengths only, for card data objects) it
 * accepts BER indefinite lengths, which real passports use (New Zealand SODs), and it keeps the
 * exact position of every element, so that a structure can be checked element by element against
 * its schema: the bytes a signature covers and the values read from them come from ONE walk.
 *
 * It never reads past the input, bounds the nesting depth, and throws TlvError on anything malformed.
 */
import { TlvError, readTag } from '../iso7816/tlv';
import { concat } from '../util/bytes';

/** One element: tag, class/constructed bits, where it and its value lie in `buf`. */
export interface BerNode {
  /** The tag bytes as a number, as ./tlv spells tags (0x30 SEQUENCE, 0xA0 [0] constructed, ...). */
  tag: number;
  constructed: boolean;
  /** True for an indefinite length (0x80 ... 00 00). */
  indefinite: boolean;
  /** The whole input this node was decoded from. */
  buf: Uint8Array;
  /** Offset of the tag. */
  start: number;
  /** The value's range (without the end-of-contents octets of an indefinite length). */
  valueStart: number;
  valueEnd: number;
  /** Offset just past the element (past 00 00 for an indefinite length). */
  end: number;
}

const MAX_DEPTH = 48;

/** Decodes the element at `offset` of `buf`, reading no further than `limit`. */
export function decodeBer(buf: Uint8Array, offset = 0, limit = buf.length, depth = 0): BerNode {
  if (depth > MAX_DEPTH) throw new TlvError('nesting too deep');
  const { tag, constructed, next } = readTag(buf, offset);
  if (next >= limit) throw new TlvError('truncated length');
  const first = buf[next]!;
  if (first === 0x80) {
    if (!constructed) throw new TlvError('indefinite length on a primitive element');
    const valueStart = next + 1;
    let pos = valueStart;
    for (;;) {
      if (pos + 2 > limit) throw new TlvError('indefinite length without end-of-contents');
      if (buf[pos] === 0 && buf[pos + 1] === 0) break;
      pos = decodeBer(buf, pos, limit, depth + 1).end;
    }
    return {
      tag,
      constructed,
      indefinite: true,
      buf,
      start: offset,
      valueStart,
      valueEnd: pos,
      end: pos + 2,
    };
  }
  let length: number;
  let valueStart: number;
  if (first < 0x80) {
    length = first;
    valueStart = next + 1;
  } else {
    const n = first & 0x7f;
    if (n > 4) throw new TlvError('length field longer than 4 bytes');
    if (next + 1 + n > limit) throw new TlvError('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[next + 1 + i]!;
    valueStart = next + 1 + n;
  }
  if (valueStart + length > limit)
    throw new TlvError(`value of tag ${tag.toString(16)} overruns its container`);
  return {
    tag,
    constructed,
    indefinite: false,
    buf,
    start: offset,
    valueStart,
    valueEnd: valueStart + length,
    end: valueStart + length,
  };
}

/** Decodes `buf` as exactly one element (no trailing bytes). */
export function decodeBerExact(buf: Uint8Array): BerNode {
  const node = decodeBer(buf, 0);
  if (node.end !== buf.length) throw new TlvError('trailing bytes after the element');
  return node;
}

/** The children of a constructed element, which must fill its value exactly. */
export function berChildren(node: BerNode, depth = 0): BerNode[] {
  if (!node.constructed) throw new TlvError(`tag ${node.tag.toString(16)} is not constructed`);
  const out: BerNode[] = [];
  let pos = node.valueStart;
  while (pos < node.valueEnd) {
    const child = decodeBer(node.buf, pos, node.valueEnd, depth + 1);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** The whole encoding of the element (tag, length, value, end-of-contents). */
export function berBytes(node: BerNode): Uint8Array {
  return node.buf.subarray(node.start, node.end);
}

/** The value octets of a primitive element. */
export function berValue(node: BerNode): Uint8Array {
  return node.buf.subarray(node.valueStart, node.valueEnd);
}

/**
 * The content of an OCTET STRING: a primitive 0x04, or a BER constructed 0x24 whose segments are
 * themselves OCTET STRINGs (concatenated).
 */
export function berOctets(node: BerNode, depth = 0): Uint8Array {
  if (node.tag === 0x04 && !node.constructed) return berValue(node);
  if (node.tag === 0x24 && node.constructed && depth < 8) {
    return concat(...berChildren(node).map((c) => berOctets(c, depth + 1)));
  }
  throw new TlvError(`expected an OCTET STRING, found tag ${node.tag.toString(16)}`);
}

/** Throws unless `node` has tag `tag`. */
export function expectTag(node: BerNode | undefined, tag: number, what: string): BerNode {
  if (!node) throw new TlvError(`${what} is missing`);
  if (node.tag !== tag)
    throw new TlvError(`${what}: expected tag ${tag.toString(16)}, found ${node.tag.toString(16)}`);
  return node;
}

/** Decodes an OBJECT IDENTIFIER value (strictly: no leading 0x80 in an arc, bounded arcs). */
export function decodeOidValue(v: Uint8Array): string {
  if (v.length === 0 || v.length > 64) throw new TlvError('bad OBJECT IDENTIFIER length');
  const arcs: number[] = [];
  let acc = 0;
  let started = false;
  for (const b of v) {
    if (!started && b === 0x80) throw new TlvError('non-minimal OBJECT IDENTIFIER arc');
    started = true;
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 256) throw new TlvError('OBJECT IDENTIFIER arc too large');
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0;
      started = false;
    }
  }
  if (started) throw new TlvError('truncated OBJECT IDENTIFIER');
  const first = arcs.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

/** The OID of an OBJECT IDENTIFIER element. */
export function berOid(node: BerNode | undefined, what: string): string {
  const n = expectTag(node, 0x06, what);
  if (n.constructed) throw new TlvError(`${what}: constructed OBJECT IDENTIFIER`);
  return decodeOidValue(berValue(n));
}
