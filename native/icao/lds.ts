/**
 * The Logical Data Structure (ICAO 9303-10): file identifiers, EF.COM, DG1 (MRZ), DG2 (face),
 * DG15 (Active Authentication public key). DG13 (Vietnam), DG14 (SecurityInfos) and EF.SOD have
 * their own modules. LDS wrappers are read with the BER-TLV codec; ASN.1 inside with @peculiar/asn1-*.
 */
import { AsnParser } from '@peculiar/asn1-schema';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { RSAPublicKey } from '@peculiar/asn1-rsa';
import { bilingualError, IcaoError } from './bilingual';
import { children, decodeOne, find, type Tlv } from '../iso7816/tlv';
import { parseMrz, type Mrz } from './mrz';
import { curveOfEcParameters, uncompressedPoint } from './ec-spki';
import { OID } from './signature';

/** File identifiers of the eMRTD application. */
export const FID = {
  cardAccess: 0x011c,
  com: 0x011e,
  sod: 0x011d,
} as const;

/** FID of data group `n` (1..16): 0x0101 ... 0x0110. */
export function dataGroupFid(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new RangeError('data group number must be 1..16');
  return 0x0100 + n;
}

/** Data group number of a FID, or undefined. */
export function dataGroupOfFid(fid: number): number | undefined {
  const n = fid - 0x0100;
  return n >= 1 && n <= 16 ? n : undefined;
}

const DG_TAGS: Record<number, number> = {
  1: 0x61,
  2: 0x75,
  3: 0x63,
  4: 0x76,
  5: 0x65,
  6: 0x66,
  7: 0x67,
  8: 0x68,
  9: 0x69,
  10: 0x6a,
  11: 0x6b,
  12: 0x6c,
  13: 0x6d,
  14: 0x6e,
  15: 0x6f,
  16: 0x70,
};

/** The LDS tag of data group `n` (e.g. DG1 → 0x61). */
export function dataGroupTag(n: number): number {
  const t = DG_TAGS[n];
  if (t === undefined) throw new RangeError('data group number must be 1..16');
  return t;
}

/** The data group number of an LDS tag, or undefined. */
export function dataGroupOfTag(tag: number): number | undefined {
  for (const [n, t] of Object.entries(DG_TAGS)) if (t === tag) return Number(n);
  return undefined;
}

export function malformed(what: string, cause?: unknown): IcaoError {
  return bilingualError(
    'lds_malformed',
    `Dữ liệu ${what} trên chip bị lỗi định dạng.`,
    `The chip's ${what} is malformed.`,
    { cause },
  );
}

/** Decodes the outer TLV of an LDS file and checks its tag. */
export function unwrap(bytes: Uint8Array, tag: number, what: string): Tlv {
  let t: Tlv;
  try {
    t = decodeOne(bytes);
  } catch (e) {
    throw malformed(what, e);
  }
  if (t.tag !== tag) throw malformed(what);
  return t;
}

// ---------------------------------------------------------------------------------------------
// EF.COM

export interface EfCom {
  /** e.g. '1.7' (from '0107'). */
  ldsVersion: string;
  /** e.g. '4.0.0' (from '040000'). */
  unicodeVersion: string;
  /** The raw tag list. */
  tags: number[];
  /** Data group numbers present, in the order listed. */
  dataGroups: number[];
}

function ascii(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

export function parseEfCom(bytes: Uint8Array): EfCom {
  const com = unwrap(bytes, 0x60, 'EF.COM');
  try {
    const list = children(com);
    const lds = find(list, 0x5f01);
    const uni = find(list, 0x5f36);
    const tagList = find(list, 0x5c);
    if (!tagList) throw malformed('EF.COM');
    const tags = [...tagList.value];
    const ldsText = lds ? ascii(lds.value) : '';
    const uniText = uni ? ascii(uni.value) : '';
    return {
      ldsVersion: /^\d{4}$/.test(ldsText)
        ? `${Number(ldsText.slice(0, 2))}.${Number(ldsText.slice(2))}`
        : ldsText,
      unicodeVersion: /^\d{6}$/.test(uniText)
        ? `${Number(uniText.slice(0, 2))}.${Number(uniText.slice(2, 4))}.${Number(uniText.slice(4))}`
        : uniText,
      tags,
      dataGroups: tags.map((t) => dataGroupOfTag(t)).filter((n): n is number => n !== undefined),
    };
  } catch (e) {
    if (e instanceof IcaoError) throw e;
    throw malformed('EF.COM', e);
  }
}

// ---------------------------------------------------------------------------------------------
// DG1

export interface Dg1 {
  /** The MRZ characters (90 for TD1, 88 for TD3). */
  mrzText: string;
  mrz: Mrz;
  /** False when a check digit is wrong (the MRZ is still returned). */
  valid: boolean;
}

export function parseDg1(bytes: Uint8Array): Dg1 {
  const dg1 = unwrap(bytes, 0x61, 'DG1');
  let mrzTlv: Tlv | undefined;
  try {
    mrzTlv = find(children(dg1), 0x5f1f);
  } catch (e) {
    throw malformed('DG1', e);
  }
  if (!mrzTlv) throw malformed('DG1');
  const mrzText = ascii(mrzTlv.value);
  const res = parseMrz(mrzText);
  if (res.ok) return { mrzText, mrz: res.mrz, valid: true };
  if (res.mrz) return { mrzText, mrz: res.mrz, valid: false };
  throw bilingualError(res.code, res.reason.vi, res.reason.en);
}

// ---------------------------------------------------------------------------------------------
// DG15

export interface ActiveAuthPublicKey {
  kind: 'rsa' | 'ec';
  /** SubjectPublicKeyInfo DER as stored in DG15. */
  spki: Uint8Array;
  /** RSA modulus size in bits. */
  modulusBits?: number;
  /** EC curve (name from ./curves, e.g. 'brainpoolP256r1') and uncompressed point. */
  curve?: string;
  point?: Uint8Array;
}

export function parseDg15(bytes: Uint8Array): ActiveAuthPublicKey {
  const dg15 = unwrap(bytes, 0x6f, 'DG15');
  try {
    const spkiTlv = decodeOne(dg15.value);
    const spkiDer = dg15.value.subarray(0, spkiTlv.length);
    const spki = AsnParser.parse(spkiDer, SubjectPublicKeyInfo);
    if (spki.algorithm.algorithm === OID.rsaEncryption) {
      const rsa = AsnParser.parse(spki.subjectPublicKey, RSAPublicKey);
      const mod = new Uint8Array(rsa.modulus);
      let i = 0;
      while (i < mod.length && mod[i] === 0) i++;
      const bits = (mod.length - i) * 8 - Math.clz32(mod[i] ?? 0) + 24;
      return { kind: 'rsa', spki: spkiDer.slice(), modulusBits: bits };
    }
    if (spki.algorithm.algorithm === OID.ecPublicKey) {
      if (!spki.algorithm.parameters) throw malformed('DG15');
      const curve = curveOfEcParameters(spki.algorithm.parameters);
      if (!curve) {
        throw bilingualError(
          'aa_curve_unsupported',
          'Khóa xác thực chủ động dùng đường cong không được hỗ trợ.',
          'The Active Authentication key uses an unsupported curve.',
        );
      }
      const point = uncompressedPoint(curve, new Uint8Array(spki.subjectPublicKey));
      return { kind: 'ec', spki: spkiDer.slice(), curve: curve.name, point };
    }
    throw bilingualError(
      'aa_key_unsupported',
      'Loại khóa xác thực chủ động không được hỗ trợ.',
      'The Active Authentication key type is not supported.',
    );
  } catch (e) {
    if (e instanceof IcaoError) throw e;
    throw malformed('DG15', e);
  }
}
