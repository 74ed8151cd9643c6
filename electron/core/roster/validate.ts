/**
 * Validating the data rows of a roster, one at a time: required fields, dates, ID numbers and their
 * agreement with the date of birth and sex, licence classes, and what spans rows (duplicate IDs and
 * candidate numbers; a CSV whose slash dates only make sense as month/day/year is not re-interpreted:
 * such rows are refused, and so are the rows whose day and month are both ≤ 12, being ambiguous).
 * Every problem of every row is collected; messages name rows and columns, never the personal data.
 */
import type { Reason, Sex } from '../../../native/domain/vocabulary';
import { checkIdNumber } from '../../../native/cccd/id-number';
import { looksGarbledName } from '../../../native/cccd/names';
import {
  cellText,
  isBlank,
  parseDob,
  parseIdCell,
  parseOldIdCell,
  parseSexCell,
  type DateOrderStats,
} from './cells';
import type { ColumnMap } from './header';
import {
  LICENCE_CLASSES,
  ROSTER_FIELD_LABELS,
  reason,
  type Cell,
  type RawRow,
  type RosterField,
  type RosterRow,
  type RosterRowError,
} from './model';
import type { PhotoJob } from './photos';

const NAME_GARBLED = reason(
  'roster_name_garbled',
  'Họ tên bị lỗi ký tự (mất dấu tiếng Việt). Hãy lưu file dạng "CSV UTF-8" hoặc .xlsx.',
  'The name has broken characters (Vietnamese letters lost). Save the file as "CSV UTF-8" or .xlsx.',
);
const SEX_INVALID = reason(
  'roster_sex_invalid',
  'Giới tính phải là Nam hoặc Nữ.',
  'Sex must be Nam (male) or Nữ (female).',
);
const CLASS_UNKNOWN = reason(
  'roster_licence_class_unknown',
  'Hạng GPLX không hợp lệ (ví dụ: A1, A, B, C1, B2).',
  'Unknown licence class (e.g. A1, A, B, C1, B2).',
);

/** A value that must be unique in the file: its reason code and its name in both languages. */
interface Duplicate {
  code: string;
  vi: string;
  en: string;
}
const DUPLICATE_ID: Duplicate = { code: 'roster_duplicate_id', vi: 'Số CCCD', en: 'ID number' };
const DUPLICATE_CANDIDATE_NO: Duplicate = {
  code: 'roster_duplicate_candidate_no',
  vi: 'Số báo danh',
  en: 'candidate number',
};

function missing(f: RosterField): Reason {
  return reason(
    'roster_required_missing',
    `Thiếu ${ROSTER_FIELD_LABELS[f].vi}.`,
    `${ROSTER_FIELD_LABELS[f].en} is missing.`,
  );
}

const ALL_FIELDS = Object.keys(ROSTER_FIELD_LABELS) as RosterField[];

/**
 * Validates data rows one at a time and keeps what spans rows (duplicates, date-order clues).
 * Written as a class with no per-row closures: a 100 000-row roster must validate in well under 2 s.
 */
export class RowValidator {
  readonly errors: RosterRowError[] = [];
  readonly warnings: RosterRowError[] = [];
  readonly rows: RosterRow[] = [];
  readonly photoJobs: PhotoJob[] = [];
  readonly order: DateOrderStats = { usOnly: 0, dmyOnly: 0, ambiguousRows: [] };
  /** Column header as written in the file (the Vietnamese label for an absent optional column). */
  readonly headers = {} as Record<RosterField, string>;
  dataRows = 0;
  private readonly index = {} as Record<RosterField, number>;
  private readonly seenIds = new Map<string, number>();
  private readonly seenCandidates = new Map<string, number>();
  private readonly date1904: boolean;
  private readonly today: string;
  private rowNumber = 0;
  private bad = false;

  constructor(columns: ColumnMap, date1904: boolean, today: string) {
    for (const f of ALL_FIELDS) {
      const c = columns.get(f);
      this.index[f] = c === undefined ? -1 : c.index;
      this.headers[f] = c === undefined ? ROSTER_FIELD_LABELS[f].vi : c.header;
    }
    this.date1904 = date1904;
    this.today = today;
  }

  private cell(raw: RawRow, f: RosterField): Cell | undefined {
    const i = this.index[f];
    return i < 0 ? undefined : raw.cells[i];
  }

  private err(f: RosterField, r: Reason): void {
    this.errors.push({ rowNumber: this.rowNumber, column: this.headers[f], reason: r });
    this.bad = true;
  }

  private warn(f: RosterField, r: Reason): void {
    this.warnings.push({ rowNumber: this.rowNumber, column: this.headers[f], reason: r });
  }

  /** Notes `key` as seen in this row; one seen in an earlier row is an error that names both rows. */
  private once(seen: Map<string, number>, key: string, f: RosterField, what: Duplicate): void {
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, this.rowNumber);
      return;
    }
    this.err(
      f,
      reason(
        what.code,
        `${what.vi} trùng ở dòng ${first} và dòng ${this.rowNumber}.`,
        `The same ${what.en} is in rows ${first} and ${this.rowNumber}.`,
      ),
    );
  }

  validate(raw: RawRow): void {
    if (raw.cells.every(isBlank)) return;
    this.dataRows++;
    const rowNumber = raw.rowNumber;
    this.rowNumber = rowNumber;
    this.bad = false;

    // Candidate number
    const candidateNo = cellText(this.cell(raw, 'candidateNo'));
    if (candidateNo === '') this.err('candidateNo', missing('candidateNo'));

    // Name (the garbled check looks at the text as it came in)
    const nameCell = this.cell(raw, 'fullName');
    const fullName = cellText(nameCell);
    if (fullName === '') this.err('fullName', missing('fullName'));
    else if (looksGarbledName(typeof nameCell === 'string' ? nameCell : fullName)) {
      this.err('fullName', NAME_GARBLED);
    }

    // Date of birth
    let dateOfBirth: string | undefined;
    const dobCell = this.cell(raw, 'dateOfBirth');
    if (isBlank(dobCell)) this.err('dateOfBirth', missing('dateOfBirth'));
    else {
      const r = parseDob(dobCell, this.date1904, this.today, this.order, rowNumber, this.headers.dateOfBirth);
      for (const e of r.errors) this.err('dateOfBirth', e);
      dateOfBirth = r.value;
    }

    // Sex (optional)
    let sex: Sex | undefined;
    const sexText = cellText(this.cell(raw, 'sex'));
    if (sexText !== '') {
      const sx = parseSexCell(sexText);
      if (sx === null) this.err('sex', SEX_INVALID);
      else sex = sx;
    }

    // ID number, then its agreement with the date of birth and sex
    let idNumber: string | undefined;
    const idCell = this.cell(raw, 'idNumber');
    if (isBlank(idCell)) this.err('idNumber', missing('idNumber'));
    else {
      const r = parseIdCell(idCell);
      for (const e of r.errors) this.err('idNumber', e);
      for (const w of r.warnings) this.warn('idNumber', w);
      if (r.value !== undefined) {
        idNumber = r.value;
        const against: { dateOfBirth?: string; sex?: Sex } = {};
        if (dateOfBirth !== undefined) against.dateOfBirth = dateOfBirth;
        if (sex !== undefined) against.sex = sex;
        for (const rs of checkIdNumber(idNumber, against).reasons) {
          if (rs.severity === 'error') this.err('idNumber', rs);
          else this.warn('idNumber', rs);
        }
      }
    }

    // Old ID (optional)
    let oldIdNumber: string | undefined;
    const oldCell = this.cell(raw, 'oldIdNumber');
    if (!isBlank(oldCell)) {
      const r = parseOldIdCell(oldCell);
      for (const e of r.errors) this.err('oldIdNumber', e);
      for (const w of r.warnings) this.warn('oldIdNumber', w);
      oldIdNumber = r.value;
    }

    // Licence class (optional)
    let licenceClass: string | undefined;
    let classText = cellText(this.cell(raw, 'licenceClass'));
    if (!LICENCE_CLASSES.has(classText)) classText = classText.replace(/\s+/g, '').toUpperCase();
    if (classText !== '') {
      if (LICENCE_CLASSES.has(classText)) licenceClass = classText;
      else this.err('licenceClass', CLASS_UNKNOWN);
    }

    // Duplicates within the file: the later row names the earlier one.
    if (idNumber !== undefined) this.once(this.seenIds, idNumber, 'idNumber', DUPLICATE_ID);
    if (candidateNo !== '') {
      this.once(this.seenCandidates, candidateNo.toUpperCase(), 'candidateNo', DUPLICATE_CANDIDATE_NO);
    }

    const noteText = cellText(this.cell(raw, 'note'));
    const photoRef = cellText(this.cell(raw, 'photo'));

    if (!this.bad && dateOfBirth !== undefined && idNumber !== undefined) {
      const row: RosterRow = { rowNumber, candidateNo, fullName, dateOfBirth, idNumber };
      if (oldIdNumber !== undefined) row.oldIdNumber = oldIdNumber;
      if (licenceClass !== undefined) row.licenceClass = licenceClass;
      if (sex !== undefined) row.sex = sex;
      if (noteText !== '') row.note = noteText;
      this.rows.push(row);
      if (photoRef !== '') this.photoJobs.push({ rowNumber, ref: photoRef, row });
    } else if (photoRef !== '') {
      // Still check the photo so the user sees every problem of the row at once.
      this.photoJobs.push({ rowNumber, ref: photoRef });
    }
  }
  /**
   * After the last row: slash dates that only fit month/day/year and none that only fit
   * day/month/year mean the whole column is probably US-ordered, so the rows where both readings are
   * possible cannot be trusted.
   */
  checkDateOrder(): void {
    if (this.order.usOnly > 0 && this.order.dmyOnly === 0) {
      const ambiguous = reason(
        'roster_date_order',
        'Ngày sinh có thể đang ở dạng tháng/ngày/năm (kiểu Mỹ) nên không rõ ngày và tháng. Hãy dùng ngày/tháng/năm.',
        'The dates of birth may be month/day/year (US style), so day and month are unclear. Use day/month/year.',
      );
      // Any error makes the result { ok: false }, so these rows need not be taken out of `rows`.
      for (const a of this.order.ambiguousRows) {
        this.errors.push({ rowNumber: a.rowNumber, column: a.column, reason: ambiguous });
      }
    }
  }
}
