/**
 * THE words of the kiosk in Vietnamese and English: one wording per verdict, outcome, role, session
 * state, log kind, check and check outcome. The screen (renderer/src/i18n/resources.ts builds its
 * i18next keys from this table), the reports (electron/core/reports/labels.ts) and the CLI
 * (electron/cli/output.ts) all print these strings; none keeps a copy. test/unit/vocabulary-labels.test.ts
 * holds them to it.
 *
 * Where the screen, the PDF and the CLI used to say one thing three ways, the wording kept is the one
 * the tests asserted (mostly the report's: short enough for a table cell, a subtitle and a CLI line).
 * The screen's big verdict banner shows the outcome in capitals (`upper`), the same words.
 *
 * Pure data: imports only the word lists beside it.
 */
import {
  AUTHENTICITY_CHECKS,
  AUTHENTICITY_VERDICTS,
  CHECK_OUTCOMES,
  ENTRY_METHODS,
  FACE_VERDICTS,
  IDENTITY_VERDICTS,
  ISSUER_STATUSES,
  LOG_KINDS,
  OUTCOMES,
  READING_SOURCES,
  REASON_SEVERITIES,
  ROLES,
  SESSION_STATES,
  type AuthenticityCheck,
  type AuthenticityVerdict,
  type Bilingual,
  type CheckOutcome,
  type EntryMethod,
  type FaceVerdict,
  type IdentityVerdict,
  type IssuerStatus,
  type Lang,
  type LogKind,
  type Outcome,
  type ReadingSource,
  type ReasonSeverity,
  type Role,
  type SessionState,
} from './vocabulary';

/** Each kind of word with a label, and the type of its words. */
export interface LabelledWords {
  authenticityVerdict: AuthenticityVerdict;
  identityVerdict: IdentityVerdict;
  outcome: Outcome;
  authenticityCheck: AuthenticityCheck;
  checkOutcome: CheckOutcome;
  role: Role;
  sessionState: SessionState;
  issuerStatus: IssuerStatus;
  logKind: LogKind;
  severity: ReasonSeverity;
  readingSource: ReadingSource;
  entryMethod: EntryMethod;
  faceVerdict: FaceVerdict;
}
export type WordKind = keyof LabelledWords;

/** Each kind's word list (from ./vocabulary), in its order. */
export const WORD_LISTS: { readonly [K in WordKind]: readonly LabelledWords[K][] } = {
  authenticityVerdict: AUTHENTICITY_VERDICTS,
  identityVerdict: IDENTITY_VERDICTS,
  outcome: OUTCOMES,
  authenticityCheck: AUTHENTICITY_CHECKS,
  checkOutcome: CHECK_OUTCOMES,
  role: ROLES,
  sessionState: SESSION_STATES,
  issuerStatus: ISSUER_STATUSES,
  logKind: LOG_KINDS,
  severity: REASON_SEVERITIES,
  readingSource: READING_SOURCES,
  entryMethod: ENTRY_METHODS,
  faceVerdict: FACE_VERDICTS,
};

/** The table: every word of every list, in both languages (a missing one is a compile error). */
export const LABELS: { readonly [K in WordKind]: Readonly<Record<LabelledWords[K], Bilingual>> } = {
  // "Is the card genuine?"
  authenticityVerdict: {
    genuine: { vi: 'Thẻ thật (chip xác thực)', en: 'Genuine (chip verified)' },
    signature_valid_chip_unproven: {
      vi: 'Chữ ký hợp lệ, chưa chứng minh được chip thật',
      en: 'Valid signature, chip not proven genuine',
    },
    unknown_issuer: { vi: 'Không xác định được cơ quan cấp thẻ', en: 'Issuer not recognised' },
    altered_or_forged: { vi: 'Thẻ bị sửa đổi hoặc giả mạo', en: 'Altered or forged card' },
    not_checked: { vi: 'Chưa kiểm tra chip', en: 'Chip not checked' },
  },
  // "Is this the registered candidate?"
  identityVerdict: {
    match: { vi: 'Đúng thí sinh', en: 'Registered candidate' },
    not_on_roster: { vi: 'Không có trong danh sách', en: 'Not on the roster' },
    data_mismatch: { vi: 'Thông tin không khớp danh sách', en: 'Data does not match the roster' },
    already_checked_in: { vi: 'Đã điểm danh trước đó', en: 'Already checked in' },
    card_expired: { vi: 'Thẻ đã hết hạn', en: 'Card expired' },
    wrong_session: { vi: 'Không thuộc kỳ sát hạch này', en: 'Registered for another session' },
    invalid_card_data: { vi: 'Dữ liệu thẻ không hợp lệ', en: 'Invalid card data' },
  },
  // Green, amber, red.
  outcome: {
    accepted: { vi: 'Hợp lệ', en: 'Accepted' },
    accepted_with_warnings: { vi: 'Hợp lệ – có lưu ý', en: 'Accepted with warnings' },
    rejected: { vi: 'Từ chối', en: 'Rejected' },
  },
  authenticityCheck: {
    hashes: { vi: 'Mã băm nhóm dữ liệu', en: 'Data group hashes' },
    signature: { vi: 'Chữ ký số', en: 'Digital signature' },
    chain: { vi: 'Chuỗi chứng thư CSCA', en: 'CSCA certificate chain' },
    activeAuth: { vi: 'Xác thực chủ động (AA)', en: 'Active Authentication (AA)' },
    chipAuth: { vi: 'Xác thực chip (CA)', en: 'Chip Authentication (CA)' },
  },
  // Lower case on purpose: they follow a check's name ("Chữ ký số: đạt"); a failure stands out.
  checkOutcome: {
    pass: { vi: 'đạt', en: 'pass' },
    fail: { vi: 'KHÔNG ĐẠT', en: 'FAIL' },
    not_run: { vi: 'chưa chạy', en: 'not run' },
    not_supported: { vi: 'thẻ không hỗ trợ', en: 'not supported by the card' },
  },
  role: {
    examiner: { vi: 'Cán bộ sát hạch', en: 'Examiner' },
    chair: { vi: 'Chủ tịch hội đồng', en: 'Chair of the council' },
  },
  sessionState: {
    open: { vi: 'Đang mở', en: 'Open' },
    closed: { vi: 'Đã đóng', en: 'Closed' },
    signed: { vi: 'Đã ký duyệt (chỉ đọc)', en: 'Signed off (read-only)' },
  },
  issuerStatus: {
    seen: { vi: 'Đã gặp', en: 'Seen' },
    approved: { vi: 'Đã phê duyệt', en: 'Approved' },
    blocked: { vi: 'Đã chặn', en: 'Blocked' },
  },
  logKind: {
    check: { vi: 'Kiểm tra thẻ', en: 'Card check' },
    session_created: { vi: 'Tạo kỳ sát hạch', en: 'Session created' },
    session_closed: { vi: 'Đóng kỳ sát hạch', en: 'Session closed' },
    session_signed: { vi: 'Ký duyệt', en: 'Signed off' },
    roster_imported: { vi: 'Nhập danh sách', en: 'Roster imported' },
    sign_in: { vi: 'Đăng nhập', en: 'Sign-in' },
    sign_in_failed: { vi: 'Nhập sai mã PIN', en: 'Wrong PIN' },
    settings_changed: { vi: 'Thay đổi cài đặt', en: 'Settings changed' },
    privacy_purged: { vi: 'Xóa dữ liệu cá nhân', en: 'Personal data erased' },
    trust_changed: { vi: 'Thay đổi tin cậy', en: 'Trust changed' },
    face_check: { vi: 'Đối chiếu khuôn mặt', en: 'Face check' },
    face_override: { vi: 'Bỏ qua cảnh báo khuôn mặt', en: 'Face check overridden' },
    duplicate_check_in: { vi: 'Điểm danh ở hai trạm', en: 'Checked in at two stations' },
  },
  severity: {
    error: { vi: 'Lỗi', en: 'Error' },
    warning: { vi: 'Cảnh báo', en: 'Warning' },
    info: { vi: 'Thông tin', en: 'Info' },
  },
  readingSource: {
    qr: { vi: 'Mã QR', en: 'QR code' },
    chip: { vi: 'Chip', en: 'Chip' },
  },
  entryMethod: {
    qr: { vi: 'Quét mã QR', en: 'QR scan' },
    chip: { vi: 'Đọc chip', en: 'Chip read' },
    manual: { vi: 'Nhập tay', en: 'Typed by hand' },
  },
  // "Is the person at the desk the card's holder?" (docs/face.md)
  faceVerdict: {
    match: { vi: 'Khuôn mặt khớp ảnh thẻ', en: 'Face matches the card photo' },
    no_match: {
      vi: 'Người trước máy có thể không phải chủ thẻ',
      en: "The person may not be the card's holder",
    },
    no_face: { vi: 'Không thấy khuôn mặt', en: 'No face in view' },
    not_checked: { vi: 'Chưa đối chiếu khuôn mặt', en: 'Face not checked' },
  },
};

/** One word in one language. */
export function label<K extends WordKind>(kind: K, word: LabelledWords[K], lang: Lang = 'vi'): string {
  return LABELS[kind][word][lang];
}

/**
 * A word that came from outside this build (a log written by a newer version, a database value):
 * its label when it is known, else the code itself rather than nothing.
 */
export function labelOf(kind: WordKind, word: string | null | undefined, lang: Lang = 'vi'): string {
  if (!word) return '';
  const words = LABELS[kind] as Readonly<Record<string, Bilingual>>;
  return Object.prototype.hasOwnProperty.call(words, word) ? words[word]![lang] : word;
}

/** Every word of one kind in one language: `{ genuine: 'Thẻ thật (chip xác thực)', ... }`. */
export function labelsOf<K extends WordKind>(kind: K, lang: Lang): Record<LabelledWords[K], string> {
  const out = {} as Record<LabelledWords[K], string>;
  for (const word of WORD_LISTS[kind]) out[word] = LABELS[kind][word][lang];
  return out;
}

/** Capitals for a banner or a CLI headline, the Vietnamese way ("HỢP LỆ – CÓ LƯU Ý"). */
export function upper(text: string): string {
  return text.toLocaleUpperCase('vi');
}
