/**
 * Software CCCDs of fictional candidates for the app-level tests: a SoftPerson from a fictional person
 * (name with diacritics, ID agreeing with the birth date and sex), the card with optional faults, and
 * the roster CSV line that registers that person.
 */
import { DEFAULT_PERSON, type SoftPerson } from '../../native/softcard/person';
import { createSoftCard, type SoftCard } from '../../native/softcard/soft-card';
import { cardExpiry } from '../../native/cccd/expiry';
import { stripDiacritics } from '../../native/cccd/names';
import { fictionalPerson } from '../../electron/core/fictional-people';

export function softPerson(index: number, seed: number): SoftPerson {
  const p = fictionalPerson(index, seed);
  const [surname, ...given] = stripDiacritics(p.fullName).toUpperCase().replace(/Đ/g, 'D').split(' ');
  return {
    ...DEFAULT_PERSON,
    idNumber: p.idNumber,
    oldIdNumber: p.oldIdNumber,
    fullName: p.fullName,
    dateOfBirth: p.dateOfBirth,
    sex: p.sex,
    residence: p.residence,
    dateOfIssue: p.dateOfIssue,
    dateOfExpiry: cardExpiry(p.dateOfBirth, p.dateOfIssue),
    mrzSurname: surname!,
    mrzGivenNames: given.join(' '),
    photoSeed: index + 3,
  };
}

export function softCardOf(index: number, seed: number, faults: string[] = []): SoftCard {
  return createSoftCard({ person: softPerson(index, seed), faults, qrForm: 7 });
}

/** The roster CSV row (Vietnamese headers: Số báo danh,Họ và tên,Ngày sinh,Số CCCD,Hạng GPLX,Giới tính). */
export function rosterLine(candidateNo: string, p: SoftPerson, licenceClass = 'B'): string {
  const dmy = `${p.dateOfBirth.slice(8, 10)}/${p.dateOfBirth.slice(5, 7)}/${p.dateOfBirth.slice(0, 4)}`;
  return [candidateNo, p.fullName, dmy, p.idNumber, licenceClass, p.sex === 'M' ? 'Nam' : 'Nữ'].join(',');
}
