import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { detectDelimiter } from '../../electron/core/roster/decode';
import { RosterFileError, type RosterReadResult, type RosterRow } from '../../electron/core/roster/model';
import { readRosterFile } from '../../electron/core/roster/read';

// Fictional people. IDs agree with their dates of birth and sex (PPP G YY NNNNNN).
const P = [
  ['B2-001', 'Nguyễn Văn An', '05/09/2001', '001201012345', 'Nam', 'B2'],
  ['B2-002', 'Trần Thị Bình', '31/12/1998', '079198001234', 'Nữ', 'B'],
  ['B2-003', 'Lê Hoàng Cường', '14/02/2003', '048203009876', 'Nam', 'A1'],
  ['B2-004', 'Phạm Thị Dung', '07/07/1990', '036190004321', 'Nữ', 'C1'],
] as const;

const EXPECTED: Omit<RosterRow, 'rowNumber'>[] = [
  {
    candidateNo: 'B2-001',
    fullName: 'Nguyễn Văn An',
    dateOfBirth: '2001-09-05',
    idNumber: '001201012345',
    sex: 'M',
    licenceClass: 'B2',
  },
  {
    candidateNo: 'B2-002',
    fullName: 'Trần Thị Bình',
    dateOfBirth: '1998-12-31',
    idNumber: '079198001234',
    sex: 'F',
    licenceClass: 'B',
  },
  {
    candidateNo: 'B2-003',
    fullName: 'Lê Hoàng Cường',
    dateOfBirth: '2003-02-14',
    idNumber: '048203009876',
    sex: 'M',
    licenceClass: 'A1',
  },
  {
    candidateNo: 'B2-004',
    fullName: 'Phạm Thị Dung',
    dateOfBirth: '1990-07-07',
    idNumber: '036190004321',
    sex: 'F',
    licenceClass: 'C1',
  },
];

const NOW = new Date('2025-06-01T03:00:00Z');
const VI_HEADER = ['Số báo danh', 'Họ và tên', 'Ngày sinh', 'Số CCCD', 'Giới tính', 'Hạng GPLX'];

const dir = mkdtempSync(path.join(tmpdir(), 'roster-file-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

function write(ext: string, content: string | Uint8Array, sub = ''): string {
  const folder = path.join(dir, sub);
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `roster-${++fileNo}${ext}`);
  writeFileSync(file, content);
  return file;
}

function quote(v: string, delim: string): string {
  return /["\r\n]/.test(v) || v.includes(delim) ? `"${v.replace(/"/g, '""')}"` : v;
}

function csv(rows: readonly (readonly string[])[], delim = ',', eol = '\n'): string {
  return rows.map((r) => r.map((v) => quote(v, delim)).join(delim)).join(eol) + eol;
}

async function readOk(
  file: string,
  options: { sheet?: string } = {},
): Promise<Extract<RosterReadResult, { ok: true }>> {
  const r = await readRosterFile(file, { now: NOW, ...options });
  if (!r.ok)
    throw new Error(`expected ok, got ${JSON.stringify(r.errors.map((e) => [e.rowNumber, e.reason.code]))}`);
  return r;
}

async function fileError(file: string, options: { sheet?: string } = {}): Promise<RosterFileError> {
  try {
    await readRosterFile(file, { now: NOW, ...options });
  } catch (e) {
    expect(e).toBeInstanceOf(RosterFileError);
    return e as RosterFileError;
  }
  throw new Error('expected a RosterFileError');
}

function strip(rows: RosterRow[]): Omit<RosterRow, 'rowNumber'>[] {
  return rows.map(({ rowNumber: _n, ...rest }) => rest);
}

describe('CSV variants', () => {
  it('UTF-8 comma-separated without BOM', async () => {
    const r = await readOk(write('.csv', csv([VI_HEADER, ...P])));
    expect(r.format).toBe('csv');
    expect(r).not.toHaveProperty('sheet');
    expect(strip(r.rows)).toEqual(EXPECTED);
    expect(r.rows.map((x) => x.rowNumber)).toEqual([2, 3, 4, 5]);
    expect(r.warnings).toEqual([]);
  });

  it('UTF-8 with BOM (Excel "CSV UTF-8"), CRLF line ends', async () => {
    const text = csv([VI_HEADER, ...P], ',', '\r\n');
    const buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    const r = await readOk(write('.csv', buf));
    expect(strip(r.rows)).toEqual(EXPECTED);
    expect(r.rows[0]!.candidateNo).toBe('B2-001'); // the BOM did not stick to the first cell
  });

  it('semicolon-separated (Excel with a comma decimal locale), CRLF', async () => {
    const r = await readOk(write('.csv', csv([VI_HEADER, ...P], ';', '\r\n')));
    expect(strip(r.rows)).toEqual(EXPECTED);
  });

  it('tab-separated', async () => {
    const r = await readOk(write('.txt', csv([VI_HEADER, ...P], '\t')));
    expect(strip(r.rows)).toEqual(EXPECTED);
  });

  it('honours a "sep=;" first line and does not count it as a row', async () => {
    const r = await readOk(write('.csv', `sep=;\r\n${csv([VI_HEADER, ...P], ';', '\r\n')}`));
    expect(strip(r.rows)).toEqual(EXPECTED);
    expect(r.rows[0]!.rowNumber).toBe(2);
  });

  it('UTF-16LE with BOM, tab-separated (Excel "Unicode text")', async () => {
    const text = csv([VI_HEADER, ...P], '\t', '\r\n');
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const r = await readOk(write('.txt', buf));
    expect(strip(r.rows)).toEqual(EXPECTED);
  });

  it('quoted fields with delimiters, line breaks and quotes inside; row numbers count records', async () => {
    const header = [...VI_HEADER, 'Ghi chú'];
    const rows = [
      [...P[0], 'Thi lại; lần 2, "ca chiều"'],
      [...P[1], 'Dòng 1\r\nDòng 2'],
      [...P[2], ''],
    ];
    for (const delim of [',', ';', '\t']) {
      const r = await readOk(write('.csv', csv([header, ...rows], delim, '\r\n')));
      expect(r.rows.map((x) => x.note)).toEqual(['Thi lại; lần 2, "ca chiều"', 'Dòng 1 Dòng 2', undefined]);
      expect(r.rows.map((x) => x.rowNumber)).toEqual([2, 3, 4]);
    }
  });

  it('headers in English, without diacritics, odd spacing and case; unknown columns ignored', async () => {
    const variants = [
      ['STT', '  sbd ', 'HO  VA   TEN', 'ngay sinh', 'So Dinh Danh', 'gioi tinh', 'HANG', 'Địa chỉ'],
      ['No.', 'Candidate No', 'Full name', 'DOB', 'ID number', 'Sex', 'Licence class', 'Address'],
      ['#', 'CANDIDATE  NO.', 'full  NAME', 'Date of Birth', 'ID Number', 'SEX', 'License Class', 'x'],
      ['', 'Số  báo\ndanh', 'Họ tên', 'NGÀY SINH', 'CCCD', 'Giới Tính', 'Hạng', 'Ghi  chú  '],
      ['', 'SBD', 'Họ và tên', 'Ngày sinh', 'Số định danh', 'Giới tính', 'Hạng GPLX', 'Quê quán'],
    ];
    for (const header of variants) {
      const rows = P.map((p, i) => [String(i + 1), ...p, ''].slice(0, 7).concat(['']));
      const r = await readOk(write('.csv', csv([header, ...rows])));
      expect(strip(r.rows), header.join('|')).toEqual(EXPECTED);
    }
  });

  it('skips blank rows (empty lines, lines of delimiters) and keeps row numbers as the user sees them', async () => {
    const text = `${csv([VI_HEADER, P[0]])}\n,,,,,\n , , ,\n   \n${csv([P[1]])}`;
    const r = await readOk(write('.csv', text));
    expect(r.rows.map((x) => [x.rowNumber, x.candidateNo])).toEqual([
      [2, 'B2-001'],
      [7, 'B2-002'],
    ]);
  });

  it('title rows above the header are allowed and keep their row numbers', async () => {
    const text = csv([['DANH SÁCH THÍ SINH SÁT HẠCH', '', ''], ['Khóa 12/2025'], [], VI_HEADER, ...P]);
    const r = await readOk(write('.csv', text));
    expect(r.rows.map((x) => x.rowNumber)).toEqual([5, 6, 7, 8]);
  });

  it('stores names in NFC and normalises licence class and sex spellings', async () => {
    const rows = [
      ['B2-001', 'Nguyễn  Văn An'.normalize('NFD'), '5/9/2001', '001201012345', 'NAM', ' b2 '],
      ['B2-002', 'Trần Thị Bình', '1998-12-31', '079198001234', 'nu', 'c1e'],
      ['B2-003', 'Lê Hoàng Cường', '14022003', '048203009876', 'M', 'fb2'],
      ['B2-004', 'Phạm Thị Dung', '07.07.1990', '036190004321', 'F', ''],
    ];
    const r = await readOk(write('.csv', csv([VI_HEADER, ...rows])));
    expect(r.rows.map((x) => [x.fullName, x.dateOfBirth, x.sex, x.licenceClass])).toEqual([
      ['Nguyễn Văn An', '2001-09-05', 'M', 'B2'],
      ['Trần Thị Bình', '1998-12-31', 'F', 'C1E'],
      ['Lê Hoàng Cường', '2003-02-14', 'M', 'FB2'],
      ['Phạm Thị Dung', '1990-07-07', 'F', undefined],
    ]);
    expect(r.rows[0]!.fullName).toBe(r.rows[0]!.fullName.normalize('NFC'));
  });

  it('optional columns may be absent; an old CMND is read when present', async () => {
    const r = await readOk(
      write(
        '.csv',
        csv([
          ['SBD', 'Họ tên', 'Ngày sinh', 'Số CCCD', 'CMND'],
          ['1', 'Nguyễn Văn An', '05/09/2001', '001201012345', '012345678'],
          ['2', 'Trần Thị Bình', '31/12/1998', '079198001234', ''],
        ]),
      ),
    );
    expect(r.rows).toEqual([
      {
        rowNumber: 2,
        candidateNo: '1',
        fullName: 'Nguyễn Văn An',
        dateOfBirth: '2001-09-05',
        idNumber: '001201012345',
        oldIdNumber: '012345678',
      },
      {
        rowNumber: 3,
        candidateNo: '2',
        fullName: 'Trần Thị Bình',
        dateOfBirth: '1998-12-31',
        idNumber: '079198001234',
      },
    ]);
  });

  it('IDs that lost their leading zeros (Excel saved them as numbers) are padded only when unambiguous', async () => {
    const rows = [
      ['1', 'Nguyễn Văn An', '05/09/2001', '1201012345', 'Nam', 'B'], // 001 + 201012345 → Hà Nội
      ['2', 'Trần Thị Bình', '31/12/1998', '79198001234', 'Nữ', 'B'], // 0 + 79198001234 → Hồ Chí Minh
      ['3', 'Lê Hoàng Cường', '14/02/2003', "'048203009876", 'Nam', 'B'], // Excel text marker
    ];
    const r = await readOk(write('.csv', csv([VI_HEADER, ...rows])));
    expect(r.rows.map((x) => x.idNumber)).toEqual(['001201012345', '079198001234', '048203009876']);
    expect(r.warnings.map((w) => [w.rowNumber, w.column, w.reason.code, w.reason.severity])).toEqual([
      [2, 'Số CCCD', 'roster_id_padded', 'warning'],
      [3, 'Số CCCD', 'roster_id_padded', 'warning'],
    ]);
  });

  it('detectDelimiter ignores delimiters inside quotes', () => {
    expect(detectDelimiter('"a,b,c,d";x;y\n1;2;3')).toBe(';');
    expect(detectDelimiter('a\tb\tc\n"x;y;z"\t2\t3')).toBe('\t');
    expect(detectDelimiter('a,b,c\n')).toBe(',');
    expect(detectDelimiter('only one column\n')).toBe(',');
  });
});

describe('row validation: every bad row with every reason', () => {
  it('lists each bad row with its row number, column and reason, sorted', async () => {
    const header = ['SBD', 'Họ và tên', 'Ngày sinh', 'Số CCCD', 'CMND', 'Hạng', 'Giới tính'];
    const rows = [
      ['B2-001', 'Nguyễn Văn An', '05/09/2001', '001201012345', '', 'B2', 'Nam'], // 2 ok
      ['B2-002', '', '31/02/1998', '079198001234', '', 'B', 'Nữ'], // 3 no name, impossible date
      ['B2-003', 'Lê Hoàng Cường', '14/02/2003', '048103009876', '', 'A1', 'Nam'], // 4 century + sex digit
      ['B2-004', 'Phạm Thị Dung', '07/07/1990', '03619000432A', '1234567', 'Z9', 'X'], // 5 four problems
      ['B2-001', 'Nguyễn Văn An', '05/09/2001', '001201012345', '', 'B2', 'Nam'], // 6 duplicates of row 2
      ['B2-007', 'Nguy?n V?n Giang', '01/01/2000', '001200000007', '', 'B', ''], // 7 garbled name
      ['B2-008', 'Đỗ Thị Hạnh', '01/01/2030', '001330000008', '', 'B', 'Nữ'], // 8 future birth date
      ['', 'Hồ Văn Ích', '02/03/1985', '001085000009', '', '', ''], // 9 no candidate number
      ['B2-010', 'Vũ Thị Kim', '02/03/1985', '', '', '', ''], // 10 no ID
      ['B2-011', 'Đặng Văn Long', '02/03/1985', '001086000011', '', 'B', 'Nam'], // 11 year digits
      ['B2-012', 'Phạm Thị Dung', '07/07/1990', '036190004321', '', 'C1', 'Nữ'], // 12 ok
    ];
    const r = await readRosterFile(write('.csv', csv([header, ...rows])), { now: NOW });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.rowNumber, e.column, e.reason.code])).toEqual([
      [3, 'Họ và tên', 'roster_required_missing'],
      [3, 'Ngày sinh', 'roster_date_invalid'],
      [4, 'Số CCCD', 'id_century_mismatch'],
      [4, 'Số CCCD', 'id_sex_mismatch'],
      [5, 'Giới tính', 'roster_sex_invalid'],
      [5, 'Số CCCD', 'roster_id_format'],
      [5, 'CMND', 'roster_cmnd_format'],
      [5, 'Hạng', 'roster_licence_class_unknown'],
      [6, 'Số CCCD', 'roster_duplicate_id'],
      [6, 'SBD', 'roster_duplicate_candidate_no'],
      [7, 'Họ và tên', 'roster_name_garbled'],
      [8, 'Ngày sinh', 'roster_dob_future'],
      [9, 'SBD', 'roster_required_missing'],
      [10, 'Số CCCD', 'roster_required_missing'],
      [11, 'Số CCCD', 'id_year_mismatch'],
    ]);
    for (const e of r.errors) {
      expect(e.reason.severity).toBe('error');
      expect(e.reason.vi.length).toBeGreaterThan(8);
      expect(e.reason.en.length).toBeGreaterThan(8);
      // No personal data in messages (they may be printed by the CLI).
      expect(e.reason.vi + e.reason.en).not.toMatch(/Nguyễn|001201012345|B2-001|1998/);
    }
    const dupId = r.errors.find((e) => e.reason.code === 'roster_duplicate_id')!;
    expect(dupId.reason.vi).toContain('dòng 2 và dòng 6');
    expect(dupId.reason.en).toContain('rows 2 and 6');
    const dupNo = r.errors.find((e) => e.reason.code === 'roster_duplicate_candidate_no')!;
    expect(dupNo.reason.vi).toContain('dòng 2 và dòng 6');
  });

  it('an ID that cannot be padded unambiguously, or in scientific notation, is refused with an explanation', async () => {
    const rows = [
      ['1', 'Nguyễn Văn An', '05/09/2001', '3201012345', 'Nam', 'B'], // 003 is not a province code
      ['2', 'Trần Thị Bình', '31/12/1998', '7,91981E+10', 'Nữ', 'B'],
      ['3', 'Lê Hoàng Cường', '14/02/2003', '48203009', 'Nam', 'B'],
    ];
    const r = await readRosterFile(write('.csv', csv([VI_HEADER, ...rows])), { now: NOW });
    expect(r.ok === false && r.errors.map((e) => [e.rowNumber, e.reason.code])).toEqual([
      [2, 'roster_id_leading_zeros'],
      [3, 'roster_id_lost_digits'],
      [4, 'roster_id_format'],
    ]);
  });

  it('dates in US month/day/year order are not silently swapped', async () => {
    const rows = [
      ['1', 'Nguyễn Văn An', '9/25/2001', '001201012345', 'Nam', 'B'], // only fits m/d/y
      ['2', 'Trần Thị Bình', '12/11/1998', '079198001234', 'Nữ', 'B'], // fits both: ambiguous here
      ['3', 'Lê Hoàng Cường', '2/2/2003', '048203009876', 'Nam', 'B'], // same either way
    ];
    const r = await readRosterFile(write('.csv', csv([VI_HEADER, ...rows])), { now: NOW });
    expect(r.ok === false && r.errors.map((e) => [e.rowNumber, e.reason.code])).toEqual([
      [2, 'roster_date_invalid'],
      [3, 'roster_date_order'],
    ]);
    if (!r.ok) expect(r.errors[0]!.reason.vi).toContain('tháng/ngày/năm');
  });

  it('the same ambiguous dates are fine when the file shows day/month order elsewhere', async () => {
    const rows = [
      ['1', 'Nguyễn Văn An', '25/9/2001', '001201012345', 'Nam', 'B'],
      ['2', 'Trần Thị Bình', '12/11/1998', '079198001234', 'Nữ', 'B'],
    ];
    const r = await readOk(write('.csv', csv([VI_HEADER, ...rows])));
    expect(r.rows.map((x) => x.dateOfBirth)).toEqual(['2001-09-25', '1998-11-12']);
  });

  it('an unknown province code is a warning only', async () => {
    const r = await readOk(
      write('.csv', csv([VI_HEADER, ['1', 'Nguyễn Văn An', '05/09/2001', '003201012345', 'Nam', 'B']])),
    );
    expect(r.rows).toHaveLength(1);
    expect(r.warnings.map((w) => [w.rowNumber, w.reason.code])).toEqual([[2, 'id_province_unknown']]);
  });
});

function tinyPng(): Buffer {
  const png = new PNG({ width: 2, height: 2 });
  png.data.fill(200);
  return PNG.sync.write(png);
}

function tinyJpeg(): Buffer {
  const data = Buffer.alloc(8 * 8 * 4, 128);
  return Buffer.from(jpeg.encode({ data, width: 8, height: 8 }, 80).data);
}

describe('photos relative to the roster file', () => {
  const sub = 'with-photos';
  const jpg = tinyJpeg();
  const png = tinyPng();
  mkdirSync(path.join(dir, sub, 'anh'), { recursive: true });
  writeFileSync(path.join(dir, sub, 'anh', 'an.jpg'), jpg);
  writeFileSync(path.join(dir, sub, 'anh', 'binh.png'), png);
  writeFileSync(path.join(dir, sub, 'anh', 'fake.jpg'), 'not an image at all');
  const header = [...VI_HEADER, 'Ảnh'];

  it('reads JPEG and PNG by their magic bytes; Windows separators accepted', async () => {
    expect(jpg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const file = write(
      '.csv',
      csv([header, [...P[0], 'anh/an.jpg'], [...P[1], 'anh\\binh.png'], [...P[2], '']]),
      sub,
    );
    const r = await readOk(file);
    expect(r.rows[0]!.photo).toEqual({ mime: 'image/jpeg', data: new Uint8Array(jpg), fileName: 'an.jpg' });
    expect(r.rows[1]!.photo).toEqual({ mime: 'image/png', data: new Uint8Array(png), fileName: 'binh.png' });
    expect(r.rows[2]).not.toHaveProperty('photo');
  });

  it('a missing file or a file that is not JPEG/PNG is a row error', async () => {
    const file = write(
      '.csv',
      csv([header, [...P[0], 'anh/khong-co.jpg'], [...P[1], 'anh/fake.jpg'], [...P[2], 'anh/an.jpg']]),
      sub,
    );
    const r = await readRosterFile(file, { now: NOW });
    expect(r.ok === false && r.errors.map((e) => [e.rowNumber, e.column, e.reason.code])).toEqual([
      [2, 'Ảnh', 'roster_photo_not_found'],
      [3, 'Ảnh', 'roster_photo_format'],
    ]);
  });

  it('a row with other errors also reports its photo problem', async () => {
    const bad = ['B2-009', '', '05/09/2001', '001201012345', 'Nam', 'B2', 'anh/khong-co.jpg'];
    const r = await readRosterFile(write('.csv', csv([header, bad]), sub), { now: NOW });
    expect(r.ok === false && r.errors.map((e) => e.reason.code)).toEqual([
      'roster_required_missing',
      'roster_photo_not_found',
    ]);
  });
});

describe('file-level problems throw RosterFileError', () => {
  it('not found', async () => {
    const e = await fileError(path.join(dir, 'khong-ton-tai.csv'));
    expect(e.code).toBe('not_found');
    expect(e.vi).toMatch(/Không tìm thấy/);
    expect(e.en).toMatch(/not found/);
  });
  it('unreadable (a folder)', async () => {
    mkdirSync(path.join(dir, 'folder.csv'), { recursive: true });
    expect((await fileError(path.join(dir, 'folder.csv'))).code).toBe('unreadable');
  });
  it('not CSV/XLSX: other extensions, old .xls, .xlsx that is not a zip', async () => {
    expect((await fileError(write('.pdf', '%PDF-1.4'))).code).toBe('unsupported_format');
    const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    const xls = await fileError(write('.xls', ole));
    expect(xls.code).toBe('unsupported_format');
    expect(xls.vi).toContain('.xlsx');
    expect((await fileError(write('.xlsx', 'SBD,Họ tên\n'))).code).toBe('xlsx_corrupt');
    expect((await fileError(write('.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])))).code).toBe(
      'xlsx_corrupt',
    );
  });
  it('not UTF-8', async () => {
    // "Họ và tên" in a legacy single-byte encoding: bytes that are not valid UTF-8.
    const e = await fileError(
      write('.csv', Buffer.from([0x48, 0x6f, 0x20, 0x76, 0xe0, 0x20, 0x74, 0xea, 0x6e, 0x0a])),
    );
    expect(e.code).toBe('encoding');
    expect(e.vi).toContain('UTF-8');
  });
  it('empty file, blank lines only, header only', async () => {
    expect((await fileError(write('.csv', ''))).code).toBe('empty');
    expect((await fileError(write('.csv', '\r\n\r\n;;;\r\n'))).code).toBe('empty');
    expect((await fileError(write('.csv', Buffer.from([0xef, 0xbb, 0xbf])))).code).toBe('empty');
    expect((await fileError(write('.csv', csv([VI_HEADER])))).code).toBe('no_rows');
  });
  it('missing required column, named in both languages', async () => {
    const e = await fileError(
      write(
        '.csv',
        csv([
          ['SBD', 'Họ và tên', 'Số CCCD'],
          ['1', 'Nguyễn Văn An', '001201012345'],
        ]),
      ),
    );
    expect(e.code).toBe('missing_columns');
    expect(e.vi).toContain('Ngày sinh');
    expect(e.en).toContain('Date of birth');
    const e2 = await fileError(
      write(
        '.csv',
        csv([
          ['a', 'b'],
          ['1', '2'],
        ]),
      ),
    );
    expect(e2.code).toBe('missing_columns');
    for (const name of ['Số báo danh', 'Họ và tên', 'Ngày sinh', 'Số CCCD']) expect(e2.vi).toContain(name);
    for (const name of ['Candidate No', 'Full name', 'Date of birth', 'ID number'])
      expect(e2.en).toContain(name);
  });
  it('two columns meaning the same field', async () => {
    const e = await fileError(
      write(
        '.csv',
        csv([
          [...VI_HEADER, 'Số định danh'],
          [...P[0], '001201012345'],
        ]),
      ),
    );
    expect(e.code).toBe('duplicate_column');
  });
  it('malformed CSV (unclosed quote)', async () => {
    const e = await fileError(
      write('.csv', `${VI_HEADER.join(',')}\n"B2-001,Nguyễn Văn An,05/09/2001,001201012345\n`),
    );
    expect(e.code).toBe('csv_malformed');
  });
});

// ---------------------------------------------------------------------------------------------
// XLSX written with exceljs

function utcDate(dmy: string): Date {
  const [d, m, y] = dmy.split('/').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

async function writeXlsx(build: (wb: ExcelJS.Workbook) => void, sub = ''): Promise<string> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  const file = path.join(dir, sub, `roster-${++fileNo}.xlsx`);
  mkdirSync(path.dirname(file), { recursive: true });
  await wb.xlsx.writeFile(file);
  return file;
}

function addPeopleSheet(
  wb: ExcelJS.Workbook,
  name: string,
  people: readonly (readonly string[])[],
): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name);
  ws.addRow(VI_HEADER);
  for (const p of people) ws.addRow([p[0], p[1], utcDate(p[2]!), p[3], p[4], p[5]]);
  ws.getColumn(3).numFmt = 'dd/mm/yyyy';
  return ws;
}

describe('XLSX', () => {
  it('reads the first sheet by default, with date cells as ISO dates', async () => {
    const file = await writeXlsx((wb) => {
      addPeopleSheet(wb, 'Danh sách', P);
      addPeopleSheet(wb, 'Khác', [P[0]]);
    });
    const r = await readOk(file);
    expect(r.format).toBe('xlsx');
    expect(r.sheet).toBe('Danh sách');
    expect(strip(r.rows)).toEqual(EXPECTED);
    expect(r.rows.map((x) => x.rowNumber)).toEqual([2, 3, 4, 5]);
  });

  it('reads a named sheet (case and spacing ignored); an unknown name lists the sheets', async () => {
    const file = await writeXlsx((wb) => {
      addPeopleSheet(wb, 'Hướng dẫn', [P[3]]);
      addPeopleSheet(wb, 'Ca sáng', [P[0], P[1]]);
    });
    expect((await readOk(file, { sheet: 'Ca sáng' })).rows.map((x) => x.candidateNo)).toEqual([
      'B2-001',
      'B2-002',
    ]);
    const r = await readOk(file, { sheet: '  CA SÁNG ' });
    expect(r.sheet).toBe('Ca sáng');
    const e = await fileError(file, { sheet: 'Ca chiều' });
    expect(e.code).toBe('unknown_sheet');
    expect(e.vi).toContain('"Hướng dẫn", "Ca sáng"');
    expect(e.en).toContain('"Hướng dẫn", "Ca sáng"');
  });

  it('skips a hidden first sheet by default', async () => {
    const file = await writeXlsx((wb) => {
      const hidden = wb.addWorksheet('Dữ liệu ẩn', { state: 'hidden' });
      hidden.addRow(['x']);
      addPeopleSheet(wb, 'Danh sách', [P[0]]);
    });
    expect((await readOk(file)).sheet).toBe('Danh sách');
  });

  it('dates: no time zone shift, times rounded to the nearest day, number cells without a date format', async () => {
    const file = await writeXlsx((wb) => {
      const ws = wb.addWorksheet('DS');
      ws.addRow(VI_HEADER);
      // UTC midnight: exact serial.
      ws.addRow(['1', 'Nguyễn Văn An', new Date(Date.UTC(2001, 8, 5)), '001201012345', 'Nam', 'B']);
      // Local midnight of 31/12/1998 in UTC+7 stored as 17:00 UTC the day before.
      ws.addRow(['2', 'Trần Thị Bình', new Date(Date.UTC(1998, 11, 30, 17)), '079198001234', 'Nữ', 'B']);
      // ddmmyyyy typed as a number: the leading zero is gone.
      ws.addRow(['3', 'Lê Hoàng Cường', 14022003, '048203009876', 'Nam', 'B']);
      ws.addRow(['4', 'Phạm Thị Dung', 7071990, '036190004321', 'Nữ', 'B']);
      // A serial number whose date format was lost: 33061 = 07/07/1990.
      ws.addRow(['5', 'Phạm Thị Dung', 33061, '036190004399', 'Nữ', 'B']);
      // Text dates.
      ws.addRow(['6', 'Võ Văn Em', '02/03/1985', '001085000006', 'Nam', 'B']);
      ws.addRow(['7', 'Võ Văn Phong', '1985-03-02 00:00:00', '001085000007', 'Nam', 'B']);
      ws.getColumn(3).numFmt = 'dd/mm/yyyy';
      for (const r of [4, 5, 6]) ws.getCell(r, 3).numFmt = '0';
    });
    const r = await readOk(file);
    expect(r.rows.map((x) => x.dateOfBirth)).toEqual([
      '2001-09-05',
      '1998-12-31',
      '2003-02-14',
      '1990-07-07',
      '1990-07-07',
      '1985-03-02',
      '1985-03-02',
    ]);
  });

  it('dates in a workbook using the 1904 date system', async () => {
    const file = await writeXlsx((wb) => {
      wb.properties.date1904 = true;
      addPeopleSheet(wb, 'DS', P);
    });
    expect((await readOk(file)).rows.map((x) => x.dateOfBirth)).toEqual(EXPECTED.map((x) => x.dateOfBirth));
  });

  it('ID numbers stored as numbers: padded when unambiguous (with a warning), refused otherwise', async () => {
    const file = await writeXlsx((wb) => {
      const ws = wb.addWorksheet('DS');
      ws.addRow([...VI_HEADER, 'CMND']);
      ws.addRow(['1', 'Nguyễn Văn An', utcDate('05/09/2001'), 1201012345, 'Nam', 'B', 12345678]);
      ws.addRow(['2', 'Trần Thị Bình', utcDate('31/12/1998'), 79198001234, 'Nữ', 'B', 352576714]);
      ws.addRow(['3', 'Lê Hoàng Cường', utcDate('14/02/2003'), '048203009876', 'Nam', 'B', null]);
      ws.getColumn(3).numFmt = 'dd/mm/yyyy';
    });
    const r = await readOk(file);
    expect(r.rows.map((x) => [x.idNumber, x.oldIdNumber])).toEqual([
      ['001201012345', '012345678'],
      ['079198001234', '352576714'],
      ['048203009876', undefined],
    ]);
    expect(r.warnings.map((w) => [w.rowNumber, w.reason.code])).toEqual([
      [2, 'roster_id_padded'],
      [2, 'roster_cmnd_padded'],
      [3, 'roster_id_padded'],
    ]);

    const bad = await writeXlsx((wb) => {
      const ws = wb.addWorksheet('DS');
      ws.addRow(VI_HEADER);
      ws.addRow(['1', 'Nguyễn Văn An', utcDate('05/09/2001'), 3201012345, 'Nam', 'B']); // → 003…: unknown province
      ws.addRow(['2', 'Trần Thị Bình', utcDate('31/12/1998'), 79198001234.5, 'Nữ', 'B']);
      ws.addRow(['3', 'Lê Hoàng Cường', utcDate('14/02/2003'), 1203009876, 'Nam', 'B']); // pads to 001 2 03: wrong century? no: year 03 ok
      ws.getColumn(3).numFmt = 'dd/mm/yyyy';
    });
    const rb = await readRosterFile(bad, { now: NOW });
    expect(rb.ok === false && rb.errors.map((e) => [e.rowNumber, e.reason.code])).toEqual([
      [2, 'roster_id_leading_zeros'],
      [3, 'roster_id_format'],
    ]);
    // Padding does not bypass the checks: row 4 became 001203009876, which agrees with its date of birth.
    expect(rb.ok === false && rb.warnings.map((w) => [w.rowNumber, w.reason.code])).toEqual([
      [4, 'roster_id_padded'],
    ]);
  });

  it('rich text, formula results and hyperlinks are read as text; numeric candidate numbers as digits', async () => {
    const file = await writeXlsx((wb) => {
      const ws = wb.addWorksheet('DS');
      ws.addRow(VI_HEADER);
      ws.addRow([
        1,
        { richText: [{ text: 'Nguyễn ', font: { bold: true } }, { text: 'Văn An' }] },
        utcDate('05/09/2001'),
        { formula: '"001201012345"', result: '001201012345' },
        'Nam',
        { formula: 'UPPER("b2")', result: 'B2' },
      ]);
      ws.addRow([
        2,
        { text: 'Trần Thị Bình', hyperlink: 'https://example.invalid/' },
        utcDate('31/12/1998'),
        '079198001234',
        'Nữ',
        'B',
      ]);
      ws.getColumn(3).numFmt = 'dd/mm/yyyy';
    });
    const r = await readOk(file);
    expect(r.rows.map((x) => [x.candidateNo, x.fullName, x.idNumber, x.licenceClass])).toEqual([
      ['1', 'Nguyễn Văn An', '001201012345', 'B2'],
      ['2', 'Trần Thị Bình', '079198001234', 'B'],
    ]);
  });

  it('title rows and spreadsheet row numbers in errors', async () => {
    const file = await writeXlsx((wb) => {
      const ws = wb.addWorksheet('DS');
      ws.getCell('A1').value = 'DANH SÁCH THÍ SINH';
      ws.getRow(3).values = VI_HEADER;
      ws.getRow(4).values = ['1', 'Nguyễn Văn An', utcDate('05/09/2001'), '001201012345', 'Nam', 'B'];
      ws.getRow(6).values = ['2', 'Trần Thị Bình', utcDate('31/12/1998'), '079198001234', 'Nam', 'B'];
      ws.getColumn(3).numFmt = 'dd/mm/yyyy';
    });
    const r = await readRosterFile(file, { now: NOW });
    expect(r.ok === false && r.errors.map((e) => [e.rowNumber, e.reason.code])).toEqual([
      [6, 'id_sex_mismatch'],
    ]);
  });

  it('photos relative to an .xlsx roster', async () => {
    const sub = 'xlsx-photos';
    mkdirSync(path.join(dir, sub, 'anh'), { recursive: true });
    const png = tinyPng();
    writeFileSync(path.join(dir, sub, 'anh', '001.png'), png);
    const file = await writeXlsx((wb) => {
      const ws = wb.addWorksheet('DS');
      ws.addRow([...VI_HEADER, 'Photo']);
      ws.addRow([...P[0].slice(0, 2), utcDate(P[0][2]), ...P[0].slice(3), 'anh/001.png']);
      ws.getColumn(3).numFmt = 'dd/mm/yyyy';
    }, sub);
    const r = await readOk(file);
    expect(r.rows[0]!.photo?.mime).toBe('image/png');
    expect(Buffer.from(r.rows[0]!.photo!.data).equals(png)).toBe(true);
  });
});

describe('a large roster', () => {
  // Its speed is measured by `npm run bench -- roster-and-checks` (import of 100 000 rows < 3 s), not
  // asserted here: a timed test fails on a busy machine without anything being wrong.
  it('a 100 000-row CSV parses and validates every row', async () => {
    const lines = ['SBD,Họ và tên,Ngày sinh,Số CCCD,Giới tính,Hạng GPLX,Ghi chú'];
    for (let i = 0; i < 100_000; i++) {
      const id = `00120${1 + (i % 9)}${String(i).padStart(6, '0')}`;
      lines.push(
        `B-${i},"Nguyễn Văn Thí Sinh ${i}",05/09/200${1 + (i % 9)},${id},Nam,B,"ca ${i % 4}, phòng 2"`,
      );
    }
    const file = write('.csv', lines.join('\r\n'));
    const r = await readRosterFile(file, { now: NOW });
    expect(r.ok).toBe(true);
    expect(r.ok && r.rows).toHaveLength(100_000);
    expect(r.ok && r.rows[99_999]).toEqual({
      rowNumber: 100_001,
      candidateNo: 'B-99999',
      fullName: 'Nguyễn Văn Thí Sinh 99999',
      dateOfBirth: '2001-09-05',
      idNumber: '001201099999',
      sex: 'M',
      licenceClass: 'B',
      note: 'ca 3, phòng 2',
    });
  });
});
