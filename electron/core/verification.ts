/**
 * The verification engine: one pure function from (card reading, session, roster, history) to a
 * verdict. No I/O: the check service (check-service.ts) gathers the inputs from the database and
 * writes the result to the log. The same function serves QR readings and chip readings.
 */
import type { AuthenticityResult, CardReading, Reason } from '../../native/cccd/types';
import { compareNames } from '../../native/cccd/names';

export type IdentityVerdict =
  | 'match'
  | 'not_on_roster'
  | 'data_mismatch'
  | 'already_checked_in'
  | 'card_expired'
  | 'wrong_session'
  | 'invalid_card_data';

/** What the examiner is told: green, amber or red. */
export type Outcome = 'accepted' | 'accepted_with_warnings' | 'rejected';

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
      authenticity: {
        verdict: 'not_checked',
        checks: {
          hashes: 'not_run',
          signature: 'not_run',
          chain: 'not_run',
          activeAuth: 'not_run',
          chipAuth: 'not_run',
        },
        reasons: [],
      },
      outcome: 'rejected',
      candidate: null,
    };
  }

  const identity = identityVerdict(input);
  const authenticity = reading.authenticity;
  const authReasons = authenticityPolicyReasons(reading, policy);
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
          `The candidate already checked in at ${p.at} at ${p.station} (entry ${p.logId}). Check for a second card holder.`,
        ),
        ...warnings,
      ],
    };
  }

  return { verdict: 'match', reasons: warnings };
}

function authenticityPolicyReasons(reading: CardReading, policy: VerificationPolicy): Reason[] {
  const a = reading.authenticity;
  // The issuer merely missing from the trust store (the CCCD signing CSCA is not yet in every
  // trust store) is a warning unless policy requires a trusted issuer; a chain that is proven bad
  // (revoked, rogue CSCA, bad certificate signature) stays an error.
  const out: Reason[] = a.reasons.map((x) =>
    a.verdict === 'unknown_issuer' && x.code === 'csca_not_found' && !policy.requireTrustedIssuer
      ? { ...x, severity: 'warning' as const }
      : x,
  );
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
    case 'unknown_issuer':
      out.push(
        policy.requireTrustedIssuer
          ? r(
              'issuer_untrusted',
              'error',
              'Chữ ký số của thẻ không thuộc cơ quan cấp đáng tin cậy.',
              'The card is signed by an issuer that is not in the trust store.',
            )
          : r(
              'issuer_unknown',
              'warning',
              'Chữ ký chip hợp lệ nhưng chưa xác minh được cơ quan cấp (thiếu chứng thư CSCA).',
              'The chip signature is valid but the issuer is not in the trust store.',
            ),
      );
      break;
    case 'signature_valid_chip_unproven':
      if (!out.some((x) => x.severity !== 'info')) {
        out.push(
          r(
            'chip_unproven',
            'warning',
            'Dữ liệu chip hợp lệ nhưng chip chưa chứng minh không phải bản sao.',
            'The chip data is valid but the chip did not prove it is not a clone.',
          ),
        );
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
