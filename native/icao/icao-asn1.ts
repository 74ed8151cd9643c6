/**
 * ASN.1 structures of ICAO 9303 that @peculiar/asn1-* does not ship: LDSSecurityObject (part 10),
 * SecurityInfos (part 11, DG14 / EF.CardAccess) and CscaMasterList (part 12).
 *
 * The decorators of @peculiar/asn1-schema are legacy (experimentalDecorators) decorators; this
 * project compiles standard TypeScript, so they are applied as plain function calls below.
 */
import {
  AsnArray,
  AsnChoiceType,
  AsnProp,
  AsnSerializer,
  AsnPropTypes,
  AsnType,
  AsnTypeTypes,
  OctetString,
} from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';

export const ICAO_OID = {
  ldsSecurityObject: '2.23.136.1.1.1',
  cscaMasterList: '2.23.136.1.1.2',
  activeAuthentication: '2.23.136.1.1.5',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  /** id-PK-DH, id-PK-ECDH (ChipAuthenticationPublicKeyInfo). */
  pkDh: '0.4.0.127.0.7.2.2.1.1',
  pkEcdh: '0.4.0.127.0.7.2.2.1.2',
  /** id-TA */
  ta: '0.4.0.127.0.7.2.2.2',
  /** id-CA-DH / id-CA-ECDH prefixes; the last arc is the cipher (1 3DES, 2 AES-128, 3 AES-192, 4 AES-256). */
  caDh: '0.4.0.127.0.7.2.2.3.1',
  caEcdh: '0.4.0.127.0.7.2.2.3.2',
  /** id-PACE prefix. */
  pace: '0.4.0.127.0.7.2.2.4',
} as const;

function prop(target: object, key: string, options: Parameters<typeof AsnProp>[0]): void {
  AsnProp(options)(target, key);
}

/** DataGroupHash ::= SEQUENCE { dataGroupNumber INTEGER, dataGroupHashValue OCTET STRING } */
export class DataGroupHash {
  dataGroupNumber = 0;
  dataGroupHashValue: OctetString = new OctetString();
  constructor(params: Partial<DataGroupHash> = {}) {
    Object.assign(this, params);
  }
}
prop(DataGroupHash.prototype, 'dataGroupNumber', { type: AsnPropTypes.Integer });
prop(DataGroupHash.prototype, 'dataGroupHashValue', { type: OctetString });

/** LDSVersionInfo ::= SEQUENCE { ldsVersion PrintableString, unicodeVersion PrintableString } */
export class LdsVersionInfo {
  ldsVersion = '';
  unicodeVersion = '';
  constructor(params: Partial<LdsVersionInfo> = {}) {
    Object.assign(this, params);
  }
}
prop(LdsVersionInfo.prototype, 'ldsVersion', { type: AsnPropTypes.PrintableString });
prop(LdsVersionInfo.prototype, 'unicodeVersion', { type: AsnPropTypes.PrintableString });

/** LDSSecurityObject (v0 without, v1 with ldsVersionInfo). */
export class LdsSecurityObject {
  version = 0;
  hashAlgorithm: AlgorithmIdentifier = new AlgorithmIdentifier();
  dataGroupHashValues: DataGroupHash[] = [];
  ldsVersionInfo?: LdsVersionInfo;
  constructor(params: Partial<LdsSecurityObject> = {}) {
    Object.assign(this, params);
  }
}
prop(LdsSecurityObject.prototype, 'version', { type: AsnPropTypes.Integer });
prop(LdsSecurityObject.prototype, 'hashAlgorithm', { type: AlgorithmIdentifier });
prop(LdsSecurityObject.prototype, 'dataGroupHashValues', { type: DataGroupHash, repeated: 'sequence' });
prop(LdsSecurityObject.prototype, 'ldsVersionInfo', { type: LdsVersionInfo, optional: true });

/** SecurityInfo ::= SEQUENCE { protocol OID, requiredData ANY, optionalData ANY OPTIONAL } */
export class SecurityInfo {
  protocol = '';
  requiredData: ArrayBuffer = new ArrayBuffer(0);
  optionalData?: ArrayBuffer;
  constructor(params: Partial<SecurityInfo> = {}) {
    Object.assign(this, params);
  }
}
prop(SecurityInfo.prototype, 'protocol', { type: AsnPropTypes.ObjectIdentifier });
prop(SecurityInfo.prototype, 'requiredData', { type: AsnPropTypes.Any });
prop(SecurityInfo.prototype, 'optionalData', { type: AsnPropTypes.Any, optional: true });

/** SecurityInfos ::= SET OF SecurityInfo */
export class SecurityInfos extends AsnArray<SecurityInfo> {
  constructor(items?: SecurityInfo[]) {
    super(items);
    Object.setPrototypeOf(this, SecurityInfos.prototype);
  }
}
AsnType({ type: AsnTypeTypes.Set, itemType: SecurityInfo })(SecurityInfos);

/** CscaMasterList ::= SEQUENCE { version INTEGER (v0), certList SET OF Certificate } */
export class CscaMasterList {
  version = 0;
  certList: Certificate[] = [];
  constructor(params: Partial<CscaMasterList> = {}) {
    Object.assign(this, params);
  }
}
prop(CscaMasterList.prototype, 'version', { type: AsnPropTypes.Integer });
prop(CscaMasterList.prototype, 'certList', { type: Certificate, repeated: 'set' });

/** A bare OBJECT IDENTIFIER (a one-alternative CHOICE serializes as just the OID). */
class OidValue {
  oid?: string;
}
AsnChoiceType()(OidValue);
prop(OidValue.prototype, 'oid', { type: AsnPropTypes.ObjectIdentifier });

/** DER of an OBJECT IDENTIFIER. */
export function oidDer(oid: string): Uint8Array {
  const v = new OidValue();
  v.oid = oid;
  return new Uint8Array(AsnSerializer.serialize(v));
}
