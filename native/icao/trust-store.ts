/**
 * The trust store for passive authentication: CSCA certificates from a folder (PEM or DER in
 * .pem/.cer/.crt/.der), ICAO master lists (.ml: CMS SignedData whose content is a CscaMasterList,
 * ICAO 9303-12 §9) and optional CRLs (.crl, PEM or DER). Files that cannot be read are skipped and
 * reported with a bilingual reason; they never stop the others from loading.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { AsnParser } from '@peculiar/asn1-schema';
import type { Certificate, CertificateList } from '@peculiar/asn1-x509';
import type { Reason } from '../cccd/types';
import { reason } from './bilingual';
import { chooseSignerCertificate, parseSignedData, verifyCmsSigner } from './cms';
import { CscaMasterList, ICAO_OID } from './icao-asn1';
import { equalBytes } from '../util/bytes';
import {
  authorityKeyIdentifier,
  certificateDer,
  couldHaveIssued,
  fingerprint,
  isCa,
  isSignedBy,
  nameToString,
  namesEqual,
  parseCertificate,
  parseCrl,
  pemBlocks,
  subjectKeyIdentifier,
} from './x509';

export interface TrustAnchor {
  der: Uint8Array;
  cert: Certificate;
  /** Subject DN, readable (CSCA names are not personal data). */
  subject: string;
  /** File the certificate came from. */
  source: string;
  /** SHA-256 of the DER, hex. */
  fingerprint: string;
}

export interface TrustStoreProblem {
  file: string;
  reason: Reason;
}

export interface LoadedCrl {
  crl: CertificateList;
  source: string;
}

const CERT_EXTENSIONS = new Set(['.pem', '.cer', '.crt', '.der']);

function problemReason(code: string, vi: string, en: string, severity: Reason['severity'] = 'error'): Reason {
  return reason(code, severity, vi, en);
}

export class TrustStore {
  /** CSCA certificates (CA certificates, including link certificates). */
  readonly anchors: TrustAnchor[] = [];
  /** Non-CA certificates found in the folder (document signers), used when a SOD omits its DS certificate. */
  readonly documentSigners: TrustAnchor[] = [];
  readonly crls: LoadedCrl[] = [];
  /** Files (or lists) that were skipped, with the reason. */
  readonly problems: TrustStoreProblem[] = [];
  /** Non-fatal notes about loaded files (e.g. a master-list signer outside the list). */
  readonly warnings: TrustStoreProblem[] = [];
  private readonly seen = new Set<string>();

  /** Adds one certificate (DER). Returns false if it was already present. */
  addCertificate(der: Uint8Array, source: string): boolean {
    const fp = fingerprint(der);
    if (this.seen.has(fp)) return false;
    const { cert } = parseCertificate(der);
    this.seen.add(fp);
    const anchor: TrustAnchor = {
      der,
      cert,
      subject: nameToString(cert.tbsCertificate.subject),
      source,
      fingerprint: fp,
    };
    const selfIssued = namesEqual(cert.tbsCertificate.subject, cert.tbsCertificate.issuer);
    (isCa(cert) || selfIssued ? this.anchors : this.documentSigners).push(anchor);
    return true;
  }

  /** Adds the certificates and CRLs of a file's bytes according to its extension. Records problems. */
  addFile(bytes: Uint8Array, file: string): void {
    const ext = extname(file).toLowerCase();
    try {
      if (ext === '.ml') this.addMasterList(bytes, file);
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
      for (const c of crls) this.crls.push({ crl: parseCrl(c), source });
      return certs.filter((c) => this.addCertificate(c, source)).length;
    }
    return this.addCertificate(bytes, source) ? 1 : 0;
  }

  addCrlBytes(bytes: Uint8Array, source: string): void {
    const ders = looksLikePem(bytes) ? pemBlocks(Buffer.from(bytes).toString('latin1'), 'X509 CRL') : [bytes];
    if (ders.length === 0) throw new Error('no CRL');
    for (const der of ders) this.crls.push({ crl: parseCrl(der), source });
  }

  /**
   * Adds the CSCA certificates of an ICAO master list. Its CMS signature is checked first (a list
   * whose signature fails is rejected); a signer that does not chain to a CSCA of the list itself
   * is reported as a warning. Returns the number of certificates added.
   */
  addMasterList(bytes: Uint8Array, source: string, options: { verifySignature?: boolean } = {}): number {
    const cms = parseSignedData(bytes, 'master list');
    if (cms.eContentType !== ICAO_OID.cscaMasterList) throw new Error('not a CSCA master list');
    const list = AsnParser.parse(cms.eContent, CscaMasterList);
    if (options.verifySignature !== false) {
      const signer = cms.signers[0];
      const signerCert = signer
        ? chooseSignerCertificate(cms, signer, signer.certificateCandidates)?.cert
        : undefined;
      let ok = false;
      if (signer && signerCert) {
        try {
          const v = verifyCmsSigner(cms, signer, signerCert);
          ok = v.messageDigestOk && v.signatureOk && v.contentTypeOk;
        } catch {
          ok = false;
        }
      }
      if (!ok) {
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
      const chained = list.certList.some((c) => {
        try {
          return couldHaveIssued(c, signerCert!) && isSignedBy(signerCert!, c);
        } catch {
          return false;
        }
      });
      if (!chained) {
        this.warnings.push({
          file: source,
          reason: problemReason(
            'master_list_signer_unchained',
            `Người ký danh sách CSCA "${source}" không thuộc CSCA nào trong danh sách.`,
            `The signer of master list "${source}" does not chain to a CSCA in the list.`,
            'warning',
          ),
        });
      }
    }
    let added = 0;
    for (const cert of list.certList) if (this.addCertificate(certificateDer(cert), source)) added++;
    return added;
  }

  /** Trust anchors that could have issued `cert` (AKI/SKI or issuer name match; AKI matches first). */
  issuersOf(cert: Certificate): TrustAnchor[] {
    const aki = authorityKeyIdentifier(cert);
    const keyMatch = (a: TrustAnchor): number => {
      const ski = subjectKeyIdentifier(a.cert);
      return aki && ski && equalBytes(aki, ski) ? 0 : 1;
    };
    return this.anchors
      .filter((a) => couldHaveIssued(a.cert, cert))
      .sort((a, b) => keyMatch(a) - keyMatch(b));
  }

  /** CRLs whose issuer name is the subject of `issuer`. */
  crlsFor(issuer: Certificate): LoadedCrl[] {
    return this.crls.filter((c) => namesEqual(c.crl.tbsCertList.issuer, issuer.tbsCertificate.subject));
  }
}

function looksLikePem(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 4096))).toString('latin1');
  return head.includes('-----BEGIN ');
}

/**
 * Loads every .pem/.cer/.crt/.der/.ml/.crl file under `folder` (sub-folders included, up to 4
 * levels). Unreadable files are listed in `problems`; a missing folder is a problem, not an exception.
 */
export async function loadTrustStore(folder: string, store = new TrustStore()): Promise<TrustStore> {
  await walk(folder, store, 0);
  return store;
}

async function walk(folder: string, store: TrustStore, depth: number): Promise<void> {
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
      if (depth < 4) await walk(path, store, depth + 1);
      continue;
    }
    const ext = extname(entry.name).toLowerCase();
    if (!CERT_EXTENSIONS.has(ext) && ext !== '.ml' && ext !== '.crl') continue;
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
      continue;
    }
    store.addFile(bytes, path);
  }
}
