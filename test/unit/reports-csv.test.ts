import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReportCsv, reportToCsv, csvField } from '../../electron/core/reports/csv';
import { ReportError } from '../../electron/core/reports/io';
import type { ReportModel } from '../../electron/core/reports/model';
import { buildReportModel, NAMED } from './reports-fixture';

const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-report-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeAndParse(model: ReportModel, name: string, opts = {}) {
  const out = path.join(dir, name);
  await writeReportCsv(model, out, opts);
  const bytes = readFileSync(out);
  const rows = parse(bytes, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  return { bytes, text: bytes.toString('utf8'), rows };
}

describe('CSV report', () => {
  it('one candidate: BOM, CRLF, header, the row, a blank line, then the flagged table', async () => {
    const model = buildReportModel({ candidates: 1, flagged: 1 });
    const { bytes, text, rows } = await writeAndParse(model, 'one.csv');

    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // every line break is CRLF
    expect(text.endsWith('\r\n')).toBe(true);

    expect(rows[0]).toEqual([
      'STT',
      'SBD',
      'Họ và tên',
      'Ngày sinh',
      'Số CCCD',
      'Hạng',
      'Có mặt / Vắng',
      'Giờ điểm danh',
      'Kết quả đối chiếu',
      'Xác thực thẻ',
      'Cán bộ sát hạch',
    ]);
    const c = model.candidates[0]!;
    const [y, m, d] = c.dateOfBirth.split('-');
    expect(rows[1]).toEqual([
      '1',
      '000001',
      'Nguyễn Thị Ngọc Ánh',
      `${d}/${m}/${y}`,
      c.idNumberMasked,
      c.licenceClass,
      'Có mặt',
      // 00:00:00 UTC on 12 March is 07:00:00 in Asia/Ho_Chi_Minh.
      '12/03/2025 07:00:00',
      'Đúng thí sinh',
      c.authenticityVerdict === 'genuine' ? 'Thẻ thật (chip xác thực)' : expect.any(String),
      'Đinh Công Tráng',
    ]);
    expect(rows[2]).toEqual(['']);
    expect(rows[3]?.[0]).toBe('STT');
    expect(rows[3]).toContain('Lý do');
    // The flagged table ends at the blank line before the log integrity fields.
    expect(rows[5]).toEqual(['']);
    const f = rows[4]!;
    expect(f[1]).toBe('12/03/2025 08:00:00');
    expect(f[2]).toBe('1000');
    expect(f[5]).toBe('Không có trong danh sách');
    expect(f[6]).toBe('Thẻ bị sửa đổi hoặc giả mạo');
    expect(f[7]).toBe(
      'Lỗi: Họ tên trên thẻ không khớp với danh sách thí sinh của kỳ sát hạch; ' +
        'Cảnh báo: Chip không chứng minh được là thẻ thật (thiếu xác thực chủ động)',
    );
    expect(f[8]).toBe('identity.not_on_roster authenticity.altered_or_forged');
    expect(f.slice(9)).toEqual(['Đinh Công Tráng', 'Bàn 1', 'Chip']);
  });

  it('300 candidates parse back to 300 rows in order, absent ones marked and without a time', async () => {
    const model = buildReportModel({ candidates: 300, flagged: 25 });
    const { rows } = await writeAndParse(model, 'three-hundred.csv');
    const blank = rows.findIndex((r) => r.length === 1 && r[0] === '');
    expect(blank).toBe(301);
    const cand = rows.slice(1, blank);
    expect(cand).toHaveLength(300);
    expect(cand.map((r) => r[2])).toEqual(model.candidates.map((c) => c.fullName));
    expect(cand.slice(0, 4).map((r) => r[2])).toEqual([...NAMED]);
    expect(cand.map((r) => r[0])).toEqual(model.candidates.map((_, i) => String(i + 1)));
    const absent = cand.filter((r) => r[6] === 'Vắng');
    expect(absent).toHaveLength(model.totals.absent);
    expect(cand[2]?.[6]).toBe('Vắng');
    for (const r of absent) expect(r.slice(7)).toEqual(['', '', '', '']);
    for (const r of cand.filter((x) => x[6] === 'Có mặt')) {
      expect(r[7]).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
      expect(r[3]).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    }
    const end = rows.findIndex((r, i) => i > blank && r.length === 1 && r[0] === '');
    const flagged = rows.slice(blank + 2, end);
    expect(flagged).toHaveLength(25);
    expect(flagged.map((r) => r[2])).toEqual(model.flagged.map((f) => String(f.logId)));
  });

  it('neutralises formula injection and keeps commas, quotes and line breaks intact', async () => {
    const base = buildReportModel({ candidates: 1 });
    const evil = ['=HYPERLINK("http://x.invalid","bấm")', '+84 912', '-1+1', '@SUM(A1:A9)', '\t=1+1'];
    const model: ReportModel = {
      ...base,
      candidates: [
        ...evil.map((fullName, i) => ({
          candidateNo: `=${i}`,
          fullName,
          dateOfBirth: '2001-02-03',
          idNumberMasked: '•••••••12345',
          present: false,
        })),
        {
          candidateNo: '0099',
          fullName: 'Lê "Tí", Văn\nLương',
          dateOfBirth: '2001-02-03',
          idNumberMasked: '•••••••12345',
          present: true,
          checkedInAt: '2025-03-12T17:30:00Z',
          examiner: '-Trần Đức Hưởng',
        },
      ],
    };
    const { rows } = await writeAndParse(model, 'evil.csv');
    expect(rows.slice(1, 6).map((r) => r[2])).toEqual(evil.map((e) => `'${e}`));
    expect(rows.slice(1, 6).map((r) => r[1])).toEqual(['0', '1', '2', '3', '4'].map((i) => `'=${i}`));
    const last = rows[6]!;
    expect(last[2]).toBe('Lê "Tí", Văn\nLương');
    // 17:30 UTC is 00:30 the next day in Vietnam: the date follows the time zone, 24-hour clock.
    expect(last[7]).toBe('13/03/2025 00:30:00');
    expect(last[10]).toBe("'-Trần Đức Hưởng");
    expect(csvField('a;b', ';')).toBe('"a;b"');
    expect(csvField('a;b', ',')).toBe('a;b');
  });

  it('writes English labels and a semicolon-separated file on request', async () => {
    const model = buildReportModel({ candidates: 3, flagged: 1 });
    const out = path.join(dir, 'en.csv');
    await writeReportCsv(model, out, { lang: 'en', delimiter: ';' });
    const rows = parse(readFileSync(out), {
      bom: true,
      delimiter: ';',
      relax_column_count: true,
    }) as string[][];
    expect(rows[0]?.[2]).toBe('Full name');
    expect(rows[1]?.[8]).toBe('Registered candidate');
    expect(rows[3]?.[6]).toBe('Absent');
  });

  it('rejects an unknown time zone with a bilingual error and writes nothing', async () => {
    const model = { ...buildReportModel({ candidates: 1 }), timeZone: 'Asia/Hà_Nội' };
    const before = readdirSync(dir).length;
    const err = await writeReportCsv(model, path.join(dir, 'tz.csv')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReportError);
    expect((err as ReportError).code).toBe('report_invalid_time_zone');
    expect((err as ReportError).vi).toContain('Múi giờ');
    expect((err as ReportError).en).toContain('time zone');
    expect(readdirSync(dir).length).toBe(before);
    expect(() => reportToCsv(model)).toThrow(ReportError);
  });
});
