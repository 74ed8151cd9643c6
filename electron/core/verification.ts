/**
 * The verification engine: one pure function from (card reading, session, roster, history) to a
 * verdict. No I/O: the check service (check-service.ts) gathers the inputs from the database and
 * writes the result to the log. The same function serves QR readings and chip readings.
 */
import {
  notCheckedAuthenticity,
  type AuthenticityResult,
  type IdentityVerdict,
  type Outcome,
  type Reason,
} from '../../native/domain/vocabulary';
import type { CardReading } from '../../native/cccd/types';
import { compareNames } from '../../native/cccd/names';
import type { IssuerTrust } from './trust-policy';

export interface RosterCandidate {
  id: number;
  sessionCode: string;
  candidateNo: string;
  fullName: string;
  dateOfBirth: string;
  idNumber: string;
  licenceClass?: string | null;
  sex?: 'M' | 'F' | null;
}

export interface PriorCheckIn {
  logId: number;
  at: string;
  station: string;
  actor: string;
  /** Made at another station and pulled from the council server (logId is that station's entry). */
  remote?: boolean;
}

export interface VerificationPolicy {
  /** A QR-only reading is not enough: the chip must be read. */
  requireChip: boolean;
  /** A chip whose document signer is not in the trust store is rejected (otherwise a warning). */
  requireTrustedIssuer: boolean;
}

export const defaultPolicy: VerificationPolicy = { requireChip: false, requireTrustedIssuer: false };

export interface VerificationInput {
  /** The reading, or null when the card data could not be parsed. */
  reading: CardReading | null;
  /** Why the reading could not be parsed (when reading is null). */
  invalidReason?: Reason;
  session: { code: string; date: string };
  /** The candidate with the reading's ID number in this session, if any. */
  candidate: RosterCandidate | null;
  /** Sessions (other than this one) whose roster has this ID number. */
  otherSessions: string[];
  /** Earlier accepted check-in of this candidate in this session. */
  priorCheckIn: PriorCheckIn | null;
  /** The day of the check (ISO date, local time at the centre). */
  today: string;
  policy?: VerificationPolicy;
  /** Warnings from reading the card (e.g. a garbled address in the QR) shown with the verdict. */
  readingWarnings?: Reason[];
  /** Who signed the chip and what the station trusts for its country (chip reads; see trust-policy.ts). */
  issuerTrust?: IssuerTrust;
}

export interface VerificationResult {
  identity: { verdict: IdentityVerdict; reasons: Reason[] };
  authenticity: AuthenticityResult;
  outcome: Outcome;
  candidate: RosterCandidate | null;
}

const r = (code: string, severity: Reason['severity'], vi: string, en: string): Reason => ({
  code,
  severity,
  vi,
  en,
});

export function verify(input: VerificationInput): VerificationResult {
  const policy = input.policy ?? defaultPolicy;
  const { reading } = input;
  if (!reading) {
    const reasons = [
      input.invalidReason ??
        r('invalid_card_data', 'error', 'Dữ liệu thẻ không hợp lệ.', 'The card data is not valid.'),
    ];
    return {
      identity: { verdict: 'invalid_card_data', reasons },
      authenticity: notCheckedAuthenticity(),
      outcome: 'rejected',
      candidate: null,
    };
  }

  const identity = identityVerdict(input);
  const authenticity = reading.authenticity;
  const authReasons = authenticityPolicyReasons(reading, policy, input.issuerTrust);
  const reasons = [...identity.reasons, ...authReasons, ...(input.readingWarnings ?? [])];
  const outcome = decideOutcome(identity.verdict, reasons);
  return {
    identity: { verdict: identity.verdict, reasons },
    authenticity,
    outcome,
    candidate: input.candidate,
  };
}

function identityVerdict(input: VerificationInput): { verdict: IdentityVerdict; reasons: Reason[] } {
  const reading = input.reading!;
  const c = input.candidate;
  if (!c) {
    if (input.otherSessions.length > 0) {
      const list = input.otherSessions.join(', ');
      return {
        verdict: 'wrong_session',
        reasons: [
          r(
            'wrong_session',
            'error',
            `Thí sinh có tên trong danh sách kỳ sát hạch khác (${list}), không phải kỳ ${input.session.code}.`,
            `The candidate is on the roster of another session (${list}), not ${input.session.code}.`,
          ),
        ],
      };
    }
    return {
      verdict: 'not_on_roster',
      reasons: [
        r(
          'not_on_roster',
          'error',
          'Số định danh không có trong danh sách thí sinh của kỳ sát hạch này.',
          'The ID number is not on the roster of this exam session.',
        ),
      ],
    };
  }

  const mismatches: Reason[] = [];
  const warnings: Reason[] = [];
  if (reading.dateOfBirth !== c.dateOfBirth) {
    mismatches.push(
      r(
        'dob_mismatch',
        'error',
        'Ngày sinh trên thẻ khác với ngày sinh trong danh sách.',
        'The date of birth on the card differs from the roster.',
      ),
    );
  }
  const names = compareNames(reading.fullName, c.fullName);
  if (names === 'different') {
    mismatches.push(
      r(
        'name_mismatch',
        'error',
        'Họ tên trên thẻ khác với họ tên trong danh sách.',
        'The name on the card differs from the roster.',
      ),
    );
  } else if (names === 'equal_without_diacritics') {
    warnings.push(
      r(
        'name_diacritics_differ',
        'warning',
        'Họ tên chỉ khớp khi bỏ dấu: kiểm tra lại cách viết.',
        'The name matches only without diacritics: check the spelling.',
      ),
    );
  }
  if (reading.sex && c.sex && reading.sex !== c.sex) {
    mismatches.push(
      r(
        'sex_mismatch',
        'error',
        'Giới tính trên thẻ khác với danh sách.',
        'The sex on the card differs from the roster.',
      ),
    );
  }
  if (mismatches.length) return { verdict: 'data_mismatch', reasons: [...mismatches, ...warnings] };

  if (reading.dateOfExpiry && reading.dateOfExpiry < input.today) {
    return {
      verdict: 'card_expired',
      reasons: [
        r(
          'card_expired',
          'error',
          `Thẻ đã hết hạn từ ngày ${formatDateVi(reading.dateOfExpiry)}.`,
          `The card expired on ${reading.dateOfExpiry}.`,
        ),
        ...warnings,
      ],
    };
  }

  if (input.priorCheckIn) {
    const p = input.priorCheckIn;
    return {
      verdict: 'already_checked_in',
      reasons: [
        r(
          'already_checked_in',
          'error',
          `Thí sinh đã điểm danh lúc ${formatTimeVi(p.at)} tại ${p.station}. Kiểm tra có người dùng thẻ hai lần không.`,
          `The candidate already checked in at ${p.at} at ${p.station} (${p.remote ? `that station's entry ${p.logId}, via the council server` : `entry ${p.logId}`}). Check for a second card holder.`,
        ),
        ...warnings,
      ],
    };
  }

  return { verdict: 'match', reasons: warnings };
}

/** Chain failures that only say "this issuer is not in the trust store" (nothing proven bad). */
export const ISSUER_NOT_FOUND_CODES: ReadonlySet<string> = new Set([
  'trust_store_empty',
  'csca_not_found',
  'issuer_not_recognised',
]);

/**
 * The trust policy (issue 9) on top of the chip's authenticity report:
 * - an issuer the chair blocked: red (`issuer_blocked`), whatever else the chip proved;
 * - the issuer is merely unknown (the chain failed only with trust_store_empty / csca_not_found /
 *   issuer_not_recognised, hashes and signature fine):
 *   - `requireTrustedIssuer`: red;
 *   - the card's country HAS a configured issuer (a trusted CSCA, or an issuer the chair approved):
 *     red (`issuer_not_recognised`): someone else signs cards of that country;
 *   - no issuer configured for the country: amber (never worse than a QR-only scan), and the examiner
 *     is told why; an empty trust store is the same case;
 *   - this very DS certificate was approved by the chair (pinned) but the trust store that checked the
 *     chip did not know it yet: the chain counts as passed (the SOD signature was verified with this
 *     certificate); the chip's own proof (AA/CA) then decides green or amber.
 * - a chain proven bad (revoked, bad CSCA signature, not a CA, country mismatch ...) stays red.
 */
export function authenticityPolicyReasons(
  reading: CardReading,
  policy: VerificationPolicy,
  trust?: IssuerTrust,
): Reason[] {
  const a = reading.authenticity;
  const out: Reason[] = [...a.reasons];
  const blocked = trust?.status === 'blocked' || a.reasons.some((x) => x.code === 'issuer_blocked');
  if (blocked) {
    if (!out.some((x) => x.code === 'issuer_blocked')) out.push(issuerBlockedReason());
    for (let i = 0; i < out.length; i++) {
      if (out[i]!.code === 'issuer_blocked') out[i] = { ...out[i]!, severity: 'error' };
    }
  }
  const chainErrors = a.reasons.filter(
    (x) => x.severity === 'error' && !['qr_chip_mismatch'].includes(x.code),
  );
  const onlyIssuerUnknown =
    a.verdict === 'unknown_issuer' &&
    a.checks.hashes === 'pass' &&
    a.checks.signature === 'pass' &&
    a.reasons.some((x) => ISSUER_NOT_FOUND_CODES.has(x.code)) &&
    chainErrors.every((x) => ISSUER_NOT_FOUND_CODES.has(x.code));
  const country = trust?.countries.length ? trust.countries.join('/') : undefined;

  switch (a.verdict) {
    case 'genuine':
      break;
    case 'altered_or_forged':
      if (!out.some((x) => x.severity === 'error')) {
        out.push(
          r(
            'card_forged',
            'error',
            'Dữ liệu chip bị sửa đổi hoặc giả mạo.',
            'The chip data is altered or forged.',
          ),
        );
      }
      break;
    case 'unknown_issuer': {
      if (!onlyIssuerUnknown) {
        // Something else is wrong with the chain or the signature could not be checked.
        out.push(
          policy.requireTrustedIssuer || blocked
            ? issuerUntrustedReason()
            : r(
                'issuer_unknown',
                'warning',
                'Chữ ký chip hợp lệ nhưng chưa xác minh được cơ quan cấp (thiếu chứng thư CSCA).',
                'The chip signature is valid but the issuer is not in the trust store.',
              ),
        );
        break;
      }
      const notFound = (severity: Reason['severity']) => {
        for (let i = 0; i < out.length; i++) {
          if (ISSUER_NOT_FOUND_CODES.has(out[i]!.code)) out[i] = { ...out[i]!, severity };
        }
      };
      if (blocked) {
        notFound('error');
      } else if (trust?.pinnedSigner && !policy.requireTrustedIssuer) {
        // Pinned by the chair: the trust store that checked the chip had not been told (yet).
        notFound('info');
        out.push(
          r(
            'issuer_pinned',
            'info',
            'Cơ quan cấp của thẻ đã được chủ tịch hội đồng phê duyệt trên trạm này.',
            'The card issuer was approved by the council chair on this station.',
          ),
        );
        out.push(...chipProofReasons(a.checks));
      } else if (policy.requireTrustedIssuer) {
        notFound('error');
        out.push(issuerUntrustedReason());
      } else if (
        trust?.countryConfigured ||
        a.reasons.some((x) => x.code === 'issuer_not_recognised' && x.severity === 'error')
      ) {
        for (let i = 0; i < out.length; i++) {
          if (ISSUER_NOT_FOUND_CODES.has(out[i]!.code)) out.splice(i--, 1);
        }
        out.push(
          r(
            'issuer_not_recognised',
            'error',
            `Thẻ được ký bởi một cơ quan cấp không được công nhận${country ? ` cho quốc gia ${country}` : ''}: trạm đã cấu hình cơ quan cấp tin cậy cho quốc gia này, nhưng không phải cơ quan đã ký thẻ.`,
            `The card is signed by an issuer that is not recognised${country ? ` for ${country}` : ''}: this station has a trusted issuer configured for that country, and it is not the one that signed the card.`,
          ),
        );
      } else {
        notFound('warning');
        out.push(
          r(
            'issuer_unknown',
            'warning',
            `Chữ ký chip hợp lệ, nhưng trạm chưa được cấu hình cơ quan cấp tin cậy${country ? ` cho quốc gia ${country}` : ''}, nên chưa xác minh được ai đã ký thẻ. Kiểm tra thẻ bằng mắt; chủ tịch hội đồng cần cấu hình cơ quan cấp.`,
            `The chip signature is valid, but no trusted issuer is configured${country ? ` for ${country}` : ''} on this station, so who signed the card is not confirmed. Check the card by eye; the council chair should configure an issuer.`,
          ),
        );
      }
      break;
    }
    case 'signature_valid_chip_unproven':
      if (!out.some((x) => x.severity !== 'info')) {
        out.push(chipUnprovenReason());
      }
      break;
    case 'not_checked':
      if (reading.source === 'qr') {
        out.push(
          policy.requireChip
            ? r(
                'chip_required',
                'error',
                'Cần đọc chip: hãy đặt thẻ lên đầu đọc.',
                'A chip read is required: place the card on the reader.',
              )
            : r(
                'chip_not_checked',
                'warning',
                'Chỉ quét mã QR: chưa kiểm tra chip nên chưa xác thực được thẻ thật.',
                'QR only: the chip was not read, so the card is not proven genuine.',
              ),
        );
      } else if (!out.some((x) => x.severity === 'error')) {
        out.push(
          r(
            'chip_not_verified',
            'error',
            'Không xác thực được chip của thẻ.',
            'The chip could not be authenticated.',
          ),
        );
      }
      break;
  }
  return out;
}

function issuerBlockedReason(): Reason {
  return r(
    'issuer_blocked',
    'error',
    'Cơ quan cấp đã ký thẻ này bị chủ tịch hội đồng chặn trên trạm: không chấp nhận thẻ.',
    'The issuer that signed this card is blocked on this station by the council chair.',
  );
}

function issuerUntrustedReason(): Reason {
  return r(
    'issuer_untrusted',
    'error',
    'Chữ ký số của thẻ không thuộc cơ quan cấp đáng tin cậy.',
    'The card is signed by an issuer that is not in the trust store.',
  );
}

function chipUnprovenReason(): Reason {
  return r(
    'chip_unproven',
    'warning',
    'Dữ liệu chip hợp lệ nhưng chip chưa chứng minh không phải bản sao.',
    'The chip data is valid but the chip did not prove it is not a clone.',
  );
}

/** For a pinned issuer whose report stopped at the chain: what the chip's own proof says. */
function chipProofReasons(checks: CardReading['authenticity']['checks']): Reason[] {
  const out: Reason[] = [];
  if (checks.activeAuth === 'fail')
    out.push(
      r(
        'active_auth_failed',
        'error',
        'Chip không vượt qua xác thực chủ động (AA): có thể là chip sao chép.',
        'The chip failed Active Authentication: it may be a cloned chip.',
      ),
    );
  if (checks.chipAuth === 'fail')
    out.push(
      r(
        'chip_auth_failed',
        'error',
        'Chip không vượt qua xác thực chip (CA): có thể là chip sao chép.',
        'The chip failed Chip Authentication: it may be a cloned chip.',
      ),
    );
  if (!out.length && checks.activeAuth !== 'pass' && checks.chipAuth !== 'pass')
    out.push(chipUnprovenReason());
  return out;
}

function decideOutcome(verdict: IdentityVerdict, reasons: Reason[]): Outcome {
  if (verdict !== 'match') return 'rejected';
  if (reasons.some((x) => x.severity === 'error')) return 'rejected';
  if (reasons.some((x) => x.severity === 'warning')) return 'accepted_with_warnings';
  return 'accepted';
}

export function formatDateVi(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

function formatTimeVi(isoUtc: string): string {
  const d = new Date(isoUtc);
  if (Number.isNaN(d.getTime())) return isoUtc;
  return new Intl.DateTimeFormat('vi-VN', {
    timeZone: 'Asia/Ho_Chi_Minh',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d);
}
