/**
 * EF.SOD (ICAO 9303-10 §4.6.2): tag 77 around a CMS SignedData whose content (type
 * id-icao-ldsSecurityObject 2.23.136.1.1.1, or id-data 1.2.840.113549.1.7.1 as real Chinese
 * passports have it) is an LDSSecurityObject: version (v0, or v1 with LDSVersionInfo), the hash
 * algorithm and the hash of every data group on the chip.
 *
 * The 77 element must be the whole file (no trailing bytes) and the SignedData inside it must hold
 * exactly the elements of its schema (./cms): anything else is malformed (sod_malformed).
 */
import { AsnParser } from '@peculiar/asn1-schema';
import { berChildren, decodeBer, decodeBerExact, expectTag } from './ber';
import { bilingualError } from './bilingual';
import { ID_DATA, parseSignedData, type CmsSignedData, type CmsSigner } from './cms';
import { ICAO_OID, LdsSecurityObject } from './icao-asn1';
import { hashNameByOid, type HashName } from './signature';
import { TlvError } from '../iso7816/tlv';

export interface Sod {
  cms: CmsSignedData;
  lds: LdsSecurityObject;
  /** LDSSecurityObject version: 0 or 1. */
  version: number;
  hashAlgorithm: string;
  /** undefined when the algorithm is not supported. */
  hash?: HashName;
  /** Data group number → hash. */
  dataGroupHashes: Map<number, Uint8Array>;
  ldsVersion?: string;
  unicodeVersion?: string;
  /** The (first) signer: the document signer. */
  signer: CmsSigner;
}

/** eContent types accepted for an LDSSecurityObject (the signed contentType attribute must equal it). */
export const SOD_CONTENT_TYPES: readonly string[] = [ICAO_OID.ldsSecurityObject, ID_DATA];

function sodMalformed(detail: string, cause?: unknown) {
  return bilingualError(
    'sod_not_der',
    `EF.SOD có cấu trúc không hợp lệ (${detail}).`,
    `EF.SOD has an invalid structure (${detail}).`,
    { cause },
  );
}

/** The SignedData inside the 77 element, which must be the whole file (BER lengths allowed). */
function sodContent(bytes: Uint8Array): Uint8Array {
  let outer;
  try {
    outer = decodeBer(bytes, 0);
  } catch (e) {
    throw sodMalformed('tag 77', e);
  }
  if (outer.tag !== 0x77) throw sodMalformed('not tag 77');
  if (outer.end !== bytes.length) throw sodMalformed('trailing bytes after tag 77');
  return bytes.subarray(outer.valueStart, outer.valueEnd);
}

/** Checks that eContent is exactly one LDSSecurityObject SEQUENCE of the schema's shape. */
function checkLdsShape(eContent: Uint8Array): void {
  const root = expectTag(decodeBerExact(eContent), 0x30, 'LDSSecurityObject');
  const kids = berChildren(root);
  const tags = kids.map((k) => k.tag);
  const ok =
    (tags.length === 3 || tags.length === 4) &&
    tags[0] === 0x02 &&
    tags[1] === 0x30 &&
    tags[2] === 0x30 &&
    (tags.length === 3 || tags[3] === 0x30);
  if (!ok) throw new TlvError('LDSSecurityObject does not have the elements of its schema');
}

export function parseSod(bytes: Uint8Array): Sod {
  const cms = parseSignedData(sodContent(bytes), 'EF.SOD');
  if (!SOD_CONTENT_TYPES.includes(cms.eContentType)) {
    throw bilingualError(
      'sod_content_type',
      'EF.SOD không chứa đối tượng bảo mật LDS.',
      'EF.SOD does not contain an LDS security object.',
    );
  }
  const signer = cms.signers[0];
  if (!signer) {
    throw bilingualError('sod_no_signer', 'EF.SOD không có chữ ký.', 'EF.SOD has no signer.');
  }
  let lds: LdsSecurityObject;
  try {
    checkLdsShape(cms.eContent);
    lds = AsnParser.parse(cms.eContent, LdsSecurityObject);
    const numbers = lds.dataGroupHashValues.map((h) => h.dataGroupNumber);
    if (new Set(numbers).size !== numbers.length) throw new TlvError('a data group is listed twice');
    if (numbers.some((n) => !Number.isInteger(n) || n < 1 || n > 16))
      throw new TlvError('a data group number is out of range');
  } catch (e) {
    throw bilingualError(
      'lds_malformed',
      'Dữ liệu EF.SOD trên chip bị lỗi định dạng.',
      "The chip's EF.SOD is malformed.",
      { cause: e },
    );
  }
  const dataGroupHashes = new Map<number, Uint8Array>();
  for (const h of lds.dataGroupHashValues) {
    dataGroupHashes.set(h.dataGroupNumber, new Uint8Array(h.dataGroupHashValue.buffer));
  }
  const sod: Sod = {
    cms,
    lds,
    version: lds.version,
    hashAlgorithm: lds.hashAlgorithm.algorithm,
    dataGroupHashes,
    signer,
  };
  const hash = hashNameByOid(lds.hashAlgorithm.algorithm);
  if (hash) sod.hash = hash;
  if (lds.ldsVersionInfo) {
    sod.ldsVersion = lds.ldsVersionInfo.ldsVersion;
    sod.unicodeVersion = lds.ldsVersionInfo.unicodeVersion;
  }
  return sod;
}
