/**
 * PDF text, page count, metadata and fonts with pdfjs-dist (pure npm), so the report tests need no
 * poppler (`pdftotext`, `pdfinfo`, `pdffonts`). Only rasterising a page to an image still uses poppler.
 *
 * Lines are rebuilt from the text items' positions: items on the same baseline (±2 pt) form one line,
 * ordered by x, separated by one space where there is a gap. That serves the tests' plain-text checks and
 * their `pdftotext -layout` regular expressions (columns matched with \s+). Pages are returned separately.
 */

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<PdfJs> | undefined;
const load = (): Promise<PdfJs> => (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'));

const pkgDir = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

interface Item {
  str: string;
  x: number;
  y: number;
  w: number;
}

export interface PdfCrop {
  /** Left edge in points from the page's left. */
  x: number;
  /** Width in points. */
  w: number;
}

export interface PdfDoc {
  pageCount: number;
  /** Page sizes in points ([width, height]). */
  pageSizes: [number, number][];
  /** Info dictionary (CreationDate, Producer, ...). */
  info: Record<string, unknown>;
  /** Text of each page, as lines (see the module comment). */
  pages: string[];
  /** Items of each page, for crops. */
  items: Item[][];
  /** Fonts used by the pages: name (with the subset tag), embedded, has a Unicode map. */
  fonts: { name: string; embedded: boolean; subset: boolean }[];
}

const cache = new Map<string, Promise<PdfDoc>>();

/** Parses a PDF file once (cached by path and modification time). */
export function readPdf(file: string): Promise<PdfDoc> {
  const key = `${file}:${fs.statSync(file).mtimeMs}`;
  let p = cache.get(key);
  if (!p) {
    p = parse(new Uint8Array(fs.readFileSync(file)));
    cache.set(key, p);
  }
  return p;
}

async function parse(data: Uint8Array): Promise<PdfDoc> {
  const { getDocument, OPS } = await load();
  const doc = await getDocument({
    data,
    verbosity: 0,
    useSystemFonts: false,
    standardFontDataUrl: path.join(pkgDir, 'standard_fonts') + path.sep,
    cMapUrl: path.join(pkgDir, 'cmaps') + path.sep,
    cMapPacked: true,
  }).promise;
  try {
    const meta = await doc.getMetadata();
    const pages: string[] = [];
    const items: Item[][] = [];
    const pageSizes: [number, number][] = [];
    const fonts = new Map<string, { name: string; embedded: boolean; subset: boolean }>();
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const [x0, y0, x1, y1] = page.view as [number, number, number, number];
      pageSizes.push([x1 - x0, y1 - y0]);
      const content = await page.getTextContent();
      const list: Item[] = [];
      for (const it of content.items) {
        if (!('str' in it) || !it.str) continue;
        list.push({ str: it.str, x: it.transform[4], y: y1 - it.transform[5], w: it.width });
      }
      items.push(list);
      pages.push(linesOf(list).join('\n'));
      const ops = await page.getOperatorList();
      for (let i = 0; i < ops.fnArray.length; i++) {
        if (ops.fnArray[i] !== OPS.setFont) continue;
        const id = (ops.argsArray[i] as unknown[])[0] as string;
        if (fonts.has(id)) continue;
        const f = page.commonObjs.get(id) as { name?: string; missingFile?: boolean };
        const name = f.name ?? id;
        fonts.set(id, { name, embedded: f.missingFile === false, subset: /^[A-Z]{6}\+/.test(name) });
      }
      page.cleanup();
    }
    return {
      pageCount: doc.numPages,
      pageSizes,
      info: (meta.info ?? {}) as Record<string, unknown>,
      pages,
      items,
      fonts: [...fonts.values()],
    };
  } finally {
    await doc.destroy();
  }
}

function linesOf(list: Item[]): string[] {
  const rows: Item[][] = [];
  for (const it of [...list].sort((a, b) => a.y - b.y || a.x - b.x)) {
    const row = rows.at(-1);
    if (row && Math.abs(row[0]!.y - it.y) <= 2) row.push(it);
    else rows.push([it]);
  }
  return rows.map((row) => {
    row.sort((a, b) => a.x - b.x);
    let out = '';
    let end = -Infinity;
    for (const it of row) {
      // Touching items are one word; any gap is one space (the tests match columns with \s+).
      if (out && it.x - end > 0.5 && !/\s$/.test(out) && !/^\s/.test(it.str)) out += ' ';
      out += it.str;
      end = it.x + it.w;
    }
    return out.replace(/\s+/g, ' ').trim().normalize('NFC');
  });
}

/** All pages' text, pages separated by a form feed (like pdftotext). */
export async function pdfText(file: string): Promise<string> {
  return (await readPdf(file)).pages.map((p) => p + '\n\f').join('');
}

/** Text of each page. */
export async function pdfPages(file: string): Promise<string[]> {
  return (await readPdf(file)).pages;
}

/** Text items starting inside a vertical band (x … x + w) of every page, top to bottom, joined. */
export async function pdfColumn(file: string, crop: PdfCrop): Promise<string> {
  const doc = await readPdf(file);
  return doc.items
    .map((list) => linesOf(list.filter((it) => it.x >= crop.x && it.x < crop.x + crop.w)).join('\n'))
    .join('\n')
    .replace(/\s+/g, ' ');
}
