/**
 * A roster CSV (the Vietnamese headers a centre uses) that registers software-card holders, so a chip
 * check of the simulated card can match a candidate.
 */
import type { SoftPerson } from '../../native/softcard/person';

function dmy(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** Candidate numbers 001, 002, ... in the order given. */
export function rosterCsvFor(people: SoftPerson[]): string {
  const rows = people.map((p, i) =>
    [
      String(i + 1).padStart(3, '0'),
      p.fullName,
      dmy(p.dateOfBirth),
      p.idNumber,
      'B',
      p.sex === 'M' ? 'Nam' : 'Nữ',
    ].join(','),
  );
  return ['Số báo danh,Họ và tên,Ngày sinh,Số CCCD,Hạng GPLX,Giới tính', ...rows].join('\n') + '\n';
}
