/**
 * DG13 of the Vietnamese CCCD (national, optional details):
 *   6D { SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8, SET { SEQUENCE { INTEGER n, value } ... } } }
 * Field numbers: 1 ID12 · 2 full name · 3 date of birth dd/mm/yyyy · 4 sex Nam/Nữ · 5 nationality ·
 * 6 ethnicity · 7 religion · 8 place of origin · 9 residence · 10 identifying marks · 11 date of issue ·
 * 12 date of expiry ("Không thời hạn" = none) · 13 parents (father, mother) · 14 spouse ·
 * 15 / 16 old 9-digit ID and a 16-character value of unknown meaning (sources disagree which is which).
 *
 * Parsed by walking the structure — any depth of SEQUENCE/SET, any string type — never by offsets,
 * so the nesting variants of fields 13/14 and the 15/16 swap are all read the same way.
 */
import type { Sex } from '../domain/vocabulary';
import { formatDmy, parseDate } from '../util/dates';
import { foldName, stripDiacritics } from './names';
import { IcaoError } from '../icao/bilingual';
import { decodeAll, encode, type Tlv } from '../iso7816/tlv';
import { malformed, unwrap } from '../icao/lds';
import { oidDer } from '../icao/icao-asn1';

export const DG13_OID = '1.0.10646.1.0.8';

export interface Dg13 {
  idNumber?: string;
  fullName?: string;
  /** ISO yyyy-mm-dd. */
  dateOfBirth?: string;
  sex?: Sex;
  nationality?: string;
  ethnicity?: string;
  religion?: string;
  placeOfOrigin?: string;
  residence?: string;
  identifyingMarks?: string;
  dateOfIssue?: string;
  /** ISO date; null for "Không thời hạn"; undefined when absent or unreadable. */
  dateOfExpiry?: string | null;
  fatherName?: string;
  motherName?: string;
  spouseName?: string;
  oldIdNumber?: string;
  unknown16?: string;
  /** Every field as read, by number (strings of nested fields joined with ' | '). */
  raw: Map<number, string[]>;
  /** Field values that could not be interpreted (e.g. an impossible date), by field number. */
  invalid: number[];
}

/**
 * The DG13 fields that detail the holder beyond the identity (ID number, name, dates, sex), in the
 * order a reading lists them; a chip reading carries them as DG13 gives them (Dg13Details).
 */
export const DG13_DETAILS = [
  'oldIdNumber',
  'nationality',
  'ethnicity',
  'religion',
  'placeOfOrigin',
  'residence',
  'identifyingMarks',
  'fatherName',
  'motherName',
  'spouseName',
] as const satisfies readonly (keyof Dg13)[];

export type Dg13Details = Pick<Dg13, (typeof DG13_DETAILS)[number]>;

const STRING_TAGS = new Set([0x0c, 0x13, 0x16, 0x14, 0x1a, 0x1e, 0x04]);

function decodeString(t: Tlv): string {
  if (t.tag === 0x1e) {
    // BMPString: UTF-16BE
    let s = '';
    for (let i = 0; i + 1 < t.value.length; i += 2)
      s += String.fromCharCode((t.value[i]! << 8) | t.value[i + 1]!);
    return s.normalize('NFC');
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(t.value).normalize('NFC');
}

function intValue(t: Tlv): number | undefined {
  if (t.tag !== 0x02 || t.value.length === 0 || t.value.length > 2) return undefined;
  let v = 0;
  for (const b of t.value) v = v * 256 + b;
  return v;
}

/** All string leaves under `list`, in document order. */
function strings(list: Tlv[], depth = 0): string[] {
  if (depth > 8) throw malformed('DG13');
  const out: string[] = [];
  for (const t of list) {
    if (STRING_TAGS.has(t.tag)) out.push(decodeString(t));
    else if (t.constructed) out.push(...strings(decodeAll(t.value), depth + 1));
  }
  return out;
}

/** Whether `t` or anything below it is a SEQUENCE that starts with an INTEGER (a field, not a value). */
function holdsField(t: Tlv, depth: number): boolean {
  if (depth > 8) throw malformed('DG13');
  if (!t.constructed) return false;
  const kids = decodeAll(t.value);
  if (t.tag === 0x30 && kids[0]?.tag === 0x02) return true;
  return kids.some((k) => holdsField(k, depth + 1));
}

/** Finds field SEQUENCEs { INTEGER n, value... } anywhere below `list`. */
function collectFields(list: Tlv[], out: Map<number, string[]>, depth = 0): void {
  if (depth > 8) throw malformed('DG13');
  for (const t of list) {
    if (!t.constructed) continue;
    const kids = decodeAll(t.value);
    const first = kids[0];
    const n = first ? intValue(first) : undefined;
    const rest = kids.slice(1);
    // A field is INTEGER n followed by strings or constructed values made of strings. The DG13
    // header (INTEGER 1, OID, SET { fields }) is not: it holds an OID and further fields.
    const isField =
      t.tag === 0x30 &&
      n !== undefined &&
      n >= 1 &&
      rest.every((k) => STRING_TAGS.has(k.tag) || k.constructed) &&
      !rest.some((k) => k.tag === 0x06 || holdsField(k, depth + 1));
    if (isField && !out.has(n)) {
      out.set(n, strings(rest, depth + 1));
      continue;
    }
    collectFields(kids, out, depth + 1);
  }
}

export const NO_EXPIRY_TEXT = 'Không thời hạn';

function fold(s: string): string {
  return stripDiacritics(foldName(s));
}

export function parseDg13(bytes: Uint8Array): Dg13 {
  const dg13 = unwrap(bytes, 0x6d, 'DG13');
  const raw = new Map<number, string[]>();
  try {
    collectFields(decodeAll(dg13.value), raw);
  } catch (e) {
    if (e instanceof IcaoError) throw e;
    throw malformed('DG13', e);
  }
  if (raw.size === 0) throw malformed('DG13');
  const one = (n: number): string | undefined => {
    const v = raw.get(n)?.find((s) => s.trim() !== '');
    return v === undefined ? undefined : v.trim();
  };
  const invalid: number[] = [];
  const date = (n: number): string | undefined => {
    const v = one(n);
    if (v === undefined) return undefined;
    const iso = parseDate(v);
    if (!iso) invalid.push(n);
    return iso ?? undefined;
  };
  const out: Dg13 = { raw, invalid };
  out.idNumber = one(1);
  out.fullName = one(2);
  out.dateOfBirth = date(3);
  const sex = one(4);
  if (sex !== undefined) {
    const f = fold(sex);
    if (f === 'nam' || f === 'm' || f === 'male') out.sex = 'M';
    else if (f === 'nu' || f === 'f' || f === 'female') out.sex = 'F';
    else invalid.push(4);
  }
  out.nationality = one(5);
  out.ethnicity = one(6);
  out.religion = one(7);
  out.placeOfOrigin = one(8);
  out.residence = one(9);
  out.identifyingMarks = one(10);
  out.dateOfIssue = date(11);
  const expiry = one(12);
  if (expiry !== undefined) {
    if (fold(expiry) === fold(NO_EXPIRY_TEXT)) out.dateOfExpiry = null;
    else {
      const iso = parseDate(expiry);
      if (iso) out.dateOfExpiry = iso;
      else invalid.push(12);
    }
  }
  const parents = raw.get(13) ?? [];
  if (parents[0]?.trim()) out.fatherName = parents[0].trim();
  if (parents[1]?.trim()) out.motherName = parents[1].trim();
  out.spouseName = one(14);
  for (const n of [15, 16]) {
    const v = one(n);
    if (v === undefined) continue;
    if (/^\d{9}$/.test(v) || (/^\d{12}$/.test(v) && v !== out.idNumber)) out.oldIdNumber ??= v;
    else out.unknown16 ??= v;
  }
  for (const k of Object.keys(out) as (keyof Dg13)[]) if (out[k] === undefined) delete out[k];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Building (for the software card)

export interface Dg13Input {
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: Sex;
  nationality: string;
  ethnicity: string;
  religion: string;
  placeOfOrigin: string;
  residence: string;
  identifyingMarks: string;
  dateOfIssue: string;
  dateOfExpiry: string | null;
  fatherName: string;
  motherName: string;
  spouseName?: string;
  oldIdNumber?: string;
  unknown16?: string;
}

export type Dg13Nesting =
  /** As cccd-card.md: 13 = { INTEGER 13, SEQUENCE{father}, SEQUENCE{mother} }, 14 = { INTEGER 14, SEQUENCE{spouse?} }. */
  | 'standard'
  /** 13 = { INTEGER 13, SEQUENCE { SEQUENCE{father}, SEQUENCE{mother} } }, 14 = { INTEGER 14, spouse string }. */
  | 'nested'
  /** 13 = { INTEGER 13, father, mother } (strings directly), 14 = { INTEGER 14 } when none. */
  | 'flat';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s.normalize('NFC'));
const int = (n: number): Uint8Array => encode(0x02, Uint8Array.of(n));
const utf8String = (s: string): Uint8Array => encode(0x0c, utf8(s));
const printable = (s: string): Uint8Array => encode(0x13, utf8(s));
const seq = (...items: Uint8Array[]): Uint8Array => encode(0x30, items);

/**
 * Builds DG13 in the CCCD layout. `swapOldId` writes the old ID as field 16 and the unknown value
 * as field 15 (the other variant seen in sources).
 */
export function buildDg13(
  p: Dg13Input,
  options: { nesting?: Dg13Nesting; swapOldId?: boolean } = {},
): Uint8Array {
  const nesting = options.nesting ?? 'standard';
  const field = (n: number, ...value: Uint8Array[]): Uint8Array => seq(int(n), ...value);
  const fields: Uint8Array[] = [
    field(1, printable(p.idNumber)),
    field(2, utf8String(p.fullName)),
    field(3, utf8String(formatDmy(p.dateOfBirth))),
    field(4, utf8String(p.sex === 'M' ? 'Nam' : 'Nữ')),
    field(5, utf8String(p.nationality)),
    field(6, utf8String(p.ethnicity)),
    field(7, utf8String(p.religion)),
    field(8, utf8String(p.placeOfOrigin)),
    field(9, utf8String(p.residence)),
    field(10, utf8String(p.identifyingMarks)),
    field(11, utf8String(formatDmy(p.dateOfIssue))),
    field(12, utf8String(p.dateOfExpiry === null ? NO_EXPIRY_TEXT : formatDmy(p.dateOfExpiry))),
  ];
  if (nesting === 'standard') {
    fields.push(field(13, seq(utf8String(p.fatherName)), seq(utf8String(p.motherName))));
    fields.push(field(14, p.spouseName ? seq(utf8String(p.spouseName)) : seq()));
  } else if (nesting === 'nested') {
    fields.push(field(13, seq(seq(utf8String(p.fatherName)), seq(utf8String(p.motherName)))));
    fields.push(p.spouseName ? field(14, utf8String(p.spouseName)) : field(14, seq()));
  } else {
    fields.push(field(13, utf8String(p.fatherName), utf8String(p.motherName)));
    fields.push(p.spouseName ? field(14, utf8String(p.spouseName)) : field(14));
  }
  const oldNo = options.swapOldId ? 16 : 15;
  const unkNo = options.swapOldId ? 15 : 16;
  const tail: Array<[number, Uint8Array]> = [];
  if (p.oldIdNumber !== undefined) tail.push([oldNo, field(oldNo, printable(p.oldIdNumber))]);
  if (p.unknown16 !== undefined) tail.push([unkNo, field(unkNo, printable(p.unknown16))]);
  tail.sort((a, b) => a[0] - b[0]);
  fields.push(...tail.map(([, f]) => f));
  return encode(0x6d, [seq(int(1), oidDer(DG13_OID), encode(0x31, fields))]);
}
