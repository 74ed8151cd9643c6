/**
 * Small X.509 helpers on @peculiar/asn1-x509: parse certificates and CRLs from DER or PEM, compare
 * names, read key identifiers and validity, verify a certificate's or CRL's signature with an
 * issuer key (./signature handles RSA, RSA-PSS and ECDSA on brainpool curves).
 */
import { AsnParser, AsnSerializer } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CertificateList,
  ExtendedKeyUsage,
  KeyUsage,
  Name,
  PrivateKeyUsagePeriod,
  SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_privateKeyUsagePeriod,
  id_ce_subjectKeyIdentifier,
  type KeyUsageType,
} from '@peculiar/asn1-x509';
import { createHash } from 'node:crypto';
import { equalBytes, hex } from '../util/bytes';
import { verifySignature } from './signature';

export interface ParsedCertificate {
  der: Uint8Array;
  cert: Certificate;
}

export function parseCertificate(der: Uint8Array): ParsedCertificate {
  return { der, cert: AsnParser.parse(der, Certificate) };
}

export function certificateDer(cert: Certificate): Uint8Array {
  return new Uint8Array(AsnSerializer.serialize(cert));
}

/** Every PEM block of `label` (e.g. 'CERTIFICATE', 'X509 CRL') in `text`, as DER. */
export function pemBlocks(text: string, label: string): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(re))
    out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  return out;
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function nameDer(name: Name): Uint8Array {
  return new Uint8Array(AsnSerializer.serialize(name));
}

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '1.2.840.113549.1.9.1': 'E',
};

/** A readable distinguished name ("C=VN, O=..., CN=..."): CSCA/DS names are not personal data. */
export function nameToString(name: Name): string {
  // Spread first: Array#map on an AsnArray subclass would construct the subclass.
  return [...name]
    .map((rdn) => [...rdn].map((atv) => `${SHORT[atv.type] ?? atv.type}=${atv.value.toString()}`).join('+'))
    .join(', ');
}

function canonicalRdns(name: Name): string[] {
  return [...name].map((rdn) =>
    [...rdn]
      .map(
        (atv) =>
          `${atv.type}=${atv.value.toString().normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim()}`,
      )
      .sort()
      .join('+'),
  );
}

function canonicalName(name: Name): string {
  return canonicalRdns(name).join(',');
}

/** Name equality: identical DER, or equal after the RFC 5280 §7.1 style case/space folding. */
export function namesEqual(a: Name, b: Name): boolean {
  return equalBytes(nameDer(a), nameDer(b)) || canonicalName(a) === canonicalName(b);
}

/**
 * A key for a name that ignores RDN order, case and spacing: real SODs name their signer's issuer
 * with the RDNs reversed or in another case than the certificate does.
 */
export function nameKey(name: Name): string {
  return canonicalRdns(name).sort().join(',');
}

/** Name equality that also ignores the order of the RDNs (for locating certificates only). */
export function namesEqualAnyOrder(a: Name, b: Name): boolean {
  return namesEqual(a, b) || nameKey(a) === nameKey(b);
}

/** The country (C) of a name, upper case, or undefined. */
export function nameCountry(name: Name): string | undefined {
  for (const rdn of name)
    for (const atv of rdn)
      if (atv.type === '2.5.4.6') return atv.value.toString().trim().toUpperCase() || undefined;
  return undefined;
}

function extension<T>(cert: Certificate, oid: string, type: new () => T): T | undefined {
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === oid);
  if (!ext) return undefined;
  return AsnParser.parse(ext.extnValue.buffer, type);
}

export function subjectKeyIdentifier(cert: Certificate): Uint8Array | undefined {
  const ski = extension(cert, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier);
  return ski ? new Uint8Array(ski.buffer) : undefined;
}

export function authorityKeyIdentifier(cert: Certificate): Uint8Array | undefined {
  const aki = extension(cert, id_ce_authorityKeyIdentifier, AuthorityKeyIdentifier);
  return aki?.keyIdentifier ? new Uint8Array(aki.keyIdentifier.buffer) : undefined;
}

export function isCa(cert: Certificate): boolean {
  return extension(cert, id_ce_basicConstraints, BasicConstraints)?.cA ?? false;
}

/** The keyUsage bits by name, or undefined when the certificate has no keyUsage extension. */
export function keyUsage(cert: Certificate): Set<KeyUsageType> | undefined {
  const ku = extension(cert, id_ce_keyUsage, KeyUsage);
  return ku ? new Set(ku.toJSON()) : undefined;
}

/** The extendedKeyUsage purposes (OIDs), or undefined when the certificate has none. */
export function extendedKeyUsage(cert: Certificate): string[] | undefined {
  const eku = extension(cert, id_ce_extKeyUsage, ExtendedKeyUsage);
  return eku ? [...eku] : undefined;
}

/** The privateKeyUsagePeriod extension (either bound may be absent), or undefined. */
export function privateKeyUsagePeriod(cert: Certificate): { notBefore?: Date; notAfter?: Date } | undefined {
  const p = extension(cert, id_ce_privateKeyUsagePeriod, PrivateKeyUsagePeriod);
  if (!p) return undefined;
  const out: { notBefore?: Date; notAfter?: Date } = {};
  if (p.notBefore) out.notBefore = p.notBefore;
  if (p.notAfter) out.notAfter = p.notAfter;
  return out;
}

export function validity(cert: Certificate): { notBefore: Date; notAfter: Date } {
  return {
    notBefore: cert.tbsCertificate.validity.notBefore.getTime(),
    notAfter: cert.tbsCertificate.validity.notAfter.getTime(),
  };
}

export function serialHex(serial: ArrayBuffer | Uint8Array): string {
  const b = new Uint8Array(serial);
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return hex(b.subarray(i));
}

/**
 * The identity of the issuer of `cert` for the trust policy: its authorityKeyIdentifier (hex);
 * else 'name:' + the first 40 hex digits of SHA-256 over the issuer name DER.
 */
export function issuerIdOf(cert: Certificate): string {
  let aki: Uint8Array | undefined;
  try {
    aki = authorityKeyIdentifier(cert);
  } catch {
    aki = undefined;
  }
  if (aki && aki.length > 0) return hex(aki).toLowerCase(); // one spelling for the registry, the CLI and pins
  return nameId(cert.tbsCertificate.issuer);
}

function nameId(name: Name): string {
  return `name:${createHash('sha256').update(nameDer(name)).digest('hex').slice(0, 40)}`;
}

/** The name-only issuerId of `cert`'s issuer ('name:' + hash of its issuer DN), AKI or not. */
export function issuerNameId(cert: Certificate): string {
  return nameId(cert.tbsCertificate.issuer);
}

/** The issuerId that certificates issued by `cert` without an authorityKeyIdentifier carry. */
export function subjectNameId(cert: Certificate): string {
  return nameId(cert.tbsCertificate.subject);
}

/** SHA-256 of the DER (an identity for deduplication and logs). */
export function fingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

function tbsBytes(cert: Certificate): Uint8Array {
  return cert.tbsCertificateRaw
    ? new Uint8Array(cert.tbsCertificateRaw)
    : new Uint8Array(AsnSerializer.serialize(cert.tbsCertificate));
}

/** Whether `cert` is signed by the key of `issuer` (a certificate). Throws IcaoError for unsupported algorithms. */
export function isSignedBy(cert: Certificate, issuer: Certificate): boolean {
  return verifySignature(
    issuer.tbsCertificate.subjectPublicKeyInfo,
    cert.signatureAlgorithm,
    tbsBytes(cert),
    new Uint8Array(cert.signatureValue),
  );
}

export function parseCrl(der: Uint8Array): CertificateList {
  return AsnParser.parse(der, CertificateList);
}

export function isCrlSignedBy(crl: CertificateList, issuer: Certificate): boolean {
  const tbs = crl.tbsCertListRaw
    ? new Uint8Array(crl.tbsCertListRaw)
    : new Uint8Array(AsnSerializer.serialize(crl.tbsCertList));
  return verifySignature(
    issuer.tbsCertificate.subjectPublicKeyInfo,
    crl.signatureAlgorithm,
    tbs,
    new Uint8Array(crl.signature),
  );
}

/** Whether `serial` is listed in `crl`. */
export function crlRevokes(crl: CertificateList, serial: ArrayBuffer | Uint8Array): boolean {
  const s = serialHex(serial);
  return (crl.tbsCertList.revokedCertificates ?? []).some((r) => serialHex(r.userCertificate) === s);
}

/**
 * Whether `issuer` could have issued `cert`: its SKI equals the certificate's AKI, or its subject
 * equals the certificate's issuer name. Only a candidate: the signature decides.
 */
export function couldHaveIssued(issuer: Certificate, cert: Certificate): boolean {
  const aki = authorityKeyIdentifier(cert);
  const ski = subjectKeyIdentifier(issuer);
  if (aki && ski && equalBytes(aki, ski)) return true;
  return namesEqual(cert.tbsCertificate.issuer, issuer.tbsCertificate.subject);
}
