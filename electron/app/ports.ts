/**
 * What the application layer needs from its host. The Electron main process implements these with
 * dialogs, webContents.send and the reader manager; the test bridge with queued answers, SSE and
 * (optionally) a test reader. No electron import here.
 */
import type { CardReading } from '../../native/cccd/types';
import type {
  ApiError,
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

export type ReaderPortEvent =
  | { type: 'status'; readers: ReaderStatusDTO[] }
  | { type: 'qr'; readerId: string; text: string }
  | { type: 'progress'; progress: ReadingProgressDTO }
  /** A chip was read and authenticated: `details` is non-personal (checks, trace summary). */
  | { type: 'chip'; readerId: string; reading: CardReading; details: Record<string, unknown> }
  | { type: 'error'; readerId: string; error: ApiError };

/**
 * Chip readers and hardware QR scanners (serial, HID POS), seen from the application layer. The
 * adapter over native/readers/manager.ts lives in electron/app/reader-hub.ts.
 */
export interface ReaderPort {
  status(): ReaderStatusDTO[];
  listReaders(): Promise<ReaderInfoDTO[]>;
  configure(settings: ReaderSettingsDTO): Promise<void>;
  onEvent(listener: (event: ReaderPortEvent) => void): () => void;
  /**
   * The CAN for the next chip read (from a QR scan, with the QR text for the BAC fallback, or typed by
   * the examiner). True when a chip reader is ready to use it: the check then waits for the chip.
   */
  provideAccessKey(key: { can: string; qr?: string }): boolean;
  close(): Promise<void>;
}
