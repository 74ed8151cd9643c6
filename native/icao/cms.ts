/**
 * CMS SignedData (RFC 5652) as used by EF.SOD and ICAO master lists: parsing with
 * @peculiar/asn1-cms, and verification of one signer: messageDigest attribute = hash(eContent),
 * signature over the DER SET of signed attributes with the signer certificate's key.
 */
import { AsnParser } from '@peculiar/asn1-schema';
import { ContentInfo, SignedData, SignerInfo, id_signedData } from '@peculiar/asn1-cms';
import { Certificate, Time, type AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { concat, equalBytes } from '../util/bytes';
import { bilingualError } from './bilingual';
import { decodeOid } from './card-access';
import { ICAO_OID } from './icao-asn1';
import { decodeAll, decodeOne, type Tlv } from './tlv';
import { digest, hashNameByOid, verifySignature, type HashName } from './signature';
import {
  namesEqual,
  parseCertificate,
  serialHex,
  subjectKeyIdentifier,
  type ParsedCertificate,
} from './x509';

export interface CmsSigner {
  info: SignerInfo;
  digestAlgorithm: string;
  hash?: HashName;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  /** The DER SET OF signed attributes, i.e. the bytes the signature covers (absent = signature over eContent). */
  signedAttributes?: Uint8Array;
  contentType?: string;
  messageDigest?: Uint8Array;
  signingTime?: Date;
  /** The certificate of this signer among those in the SignedData, if present. */
  certificate?: ParsedCertificate;
}

export interface CmsSignedData {
  signedData: SignedData;
  eContentType: string;
  /** The encapsulated content octets (what the messageDigest covers). */
  eContent: Uint8Array;
  certificates: ParsedCertificate[];
  signers: CmsSigner[];
}

function malformedCms(what: string, cause?: unknown) {
  return bilingualError(
    'cms_malformed',
    `Dữ liệu ký số (${what}) bị lỗi định dạng.`,
    `The signed data (${what}) is malformed.`,
    { cause },
  );
}

/** The value of a (possibly constructed, BER) OCTET STRING. */
function octetStringValue(der: Uint8Array, depth = 0): Uint8Array {
  const t = decodeOne(der);
  if (t.tag === 0x04) return t.value;
  if (t.tag === 0x24 && depth < 8) {
    return concat(
      ...decodeAll(t.value).map((c) =>
        octetStringValue(t.value.subarray(c.offset, c.offset + c.length), depth + 1),
      ),
    );
  }
  throw new Error('eContent is not an OCTET STRING');
}

interface RawParts {
  /** DER of each certificate in SignedData.certificates, as encoded. */
  certificates: Uint8Array[];
  /** Per SignerInfo, the encoded [0] signedAttrs (undefined when absent). */
  signedAttributes: (Uint8Array | undefined)[];
}

/**
 * The exact encodings the signatures cover, taken with the TLV codec: @peculiar/asn1-schema does not
 * keep the raw bytes of a repeated field such as signedAttrs, and re-encoding could differ from them.
 */
function rawParts(contentInfo: Uint8Array): RawParts {
  const slice = (parent: Uint8Array, t: Tlv): Uint8Array => parent.subarray(t.offset, t.offset + t.length);
  const ci = decodeOne(contentInfo);
  const explicit = decodeAll(ci.value).find((t) => t.tag === 0xa0);
  if (!explicit) throw new Error('ContentInfo without content');
  const sd = decodeOne(explicit.value);
  const parts = decodeAll(sd.value);
  const certs = parts.find((t) => t.tag === 0xa0);
  const signerInfos = parts[parts.length - 1];
  if (!signerInfos || signerInfos.tag !== 0x31) throw new Error('SignedData without signerInfos');
  return {
    certificates: certs
      ? decodeAll(certs.value)
          .filter((t) => t.tag === 0x30)
          .map((t) => slice(certs.value, t))
      : [],
    signedAttributes: decodeAll(signerInfos.value).map((si) => {
      const attrs = decodeAll(si.value).find((t) => t.tag === 0xa0);
      return attrs ? slice(si.value, attrs) : undefined;
    }),
  };
}

/** Parses a ContentInfo holding SignedData. `what` names the object in error messages (e.g. 'EF.SOD'). */
export function parseSignedData(der: Uint8Array, what: string): CmsSignedData {
  let signedData: SignedData;
  try {
    const ci = AsnParser.parse(der, ContentInfo);
    if (ci.contentType !== id_signedData) throw new Error(`content type ${ci.contentType}`);
    signedData = AsnParser.parse(ci.content, SignedData);
  } catch (e) {
    throw malformedCms(what, e);
  }
  const encap = signedData.encapContentInfo;
  let eContent: Uint8Array;
  try {
    if (encap.eContent?.single) eContent = new Uint8Array(encap.eContent.single.buffer);
    else if (encap.eContent?.any) eContent = octetStringValue(new Uint8Array(encap.eContent.any));
    else throw new Error('detached content');
  } catch (e) {
    throw malformedCms(what, e);
  }
  let raw: RawParts;
  try {
    raw = rawParts(der);
  } catch (e) {
    throw malformedCms(what, e);
  }
  const certificates: ParsedCertificate[] = [];
  for (const certDer of raw.certificates) {
    try {
      certificates.push(parseCertificate(certDer.slice()));
    } catch {
      // Other certificate formats (attribute certificates) are not used by ICAO.
    }
  }
  const signers = [...signedData.signerInfos].map((info, i) =>
    describeSigner(info, raw.signedAttributes[i], certificates, what),
  );
  return { signedData, eContentType: encap.eContentType, eContent, certificates, signers };
}

function describeSigner(
  info: SignerInfo,
  signedAttributesRaw: Uint8Array | undefined,
  certificates: ParsedCertificate[],
  what: string,
): CmsSigner {
  const signer: CmsSigner = {
    info,
    digestAlgorithm: info.digestAlgorithm.algorithm,
    hash: hashNameByOid(info.digestAlgorithm.algorithm),
    signatureAlgorithm: info.signatureAlgorithm,
    signature: new Uint8Array(info.signature.buffer),
  };
  if (info.signedAttrs) {
    // The signature covers the DER of the attributes with an explicit SET OF tag, not the [0] tag.
    if (!signedAttributesRaw) throw malformedCms(what);
    const raw = signedAttributesRaw.slice();
    raw[0] = 0x31;
    signer.signedAttributes = raw;
    try {
      for (const attr of info.signedAttrs) {
        const value = attr.attrValues[0];
        if (!value) continue;
        if (attr.attrType === ICAO_OID.contentType) {
          const t = decodeOne(new Uint8Array(value));
          if (t.tag === 0x06) signer.contentType = decodeOid(t.value);
        } else if (attr.attrType === ICAO_OID.messageDigest) {
          const t = decodeOne(new Uint8Array(value));
          if (t.tag === 0x04) signer.messageDigest = t.value.slice();
        } else if (attr.attrType === ICAO_OID.signingTime) {
          signer.signingTime = AsnParser.parse(value, Time).getTime();
        }
      }
    } catch (e) {
      throw malformedCms(what, e);
    }
  }
  let cert: ParsedCertificate | undefined;
  try {
    // Matching re-encodes the signer's issuer name: a damaged name is malformed data, not a crash.
    cert = findSignerCertificate(info, certificates);
  } catch (e) {
    throw malformedCms(what, e);
  }
  if (cert) signer.certificate = cert;
  return signer;
}

/** The certificate named by a SignerInfo's sid (issuer + serial, or subject key identifier). */
export function findSignerCertificate(
  info: SignerInfo,
  certificates: ParsedCertificate[],
): ParsedCertificate | undefined {
  const ias = info.sid.issuerAndSerialNumber;
  if (ias) {
    const serial = serialHex(ias.serialNumber);
    return certificates.find(
      (c) =>
        serialHex(c.cert.tbsCertificate.serialNumber) === serial &&
        namesEqual(c.cert.tbsCertificate.issuer, ias.issuer),
    );
  }
  const ski = info.sid.subjectKeyIdentifier;
  if (ski) {
    const want = new Uint8Array(ski.buffer);
    return certificates.find((c) => {
      const have = subjectKeyIdentifier(c.cert);
      return have !== undefined && equalBytes(have, want);
    });
  }
  return undefined;
}

export interface CmsVerification {
  /** messageDigest attribute equals hash(eContent) (true when there are no signed attributes and the hash is known). */
  messageDigestOk: boolean;
  /** contentType attribute equals eContentType (true when absent). */
  contentTypeOk: boolean;
  /** The signature verifies with the certificate's key. */
  signatureOk: boolean;
}

/** Verifies one signer of `cms` with `certificate` (defaults to the signer's certificate inside the CMS). */
export function verifyCmsSigner(
  cms: CmsSignedData,
  signer: CmsSigner,
  certificate: Certificate,
): CmsVerification {
  if (!signer.hash) {
    throw bilingualError(
      'signature_algorithm_unsupported',
      'Thuật toán băm của chữ ký không được hỗ trợ.',
      'The signature digest algorithm is not supported.',
    );
  }
  const spki = certificate.tbsCertificate.subjectPublicKeyInfo;
  if (!signer.signedAttributes) {
    const ok = verifySignature(spki, signer.signatureAlgorithm, cms.eContent, signer.signature, signer.hash);
    return { messageDigestOk: true, contentTypeOk: true, signatureOk: ok };
  }
  const expected = digest(signer.hash, cms.eContent);
  const messageDigestOk = !!signer.messageDigest && equalBytes(signer.messageDigest, expected);
  const contentTypeOk = signer.contentType === undefined || signer.contentType === cms.eContentType;
  const signatureOk = verifySignature(
    spki,
    signer.signatureAlgorithm,
    signer.signedAttributes,
    signer.signature,
    signer.hash,
  );
  return { messageDigestOk, contentTypeOk, signatureOk };
}
