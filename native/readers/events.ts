/**
 * The manager's ONE event stream:
 *
 *   qr-scanned · card-present · card-removed · reading-progress · reading-done · reader-error · reader-status
 *
 * Every event is emitted under its own name and, as a discriminated union `{ type, ... }`, under 'event'.
 * In the kiosk, electron/app/reader-hub.ts is the one listener: it feeds QR scans to the check-in and
 * turns the rest into reader status, reading progress and verdicts for the window. Payloads carry reader
 * ids, kinds, statuses and codes; only `qr-scanned` (the text) and `reading-done` (the job's result)
 * carry personal data, never to be logged.
 */
import type { ReaderErrorInfo } from '../transport/errors';
import type { ReaderKind, ReaderStatus } from './config';
import type { JobOutcome } from './job';

export interface QrScannedEvent {
  readerId: string;
  kind: ReaderKind;
  /** The scanned text (personal data: never log it). */
  text: string;
  symbology?: string;
  /**
   * The reader read this QR off the card it presents next (the software-card reader): the QR waits
   * for that chip whatever the other readers do.
   */
  cardFollows?: boolean;
  at: number;
}

export interface CardPresentEvent {
  readerId: string;
  kind: ReaderKind;
  readerName: string;
  /** ATR in hex for PC/SC readers (not personal data). */
  atr?: string;
}

export interface CardRemovedEvent {
  readerId: string;
  kind: ReaderKind;
  readerName: string;
}

export interface ReadingProgressEvent {
  readerId: string;
  step: string;
  done?: number;
  total?: number;
}

export type ReadingDoneEvent<R> = { readerId: string } & JobOutcome<R>;

export interface ReaderErrorEvent {
  readerId: string;
  kind: ReaderKind;
  error: ReaderErrorInfo;
  /** When the manager will try again, if it will. */
  retryInMs?: number;
}

export interface ReaderStatusEvent {
  readerId: string;
  kind: ReaderKind;
  status: ReaderStatus;
  /** Technical detail for support (never personal data). */
  detail?: string;
}

export interface ManagerEventPayloads<R> {
  'qr-scanned': QrScannedEvent;
  'card-present': CardPresentEvent;
  'card-removed': CardRemovedEvent;
  'reading-progress': ReadingProgressEvent;
  'reading-done': ReadingDoneEvent<R>;
  'reader-error': ReaderErrorEvent;
  'reader-status': ReaderStatusEvent;
}

export type ManagerEvent<R = unknown> = {
  [K in keyof ManagerEventPayloads<R>]: { type: K } & ManagerEventPayloads<R>[K];
}[keyof ManagerEventPayloads<R>];

export type ManagerEvents<R> = { [K in keyof ManagerEventPayloads<R>]: [ManagerEventPayloads<R>[K]] } & {
  event: [ManagerEvent<R>];
};
