/**
 * What the application layer needs from its host. The Electron main process implements these with
 * dialogs, webContents.send and the reader manager; the test bridge with queued answers, SSE and
 * (optionally) a test reader. No electron import here.
 */
import type { ChipCheckin, ChipCheckinResult } from '../core/chip-checkin';
import type { SoftCardTap } from '../../native/readers/demo-driver';
import type { JobOutcome } from '../../native/readers/job';
import type {
  Bilingual,
  EventName,
  EventPayload,
  ReaderInfoDTO,
  ReaderSettingsDTO,
  ReaderStatusDTO,
  ReadingProgressDTO,
} from '../shared/ipc-contract';

export interface FileFilter {
  name: string;
  extensions: string[];
}

/** File pickers. The renderer never sends paths: main asks the user and keeps the path. */
export interface FileDialogs {
  openFile(options: { title: Bilingual; filters: FileFilter[] }): Promise<string | null>;
  openFolder(options: { title: Bilingual }): Promise<string | null>;
  saveFile(options: { title: Bilingual; defaultName: string; filters: FileFilter[] }): Promise<string | null>;
}

/** Pushes an event to one window (clientId) or to every window (null). */
export interface EventSink {
  emit<E extends EventName>(clientId: string | null, event: E, payload: EventPayload<E>): void;
}

export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** The technical log (file). Callers pass codes, counts and timings only: never personal data. */
export interface AppLogger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export const silentLogger: AppLogger = { info() {}, warn() {}, error() {} };

/**
 * What the readers tell the application: reader status and reading progress, and the verdicts that come
 * from the readers rather than from a channel call (a chip read, a hardware QR scan, a held QR checked
 * on its own when its time ran out), each exactly once. electron/app/events.ts shows them in the window.
 */
export type ReaderPortEvent =
  | { type: 'status'; readers: ReaderStatusDTO[] }
  | { type: 'progress'; progress: ReadingProgressDTO }
  /** A check was made and logged. The chip read (photo) is personal data: for the screen only. */
  | { type: 'checked'; result: ChipCheckinResult }
  /** A read or a check failed: nothing was logged. */
  | { type: 'failed'; error: ReaderPortError; stage?: 'read' | 'check' }
  /** The card on the reader refused the access data (a foreign QR, a mistyped CAN): it waits for more. */
  | { type: 'refused'; error: ReaderPortError }
  /** A QR from a hardware scanner is held for the chip: place the card on the reader. */
  | { type: 'awaiting-chip' };

/** An error as the examiner sees it (no personal data). */
export interface ReaderPortError extends Bilingual {
  code: string;
}

/**
 * Chip readers and hardware QR scanners (serial, HID POS), seen from the application layer, with the
 * chip check-in flow they feed. The adapter over native/readers/manager.ts lives in
 * electron/app/reader-hub.ts: the one listener of the manager's events.
 */
export interface ReaderPort {
  status(): ReaderStatusDTO[];
  listReaders(): Promise<ReaderInfoDTO[]>;
  configure(settings: ReaderSettingsDTO): Promise<void>;
  onEvent(listener: (event: ReaderPortEvent) => void): () => void;
  /** The check-in flow that reads the cards (its card job) and receives the hardware QR scans. */
  bind(checkin: ChipCheckin): void;
  /** Whether a chip reader is ready to use a QR's CAN (the check-in holds a QR for the chip only then). */
  chipReady(): boolean;
  /** Demo mode: adds the software-card reader (native/readers/demo-driver.ts) beside the configured ones. */
  useSoftCard(): Promise<void>;
  /** Demo mode: taps a software card on that reader; resolves with the card job's outcome. */
  tapSoftCard(card: SoftCardTap): Promise<JobOutcome<ChipCheckinResult>>;
  /** Timings for that flow (waiting for a CAN, how long a QR is held, a read's deadline). */
  readonly flowTimings?: { waitForAccessMs?: number; accessTtlMs?: number; readTimeoutMs?: number };
  close(): Promise<void>;
}
