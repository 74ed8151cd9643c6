/**
 * A forger's workbench for PKI tests: certificates with any extension set (keyUsage without
 * digitalSignature, "CSCAs" without cA, a private-key usage period, no key identifiers, another
 * country), and EF.SOD built element by element so that a test can splice, reorder, re-encode in
 * BER, drop or change any signed attribute. Everything is fictional ("CCCD Kiosk Test ...").
 */
import { AsnSerializer, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  PrivateKeyUsagePeriod,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Time,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_privateKeyUsagePeriod,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { AsnParser } from '@peculiar/asn1-schema';
import { randomBytes } from 'node:crypto';
import { DataGroupHash, ICAO_OID, LdsSecurityObject, oidDer } from '../../../native/icao/icao-asn1';
import { digest, hashOid, type HashName } from '../../../native/icao/signature';
import { encode } from '../../../native/iso7816/tlv';
import { nameDer, toPem } from '../../../native/icao/x509';
import {
  DEFAULT_KEY,
  generateKey,
  makeName,
  signData,
  signatureAlgorithm,
  spkiFor,
  type CertifiedKey,
  type KeySpec,
} from '../../../native/softcard/pki';

export interface ForgeCertOptions {
  subject: { C?: string; O?: string; OU?: string; CN: string } | Name;
  /** Undefined = self-signed. */
  issuer?: CertifiedKey;
  spec?: KeySpec;
  /** basicConstraints: true → cA=true, false → present with cA absent, 'absent' → no extension. */
  ca?: boolean | 'absent';
  /** keyUsage flags; null = no keyUsage extension. Default: CA → keyCertSign|cRLSign, else digitalSignature. */
  keyUsage?: number | null;
  /** Leave out the subject / authority key identifiers. */
  noKeyIds?: boolean;
  /** Use this authority key identifier instead of the issuer's SKI. */
  aki?: Uint8Array;
  notBefore?: Date;
  notAfter?: Date;
  privateKeyUsage?: { notBefore?: Date; notAfter?: Date };
  keys?: { privateKey: CertifiedKey['privateKey']; publicKey: CertifiedKey['publicKey'] };
  hash?: HashName;
  serial?: Uint8Array;
  /** extendedKeyUsage purposes (OIDs). */
  extendedKeyUsage?: string[];
}

function ext(oid: string, critical: boolean, value: object): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(AsnSerializer.serialize(value)) });
}

export function skiOf(c: CertifiedKey): Uint8Array | undefined {
  const e = c.cert.tbsCertificate.extensions?.find((x) => x.extnID === id_ce_subjectKeyIdentifier);
  return e ? new Uint8Array(AsnParser.parse(e.extnValue.buffer, SubjectKeyIdentifier).buffer) : undefined;
}

/** A certificate exactly as the options say (signed by `issuer`, or self-signed). */
export function forgeCertificate(o: ForgeCertOptions): CertifiedKey {
  const spec = o.spec ?? DEFAULT_KEY;
  const keys = o.keys ?? generateKey(spec);
  const hash = o.hash ?? 'sha256';
  const spki = AsnParser.parse(spkiFor(keys.publicKey, spec), SubjectPublicKeyInfo);
  const ski = digest('sha1', new Uint8Array(spki.subjectPublicKey));
  const subject = o.subject instanceof Name ? o.subject : makeName(o.subject);
  const isCaCert = o.ca === true;
  const exts: Extension[] = [];
  if (!o.noKeyIds) exts.push(ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(ski)));
  const ku =
    o.keyUsage === undefined
      ? isCaCert
        ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign
        : KeyUsageFlags.digitalSignature
      : o.keyUsage;
  if (ku !== null) exts.push(ext(id_ce_keyUsage, true, new KeyUsage(ku)));
  if (o.ca === true) exts.push(ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: true })));
  else if (o.ca === false) exts.push(ext(id_ce_basicConstraints, true, new BasicConstraints({})));
  if (o.extendedKeyUsage) exts.push(ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage(o.extendedKeyUsage)));
  if (o.privateKeyUsage)
    exts.push(ext(id_ce_privateKeyUsagePeriod, false, new PrivateKeyUsagePeriod(o.privateKeyUsage)));
  if (!o.noKeyIds) {
    const aki = o.aki ?? (o.issuer ? skiOf(o.issuer) : ski) ?? ski;
    exts.push(
      ext(
        id_ce_authorityKeyIdentifier,
        false,
        new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(aki) }),
      ),
    );
  }
  const signerSpec = o.issuer?.spec ?? spec;
  const sigAlg = signatureAlgorithm(signerSpec, hash);
  const serial =
    o.serial ??
    (() => {
      const b = new Uint8Array(randomBytes(10));
      b[0] = (b[0]! & 0x7f) | 0x01;
      return b;
    })();
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial.slice().buffer,
    signature: sigAlg,
    issuer: o.issuer ? o.issuer.cert.tbsCertificate.subject : subject,
    validity: new Validity({
      notBefore: o.notBefore ?? new Date(Date.UTC(2020, 0, 1)),
      notAfter: o.notAfter ?? new Date(Date.UTC(2040, 0, 1)),
    }),
    subject,
    subjectPublicKeyInfo: spki,
    extensions: new Extensions(exts),
  });
  const tbsDer = new Uint8Array(AsnSerializer.serialize(tbs));
  const signature = signData(o.issuer?.privateKey ?? keys.privateKey, signerSpec, hash, tbsDer);
  const der = new Uint8Array(
    AsnSerializer.serialize(
      new Certificate({
        tbsCertificate: tbs,
        signatureAlgorithm: sigAlg,
        signatureValue: signature.slice().buffer,
      }),
    ),
  );
  return {
    cert: AsnParser.parse(der, Certificate),
    der,
    pem: toPem(der),
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    spec,
    hash,
  };
}

/** A master-list signer issued by `csca` (with the ICAO extended key usage). */
export function forgeListSigner(csca: CertifiedKey, o: Partial<ForgeCertOptions> = {}): CertifiedKey {
  return forgeCertificate({
    subject: { C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test Master List Signer' },
    issuer: csca,
    extendedKeyUsage: ['2.23.136.1.1.3'],
    spec: csca.spec.type === 'ec' ? { type: 'ec', curve: csca.spec.curve } : csca.spec,
    hash: csca.hash,
    ...o,
  });
}

/** A CSCA → DS pair with options for each. */
export function forgePki(
  o: {
    country?: string;
    cscaName?: string;
    csca?: Partial<ForgeCertOptions>;
    ds?: Partial<ForgeCertOptions>;
  } = {},
): { csca: CertifiedKey; ds: CertifiedKey } {
  const country = o.country ?? 'VN';
  const csca = forgeCertificate({
    subject: { C: country, O: 'CCCD Kiosk Test PKI', CN: o.cscaName ?? 'CCCD Kiosk Test CSCA' },
    ca: true,
    ...o.csca,
  });
  const ds = forgeCertificate({
    subject: { C: country, O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test Document Signer' },
    issuer: csca,
    ...o.ds,
  });
  return { csca, ds };
}

const der = (tag: number, ...parts: Uint8Array[]): Uint8Array => encode(tag, parts);
const int = (n: number): Uint8Array => encode(0x02, Uint8Array.of(n));

function attribute(type: string, ...values: Uint8Array[]): Uint8Array {
  return der(0x30, oidDer(type), der(0x31, ...values));
}

function sortDer(list: Uint8Array[]): Uint8Array[] {
  return [...list].sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  });
}

export interface ForgeSodOptions {
  groups: Map<number, Uint8Array>;
  signer: CertifiedKey;
  hash?: HashName;
  /** null = no signingTime attribute. */
  signingTime?: Date | null;
  eContentType?: string;
  /** The signed contentType attribute: an OID, or null for none. Default: eContentType. */
  contentTypeAttribute?: string | null;
  /** Extra signed attributes (DER Attribute encodings). */
  extraAttributes?: Uint8Array[];
  /** Certificates in SignedData.certificates (default: the signer's). */
  certificates?: Uint8Array[];
  /** The sid's issuer name (default: the signer certificate's issuer). */
  sidIssuer?: Name;
  sidSerial?: Uint8Array;
  /** Sign with this key instead of the signer certificate's. */
  signingKey?: CertifiedKey;
}

export interface ForgedSod {
  /** EF.SOD: 77 { ContentInfo }. */
  sod: Uint8Array;
  eContentType: string;
  eContent: Uint8Array;
  signedAttrs: Uint8Array;
  signerInfo: Uint8Array;
  signerInfos: Uint8Array;
  /** The SignedData fields in order, for splicing. */
  fields: { version: Uint8Array; digestAlgorithms: Uint8Array; encap: Uint8Array; certificates?: Uint8Array };
}

export function ldsContent(groups: Map<number, Uint8Array>, hash: HashName = 'sha256'): Uint8Array {
  const lds = new LdsSecurityObject({
    version: 0,
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: hashOid(hash), parameters: null }),
    dataGroupHashValues: [...groups.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(
        ([n, bytes]) =>
          new DataGroupHash({ dataGroupNumber: n, dataGroupHashValue: new OctetString(digest(hash, bytes)) }),
      ),
  });
  return new Uint8Array(AsnSerializer.serialize(lds));
}

/** Builds an EF.SOD element by element (DER), exposing its parts. */
export function forgeSod(o: ForgeSodOptions): ForgedSod {
  const hash = o.hash ?? o.signer.hash;
  const eContentType = o.eContentType ?? ICAO_OID.ldsSecurityObject;
  const eContent = ldsContent(o.groups, hash);
  const attrs: Uint8Array[] = [
    attribute(ICAO_OID.messageDigest, encode(0x04, digest(hash, eContent))),
    ...(o.extraAttributes ?? []),
  ];
  const ct = o.contentTypeAttribute === undefined ? eContentType : o.contentTypeAttribute;
  if (ct !== null) attrs.push(attribute(ICAO_OID.contentType, oidDer(ct)));
  if (o.signingTime !== null) {
    attrs.push(
      attribute(
        ICAO_OID.signingTime,
        new Uint8Array(
          AsnSerializer.serialize(new Time({ utcTime: o.signingTime ?? new Date(Date.UTC(2024, 5, 1)) })),
        ),
      ),
    );
  }
  const attrSet = der(0x31, ...sortDer(attrs));
  const key = o.signingKey ?? o.signer;
  const signature = signData(key.privateKey, key.spec, hash, attrSet);
  const signedAttrs = attrSet.slice();
  signedAttrs[0] = 0xa0;
  const digestAlg = der(0x30, oidDer(hashOid(hash)), Uint8Array.of(0x05, 0x00));
  const sigAlg = new Uint8Array(AsnSerializer.serialize(signatureAlgorithm(key.spec, hash)));
  const sid = der(
    0x30,
    nameDer(o.sidIssuer ?? o.signer.cert.tbsCertificate.issuer),
    encode(0x02, o.sidSerial ?? new Uint8Array(o.signer.cert.tbsCertificate.serialNumber)),
  );
  const signerInfo = der(0x30, int(1), sid, digestAlg, signedAttrs, sigAlg, encode(0x04, signature));
  const signerInfos = der(0x31, signerInfo);
  const certs = o.certificates ?? [o.signer.der];
  const fields = {
    version: int(3),
    digestAlgorithms: der(0x31, digestAlg),
    encap: der(0x30, oidDer(eContentType), der(0xa0, encode(0x04, eContent))),
    ...(certs.length > 0 ? { certificates: der(0xa0, ...certs) } : {}),
  };
  const sod = wrapSod([
    fields.version,
    fields.digestAlgorithms,
    fields.encap,
    ...(fields.certificates ? [fields.certificates] : []),
    signerInfos,
  ]);
  return { sod, eContentType, eContent, signedAttrs, signerInfo, signerInfos, fields };
}

/** 77 { ContentInfo { signedData, [0] { SignedData { ...elements } } } }. */
export function wrapSod(signedDataElements: Uint8Array[], contentInfoExtra: Uint8Array[] = []): Uint8Array {
  const sd = der(0x30, ...signedDataElements);
  return der(0x77, der(0x30, oidDer(ICAO_OID.signedData), der(0xa0, sd), ...contentInfoExtra));
}

/**
 * The same SOD with the outer structure in BER as real New Zealand passports have it: ContentInfo,
 * its [0], SignedData, EncapsulatedContentInfo and eContent's [0] with indefinite lengths, and
 * eContent as a constructed OCTET STRING in segments. Certificates and SignerInfos stay DER.
 */
export function berSod(f: ForgedSod, chunk = 64): Uint8Array {
  const indef = (tag: number, ...parts: Uint8Array[]): Uint8Array =>
    Uint8Array.from([tag, 0x80, ...parts.flatMap((p) => [...p]), 0, 0]);
  const segments: Uint8Array[] = [];
  for (let i = 0; i < f.eContent.length; i += chunk)
    segments.push(encode(0x04, f.eContent.subarray(i, Math.min(f.eContent.length, i + chunk))));
  const encap = indef(0x30, oidDer(f.eContentType), indef(0xa0, indef(0x24, ...segments)));
  const sd = indef(
    0x30,
    f.fields.version,
    f.fields.digestAlgorithms,
    encap,
    ...(f.fields.certificates ? [f.fields.certificates] : []),
    f.signerInfos,
  );
  return der(0x77, indef(0x30, oidDer(ICAO_OID.signedData), indef(0xa0, sd)));
}

/** Fictional data groups (not a real card: tests of the PKI alone). */
export function groupsOf(n: number[] = [1, 2]): Map<number, Uint8Array> {
  const m = new Map<number, Uint8Array>();
  for (const g of n) m.set(g, Uint8Array.from(Buffer.from(`fictional data group ${g}`)));
  return m;
}
