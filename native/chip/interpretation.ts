/**
 * Interpreting the files of a read, live or stored: DG1 (MRZ), DG13 (CCCD details) and DG2 (face) into
 * the ChipDocument, and the document with its verdict into the kiosk's CardReading. Pure: no card, no
 * files on disk, nothing logged (the values are personal data).
 */
import type { CardPhoto, Reason } from '../domain/vocabulary';
import type { CardReading } from '../cccd/types';
import { DG13_DETAILS, parseDg13, type Dg13 } from '../cccd/dg13';
import type { AuthenticityReport } from '../icao/authenticity';
import { reason } from '../icao/bilingual';
import { dg2Photo, parseDg2 } from '../icao/dg2';
import { parseDg1, type Dg1 } from '../icao/lds';
import { isIsoDate, toYymmdd } from '../util/dates';
import type { ChipDocument } from './types';

export interface Interpretation {
  document: ChipDocument;
  photo?: CardPhoto;
  /** Findings about the data that belong to the authenticity verdict (errors and warnings). */
  readReasons: Reason[];
}

/** A data group's bytes parsed, if present; bytes that cannot be parsed add `unreadable()` to `warnings`. */
function parseGroup<T>(
  bytes: Uint8Array | undefined,
  parse: (bytes: Uint8Array) => T,
  unreadable: () => Reason,
  warnings: Reason[],
): T | undefined {
  if (!bytes) return undefined;
  try {
    return parse(bytes);
  } catch {
    warnings.push(unreadable());
    return undefined;
  }
}

const dg1Unreadable = (): Reason =>
  reason('dg1_unreadable', 'warning', 'DG1 (MRZ) không đọc được.', 'DG1 (MRZ) cannot be read.');
const dg13Unreadable = (): Reason =>
  reason('dg13_unreadable', 'warning', 'DG13 (thông tin công dân) không đọc được.', 'DG13 cannot be read.');

/**
 * What the files say: DG13 fields first (name with diacritics, dates, sex, old ID, residence); the DG1
 * MRZ fills in for other eMRTDs (name without diacritics, the document number); the DG2 face. DG1 and
 * DG13 that disagree on the ID number or date of birth are `dg1_dg13_mismatch` (altered_or_forged).
 */
export async function interpret(files: Map<string, Uint8Array>): Promise<Interpretation> {
  // Everything found here goes to the verdict's reasons: a group the issuer signed that cannot be
  // read is a warning (no clean green), DG1 and DG13 that disagree are a forgery.
  const warnings: Reason[] = [];
  const dg1 = parseGroup(files.get('DG1'), parseDg1, dg1Unreadable, warnings);
  const dg13 = parseGroup(files.get('DG13'), parseDg13, dg13Unreadable, warnings);
  const doc: ChipDocument = { source: 'none' };
  if (dg1) {
    const m = dg1.mrz;
    doc.mrz = [...m.lines];
    doc.mrzValid = dg1.valid;
    doc.documentNumber = m.documentNumber;
    doc.documentType = m.documentCode;
    doc.issuingState = m.issuingState;
    doc.nationality = m.nationality;
    const personal = m.optionalData1.replace(/</g, '');
    doc.idNumber = m.cccd?.idNumber ?? (/^\d{12}$/.test(personal) ? personal : m.documentNumber);
    doc.fullName = `${m.surname} ${m.givenNames}`.trim();
    if (m.dateOfBirthIso) doc.dateOfBirth = m.dateOfBirthIso;
    if (m.sex) doc.sex = m.sex;
    if (m.noExpiry) doc.dateOfExpiry = null;
    else if (m.dateOfExpiryIso) doc.dateOfExpiry = m.dateOfExpiryIso;
    doc.source = 'DG1';
  }
  if (dg13 && dg13.idNumber && dg13.fullName) {
    const mismatch = dg1 ? dg1Dg13Mismatch(dg1, dg13) : undefined;
    if (mismatch) {
      warnings.push(
        reason(
          'dg1_dg13_mismatch',
          'error',
          `${mismatch.vi} trong DG13 khác với MRZ (DG1): dữ liệu chip bị giả mạo.`,
          `The ${mismatch.en} in DG13 differs from the one in the MRZ (DG1): forged chip data.`,
        ),
      );
    }
    doc.source = 'DG13';
    doc.idNumber = dg13.idNumber;
    doc.fullName = dg13.fullName.normalize('NFC');
    const copy = ['dateOfBirth', 'sex', 'dateOfIssue', ...DG13_DETAILS] as const;
    for (const k of copy) {
      const v = dg13[k];
      if (v !== undefined) (doc as unknown as Record<string, unknown>)[k] = v;
    }
    if (dg13.dateOfExpiry !== undefined) doc.dateOfExpiry = dg13.dateOfExpiry;
  }
  let photo: CardPhoto | undefined;
  const dg2Bytes = files.get('DG2');
  if (dg2Bytes) {
    try {
      const face = parseDg2(dg2Bytes).faces[0];
      photo = await dg2Photo(dg2Bytes);
      doc.photo = { mime: photo.mime, bytes: photo.data.length };
      if (face && face.width > 0) {
        doc.photo.width = face.width;
        doc.photo.height = face.height;
      }
    } catch {
      warnings.push(
        reason(
          'dg2_unreadable',
          'warning',
          'Ảnh chân dung (DG2) không đọc được.',
          'The face image (DG2) cannot be read.',
        ),
      );
    }
  }
  const out: Interpretation = { document: doc, readReasons: warnings };
  if (photo) out.photo = photo;
  return out;
}

/** What DG1 (MRZ) and DG13 disagree on, if anything: the ID number or the date of birth. */
function dg1Dg13Mismatch(dg1: Dg1, dg13: Dg13): { vi: string; en: string } | undefined {
  const m = dg1.mrz;
  const mrzId = m.cccd?.idNumber;
  if (mrzId && dg13.idNumber && mrzId !== dg13.idNumber) return { vi: 'Số định danh', en: 'ID number' };
  if (
    dg13.idNumber &&
    /^\d{12}$/.test(dg13.idNumber) &&
    m.issuingState === 'VNM' &&
    m.documentCode.startsWith('I')
  ) {
    // The CCCD document number is the last 9 digits of the ID.
    if (/^\d{9}$/.test(m.documentNumber) && m.documentNumber !== dg13.idNumber.slice(3))
      return { vi: 'Số định danh', en: 'ID number' };
  }
  if (dg13.dateOfBirth && isIsoDate(dg13.dateOfBirth) && /^\d{6}$/.test(m.dateOfBirth)) {
    if (toYymmdd(dg13.dateOfBirth) !== m.dateOfBirth) return { vi: 'Ngày sinh', en: 'date of birth' };
  }
  return undefined;
}

/** The CardReading of a document with a usable identity (ID, name, date of birth); else undefined. */
export function readingOf(
  doc: ChipDocument,
  photo: CardPhoto | undefined,
  authenticity: AuthenticityReport,
): CardReading | undefined {
  if (doc.source === 'none' || !doc.idNumber || !doc.fullName || !doc.dateOfBirth) return undefined;
  const reading: CardReading = {
    source: 'chip',
    idNumber: doc.idNumber,
    fullName: doc.fullName,
    dateOfBirth: doc.dateOfBirth,
    authenticity: {
      verdict: authenticity.verdict,
      checks: authenticity.checks,
      reasons: authenticity.reasons,
    },
  };
  if (doc.oldIdNumber) reading.oldIdNumber = doc.oldIdNumber;
  if (doc.sex) reading.sex = doc.sex;
  if (doc.residence) reading.residence = doc.residence;
  if (doc.dateOfIssue) reading.dateOfIssue = doc.dateOfIssue;
  if (doc.dateOfExpiry !== undefined) reading.dateOfExpiry = doc.dateOfExpiry;
  if (photo) reading.photo = photo;
  return reading;
}
