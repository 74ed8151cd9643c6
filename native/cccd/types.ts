/**
 * The card reading: what the kiosk learned from one card, whichever way it was read.
 * A QR scan and a chip read produce the same shape; the chip adds the photo and a real
 * authenticity result. The verification engine (electron/core/verification.ts) takes this.
 *
 * Pure types: safe to import from anywhere (Node, renderer, tests).
 */
import type { AuthenticityResult, CardPhoto, ReadingSource, Sex } from '../domain/vocabulary';

/** The identity data read from a card (QR or chip). Dates are ISO `yyyy-mm-dd`. */
export interface CardReading {
  source: ReadingSource;
  /** 12-digit personal ID number (số định danh cá nhân). */
  idNumber: string;
  /** Old 9-digit CMND number, when the card carries it. */
  oldIdNumber?: string;
  /** Full name in Unicode NFC, as printed (with diacritics when the source has them). */
  fullName: string;
  dateOfBirth: string;
  sex?: Sex;
  residence?: string;
  dateOfIssue?: string;
  /** ISO date, or null when the card never expires ("Không thời hạn"); undefined when unknown. */
  dateOfExpiry?: string | null;
  photo?: CardPhoto;
  authenticity: AuthenticityResult;
}
