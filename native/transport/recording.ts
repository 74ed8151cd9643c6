/**
 * RecordingTransport: wraps any CardTransport and keeps one trace entry per APDU, with its timing
 * and status word, for support staff. It never stores data bytes (they carry personal data): only
 * the header, the lengths and the status.
 */

import { decodeCommand } from '../iso7816/apdu';
import { ForwardingTransport, type CardTransport } from './types';

export interface TraceEntry {
  cla: number;
  ins: number;
  /** P1P2 as one number (e.g. 0x020C, a READ BINARY offset); omitted with `recordP1P2: false`. */
  p1p2?: number;
  /** Command data length (0 when none). */
  lc: number;
  /** Expected length, or null when the command has no Le. */
  le: number | null;
  extended: boolean;
  /** Response length including SW1 SW2 (0 when the transport threw). */
  responseLength: number;
  /** Status word, or null when the transport threw. */
  sw: number | null;
  /** Round-trip time in milliseconds. */
  ms: number;
  /** Error class name when the transport threw (e.g. 'CardRemovedError'); never its data. */
  error?: string;
}

export interface RecordingOptions {
  /** Include P1P2 in entries (default true). */
  recordP1P2?: boolean;
  /** Keep at most this many entries (oldest dropped; default 10000). */
  maxEntries?: number;
  /** Called with each new entry (e.g. to stream a trace). */
  onEntry?: (entry: TraceEntry) => void;
}

export class RecordingTransport extends ForwardingTransport {
  readonly trace: TraceEntry[] = [];
  private readonly options: RecordingOptions;

  constructor(inner: CardTransport, options: RecordingOptions = {}) {
    super(inner);
    this.options = options;
  }

  clear(): void {
    this.trace.length = 0;
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const entry: TraceEntry = {
      cla: command[0] ?? 0,
      ins: command[1] ?? 0,
      lc: 0,
      le: null,
      extended: false,
      responseLength: 0,
      sw: null,
      ms: 0,
    };
    if (this.options.recordP1P2 !== false) entry.p1p2 = ((command[2] ?? 0) << 8) | (command[3] ?? 0);
    try {
      const c = decodeCommand(command);
      entry.lc = c.data.length;
      entry.le = c.le ?? null;
      entry.extended = c.extended;
    } catch {
      entry.lc = Math.max(0, command.length - 4);
    }
    const start = performance.now();
    try {
      const response = await this.inner.transmit(command);
      entry.responseLength = response.length;
      if (response.length >= 2)
        entry.sw = (response[response.length - 2]! << 8) | response[response.length - 1]!;
      return response;
    } catch (e) {
      entry.error = e instanceof Error ? e.name : 'Error';
      throw e;
    } finally {
      entry.ms = Math.round((performance.now() - start) * 1000) / 1000;
      this.trace.push(entry);
      const max = this.options.maxEntries ?? 10000;
      if (this.trace.length > max) this.trace.splice(0, this.trace.length - max);
      this.options.onEntry?.(entry);
    }
  }
}
