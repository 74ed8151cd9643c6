/**
 * What the application layer needs from its host. The Electron main process implements these with
 * dialogs, webContents.send and the reader manager; the test bridge with queued answers, SSE and
 * (optionally) a test reader. No electron import here.
 */
import type { ChipCheckin } from '../core/chip-checkin';
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

/** Reader status and reading progress; scans and chip reads go through the check-in flow. */
export type ReaderPortEvent =
  { type: 'status'; readers: ReaderStatusDTO[] } | { type: 'progress'; progress: ReadingProgressDTO };

/**
 * Chip readers and hardware QR scanners (serial, HID POS), seen from the application layer. The
 * adapter over native/readers/manager.ts lives in electron/app/reader-hub.ts.
 */
export interface ReaderPort {
  status(): ReaderStatusDTO[];
  listReaders(): Promise<ReaderInfoDTO[]>;
  configure(settings: ReaderSettingsDTO): Promise<void>;
  onEvent(listener: (event: ReaderPortEvent) => void): () => void;
  /** The check-in flow that reads the cards (its card job) and receives the hardware QR scans. */
  bind(checkin: ChipCheckin): void;
  /** Timings for that flow (waiting for a CAN, how long a QR is held, a read's deadline). */
  readonly flowTimings?: { waitForAccessMs?: number; accessTtlMs?: number; readTimeoutMs?: number };
  close(): Promise<void>;
}
