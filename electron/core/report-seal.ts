/**
 * The integrity data a report carries, and reading it back from a report file for
 * `kiosk log verify --session C --report FILE`.
 *
 *  - PDF: printed in the "log integrity" block, and embedded machine-readably in the document
 *    information dictionary under /CccdKioskSeal: base64 of the JSON envelope
 *    `{ format, version, headHash, entries, signature, publicKey, statement }`. (No PDF reading
 *    library is installed; the envelope is plain ASCII in an uncompressed indirect object, which
 *    the small reader below finds through the trailer's /Info, the last trailer winning as in an
 *    incrementally updated file.)
 *  - CSV: a final section after a blank line, one "label,value" row per field.
 *  - XLSX: the "Thông tin"/"Information" sheet, one "label | value" row per field.
 * CSV and XLSX are found by their Vietnamese or English labels.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ReportIntegrity } from './reports/model';
import { reportLabels } from './reports/labels';
import { KioskError } from './errors';

export const PDF_SEAL_KEY = 'CccdKioskSeal';
const ENVELOPE_FORMAT = 'cccd-kiosk-report-seal';

export interface ReportSealInfo {
  format: 'pdf' | 'csv' | 'xlsx' | 'unknown';
  /** Why the integrity data could not be read (damaged or edited file). */
  unreadable?: { vi: string; en: string };
  headHash?: string;
  entries?: number;
  signature?: string;
  publicKey?: string;
  statement?: string;
}

/** The PDF info value (base64 envelope) for a report's integrity data. */
export function pdfSealValue(g: ReportIntegrity): string {
  const envelope = {
    format: ENVELOPE_FORMAT,
    version: 1,
    headHash: g.headHash,
    entries: g.entries,
    signature: g.signature ?? null,
    publicKey: g.publicKey ?? null,
    statement: g.statement ?? null,
  };
  return Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64');
}

function reportFileError(file: string, en: string): KioskError {
  return new KioskError('report_unreadable', {
    vi: `Không đọc được thông tin toàn vẹn trong báo cáo "${path.basename(file)}".`,
    en: `Cannot read the integrity data of the report "${path.basename(file)}": ${en}`,
  });
}

/** Like readReportSeal, but a file whose integrity data cannot be read gives `unreadable`, not an error. */
export async function readReportSealOrProblem(file: string): Promise<ReportSealInfo> {
  try {
    return await readReportSeal(file);
  } catch (err) {
    if (err instanceof KioskError) return { format: 'unknown', unreadable: { vi: err.vi, en: err.en } };
    throw err;
  }
}

export async function readReportSeal(file: string): Promise<ReportSealInfo> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw reportFileError(file, (err as Error).message);
  }
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return readPdfSeal(bytes, file);
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return readXlsxSeal(bytes, file);
  return readCsvSeal(bytes, file);
}

// ---- PDF ------------------------------------------------------------------------------------

function readPdfSeal(bytes: Buffer, file: string): ReportSealInfo {
  const text = bytes.toString('latin1');
  const infos = [...text.matchAll(/\/Info\s+(\d+)\s+(\d+)\s+R/g)];
  const last = infos[infos.length - 1];
  if (!last) throw reportFileError(file, 'the PDF has no document information dictionary');
  const info = pdfObject(text, last[1]!, last[2]!);
  if (info === undefined) throw reportFileError(file, 'the PDF information dictionary is missing');
  const m = new RegExp(`/${PDF_SEAL_KEY}\\s+(?:(\\d+)\\s+(\\d+)\\s+R|\\(([^)]*)\\))`).exec(info);
  if (!m) return { format: 'pdf' };
  let value = m[3];
  if (value === undefined) {
    const obj = pdfObject(text, m[1]!, m[2]!);
    const lit = obj === undefined ? undefined : /^\s*\(([^)]*)\)/.exec(obj);
    value = lit?.[1];
  }
  if (value === undefined) throw reportFileError(file, 'the embedded seal is not a string');
  let envelope: Record<string, unknown>;
  try {
    envelope = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw reportFileError(file, 'the embedded seal is not valid');
  }
  if (envelope.format !== ENVELOPE_FORMAT) throw reportFileError(file, 'the embedded seal is not valid');
  const str = (k: string) => (typeof envelope[k] === 'string' ? (envelope[k] as string) : undefined);
  return {
    format: 'pdf',
    headHash: str('headHash'),
    entries: typeof envelope.entries === 'number' ? envelope.entries : undefined,
    signature: str('signature'),
    publicKey: str('publicKey'),
    statement: str('statement'),
  };
}

/** The body of indirect object `num gen obj ... endobj` (the last definition wins). */
function pdfObject(text: string, num: string, gen: string): string | undefined {
  const re = new RegExp(`(?:^|[\\r\\n\\s])${num}\\s+${gen}\\s+obj\\b([\\s\\S]*?)endobj`, 'g');
  let body: string | undefined;
  for (const m of text.matchAll(re)) body = m[1];
  return body;
}

// ---- CSV / XLSX -------------------------------------------------------------------------------

type Field = 'headHash' | 'entries' | 'signature' | 'publicKey' | 'statement';

/** Label (vi or en) → field. */
function labelMap(): Map<string, Field> {
  const m = new Map<string, Field>();
  for (const lang of ['vi', 'en'] as const) {
    const L = reportLabels(lang).integrity;
    for (const f of ['headHash', 'entries', 'signature', 'publicKey', 'statement'] as const) m.set(L[f], f);
  }
  return m;
}

function fromPairs(format: 'csv' | 'xlsx', pairs: Array<[string, string]>): ReportSealInfo {
  const labels = labelMap();
  const out: ReportSealInfo = { format };
  for (const [label, value] of pairs) {
    const f = labels.get(label.trim());
    if (!f) continue;
    if (f === 'entries') {
      const n = Number(value);
      if (Number.isInteger(n)) out.entries = n;
    } else {
      out[f] = value;
    }
  }
  return out;
}

/** Undoes the CSV writer's formula neutralisation (a leading ' before = + - @ tab CR). */
function unneutralise(v: string): string {
  return v.startsWith("'") && /^[=+\-@\t\r]/.test(v.slice(1)) ? v.slice(1) : v;
}

async function readCsvSeal(bytes: Buffer, file: string): Promise<ReportSealInfo> {
  const { parse } = await import('csv-parse/sync');
  const firstLine = bytes.subarray(0, Math.min(bytes.length, 4096)).toString('utf8').split(/\r?\n/)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let rows: string[][];
  try {
    rows = parse(bytes, {
      bom: true,
      delimiter,
      relax_column_count: true,
      skip_empty_lines: false,
    }) as string[][];
  } catch {
    throw reportFileError(file, 'not a CSV file');
  }
  return fromPairs(
    'csv',
    rows
      .filter((r) => r.length >= 2)
      .map((r) => [unneutralise(r[0]!), unneutralise(r[1]!)] as [string, string]),
  );
}

async function readXlsxSeal(bytes: Buffer, file: string): Promise<ReportSealInfo> {
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw reportFileError(file, 'not an XLSX file');
  }
  const names = new Set([reportLabels('vi').sheets.info, reportLabels('en').sheets.info]);
  const sheet = wb.worksheets.find((w) => names.has(w.name));
  if (!sheet) return { format: 'xlsx' };
  const pairs: Array<[string, string]> = [];
  sheet.eachRow((row) => {
    const a = row.getCell(1).value;
    const b = row.getCell(2).value;
    if (a !== null && a !== undefined && b !== null && b !== undefined) pairs.push([String(a), String(b)]);
  });
  return fromPairs('xlsx', pairs);
}
