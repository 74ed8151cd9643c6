/**
 * PDF attendance report (pdfkit): A4 portrait, DejaVu Sans embedded so Vietnamese diacritics
 * render everywhere, national header, candidate table that breaks across pages with its header
 * repeated, rejected/flagged checks with their reasons, totals, the log integrity block in a
 * monospace font, signature lines, and "Trang X/Y" with the generation time on every page.
 *
 * The same model gives the same bytes: the creation date comes from `generatedAt`, and nothing
 * else in the file depends on the clock.
 *
 * pdfkit's own table() neither repeats the header row after a page break nor keeps up with
 * 10 000 rows, so rows are measured and laid out here; text shaping, wrapping and font
 * embedding stay pdfkit's.
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import {
  assertTimeZone,
  formatCalendarDate,
  formatInstant,
  formatInstantDate,
  formatInstantTime,
} from './format';
import { writeFileAtomic } from './io';
import { pdfTextFont, type PdfTextFont, type TextPen } from './pdf-text';
import { PDF_SEAL_KEY, pdfSealValue } from '../report-seal';
import { authenticityVerdictLabel, identityVerdictLabel, reasonText, reportLabels } from './labels';
import type { ReportLabels } from './labels';
import type { AuthenticityVerdict, IdentityVerdict } from '../../../native/domain/vocabulary';
import type { ReportModel, ReportWriteOptions } from './model';

type Doc = PDFKit.PDFDocument;
type FontName = 'sans' | 'bold' | 'mono';

// Not named `require`: electron-vite's ESM output declares its own `require` shim in the same chunk.
const requireHere = createRequire(import.meta.url);

/** Absolute paths of the embedded fonts (package `dejavu-fonts-ttf`). */
export function reportFontPaths(): Record<FontName, string> {
  return {
    sans: requireHere.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
    bold: requireHere.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
    mono: requireHere.resolve('dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf'),
  };
}

// A4 portrait, in points.
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const MARGIN_X = 36;
const MARGIN_TOP = 36;
/** Content stops here; the footer lives below. */
const CONTENT_BOTTOM = PAGE_H - 52;
const FOOTER_Y = PAGE_H - 34;
const CONTENT_W = PAGE_W - 2 * MARGIN_X;

const BODY_SIZE = 7.5;
const CELL_PAD_X = 2;
const CELL_PAD_Y = 2.5;

const COLOR = {
  text: '#000000',
  muted: '#555555',
  border: '#7f7f7f',
  headerFill: '#d9e1f2',
  absentFill: '#e9e9e9',
  absentText: '#b00000',
  bad: '#b00000',
  warn: '#8a5a00',
  good: '#1a6b2f',
};

interface Line {
  text: string;
  font?: FontName;
  color?: string;
}
type Cell = Line[];
interface Column {
  width: number;
  align?: 'left' | 'center';
}
interface Row {
  cells: Cell[];
  fill?: string;
}

const tableWidth = (cols: Column[]): number => cols.reduce((w, c) => w + c.width, 0);

/** A cell line after wrapping: what to draw, where (relative to the cell) and how. */
interface PlacedLine {
  text: string;
  font: FontName;
  color: string | undefined;
  dx: number;
  dy: number;
}
interface MeasuredRow {
  lines: PlacedLine[][];
  height: number;
}

/**
 * Lays out text, tables and blocks on a pdfkit document, adding pages as needed.
 *
 * Table cells are wrapped here, greedily at spaces like pdfkit's own LineWrapper, from cached
 * word widths: Vietnamese names are made of a few hundred syllables, so a 10 000-row table
 * measures each syllable once. Every line is then drawn with one single-line text() call.
 */
class Layout {
  y = MARGIN_TOP;
  private readonly lineHeight: Record<FontName, number>;
  private readonly wordWidths: Record<FontName, Map<string, number>>;
  private readonly spaceWidth: Record<FontName, number>;
  /** The fonts for table rows drawn as raw content (pdf-text.ts); undefined: through doc.text(). */
  private readonly fast: Record<FontName, PdfTextFont> | undefined;
  private currentFont: FontName | undefined;
  private currentSize = BODY_SIZE;

  constructor(
    readonly doc: Doc,
    fontPaths: Record<FontName, string>,
    fastText = true,
  ) {
    doc.fontSize(BODY_SIZE);
    this.lineHeight = { sans: 0, bold: 0, mono: 0 };
    this.spaceWidth = { sans: 0, bold: 0, mono: 0 };
    this.wordWidths = { sans: new Map(), bold: new Map(), mono: new Map() };
    const fast: Partial<Record<FontName, PdfTextFont>> = {};
    for (const f of ['sans', 'bold', 'mono'] as const) {
      doc.font(f);
      this.lineHeight[f] = doc.currentLineHeight(true);
      if (fastText) fast[f] = pdfTextFont(doc, fontPaths[f]);
      this.spaceWidth[f] = fast[f]?.widthOf(' ', BODY_SIZE) ?? doc.widthOfString(' ');
    }
    this.fast = fast.sans && fast.bold && fast.mono ? (fast as Record<FontName, PdfTextFont>) : undefined;
    this.currentFont = 'mono';
  }

  font(name: FontName, size = BODY_SIZE): void {
    if (this.currentFont !== name) {
      this.doc.font(name);
      this.currentFont = name;
    }
    if (this.currentSize !== size) {
      this.doc.fontSize(size);
      this.currentSize = size;
    }
  }

  newPage(): void {
    this.doc.addPage();
    this.y = MARGIN_TOP;
  }

  /** Starts a new page unless `height` more points fit on this one. */
  ensure(height: number): void {
    if (this.y + height > CONTENT_BOTTOM) this.newPage();
  }

  /** Width of one word at BODY_SIZE, measured by pdfkit once and then cached. */
  private wordWidth(font: FontName, word: string): number {
    if (this.fast) return this.fast[font].widthOf(word, BODY_SIZE);
    const cache = this.wordWidths[font];
    let w = cache.get(word);
    if (w === undefined) {
      this.font(font);
      w = this.doc.widthOfString(word);
      cache.set(word, w);
    }
    return w;
  }

  /** Splits `text` into lines no wider than `width` (words longer than a line are cut). */
  wrap(text: string, font: FontName, width: number): Array<{ text: string; width: number }> {
    if (text.indexOf(' ') < 0) {
      // One word (most cells): no splitting unless it is wider than the cell.
      const w = text ? this.wordWidth(font, text) : 0;
      if (w <= width) return [{ text, width: w }];
    }
    const out: Array<{ text: string; width: number }> = [];
    const space = this.spaceWidth[font];
    let line = '';
    let lineW = 0;
    for (const word of text.split(' ')) {
      if (!word) continue;
      let w = this.wordWidth(font, word);
      if (line && lineW + space + w <= width) {
        line += ' ' + word;
        lineW += space + w;
        continue;
      }
      if (line) out.push({ text: line, width: lineW });
      if (w <= width) {
        line = word;
        lineW = w;
        continue;
      }
      // A single word wider than the cell: cut it where it overflows.
      let rest = word;
      while (w > width && rest.length > 1) {
        let n = rest.length - 1;
        while (n > 1 && this.wordWidth(font, rest.slice(0, n)) > width) n--;
        out.push({ text: rest.slice(0, n), width: this.wordWidth(font, rest.slice(0, n)) });
        rest = rest.slice(n);
        w = this.wordWidth(font, rest);
      }
      line = rest;
      lineW = w;
    }
    if (line || out.length === 0) out.push({ text: line, width: lineW });
    return out;
  }

  private measureRow(cols: Column[], row: Row, rowColor?: string): MeasuredRow {
    let height = this.lineHeight.sans;
    const lines = cols.map((col, i) => {
      const placed: PlacedLine[] = [];
      const width = col.width - 2 * CELL_PAD_X;
      let dy = 0;
      for (const line of row.cells[i] ?? []) {
        const font = line.font ?? 'sans';
        const color = line.color ?? rowColor;
        for (const l of this.wrap(line.text, font, width)) {
          const dx = col.align === 'center' ? Math.max(0, (width - l.width) / 2) : 0;
          if (l.text) placed.push({ text: l.text, font, color, dx, dy });
          dy += this.lineHeight[font];
        }
      }
      height = Math.max(height, dy);
      return placed;
    });
    return { lines, height: height + 2 * CELL_PAD_Y };
  }

  private drawRow(cols: Column[], row: Row, m: MeasuredRow): void {
    if (this.fast) {
      this.drawRowFast(cols, row, m, this.fast);
      return;
    }
    const doc = this.doc;
    const width = tableWidth(cols);
    if (row.fill) doc.rect(MARGIN_X, this.y, width, m.height).fill(row.fill);
    let x = MARGIN_X;
    let color: string | undefined;
    cols.forEach((col, i) => {
      for (const l of m.lines[i] ?? []) {
        this.font(l.font);
        const c = l.color ?? COLOR.text;
        if (c !== color) {
          doc.fillColor(c);
          color = c;
        }
        doc.text(l.text, x + CELL_PAD_X + l.dx, this.y + CELL_PAD_Y + l.dy, { lineBreak: false });
      }
      x += col.width;
    });
    // Horizontal rule under the row; the vertical rules are drawn once per page of the table.
    doc
      .moveTo(MARGIN_X, this.y + m.height)
      .lineTo(MARGIN_X + width, this.y + m.height)
      .lineWidth(0.4)
      .stroke(COLOR.border);
    this.y += m.height;
  }

  /**
   * drawRow() into the open batch (see `batch`): the fill, the rule under the row, then every cell
   * line in one BT/ET block, each placed exactly where doc.text(..., { lineBreak: false }) puts it
   * (text matrix flipped to the page's y-down space instead of pdfkit's extra cm per call).
   */
  private drawRowFast(cols: Column[], row: Row, m: MeasuredRow, fonts: Record<FontName, PdfTextFont>): void {
    const b = this.batch!;
    const width = tableWidth(cols);
    const bottom = this.y + m.height;
    let s = '';
    if (row.fill) {
      if (b.color !== row.fill) s += `${rgb(row.fill)} rg\n`;
      b.color = row.fill;
      s += `${num(MARGIN_X)} ${num(this.y)} ${num(width)} ${num(m.height)} re\nf\n`;
    }
    s += `${num(MARGIN_X)} ${num(bottom)} m\n${num(MARGIN_X + width)} ${num(bottom)} l\nS\nBT\n`;
    const pen: TextPen = { at: undefined };
    let x = MARGIN_X;
    for (let i = 0; i < cols.length; i++) {
      for (const l of m.lines[i] ?? []) {
        const f = fonts[l.font];
        if (l.font !== b.font) {
          f.useOn(b.page);
          s += `/${f.id} ${num(BODY_SIZE)} Tf\n`;
          b.font = l.font;
        }
        const c = l.color ?? COLOR.text;
        if (c !== b.color) {
          s += `${rgb(c)} rg\n`;
          b.color = c;
        }
        const baseline = this.y + CELL_PAD_Y + l.dy + (f.ascender / 1000) * BODY_SIZE;
        s += f.lineOps(l.text, x + CELL_PAD_X + l.dx, baseline, BODY_SIZE, pen);
      }
      x += cols[i]!.width;
    }
    b.parts.push(s + 'ET');
    this.y = bottom;
  }

  /**
   * The table rows of the current page, written as one content write when the page's part of the
   * table ends. In q/Q so pdfkit's idea of the colours, line width and font stays true after it.
   */
  private batch:
    | {
        page: { fonts: Record<string, unknown> };
        parts: string[];
        font: FontName | undefined;
        color: string | undefined;
      }
    | undefined;

  private openBatch(): void {
    if (!this.fast) return;
    this.batch = {
      page: this.doc.page as unknown as { fonts: Record<string, unknown> },
      parts: [`q\n0.4 w\n${rgb(COLOR.border)} RG`],
      font: undefined,
      color: undefined,
    };
  }

  private closeBatch(): void {
    if (!this.batch) return;
    this.batch.parts.push('Q');
    this.doc.addContent(this.batch.parts.join('\n'));
    this.batch = undefined;
  }

  private sliceBorders(cols: Column[], top: number): void {
    this.closeBatch();
    const doc = this.doc;
    let x = MARGIN_X;
    doc.moveTo(x, top).lineTo(x + tableWidth(cols), top);
    for (let i = 0; i <= cols.length; i++) {
      doc.moveTo(x, top).lineTo(x, this.y);
      x += cols[i]?.width ?? 0;
    }
    doc.lineWidth(0.4).stroke(COLOR.border);
  }

  /**
   * Draws a table: the header row at the top of every page the table spans, rows kept whole
   * (a row never splits across pages). `color` gives the default text colour of a row.
   */
  table(cols: Column[], header: Cell[], rows: Iterable<Row & { color?: string }>): void {
    this.font('sans', BODY_SIZE);
    const headerRow: Row = { cells: header, fill: COLOR.headerFill };
    const headerM = this.measureRow(cols, headerRow);
    let sliceTop = -1;
    const startSlice = (): void => {
      sliceTop = this.y;
      this.openBatch();
      this.drawRow(cols, headerRow, headerM);
    };
    let first = true;
    for (const row of rows) {
      const m = this.measureRow(cols, row, row.color);
      if (first) {
        this.ensure(headerM.height + m.height);
        startSlice();
        first = false;
      } else if (this.y + m.height > CONTENT_BOTTOM) {
        this.sliceBorders(cols, sliceTop);
        this.newPage();
        startSlice();
      }
      this.drawRow(cols, row, m);
    }
    if (first) {
      this.ensure(headerM.height);
      startSlice();
    }
    this.sliceBorders(cols, sliceTop);
  }

  /** Width of `text` in `font` at `size`, as doc.widthOfString(). */
  widthOf(text: string, font: FontName, size: number): number {
    if (this.fast) return this.fast[font].widthOf(text, size);
    this.font(font, size);
    return this.doc.widthOfString(text);
  }

  /**
   * Single lines (no wrapping), each drawn where doc.text(text, x, y, { lineBreak: false }) draws
   * it; one content write when the fast path is on.
   */
  textLines(
    lines: Array<{ text: string; x: number; y: number; font: FontName; size: number; color: string }>,
  ): void {
    const doc = this.doc;
    if (!this.fast) {
      for (const l of lines) {
        this.font(l.font, l.size);
        doc.fillColor(l.color).text(l.text, l.x, l.y, { lineBreak: false });
      }
      return;
    }
    const page = doc.page as unknown as { fonts: Record<string, unknown> };
    const pen: TextPen = { at: undefined };
    let s = 'q\nBT\n';
    let font = '';
    let color = '';
    for (const l of lines) {
      const f = this.fast[l.font];
      if (font !== `${l.font} ${l.size}`) {
        f.useOn(page);
        s += `/${f.id} ${num(l.size)} Tf\n`;
        font = `${l.font} ${l.size}`;
      }
      if (color !== l.color) {
        s += `${rgb(l.color)} rg\n`;
        color = l.color;
      }
      s += f.lineOps(l.text, l.x, l.y + (f.ascender / 1000) * l.size, l.size, pen);
    }
    doc.addContent(s + 'ET\nQ');
  }

  /** A paragraph across `width` at `x`, wrapped by pdfkit, advancing y. */
  paragraph(
    text: string,
    opts: {
      font?: FontName;
      size?: number;
      x?: number;
      width?: number;
      align?: 'left' | 'center' | 'right';
    } = {},
  ): void {
    const width = opts.width ?? CONTENT_W;
    this.font(opts.font ?? 'sans', opts.size ?? BODY_SIZE);
    const h = this.doc.heightOfString(text, { width, lineGap: 0 });
    this.ensure(h);
    this.doc.fillColor(COLOR.text).text(text, opts.x ?? MARGIN_X, this.y, {
      width,
      lineGap: 0,
      align: opts.align ?? 'left',
    });
    this.y += h;
  }

  heading(text: string): void {
    this.y += 10;
    this.font('bold', 10);
    this.ensure(this.doc.currentLineHeight(true) + 40);
    this.paragraph(text, { font: 'bold', size: 10 });
    this.y += 4;
  }
}

/** PDF number formatting, as pdfkit's. */
const num = (n: number): number => Math.round(n * 1e6) / 1e6;

const rgbCache = new Map<string, string>();
/** A '#rrggbb' colour as three PDF operands (6 decimals: the same 8-bit colour as pdfkit's 16). */
function rgb(hex: string): string {
  let s = rgbCache.get(hex);
  if (s === undefined) {
    const v = parseInt(hex.slice(1), 16);
    s = [v >> 16, (v >> 8) & 0xff, v & 0xff].map((p) => num(p / 255)).join(' ');
    rgbCache.set(hex, s);
  }
  return s;
}

function identityColor(v: IdentityVerdict | undefined): string | undefined {
  return v && v !== 'match' ? COLOR.bad : undefined;
}

function authenticityColor(v: AuthenticityVerdict | undefined): string | undefined {
  switch (v) {
    case 'genuine':
      return COLOR.good;
    case 'altered_or_forged':
      return COLOR.bad;
    case undefined:
      return undefined;
    default:
      return COLOR.warn;
  }
}

const text = (t: string, font?: FontName, color?: string): Line => ({ text: t, font, color });

function candidateRows(model: ReportModel, L: ReportLabels): Iterable<Row & { color?: string }> {
  const tz = model.timeZone;
  const lang = L.lang;
  return {
    *[Symbol.iterator]() {
      let i = 0;
      for (const c of model.candidates) {
        i++;
        const cells: Cell[] = [
          [text(String(i))],
          [text(c.candidateNo)],
          [text(c.fullName, 'bold')],
          [text(formatCalendarDate(c.dateOfBirth))],
          [text(c.idNumberMasked)],
          [text(c.licenceClass ?? '')],
          c.present ? [text(L.present)] : [text(L.absent, 'bold', COLOR.absentText)],
          c.checkedInAt
            ? [text(formatInstantTime(c.checkedInAt, tz)), text(formatInstantDate(c.checkedInAt, tz))]
            : [],
          [
            ...(c.identityVerdict
              ? [
                  text(
                    identityVerdictLabel(c.identityVerdict, lang),
                    'sans',
                    identityColor(c.identityVerdict),
                  ),
                ]
              : []),
            ...(c.authenticityVerdict
              ? [
                  text(
                    authenticityVerdictLabel(c.authenticityVerdict, lang),
                    'sans',
                    authenticityColor(c.authenticityVerdict),
                  ),
                ]
              : []),
          ],
          [text(model.consolidated && c.station ? `${c.examiner ?? ''} · ${c.station}` : (c.examiner ?? ''))],
        ];
        yield c.present ? { cells } : { cells, fill: COLOR.absentFill, color: COLOR.muted };
      }
    },
  };
}

function flaggedRows(model: ReportModel, L: ReportLabels): Iterable<Row> {
  const tz = model.timeZone;
  const lang = L.lang;
  return {
    *[Symbol.iterator]() {
      let i = 0;
      for (const f of model.flagged) {
        i++;
        const who: Cell = [];
        if (f.candidateNo) who.push(text(`${L.columns.candidateNo} ${f.candidateNo}`));
        if (f.fullName) who.push(text(f.fullName, 'bold'));
        yield {
          cells: [
            [text(String(i))],
            [text(formatInstantTime(f.at, tz)), text(formatInstantDate(f.at, tz))],
            who,
            [
              text(identityVerdictLabel(f.identityVerdict, lang), 'sans', identityColor(f.identityVerdict)),
              text(
                authenticityVerdictLabel(f.authenticityVerdict, lang),
                'sans',
                authenticityColor(f.authenticityVerdict),
              ),
            ],
            f.reasons.map((r) =>
              text(
                `• ${reasonText(r, lang)}`,
                'sans',
                r.severity === 'error' ? COLOR.bad : r.severity === 'warning' ? COLOR.warn : undefined,
              ),
            ),
            [text(f.examiner), text(`${f.station} · ${L.source[f.source] ?? f.source}`, 'sans', COLOR.muted)],
          ],
        };
      }
    },
  };
}

/** National header (left: council and session; right: the national name and motto) and title. */
function drawHeader(lay: Layout, model: ReportModel, L: ReportLabels): void {
  const doc = lay.doc;
  const s = model.session;
  const leftW = 230;
  const rightX = MARGIN_X + 250;
  const rightW = CONTENT_W - 250;
  const top = lay.y;

  // Left block: the council and the session code.
  lay.font('bold', 9);
  doc.fillColor(COLOR.text);
  const council = s.council.toLocaleUpperCase('vi');
  const councilH = doc.heightOfString(council, { width: leftW, align: 'center' });
  doc.text(council, MARGIN_X, top, { width: leftW, align: 'center' });
  let ly = top + councilH;
  lay.font('sans', 9);
  const sessionLine = `${L.session}: ${s.code}`;
  doc.text(sessionLine, MARGIN_X, ly, { width: leftW, align: 'center' });
  ly += doc.heightOfString(sessionLine, { width: leftW, align: 'center' }) + 3;
  doc
    .moveTo(MARGIN_X + leftW / 2 - 30, ly)
    .lineTo(MARGIN_X + leftW / 2 + 30, ly)
    .lineWidth(0.6)
    .stroke(COLOR.text);

  // Right block: national name and motto, the motto underlined.
  lay.font('bold', 9.5);
  doc.text(L.nationalName, rightX, top, { width: rightW, align: 'center' });
  let ry = top + doc.heightOfString(L.nationalName, { width: rightW, align: 'center' });
  lay.font('bold', 10);
  doc.text(L.nationalMotto, rightX, ry, { width: rightW, align: 'center' });
  const mottoW = doc.widthOfString(L.nationalMotto);
  ry += doc.currentLineHeight(true) + 2;
  doc
    .moveTo(rightX + (rightW - mottoW) / 2, ry)
    .lineTo(rightX + (rightW + mottoW) / 2, ry)
    .lineWidth(0.6)
    .stroke(COLOR.text);

  lay.y = Math.max(ly, ry) + 18;
  lay.paragraph(L.title, { font: 'bold', size: 14, align: 'center' });
  lay.y += 8;

  // Session facts, one per line: label in regular, value in bold.
  const facts: Array<[string, string]> = [
    [L.council, s.council],
    [L.sessionCode, s.code],
    [L.sessionDate, formatCalendarDate(s.date)],
  ];
  if (s.location) facts.push([L.location, s.location]);
  if (s.licenceClasses.length) facts.push([L.licenceClasses, s.licenceClasses.join(', ')]);
  let state = L.state[s.state] ?? s.state;
  if (s.signedBy) state += ` - ${L.signedBy}: ${s.signedBy}`;
  if (s.signedAt) state += ` - ${L.signedAt}: ${formatInstant(s.signedAt, model.timeZone)}`;
  facts.push([L.sessionState, state]);
  for (const [label, value] of facts) {
    lay.font('sans', 9);
    const labelText = `${label}: `;
    const labelW = doc.widthOfString(labelText);
    lay.font('bold', 9);
    const h = doc.heightOfString(value, { width: CONTENT_W - labelW });
    lay.font('sans', 9);
    doc.fillColor(COLOR.text).text(labelText, MARGIN_X, lay.y, { lineBreak: false });
    lay.font('bold', 9);
    doc.text(value, MARGIN_X + labelW, lay.y, { width: CONTENT_W - labelW });
    lay.y += h + 1;
  }
  lay.y += 8;
}

function drawTotals(lay: Layout, model: ReportModel, L: ReportLabels): void {
  lay.heading(L.totalsTitle);
  const t = model.totals;
  const rows: Row[] = [
    [L.totals.candidates, t.candidates],
    [L.totals.present, t.present],
    [L.totals.absent, t.absent],
    [L.totals.rejectedChecks, t.rejectedChecks],
    [L.totals.warningChecks, t.warningChecks],
  ].map(([k, v]) => ({ cells: [[text(String(k))], [text(String(v), 'bold')]] }));
  const cols: Column[] = [{ width: 200 }, { width: 60, align: 'center' }];
  lay.table(cols, [[text(L.infoHeader.item, 'bold')], [text(L.infoHeader.value, 'bold')]], rows);
}

/** Splits a long value (hash, signature, PEM key) into fixed-width lines, keeping its own line breaks. */
export function chunkMonospace(value: string, perLine: number): string[] {
  const out: string[] = [];
  for (const raw of value.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (!line) continue;
    for (let i = 0; i < line.length; i += perLine) out.push(line.slice(i, i + perLine));
  }
  return out;
}

function drawIntegrity(lay: Layout, model: ReportModel, L: ReportLabels): void {
  lay.heading(L.integrityTitle);
  const g = model.integrity;
  if (!g) {
    lay.paragraph(L.integrity.none);
    return;
  }
  const doc = lay.doc;
  const labelW = 150;
  const valueX = MARGIN_X + labelW;
  lay.font('mono', BODY_SIZE);
  const charW = doc.widthOfString('0');
  const perLine = Math.min(64, Math.floor((CONTENT_W - labelW) / charW));
  const monoH = doc.currentLineHeight(true);
  const item = (label: string, lines: string[], mono: boolean): void => {
    lay.ensure(Math.min(lines.length, 6) * monoH + 2);
    lay.font('sans', BODY_SIZE);
    doc.fillColor(COLOR.text).text(`${label}:`, MARGIN_X, lay.y, { width: labelW - 6 });
    for (const l of lines) {
      lay.ensure(monoH);
      lay.font(mono ? 'mono' : 'bold', BODY_SIZE);
      doc.fillColor(COLOR.text).text(l, valueX, lay.y, { lineBreak: false });
      lay.y += monoH;
    }
    lay.y += 3;
  };
  item(L.integrity.headHash, chunkMonospace(g.headHash, perLine), true);
  item(L.integrity.entries, [String(g.entries)], false);
  if (g.signature) item(L.integrity.signature, chunkMonospace(g.signature, perLine), true);
  if (g.publicKey) item(L.integrity.publicKey, chunkMonospace(g.publicKey, perLine), true);
  if (g.statement) item(L.integrity.statement, chunkMonospace(g.statement, perLine), true);
}

/**
 * Signature blocks, three to a row: the chair of the council in the right-hand column of the first
 * row under the dated line (as on Vietnamese official documents), the examiners filling the other
 * places in order.
 */
function drawSignatures(lay: Layout, model: ReportModel, L: ReportLabels): void {
  const doc = lay.doc;
  const colW = CONTENT_W / 3;
  const blockH = 104;
  const chairName = model.session.state === 'signed' ? (model.session.signedBy ?? '') : '';
  const examiners = model.examiners.map((name) => ({ role: L.examinerRole, name }));
  const blocks: Array<{ role: string; name: string } | undefined> = [
    examiners[0],
    examiners[1],
    { role: L.chairman, name: chairName },
    ...examiners.slice(2),
  ];

  lay.y += 16;
  lay.font('sans', 9);
  const datedH = doc.currentLineHeight(true) + 4;
  lay.ensure(datedH + blockH);
  const dated = L.datedLine(formatInstantDate(model.generatedAt, model.timeZone));
  doc.fillColor(COLOR.text).text(dated, MARGIN_X + 2 * colW, lay.y, { width: colW, align: 'center' });
  lay.y += datedH;

  for (let r = 0; r < blocks.length; r += 3) {
    lay.ensure(blockH);
    const top = lay.y;
    for (let c = 0; c < 3; c++) {
      const b = blocks[r + c];
      if (!b) continue;
      const x = MARGIN_X + c * colW;
      lay.font('bold', 9);
      doc
        .fillColor(COLOR.text)
        .text(b.role.toLocaleUpperCase(L.lang), x, top, { width: colW, align: 'center' });
      lay.font('sans', 8);
      doc.text(L.signHint, x, top + 13, { width: colW, align: 'center' });
      // Room for the handwritten signature, then the printed name under a dotted line.
      const lineY = top + 72;
      doc
        .moveTo(x + 20, lineY)
        .lineTo(x + colW - 20, lineY)
        .dash(1, { space: 2 })
        .lineWidth(0.5)
        .stroke(COLOR.muted)
        .undash();
      if (b.name) {
        lay.font('bold', 9);
        doc.fillColor(COLOR.text).text(b.name, x, lineY + 3, { width: colW, align: 'center' });
      }
    }
    lay.y = top + blockH;
  }
}

/** Footer on every page: generation time and session on the left, "Trang X/Y" on the right. */
function drawFooters(lay: Layout, model: ReportModel, L: ReportLabels): void {
  const doc = lay.doc;
  const range = doc.bufferedPageRange();
  const generated = L.generatedLine(formatInstant(model.generatedAt, model.timeZone), model.timeZone);
  const left = `${generated} - ${L.session} ${model.session.code}`;
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin must not open a new page.
    const savedBottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .moveTo(MARGIN_X, FOOTER_Y - 4)
      .lineTo(MARGIN_X + CONTENT_W, FOOTER_Y - 4)
      .lineWidth(0.4)
      .stroke(COLOR.border);
    const pageText = L.page(i - range.start + 1, range.count);
    const line = { y: FOOTER_Y, font: 'sans', size: 7, color: COLOR.muted } as const;
    lay.textLines([
      { ...line, text: left, x: MARGIN_X },
      { ...line, text: pageText, x: MARGIN_X + CONTENT_W - lay.widthOf(pageText, 'sans', 7) },
    ]);
    doc.page.margins.bottom = savedBottom;
  }
}

export interface PdfWriteOptions extends ReportWriteOptions {
  /**
   * Table rows through pdf-text.ts (default) or through pdfkit's text(), the slower reference the
   * tests compare the fast path with.
   */
  fastText?: boolean;
}

/** Renders the report to PDF bytes. */
export async function renderReportPdf(model: ReportModel, opts: PdfWriteOptions = {}): Promise<Buffer> {
  assertTimeZone(model.timeZone);
  const L = reportLabels(opts.lang ?? 'vi');
  const generated = new Date(model.generatedAt);
  const created = Number.isNaN(generated.getTime()) ? new Date(0) : generated;
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'portrait',
    margins: { top: MARGIN_TOP, bottom: PAGE_H - CONTENT_BOTTOM, left: MARGIN_X, right: MARGIN_X },
    bufferPages: true,
    autoFirstPage: true,
    lang: L.lang === 'vi' ? 'vi-VN' : 'en-GB',
    displayTitle: true,
    info: {
      Title: `${L.title} - ${model.session.code}`,
      Subject: model.session.council,
      Creator: 'CCCD Kiosk',
      Producer: 'CCCD Kiosk (pdfkit)',
      CreationDate: created,
      ModDate: created,
      // The integrity data, machine-readable (report-seal.ts): `kiosk log verify --report` reads it.
      ...(model.integrity ? { [PDF_SEAL_KEY]: pdfSealValue(model.integrity) } : {}),
    },
  });
  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  // By path: pdfkit reads each file for each document (see createShaper() on sharing fonts).
  const fonts = reportFontPaths();
  doc.registerFont('sans', fonts.sans);
  doc.registerFont('bold', fonts.bold);
  doc.registerFont('mono', fonts.mono);

  const lay = new Layout(doc, fonts, opts.fastText ?? true);
  drawHeader(lay, model, L);

  const c = L.columns;
  const candidateCols: Column[] = [
    // Widths fit, at 7.5 pt: a 5-digit STT, a 6-digit SBD, dd/MM/yyyy, a masked 12-digit ID,
    // the genuine-card label (native/domain/labels.ts) on one line; names wrap past about 22 letters.
    { width: 28, align: 'center' },
    { width: 35 },
    { width: 96 },
    { width: 48 },
    { width: 59 },
    { width: 27, align: 'center' },
    { width: 34, align: 'center' },
    { width: 48 },
    { width: 95 },
    { width: CONTENT_W - 470 },
  ];
  const h = (t: string): Cell => [text(t, 'bold')];
  lay.table(
    candidateCols,
    [
      h(c.no),
      h(c.candidateNo),
      h(c.fullName),
      h(c.dateOfBirth),
      h(c.idNumber),
      h(c.licenceClass),
      h(c.attendanceShort),
      h(c.checkedInAt),
      h(c.result),
      h(model.consolidated ? `${c.examiner} / ${c.station}` : c.examiner),
    ],
    candidateRows(model, L),
  );

  lay.heading(L.flaggedTitle);
  if (model.flagged.length === 0) {
    lay.paragraph(L.noFlagged);
  } else {
    lay.table(
      [
        { width: 22, align: 'center' },
        { width: 50 },
        { width: 100 },
        { width: 100 },
        { width: 171 },
        { width: CONTENT_W - 443 },
      ],
      [h(c.no), h(c.at), h(c.candidate), h(c.result), h(c.reasons), h(`${c.examiner} / ${c.station}`)],
      flaggedRows(model, L),
    );
  }

  drawTotals(lay, model, L);
  drawIntegrity(lay, model, L);
  drawSignatures(lay, model, L);
  drawFooters(lay, model, L);

  doc.end();
  return finished;
}

/** Writes the PDF report to `outPath` atomically (see writeFileAtomic). */
export async function writeReportPdf(
  model: ReportModel,
  outPath: string,
  opts: ReportWriteOptions = {},
): Promise<void> {
  const bytes = await renderReportPdf(model, opts);
  await writeFileAtomic(outPath, bytes);
}
