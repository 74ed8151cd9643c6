/**
 * CSV attendance report: UTF-8 with a BOM (Excel then reads the Vietnamese correctly), CRLF line
 * ends, RFC 4180 quoting. First the candidate table, then a blank line, then the table of rejected
 * or flagged checks, then (after another blank line) the log integrity fields. Text cells that a spreadsheet would run as a formula are neutralised.
 */
import { assertTimeZone, formatCalendarDate, formatInstant } from './format';
import { writeFileAtomic } from './io';
import { authenticityVerdictLabel, identityVerdictLabel, reasonText, reportLabels } from './labels';
import type { ReportLabels } from './labels';
import type { ReportModel, ReportWriteOptions } from './model';

export interface CsvReportOptions extends ReportWriteOptions {
  /**
   * Field separator. RFC 4180 is ','; ';' suits Excel on machines whose list separator is ';'
   * (Vietnamese regional settings among them).
   */
  delimiter?: ',' | ';';
}

const BOM = '\uFEFF';
const CRLF = '\r\n';
/** Cells a spreadsheet would take as a formula or a command (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Neutralises formula injection: a text that starts with = + - @ (or tab/CR) gets a leading '. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** What makes a field need quotes, per delimiter: one scan of the text instead of four. */
const NEEDS_QUOTES = { ',': /[",\r\n]/, ';': /[";\r\n]/ } as const;

/** One RFC 4180 field: quoted when it holds the delimiter, a quote or a line break. */
export function csvField(value: string | number, delimiter: ',' | ';' = ','): string {
  if (typeof value === 'number') return String(value);
  const v = neutraliseFormula(value);
  return NEEDS_QUOTES[delimiter].test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function candidateHeader(L: ReportLabels, withStation = false): string[] {
  const c = L.columns;
  const cols = [
    c.no,
    c.candidateNo,
    c.fullName,
    c.dateOfBirth,
    c.idNumber,
    c.licenceClass,
    c.attendance,
    c.checkedInAt,
    c.identity,
    c.authenticity,
    c.examiner,
  ];
  return withStation ? [...cols, c.station] : cols;
}

export function flaggedHeader(L: ReportLabels): string[] {
  const c = L.columns;
  return [
    c.no,
    c.at,
    c.logId,
    c.candidateNo,
    c.fullName,
    c.identity,
    c.authenticity,
    c.reasons,
    c.reasonCodes,
    c.examiner,
    c.station,
    c.source,
  ];
}

/** The report as CSV text (BOM included). */
export function reportToCsv(model: ReportModel, opts: CsvReportOptions = {}): string {
  assertTimeZone(model.timeZone);
  const lang = opts.lang ?? 'vi';
  const d = opts.delimiter ?? ',';
  const L = reportLabels(lang);
  const tz = model.timeZone;
  const out: string[] = [];
  const line = (cells: Array<string | number>): void => {
    out.push(cells.map((v) => csvField(v, d)).join(d));
  };

  const withStation = !!model.consolidated;
  line(candidateHeader(L, withStation));
  model.candidates.forEach((c, i) => {
    line([
      i + 1,
      c.candidateNo,
      c.fullName,
      formatCalendarDate(c.dateOfBirth),
      c.idNumberMasked,
      c.licenceClass ?? '',
      c.present ? L.present : L.absent,
      c.checkedInAt ? formatInstant(c.checkedInAt, tz) : '',
      identityVerdictLabel(c.identityVerdict, lang),
      authenticityVerdictLabel(c.authenticityVerdict, lang),
      c.examiner ?? '',
      ...(withStation ? [c.station ?? ''] : []),
    ]);
  });

  out.push('');
  line(flaggedHeader(L));
  model.flagged.forEach((f, i) => {
    line([
      i + 1,
      formatInstant(f.at, tz),
      f.logId,
      f.candidateNo ?? '',
      f.fullName ?? '',
      identityVerdictLabel(f.identityVerdict, lang),
      authenticityVerdictLabel(f.authenticityVerdict, lang),
      f.reasons.map((r) => `${L.severity[r.severity]}: ${reasonText(r, lang)}`).join('; '),
      f.reasons.map((r) => r.code).join(' '),
      f.examiner,
      f.station,
      L.source[f.source] ?? f.source,
    ]);
  });

  // The log integrity data (head hash, and for a signed session the signature, public key and the
  // signed statement), one "label,value" row each, so `kiosk log verify --report` can read them.
  const g = model.integrity;
  if (g) {
    out.push('');
    line([L.integrityTitle]);
    line([L.integrity.headHash, g.headHash]);
    line([L.integrity.entries, g.entries]);
    if (g.signature) line([L.integrity.signature, g.signature]);
    // A PEM's own line breaks become CRLF too, like every other line end of the file.
    if (g.publicKey) line([L.integrity.publicKey, g.publicKey.replace(/\r?\n/g, CRLF)]);
    if (g.statement) line([L.integrity.statement, g.statement]);
  }

  return BOM + out.join(CRLF) + CRLF;
}

/** Writes the CSV report to `outPath` atomically (see writeFileAtomic). */
export async function writeReportCsv(
  model: ReportModel,
  outPath: string,
  opts: CsvReportOptions = {},
): Promise<void> {
  await writeFileAtomic(outPath, reportToCsv(model, opts));
}
