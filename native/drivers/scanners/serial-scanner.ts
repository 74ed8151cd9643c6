/**
 * USB-serial (CDC/VCOM) QR scanners: each scan arrives as one line of text ended by a configurable
 * terminator. Lines are split on the terminator bytes first and only then decoded as UTF-8, so a
 * Vietnamese character split across two serial chunks is never mangled (@serialport/parser-readline).
 */

import { EventEmitter } from 'node:events';
import { ReadlineParser } from '@serialport/parser-readline';
import type { SerialPort } from 'serialport';
import { ReaderError, toReaderErrorInfo, type ReaderErrorInfo } from '../../transport/errors';

export type ScanTerminator = 'CR' | 'LF' | 'CRLF' | 'TAB';

export const TERMINATOR_BYTES: Record<ScanTerminator, string> = {
  CR: '\r',
  LF: '\n',
  CRLF: '\r\n',
  TAB: '\t',
};

export interface SerialScannerOptions {
  path: string;
  /** Default 9600 (the usual factory setting of serial-mode scanners). */
  baudRate?: number;
  /** Default CR (most scanners' factory suffix). */
  terminator?: ScanTerminator;
}

export interface SerialScannerEvents {
  text: [text: string];
  /** The port closed (scanner unplugged) or was closed. */
  close: [];
  error: [info: ReaderErrorInfo];
}

/**
 * Cleans one received line: drops stray CR/LF/TAB left by a terminator mismatch (a CRLF scanner read
 * with terminator CR leaves a leading LF) and a UTF-8 BOM. Returns '' for an empty line.
 */
export function cleanScanLine(line: string): string {
  return line.replace(/^\uFEFF/, '').replace(/^[\r\n\t]+|[\r\n\t]+$/g, '');
}

export class SerialScanner extends EventEmitter<SerialScannerEvents> {
  readonly path: string;
  readonly baudRate: number;
  readonly terminator: ScanTerminator;
  private closing = false;

  private constructor(
    private readonly port: SerialPort,
    options: SerialScannerOptions,
  ) {
    super();
    this.path = options.path;
    this.baudRate = options.baudRate ?? 9600;
    this.terminator = options.terminator ?? 'CR';
    const parser = port.pipe(
      new ReadlineParser({ delimiter: TERMINATOR_BYTES[this.terminator], encoding: 'utf8' }),
    );
    parser.on('data', (line: string) => {
      const text = cleanScanLine(line);
      if (text.length > 0) this.emit('text', text);
    });
    port.on('close', () => this.emit('close'));
    port.on('error', (err: Error) => {
      if (this.closing) return;
      if (this.listenerCount('error') > 0)
        this.emit('error', toReaderErrorInfo(new ReaderError('io', err.message)));
    });
  }

  static async open(options: SerialScannerOptions): Promise<SerialScanner> {
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({ path: options.path, baudRate: options.baudRate ?? 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err ? reject(new ReaderError('io', `cannot open ${options.path}`, { cause: err })) : resolve(),
      ),
    );
    return new SerialScanner(port, options);
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
  }
}
