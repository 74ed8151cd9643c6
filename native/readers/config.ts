/**
 * What the reader manager is given and what it reports about each reader: the configurations (one per
 * reader or scanner), their kinds and statuses, and the one rule the check-in needs from them: is a chip
 * reader there to use a QR's CAN?
 */
import type { PcscShareMode } from '../drivers/pcsc/pcsc';
import type { ScanTerminator } from '../drivers/scanners/serial-scanner';
import type { HidPosLayout } from '../drivers/hid/hid-pos';

export type ReaderConfig =
  | {
      kind: 'pcsc';
      id?: string;
      /** Exact PC/SC reader name, or 'any' for whichever reader gets a card. */
      reader: string;
      shareMode?: PcscShareMode;
      extendedLength?: 'auto' | boolean;
    }
  | { kind: 'pn532'; id?: string; path: string; baudRate?: number }
  | { kind: 'serial-scanner'; id?: string; path: string; baudRate?: number; terminator?: ScanTerminator }
  | { kind: 'hid-pos'; id?: string; vendorId: number; productId: number; layout?: Partial<HidPosLayout> }
  /**
   * The demo's software-card reader (demo-driver.ts): no hardware, a card is "tapped" on it from the
   * app. `name` is the reader name the log keeps.
   */
  | { kind: 'softcard'; id?: string; name?: string };

export type ReaderKind = ReaderConfig['kind'];

export type ReaderStatus =
  'waiting' | 'connecting' | 'ready' | 'card-present' | 'reading' | 'error' | 'stopped';

/** The readers a chip card is placed on (the scanners only read QR codes; the software card comes with its own QR). */
const CHIP_KINDS: ReadonlySet<ReaderKind> = new Set(['pcsc', 'pn532']);
const CHIP_READY: ReadonlySet<ReaderStatus> = new Set(['ready', 'card-present', 'reading']);

/**
 * Whether a chip reader is there to use a QR's CAN: a PC/SC or PN532 reader that is ready, holds a card
 * or reads one. The check-in holds a scanned QR for the chip only then.
 */
export function chipReaderReady(readers: readonly { kind: ReaderKind; status: ReaderStatus }[]): boolean {
  return readers.some((r) => CHIP_KINDS.has(r.kind) && CHIP_READY.has(r.status));
}

/** The id of a reader whose configuration names none. */
export function defaultReaderId(c: ReaderConfig, index: number): string {
  switch (c.kind) {
    case 'pcsc':
      return `pcsc:${c.reader}`;
    case 'pn532':
      return `pn532:${c.path}`;
    case 'serial-scanner':
      return `serial:${c.path}`;
    case 'hid-pos':
      return `hid:${c.vendorId.toString(16).padStart(4, '0')}:${c.productId.toString(16).padStart(4, '0')}#${index}`;
    case 'softcard':
      return `softcard#${index}`;
  }
}
