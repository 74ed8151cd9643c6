/**
 * Fictional Vietnamese people for the demo roster, tests and benchmarks. Deterministic for a seed;
 * every ID number is well-formed and agrees with the date of birth and sex, but belongs to nobody:
 * the serial part starts at 9xxxxx, a range chosen for generated data.
 */

import { cardExpiry } from '../../native/cccd/expiry';
import { mulberry32 } from '../../native/util/random';

const SURNAMES = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
];
const MIDDLE_M = ['Văn', 'Đức', 'Minh', 'Hữu', 'Quốc', 'Thành', 'Công', 'Gia'];
const MIDDLE_F = ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Hoài', 'Mỹ', 'Phương', 'Kim'];
const GIVEN_M = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Hải',
  'Hưởng',
  'Khánh',
  'Long',
  'Nam',
  'Phúc',
  'Quân',
  'Sơn',
  'Tuấn',
  'Việt',
  'Đạt',
  'Lương',
];
const GIVEN_F = [
  'Ánh',
  'Giang',
  'Hà',
  'Hạnh',
  'Lan',
  'Linh',
  'Mai',
  'Ngân',
  'Thảo',
  'Thuỳ Dương',
  'Trang',
  'Vy',
  'Yến',
  'Huyền',
  'Nhung',
  'Oanh',
];
const PROVINCES = ['001', '031', '048', '079', '089', '092', '036', '038', '040', '046', '052', '075'];
const RESIDENCES = [
  'Số 12 Ngõ 34 Phố Huế, Hai Bà Trưng, Hà Nội',
  'Tổ 10 Ấp An Thái, Hòa Bình, Chợ Mới, An Giang',
  '45 Đường Lê Lợi, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh',
  'Thôn Đông, Xã Quỳnh Lâm, Quỳnh Lưu, Nghệ An',
];
export const CLASSES = ['B', 'B1', 'C1', 'C', 'A1', 'A'];

export interface FictionalPerson {
  candidateNo: string;
  idNumber: string;
  oldIdNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'M' | 'F';
  residence: string;
  dateOfIssue: string;
  licenceClass: string;
}

/** A small deterministic PRNG (mulberry32, shared with the software card's face photo). */
export const rng = mulberry32;

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const pad = (n: number, w: number) => String(n).padStart(w, '0');

export function centuryDigit(year: number, sex: 'M' | 'F'): number {
  const base = year < 2000 ? 0 : year < 2100 ? 2 : 4;
  return base + (sex === 'F' ? 1 : 0);
}

export function fictionalPerson(index: number, seed = 1): FictionalPerson {
  const r = rng(seed * 1_000_003 + index);
  const sex: 'M' | 'F' = r() < 0.5 ? 'M' : 'F';
  const year = 1965 + Math.floor(r() * 42); // 1965..2006: adults at an exam
  const month = 1 + Math.floor(r() * 12);
  const day = 1 + Math.floor(r() * 28);
  const fullName = [
    pick(r, SURNAMES),
    pick(r, sex === 'M' ? MIDDLE_M : MIDDLE_F),
    pick(r, sex === 'M' ? GIVEN_M : GIVEN_F),
  ].join(' ');
  const province = pick(r, PROVINCES);
  const serial = 900000 + (index % 100000);
  const idNumber = `${province}${centuryDigit(year, sex)}${pad(year % 100, 2)}${pad(serial, 6)}`;
  // A chip card issued 2021-2026 that is still valid for years (the renewal-age rule decides).
  const dateOfBirth = `${year}-${pad(month, 2)}-${pad(day, 2)}`;
  let dateOfIssue = '';
  for (let attempt = 0; attempt < 60; attempt++) {
    dateOfIssue = `${2021 + Math.floor(r() * 6)}-${pad(1 + Math.floor(r() * 10), 2)}-${pad(1 + Math.floor(r() * 28), 2)}`;
    if (dateOfIssue <= dateOfBirth) continue;
    const expiry = cardExpiry(dateOfBirth, dateOfIssue);
    if (expiry === null || expiry >= '2030-01-01') break;
  }
  return {
    candidateNo: pad(index + 1, 6),
    idNumber,
    oldIdNumber: pad(100000000 + Math.floor(r() * 899999999), 9),
    fullName,
    dateOfBirth,
    sex,
    residence: pick(r, RESIDENCES),
    dateOfIssue,
    licenceClass: pick(r, CLASSES),
  };
}

/** The QR text printed on the front of this person's card (the 7-field form). */
export function qrTextOf(
  p: Pick<
    FictionalPerson,
    'idNumber' | 'oldIdNumber' | 'fullName' | 'dateOfBirth' | 'sex' | 'residence' | 'dateOfIssue'
  >,
): string {
  const ddmmyyyy = (iso: string) => iso.slice(8, 10) + iso.slice(5, 7) + iso.slice(0, 4);
  return [
    p.idNumber,
    p.oldIdNumber,
    p.fullName,
    ddmmyyyy(p.dateOfBirth),
    p.sex === 'M' ? 'Nam' : 'Nữ',
    p.residence,
    ddmmyyyy(p.dateOfIssue),
  ].join('|');
}

/** A roster CSV (Vietnamese headers) of `count` fictional people. */
export function rosterCsv(count: number, seed = 1): string {
  const lines = ['Số báo danh,Họ và tên,Ngày sinh,Số CCCD,CMND,Hạng GPLX,Giới tính'];
  for (let i = 0; i < count; i++) {
    const p = fictionalPerson(i, seed);
    const dob = `${p.dateOfBirth.slice(8, 10)}/${p.dateOfBirth.slice(5, 7)}/${p.dateOfBirth.slice(0, 4)}`;
    lines.push(
      [
        p.candidateNo,
        p.fullName,
        dob,
        p.idNumber,
        p.oldIdNumber,
        p.licenceClass,
        p.sex === 'M' ? 'Nam' : 'Nữ',
      ].join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
