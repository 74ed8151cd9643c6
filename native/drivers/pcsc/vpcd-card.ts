/**
 * A vpcd client: puts a software card into a real PC/SC reader.
 *
 * The vsmartcard `vpcd` driver inside pcscd listens on TCP (default 127.0.0.1:35963 = reader
 * "Virtual PCD 00 00", 35964 = "Virtual PCD 00 01"). A virtual card is a TCP client: connecting inserts
 * it, closing removes it. Framing both ways is a 2-byte big-endian length followed by the payload.
 * From vpcd, a 1-byte payload is a control code (00 power off, 01 power on, 02 reset: no reply;
 * 04 get ATR: reply with the ATR); a longer payload is a command APDU, answered with the response APDU.
 * pcscd polls presence by asking for the ATR every few hundred milliseconds.
 */

import { EventEmitter } from 'node:events';
import net from 'node:net';

/** The card behind a reader: takes a command APDU, returns the response APDU (data + SW1 SW2). */
export type CardFunction = (apdu: Uint8Array) => Promise<Uint8Array>;

export const VPCD_DEFAULT_PORT = 35963;
/** ATR of a contactless T=1 card with no historical bytes (what PC/SC readers build for ISO 14443-4). */
export const CONTACTLESS_ATR = Uint8Array.from([0x3b, 0x80, 0x80, 0x01, 0x01]);

export const VPCD_CTRL = { OFF: 0x00, ON: 0x01, RESET: 0x02, ATR: 0x04 } as const;

export interface VpcdCardOptions {
  host?: string;
  port?: number;
  atr?: Uint8Array;
  /**
   * Keep the card inserted across connection losses (pcscd restarted): when the connection drops or
   * is refused, try again every `reconnectDelayMs` until remove() is called.
   */
  reconnect?: boolean;
  reconnectDelayMs?: number;
}

export interface VpcdCardEvents {
  connected: [];
  disconnected: [];
  power: [state: 'off' | 'on' | 'reset'];
  error: [error: Error];
}

/** Encodes one vpcd frame. */
export function vpcdFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > 0xffff) throw new RangeError('vpcd payload longer than 65535 bytes');
  const out = new Uint8Array(payload.length + 2);
  out[0] = payload.length >> 8;
  out[1] = payload.length & 0xff;
  out.set(payload, 2);
  return out;
}

/** Incremental vpcd frame splitter (TCP delivers arbitrary chunks). */
export class VpcdFrameReader {
  private buf: Uint8Array = new Uint8Array(0);
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    const frames: Uint8Array[] = [];
    let off = 0;
    while (joined.length - off >= 2) {
      const len = (joined[off]! << 8) | joined[off + 1]!;
      if (joined.length - off - 2 < len) break;
      frames.push(joined.slice(off + 2, off + 2 + len));
      off += 2 + len;
    }
    this.buf = joined.slice(off);
    return frames;
  }
  reset(): void {
    this.buf = new Uint8Array(0);
  }
}

/** A software card inserted into the vpcd virtual reader. */
export class VpcdCard extends EventEmitter<VpcdCardEvents> {
  readonly host: string;
  readonly port: number;
  readonly atr: Uint8Array;
  private readonly reconnect: boolean;
  private readonly reconnectDelayMs: number;
  private socket: net.Socket | undefined;
  private wanted = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly reader = new VpcdFrameReader();
  private pendingInsert: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly card: CardFunction,
    options: VpcdCardOptions = {},
  ) {
    super();
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? VPCD_DEFAULT_PORT;
    this.atr = options.atr ?? CONTACTLESS_ATR;
    this.reconnect = options.reconnect ?? false;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 250;
  }

  /** True while the TCP connection to vpcd is up (the reader sees a card). */
  get inserted(): boolean {
    return this.socket !== undefined && !this.socket.connecting && !this.socket.destroyed;
  }

  /**
   * Inserts the card (connects to vpcd). Resolves once connected. With `reconnect`, a refused
   * connection is retried until it succeeds or remove() is called (which rejects the promise).
   */
  insert(): Promise<void> {
    if (this.inserted) return Promise.resolve();
    this.wanted = true;
    if (this.pendingInsert) this.pendingInsert.reject(new Error('superseded by a new insert()'));
    return new Promise<void>((resolve, reject) => {
      this.pendingInsert = { resolve, reject };
      if (!this.socket && !this.retryTimer) this.connect();
    });
  }

  /** Removes the card (closes the connection). Resolves once the socket is closed. */
  async remove(): Promise<void> {
    this.wanted = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.pendingInsert) {
      this.pendingInsert.reject(new Error('card removed before it was inserted'));
      this.pendingInsert = undefined;
    }
    const s = this.socket;
    if (!s || s.destroyed) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    });
  }

  private connect(): void {
    const s = net.connect({ host: this.host, port: this.port });
    s.setNoDelay(true);
    this.socket = s;
    this.reader.reset();
    let connected = false;
    s.on('connect', () => {
      connected = true;
      this.emit('connected');
      this.pendingInsert?.resolve();
      this.pendingInsert = undefined;
    });
    s.on('data', (chunk: Buffer) => {
      for (const frame of this.reader.push(chunk)) this.enqueue(s, frame);
    });
    s.on('error', (err) => {
      // A refused connection while reconnecting is expected; anything else is reported.
      const code = (err as NodeJS.ErrnoException).code;
      if (!(this.reconnect && this.wanted && (code === 'ECONNREFUSED' || code === 'ECONNRESET'))) {
        if (this.pendingInsert && !this.reconnect) {
          this.pendingInsert.reject(err);
          this.pendingInsert = undefined;
          this.wanted = false;
        } else if (this.listenerCount('error') > 0) {
          this.emit('error', err);
        }
      }
    });
    s.on('close', () => {
      if (this.socket === s) this.socket = undefined;
      if (connected) this.emit('disconnected');
      if (this.wanted && this.reconnect) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          if (this.wanted && !this.socket) this.connect();
        }, this.reconnectDelayMs);
      } else if (this.wanted && !this.reconnect) {
        this.wanted = false;
      }
    });
  }

  private enqueue(s: net.Socket, frame: Uint8Array): void {
    // APDUs are answered strictly in order, one at a time (vpcd waits for each answer).
    this.queue = this.queue.then(() => this.handle(s, frame));
  }

  private async handle(s: net.Socket, frame: Uint8Array): Promise<void> {
    if (frame.length === 1) {
      switch (frame[0]) {
        case VPCD_CTRL.ATR:
          this.send(s, this.atr);
          return;
        case VPCD_CTRL.OFF:
          this.emit('power', 'off');
          return;
        case VPCD_CTRL.ON:
          this.emit('power', 'on');
          return;
        case VPCD_CTRL.RESET:
          this.emit('power', 'reset');
          return;
        default:
          return; // unknown control: vpcd expects no answer
      }
    }
    if (frame.length === 0) return;
    let response: Uint8Array;
    try {
      response = await this.card(frame);
      if (response.length < 2) response = Uint8Array.from([0x6f, 0x00]);
    } catch {
      response = Uint8Array.from([0x6f, 0x00]);
    }
    this.send(s, response);
  }

  private send(s: net.Socket, payload: Uint8Array): void {
    if (s.destroyed || this.socket !== s) return; // removed while the card was thinking: no answer
    s.write(vpcdFrame(payload));
  }
}
