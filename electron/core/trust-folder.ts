/**
 * The station's trust folder (CSCA certificates, ICAO master lists, CRLs) as the chair manages it:
 *
 * - `importTrustFile`: what `kiosk trust import FILE` and the app's folder import do with one file.
 *   A master list is copied in only if its signer chains to a CSCA already trusted (not one from the
 *   list itself), or the chair confirms the signer's SHA-256 fingerprint; confirmed lists are recorded
 *   in the folder's `trusted-lists.json` so the trust-store loader accepts them. A certificate file is
 *   copied in only if every certificate in it is a CA certificate (basicConstraints cA): a document
 *   signer or any other end-entity certificate is refused. Every import is an audit-log entry.
 * - `TrustFolderCountries`: the countries that have a trusted CA anchor, recomputed when the folder
 *   changes, for the verification policy (trust-policy.ts).
 *
 * Public certificates only: nothing here touches personal data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AsnParser } from '@peculiar/asn1-schema';
import type { Certificate } from '@peculiar/asn1-x509';
import { TrustStore } from '../../native/icao/trust-store';
import { parseSignedData, verifyCmsSigner } from '../../native/icao/cms';
import { CscaMasterList, ICAO_OID } from '../../native/icao/icao-asn1';
import {
  certificateDer,
  fingerprint,
  isCa,
  isSignedBy,
  nameToString,
  parseCertificate,
  pemBlocks,
} from '../../native/icao/x509';
import { KioskError } from './errors';
import type { AuditLog } from './audit-log';
import type { Actor } from './actor';
import { anchorCountries } from './trust-policy';
import { createHash } from 'node:crypto';

export const TRUST_EXTENSIONS = new Set(['.pem', '.cer', '.crt', '.der', '.ml', '.crl']);
const CERT_EXTENSIONS = new Set(['.pem', '.cer', '.crt', '.der']);
export const TRUSTED_LISTS_FILE = 'trusted-lists.json';

export interface TrustedLists {
  lists: Array<{ file: string; signerFingerprint: string }>;
}

/** Normalises a typed fingerprint: hex, lower case, no colons or spaces. */
export function normaliseFingerprint(fp: string): string {
  return fp.replace(/[\s:]/g, '').toLowerCase();
}

/** Loads the trust folder synchronously with the trust store's own file parser. */
export function loadTrustFolderSync(dir: string, store = new TrustStore()): TrustStore {
  for (const file of listTrustFiles(dir)) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      continue;
    }
    store.addFile(new Uint8Array(bytes), file);
  }
  return store;
}

export function listTrustFiles(folder: string, depth = 0): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(folder, e.name);
    if (e.isDirectory() && depth < 4) out.push(...listTrustFiles(p, depth + 1));
    else if (e.isFile() && TRUST_EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push(p);
  }
  return out;
}

/**
 * Countries with a trusted CA anchor in the trust folder, recomputed only when the folder's files
 * change (names, sizes, modification times).
 */
/**
 * What identifies the folder's content cheaply: every trust file's path, size, modification time,
 * and its inode and status-change time (which no copy tool or `touch` can put back: a file replaced by
 * one of the same size with its modification time preserved, e.g. `cp -p`, `rsync -t`, an unzip, is
 * still a change).
 */
export function trustFolderSignature(dir: string): string {
  return listTrustFiles(dir)
    .map((f) => {
      try {
        const st = fs.statSync(f);
        return `${f}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
      } catch {
        return f;
      }
    })
    .join('|');
}

export class TrustFolderCountries {
  private signature = '';
  private countries = new Set<string>();

  constructor(private readonly dir: string) {}

  get(): ReadonlySet<string> {
    const sig = trustFolderSignature(this.dir);
    if (sig !== this.signature) {
      this.countries = anchorCountries(loadTrustFolderSync(this.dir));
      this.signature = sig;
    }
    return this.countries;
  }
}

// ---------------------------------------------------------------------------------------------
// Checking and importing one file

export interface TrustFileCheck {
  kind: 'master_list' | 'certificate' | 'crl';
  /** CA certificates in the file (the ones that become anchors). */
  cscas: number;
  /** Certificates in a master list that are not CA certificates: never anchors. */
  nonCa: number;
  /** Alpha-2 countries of the CA certificates (their subject C). */
  countries: string[];
  /** SHA-256 of the certificates (certificate files) — to compare with the issuing authority. */
  fingerprints: string[];
  /** Master list: the signer and how it is trusted. */
  signer?: { fingerprint: string; subject: string; trustedBy: 'chain' | 'confirmed' };
}

function refuse(code: string, vi: string, en: string, details?: Record<string, unknown>): KioskError {
  return new KioskError(code, { vi, en }, details);
}

function subjectCountry(cert: Certificate): string | undefined {
  for (const rdn of cert.tbsCertificate.subject)
    for (const atv of rdn) if (atv.type === '2.5.4.6') return atv.value.toString().toUpperCase();
  return undefined;
}

/**
 * Checks a trust file against the trust already in place (`trusted`: the folder as it is, without
 * the file). Throws a bilingual KioskError when the file must not be imported: for an untrusted
 * master list (`master_list_signer_untrusted`) the error's details carry the signer's fingerprint.
 */
export function checkTrustFile(
  bytes: Uint8Array,
  name: string,
  trusted: TrustStore,
  options: { confirmSignerFingerprint?: string } = {},
): TrustFileCheck {
  const ext = path.extname(name).toLowerCase();
  if (ext === '.ml') return checkMasterList(bytes, name, trusted, options);
  if (ext === '.crl') {
    const store = new TrustStore();
    store.addFile(bytes, name);
    if (store.problems.length || store.crls.length === 0)
      throw refuse(
        'trust_file_invalid',
        `Tệp "${name}" không phải CRL hợp lệ.`,
        `"${name}" is not a valid CRL.`,
      );
    return { kind: 'crl', cscas: 0, nonCa: 0, countries: [], fingerprints: [] };
  }
  if (!CERT_EXTENSIONS.has(ext))
    throw refuse(
      'trust_file_type',
      `Tệp "${name}" không phải loại tệp tin cậy (.pem, .cer, .crt, .der, .ml, .crl).`,
      `"${name}" is not a trust file (.pem, .cer, .crt, .der, .ml, .crl).`,
    );
  let ders: Uint8Array[];
  const text = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  if (text.includes('-----BEGIN ')) ders = pemBlocks(Buffer.from(bytes).toString('latin1'), 'CERTIFICATE');
  else ders = [bytes];
  const certs: Certificate[] = [];
  try {
    for (const d of ders) certs.push(parseCertificate(d).cert);
  } catch {
    certs.length = 0;
  }
  if (certs.length === 0)
    throw refuse(
      'trust_file_invalid',
      `Tệp "${name}" không chứa chứng thư số đọc được.`,
      `"${name}" holds no readable certificate.`,
    );
  const nonCa = certs.filter((c) => !isCa(c));
  if (nonCa.length > 0)
    throw refuse(
      'certificate_not_ca',
      `Tệp "${name}" có chứng thư không phải của cơ quan chứng thực (CA): không được dùng làm gốc tin cậy.`,
      `"${name}" holds a certificate that is not a CA certificate: it cannot be a trust anchor.`,
      { file: name, nonCa: nonCa.length },
    );
  return {
    kind: 'certificate',
    cscas: certs.length,
    nonCa: 0,
    countries: [...new Set(certs.map(subjectCountry).filter((c): c is string => !!c))].sort(),
    fingerprints: ders.map((d) => fingerprint(d)),
  };
}

function checkMasterList(
  bytes: Uint8Array,
  name: string,
  trusted: TrustStore,
  options: { confirmSignerFingerprint?: string },
): TrustFileCheck {
  const invalid = () =>
    refuse(
      'master_list_invalid',
      `Tệp "${name}" không phải danh sách CSCA (master list) hợp lệ.`,
      `"${name}" is not a valid CSCA master list.`,
    );
  let cms;
  let list: CscaMasterList;
  try {
    cms = parseSignedData(bytes, 'master list');
    if (cms.eContentType !== ICAO_OID.cscaMasterList) throw new Error('not a master list');
    list = AsnParser.parse(cms.eContent, CscaMasterList);
  } catch {
    throw invalid();
  }
  const signer = cms.signers[0];
  const signerCert = signer?.certificate;
  let signatureOk = false;
  if (signer && signerCert) {
    try {
      const v = verifyCmsSigner(cms, signer, signerCert.cert);
      signatureOk = v.messageDigestOk && v.signatureOk && v.contentTypeOk;
    } catch {
      signatureOk = false;
    }
  }
  if (!signer || !signerCert || !signatureOk)
    throw refuse(
      'master_list_bad_signature',
      `Chữ ký của danh sách CSCA "${name}" không hợp lệ (hoặc thiếu chứng thư người ký): không nhập.`,
      `The signature of master list "${name}" is invalid (or its signer certificate is missing): not imported.`,
    );
  const signerFingerprint = fingerprint(signerCert.der);
  const subject = nameToString(signerCert.cert.tbsCertificate.subject);
  // Chains to an anchor that is trusted already (never to one carried by the list itself).
  const chained =
    trusted.anchors.some((a) => a.fingerprint === signerFingerprint && isCa(a.cert)) ||
    trusted.issuersOf(signerCert.cert).some((a) => {
      try {
        return isCa(a.cert) && isSignedBy(signerCert.cert, a.cert);
      } catch {
        return false;
      }
    });
  const confirmed =
    options.confirmSignerFingerprint !== undefined &&
    normaliseFingerprint(options.confirmSignerFingerprint) === signerFingerprint;
  if (!chained && !confirmed) {
    const typed = options.confirmSignerFingerprint !== undefined;
    throw refuse(
      'master_list_signer_untrusted',
      (typed ? 'Dấu vân tay đã nhập không khớp. ' : '') +
        `Người ký danh sách CSCA "${name}" (${subject}) không thuộc CSCA nào trạm đã tin cậy. ` +
        `Dấu vân tay SHA-256 của người ký: ${signerFingerprint}. Chỉ nhập khi dấu vân tay này khớp với công bố của cơ quan phát hành, bằng --confirm-fingerprint.`,
      (typed ? 'The fingerprint given does not match. ' : '') +
        `The signer of master list "${name}" (${subject}) does not chain to a CSCA this station trusts. ` +
        `Signer SHA-256 fingerprint: ${signerFingerprint}. Import it only if this matches what the issuing authority published, with --confirm-fingerprint.`,
      { file: name, signerFingerprint, signerSubject: subject },
    );
  }
  const cas = list.certList.filter((c) => {
    try {
      return isCa(c);
    } catch {
      return false;
    }
  });
  return {
    kind: 'master_list',
    cscas: cas.length,
    nonCa: list.certList.length - cas.length,
    countries: [...new Set(cas.map(subjectCountry).filter((c): c is string => !!c))].sort(),
    fingerprints: [],
    signer: { fingerprint: signerFingerprint, subject, trustedBy: chained ? 'chain' : 'confirmed' },
  };
}

export function readTrustedLists(trustDir: string): TrustedLists {
  try {
    const j = JSON.parse(fs.readFileSync(path.join(trustDir, TRUSTED_LISTS_FILE), 'utf8')) as TrustedLists;
    if (Array.isArray(j.lists)) return { lists: j.lists.filter((l) => l && typeof l.file === 'string') };
  } catch {
    // none yet, or unreadable: start a new one
  }
  return { lists: [] };
}

function recordTrustedList(trustDir: string, file: string, signerFingerprint: string): void {
  const current = readTrustedLists(trustDir);
  const lists = current.lists.filter((l) => l.file !== file);
  lists.push({ file, signerFingerprint });
  const target = path.join(trustDir, TRUSTED_LISTS_FILE);
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ lists }, null, 2) + '\n');
  fs.renameSync(tmp, target);
}

export interface TrustFileImport extends TrustFileCheck {
  /** File name in the trust folder. */
  file: string;
  /** False when the same content was already there. */
  copied: boolean;
}

/**
 * Checks `bytes` (file `name`) and copies it into `trustDir`. A confirmed master list is recorded in
 * trusted-lists.json. Returns what was imported; throws a bilingual KioskError when refused. The
 * caller logs (see logTrustImport), so a folder import can log once.
 */
export function importTrustBytes(
  bytes: Uint8Array,
  name: string,
  trustDir: string,
  options: { confirmSignerFingerprint?: string; trusted?: TrustStore } = {},
): TrustFileImport {
  const trusted = options.trusted ?? loadTrustFolderSync(trustDir);
  const check = checkTrustFile(bytes, name, trusted, options);
  fs.mkdirSync(trustDir, { recursive: true });
  let target = path.join(trustDir, path.basename(name));
  let copied = true;
  if (fs.existsSync(target)) {
    if (fs.readFileSync(target).equals(Buffer.from(bytes))) copied = false;
    else {
      const ext = path.extname(target);
      const suffix = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
      target = path.join(trustDir, `${path.basename(target, ext)}-${suffix}${ext}`);
      if (fs.existsSync(target)) copied = false;
    }
  }
  if (copied) fs.writeFileSync(target, bytes);
  if (check.signer?.trustedBy === 'confirmed') {
    recordTrustedList(trustDir, path.relative(trustDir, target), check.signer.fingerprint);
  }
  return { ...check, file: path.relative(trustDir, target), copied };
}

/** The audit-log entry of an import (file name, fingerprints, counts: no personal data). */
export function logTrustImport(log: AuditLog, by: Actor, imported: TrustFileImport): void {
  log.append({
    kind: 'trust_changed',
    ...by,
    details: {
      action: imported.kind === 'master_list' ? 'master_list_imported' : 'trust_file_imported',
      file: imported.file,
      copied: imported.copied,
      cscas: imported.cscas,
      nonCa: imported.nonCa,
      countries: imported.countries,
      ...(imported.signer
        ? { signerFingerprint: imported.signer.fingerprint, signerTrustedBy: imported.signer.trustedBy }
        : { fingerprints: imported.fingerprints }),
    },
  });
}

/** `kiosk trust import FILE`: import one file and log it. */
export function importTrustFile(
  file: string,
  trustDir: string,
  by: Actor,
  log: AuditLog,
  options: { confirmSignerFingerprint?: string } = {},
): TrustFileImport {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw refuse('file_unreadable', `Không đọc được tệp "${path.basename(file)}".`, `Cannot read "${file}".`);
  }
  const r = importTrustBytes(new Uint8Array(bytes), path.basename(file), trustDir, options);
  logTrustImport(log, by, r);
  return r;
}

/** The DER of every certificate of a master list (tests, tools). */
export function masterListCertificates(bytes: Uint8Array): Uint8Array[] {
  const cms = parseSignedData(bytes, 'master list');
  return AsnParser.parse(cms.eContent, CscaMasterList).certList.map((c) => certificateDer(c));
}

/**
 * The trust store a chip read should use on this station: the trust folder, with the chair's approved
 * issuers pinned and blocked issuers blocked (TrustRegistry.applyTo).
 */
export async function loadStationTrustStore(
  trustDir: string,
  registry?: { applyTo(store: TrustStore): TrustStore },
): Promise<TrustStore> {
  const { loadTrustStore } = await import('../../native/icao/trust-store');
  const store = await loadTrustStore(trustDir);
  return registry ? registry.applyTo(store) : store;
}

/**
 * The station trust store, parsed and verified once (master lists of hundreds of CSCAs included) and
 * built again only when a trust file changes (path, size, modification time) or the chair's decisions
 * change (`registry.generation()`), so imports and decisions still apply at the next card.
 */
export class StationTrustStore {
  private key: string | undefined;
  private store: Promise<TrustStore> | undefined;

  constructor(
    private readonly trustDir: string,
    private readonly registry?: { applyTo(store: TrustStore): TrustStore; generation(): string },
  ) {}

  get(): Promise<TrustStore> {
    const key = `${trustFolderSignature(this.trustDir)}#${this.registry?.generation() ?? ''}`;
    if (key !== this.key || !this.store) {
      this.key = key;
      const loading = loadStationTrustStore(this.trustDir, this.registry);
      // A failed load is not kept: the next card tries again.
      loading.catch(() => {
        if (this.store === loading) this.key = undefined;
      });
      this.store = loading;
    }
    return this.store;
  }
}
