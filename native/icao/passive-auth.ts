/**
 * Passive authentication (ICAO 9303-11 §5.1), three checks each with its own outcome:
 *  1. hashes: every data group read hashes to its value in the SOD; a group read but absent from
 *     the SOD is injected data;
 *  2. signature: CMS messageDigest = hash(eContent), the signed contentType is present and equals
 *     eContentType, and the signature over the signed attributes verifies with the document signer
 *     (DS) certificate (a certificate whose key fails the signature is never taken as the DS);
 *  3. chain: the DS certificate chains to a CSCA in the trust store, checked at the time the
 *     document was signed (signing time, else the date of issue, else now): trust policy (blocked
 *     and pinned issuers), DS keyUsage, issuer country = document country, CSCA is a CA that may
 *     sign certificates, signatures, validity, private-key usage period, CRLs.
 * Reasons are bilingual with stable codes and never contain personal data.
 */
import type { Certificate } from '@peculiar/asn1-x509';
import type { CheckOutcome, Reason } from '../domain/vocabulary';
import { equalBytes } from '../util/bytes';
import { dataGroupLabel, errorReason, reason } from './bilingual';
import { chooseSignerCertificate, signerCertificateCandidates, verifyCmsSigner } from './cms';
import { mrzStateToAlpha2 } from './country';
import { parseSod, type Sod } from './sod';
import { AsnSerializer } from '@peculiar/asn1-schema';
import { digest, signatureAlgorithmName, verifySignature } from './signature';
import { issuesCertificates, type TrustAnchor, type TrustStore } from './trust-store';
import {
  crlRevokes,
  fingerprint,
  isCrlSignedBy,
  isSignedBy,
  issuerIdOf,
  keyUsage,
  nameCountry,
  nameToString,
  privateKeyUsagePeriod,
  subjectNameId,
  validity,
  type ParsedCertificate,
} from './x509';

export interface PassiveAuthInput {
  /** EF.SOD as read; undefined when the chip has none or it could not be read. */
  sod?: Uint8Array;
  /** Data group number → raw bytes as read from the chip. */
  dataGroups: Map<number, Uint8Array>;
  trustStore?: TrustStore;
  /** The current time (default: now); also the chain's reference time when nothing better is known. */
  now?: Date;
  /** DG1 issuing state (MRZ alpha-3, 'D' for Germany): the DS and CSCA country must be this country. */
  issuingState?: string;
  /** Date of issue (ISO yyyy-mm-dd, from DG13): the chain's reference time when the SOD has no signing time. */
  dateOfIssue?: string;
}

/**
 * When the chain was checked: the SOD's signing time, else the document's date of issue, else now;
 * 'signer_validity' = no signing moment is known and the DS has expired since, so the chain is checked
 * at the end of the DS's private-key usage period (or validity), the last moment it could sign.
 */
export type ChainTimeSource = 'signing_time' | 'date_of_issue' | 'now' | 'signer_validity';

export interface ChainResult {
  outcome: CheckOutcome;
  /** The CSCA subject, or 'pinned issuer <issuerId>'. */
  csca?: string;
  /** DS subject DN (not personal data). */
  documentSigner?: string;
  /** Alpha-2 country of the DS certificate's issuer (C). */
  issuerCountry?: string;
  /** Alpha-2 country of the document (from the input's issuingState). */
  documentCountry?: string;
  /** DS authorityKeyIdentifier hex, else 'name:' + SHA-256(issuer DN DER) hex (first 40). */
  issuerId?: string;
  /** SHA-256 hex of the DS certificate DER. */
  documentSignerFingerprint?: string;
  /** The DS certificate (not personal data), for pinning. */
  documentSignerDer?: Uint8Array;
  /** The time the chain was validated at, and where it came from. */
  checkedAt?: Date;
  checkedAtSource?: ChainTimeSource;
}

export interface HashCheck {
  outcome: CheckOutcome;
  matched: number[];
  /** Read groups whose hash differs from the SOD. */
  mismatched: number[];
  /** Read groups the SOD does not list (injected data). */
  injected: number[];
  /** Groups listed in the SOD but not read (normal for DG3 without EAC). */
  notRead: number[];
}

export interface PassiveAuthResult {
  hashes: HashCheck;
  signature: { outcome: CheckOutcome; algorithm?: string };
  chain: ChainResult;
  reasons: Reason[];
  sod?: Sod;
}

function emptyHashes(outcome: CheckOutcome): HashCheck {
  return { outcome, matched: [], mismatched: [], injected: [], notRead: [] };
}

export function passiveAuthentication(input: PassiveAuthInput): PassiveAuthResult {
  const reasons: Reason[] = [];
  const result: PassiveAuthResult = {
    hashes: emptyHashes('not_run'),
    signature: { outcome: 'not_run' },
    chain: { outcome: 'not_run' },
    reasons,
  };
  if (!input.sod || input.sod.length === 0) {
    reasons.push(
      reason(
        'sod_missing',
        'error',
        'Chip không có dữ liệu ký số EF.SOD: không thể chứng minh dữ liệu là thật.',
        'The chip has no EF.SOD: its data cannot be proven genuine.',
      ),
    );
    return result;
  }
  let sod: Sod;
  try {
    sod = parseSod(input.sod);
  } catch (e) {
    const r = errorReason(e, 'sod_malformed');
    reasons.push({
      ...r,
      code: 'sod_malformed',
      vi: `EF.SOD không đọc được: ${r.vi}`,
      en: `EF.SOD cannot be read: ${r.en}`,
    });
    return result;
  }
  result.sod = sod;
  result.hashes = checkHashes(sod, input.dataGroups, reasons);
  const ds = checkSignature(sod, input.trustStore, result, reasons);
  if (ds) {
    try {
      checkChain(ds, sod, input, result, reasons);
    } catch (e) {
      // A certificate the library cannot interpret (damaged names or extensions) proves nothing.
      result.chain.outcome = 'fail';
      reasons.push(errorReason(e, 'ds_certificate_invalid'));
    }
  }
  return result;
}

function checkHashes(sod: Sod, groups: Map<number, Uint8Array>, reasons: Reason[]): HashCheck {
  const out = emptyHashes('pass');
  if (!sod.hash) {
    reasons.push(
      reason(
        'sod_hash_algorithm_unsupported',
        'error',
        'Thuật toán băm trong EF.SOD không được hỗ trợ.',
        'The hash algorithm in EF.SOD is not supported.',
      ),
    );
    out.outcome = 'not_supported';
    return out;
  }
  const numbers = [...groups.keys()].sort((a, b) => a - b);
  for (const n of numbers) {
    const expected = sod.dataGroupHashes.get(n);
    const label = dataGroupLabel(n);
    if (!expected) {
      out.injected.push(n);
      reasons.push(
        reason(
          'dg_not_in_sod',
          'error',
          `${label.vi} không có trong danh sách ký số của chip: dữ liệu bị chèn thêm.`,
          `${label.en} is not listed in the chip's signed hashes: injected data.`,
        ),
      );
      continue;
    }
    if (equalBytes(digest(sod.hash, groups.get(n)!), expected)) {
      out.matched.push(n);
    } else {
      out.mismatched.push(n);
      reasons.push(
        reason(
          'dg_hash_mismatch',
          'error',
          `${label.vi} đã bị thay đổi: mã băm không khớp với chữ ký số.`,
          `${label.en} has been altered: its hash does not match the signed value.`,
        ),
      );
    }
  }
  out.notRead = [...sod.dataGroupHashes.keys()].filter((n) => !groups.has(n)).sort((a, b) => a - b);
  if (out.mismatched.length > 0 || out.injected.length > 0) out.outcome = 'fail';
  else if (out.matched.length === 0) {
    out.outcome = 'not_run';
    reasons.push(
      reason(
        'dg_none_read',
        'warning',
        'Không đọc được nhóm dữ liệu nào: chỉ riêng EF.SOD không chứng minh được dữ liệu của thẻ.',
        'No data group was read: EF.SOD alone proves nothing about the card data.',
      ),
    );
  }
  return out;
}

function checkSignature(
  sod: Sod,
  store: TrustStore | undefined,
  result: PassiveAuthResult,
  reasons: Reason[],
): ParsedCertificate | undefined {
  const signer = sod.signer;
  result.signature.algorithm = signatureAlgorithmName(signer.signatureAlgorithm);
  let candidates = signer.certificateCandidates;
  if (candidates.length === 0 && store)
    candidates = signerCertificateCandidates(signer.sid, store.documentSigners);
  let ds: ParsedCertificate | undefined;
  try {
    ds = chooseSignerCertificate(sod.cms, signer, candidates);
  } catch {
    ds = candidates[0];
  }
  if (!ds) {
    reasons.push(
      reason(
        'ds_certificate_missing',
        'error',
        'EF.SOD không kèm chứng thư của người ký tài liệu: không kiểm tra được chữ ký.',
        'EF.SOD carries no document signer certificate: the signature cannot be checked.',
      ),
    );
    return undefined;
  }
  try {
    result.chain.documentSigner = nameToString(ds.cert.tbsCertificate.subject);
    const v = verifyCmsSigner(sod.cms, signer, ds.cert);
    if (!v.messageDigestOk) {
      reasons.push(
        reason(
          'sod_message_digest_mismatch',
          'error',
          'Mã băm nội dung EF.SOD không khớp với thuộc tính đã ký.',
          'The EF.SOD content hash does not match its signed messageDigest attribute.',
        ),
      );
    }
    if (!v.contentTypePresent) {
      reasons.push(
        reason(
          'sod_content_type_missing',
          'error',
          'EF.SOD không có thuộc tính loại nội dung đã ký.',
          'EF.SOD has no signed content type attribute.',
        ),
      );
    } else if (!v.contentTypeOk) {
      reasons.push(
        reason(
          'sod_content_type_mismatch',
          'error',
          'Loại nội dung đã ký trong EF.SOD không khớp.',
          'The signed content type in EF.SOD does not match its content.',
        ),
      );
    }
    if (!v.signatureOk) {
      reasons.push(
        reason(
          'sod_signature_invalid',
          'error',
          'Chữ ký số của EF.SOD không hợp lệ: dữ liệu chip có thể bị giả mạo.',
          'The EF.SOD signature is invalid: the chip data may be forged.',
        ),
      );
    }
    result.signature.outcome = v.messageDigestOk && v.contentTypeOk && v.signatureOk ? 'pass' : 'fail';
  } catch (e) {
    result.signature.outcome = 'not_supported';
    reasons.push(errorReason(e, 'signature_algorithm_unsupported'));
    return ds;
  }
  return ds;
}

function within(cert: Certificate, at: Date): 'ok' | 'expired' | 'not_yet_valid' {
  const v = validity(cert);
  if (at.getTime() < v.notBefore.getTime()) return 'not_yet_valid';
  if (at.getTime() > v.notAfter.getTime()) return 'expired';
  return 'ok';
}

/** The chain's reference time: the SOD signing time, else the date of issue, else now. */
function referenceTime(sod: Sod, input: PassiveAuthInput): { at: Date; source: ChainTimeSource } {
  if (sod.signer.signingTime) return { at: sod.signer.signingTime, source: 'signing_time' };
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.dateOfIssue?.trim() ?? '');
  if (m) {
    const at = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (!Number.isNaN(at.getTime()) && at.toISOString().startsWith(m[0]))
      return { at, source: 'date_of_issue' };
  }
  return { at: input.now ?? new Date(), source: 'now' };
}

const CODE_TEXT: Record<string, [vi: string, en: string]> = {
  trust_store_empty: [
    'Chưa có chứng thư CSCA tin cậy nào: không xác định được cơ quan cấp.',
    'No trusted CSCA certificate is configured: the issuer cannot be confirmed.',
  ],
  csca_not_found: [
    'Chưa cấu hình cơ quan cấp tin cậy nào cho quốc gia của giấy tờ: không xác định được cơ quan cấp.',
    "No trusted issuer is configured for the document's country: the issuer cannot be confirmed.",
  ],
  issuer_not_recognised: [
    'Khóa của cơ quan cấp không có trong kho tin cậy: cơ quan cấp không được công nhận.',
    'The issuer key is not in the trust store: the issuer is not recognised.',
  ],
  issuer_blocked: ['Cơ quan cấp của giấy tờ này đã bị chặn.', "This document's issuer has been blocked."],
  ds_certificate_signature_invalid: [
    'Chữ ký CSCA trên chứng thư người ký không hợp lệ.',
    "The CSCA's signature on the document signer certificate is invalid.",
  ],
  ds_key_usage_invalid: [
    'Chứng thư người ký không được phép ký số (keyUsage thiếu digitalSignature).',
    'The document signer certificate may not make signatures (keyUsage lacks digitalSignature).',
  ],
  csca_not_ca: [
    'Chứng thư cấp cho người ký không phải là CA được phép cấp chứng thư.',
    'The certificate that issued the document signer is not a CA allowed to issue certificates.',
  ],
  country_mismatch: [
    'Quốc gia của cơ quan cấp không khớp với quốc gia cấp giấy tờ.',
    "The issuer's country does not match the document's issuing state.",
  ],
  ds_certificate_expired: [
    'Chứng thư người ký đã hết hạn tại thời điểm ký giấy tờ.',
    'The document signer certificate had expired when the document was signed.',
  ],
  ds_certificate_not_yet_valid: [
    'Chứng thư người ký chưa có hiệu lực tại thời điểm ký giấy tờ.',
    'The document signer certificate was not yet valid when the document was signed.',
  ],
  csca_expired: [
    'Chứng thư CSCA đã hết hạn tại thời điểm ký giấy tờ.',
    'The CSCA certificate had expired when the document was signed.',
  ],
  csca_not_yet_valid: [
    'Chứng thư CSCA chưa có hiệu lực tại thời điểm ký giấy tờ.',
    'The CSCA certificate was not yet valid when the document was signed.',
  ],
  ds_revoked: [
    'Chứng thư người ký đã bị thu hồi (CRL).',
    'The document signer certificate has been revoked (CRL).',
  ],
};

function chainReason(code: string, severity: Reason['severity'] = 'error'): Reason {
  const [vi, en] = CODE_TEXT[code]!;
  return reason(code, severity, vi, en);
}

function checkChain(
  ds: ParsedCertificate,
  sod: Sod,
  input: PassiveAuthInput,
  result: PassiveAuthResult,
  reasons: Reason[],
): void {
  const chain = result.chain;
  let { at, source } = referenceTime(sod, input);
  if (source === 'now') {
    // No signing time and no date of issue: a DS that has expired since signed the document while it
    // was in use, so the chain is checked at the last moment it could sign. This is no weaker than
    // trusting a signingTime attribute, which the signer writes itself.
    const end = lastSigningMoment(ds);
    if (end && at.getTime() > end.getTime()) {
      at = end;
      source = 'signer_validity';
      reasons.push(
        reason(
          'signing_time_unknown',
          'warning',
          'Không rõ thời điểm ký giấy tờ và chứng thư người ký nay đã hết hạn: chuỗi tin cậy được kiểm tra tại thời điểm cuối người ký còn được ký.',
          'When the document was signed is unknown and its document signer has expired since: the chain was checked at the last moment the signer could sign.',
        ),
      );
    }
  }
  const now = input.now ?? new Date();
  chain.checkedAt = at;
  chain.checkedAtSource = source;
  chain.documentSignerFingerprint = fingerprint(ds.der);
  chain.documentSignerDer = ds.der;
  let issuerId: string;
  let issuerCountry: string | undefined;
  try {
    issuerId = issuerIdOf(ds.cert);
    issuerCountry = nameCountry(ds.cert.tbsCertificate.issuer);
  } catch (e) {
    chain.outcome = 'fail';
    reasons.push(errorReason(e, 'ds_certificate_invalid'));
    return;
  }
  chain.issuerId = issuerId;
  if (issuerCountry) chain.issuerCountry = issuerCountry;
  const documentCountry = mrzStateToAlpha2(input.issuingState);
  if (documentCountry) chain.documentCountry = documentCountry;
  const fail = (code: string, severity: Reason['severity'] = 'error'): void => {
    chain.outcome = 'fail';
    reasons.push(chainReason(code, severity));
  };

  const store = input.trustStore;
  if (store?.isBlocked(issuerId)) return fail('issuer_blocked');
  let dsUsage: Set<string> | undefined;
  try {
    dsUsage = keyUsage(ds.cert);
  } catch {
    return fail('ds_key_usage_invalid');
  }
  if (dsUsage && !dsUsage.has('digitalSignature')) return fail('ds_key_usage_invalid');
  // The document's country, when known, is the one every certificate of the chain must name.
  const expectedCountry = input.issuingState ? documentCountry : issuerCountry;
  if (input.issuingState && (!documentCountry || issuerCountry !== documentCountry))
    return fail('country_mismatch');
  // A block on an issuer KEY applies to every DS signed under it, whatever ids the DS carries.
  if (store && store.blockedKeys().some((k) => signedByKey(ds, k))) return fail('issuer_blocked');

  // Find the issuing CSCA: a key-identifier match must verify (else the DS is proven bad); a
  // same-name CSCA with another key only tells that the issuer's key is not in the store. A key is
  // often published in several certificates (a short-lived link certificate signed by the previous
  // key, and a self-signed one): every certificate that verifies the DS is considered, and the chain
  // passes when one of them passes every check.
  let issuers: TrustAnchor[] = [];
  let unsupported: Reason | undefined;
  let keyMatchFailed = false;
  const tryAnchor = (a: TrustAnchor): boolean => {
    try {
      return isSignedBy(ds.cert, a.cert);
    } catch (e) {
      unsupported = errorReason(e, 'signature_algorithm_unsupported');
      return false;
    }
  };
  if (store) {
    const { byKey, byName } = store.issuerCandidates(ds.cert);
    issuers = byKey.filter(tryAnchor);
    if (!issuers.length && byKey.length > 0 && !unsupported) keyMatchFailed = true;
    if (!issuers.length && !keyMatchFailed) issuers = byName.filter(tryAnchor);
  }
  if (!issuers.length) {
    if (keyMatchFailed) return fail('ds_certificate_signature_invalid');
    // An issuer the chair pinned by its key: the DS must be signed under that key, exactly as under
    // a CSCA anchor (the key, not the DS's self-declared names or key identifier, is the issuer).
    const keyPin = store?.pinnedIssuers().find((p) => p.publicKeys.some((k) => signedByKey(ds, k)));
    const pin = keyPin ?? store?.pinnedIssuer(issuerId);
    if (pin) {
      if (!keyPin && !pin.fingerprints.has(chain.documentSignerFingerprint)) {
        // It claims the pinned issuer's key identifier, but the pinned key did not sign it: proven bad.
        if (pin.publicKeys.length > 0) return fail('ds_certificate_signature_invalid');
        return fail('issuer_not_recognised');
      }
      if (store!.isBlocked(pin.issuerId)) return fail('issuer_blocked');
      if (expectedCountry && pin.country !== expectedCountry) return fail('country_mismatch');
      if (!checkDsTime(ds, at, source, fail, reasons)) return;
      chain.csca = `pinned issuer ${pin.issuerId}`;
      chain.outcome = 'pass';
      return;
    }
    if (unsupported) {
      chain.outcome = 'not_supported';
      reasons.push(unsupported);
      return;
    }
    // A DS issued by a certificate that is in the store but is not a CA: proven bad.
    const nonCa = store?.nonCaIssuersOf(ds.cert).some((a) => {
      try {
        return isSignedBy(ds.cert, a.cert);
      } catch {
        return false;
      }
    });
    if (nonCa) return fail('csca_not_ca');
    if (!store || store.empty) return fail('trust_store_empty', 'warning');
    // The document's country decides, never the forger's DS: a document of unknown country (no DG1,
    // no DG13) on a station that trusts any issuer is red, not "unconfigured" amber.
    if (!documentCountry) return fail('issuer_not_recognised');
    if (store.countries().has(documentCountry)) return fail('issuer_not_recognised');
    return fail('csca_not_found', 'warning');
  }
  // A block applies to the CSCA's key too, whichever way the DS names it (AKI or none), and whichever
  // id the block was recorded under (the CSCA's key id, or its name id).
  if (issuers.some((a) => store!.isBlocked(issuerKeyId(a)) || store!.isBlocked(subjectNameId(a.cert))))
    return fail('issuer_blocked');
  const outcomes = issuers.map((a) => evaluateAnchor(a, ds, store!, expectedCountry, at, now));
  const passed = outcomes.find((o) => !o.code);
  const chosen = passed ?? bestFailure(outcomes);
  chain.csca = chosen.anchor.subject;
  if (chosen.code && chosen.stage <= 1) return fail(chosen.code);
  // The DS's own validity and private-key usage period do not depend on the CSCA certificate.
  if (!checkDsTime(ds, at, source, fail, reasons)) return;
  reasons.push(...chosen.notes);
  if (chosen.code) return fail(chosen.code);
  chain.outcome = 'pass';
}

interface AnchorOutcome {
  anchor: TrustAnchor;
  /** The failure code, undefined when the anchor passes every check. */
  code?: string;
  /** How far the checks got (the best failure is the one that got furthest). */
  stage: number;
  notes: Reason[];
}

/** The CSCA-side checks of one certificate of the issuer's key: CA, country, validity, CRLs. */
function evaluateAnchor(
  issuer: TrustAnchor,
  ds: ParsedCertificate,
  store: TrustStore,
  expectedCountry: string | undefined,
  at: Date,
  now: Date,
): AnchorOutcome {
  const notes: Reason[] = [];
  const out = (code: string | undefined, stage: number): AnchorOutcome => ({
    anchor: issuer,
    ...(code ? { code } : {}),
    stage,
    notes,
  });
  if (!issuesCertificates(issuer)) return out('csca_not_ca', 0);
  if (issuer.country !== expectedCountry) return out('country_mismatch', 1);
  const cscaTime = within(issuer.cert, at);
  if (cscaTime !== 'ok') return out(cscaTime === 'expired' ? 'csca_expired' : 'csca_not_yet_valid', 2);
  for (const { crl } of store.crlsFor(issuer.cert)) {
    let signed = false;
    try {
      signed = isCrlSignedBy(crl, issuer.cert);
    } catch {
      signed = false;
    }
    if (!signed) {
      notes.push(
        reason(
          'crl_invalid',
          'warning',
          'Một danh sách thu hồi (CRL) có chữ ký không hợp lệ và đã bị bỏ qua.',
          'A certificate revocation list has an invalid signature and was ignored.',
        ),
      );
      continue;
    }
    const nextUpdate = crl.tbsCertList.nextUpdate?.getTime();
    if (nextUpdate && nextUpdate.getTime() < now.getTime()) {
      notes.push(
        reason(
          'crl_expired',
          'warning',
          'Một danh sách thu hồi (CRL) đã quá hạn cập nhật và đã bị bỏ qua.',
          'A certificate revocation list is past its next update and was ignored.',
        ),
      );
      continue;
    }
    if (crlRevokes(crl, ds.cert.tbsCertificate.serialNumber)) return out('ds_revoked', 3);
  }
  return out(undefined, 4);
}

/** Of failed outcomes, the one that got furthest (a revocation beats an expired link certificate). */
function bestFailure(outcomes: AnchorOutcome[]): AnchorOutcome {
  return outcomes.reduce((best, o) => (o.stage > best.stage ? o : best));
}

/** Whether `ds` is signed under the public key `spki` (an unsupported key or algorithm: no). */
function signedByKey(ds: ParsedCertificate, spki: Uint8Array): boolean {
  try {
    return verifySignature(
      spki,
      ds.cert.signatureAlgorithm,
      ds.cert.tbsCertificateRaw
        ? new Uint8Array(ds.cert.tbsCertificateRaw)
        : new Uint8Array(AsnSerializer.serialize(ds.cert.tbsCertificate)),
      new Uint8Array(ds.cert.signatureValue),
    );
  } catch {
    return false;
  }
}

/** The issuerId a DS issued by `csca` carries: the CSCA's SKI, else its subject name hashed. */
function issuerKeyId(csca: TrustAnchor): string {
  return csca.ski ?? subjectNameId(csca.cert);
}

/** The end of the DS's private-key usage period, else of its validity (undefined if unreadable). */
function lastSigningMoment(ds: ParsedCertificate): Date | undefined {
  try {
    const end = validity(ds.cert).notAfter;
    const pkup = privateKeyUsagePeriod(ds.cert)?.notAfter;
    return pkup && pkup.getTime() < end.getTime() ? pkup : end;
  } catch {
    return undefined;
  }
}

/** DS validity at the reference time (error), and its private-key usage period (warning). */
function checkDsTime(
  ds: ParsedCertificate,
  at: Date,
  source: ChainTimeSource,
  fail: (code: string) => void,
  reasons: Reason[],
): boolean {
  const dsTime = within(ds.cert, at);
  if (dsTime !== 'ok') {
    fail(dsTime === 'expired' ? 'ds_certificate_expired' : 'ds_certificate_not_yet_valid');
    return false;
  }
  if (source === 'now') return true; // the signing moment is unknown: nothing to compare
  let period: { notBefore?: Date; notAfter?: Date } | undefined;
  try {
    period = privateKeyUsagePeriod(ds.cert);
  } catch {
    period = undefined;
  }
  if (
    period &&
    ((period.notBefore && at.getTime() < period.notBefore.getTime()) ||
      (period.notAfter && at.getTime() > period.notAfter.getTime()))
  ) {
    reasons.push(
      reason(
        'ds_private_key_usage_outside',
        'warning',
        'Giấy tờ được ký ngoài thời hạn sử dụng khóa riêng của người ký.',
        "The document was signed outside the document signer's private-key usage period.",
      ),
    );
  }
  return true;
}
