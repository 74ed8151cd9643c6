import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Fast single-line text for the PDF report's tables: what pdfkit's `text(s, x, y, { lineBreak: false })`
 * draws, glyph for glyph, at a fraction of the cost.
 *
 * A 10 000-row report has some 50 000 distinct cell strings (candidate numbers, masked ID numbers,
 * times). pdfkit shapes each of them with fontkit's full OpenType engine (several GSUB/GPOS passes
 * per word, tens of microseconds) and wraps every text() call in eight content operators, each its
 * own Buffer. Here:
 *
 * - Shaping is cached for the process and per font file, so a second report reuses the first one's.
 * - A word of plain Latin / Vietnamese / digits / punctuation is put together from the shapes of its
 *   characters when fontkit shapes every adjacent pair of them as the two characters alone (no
 *   kerning, ligature or mark positioning between them); each character and each pair is shaped
 *   once. Anything else (kerned pairs, combining marks, other scripts) is shaped whole by fontkit,
 *   exactly as pdfkit would. test/unit/reports-pdf-text.test.ts holds the two equal.
 * - The glyphs go into pdfkit's own font subset (same ids, widths and Unicode map as pdfkit's
 *   encode()), and the operators (Tm, Tf, TJ with pdfkit's kerning adjustments) are returned as one
 *   string for the caller to batch into a single content write per table row.
 *
 * It reaches into pdfkit's EmbeddedFont (`_font`, `subset`, `widths`, `unicode`): `pdfTextFont`
 * returns undefined when those are not what this file expects, and the caller then falls back to
 * pdfkit's text().
 */

interface FontkitGlyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}
interface FontkitPosition {
  xAdvance: number;
  xOffset: number;
  yOffset: number;
}
interface FontkitRun {
  glyphs: FontkitGlyph[];
  positions: FontkitPosition[];
}
interface FontkitSubset {
  includeGlyph(id: number): number;
}
interface FontkitFont {
  layout(text: string, features?: undefined, script?: string): FontkitRun;
  unitsPerEm: number;
}
/** The parts of pdfkit's EmbeddedFont (pdfkit 0.17) used here. */
interface EmbeddedFontInternal {
  id: string;
  font: FontkitFont;
  scale: number;
  ascender: number;
  subset: FontkitSubset;
  widths: number[];
  unicode: number[][];
  ref(): unknown;
}

/** One glyph as pdfkit's EmbeddedFont.layoutRun() leaves it: positions in 1/1000 em. */
export interface ShapedGlyph {
  id: number;
  codePoints: number[];
  advanceWidth: number;
  xAdvance: number;
  xOffset: number;
  yOffset: number;
}
/** A shaped run: its glyphs and its advance (1/1000 em, summed in order like fontkit's GlyphRun). */
export interface Shaped {
  glyphs: ShapedGlyph[];
  width: number;
  /**
   * The show operator of this word as a whole line, and the serial of the document font it was
   * encoded for (subset ids differ between documents; a number, so no document stays referenced):
   * most cells are one word, often unique (numbers), and remembering it here costs no map entry.
   */
  show?: { owner: number; op: string | null };
}

/** PDF number formatting, as pdfkit's PDFObject.number. */
const num = (n: number): number => Math.round(n * 1e6) / 1e6;

const numTexts = new Map<number, string>();
/** num() as text, remembered: the moves between lines of a table repeat row after row. */
function numText(n: number): string {
  let t = numTexts.get(n);
  if (t === undefined) {
    if (numTexts.size >= 10_000) numTexts.clear();
    t = String(num(n));
    numTexts.set(n, t);
  }
  return t;
}

const LATIN = /\p{Script=Latin}/u;

/**
 * Characters a word may be composed from: Basic Latin, Latin-1 and Latin Extended-A/B (not the soft
 * hyphen, which is default-ignorable), Latin Extended Additional (Vietnamese), and the printing
 * General Punctuation (dashes, bullet, ellipsis, primes; not the zero-width and bidi controls).
 * All are Latin or Common script, so fontkit picks the script the same way for any of their mixes.
 */
function composable(cp: number): boolean {
  return (
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0x24f && cp !== 0xad) ||
    (cp >= 0x1e00 && cp <= 0x1eff) ||
    (cp >= 0x2010 && cp <= 0x2027) ||
    (cp >= 0x2030 && cp <= 0x205e)
  );
}

/** Process-wide shaping cache of one font file. */
export class GlyphShaper {
  private readonly words = new Map<string, Shaped>();
  private readonly singles = new Map<string, ShapedGlyph | null>();
  private readonly pairs = new Map<string, boolean>();

  constructor(
    private readonly font: FontkitFont,
    private readonly scale: number,
  ) {}

  /** fontkit's layout of `text`, scaled like pdfkit's EmbeddedFont.layoutRun(). */
  shapeWhole(text: string, script?: string): Shaped {
    const run = this.font.layout(text, undefined, script);
    const glyphs: ShapedGlyph[] = [];
    let width = 0;
    for (let i = 0; i < run.glyphs.length; i++) {
      const g = run.glyphs[i]!;
      const p = run.positions[i]!;
      const xAdvance = p.xAdvance * this.scale;
      glyphs.push({
        id: g.id,
        codePoints: g.codePoints,
        advanceWidth: g.advanceWidth * this.scale,
        xAdvance,
        xOffset: p.xOffset * this.scale,
        yOffset: p.yOffset * this.scale,
      });
    }
    for (const g of glyphs) width += g.xAdvance;
    return { glyphs, width };
  }

  private single(ch: string, script: string): ShapedGlyph | null {
    const key = script + ch;
    let g = this.singles.get(key);
    if (g === undefined) {
      const s = this.shapeWhole(ch, script);
      const only = s.glyphs.length === 1 ? s.glyphs[0]! : undefined;
      g = only && !only.xOffset && !only.yOffset ? only : null;
      this.singles.set(key, g);
    }
    return g;
  }

  /** Whether fontkit shapes `a` followed by `b` as each alone (no kerning, ligature or attachment). */
  private independent(a: ShapedGlyph, b: ShapedGlyph, pair: string, script: string): boolean {
    const key = script + pair;
    let ok = this.pairs.get(key);
    if (ok === undefined) {
      const s = this.shapeWhole(pair, script);
      const [x, y] = s.glyphs;
      ok =
        s.glyphs.length === 2 &&
        x!.id === a.id &&
        y!.id === b.id &&
        x!.xAdvance === a.xAdvance &&
        y!.xAdvance === b.xAdvance &&
        !x!.xOffset &&
        !x!.yOffset &&
        !y!.xOffset &&
        !y!.yOffset;
      this.pairs.set(key, ok);
    }
    return ok;
  }

  /** A word put together from its characters' shapes, or undefined when that would not be exact. */
  private compose(word: string): Shaped | undefined {
    const chars = Array.from(word);
    for (const ch of chars) if (!composable(ch.codePointAt(0)!)) return undefined;
    // fontkit's script detection: the first non-Common character's script, else 'Unknown'.
    const script = LATIN.test(word) ? 'latn' : 'zzzz';
    const glyphs: ShapedGlyph[] = [];
    let prev: ShapedGlyph | undefined;
    let prevCh = '';
    for (const ch of chars) {
      const g = this.single(ch, script);
      if (!g) return undefined;
      if (prev && !this.independent(prev, g, prevCh + ch, script)) return undefined;
      glyphs.push(g);
      prev = g;
      prevCh = ch;
    }
    let width = 0;
    for (const g of glyphs) width += g.xAdvance;
    return { glyphs, width };
  }

  /** One chunk as pdfkit shapes it (a word with its trailing space, see `chunks`). */
  word(word: string): Shaped {
    let s = this.words.get(word);
    if (s === undefined) {
      s = this.compose(word) ?? this.shapeWhole(word);
      // Bounded: a long-lived process printing many reports keeps at most this many words.
      if (this.words.size >= 500_000) this.words.clear();
      this.words.set(word, s);
    }
    return s;
  }
}

/**
 * Splits a line where pdfkit's EmbeddedFont.layout() does: after each space or tab, the space
 * staying with the word before it.
 */
export function chunks(text: string): string[] {
  const out: string[] = [];
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09) {
      out.push(text.slice(last, i + 1));
      last = i + 1;
    }
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const shapers = new Map<string, GlyphShaper>();

/**
 * Where the text line matrix stands inside a BT/ET block (page space, y down), so the next line
 * can be placed relative to it (`Td`, a dozen bytes) rather than absolutely (`Tm`, thirty).
 * `at` is undefined at the start of a block and after a line that moved the matrix itself.
 */
export interface TextPen {
  at: { x: number; y: number } | undefined;
}

/** One of a document's fonts, ready for fast lines. */
export class PdfTextFont {
  /**
   * The two bytes (Identity-H, subset glyph id) of each font glyph used so far in this document,
   * as a PDF literal-string body: half the bytes of pdfkit's hex strings for the deflater.
   */
  private readonly codeOf = new Map<number, string>();
  private static serials = 0;
  private readonly serial = ++PdfTextFont.serials;
  /** The show operator of each line drawn so far (null: the line has positioned glyphs). */
  private readonly lines = new Map<string, string | null>();

  constructor(
    private readonly pdfFont: EmbeddedFontInternal,
    readonly shaper: GlyphShaper,
  ) {}

  /** pdfkit's resource name of the font (F1, F2...). */
  get id(): string {
    return this.pdfFont.id;
  }

  /** The font's ascender in 1/1000 em (pdfkit draws text from the top of the line by default). */
  get ascender(): number {
    return this.pdfFont.ascender;
  }

  /** Makes the font a resource of `page` (pdfkit's `page.fonts`). */
  useOn(page: { fonts: Record<string, unknown> }): void {
    page.fonts[this.pdfFont.id] ??= this.pdfFont.ref();
  }

  /** Width of `text` at `size`, as pdfkit's widthOfString(). */
  widthOf(text: string, size: number): number {
    if (text.indexOf(' ') < 0 && text.indexOf('\t') < 0) return (this.shaper.word(text).width * size) / 1000;
    let w = 0;
    for (const c of chunks(text)) w += this.shaper.word(c).width;
    return (w * size) / 1000;
  }

  /** Puts the glyph in pdfkit's subset as its encode() does, and returns its escaped code. */
  private code(g: ShapedGlyph): string {
    let c = this.codeOf.get(g.id);
    if (c === undefined) {
      const f = this.pdfFont;
      const gid = f.subset.includeGlyph(g.id);
      if (f.widths[gid] == null) f.widths[gid] = g.advanceWidth;
      if (f.unicode[gid] == null) f.unicode[gid] = g.codePoints;
      c = literalByte(gid >> 8) + literalByte(gid & 0xff);
      this.codeOf.set(g.id, c);
    }
    return c;
  }

  /** The glyphs of a line, chunk by chunk as pdfkit lays it out. */
  private glyphsOf(text: string): ShapedGlyph[] {
    const glyphs: ShapedGlyph[] = [];
    for (const c of chunks(text.replace(/\n/g, '')))
      for (const g of this.shaper.word(c).glyphs) glyphs.push(g);
    return glyphs;
  }

  /**
   * The show-text operator for glyphs without offsets: split after each glyph whose advance
   * differs from its width (kerning), each split carrying pdfkit's TJ adjustment; the adjustment
   * after the last glyph (pdfkit writes it, but nothing follows on the line) is left out.
   */
  private showOp(glyphs: ShapedGlyph[]): string {
    let out = '';
    let run = '';
    let parts = 0;
    for (let i = 0; i < glyphs.length; i++) {
      const g = glyphs[i]!;
      run += this.code(g);
      const adjust = g.xAdvance - g.advanceWidth;
      if (adjust !== 0 && i < glyphs.length - 1) {
        out += `(${run}) ${num(-adjust)} `;
        run = '';
        parts++;
      }
    }
    return parts === 0 ? `(${run}) Tj\n` : `[${out}(${run})] TJ\n`;
  }

  /** showOp() of a line's glyphs; null when some glyph is offset (marks), '' for no glyphs. */
  private showOf(glyphs: ShapedGlyph[]): string | null {
    if (glyphs.some((g) => g.xOffset || g.yOffset)) return null;
    return glyphs.length ? this.showOp(glyphs) : '';
  }

  /**
   * The operators that draw `text` on one line, the top of its glyph box at pdfkit's baseline
   * offset: baseline at (x, y) in the page's y-down space, inside BT/ET with this font selected.
   * The same glyphs and positions as pdfkit's _fragment(), with the text matrix flipped (1 0 0 -1)
   * instead of its save/cm/BT/Tf/ET/restore around every call.
   */
  lineOps(text: string, x: number, y: number, size: number, pen: TextPen): string {
    let show: string | null | undefined;
    if (text && text.indexOf(' ') < 0 && text.indexOf('\t') < 0 && text.indexOf('\n') < 0) {
      // One chunk: remembered on the shaped word itself.
      const word = this.shaper.word(text);
      if (word.show?.owner === this.serial) show = word.show.op;
      else {
        show = this.showOf(word.glyphs);
        word.show = { owner: this.serial, op: show };
      }
    } else {
      show = this.lines.get(text);
      if (show === undefined) {
        show = this.showOf(this.glyphsOf(text));
        this.lines.set(text, show);
      }
    }
    if (show === '') return '';
    if (show === null) {
      pen.at = undefined;
      return this.offsetLineOps(this.glyphsOf(text), x, y, size);
    }
    const move = pen.at
      ? `${numText(x - pen.at.x)} ${numText(pen.at.y - y)} Td\n`
      : `1 0 0 -1 ${num(x)} ${num(y)} Tm\n`;
    pen.at = { x, y };
    return move + show;
  }

  /** A line with positioned glyphs (marks), drawn like pdfkit: a Tm of its own for each. */
  private offsetLineOps(glyphs: ShapedGlyph[], x: number, y: number, size: number): string {
    const scale = size / 1000;
    let out = `1 0 0 -1 ${num(x)} ${num(y)} Tm\n`;
    let run: ShapedGlyph[] = [];
    const flush = (): void => {
      if (run.length) out += this.showOp(run);
      run = [];
    };
    let hadOffset = false;
    for (const g of glyphs) {
      if (g.xOffset || g.yOffset) {
        flush();
        out += `1 0 0 -1 ${num(x + g.xOffset * scale)} ${num(y - g.yOffset * scale)} Tm\n`;
        run.push(g);
        flush();
        hadOffset = true;
      } else {
        if (hadOffset) {
          out += `1 0 0 -1 ${num(x)} ${num(y)} Tm\n`;
          hadOffset = false;
        }
        run.push(g);
      }
      x += g.xAdvance * scale;
    }
    flush();
    return out;
  }
}

/** A byte inside a PDF literal string: parentheses, backslash and line ends escaped. */
function literalByte(b: number): string {
  switch (b) {
    case 0x28:
      return '\\(';
    case 0x29:
      return '\\)';
    case 0x5c:
      return '\\\\';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    default:
      return String.fromCharCode(b);
  }
}

function isEmbeddedFont(f: unknown): f is EmbeddedFontInternal {
  const e = f as Partial<EmbeddedFontInternal> | undefined;
  return (
    !!e &&
    typeof e.id === 'string' &&
    typeof e.scale === 'number' &&
    typeof e.ascender === 'number' &&
    typeof e.ref === 'function' &&
    Array.isArray(e.widths) &&
    Array.isArray(e.unicode) &&
    typeof e.subset?.includeGlyph === 'function' &&
    typeof e.font?.layout === 'function'
  );
}

// fontkit as pdfkit itself loads it (a dependency of pdfkit's, not of ours).
const requireFontkit = (): { create(data: Buffer): FontkitFont } =>
  createRequire(createRequire(import.meta.url).resolve('pdfkit'))('fontkit') as {
    create(data: Buffer): FontkitFont;
  };

/**
 * A new shaper for a font file, on a fontkit font of its own. Not the documents' fonts: pdfkit
 * parses the file anew for every document, and fontkit's subsetter patches composite glyphs
 * (Vietnamese letters with two marks) in place in the font's bytes when a document ends, so a
 * font object or buffer shared between documents would give later documents broken glyphs.
 */
export function createShaper(fontFile: string): GlyphShaper {
  const font = requireFontkit().create(readFileSync(fontFile));
  return new GlyphShaper(font, 1000 / font.unitsPerEm);
}

/**
 * The document's current font (after `doc.font(name)`, registered from `fontFile`) for fast
 * lines, with the process-wide shaping cache of that file; undefined when pdfkit's internals
 * differ from what this file knows.
 */
export function pdfTextFont(doc: PDFKit.PDFDocument, fontFile: string): PdfTextFont | undefined {
  const f = (doc as unknown as { _font?: unknown })._font;
  if (!isEmbeddedFont(f)) return undefined;
  let shaper = shapers.get(fontFile);
  if (!shaper) {
    shaper = createShaper(fontFile);
    shapers.set(fontFile, shaper);
  }
  return new PdfTextFont(f, shaper);
}
