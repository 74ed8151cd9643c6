/**
 * The trust store for passive authentication: CSCA certificates from a folder (PEM or DER in
 * .pem/.cer/.crt/.der), ICAO master lists (.ml: CMS SignedData whose content is a CscaMasterList,
 * ICAO 9303-12 §9), optional CRLs (.crl, PEM or DER), and the trust policy's pinned and blocked
 * issuers. Files that cannot be read are skipped and reported with a bilingual reason; they never
 * stop the others from loading.
 *
 * Poisoning rules:
 *  - only a certificate with basicConstraints cA=true is an anchor; any other certificate (a document
 *    signer, or a "CSCA" without cA) is kept aside: it can name the signer of a SOD without its
 *    certificate, and a DS it issued is reported as `csca_not_ca`, never trusted;
 *  - a master list is used only when its CMS signature verifies AND its signer chains (signature) to
 *    a CA anchor trusted before the list, or its SHA-256 fingerprint is confirmed by the caller (for a
 *    folder: the folder's trusted-lists.json). A list's own certificates never vouch for it.
 *
 * Anchors are indexed by subject key identifier and by name when added, so a lookup costs the same
 * with 600 CSCAs as with one.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import type { Certificate, CertificateList } from '@peculiar/asn1-x509';
import type { Reason } from '../domain/vocabulary';
import { equalBytes, hex } from '../util/bytes';
import { berBytes, berChildren, decodeBerExact, expectTag } from './ber';
import { reason } from './bilingual';
import { chooseSignerCertificate, parseSignedData, verifyCmsSigner } from './cms';
import { ICAO_OID } from './icao-asn1';
import { TlvError } from '../iso7816/tlv';
import {
  authorityKeyIdentifier,
  extendedKeyUsage,
  fingerprint,
  isCa,
  isSignedBy,
  keyUsage,
  nameCountry,
  nameKey,
  nameToString,
  parseCertificate,
  parseCrl,
  pemBlocks,
  subjectKeyIdentifier,
} from './x509';

export type AnchorOrigin = 'file' | 'master-list';

export interface TrustAnchor {
  der: Uint8Array;
  cert: Certificate;
  /** Subject DN, readable (CSCA names are not personal data). */
  subject: string;
  /** File the certificate came from. */
  source: string;
  /** SHA-256 of the DER, hex. */
  fingerprint: string;
  /** Subject key identifier, hex (undefined when the certificate has none). */
  ski?: string;
  /** Subject country (C), upper case. */
  country?: string;
  /** basicConstraints cA. */
  ca: boolean;
  /** keyUsage bits, undefined when the extension is absent. */
  keyUsage?: Set<string>;
  /** A certificate file, or a master list. */
  origin: AnchorOrigin;
}

/**
 * An issuer the chair approved without its CSCA certificate. Preferably by KEY: the issuer's public
 * key (recovered from the ECDSA signatures of its DS certificates, see ./key-recovery), under which a
 * DS passes exactly as under a CSCA anchor, so a rotated DS of the same issuer passes with no new
 * approval and a DS that merely copies the issuer's names and key identifier does not. For issuers
 * whose key cannot be recovered (RSA), the approved DS certificates themselves.
 */
export interface PinnedIssuer {
  /** issuerId as passive authentication reports it (DS authorityKeyIdentifier hex, or 'name:...'). */
  issuerId: string;
  /** Alpha-2 country of the issuer: the document's country must be this one. */
  country: string;
  /** The issuer's public key(s) (SubjectPublicKeyInfo DER). */
  publicKeys?: Uint8Array[];
  /** Approved document signer certificates (DER). */
  documentSigners?: Uint8Array[];
}

/** A pinned issuer as the store keeps it. */
export interface PinEntry {
  issuerId: string;
  country: string;
  /** SHA-256 (hex) of the approved DS certificates. */
  fingerprints: ReadonlySet<string>;
  /** The pinned issuer keys (SPKI DER). */
  publicKeys: readonly Uint8Array[];
}

export interface TrustStoreProblem {
  file: string;
  reason: Reason;
}

export interface LoadedCrl {
  crl: CertificateList;
  source: string;
}

export interface MasterListOptions {
  /** SHA-256 (hex) of the list signer's certificate, as confirmed by the chair. */
  confirmSignerFingerprint?: string;
  /** Which anchors may vouch for the list signer (default: any anchor trusted before the list). */
  signerAnchors?: (anchor: TrustAnchor) => boolean;
}

/** id-icao-cscaMasterListSigningKey: the extended key usage of a master-list signer (ICAO 9303-12). */
export const ID_ICAO_MASTER_LIST_SIGNING_KEY = '2.23.136.1.1.3';

const CERT_EXTENSIONS = new Set(['.pem', '.cer', '.crt', '.der']);
export const TRUSTED_LISTS_FILE = 'trusted-lists.json';

function problemReason(code: string, vi: string, en: string, severity: Reason['severity'] = 'error'): Reason {
  return reason(code, severity, vi, en);
}

function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-f]/gi, '').toLowerCase();
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export interface IssuerCandidates {
  /** CA anchors whose subject key identifier equals the certificate's authority key identifier. */
  byKey: TrustAnchor[];
  /** Other CA anchors whose subject name equals the certificate's issuer name. */
  byName: TrustAnchor[];
}

export class TrustStore {
  /** CA certificates (basicConstraints cA=true), including link certificates. */
  readonly anchors: TrustAnchor[] = [];
  /**
   * Non-CA certificates (document signers, or issuers without cA): never anchors. Used when a SOD
   * omits its DS certificate, and to report a DS issued by a non-CA certificate as `csca_not_ca`.
   */
  readonly documentSigners: TrustAnchor[] = [];
  readonly crls: LoadedCrl[] = [];
  /** Files (or lists) that were skipped, with the reason. */
  readonly problems: TrustStoreProblem[] = [];
  /** Non-fatal notes about loaded files (e.g. a certificate that is not a CA). */
  readonly warnings: TrustStoreProblem[] = [];
  private readonly seen = new Set<string>();
  private readonly anchorsBySki = new Map<string, TrustAnchor[]>();
  private readonly anchorsByName = new Map<string, TrustAnchor[]>();
  private readonly asideBySki = new Map<string, TrustAnchor[]>();
  private readonly asideByName = new Map<string, TrustAnchor[]>();
  private readonly pins = new Map<
    string,
    { issuerId: string; country: string; fingerprints: Set<string>; publicKeys: Uint8Array[] }
  >();
  private readonly blocked = new Set<string>();
  private readonly blockedKeyList: Uint8Array[] = [];
  private readonly crlsByIssuer = new Map<string, LoadedCrl[]>();
  private countryCache: Set<string> | undefined;

  /**
   * Adds one certificate (DER): a CA certificate becomes an anchor, any other is kept aside (with a
   * `certificate_not_ca` warning). Returns false if it was already present.
   */
  addCertificate(der: Uint8Array, source: string, origin: AnchorOrigin = 'file'): boolean {
    const fp = fingerprint(der);
    if (this.seen.has(fp)) return false;
    const { cert } = parseCertificate(der);
    const ski = subjectKeyIdentifier(cert);
    const ku = keyUsage(cert);
    const anchor: TrustAnchor = {
      der,
      cert,
      subject: nameToString(cert.tbsCertificate.subject),
      source,
      fingerprint: fp,
      ca: isCa(cert),
      origin,
    };
    if (ski) anchor.ski = hex(ski);
    const country = nameCountry(cert.tbsCertificate.subject);
    if (country) anchor.country = country;
    if (ku) anchor.keyUsage = ku;
    this.seen.add(fp);
    const key = nameKey(cert.tbsCertificate.subject);
    if (anchor.ca) {
      this.anchors.push(anchor);
      this.countryCache = undefined;
      if (anchor.ski) push(this.anchorsBySki, anchor.ski, anchor);
      push(this.anchorsByName, key, anchor);
    } else {
      this.documentSigners.push(anchor);
      if (anchor.ski) push(this.asideBySki, anchor.ski, anchor);
      push(this.asideByName, key, anchor);
      this.warnings.push({
        file: source,
        reason: problemReason(
          'certificate_not_ca',
          `Chứng thư "${anchor.subject}" trong "${source}" không phải chứng thư CA: không dùng làm gốc tin cậy.`,
          `The certificate "${anchor.subject}" in "${source}" is not a CA certificate: it is not a trust anchor.`,
          'warning',
        ),
      });
    }
    return true;
  }

  /** Adds the certificates and CRLs of a file's bytes according to its extension. Records problems. */
  addFile(bytes: Uint8Array, file: string, options: MasterListOptions = {}): void {
    const ext = extname(file).toLowerCase();
    try {
      if (ext === '.ml') this.addMasterList(bytes, file, options);
      else if (ext === '.crl') this.addCrlBytes(bytes, file);
      else if (CERT_EXTENSIONS.has(ext)) this.addCertificateBytes(bytes, file);
    } catch {
      this.problems.push({
        file,
        reason: problemReason(
          'trust_file_invalid',
          `Tệp tin cậy "${file}" không đọc được (không phải chứng thư số hoặc danh sách hợp lệ); đã bỏ qua.`,
          `Trust file "${file}" could not be read (not a valid certificate or list); skipped.`,
        ),
      });
    }
  }

  /** PEM (one or more CERTIFICATE blocks, X509 CRL blocks accepted too) or DER. */
  addCertificateBytes(bytes: Uint8Array, source: string): number {
    const text = looksLikePem(bytes) ? Buffer.from(bytes).toString('latin1') : undefined;
    if (text !== undefined) {
      const certs = pemBlocks(text, 'CERTIFICATE');
      const crls = pemBlocks(text, 'X509 CRL');
      if (certs.length === 0 && crls.length === 0) throw new Error('no PEM blocks');
      for (const c of crls) this.addCrl(parseCrl(c), source);
      return certs.filter((c) => this.addCertificate(c, source)).length;
    }
    return this.addCertificate(bytes, source) ? 1 : 0;
  }

  addCrlBytes(bytes: Uint8Array, source: string): void {
    const ders = looksLikePem(bytes) ? pemBlocks(Buffer.from(bytes).toString('latin1'), 'X509 CRL') : [bytes];
    if (ders.length === 0) throw new Error('no CRL');
    for (const der of ders) this.addCrl(parseCrl(der), source);
  }

  private addCrl(crl: CertificateList, source: string): void {
    const loaded = { crl, source };
    this.crls.push(loaded);
    push(this.crlsByIssuer, nameKey(crl.tbsCertList.issuer), loaded);
  }

  /**
   * Adds the CA certificates of an ICAO master list. The list is used only when its CMS signature
   * verifies and its signer is trusted: the signer certificate is a master-list signer (extended key
   * usage id-icao-cscaMasterListSigningKey) that chains (signature) to a CA anchor already in the
   * store (`signerAnchors` narrows which), or its SHA-256 equals
   * `confirmSignerFingerprint`. Otherwise nothing is added and a problem is recorded
   * (`master_list_bad_signature` / `master_list_signer_untrusted`). Returns the number of anchors added.
   */
  addMasterList(bytes: Uint8Array, source: string, options: MasterListOptions = {}): number {
    const cms = parseSignedData(bytes, 'master list');
    if (cms.eContentType !== ICAO_OID.cscaMasterList) throw new Error('not a CSCA master list');
    const certs = masterListCertificates(cms.eContent);
    const signer = cms.signers[0];
    const signerCert = signer
      ? chooseSignerCertificate(cms, signer, signer.certificateCandidates)
      : undefined;
    let ok = false;
    if (signer && signerCert) {
      try {
        const v = verifyCmsSigner(cms, signer, signerCert.cert);
        ok = v.messageDigestOk && v.signatureOk && v.contentTypeOk;
      } catch {
        ok = false;
      }
    }
    if (!ok || !signer || !signerCert) {
      this.problems.push({
        file: source,
        reason: problemReason(
          'master_list_bad_signature',
          `Chữ ký của danh sách CSCA "${source}" không hợp lệ; danh sách không được dùng.`,
          `The signature of master list "${source}" is invalid; the list is not used.`,
        ),
      });
      return 0;
    }
    const signerFp = fingerprint(signerCert.der);
    const confirmed =
      options.confirmSignerFingerprint !== undefined &&
      normalizeFingerprint(options.confirmSignerFingerprint) === signerFp;
    const allowed = options.signerAnchors ?? (() => true);
    const { byKey, byName } = this.issuerCandidates(signerCert.cert);
    // Chaining vouches only for a master-list signer: a document signer of a trusted country (whose
    // key signs passports every day) must not be able to sign a list of new CSCAs.
    let purposes: string[] | undefined;
    try {
      purposes = extendedKeyUsage(signerCert.cert);
    } catch {
      purposes = undefined;
    }
    const listSigner = !!purposes?.includes(ID_ICAO_MASTER_LIST_SIGNING_KEY);
    const chained =
      listSigner &&
      [...byKey, ...byName].some((a) => {
        if (!allowed(a) || !issuesCertificates(a)) return false;
        try {
          return isSignedBy(signerCert.cert, a.cert);
        } catch {
          return false;
        }
      });
    if (!confirmed && !chained) {
      this.problems.push({
        file: source,
        reason: problemReason(
          'master_list_signer_untrusted',
          `Người ký danh sách CSCA "${source}" (SHA-256 ${signerFp}) không thuộc CSCA tin cậy nào và chưa được xác nhận; danh sách không được dùng.`,
          `The signer of master list "${source}" (SHA-256 ${signerFp}) does not chain to a trusted CSCA and was not confirmed; the list is not used.`,
        ),
      });
      return 0;
    }
    let added = 0;
    for (const der of certs) {
      try {
        const before = this.anchors.length;
        if (this.addCertificate(der, source, 'master-list') && this.anchors.length > before) added++;
      } catch {
        this.warnings.push({
          file: source,
          reason: problemReason(
            'master_list_entry_invalid',
            `Một chứng thư trong danh sách CSCA "${source}" không đọc được; đã bỏ qua.`,
            `A certificate in master list "${source}" could not be read; skipped.`,
            'warning',
          ),
        });
      }
    }
    return added;
  }

  /** CA anchors that could have issued `cert`: by key identifier first, then by name. */
  issuerCandidates(cert: Certificate): IssuerCandidates {
    let aki: Uint8Array | undefined;
    try {
      aki = authorityKeyIdentifier(cert);
    } catch {
      aki = undefined;
    }
    const byKey = aki ? (this.anchorsBySki.get(hex(aki)) ?? []) : [];
    const byName = (this.anchorsByName.get(nameKey(cert.tbsCertificate.issuer)) ?? []).filter(
      (a) => !byKey.includes(a),
    );
    return { byKey: [...byKey], byName };
  }

  /** Trust anchors that could have issued `cert` (key identifier matches first, then name matches). */
  issuersOf(cert: Certificate): TrustAnchor[] {
    const { byKey, byName } = this.issuerCandidates(cert);
    return [...byKey, ...byName];
  }

  /** Non-CA certificates kept aside that could have issued `cert` (to report `csca_not_ca`). */
  nonCaIssuersOf(cert: Certificate): TrustAnchor[] {
    let aki: Uint8Array | undefined;
    try {
      aki = authorityKeyIdentifier(cert);
    } catch {
      aki = undefined;
    }
    const byKey = aki ? (this.asideBySki.get(hex(aki)) ?? []) : [];
    const byName = (this.asideByName.get(nameKey(cert.tbsCertificate.issuer)) ?? []).filter(
      (a) => !byKey.includes(a),
    );
    return [...byKey, ...byName];
  }

  /** CRLs whose issuer name is the subject of `issuer` (the CRL's signature decides whether it counts). */
  crlsFor(issuer: Certificate): LoadedCrl[] {
    return [...(this.crlsByIssuer.get(nameKey(issuer.tbsCertificate.subject)) ?? [])];
  }

  /**
   * Approves an issuer without its CSCA: a DS signed by one of `publicKeys` passes like under a CSCA
   * anchor (whatever its issuerId); a DS with this issuerId otherwise passes only if its DER is listed
   * in `documentSigners`.
   */
  pinIssuer(p: PinnedIssuer): void {
    const id = issuerKey(p.issuerId);
    const entry = this.pins.get(id) ?? {
      issuerId: p.issuerId,
      country: p.country.toUpperCase(),
      fingerprints: new Set<string>(),
      publicKeys: [],
    };
    entry.country = p.country.toUpperCase();
    for (const der of p.documentSigners ?? []) entry.fingerprints.add(fingerprint(der));
    for (const key of p.publicKeys ?? [])
      if (!entry.publicKeys.some((k) => equalBytes(k, key))) entry.publicKeys.push(key);
    this.pins.set(id, entry);
    this.countryCache = undefined;
  }

  /** The pinned issuer `issuerId`, if any. */
  pinnedIssuer(issuerId: string): PinEntry | undefined {
    return this.pins.get(issuerKey(issuerId));
  }

  /** Every pinned issuer. */
  pinnedIssuers(): PinEntry[] {
    return [...this.pins.values()];
  }

  /** Blocks an issuer: its documents fail the chain (`issuer_blocked`) even if it chains to a CSCA. */
  blockIssuer(issuerId: string): void {
    this.blocked.add(issuerKey(issuerId));
  }

  /** Blocks an issuer key (SPKI DER): every DS signed under it fails the chain (`issuer_blocked`). */
  blockKey(spki: Uint8Array): void {
    if (!this.blockedKeyList.some((k) => equalBytes(k, spki))) this.blockedKeyList.push(spki);
  }

  isBlocked(issuerId: string): boolean {
    return this.blocked.has(issuerKey(issuerId));
  }

  /** The blocked issuer keys (SPKI DER). */
  blockedKeys(): readonly Uint8Array[] {
    return this.blockedKeyList;
  }

  /** Alpha-2 countries with a trusted CA anchor or a pinned issuer. */
  countries(): Set<string> {
    if (!this.countryCache) {
      const out = new Set<string>();
      for (const a of this.anchors) if (a.country) out.add(a.country);
      for (const p of this.pins.values()) out.add(p.country);
      this.countryCache = out;
    }
    return new Set(this.countryCache);
  }

  /** True when nothing can vouch for an issuer: no CA anchor and no pinned issuer. */
  get empty(): boolean {
    return this.anchors.length === 0 && this.pins.size === 0;
  }
}

/** Issuer ids compare without regard to hex case (passive auth reports upper, the registry lower). */
function issuerKey(issuerId: string): string {
  return issuerId.trim().toLowerCase();
}

/** A CA anchor may issue certificates: keyUsage, when present, must include keyCertSign. */
export function issuesCertificates(a: TrustAnchor): boolean {
  return a.ca && (!a.keyUsage || a.keyUsage.has('keyCertSign'));
}

/**
 * The certificates (DER) of a CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF
 * Certificate }, walked element by element: a real list holds hundreds of certificates (about
 * 1 MB), too many nodes to hand to a generic ASN.1 parser in one piece.
 */
export function masterListCertificates(eContent: Uint8Array): Uint8Array[] {
  const root = expectTag(decodeBerExact(eContent), 0x30, 'CscaMasterList');
  const kids = berChildren(root);
  if (kids.length !== 2 || kids[0]!.tag !== 0x02 || kids[1]!.tag !== 0x31)
    throw new TlvError('CscaMasterList does not have the elements of its schema');
  return berChildren(kids[1]!)
    .filter((c) => c.tag === 0x30)
    .map((c) => berBytes(c).slice());
}

function looksLikePem(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 4096))).toString('latin1');
  return head.includes('-----BEGIN ');
}

interface FolderFiles {
  certificates: string[];
  crls: string[];
  masterLists: string[];
  /** Resolved .ml path → confirmed signer fingerprint, from trusted-lists.json files. */
  confirmed: Map<string, string>;
}

/**
 * Loads every .pem/.cer/.crt/.der/.ml/.crl file under `folder` (sub-folders included, up to 4
 * levels). Certificates and CRLs first; then master lists, each accepted only when its signer
 * chains to a CA certificate loaded from the folder's certificate files, or when a
 * trusted-lists.json ({"lists":[{"file":"x.ml","signerFingerprint":"<sha256 hex>"}]}, file names
 * relative to the JSON's folder) confirms the signer. Unreadable files are listed in `problems`; a
 * missing folder is a problem, not an exception.
 */
export async function loadTrustStore(folder: string, store = new TrustStore()): Promise<TrustStore> {
  const files: FolderFiles = { certificates: [], crls: [], masterLists: [], confirmed: new Map() };
  await walk(folder, store, files, 0);
  for (const path of [...files.certificates, ...files.crls]) await addPath(store, path);
  for (const path of files.masterLists) {
    const confirm = files.confirmed.get(resolve(path));
    await addPath(store, path, {
      signerAnchors: (a) => a.origin === 'file',
      ...(confirm ? { confirmSignerFingerprint: confirm } : {}),
    });
  }
  return store;
}

async function addPath(store: TrustStore, path: string, options: MasterListOptions = {}): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    store.problems.push({
      file: path,
      reason: problemReason(
        'trust_file_unreadable',
        `Không đọc được tệp "${path}"; đã bỏ qua.`,
        `The file "${path}" cannot be read; skipped.`,
      ),
    });
    return;
  }
  store.addFile(bytes, path, options);
}

async function readTrustedLists(path: string, store: TrustStore, files: FolderFiles): Promise<void> {
  try {
    const json = JSON.parse(await readFile(path, 'utf8')) as {
      lists?: Array<{ file?: unknown; signerFingerprint?: unknown }>;
    };
    for (const entry of json.lists ?? []) {
      if (typeof entry.file !== 'string' || typeof entry.signerFingerprint !== 'string') continue;
      files.confirmed.set(resolve(dirname(path), entry.file), entry.signerFingerprint);
    }
  } catch {
    store.problems.push({
      file: path,
      reason: problemReason(
        'trust_file_invalid',
        `Tệp tin cậy "${path}" không đọc được; đã bỏ qua.`,
        `Trust file "${path}" could not be read; skipped.`,
      ),
    });
  }
}

async function walk(folder: string, store: TrustStore, files: FolderFiles, depth: number): Promise<void> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    store.problems.push({
      file: folder,
      reason: problemReason(
        'trust_folder_unreadable',
        `Không mở được thư mục tin cậy "${folder}".`,
        `The trust folder "${folder}" cannot be opened.`,
      ),
    });
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (depth < 4) await walk(path, store, files, depth + 1);
      continue;
    }
    if (entry.name === TRUSTED_LISTS_FILE) {
      await readTrustedLists(path, store, files);
      continue;
    }
    const ext = extname(entry.name).toLowerCase();
    if (CERT_EXTENSIONS.has(ext)) files.certificates.push(path);
    else if (ext === '.crl') files.crls.push(path);
    else if (ext === '.ml') files.masterLists.push(path);
  }
}
