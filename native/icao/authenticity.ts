/**
 * The authenticity verdict: combines passive authentication, what the chip read found, and the
 * chip's anti-clone proofs (Active Authentication and/or Chip Authentication) into an
 * `AuthenticityResult`. The rules (issue 9), in order:
 *
 *  - altered_or_forged: the SOD is missing or malformed, a hash mismatch, an injected group, a bad
 *    CMS signature, a chain PROVEN bad (DS certificate signature invalid under a trusted CSCA, DS
 *    revoked, keyUsage, issuer not a CA, country mismatch, issuer blocked, validity at signing
 *    time, or any chain failure this module does not know: fail closed), an error reason from the
 *    read (a group the SOD lists that the chip withholds `dg_withheld`, DG1/DG13 disagreeing
 *    `dg1_dg13_mismatch`), or an anti-clone proof the SOD announces that failed (DG15 listed → AA
 *    must pass, `active_auth_failed`; DG14 with Chip Authentication info → CA must pass,
 *    `chip_auth_failed`);
 *  - unknown_issuer: hashes and signature fine, the chain fails ONLY because the issuer is not in the
 *    trust store (`csca_not_found`, `trust_store_empty`: warning; `issuer_not_recognised`: error);
 *  - not_checked: the kiosk could not check the data (hash or signature algorithm it does not
 *    support, no data group to check on a live read); always with a reason;
 *  - signature_valid_chip_unproven: passive authentication passed, but the SOD announces no proof
 *    (the chip has none to give), the kiosk cannot run an announced one (not_supported / not_run),
 *    or it is a stored read (files cannot prove a chip): a warning;
 *  - genuine: passive authentication passed AND every proof the SOD announces passed (at least one)
 *    AND no error reason. Warnings (e.g. a face image that cannot be decoded) stay as reasons: the
 *    verification policy turns them amber.
 */
import type {
  AuthenticityChecks,
  AuthenticityResult,
  AuthenticityVerdict,
  CheckOutcome,
  Reason,
} from '../domain/vocabulary';
import { reason } from './bilingual';
import { passiveAuthentication, type PassiveAuthInput, type PassiveAuthResult } from './passive-auth';

/** The anti-clone proofs the SOD announces. */
export interface AnnouncedProofs {
  /** The SOD lists DG15: Active Authentication must pass. */
  activeAuth: boolean;
  /** The SOD lists DG14 and DG14 holds Chip Authentication info: Chip Authentication must pass. */
  chipAuth: boolean;
}

export interface AuthenticityInput {
  passive: PassiveAuthResult;
  /** Outcome of Active Authentication (default not_run). */
  activeAuth?: CheckOutcome;
  /** Outcome of Chip Authentication (default not_run). */
  chipAuth?: CheckOutcome;
  /**
   * The proofs the SOD announces. Default: AA when the SOD lists DG15; CA when it ran (a caller
   * that ran it found CA info in DG14).
   */
  announced?: AnnouncedProofs;
  /**
   * Reasons found while reading the chip: errors (`dg_withheld`, `dg1_dg13_mismatch`) make the card
   * altered_or_forged, warnings (`dg2_unreadable`, ...) are kept.
   */
  readReasons?: Reason[];
  /** A stored read (files, no chip): AA/CA cannot run, the best verdict is signature_valid_chip_unproven. */
  stored?: boolean;
}

/** The result plus the details behind it (which groups failed, CSCA name) for the log. */
export interface AuthenticityReport extends AuthenticityResult {
  details: {
    mismatchedGroups: number[];
    injectedGroups: number[];
    signatureAlgorithm?: string;
    csca?: string;
    documentSigner?: string;
    /** The DS certificate's issuer (authority key identifier hex, or 'name:' + hash), for the issuer registry. */
    issuerId?: string;
    /** Alpha-2 country of the DS certificate's issuer, and of the document (DG1 issuing state). */
    issuerCountry?: string;
    documentCountry?: string;
    documentSignerFingerprint?: string;
    /** The DS certificate itself (not personal data), so the chair can pin the issuer. */
    documentSignerDer?: Uint8Array;
  };
}

const FORGED_CODES = new Set(['sod_missing', 'sod_malformed']);

/** Chain failures that only say "this issuer is not in the trust store". */
export const UNKNOWN_ISSUER_CODES: ReadonlySet<string> = new Set([
  'csca_not_found',
  'trust_store_empty',
  'issuer_not_recognised',
]);
/** Of those, the ones that are amber (no trusted issuer configured for the card's country). */
const UNKNOWN_ISSUER_WARNINGS = new Set(['csca_not_found', 'trust_store_empty']);

/** Chain failures that prove the chain bad (a genuine document never has them). */
export const PROVEN_BAD_CHAIN_CODES: ReadonlySet<string> = new Set([
  'ds_certificate_signature_invalid',
  'ds_revoked',
  'ds_key_usage_invalid',
  'csca_not_ca',
  'country_mismatch',
  'issuer_blocked',
  'ds_certificate_expired',
  'ds_certificate_not_yet_valid',
  'csca_expired',
  'csca_not_yet_valid',
]);

/** Chain reasons that never decide the verdict on their own (A emits them as warnings). */
const CHAIN_NOTES = new Set(['crl_expired', 'crl_invalid', 'ds_private_key_usage_outside']);

function text(code: string, severity: Reason['severity'], vi: string, en: string): Reason {
  return reason(code, severity, vi, en);
}

const AA_FAILED = (): Reason =>
  text(
    'active_auth_failed',
    'error',
    'EF.SOD công bố khóa xác thực chủ động (DG15) nhưng chip không vượt qua xác thực chủ động (AA): chip sao chép hoặc giả.',
    'EF.SOD announces an Active Authentication key (DG15) but the chip failed Active Authentication: a cloned or fake chip.',
  );

const CA_FAILED = (): Reason =>
  text(
    'chip_auth_failed',
    'error',
    'DG14 công bố xác thực chip (CA) nhưng chip không vượt qua xác thực chip: chip sao chép hoặc giả.',
    'DG14 announces Chip Authentication but the chip failed it: a cloned or fake chip.',
  );

export function assessAuthenticity(input: AuthenticityInput): AuthenticityReport {
  const { passive } = input;
  const activeAuth = input.activeAuth ?? 'not_run';
  const chipAuth = input.chipAuth ?? 'not_run';
  const announced: AnnouncedProofs = input.announced ?? {
    activeAuth: passive.sod?.dataGroupHashes.has(15) === true || activeAuth !== 'not_run',
    chipAuth: chipAuth !== 'not_run',
  };
  const checks: AuthenticityChecks = {
    hashes: passive.hashes.outcome,
    signature: passive.signature.outcome,
    chain: passive.chain.outcome,
    activeAuth,
    chipAuth,
  };
  const reasons: Reason[] = [];
  const has = (code: string): boolean => reasons.some((r) => r.code === code);
  for (const r of [...passive.reasons, ...(input.readReasons ?? [])]) {
    // The issuer merely missing from the store is amber: a genuine card on a kiosk without its
    // country's CSCA is never worse than a QR-only scan.
    reasons.push(UNKNOWN_ISSUER_WARNINGS.has(r.code) ? { ...r, severity: 'warning' } : r);
  }

  // 1. Proven bad. The chain is classified by its reason codes: only "issuer not in the store"
  // codes make unknown_issuer; anything else that failed the chain is proven bad (fail closed).
  const chainFail = checks.chain === 'fail';
  const chainFailCodes = chainFail
    ? passive.reasons.map((r) => r.code).filter((c) => isChainCode(c) && !CHAIN_NOTES.has(c))
    : [];
  const chainIssuerOnly =
    chainFail && chainFailCodes.length > 0 && chainFailCodes.every((c) => UNKNOWN_ISSUER_CODES.has(c));
  const chainProvenBad = chainFail && !chainIssuerOnly;
  const readErrors = (input.readReasons ?? []).some((r) => r.severity === 'error');
  const aaFailed = announced.activeAuth && activeAuth === 'fail';
  const caFailed = announced.chipAuth && chipAuth === 'fail';
  if (aaFailed && !has('active_auth_failed')) reasons.push(AA_FAILED());
  if (caFailed && !has('chip_auth_failed')) reasons.push(CA_FAILED());
  const forged =
    passive.reasons.some((r) => FORGED_CODES.has(r.code)) ||
    checks.hashes === 'fail' ||
    checks.signature === 'fail' ||
    chainProvenBad ||
    readErrors ||
    aaFailed ||
    caFailed;

  let verdict: AuthenticityVerdict;
  if (forged) {
    verdict = 'altered_or_forged';
    if (chainProvenBad && !reasons.some((r) => r.severity === 'error')) {
      reasons.push(
        text(
          'chain_invalid',
          'error',
          'Chuỗi chứng thư của người ký tài liệu không hợp lệ.',
          "The document signer's certificate chain is invalid.",
        ),
      );
    }
  } else if (chainIssuerOnly && checks.signature === 'pass') {
    verdict = 'unknown_issuer';
  } else if (checks.hashes !== 'pass' || checks.signature !== 'pass' || checks.chain !== 'pass') {
    if (
      input.stored &&
      checks.hashes === 'not_run' &&
      checks.signature === 'pass' &&
      checks.chain === 'pass'
    ) {
      // An SOD-only stored read: the signature and chain are fine, no data group to compare.
      verdict = 'signature_valid_chip_unproven';
      reasons.push(
        text(
          'dg_hashes_not_checked',
          'warning',
          'Chữ ký EF.SOD hợp lệ nhưng không có nhóm dữ liệu nào để đối chiếu mã băm.',
          'The EF.SOD signature is valid but there is no data group to check against its hashes.',
        ),
      );
    } else {
      verdict = 'not_checked';
    }
  } else if (input.stored) {
    verdict = 'signature_valid_chip_unproven';
  } else {
    const required: Array<['AA' | 'CA', CheckOutcome]> = [];
    if (announced.activeAuth) required.push(['AA', activeAuth]);
    if (announced.chipAuth) required.push(['CA', chipAuth]);
    if (required.length > 0 && required.every(([, o]) => o === 'pass')) verdict = 'genuine';
    else {
      verdict = 'signature_valid_chip_unproven';
      if (required.length === 0) {
        reasons.push(
          text(
            'chip_proof_unavailable',
            'warning',
            'Dữ liệu có chữ ký hợp lệ, nhưng chip không có phép xác thực chống sao chép (EF.SOD không công bố AA hay CA).',
            'The data is validly signed, but the chip has no anti-clone proof (EF.SOD announces neither AA nor CA).',
          ),
        );
      }
      for (const [name, o] of required) {
        if (o === 'pass') continue;
        if (o === 'not_supported') {
          reasons.push(
            text(
              name === 'AA' ? 'active_auth_not_supported' : 'chip_auth_not_supported',
              'warning',
              `Máy không thực hiện được phép xác thực ${name} mà chip công bố: chip chưa được chứng minh.`,
              `The kiosk cannot run the ${name} the chip announces: the chip is not proven.`,
            ),
          );
        } else if (!has('chip_proof_unavailable')) {
          // Announced but not run (the kiosk was told not to, or the caller did not run it).
          reasons.push(
            text(
              'chip_proof_unavailable',
              'warning',
              'Dữ liệu có chữ ký hợp lệ, nhưng phép xác thực chống sao chép mà chip công bố chưa được thực hiện.',
              'The data is validly signed, but the anti-clone check the chip announces was not run.',
            ),
          );
        }
      }
    }
  }
  if (input.stored && verdict === 'signature_valid_chip_unproven' && !has('stored_read_chip_unproven')) {
    reasons.push(
      text(
        'stored_read_chip_unproven',
        'warning',
        'Dữ liệu chip đã lưu: chữ ký hợp lệ, nhưng tệp đã lưu không thể chứng minh chip (AA/CA cần chip thật).',
        'A stored chip read: the signature is valid, but files cannot prove the chip (AA/CA need the chip itself).',
      ),
    );
  }
  if (verdict !== 'genuine' && verdict !== 'signature_valid_chip_unproven') {
    if (!reasons.some((r) => r.severity !== 'info')) {
      reasons.push(
        text(
          'authenticity_not_confirmed',
          verdict === 'unknown_issuer' ? 'warning' : 'error',
          'Không xác nhận được tính xác thực của dữ liệu chip.',
          'The authenticity of the chip data could not be confirmed.',
        ),
      );
    }
  }
  if (verdict === 'genuine' && !reasons.some((r) => r.severity !== 'info')) {
    reasons.push(
      text(
        'card_genuine',
        'info',
        'Thẻ thật: dữ liệu chip có chữ ký hợp lệ của cơ quan cấp tin cậy và chip đã chứng minh không phải bản sao.',
        'Genuine card: the chip data is validly signed by a trusted issuer and the chip proved it is not a clone.',
      ),
    );
  }
  return {
    verdict,
    checks,
    reasons,
    details: {
      mismatchedGroups: passive.hashes.mismatched,
      injectedGroups: passive.hashes.injected,
      signatureAlgorithm: passive.signature.algorithm,
      csca: passive.chain.csca,
      documentSigner: passive.chain.documentSigner,
      ...(passive.chain.issuerId ? { issuerId: passive.chain.issuerId } : {}),
      ...(passive.chain.issuerCountry ? { issuerCountry: passive.chain.issuerCountry } : {}),
      ...(passive.chain.documentCountry ? { documentCountry: passive.chain.documentCountry } : {}),
      ...(passive.chain.documentSignerFingerprint
        ? { documentSignerFingerprint: passive.chain.documentSignerFingerprint }
        : {}),
      ...(passive.chain.documentSignerDer ? { documentSignerDer: passive.chain.documentSignerDer } : {}),
    },
  };
}

/** Reason codes passive authentication emits for the chain (or might in future: fail closed). */
function isChainCode(code: string): boolean {
  return (
    UNKNOWN_ISSUER_CODES.has(code) ||
    PROVEN_BAD_CHAIN_CODES.has(code) ||
    /^(ds_|csca_|issuer_|crl_|chain_|country_)/.test(code)
  );
}

/** Passive authentication then the verdict, in one call. */
export function verifyAuthenticity(
  input: PassiveAuthInput & {
    activeAuth?: CheckOutcome;
    chipAuth?: CheckOutcome;
    announced?: AnnouncedProofs;
    readReasons?: Reason[];
    stored?: boolean;
  },
): AuthenticityReport {
  const passive = passiveAuthentication(input);
  return assessAuthenticity({
    passive,
    activeAuth: input.activeAuth,
    chipAuth: input.chipAuth,
    ...(input.announced ? { announced: input.announced } : {}),
    ...(input.readReasons ? { readReasons: input.readReasons } : {}),
    ...(input.stored ? { stored: true } : {}),
  });
}
