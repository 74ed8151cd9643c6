/**
 * A test PKI made at run time for the software card: a self-signed CSCA (ECDSA brainpoolP256r1 by
 * default; other curves, explicit EC parameters or RSA / RSASSA-PSS as options) issuing a document
 * signer (DS). Certificates are built with @peculiar/asn1-x509 and signed with node:crypto keys.
 * Also CMS SignedData signing (EF.SOD, master lists), CRLs and ICAO master lists for tests.
 * Everything is fictional ("CCCD Kiosk Test ..."); a PKI is cached per process and options.
 */
import { constants, generateKeyPairSync, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import { AsnParser, AsnSerializer, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CertificateList,
  Extension,
  Extensions,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  RevokedCertificate,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertList,
  TBSCertificate,
  Time,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  CMSVersion,
  ContentInfo,
  DigestAlgorithmIdentifier,
  DigestAlgorithmIdentifiers,
  EncapsulatedContent,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignatureAlgorithmIdentifier,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
  id_signedData,
} from '@peculiar/asn1-cms';
import { RsaSaPssParams, id_RSASSA_PSS, id_mgf1 } from '@peculiar/asn1-rsa';
import { curveByName } from '../icao/curves';
import { ecSpkiDerExplicit } from '../icao/ec-spki';
import { CscaMasterList, ICAO_OID, oidDer } from '../icao/icao-asn1';
import { OID, digest, hashOid, type HashName } from '../icao/signature';
import { decodeAll, decodeOne, encode } from '../iso7816/tlv';
import { concat } from '../util/bytes';
import { toPem } from '../icao/x509';

export type KeySpec =
  | {
      type: 'ec';
      /** Curve name from native/icao/curves ('brainpoolP256r1', 'P-256', ...). */
      curve: string;
      /** Put explicit domain parameters in the certificate's SubjectPublicKeyInfo (as many CSCAs do). */
      explicitParameters?: boolean;
    }
  | {
      type: 'rsa';
      bits: number;
      /** Sign with RSASSA-PSS (MGF1 with the same hash, salt = hash length) instead of PKCS#1 v1.5. */
      pss?: boolean;
      /** With `pss`: an RSASSA-PSS key (SubjectPublicKeyInfo algorithm id-RSASSA-PSS) instead of rsaEncryption. */
      pssKeyType?: boolean;
    };

export interface CertifiedKey {
  cert: Certificate;
  der: Uint8Array;
  pem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  spec: KeySpec;
  /** Hash used for signatures made with this key. */
  hash: HashName;
}

export interface TestPki {
  csca: CertifiedKey;
  ds: CertifiedKey;
}

export interface PkiOptions {
  /** CSCA key; default ECDSA brainpoolP256r1. */
  csca?: KeySpec;
  /** DS key; default the same as the CSCA's (without explicit parameters). */
  ds?: KeySpec;
  /** Hash for certificate and SOD signatures; default SHA-256. */
  hash?: HashName;
  /** Distinguishes PKIs (e.g. a second, untrusted CSCA). */
  cscaName?: string;
  dsName?: string;
  country?: string;
  /** Validity start (default: 2020-01-01); CSCA 20 years, DS 15 years unless given. */
  notBefore?: Date;
  dsNotAfter?: Date;
  /**
   * Only tells PKIs apart in the per-process cache: the same names with another label get fresh keys
   * (e.g. a forger's CSCA with the genuine test CSCA's subject DN).
   */
  label?: string;
}

export const DEFAULT_KEY: KeySpec = { type: 'ec', curve: 'brainpoolP256r1' };

// ---------------------------------------------------------------------------------------------
// Keys and signatures

export function generateKey(spec: KeySpec): { privateKey: KeyObject; publicKey: KeyObject } {
  if (spec.type === 'rsa' && spec.pss && spec.pssKeyType) {
    return generateKeyPairSync('rsa-pss', { modulusLength: spec.bits, publicExponent: 65537 });
  }
  if (spec.type === 'rsa') {
    return generateKeyPairSync('rsa', { modulusLength: spec.bits, publicExponent: 65537 });
  }
  return generateKeyPairSync('ec', { namedCurve: curveByName(spec.curve).openssl });
}

/** The SubjectPublicKeyInfo DER of a key as it goes into a certificate (explicit EC parameters if asked). */
export function spkiFor(publicKey: KeyObject, spec: KeySpec): Uint8Array {
  const der = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  if (spec.type === 'ec' && spec.explicitParameters) {
    const spki = AsnParser.parse(der, SubjectPublicKeyInfo);
    return ecSpkiDerExplicit(spec.curve, new Uint8Array(spki.subjectPublicKey));
  }
  return der;
}

/** The signature AlgorithmIdentifier for signatures by a key of `spec` with `hash`. */
export function signatureAlgorithm(spec: KeySpec, hash: HashName): AlgorithmIdentifier {
  if (spec.type === 'ec') {
    const oid = {
      sha1: OID.ecdsaWithSha1,
      sha224: OID.ecdsaWithSha224,
      sha256: OID.ecdsaWithSha256,
      sha384: OID.ecdsaWithSha384,
      sha512: OID.ecdsaWithSha512,
    }[hash];
    return new AlgorithmIdentifier({ algorithm: oid });
  }
  if (spec.pss) {
    const hashAlg = new AlgorithmIdentifier({ algorithm: hashOid(hash), parameters: null });
    const params = new RsaSaPssParams({
      hashAlgorithm: hashAlg,
      maskGenAlgorithm: new AlgorithmIdentifier({
        algorithm: id_mgf1,
        parameters: AsnSerializer.serialize(hashAlg),
      }),
      saltLength: digest(hash, new Uint8Array(0)).length,
    });
    return new AlgorithmIdentifier({ algorithm: id_RSASSA_PSS, parameters: AsnSerializer.serialize(params) });
  }
  const oid = {
    sha1: OID.sha1WithRSA,
    sha224: OID.sha224WithRSA,
    sha256: OID.sha256WithRSA,
    sha384: OID.sha384WithRSA,
    sha512: OID.sha512WithRSA,
  }[hash];
  return new AlgorithmIdentifier({ algorithm: oid, parameters: null });
}

/** Signs `data` as `signatureAlgorithm(spec, hash)` describes (ECDSA signatures DER-encoded). */
export function signData(privateKey: KeyObject, spec: KeySpec, hash: HashName, data: Uint8Array): Uint8Array {
  if (spec.type === 'ec')
    return new Uint8Array(nodeSign(hash, data, { key: privateKey, dsaEncoding: 'der' }));
  if (spec.pss) {
    return new Uint8Array(
      nodeSign(hash, data, {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: digest(hash, new Uint8Array(0)).length,
      }),
    );
  }
  return new Uint8Array(nodeSign(hash, data, { key: privateKey, padding: constants.RSA_PKCS1_PADDING }));
}

// ---------------------------------------------------------------------------------------------
// Certificates

export function makeName(parts: { C?: string; O?: string; OU?: string; CN: string }): Name {
  const rdn = (type: string, value: string, printable: boolean): RelativeDistinguishedName =>
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({
        type,
        value: new AttributeValue(printable ? { printableString: value } : { utf8String: value }),
      }),
    ]);
  const rdns: RelativeDistinguishedName[] = [];
  if (parts.C) rdns.push(rdn('2.5.4.6', parts.C, true));
  if (parts.O) rdns.push(rdn('2.5.4.10', parts.O, false));
  if (parts.OU) rdns.push(rdn('2.5.4.11', parts.OU, false));
  rdns.push(rdn('2.5.4.3', parts.CN, false));
  return new Name(rdns);
}

function extension(oid: string, critical: boolean, value: object): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(AsnSerializer.serialize(value)) });
}

function positiveSerial(): ArrayBuffer {
  const b = new Uint8Array(randomBytes(12));
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.buffer;
}

export interface IssueOptions {
  subject: Name;
  spec: KeySpec;
  /** Undefined = self-signed. */
  issuer?: CertifiedKey;
  ca: boolean;
  notBefore: Date;
  notAfter: Date;
  hash?: HashName;
  /** Use this key pair instead of generating one. */
  keys?: { privateKey: KeyObject; publicKey: KeyObject };
  /** keyUsage bits (KeyUsageFlags) instead of the default (CA: keyCertSign|cRLSign, else digitalSignature). */
  keyUsage?: number;
  /** false = no basicConstraints extension even for a CA (a certificate that is not marked as a CA). */
  basicConstraints?: boolean;
}

export function issueCertificate(o: IssueOptions): CertifiedKey {
  const keys = o.keys ?? generateKey(o.spec);
  const hash = o.hash ?? 'sha256';
  const spkiDer = spkiFor(keys.publicKey, o.spec);
  const spki = AsnParser.parse(spkiDer, SubjectPublicKeyInfo);
  const ski = digest('sha1', new Uint8Array(spki.subjectPublicKey));
  const signerSpec = o.issuer?.spec ?? o.spec;
  const signerKey = o.issuer?.privateKey ?? keys.privateKey;
  const sigAlg = signatureAlgorithm(signerSpec, hash);
  const exts = [
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(ski)),
    extension(
      id_ce_keyUsage,
      true,
      new KeyUsage(
        o.keyUsage ??
          (o.ca ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign : KeyUsageFlags.digitalSignature),
      ),
    ),
  ];
  if (o.ca && o.basicConstraints !== false)
    exts.push(
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: true, pathLenConstraint: 0 })),
    );
  const issuerSki = o.issuer
    ? o.issuer.cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier)
    : undefined;
  const akiValue = issuerSki
    ? new Uint8Array(AsnParser.parse(issuerSki.extnValue.buffer, SubjectKeyIdentifier).buffer)
    : ski;
  exts.push(
    extension(
      id_ce_authorityKeyIdentifier,
      false,
      new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(akiValue) }),
    ),
  );
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: positiveSerial(),
    signature: sigAlg,
    issuer: o.issuer ? o.issuer.cert.tbsCertificate.subject : o.subject,
    validity: new Validity({ notBefore: o.notBefore, notAfter: o.notAfter }),
    subject: o.subject,
    subjectPublicKeyInfo: spki,
    extensions: new Extensions(exts),
  });
  const tbsDer = new Uint8Array(AsnSerializer.serialize(tbs));
  const signature = signData(signerKey, signerSpec, hash, tbsDer);
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: sigAlg,
    signatureValue: signature.slice().buffer,
  });
  const der = new Uint8Array(AsnSerializer.serialize(cert));
  return {
    cert: AsnParser.parse(der, Certificate),
    der,
    pem: toPem(der),
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    spec: o.spec,
    hash,
  };
}

function addYears(d: Date, years: number): Date {
  const out = new Date(d.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

/** A fresh CSCA → DS pair. */
export function createTestPki(options: PkiOptions = {}): TestPki {
  const cscaSpec = options.csca ?? DEFAULT_KEY;
  const dsSpec: KeySpec =
    options.ds ?? (cscaSpec.type === 'ec' ? { type: 'ec', curve: cscaSpec.curve } : { ...cscaSpec });
  const hash = options.hash ?? 'sha256';
  const country = options.country ?? 'VN';
  const notBefore = options.notBefore ?? new Date(Date.UTC(2020, 0, 1));
  const csca = issueCertificate({
    subject: makeName({
      C: country,
      O: 'CCCD Kiosk Test PKI',
      CN: options.cscaName ?? 'CCCD Kiosk Test CSCA',
    }),
    spec: cscaSpec,
    ca: true,
    notBefore,
    notAfter: addYears(notBefore, 20),
    hash,
  });
  const ds = issueCertificate({
    subject: makeName({
      C: country,
      O: 'CCCD Kiosk Test PKI',
      CN: options.dsName ?? 'CCCD Kiosk Test Document Signer',
    }),
    spec: dsSpec,
    issuer: csca,
    ca: false,
    notBefore,
    notAfter: options.dsNotAfter ?? addYears(notBefore, 15),
    hash,
  });
  return { csca, ds };
}

const cache = new Map<string, TestPki>();

/** A PKI per distinct options, made once per process. */
export function getTestPki(options: PkiOptions = {}): TestPki {
  const key = JSON.stringify(options);
  let pki = cache.get(key);
  if (!pki) {
    pki = createTestPki(options);
    cache.set(key, pki);
  }
  return pki;
}

// ---------------------------------------------------------------------------------------------
// CMS SignedData

export interface SignedDataOptions {
  eContentType: string;
  eContent: Uint8Array;
  signer: CertifiedKey;
  signingTime?: Date;
  /** Include the signer certificate in SignedData.certificates (default true). */
  includeCertificate?: boolean;
  /** Flip a bit of the signature after signing (fault injection). */
  corruptSignature?: boolean;
}

/** ContentInfo(SignedData) DER with signed attributes contentType, messageDigest and signingTime. */
export function buildSignedData(o: SignedDataOptions): Uint8Array {
  const hash = o.signer.hash;
  const digestAlg = new DigestAlgorithmIdentifier({ algorithm: hashOid(hash), parameters: null });
  const unsorted = [
    new Attribute({ attrType: ICAO_OID.contentType, attrValues: [oidDer(o.eContentType).slice().buffer] }),
    new Attribute({
      attrType: ICAO_OID.messageDigest,
      attrValues: [AsnSerializer.serialize(new OctetString(digest(hash, o.eContent)))],
    }),
    new Attribute({
      attrType: ICAO_OID.signingTime,
      attrValues: [AsnSerializer.serialize(new Time({ utcTime: o.signingTime ?? new Date() }))],
    }),
  ];
  // DER orders a SET OF by the encodings; the signature covers that SET with tag 31 (not [0]).
  const encoded = unsorted
    .map((a) => ({ a, der: new Uint8Array(AsnSerializer.serialize(a)) }))
    .sort((x, y) => compareDer(x.der, y.der));
  const attrs = encoded.map((e) => e.a);
  const setDer = encode(
    0x31,
    encoded.map((e) => e.der),
  );
  const signature = signData(o.signer.privateKey, o.signer.spec, hash, setDer);
  if (o.corruptSignature) signature[signature.length - 5]! ^= 0x01;
  const sigAlg = signatureAlgorithm(o.signer.spec, hash);
  const signerInfo = new SignerInfo({
    version: CMSVersion.v1,
    sid: new SignerIdentifier({
      issuerAndSerialNumber: new IssuerAndSerialNumber({
        issuer: o.signer.cert.tbsCertificate.issuer,
        serialNumber: o.signer.cert.tbsCertificate.serialNumber,
      }),
    }),
    digestAlgorithm: digestAlg,
    signedAttrs: attrs,
    signatureAlgorithm: new SignatureAlgorithmIdentifier({
      algorithm: sigAlg.algorithm,
      parameters: sigAlg.parameters,
    }),
    signature: new OctetString(signature),
  });
  const signedData = new SignedData({
    version: CMSVersion.v3,
    digestAlgorithms: new DigestAlgorithmIdentifiers([digestAlg]),
    encapContentInfo: new EncapsulatedContentInfo({
      eContentType: o.eContentType,
      eContent: new EncapsulatedContent({ single: new OctetString(o.eContent) }),
    }),
    signerInfos: new SignerInfos([signerInfo]),
  });
  if (o.includeCertificate !== false) {
    signedData.certificates = new CertificateSet([new CertificateChoices({ certificate: o.signer.cert })]);
  }
  const ci = new ContentInfo({ contentType: id_signedData, content: AsnSerializer.serialize(signedData) });
  return new Uint8Array(AsnSerializer.serialize(ci));
}

function compareDer(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------
// CRLs and master lists

/** A CRL (DER) by `issuer` listing `revoked` certificates. */
export function createCrl(
  issuer: CertifiedKey,
  revoked: Certificate[],
  options: { corruptSignature?: boolean } = {},
): Uint8Array {
  const sigAlg = signatureAlgorithm(issuer.spec, issuer.hash);
  const now = new Date();
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: sigAlg,
    issuer: issuer.cert.tbsCertificate.subject,
    thisUpdate: new Time({ utcTime: now }),
    nextUpdate: new Time({ utcTime: addYears(now, 1) }),
  });
  if (revoked.length > 0) {
    tbs.revokedCertificates = revoked.map(
      (c) =>
        new RevokedCertificate({
          userCertificate: c.tbsCertificate.serialNumber,
          revocationDate: new Time({ utcTime: now }),
        }),
    );
  }
  const tbsDer = new Uint8Array(AsnSerializer.serialize(tbs));
  const signature = signData(issuer.privateKey, issuer.spec, issuer.hash, tbsDer);
  if (options.corruptSignature) signature[signature.length - 5]! ^= 0x01;
  const crl = new CertificateList({
    tbsCertList: tbs,
    signatureAlgorithm: sigAlg,
    signature: signature.slice().buffer,
  });
  return new Uint8Array(AsnSerializer.serialize(crl));
}

/**
 * An ICAO CSCA master list (.ml) holding `cscas`, signed by `signer` (a master-list signer
 * certificate, normally issued by one of the listed CSCAs).
 */
export function createMasterList(
  cscas: Certificate[],
  signer: CertifiedKey,
  options: { corruptSignature?: boolean } = {},
): Uint8Array {
  const list = new CscaMasterList({ version: 0, certList: cscas });
  return buildSignedData({
    eContentType: ICAO_OID.cscaMasterList,
    eContent: new Uint8Array(AsnSerializer.serialize(list)),
    signer,
    corruptSignature: options.corruptSignature,
  });
}

/** A master-list signer certificate issued by `csca`. */
export function issueMasterListSigner(csca: CertifiedKey): CertifiedKey {
  const notBefore = csca.cert.tbsCertificate.validity.notBefore.getTime();
  return issueCertificate({
    subject: makeName({ C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test Master List Signer' }),
    spec: csca.spec.type === 'ec' ? { type: 'ec', curve: csca.spec.curve } : csca.spec,
    issuer: csca,
    ca: false,
    notBefore,
    notAfter: addYears(notBefore, 10),
    hash: csca.hash,
  });
}

// ---------------------------------------------------------------------------------------------
// Forgeries (the attack lab)

const forgerKeys = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();

/** A forger's own key pair of the same kind as `ds`'s (one per DS certificate and process). */
export function forgerKeyFor(ds: CertifiedKey): { privateKey: KeyObject; publicKey: KeyObject } {
  const id = ds.pem;
  let keys = forgerKeys.get(id);
  if (!keys) {
    const spec: KeySpec = ds.spec.type === 'ec' ? { type: 'ec', curve: ds.spec.curve } : ds.spec;
    keys = generateKey(spec);
    forgerKeys.set(id, keys);
  }
  return keys;
}

/**
 * The signer-info splice. `genuine` is the ContentInfo(SignedData) of a genuine SOD. Returns a
 * ContentInfo whose SignedData has the forger's LDSSecurityObject as eContent, the genuine DS
 * certificate in `certificates`, in `signerInfos` a SignerInfo with the forger's own signed
 * attributes (contentType, messageDigest of the forged content, signingTime) naming the genuine DS
 * (issuer and serial number), and after it, as an extra trailing element of the SignedData SEQUENCE,
 * the genuine `signerInfos` SET exactly as it was encoded.
 * The forger cannot sign with the DS key: the forged SignerInfo's signature value is the genuine
 * SignerInfo's, copied (`signature: 'forger'` leaves the forger's own signature over the forged
 * attributes instead, which any verifier rejects as a bad signature). A verifier that takes the signed
 * attributes from the last element checks the genuine signature over the genuine attributes while
 * reading messageDigest from the forged SignerInfo, and calls the forgery valid.
 */
export function spliceSignerInfo(o: {
  genuine: Uint8Array;
  forgedLds: Uint8Array;
  genuineSigner: CertifiedKey;
  forgerKey: { privateKey: KeyObject; publicKey: KeyObject };
  signingTime?: Date;
  /** 'genuine' (default): the genuine signature value copied into the forged SignerInfo. */
  signature?: 'genuine' | 'forger';
}): Uint8Array {
  const genuineSignerInfos = lastElementOfSignedData(o.genuine);
  let forged = buildSignedData({
    eContentType: ICAO_OID.ldsSecurityObject,
    eContent: o.forgedLds,
    // The genuine certificate names the signer; the forger's key makes the signature.
    signer: { ...o.genuineSigner, privateKey: o.forgerKey.privateKey, publicKey: o.forgerKey.publicKey },
    signingTime: o.signingTime,
  });
  if (o.signature !== 'forger') {
    const genuineSd = AsnParser.parse(AsnParser.parse(o.genuine, ContentInfo).content, SignedData);
    const ci = AsnParser.parse(forged, ContentInfo);
    const sd = AsnParser.parse(ci.content, SignedData);
    sd.signerInfos[0]!.signature = genuineSd.signerInfos[0]!.signature;
    ci.content = AsnSerializer.serialize(sd);
    forged = new Uint8Array(AsnSerializer.serialize(ci));
  }
  const ci = decodeOne(forged);
  const [oid, explicit] = decodeAll(ci.value);
  const sd = decodeOne(explicit!.value);
  const spliced = encode(0x30, concat(sd.value, genuineSignerInfos));
  return encode(0x30, [ci.value.subarray(oid!.offset, oid!.offset + oid!.length), encode(0xa0, spliced)]);
}

/** The encoded last element of the SignedData inside a ContentInfo (its signerInfos SET). */
export function lastElementOfSignedData(contentInfo: Uint8Array): Uint8Array {
  const ci = decodeOne(contentInfo);
  const explicit = decodeAll(ci.value)[1];
  if (!explicit) throw new Error('not a ContentInfo');
  const sd = decodeOne(explicit.value);
  const parts = decodeAll(sd.value);
  const last = parts[parts.length - 1]!;
  return sd.value.slice(last.offset, last.offset + last.length);
}
