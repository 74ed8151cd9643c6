/**
 * CMS SignedData (RFC 5652) as used by EF.SOD and ICAO master lists, and verification of one
 * signer: messageDigest attribute = hash(eContent), contentType attribute = eContentType, and the
 * signature over the DER SET of signed attributes with the signer certificate's key.
 *
 * Everything comes from ONE walk of the encoding (./ber): the signed-attribute bytes the signature
 * covers are the very element the attribute values are read from, and every structure on the way
 * (ContentInfo, SignedData, EncapsulatedContentInfo, SignerInfo, Attribute) must hold exactly the
 * elements of its schema, in order, with no trailing elements or bytes. BER (indefinite lengths,
 * constructed OCTET STRINGs) is accepted, as real passports use it. A splice — a second
 * signerInfos appended, a second messageDigest, bytes after the ContentInfo — is malformed data.
 */
import { AsnParser } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Name, Time, type Certificate } from '@peculiar/asn1-x509';
import { equalBytes } from '../util/bytes';
import {
  berBytes,
  berChildren,
  berOctets,
  berOid,
  berValue,
  decodeBerExact,
  expectTag,
  type BerNode,
} from './ber';
import { bilingualError } from './bilingual';
import { ICAO_OID } from './icao-asn1';
import { digest, hashNameByOid, verifySignature, type HashName } from './signature';
import { TlvError } from '../iso7816/tlv';
import {
  nameKey,
  namesEqualAnyOrder,
  parseCertificate,
  serialHex,
  subjectKeyIdentifier,
  type ParsedCertificate,
} from './x509';

export const ID_DATA = '1.2.840.113549.1.7.1';

/** The SignerIdentifier of a SignerInfo: issuer and serial number, or a subject key identifier. */
export interface SignerId {
  issuer?: Name;
  serialNumber?: Uint8Array;
  subjectKeyIdentifier?: Uint8Array;
}

export interface CmsSigner {
  sid: SignerId;
  digestAlgorithm: string;
  hash?: HashName;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  /** The DER SET OF signed attributes, i.e. the bytes the signature covers (absent = signature over eContent). */
  signedAttributes?: Uint8Array;
  contentType?: string;
  messageDigest?: Uint8Array;
  signingTime?: Date;
  /** The best candidate for this signer's certificate among those in the SignedData. */
  certificate?: ParsedCertificate;
  /** Every certificate of the SignedData the sid could name, best first (the signature decides). */
  certificateCandidates: ParsedCertificate[];
}

export interface CmsSignedData {
  eContentType: string;
  /** The encapsulated content octets (what the messageDigest covers). */
  eContent: Uint8Array;
  certificates: ParsedCertificate[];
  signers: CmsSigner[];
}

function malformedCms(what: string, cause?: unknown) {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return bilingualError(
    'cms_malformed',
    `Dữ liệu ký số (${what}) bị lỗi định dạng${detail}.`,
    `The signed data (${what}) is malformed${detail}.`,
    { cause },
  );
}

function fail(message: string): never {
  throw new TlvError(message);
}

/** Children of `node` checked against a positional schema: each slot a tag and whether it may be absent. */
function schema(
  node: BerNode,
  what: string,
  slots: Array<{ name: string; tags: number[]; optional?: boolean }>,
): Record<string, BerNode | undefined> {
  const kids = berChildren(node);
  const out: Record<string, BerNode | undefined> = {};
  let i = 0;
  for (const slot of slots) {
    const k = kids[i];
    if (k && slot.tags.includes(k.tag)) {
      out[slot.name] = k;
      i++;
    } else if (!slot.optional) {
      fail(`${what}: ${slot.name} is missing or has the wrong type`);
    }
  }
  if (i !== kids.length) fail(`${what}: ${kids.length - i} unexpected trailing element(s)`);
  return out;
}

function algorithmIdentifier(node: BerNode, what: string): AlgorithmIdentifier {
  const kids = berChildren(expectTag(node, 0x30, what));
  if (kids.length < 1 || kids.length > 2) fail(`${what}: AlgorithmIdentifier with ${kids.length} elements`);
  const algorithm = berOid(kids[0], what);
  const params = kids[1];
  return new AlgorithmIdentifier({
    algorithm,
    parameters: params ? berBytes(params).slice().buffer : undefined,
  });
}

/** Parses a ContentInfo holding SignedData. `what` names the object in error messages (e.g. 'EF.SOD'). */
export function parseSignedData(der: Uint8Array, what: string): CmsSignedData {
  try {
    return parseSignedDataStrict(der);
  } catch (e) {
    throw malformedCms(what, e);
  }
}

function parseSignedDataStrict(der: Uint8Array): CmsSignedData {
  const root = expectTag(decodeBerExact(der), 0x30, 'ContentInfo');
  const ci = schema(root, 'ContentInfo', [
    { name: 'contentType', tags: [0x06] },
    { name: 'content', tags: [0xa0] },
  ]);
  const contentType = berOid(ci.contentType, 'ContentInfo.contentType');
  if (contentType !== ICAO_OID.signedData) fail(`content type ${contentType} is not SignedData`);
  const explicit = berChildren(ci.content!);
  if (explicit.length !== 1) fail('ContentInfo.content must hold exactly one element');
  const sdNode = expectTag(explicit[0], 0x30, 'SignedData');
  const sd = schema(sdNode, 'SignedData', [
    { name: 'version', tags: [0x02] },
    { name: 'digestAlgorithms', tags: [0x31] },
    { name: 'encapContentInfo', tags: [0x30] },
    { name: 'certificates', tags: [0xa0], optional: true },
    { name: 'crls', tags: [0xa1], optional: true },
    { name: 'signerInfos', tags: [0x31] },
  ]);
  for (const d of berChildren(sd.digestAlgorithms!)) algorithmIdentifier(d, 'SignedData.digestAlgorithms');
  const encap = schema(sd.encapContentInfo!, 'EncapsulatedContentInfo', [
    { name: 'eContentType', tags: [0x06] },
    { name: 'eContent', tags: [0xa0], optional: true },
  ]);
  const eContentType = berOid(encap.eContentType, 'eContentType');
  if (!encap.eContent) fail('detached content (no eContent)');
  const inner = berChildren(encap.eContent);
  if (inner.length !== 1) fail('eContent must hold exactly one OCTET STRING');
  const eContent = berOctets(inner[0]!).slice();

  const certificates: ParsedCertificate[] = [];
  if (sd.certificates) {
    for (const c of berChildren(sd.certificates)) {
      if (c.tag !== 0x30) continue; // other CertificateChoices (attribute certificates) are not used by ICAO
      try {
        certificates.push(parseCertificate(berBytes(c).slice()));
      } catch {
        // An unreadable certificate cannot be a signer; a SOD that needs it fails later as missing.
      }
    }
  }
  const signers = berChildren(sd.signerInfos!).map((si) => parseSignerInfo(si, certificates));
  return { eContentType, eContent, certificates, signers };
}

function parseSignerInfo(node: BerNode, certificates: ParsedCertificate[]): CmsSigner {
  const si = schema(expectTag(node, 0x30, 'SignerInfo'), 'SignerInfo', [
    { name: 'version', tags: [0x02] },
    { name: 'sid', tags: [0x30, 0x80] },
    { name: 'digestAlgorithm', tags: [0x30] },
    { name: 'signedAttrs', tags: [0xa0], optional: true },
    { name: 'signatureAlgorithm', tags: [0x30] },
    { name: 'signature', tags: [0x04, 0x24] },
    { name: 'unsignedAttrs', tags: [0xa1], optional: true },
  ]);
  const sid = signerId(si.sid!);
  const digestAlgorithm = algorithmIdentifier(si.digestAlgorithm!, 'SignerInfo.digestAlgorithm').algorithm;
  const signer: CmsSigner = {
    sid,
    digestAlgorithm,
    signatureAlgorithm: algorithmIdentifier(si.signatureAlgorithm!, 'SignerInfo.signatureAlgorithm'),
    signature: berOctets(si.signature!).slice(),
    certificateCandidates: [],
  };
  const hash = hashNameByOid(digestAlgorithm);
  if (hash) signer.hash = hash;
  if (si.signedAttrs) readSignedAttributes(si.signedAttrs, signer);
  signer.certificateCandidates = signerCertificateCandidates(sid, certificates);
  const best = signer.certificateCandidates[0];
  if (best) signer.certificate = best;
  return signer;
}

function signerId(node: BerNode): SignerId {
  if (node.tag === 0x80) return { subjectKeyIdentifier: berValue(node).slice() };
  const ias = schema(node, 'IssuerAndSerialNumber', [
    { name: 'issuer', tags: [0x30] },
    { name: 'serialNumber', tags: [0x02] },
  ]);
  const issuer = AsnParser.parse(berBytes(ias.issuer!).slice(), Name);
  nameKey(issuer); // a name that cannot be read or compared is malformed data
  return { issuer, serialNumber: berValue(ias.serialNumber!).slice() };
}

/**
 * Reads contentType, messageDigest and signingTime from the signed-attributes element itself, and
 * keeps that element (tag [0] changed to SET OF) as the bytes the signature covers. Every attribute
 * type may appear once; these three must be single-valued.
 */
function readSignedAttributes(node: BerNode, signer: CmsSigner): void {
  const raw = berBytes(node).slice();
  raw[0] = 0x31;
  signer.signedAttributes = raw;
  const seen = new Set<string>();
  for (const attr of berChildren(node)) {
    const a = schema(expectTag(attr, 0x30, 'Attribute'), 'Attribute', [
      { name: 'type', tags: [0x06] },
      { name: 'values', tags: [0x31] },
    ]);
    const type = berOid(a.type, 'Attribute.attrType');
    if (seen.has(type)) fail(`signed attribute ${type} appears twice`);
    seen.add(type);
    const values = berChildren(a.values!);
    const single = (): BerNode => {
      if (values.length !== 1) fail(`signed attribute ${type} must have exactly one value`);
      return values[0]!;
    };
    if (type === ICAO_OID.contentType) {
      signer.contentType = berOid(single(), 'contentType attribute');
    } else if (type === ICAO_OID.messageDigest) {
      const v = single();
      if (v.tag !== 0x04) fail('messageDigest attribute is not an OCTET STRING');
      signer.messageDigest = berValue(v).slice();
    } else if (type === ICAO_OID.signingTime) {
      const v = single();
      if (v.tag !== 0x17 && v.tag !== 0x18) fail('signingTime attribute is not a time');
      const time = AsnParser.parse(berBytes(v).slice(), Time).getTime();
      if (Number.isNaN(time.getTime())) fail('signingTime attribute is not a valid time');
      signer.signingTime = time;
    }
  }
}

/**
 * The certificates a sid could name, best first: issuer (in any RDN order and case) and serial
 * number; else, when the SignedData carries exactly one certificate, that one if its serial number
 * matches (real SODs name the issuer inconsistently); or the subject key identifier. Only
 * candidates: the one used must verify the signature, and then chain.
 */
export function signerCertificateCandidates(
  sid: SignerId,
  certificates: Array<{ der: Uint8Array; cert: Certificate }>,
): ParsedCertificate[] {
  if (sid.serialNumber) {
    const serial = serialHex(sid.serialNumber);
    const sameSerial = certificates.filter((c) => serialHex(c.cert.tbsCertificate.serialNumber) === serial);
    const named = sameSerial.filter((c) => {
      try {
        return !!sid.issuer && namesEqualAnyOrder(c.cert.tbsCertificate.issuer, sid.issuer);
      } catch {
        return false;
      }
    });
    if (named.length > 0) return named;
    if (certificates.length === 1 && sameSerial.length === 1) return sameSerial;
    return [];
  }
  const want = sid.subjectKeyIdentifier;
  if (want) {
    return certificates.filter((c) => {
      try {
        const have = subjectKeyIdentifier(c.cert);
        return have !== undefined && equalBytes(have, want);
      } catch {
        return false;
      }
    });
  }
  return [];
}

export interface CmsVerification {
  /** messageDigest attribute equals hash(eContent). */
  messageDigestOk: boolean;
  /** A signed contentType attribute is present. */
  contentTypePresent: boolean;
  /** The signed contentType attribute is present and equals eContentType. */
  contentTypeOk: boolean;
  /** The signature verifies with the certificate's key. */
  signatureOk: boolean;
}

/**
 * Verifies one signer of `cms` with `certificate`. Without signed attributes the signature is
 * checked over eContent, but contentType and messageDigest are then missing (ICAO requires both).
 */
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
    return { messageDigestOk: false, contentTypePresent: false, contentTypeOk: false, signatureOk: ok };
  }
  const expected = digest(signer.hash, cms.eContent);
  const messageDigestOk = !!signer.messageDigest && equalBytes(signer.messageDigest, expected);
  const contentTypePresent = signer.contentType !== undefined;
  const contentTypeOk = contentTypePresent && signer.contentType === cms.eContentType;
  const signatureOk = verifySignature(
    spki,
    signer.signatureAlgorithm,
    signer.signedAttributes,
    signer.signature,
    signer.hash,
  );
  return { messageDigestOk, contentTypePresent, contentTypeOk, signatureOk };
}

/**
 * The signer's certificate: the first candidate whose key verifies the signature (never one whose
 * key fails it), else the best candidate (the signature then fails with it).
 */
export function chooseSignerCertificate(
  cms: CmsSignedData,
  signer: CmsSigner,
  candidates: ParsedCertificate[],
): ParsedCertificate | undefined {
  if (candidates.length <= 1) return candidates[0];
  for (const c of candidates) {
    try {
      if (verifyCmsSigner(cms, signer, c.cert).signatureOk) return c;
    } catch {
      // unsupported key: try the next candidate
    }
  }
  return candidates[0];
}
