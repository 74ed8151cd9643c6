import type { AppLogger, ReaderPort } from '../app/ports';
import { ReaderHub } from '../app/reader-hub';

/**
 * The chip readers and hardware scanners of the app: the reader manager, whose card job and QR scans
 * go to KioskApi's chip check-in flow, configured from the station settings by
 * KioskApi.startReaders(). Native stacks
 * (pcsclite, serialport, node-hid) load lazily inside it; a missing one shows as a reader error.
 */
export async function createReaderPort(logger: AppLogger): Promise<ReaderPort> {
  return new ReaderHub({ log: (line) => logger.info('reader', { line }) });
}
