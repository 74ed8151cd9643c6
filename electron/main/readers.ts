import type { AppLogger, ReaderPort } from '../app/ports';

/**
 * The chip readers and hardware scanners for the app. Until the reader manager
 * (native/readers/manager.ts) is in the tree the kiosk runs with the keyboard-wedge scanner (read in
 * the window) and the manual fallback only.
 */
export async function createReaderPort(logger: AppLogger): Promise<ReaderPort | undefined> {
  logger.warn('readers.unavailable', { reason: 'reader manager not built in' });
  return undefined;
}
