/**
 * The report's texts in Vietnamese (default) and English. Verdicts are named in words an examiner or
 * an inspector understands, never as codes. A typed object per language (rather than i18next keys)
 * makes a missing translation a compile error.
 *
 * The kiosk's words (verdicts, session states, sources, severities, roles) are not written here: they
 * come from the one table in native/domain/labels.ts, so the PDF says what the screen and the CLI say.
 */
import type {
  AuthenticityVerdict,
  IdentityVerdict,
  ReadingSource,
  Reason,
  ReasonSeverity,
  SessionState,
} from '../../../native/domain/vocabulary';
import { label, labelOf, labelsOf } from '../../../native/domain/labels';
import type { ReportLang } from './model';

export interface ReportLabels {
  lang: ReportLang;
  nationalName: string;
  nationalMotto: string;
  title: string;
  session: string;
  council: string;
  sessionCode: string;
  sessionDate: string;
  location: string;
  licenceClasses: string;
  sessionState: string;
  signedAt: string;
  signedBy: string;
  generatedAt: string;
  timeZone: string;
  examiners: string;
  columns: {
    no: string;
    candidateNo: string;
    fullName: string;
    dateOfBirth: string;
    idNumber: string;
    licenceClass: string;
    attendance: string;
    /** The attendance header in the PDF's narrow column. */
    attendanceShort: string;
    checkedInAt: string;
    identity: string;
    authenticity: string;
    result: string;
    examiner: string;
    station: string;
    source: string;
    at: string;
    candidate: string;
    reasons: string;
    reasonCodes: string;
    logId: string;
  };
  present: string;
  absent: string;
  identity: Record<IdentityVerdict, string>;
  authenticity: Record<AuthenticityVerdict, string>;
  state: Record<SessionState, string>;
  source: Record<ReadingSource, string>;
  severity: Record<ReasonSeverity, string>;
  flaggedTitle: string;
  noFlagged: string;
  totalsTitle: string;
  totals: {
    candidates: string;
    present: string;
    absent: string;
    rejectedChecks: string;
    warningChecks: string;
  };
  integrityTitle: string;
  integrity: {
    headHash: string;
    entries: string;
    signature: string;
    publicKey: string;
    /** The signed statement (canonical JSON) of the sign-off. */
    statement: string;
    none: string;
  };
  /** Shown instead of the name of a candidate whose personal data was purged (retention). */
  redacted: string;
  signaturesTitle: string;
  chairman: string;
  examinerRole: string;
  signHint: string;
  sheets: { attendance: string; flagged: string; info: string };
  infoHeader: { item: string; value: string };
  page: (page: number, pages: number) => string;
  generatedLine: (when: string, timeZone: string) => string;
  /** The dated line above the signatures, from a `dd/MM/yyyy` date. */
  datedLine: (ddMMyyyy: string) => string;
}

/** The labels that are the kiosk's words, from the one table (native/domain/labels.ts). */
type Words = Pick<
  ReportLabels,
  'identity' | 'authenticity' | 'state' | 'source' | 'severity' | 'chairman' | 'examinerRole'
>;

function words(lang: ReportLang): Words {
  return {
    identity: labelsOf('identityVerdict', lang),
    authenticity: labelsOf('authenticityVerdict', lang),
    state: labelsOf('sessionState', lang),
    source: labelsOf('readingSource', lang),
    severity: labelsOf('severity', lang),
    chairman: label('role', 'chair', lang),
    examinerRole: label('role', 'examiner', lang),
  };
}

const vi: ReportLabels = {
  lang: 'vi',
  nationalName: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
  nationalMotto: 'Độc lập - Tự do - Hạnh phúc',
  title: 'DANH SÁCH ĐIỂM DANH THÍ SINH',
  session: 'Kỳ sát hạch',
  council: 'Hội đồng sát hạch',
  sessionCode: 'Mã kỳ sát hạch',
  sessionDate: 'Ngày sát hạch',
  location: 'Địa điểm',
  licenceClasses: 'Hạng giấy phép lái xe',
  sessionState: 'Trạng thái kỳ sát hạch',
  signedAt: 'Thời điểm ký',
  signedBy: 'Người ký',
  generatedAt: 'Thời điểm lập báo cáo',
  timeZone: 'Múi giờ',
  examiners: 'Cán bộ sát hạch',
  columns: {
    no: 'STT',
    candidateNo: 'SBD',
    fullName: 'Họ và tên',
    dateOfBirth: 'Ngày sinh',
    idNumber: 'Số CCCD',
    licenceClass: 'Hạng',
    attendance: 'Có mặt / Vắng',
    attendanceShort: 'Có mặt / Vắng',
    checkedInAt: 'Giờ điểm danh',
    identity: 'Kết quả đối chiếu',
    authenticity: 'Xác thực thẻ',
    result: 'Kết quả',
    examiner: 'Cán bộ sát hạch',
    station: 'Trạm',
    source: 'Nguồn đọc',
    at: 'Thời điểm',
    candidate: 'Thí sinh',
    reasons: 'Lý do',
    reasonCodes: 'Mã lý do',
    logId: 'Mã nhật ký',
  },
  present: 'Có mặt',
  absent: 'Vắng',
  ...words('vi'),
  flaggedTitle: 'CÁC LƯỢT KIỂM TRA BỊ TỪ CHỐI HOẶC CÓ CẢNH BÁO',
  noFlagged: 'Không có lượt kiểm tra nào bị từ chối hoặc có cảnh báo.',
  totalsTitle: 'TỔNG HỢP',
  totals: {
    candidates: 'Tổng số thí sinh',
    present: 'Có mặt',
    absent: 'Vắng',
    rejectedChecks: 'Lượt kiểm tra bị từ chối',
    warningChecks: 'Lượt kiểm tra có cảnh báo',
  },
  integrityTitle: 'TÍNH TOÀN VẸN CỦA NHẬT KÝ',
  integrity: {
    headHash: 'Mã băm cuối chuỗi nhật ký',
    entries: 'Số bản ghi nhật ký',
    signature: 'Chữ ký số',
    publicKey: 'Khóa công khai',
    statement: 'Nội dung xác nhận đã ký số',
    none: 'Không có thông tin toàn vẹn nhật ký.',
  },
  redacted: '(đã xóa hết thời hạn lưu trữ)',
  signaturesTitle: 'XÁC NHẬN',
  signHint: '(Ký, ghi rõ họ tên)',
  sheets: { attendance: 'Điểm danh', flagged: 'Cảnh báo', info: 'Thông tin' },
  infoHeader: { item: 'Mục', value: 'Giá trị' },
  page: (page, pages) => `Trang ${page}/${pages}`,
  generatedLine: (when, timeZone) => `Lập lúc ${when} (${timeZone})`,
  datedLine: (d) => {
    const [dd, mm, yyyy] = d.split('/');
    return `Ngày ${dd ?? ''} tháng ${mm ?? ''} năm ${yyyy ?? ''}`;
  },
};

const en: ReportLabels = {
  lang: 'en',
  nationalName: 'SOCIALIST REPUBLIC OF VIET NAM',
  nationalMotto: 'Independence - Freedom - Happiness',
  title: 'CANDIDATE ATTENDANCE LIST',
  session: 'Exam session',
  council: 'Examination council',
  sessionCode: 'Session code',
  sessionDate: 'Session date',
  location: 'Location',
  licenceClasses: 'Licence classes',
  sessionState: 'Session state',
  signedAt: 'Signed at',
  signedBy: 'Signed by',
  generatedAt: 'Report generated at',
  timeZone: 'Time zone',
  examiners: 'Examiners',
  columns: {
    no: 'No.',
    candidateNo: 'Cand. no.',
    fullName: 'Full name',
    dateOfBirth: 'Date of birth',
    idNumber: 'ID number',
    licenceClass: 'Class',
    attendance: 'Present / Absent',
    attendanceShort: 'Pres. / Abs.',
    checkedInAt: 'Check-in time',
    identity: 'Identity check',
    authenticity: 'Card authenticity',
    result: 'Result',
    examiner: 'Examiner',
    station: 'Station',
    source: 'Read from',
    at: 'Time',
    candidate: 'Candidate',
    reasons: 'Reasons',
    reasonCodes: 'Reason codes',
    logId: 'Log no.',
  },
  present: 'Present',
  absent: 'Absent',
  ...words('en'),
  flaggedTitle: 'REJECTED OR FLAGGED CHECKS',
  noFlagged: 'No check was rejected or flagged.',
  totalsTitle: 'TOTALS',
  totals: {
    candidates: 'Candidates',
    present: 'Present',
    absent: 'Absent',
    rejectedChecks: 'Rejected checks',
    warningChecks: 'Checks with warnings',
  },
  integrityTitle: 'LOG INTEGRITY',
  integrity: {
    headHash: 'Log head hash',
    entries: 'Log entries',
    signature: 'Signature',
    publicKey: 'Public key',
    statement: 'Signed statement',
    none: 'No log integrity information.',
  },
  redacted: '(removed after the retention period)',
  signaturesTitle: 'SIGNATURES',
  signHint: '(Signature and full name)',
  sheets: { attendance: 'Attendance', flagged: 'Flagged checks', info: 'Information' },
  infoHeader: { item: 'Item', value: 'Value' },
  page: (page, pages) => `Page ${page}/${pages}`,
  generatedLine: (when, timeZone) => `Generated ${when} (${timeZone})`,
  datedLine: (d) => `Date: ${d}`,
};

const LABELS: Record<ReportLang, ReportLabels> = { vi, en };

export function reportLabels(lang: ReportLang = 'vi'): ReportLabels {
  return LABELS[lang] ?? vi;
}

/** The verdict in words; an unknown code (a newer database) is shown as is rather than dropped. */
export function identityVerdictLabel(verdict: IdentityVerdict | undefined, lang: ReportLang = 'vi'): string {
  return labelOf('identityVerdict', verdict, lang);
}

export function authenticityVerdictLabel(
  verdict: AuthenticityVerdict | undefined,
  lang: ReportLang = 'vi',
): string {
  return labelOf('authenticityVerdict', verdict, lang);
}

/** A reason's text in the report's language. */
export function reasonText(reason: Reason, lang: ReportLang = 'vi'): string {
  return reason[lang];
}
