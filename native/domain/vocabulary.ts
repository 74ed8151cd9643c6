/**
 * The kiosk's words, shared by every layer (card code, core services, reports, CLI and renderer):
 * verdicts, outcomes, reasons. Pure types and data: imports nothing, safe to load anywhere.
 */

/** Text in both languages: Vietnamese for the examiner, English for the log. */
export interface Bilingual {
  vi: string;
  en: string;
}

/** A reason attached to a verdict. `code` is stable and machine-readable. */
export interface Reason extends Bilingual {
  code: string;
  /** 'error' rejects, 'warning' accepts with a warning, 'info' is informational. */
  severity: 'error' | 'warning' | 'info';
}

export type ReadingSource = 'qr' | 'chip';

export type AuthenticityVerdict =
  'genuine' | 'signature_valid_chip_unproven' | 'unknown_issuer' | 'altered_or_forged' | 'not_checked';

export type CheckOutcome = 'pass' | 'fail' | 'not_run' | 'not_supported';

/** Each authenticity check's own result, kept for the log and the UI. */
export interface AuthenticityChecks {
  /** Every data group read hashes to its value in the SOD (and none read is missing from it). */
  hashes: CheckOutcome;
  /** CMS signed attributes + signature of the SOD by the document signer. */
  signature: CheckOutcome;
  /** Document signer chains to a CSCA in the trust store. */
  chain: CheckOutcome;
  /** Active Authentication with the DG15 key. */
  activeAuth: CheckOutcome;
  /** Chip Authentication with the DG14 key. */
  chipAuth: CheckOutcome;
}

export interface AuthenticityResult {
  verdict: AuthenticityVerdict;
  checks: AuthenticityChecks;
  reasons: Reason[];
}

export type Sex = 'M' | 'F';

export interface CardPhoto {
  /** 'image/jpeg' or 'image/png' (JPEG 2000 is converted to PNG). */
  mime: string;
  data: Uint8Array;
}

export function notCheckedAuthenticity(): AuthenticityResult {
  return {
    verdict: 'not_checked',
    checks: {
      hashes: 'not_run',
      signature: 'not_run',
      chain: 'not_run',
      activeAuth: 'not_run',
      chipAuth: 'not_run',
    },
    reasons: [],
  };
}
