import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfColumn, pdfPages, pdfText, readPdf } from '../support/pdf-text';
import { needsPart } from '../support/system-parts';
import { chunkMonospace, renderReportPdf, writeReportPdf } from '../../electron/core/reports/pdf';
import type { ReportModel } from '../../electron/core/reports/model';
import { buildReportModel, NAMED } from './reports-fixture';

const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-report-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Text, page count, fonts and metadata through pdfjs-dist (no poppler needed); its lines keep the
// columns apart like `pdftotext -layout`, so one text serves both the plain and the layout checks.
const pdftotext = (file: string): Promise<string> => pdfText(file);
const pageCount = async (file: string): Promise<number> => (await readPdf(file)).pageCount;
const pages = (file: string): Promise<string[]> => pdfPages(file);
const poppler = needsPart('poppler', 'PDF report rasterised with pdftoppm');

/** Candidate rows as laid out on a page: "STT SBD ..." at the start of a line. */
const candidateRowsOn = (pageText: string): number[] =>
  [...pageText.matchAll(/^\s*(\d+)\s+(\d{6})\s+\S/gm)].map((m) => Number(m[1]));

describe('PDF report, 300 candidates', () => {
  let model: ReportModel;
  let file: string;
  beforeAll(async () => {
    model = buildReportModel({ candidates: 300, flagged: 30 });
    file = path.join(dir, 'three-hundred.pdf');
    await writeReportPdf(model, file);
  });

  it('prints the national header, the Vietnamese names and the session exactly', async () => {
    const text = await pdftotext(file);
    for (const needle of [
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'DANH SÁCH ĐIỂM DANH THÍ SINH',
      `Hội đồng sát hạch: ${model.session.council}`,
      'Mã kỳ sát hạch: SH-2025-0312-B2',
      'Ngày sát hạch: 12/03/2025',
      'Địa điểm: Sân sát hạch số 2, Xã Đức Hòa Thượng, Tỉnh Long An',
      'Hạng giấy phép lái xe: A1, B1, B2, C',
      ...NAMED,
    ]) {
      expect(text).toContain(needle);
    }
    const page1 = (await pages(file))[0]!;
    expect(page1).toContain('Trang 1/');
    expect(page1).toContain('Lập lúc 12/03/2025 17:45:09 (Asia/Ho_Chi_Minh)');
  });

  it('breaks the table across pages: header on every page, every row once, footer Trang i/N', async () => {
    const n = await pageCount(file);
    const layout = await pages(file);
    expect(layout).toHaveLength(n);
    const seen: number[] = [];
    layout.forEach((p, i) => {
      expect(p).toContain(`Trang ${i + 1}/${n}`);
      expect(p).toContain('Lập lúc 12/03/2025 17:45:09');
      const rows = candidateRowsOn(p);
      if (rows.length) {
        expect(p).toMatch(/STT\s+SBD\s+Họ và tên\s+Ngày sinh\s+Số CCCD\s+Hạng/);
        seen.push(...rows);
      }
    });
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    // Rows are two or three lines high: 20 to 40 of them fill a page; so 300 need 8 to 15 pages,
    // plus the flagged checks, totals, integrity and signatures.
    const pagesWithRows = layout.filter((p) => candidateRowsOn(p).length > 0).length;
    expect(pagesWithRows).toBeGreaterThanOrEqual(8);
    expect(pagesWithRows).toBeLessThanOrEqual(15);
    layout.slice(1, pagesWithRows - 1).forEach((p) => {
      expect(candidateRowsOn(p).length).toBeGreaterThanOrEqual(20);
    });
  });

  it('shows absent candidates, the flagged checks with Vietnamese reasons, totals and integrity', async () => {
    const text = await pdftotext(file);
    const layout = await pdftotext(file);
    expect(layout).toMatch(/^\s*3\s+000003\s+Lê Văn Lương\s+\d{2}\/\d{2}\/\d{4}\s+\S+\s+\S+\s+Vắng\s*$/m);
    expect(text).toContain('CÁC LƯỢT KIỂM TRA BỊ TỪ CHỐI HOẶC CÓ CẢNH BÁO');
    // Cells wrap, and pdftotext mixes neighbouring columns: read the columns of the flagged table
    // (x in points: 36 + 22 + 50 + 100 → "Kết quả", + 100 → "Lý do") and join each cell's lines.
    const column = (x: number, w: number) => pdfColumn(file, { x: x + 1, w: w - 2 });
    const reasons = await column(308, 171);
    expect(reasons).toContain('Lý do • Họ tên trên thẻ không khớp với danh sách thí sinh của kỳ sát hạch');
    expect(reasons).toContain('• Chip không chứng minh được là thẻ thật (thiếu xác thực chủ động)');
    const results = await column(208, 100);
    expect(results).toContain('Kết quả Không có trong danh sách Thẻ bị sửa đổi hoặc giả mạo');
    expect(results).toContain('Thông tin không khớp danh sách Không xác định được cơ quan cấp thẻ');
    expect(layout).toMatch(new RegExp(`Tổng số thí sinh\\s+300`));
    expect(layout).toMatch(new RegExp(`Vắng\\s+${model.totals.absent}\\n`));
    expect(text).toContain(model.integrity!.headHash);
    expect(text).toContain('Số bản ghi nhật ký:');
    for (const line of chunkMonospace(model.integrity!.signature!, 64)) expect(text).toContain(line);
    for (const line of model.integrity!.publicKey!.split('\n')) expect(layout).toContain(line);
  });

  it('ends with signature lines for the chair and each examiner', async () => {
    const last = (await pages(file)).at(-1)!;
    expect(last).toContain('CHỦ TỊCH HỘI ĐỒNG');
    expect(last.match(/CÁN BỘ SÁT HẠCH/g)).toHaveLength(model.examiners.length);
    expect(last.match(/\(Ký, ghi rõ họ tên\)/g)).toHaveLength(model.examiners.length + 1);
    for (const name of [...model.examiners, model.session.signedBy!]) expect(last).toContain(name);
    expect(last).toContain('Ngày 12 tháng 03 năm 2025');
  });

  it('embeds DejaVu Sans (regular, bold) and DejaVu Sans Mono, and dates the file from generatedAt', async () => {
    const doc = await readPdf(file);
    for (const f of ['DejaVuSans', 'DejaVuSans-Bold', 'DejaVuSansMono']) {
      // embedded as a subset ("ABCDEF+DejaVuSans"), with its Unicode map (the text above reads back).
      expect(doc.fonts).toContainEqual({
        name: expect.stringMatching(new RegExp(`^[A-Z]{6}\\+${f}$`)),
        embedded: true,
        subset: true,
      });
    }
    expect(doc.info.CreationDate).toMatch(/^D:20250312104509/);
    for (const [w, h] of doc.pageSizes) expect([w.toFixed(2), h.toFixed(2)]).toEqual(['595.28', '841.89']);
  });
});

describe('PDF report, small and edge cases', () => {
  it('one candidate fits on one page, rasterises to a non-blank PNG', async () => {
    const model = buildReportModel({ candidates: 1, flagged: 0, withIntegrity: false });
    const file = path.join(dir, 'one.pdf');
    await writeReportPdf(model, file);
    expect(await pageCount(file)).toBe(1);
    const text = await pdftotext(file);
    expect(text).toContain('Nguyễn Thị Ngọc Ánh');
    expect(text).toContain('Trang 1/1');
    expect(text).toContain('Không có lượt kiểm tra nào bị từ chối hoặc có cảnh báo.');
    expect(text).toContain('Không có thông tin toàn vẹn nhật ký.');
  });

  it('an empty session still gives a complete one-page report', async () => {
    const model = buildReportModel({ candidates: 0, flagged: 0 });
    const file = path.join(dir, 'empty.pdf');
    await writeReportPdf({ ...model, examiners: [] }, file);
    expect(await pageCount(file)).toBe(1);
    const text = await pdftotext(file);
    expect(text).toContain('STT');
    expect(text).toContain('CHỦ TỊCH HỘI ĐỒNG');
    expect(text).toContain('Trang 1/1');
  });

  it('is byte-for-byte deterministic for the same model', async () => {
    const model = buildReportModel({ candidates: 40, flagged: 5 });
    const a = await renderReportPdf(model);
    const b = await renderReportPdf(structuredClone(model));
    expect(a.equals(b)).toBe(true);
    const c = await renderReportPdf({ ...model, generatedAt: '2025-03-12T10:45:10Z' });
    expect(c.equals(a)).toBe(false);
  });

  it('wraps a long name inside its cell instead of spilling into the next column', async () => {
    const base = buildReportModel({ candidates: 1 });
    const long = 'Tôn Nữ Thị Hoàng Phương Thảo Nguyên Khánh Linh';
    const model: ReportModel = { ...base, candidates: [{ ...base.candidates[0]!, fullName: long }] };
    const file = path.join(dir, 'long.pdf');
    await writeReportPdf(model, file);
    const text = await pdftotext(file);
    expect(text).not.toContain(long); // not on one line
    for (const word of long.split(' ')) expect(text).toContain(word);
    // The words reappear in order when the cell's lines are joined.
    const joined = (await pdftotext(file)).replace(/\s+/g, ' ');
    expect(joined).toContain('Tôn Nữ Thị');
  });

  it('prints English labels on request', async () => {
    const file = path.join(dir, 'en.pdf');
    await writeReportPdf(buildReportModel({ candidates: 5, flagged: 2 }), file, { lang: 'en' });
    const text = await pdftotext(file);
    expect(text).toContain('SOCIALIST REPUBLIC OF VIET NAM');
    expect(text).toContain('CANDIDATE ATTENDANCE LIST');
    expect(text).toContain(`Page 1/${await pageCount(file)}`);
    expect(text).toContain('CHAIR OF THE COUNCIL');
    expect(text).toContain('Trần Đức Hưởng');
  });

  it('chunks long monospace values on fixed widths and keeps PEM lines', async () => {
    expect(chunkMonospace('a'.repeat(130), 64)).toEqual(['a'.repeat(64), 'a'.repeat(64), 'aa']);
    expect(chunkMonospace('-----BEGIN-----\r\nAB\n\n-----END-----\n', 64)).toEqual([
      '-----BEGIN-----',
      'AB',
      '-----END-----',
    ]);
  });
});

describe.skipIf(poppler.skip)('PDF report rasterised with pdftoppm', () => {
  it('gives one non-blank PNG per page', async () => {
    const model = buildReportModel({ candidates: 300, flagged: 30 });
    const file = path.join(dir, 'raster.pdf');
    await writeReportPdf(model, file);
    const out = mkdtempSync(path.join(dir, 'png-'));
    execFileSync('pdftoppm', ['-png', '-r', '80', file, path.join(out, 'page')]);
    const pngs = readdirSync(out)
      .filter((f) => f.endsWith('.png'))
      .sort();
    expect(pngs).toHaveLength(await pageCount(file));
    const first = PNG.sync.read(readFileSync(path.join(out, pngs[0]!)));
    // A4 at 80 dpi: 595.28 x 841.89 pt → 662 x 936 pixels.
    expect([first.width, first.height]).toEqual([662, 936]);
    let dark = 0;
    for (let i = 0; i < first.data.length; i += 4) if (first.data[i]! < 128) dark++;
    expect(dark).toBeGreaterThan(5000);
  });
});
