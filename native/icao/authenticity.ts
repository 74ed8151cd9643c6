/**
 * The authenticity verdict: combines passive authentication with the chip's anti-clone proof
 * (Active Authentication and/or Chip Authentication) into an `AuthenticityResult`.
 *
 * Rules, in order:
 *  - a hash mismatch, an injected group, a bad CMS signature, or a missing/unreadable SOD → altered_or_forged;
 *  - hashes and signature fine but the DS does not chain to a trusted CSCA (or the signature
 *    could not be checked) → unknown_issuer;
 *  - all fine and AA or CA passed → genuine (one passed proof is enough: only the real chip holds
 *    a private key whose public key the SOD covers; a failure of the other is kept as a warning);
 *  - all fine but neither passed → signature_valid_chip_unproven; a failed proof is an error reason
 *    (possible clone), an unavailable one a warning.
 */
import type {
  AuthenticityChecks,
  AuthenticityResult,
  AuthenticityVerdict,
  CheckOutcome,
  Reason,
} from '../cccd/types';
import { reason } from './bilingual';
import { passiveAuthentication, type PassiveAuthInput, type PassiveAuthResult } from './passive-auth';

export interface AuthenticityInput {
  passive: PassiveAuthResult;
  /** Outcome of Active Authentication (default not_run). */
  activeAuth?: CheckOutcome;
  /** Outcome of Chip Authentication (default not_run). */
  chipAuth?: CheckOutcome;
}

/** The result plus the details behind it (which groups failed, CSCA name) for the log. */
export interface AuthenticityReport extends AuthenticityResult {
  details: {
    mismatchedGroups: number[];
    injectedGroups: number[];
    signatureAlgorithm?: string;
    csca?: string;
    documentSigner?: string;
  };
}

const FORGED_CODES = new Set(['sod_missing', 'sod_malformed']);

export function assessAuthenticity(input: AuthenticityInput): AuthenticityReport {
  const { passive } = input;
  const activeAuth = input.activeAuth ?? 'not_run';
  const chipAuth = input.chipAuth ?? 'not_run';
  const checks: AuthenticityChecks = {
    hashes: passive.hashes.outcome,
    signature: passive.signature.outcome,
    chain: passive.chain.outcome,
    activeAuth,
    chipAuth,
  };
  const reasons: Reason[] = [...passive.reasons];
  const sodUnusable = passive.reasons.some((r) => FORGED_CODES.has(r.code));
  let verdict: AuthenticityVerdict;
  if (sodUnusable || checks.hashes === 'fail' || checks.signature === 'fail') {
    verdict = 'altered_or_forged';
  } else if (checks.signature !== 'pass' || checks.chain !== 'pass' || checks.hashes !== 'pass') {
    verdict = 'unknown_issuer';
  } else if (activeAuth === 'pass' || chipAuth === 'pass') {
    verdict = 'genuine';
    if (activeAuth === 'fail' || chipAuth === 'fail') {
      const failed = activeAuth === 'fail' ? 'AA' : 'CA';
      reasons.push(
        reason(
          'chip_proof_partial',
          'warning',
          `Chip đã chứng minh là thật, nhưng một phép xác thực khác (${failed}) thất bại.`,
          `The chip proved it is genuine, but another authentication (${failed}) failed.`,
        ),
      );
    }
  } else {
    verdict = 'signature_valid_chip_unproven';
    if (activeAuth === 'fail') {
      reasons.push(
        reason(
          'active_auth_failed',
          'error',
          'Chip không vượt qua xác thực chủ động (AA): có thể là chip sao chép.',
          'The chip failed Active Authentication: it may be a cloned chip.',
        ),
      );
    }
    if (chipAuth === 'fail') {
      reasons.push(
        reason(
          'chip_auth_failed',
          'error',
          'Chip không vượt qua xác thực chip (CA): có thể là chip sao chép.',
          'The chip failed Chip Authentication: it may be a cloned chip.',
        ),
      );
    }
    if (activeAuth !== 'fail' && chipAuth !== 'fail') {
      reasons.push(
        reason(
          'chip_proof_unavailable',
          'warning',
          'Dữ liệu có chữ ký hợp lệ, nhưng chip không hỗ trợ hoặc chưa thực hiện xác thực chống sao chép.',
          'The data is validly signed, but the chip did not support or did not run an anti-clone check.',
        ),
      );
    }
  }
  if (verdict === 'genuine' && !reasons.some((r) => r.severity !== 'info')) {
    reasons.push(
      reason(
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
    },
  };
}

/** Passive authentication then the verdict, in one call. */
export function verifyAuthenticity(
  input: PassiveAuthInput & { activeAuth?: CheckOutcome; chipAuth?: CheckOutcome },
): AuthenticityReport {
  const passive = passiveAuthentication(input);
  return assessAuthenticity({ passive, activeAuth: input.activeAuth, chipAuth: input.chipAuth });
}
