import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReportXlsx } from '../../electron/core/reports/xlsx';
import { buildReportModel, NAMED } from './reports-fixture';

const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-report-xlsx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeAndRead(candidates: number, flagged: number, lang?: 'vi' | 'en') {
  const model = buildReportModel({ candidates, flagged });
  const out = path.join(dir, `r-${candidates}-${lang ?? 'vi'}.xlsx`);
  await writeReportXlsx(model, out, { lang });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(out);
  return { model, wb };
}

const utcDate = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!));
};

describe('XLSX report', () => {
  it('has the three sheets with a titled, frozen, filtered attendance table of real date cells', async () => {
    const { model, wb } = await writeAndRead(300, 25);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Điểm danh', 'Cảnh báo', 'Thông tin']);

    const ws = wb.getWorksheet('Điểm danh')!;
    expect(ws.getCell('A1').value).toBe('DANH SÁCH ĐIỂM DANH THÍ SINH');
    expect(ws.getCell('A2').value).toBe(`Hội đồng sát hạch: ${model.session.council}`);
    expect(String(ws.getCell('A3').value)).toContain('SH-2025-0312-B2');
    expect(String(ws.getCell('A3').value)).toContain('12/03/2025');
    expect(ws.getRow(5).values).toEqual([
      undefined,
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
    expect(ws.getCell('C5').font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 5 });
    expect(ws.autoFilter).toBe('A5:K305');
    expect(ws.rowCount).toBe(305);

    const names = [];
    for (let r = 6; r <= 305; r++) names.push(ws.getCell(r, 3).value);
    expect(names).toEqual(model.candidates.map((c) => c.fullName));
    expect(names.slice(0, 4)).toEqual([...NAMED]);

    // Date of birth: a real date cell at 00:00 UTC of that day, shown dd/mm/yyyy.
    const dob = ws.getCell('D6');
    expect(dob.value).toBeInstanceOf(Date);
    expect((dob.value as Date).toISOString()).toBe(utcDate(model.candidates[0]!.dateOfBirth).toISOString());
    expect(dob.numFmt).toBe('dd/mm/yyyy');
    // Check-in: the wall clock in Vietnam (00:00:00Z → 07:00:00), as a date-time cell.
    const at = ws.getCell('H6');
    expect(at.value).toBeInstanceOf(Date);
    expect((at.value as Date).toISOString()).toBe('2025-03-12T07:00:00.000Z');
    expect(at.numFmt).toBe('dd/mm/yyyy hh:mm:ss');
    expect(ws.getCell('I6').value).toBe('Đúng thí sinh');
    expect(ws.getCell('K6').value).toBe('Đinh Công Tráng');

    // Candidate 3 is absent: marked, shaded, and without a check-in time.
    expect(ws.getCell('G8').value).toBe('Vắng');
    expect(ws.getCell('H8').value).toBeNull();
    expect(ws.getCell('C8').fill).toMatchObject({ type: 'pattern', fgColor: { argb: 'FFEDEDED' } });
    expect(ws.getCell('C6').fill).toBeUndefined();
  });

  it('lists the flagged checks with their reasons and a date cell for the time', async () => {
    const { model, wb } = await writeAndRead(300, 25);
    const wf = wb.getWorksheet('Cảnh báo')!;
    expect(wf.getCell('A1').value).toBe('STT');
    expect(wf.getCell('H1').value).toBe('Lý do');
    expect(wf.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(wf.rowCount).toBe(26);
    expect(wf.autoFilter).toBe('A1:L26');
    const t = wf.getCell('B2').value;
    expect(t).toBeInstanceOf(Date);
    expect((t as Date).toISOString()).toBe('2025-03-12T08:00:00.000Z');
    expect(wf.getCell('C2').value).toBe(model.flagged[0]!.logId);
    expect(wf.getCell('F2').value).toBe('Không có trong danh sách');
    expect(wf.getCell('G2').value).toBe('Thẻ bị sửa đổi hoặc giả mạo');
    expect(String(wf.getCell('H2').value).split('\n')).toEqual([
      'Lỗi: Họ tên trên thẻ không khớp với danh sách thí sinh của kỳ sát hạch',
      'Cảnh báo: Chip không chứng minh được là thẻ thật (thiếu xác thực chủ động)',
    ]);
  });

  it('puts the session, totals and integrity data in "Thông tin"', async () => {
    const { model, wb } = await writeAndRead(300, 25);
    const wi = wb.getWorksheet('Thông tin')!;
    const byLabel = new Map<string, ExcelJS.CellValue>();
    wi.eachRow((row) => byLabel.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(byLabel.get('Mã kỳ sát hạch')).toBe('SH-2025-0312-B2');
    expect(byLabel.get('Ngày sát hạch')).toEqual(new Date(Date.UTC(2025, 2, 12)));
    expect(byLabel.get('Tổng số thí sinh')).toBe(300);
    expect(byLabel.get('Có mặt')).toBe(model.totals.present);
    expect(byLabel.get('Vắng')).toBe(model.totals.absent);
    expect(byLabel.get('Lượt kiểm tra bị từ chối')).toBe(model.totals.rejectedChecks);
    expect(byLabel.get('Mã băm cuối chuỗi nhật ký')).toBe(model.integrity!.headHash);
    expect(byLabel.get('Số bản ghi nhật ký')).toBe(4213);
    expect(byLabel.get('Khóa công khai')).toBe(model.integrity!.publicKey);
    expect(byLabel.get('Thời điểm lập báo cáo')).toEqual(new Date(Date.UTC(2025, 2, 12, 17, 45, 9)));
  });

  it('one candidate, English labels', async () => {
    const { wb } = await writeAndRead(1, 0, 'en');
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Attendance', 'Flagged checks', 'Information']);
    const ws = wb.getWorksheet('Attendance')!;
    expect(ws.rowCount).toBe(6);
    expect(ws.getCell('C6').value).toBe('Nguyễn Thị Ngọc Ánh');
    expect(ws.getCell('G6').value).toBe('Present');
    expect(wb.getWorksheet('Flagged checks')!.rowCount).toBe(1);
  });
});
