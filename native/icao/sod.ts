/**
 * EF.SOD (ICAO 9303-10 §4.6.2): tag 77 around a CMS SignedData whose content (type
 * id-icao-ldsSecurityObject 2.23.136.1.1.1) is an LDSSecurityObject: version (v0, or v1 with
 * LDSVersionInfo), the hash algorithm and the hash of every data group on the chip.
 */
import { AsnParser } from '@peculiar/asn1-schema';
import { bilingualError } from './bilingual';
import { parseSignedData, type CmsSignedData, type CmsSigner } from './cms';
import { ICAO_OID, LdsSecurityObject } from './icao-asn1';
import { unwrap } from './lds';
import { hashNameByOid, type HashName } from './signature';

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

export function parseSod(bytes: Uint8Array): Sod {
  const outer = unwrap(bytes, 0x77, 'EF.SOD');
  const cms = parseSignedData(outer.value, 'EF.SOD');
  if (cms.eContentType !== ICAO_OID.ldsSecurityObject) {
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
    lds = AsnParser.parse(cms.eContent, LdsSecurityObject);
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
