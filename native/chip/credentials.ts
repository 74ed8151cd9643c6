/**
 * Access credentials: from what the examiner scanned or typed (QR, ID number, dates, CAN, MRZ) to the
 * secrets that open the chip: the PACE password (CAN or MRZ) and the BAC keys' MRZ_information, most
 * likely first. Pure: no transport, no card.
 */
import { parseCccdQr } from '../cccd/qr';
import { bacExpiryCandidates } from '../cccd/expiry';
import { cccdMrzInformation, mrzInformation, parseMrz } from '../icao/mrz';
import { isIsoDate, toYymmdd } from '../util/dates';
import { ChipReadError, chipError } from './errors';
import type { ChipAccess } from './types';

export interface Credentials {
  can?: string;
  /** The typed MRZ's MRZ_information, if any. */
  typedMrz?: string;
  /** BAC MRZ_information candidates, most likely first, without duplicates. */
  bac: string[];
}

/** A BAC MRZ_information typed as it is: document number, check digit, birth, check, expiry, check. */
const MRZ_INFO_RE = /^[A-Z0-9<]{9}\d\d{6}\d\d{6}\d$/;

/**
 * What opens the chip, from what the kiosk was given: the CAN (given, or the last 6 digits of the ID
 * from the QR, a typed ID or a typed CCCD MRZ) for PACE, and the BAC MRZ_information candidates (a
 * typed MRZ first, then for a CCCD document number = last 9 digits of the ID + date of birth + each
 * expiry candidate of bacExpiryCandidates). Throws ChipReadError access_data_invalid / _missing.
 */
export function resolveCredentials(access: ChipAccess, today: string | undefined): Credentials {
  let idNumber = access.idNumber?.trim() || undefined;
  let dateOfBirth = access.dateOfBirth?.trim() || undefined;
  let dateOfIssue = access.dateOfIssue?.trim() || undefined;
  let typedMrz: string | undefined;
  let mrzCan: string | undefined;

  if (access.mrz !== undefined && access.mrz.trim() !== '') {
    const compact = access.mrz.toUpperCase().replace(/\s+/g, '');
    if (MRZ_INFO_RE.test(compact)) typedMrz = compact;
    else {
      const parsed = parseMrz(access.mrz);
      const mrz = parsed.ok ? parsed.mrz : parsed.mrz;
      if (!mrz || !/^\d{6}$/.test(mrz.dateOfBirth) || !/^\d{6}$/.test(mrz.dateOfExpiry)) {
        throw chipError('access_data_invalid');
      }
      // A check digit typed wrong still gives the fields: the chip decides.
      typedMrz = mrzInformation(mrz);
      if (mrz.cccd) mrzCan = mrz.cccd.idNumber.slice(-6);
    }
  }
  if (access.qr !== undefined && access.qr.trim() !== '') {
    const q = parseCccdQr(access.qr);
    if (q.ok) {
      idNumber ??= q.reading.idNumber;
      dateOfBirth ??= q.reading.dateOfBirth;
      dateOfIssue ??= q.reading.dateOfIssue;
    } else {
      // A mangled name (keyboard layout) still leaves the digits usable.
      const fields = access.qr.trim().split('|');
      const id = fields[0]?.trim();
      if (id && /^\d{12}$/.test(id)) idNumber ??= id;
      const dob = fields[3]?.trim();
      if (dob && /^\d{8}$/.test(dob)) {
        const iso = `${dob.slice(4)}-${dob.slice(2, 4)}-${dob.slice(0, 2)}`;
        if (isIsoDate(iso)) dateOfBirth ??= iso;
      }
      if (!idNumber && !access.can && !typedMrz) {
        throw new ChipReadError('access_data_invalid', q.reason, false);
      }
    }
  }
  if (idNumber !== undefined && !/^\d{12}$/.test(idNumber)) throw chipError('access_data_invalid');
  if (dateOfBirth !== undefined && !isIsoDate(dateOfBirth)) throw chipError('access_data_invalid');
  if (dateOfIssue !== undefined && !isIsoDate(dateOfIssue)) dateOfIssue = undefined;
  const can = access.can?.trim() || undefined;
  if (can !== undefined && !/^\d{6}$/.test(can)) throw chipError('access_data_invalid');

  const bac: string[] = [];
  const add = (info: string): void => {
    if (!bac.includes(info)) bac.push(info);
  };
  if (typedMrz) add(typedMrz);
  if (idNumber && dateOfBirth) {
    const dob = toYymmdd(dateOfBirth);
    for (const doe of bacExpiryCandidates(dateOfBirth, dateOfIssue, today)) {
      add(cccdMrzInformation(idNumber, dob, doe));
    }
  }
  const out: Credentials = { bac };
  const anyCan = can ?? idNumber?.slice(-6) ?? mrzCan;
  if (anyCan) out.can = anyCan;
  if (typedMrz) out.typedMrz = typedMrz;
  if (!out.can && bac.length === 0) throw chipError('access_data_missing');
  return out;
}
