/**
 * The public shapes of a chip read: what the kiosk gives to open the chip (ChipAccess), how it asks
 * (ReadChipOptions, ChipProgress), and what comes back, live (ChipReadResult) or from a stored read
 * (StoredReadResult). Types only: the modules beside this one do the work.
 */
import type { CheckOutcome, Reason, Sex } from '../domain/vocabulary';
import type { CardReading } from '../cccd/types';
import type { Dg13Details } from '../cccd/dg13';
import type { AuthenticityReport } from '../icao/authenticity';
import type { FileReaderOptions } from '../icao/file-reader';
import type { TrustStore } from '../icao/trust-store';
import type { TraceEntry } from '../transport/recording';

/** What the kiosk knows to open the chip. Any one of them may be enough. */
export interface ChipAccess {
  /** Card Access Number (6 digits): on a CCCD, the last 6 digits of the ID. */
  can?: string;
  /** A typed MRZ (TD1 3 x 30 or TD3 2 x 44), or a 24-character BAC MRZ_information. */
  mrz?: string;
  /** The QR text of the card front (gives the ID, date of birth and issue date). */
  qr?: string;
  /** 12-digit ID number, ISO dates. */
  idNumber?: string;
  dateOfBirth?: string;
  dateOfIssue?: string;
}

export type ChipStep =
  | 'EF.CardAccess'
  | 'PACE'
  | 'BAC'
  | 'EF.COM'
  | 'DG1'
  | 'DG2'
  | 'DG13'
  | 'DG14'
  | 'DG15'
  | 'EF.SOD'
  | `DG${number}`
  | 'chip-auth'
  | 'active-auth'
  | 'passive-auth';

/** Progress for the UI: for files `done`/`total` are bytes ("reading DG2 40%"), otherwise steps. */
export interface ChipProgress {
  step: ChipStep;
  done: number;
  total: number;
}

export interface ReadChipOptions {
  /** CSCA certificates / master lists. Without one the verdict cannot be genuine (unknown_issuer). */
  trustStore?: TrustStore;
  onProgress?: (p: ChipProgress) => void;
  /** Chunk sizes and extended-length use (see FileReader). */
  fileReader?: FileReaderOptions;
  /** false = never try PACE (BAC only). Default true. */
  pace?: boolean;
  /** Run Chip Authentication / Active Authentication when the chip offers them (default true). */
  chipAuth?: boolean;
  activeAuth?: boolean;
  /** Deadline for the whole read; when it passes the read stops with a retryable 'timeout'. */
  timeoutMs?: number;
  /** Aborts the read (e.g. the card left the reader). */
  signal?: AbortSignal;
  /** Today (ISO) for the BAC expiry candidates; default today in Vietnam. */
  today?: string;
  /** Reference time for certificate validity when the SOD has no signing time. */
  now?: Date;
}

export type DataGroupStatus = 'read' | 'absent' | 'denied' | 'error' | 'skipped';

export interface DataGroupInfo {
  /** 'EF.COM', 'DG1', ..., 'EF.SOD'. */
  name: string;
  fid: number;
  /** Size in bytes (0 when not read). */
  bytes: number;
  status: DataGroupStatus;
  /** For data groups checked against the SOD: whether the hash matched. */
  hashOk?: boolean;
  /** The chip's status word when it did not give the file. */
  sw?: number;
}

/**
 * Everything the chip says about the holder and the document (personal data: never log it). The
 * DG13 details (old ID, nationality, ethnicity, ..., spouse) as DG13 gives them; `nationality` also
 * comes from DG1 on other eMRTDs.
 */
export interface ChipDocument extends Dg13Details {
  /** Where the identity fields came from. */
  source: 'DG13' | 'DG1' | 'none';
  idNumber?: string;
  fullName?: string;
  dateOfBirth?: string;
  sex?: Sex;
  dateOfIssue?: string;
  /** ISO date, null = no expiry. */
  dateOfExpiry?: string | null;
  /** The MRZ lines of DG1. */
  mrz?: string[];
  mrzValid?: boolean;
  documentNumber?: string;
  /** MRZ document code ('ID', 'I', 'P', ...). */
  documentType?: string;
  issuingState?: string;
  photo?: { mime: string; bytes: number; width?: number; height?: number };
}

export interface ChipAuthSummary {
  outcome: CheckOutcome;
  code?: string;
}

export interface ChipReadResult {
  reading: CardReading;
  document: ChipDocument;
  authenticity: AuthenticityReport;
  access: 'PACE' | 'BAC';
  dataGroups: DataGroupInfo[];
  /** Raw files by name ('EF.CardAccess', 'EF.COM', 'DG1', ..., 'EF.SOD'), for --dump. */
  files: Map<string, Uint8Array>;
  /** Command APDUs sent. */
  apdus: number;
  /** File bytes read. */
  bytesRead: number;
  /** Wall time of the whole read. */
  ms: number;
  /** One entry per APDU: headers, lengths, status words, timings; never data. */
  trace: TraceEntry[];
  chipAuth: ChipAuthSummary;
  activeAuth: ChipAuthSummary;
  /** Notes that are not about authenticity (PACE fell back to BAC, a group was refused ...). */
  warnings: Reason[];
}

export interface StoredReadResult {
  /** Undefined when the files hold no usable identity. */
  reading?: CardReading;
  document: ChipDocument;
  authenticity: AuthenticityReport;
  dataGroups: DataGroupInfo[];
  files: Map<string, Uint8Array>;
  warnings: Reason[];
}
