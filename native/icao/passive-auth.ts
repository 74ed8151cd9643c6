/**
 * Passive authentication (ICAO 9303-11 §5.1), three checks each with its own outcome:
 *  1. hashes: every data group read hashes to its value in the SOD; a group read but absent from
 *     the SOD is injected data;
 *  2. signature: CMS messageDigest = hash(eContent), contentType matches, and the signature over
 *     the signed attributes verifies with the document signer (DS) certificate;
 *  3. chain: the DS certificate chains to a CSCA in the trust store (issuer/AKI match, signature,
 *     validity at the SOD signing time or now, not revoked by a CRL of that CSCA).
 * Reasons are bilingual with stable codes and never contain personal data.
 */
import type { Certificate } from '@peculiar/asn1-x509';
import type { CheckOutcome, Reason } from '../cccd/types';
import { equalBytes } from '../util/bytes';
import { dataGroupLabel, errorReason, reason } from './bilingual';
import { chooseSignerCertificate, signerCertificateCandidates, verifyCmsSigner } from './cms';
import { parseSod, type Sod } from './sod';
import { digest, signatureAlgorithmName } from './signature';
import type { TrustStore } from './trust-store';
import {
  crlRevokes,
  isCrlSignedBy,
  isSignedBy,
  nameToString,
  validity,
  type ParsedCertificate,
} from './x509';

export interface PassiveAuthInput {
  /** EF.SOD as read; undefined when the chip has none or it could not be read. */
  sod?: Uint8Array;
  /** Data group number → raw bytes as read from the chip. */
  dataGroups: Map<number, Uint8Array>;
  trustStore?: TrustStore;
  /** Reference time when the SOD carries no signing time (default: now). */
  now?: Date;
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
  chain: { outcome: CheckOutcome; csca?: string; documentSigner?: string; checkedAt?: Date };
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
  if (ds) checkChain(ds, sod, input, result, reasons);
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
  else if (out.matched.length === 0) out.outcome = 'not_run';
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
  result.chain.documentSigner = nameToString(ds.cert.tbsCertificate.subject);
  try {
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

function checkChain(
  ds: ParsedCertificate,
  sod: Sod,
  input: PassiveAuthInput,
  result: PassiveAuthResult,
  reasons: Reason[],
): void {
  const at = sod.signer.signingTime ?? input.now ?? new Date();
  result.chain.checkedAt = at;
  const fail = (code: string, vi: string, en: string): void => {
    result.chain.outcome = 'fail';
    reasons.push(reason(code, 'error', vi, en));
  };
  const store = input.trustStore;
  if (!store || store.anchors.length === 0) {
    fail(
      'trust_store_empty',
      'Chưa có chứng thư CSCA tin cậy nào: không xác định được cơ quan cấp.',
      'No trusted CSCA certificate is configured: the issuer cannot be confirmed.',
    );
    return;
  }
  const candidates = store.issuersOf(ds.cert);
  if (candidates.length === 0) {
    fail(
      'csca_not_found',
      'Chứng thư người ký không thuộc CSCA tin cậy nào: cơ quan cấp không xác định.',
      'The document signer was not issued by any trusted CSCA: unknown issuer.',
    );
    return;
  }
  let issuer: (typeof candidates)[number] | undefined;
  let unsupported: Reason | undefined;
  for (const c of candidates) {
    try {
      if (isSignedBy(ds.cert, c.cert)) {
        issuer = c;
        break;
      }
    } catch (e) {
      unsupported = errorReason(e, 'signature_algorithm_unsupported');
    }
  }
  if (!issuer) {
    if (unsupported) {
      result.chain.outcome = 'not_supported';
      reasons.push(unsupported);
      return;
    }
    fail(
      'ds_certificate_signature_invalid',
      'Chữ ký CSCA trên chứng thư người ký không hợp lệ.',
      "The CSCA's signature on the document signer certificate is invalid.",
    );
    return;
  }
  result.chain.csca = issuer.subject;
  const dsTime = within(ds.cert, at);
  if (dsTime !== 'ok') {
    fail(
      dsTime === 'expired' ? 'ds_certificate_expired' : 'ds_certificate_not_yet_valid',
      dsTime === 'expired'
        ? 'Chứng thư người ký đã hết hạn tại thời điểm kiểm tra.'
        : 'Chứng thư người ký chưa có hiệu lực tại thời điểm kiểm tra.',
      dsTime === 'expired'
        ? 'The document signer certificate had expired at the time checked.'
        : 'The document signer certificate was not yet valid at the time checked.',
    );
    return;
  }
  const cscaTime = within(issuer.cert, at);
  if (cscaTime !== 'ok') {
    fail(
      cscaTime === 'expired' ? 'csca_expired' : 'csca_not_yet_valid',
      'Chứng thư CSCA không có hiệu lực tại thời điểm kiểm tra.',
      'The CSCA certificate was not valid at the time checked.',
    );
    return;
  }
  for (const { crl } of store.crlsFor(issuer.cert)) {
    let signed = false;
    try {
      signed = isCrlSignedBy(crl, issuer.cert);
    } catch {
      signed = false;
    }
    if (!signed) {
      reasons.push(
        reason(
          'crl_invalid',
          'warning',
          'Một danh sách thu hồi (CRL) có chữ ký không hợp lệ và đã bị bỏ qua.',
          'A certificate revocation list has an invalid signature and was ignored.',
        ),
      );
      continue;
    }
    if (crlRevokes(crl, ds.cert.tbsCertificate.serialNumber)) {
      fail(
        'ds_revoked',
        'Chứng thư người ký đã bị thu hồi (CRL).',
        'The document signer certificate has been revoked (CRL).',
      );
      return;
    }
  }
  result.chain.outcome = 'pass';
}
