/**
 * The PDF report's fast text path (electron/core/reports/pdf-text.ts) against pdfkit's own:
 * composed word shapes equal fontkit's whole-word shapes, and a report drawn either way reads and
 * rasterises the same.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { pdfPages, readPdf } from '../support/pdf-text';
import { needsPart } from '../support/system-parts';
import { renderReportPdf, reportFontPaths } from '../../electron/core/reports/pdf';
import { chunks, createShaper } from '../../electron/core/reports/pdf-text';
import type { ReportLang, ReportModel } from '../../electron/core/reports/model';
import { AUTHENTICITY_VERDICTS, IDENTITY_VERDICTS } from '../../native/domain/vocabulary';
import {
  authenticityVerdictLabel,
  identityVerdictLabel,
  reasonText,
  reportLabels,
} from '../../electron/core/reports/labels';
import { buildReportModel } from './reports-fixture';

const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-report-pdf-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every string in a value (labels, model), label functions called with sample arguments. */
function strings(v: unknown, out: Set<string>): Set<string> {
  if (typeof v === 'string') out.add(v);
  else if (typeof v === 'function') {
    for (const args of [
      [12, 345],
      ['12/03/2025', 'Asia/Ho_Chi_Minh'],
    ]) {
      try {
        strings((v as (...a: unknown[]) => unknown)(...args), out);
      } catch {
        /* a label function that wants other arguments */
      }
    }
  } else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

function reportStrings(model: ReportModel, lang: ReportLang): Set<string> {
  const out = strings(reportLabels(lang), new Set());
  strings(model, out);
  for (const v of IDENTITY_VERDICTS) out.add(identityVerdictLabel(v, lang));
  for (const v of AUTHENTICITY_VERDICTS) out.add(authenticityVerdictLabel(v, lang));
  for (const f of model.flagged) for (const r of f.reasons) out.add(`• ${reasonText(r, lang)}`);
  // Every Vietnamese letter, lower and upper case, with every tone, next to each other.
  const letters = 'aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ';
  out.add(letters);
  out.add(letters.toLocaleUpperCase('vi'));
  out.add('AV To Ta Ty Wa Yo LT 0123456789 01/02/2025 08:15:02 ••••••• 4/7 fi fl ffi “x” – —');
  return out;
}

describe('fast text: composed word shapes', () => {
  it('equal fontkit shaping each whole word, for every word a report prints (sans, bold, mono)', () => {
    const words = new Set<string>();
    for (const lang of ['vi', 'en'] as const) {
      for (const s of reportStrings(buildReportModel({ candidates: 300, flagged: 60 }), lang)) {
        for (const c of chunks(s)) words.add(c);
        for (const w of s.split(' ')) if (w) words.add(w);
      }
    }
    expect(words.size).toBeGreaterThan(1000);
    const files = reportFontPaths();
    for (const name of ['sans', 'bold', 'mono'] as const) {
      // A fresh shaper, not one warmed by other tests.
      const shaper = createShaper(files[name]);
      for (const w of words) {
        expect(shaper.word(w), `${name}: ${JSON.stringify(w)}`).toEqual(shaper.shapeWhole(w));
      }
    }
  });
});

/** The fast report and pdfkit's text() report of the same model. */
async function both(model: ReportModel, lang: ReportLang, name: string): Promise<[string, string]> {
  const fast = path.join(dir, `${name}-fast.pdf`);
  const slow = path.join(dir, `${name}-pdfkit.pdf`);
  writeFileSync(fast, await renderReportPdf(model, { lang }));
  writeFileSync(slow, await renderReportPdf(model, { lang, fastText: false }));
  return [fast, slow];
}

describe('fast text: the report against pdfkit text()', () => {
  const cases: Array<[string, ReportModel, ReportLang]> = [
    ['vi300', buildReportModel({ candidates: 300, flagged: 30 }), 'vi'],
    ['en5', buildReportModel({ candidates: 5, flagged: 2 }), 'en'],
  ];

  it.each(cases)('%s: the same pages, text and fonts', async (name, model, lang) => {
    const [fast, slow] = await both(model, lang, name);
    expect(await pdfPages(fast)).toEqual(await pdfPages(slow));
    const [a, b] = [await readPdf(fast), await readPdf(slow)];
    expect(a.pageSizes).toEqual(b.pageSizes);
    expect(a.fonts).toEqual(b.fonts);
    // Smaller: one content write per page of table rows instead of eight operators per cell.
    expect(readFileSync(fast).length).toBeLessThan(readFileSync(slow).length);
  });

  it('a report is the same bytes whatever this process printed before (no state leaks between documents)', async () => {
    // Other reports first: other glyphs in other orders, composite Vietnamese letters included.
    await renderReportPdf(buildReportModel({ candidates: 5, flagged: 2 }));
    await renderReportPdf(buildReportModel({ candidates: 40, flagged: 6 }), { lang: 'en' });
    const one = buildReportModel({ candidates: 1, flagged: 0, withIntegrity: false });
    const first = await renderReportPdf(one);
    await renderReportPdf(buildReportModel({ candidates: 7, flagged: 1 }));
    const again = await renderReportPdf(one);
    const file = path.join(dir, 'one-again.pdf');
    writeFileSync(file, again);
    expect((await pdfPages(file)).join('\n')).toContain('Không có thông tin toàn vẹn nhật ký.');
    expect(again.equals(first)).toBe(true);
  });

  const poppler = needsPart('poppler', 'PDF pages rasterised with pdftoppm');
  it.skipIf(poppler.skip)('vi300: every page rasterises to the same pixels', async () => {
    const [fast, slow] = await both(cases[0]![1], 'vi', 'raster');
    const png = (file: string, prefix: string): PNG[] => {
      const out = mkdtempSync(path.join(dir, `${prefix}-`));
      execFileSync('pdftoppm', ['-png', '-r', '60', file, path.join(out, 'p')]);
      return readdirSync(out)
        .sort()
        .map((f) => PNG.sync.read(readFileSync(path.join(out, f))));
    };
    const [a, b] = [png(fast, 'fast'), png(slow, 'pdfkit')];
    expect(a.length).toBe(b.length);
    a.forEach((p, i) => {
      expect([p.width, p.height]).toEqual([b[i]!.width, b[i]!.height]);
      expect(p.data.equals(b[i]!.data), `page ${i + 1}`).toBe(true);
    });
  });
});
