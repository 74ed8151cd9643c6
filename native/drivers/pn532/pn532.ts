/**
 * PN532 driver over a serial stream (HSU, 115200 8N1): command/ACK/response with retries, NACK on a
 * corrupted response, resync after garbage, ISO 14443-4 type A targets, and InDataExchange carrying APDUs
 * with host-side chaining (MI bit) when an APDU or its response is longer than one frame allows.
 *
 * `Pn532Transport` is the CardTransport for the ICAO stack: short APDUs only (no extended length).
 */

import { EventEmitter } from 'node:events';
import type { CardTransport, TransportLimits } from '../../transport/types';
import { concat, hex } from '../../util/bytes';
import { ReaderCardRemovedError, ReaderError, ReaderTimeoutError } from '../../transport/errors';
import { MAX_SHORT_COMMAND, MAX_SHORT_RESPONSE, isExtendedApdu, toShortApdu } from '../pcsc/apdu-form';
import {
  ACK_FRAME,
  CMD,
  MAX_NORMAL_LEN,
  NACK_FRAME,
  Pn532Decoder,
  TFI_PN532_TO_HOST,
  WAKEUP_SEQUENCE,
  describeFrame,
  encodeCommand,
  type Pn532DecoderEvent,
} from './codec';

/** The byte stream the driver talks over (a serialport SerialPort, or any Duplex). */
export interface Pn532Port {
  write(data: Buffer, cb?: (err?: Error | null) => void): boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  close?(cb?: (err?: Error | null) => void): void;
  isOpen?: boolean;
}

export interface Pn532Options {
  /** Time to wait for the ACK before sending an idempotent command again (default 200 ms). */
  ackTimeoutMs?: number;
  /** Default time to wait for a response after the ACK (default 1000 ms). */
  responseTimeoutMs?: number;
  /** Time to wait for a card's answer through InDataExchange (default 3000 ms). */
  exchangeTimeoutMs?: number;
  /** Resends after a missing ACK, and NACKs after a corrupted response (default 3). */
  retries?: number;
  /**
   * Data bytes per InDataExchange frame before chaining (default 252: a normal frame of LEN 255 holds
   * TFI, command, Tg and 252 bytes). Up to 262 with extended frames.
   */
  frameDataLimit?: number;
  /** Reader name for traces and the transport. */
  name?: string;
  /** Trace lines (frame types and lengths only, never APDU contents). */
  trace?: (line: string) => void;
}

export interface Pn532Firmware {
  ic: number;
  version: number;
  revision: number;
  support: number;
}

export interface Pn532Target {
  /** Logical target number (Tg) used in InDataExchange. */
  tg: number;
  /** SENS_RES (ATQA), as sent by the PN532 (2 bytes). */
  atqa: Uint8Array;
  /** SEL_RES (SAK). */
  sak: number;
  uid: Uint8Array;
  /** Answer to select, when the target is ISO/IEC 14443-4 (SAK bit 6). */
  ats?: Uint8Array;
  iso14443_4: boolean;
}

export interface Pn532Stats {
  commands: number;
  ackTimeouts: number;
  nacksSent: number;
  checksumErrors: number;
  garbageBytes: number;
}

/** InDataExchange status codes that mean the card is gone (UM §7.1 error codes). */
const CARD_GONE_STATUS = new Set([0x01, 0x27]);

/** Parses the InListPassiveTarget response for 106 kbps type A (UM §7.3.5). */
export function parseTargetsTypeA(params: Uint8Array): Pn532Target[] {
  const n = params[0] ?? 0;
  const targets: Pn532Target[] = [];
  let p = 1;
  for (let i = 0; i < n; i++) {
    if (params.length < p + 5)
      throw new ReaderError('protocol', 'InListPassiveTarget: truncated target data');
    const tg = params[p]!;
    const atqa = params.slice(p + 1, p + 3);
    const sak = params[p + 3]!;
    const uidLen = params[p + 4]!;
    p += 5;
    if (params.length < p + uidLen) throw new ReaderError('protocol', 'InListPassiveTarget: truncated UID');
    const uid = params.slice(p, p + uidLen);
    p += uidLen;
    const iso14443_4 = (sak & 0x20) !== 0;
    let ats: Uint8Array | undefined;
    if (iso14443_4 && p < params.length) {
      const tl = params[p]!;
      if (tl === 0 || params.length < p + tl)
        throw new ReaderError('protocol', 'InListPassiveTarget: truncated ATS');
      ats = params.slice(p, p + tl);
      p += tl;
    }
    targets.push({ tg, atqa, sak, uid, ...(ats ? { ats } : {}), iso14443_4 });
  }
  return targets;
}

export interface Pn532Events {
  /** The port closed (device unplugged). */
  close: [];
}

export class Pn532 extends EventEmitter<Pn532Events> {
  readonly name: string;
  readonly stats: Pn532Stats = {
    commands: 0,
    ackTimeouts: 0,
    nacksSent: 0,
    checksumErrors: 0,
    garbageBytes: 0,
  };
  private readonly decoder = new Pn532Decoder();
  private inbox: Pn532DecoderEvent[] = [];
  private wake: (() => void) | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** No command is sent before this time (after a recovery, late duplicates are let through first). */
  private quietUntil = 0;
  private readonly ackTimeoutMs: number;
  private readonly writeTimeoutMs = 2000;
  private readonly responseTimeoutMs: number;
  readonly exchangeTimeoutMs: number;
  private readonly retries: number;
  readonly frameDataLimit: number;
  private readonly trace: ((line: string) => void) | undefined;
  private readonly onData = (chunk: Buffer): void => {
    for (const ev of this.decoder.push(chunk)) {
      if (ev.type === 'garbage') this.stats.garbageBytes += ev.bytes;
      if (ev.type === 'checksum-error') this.stats.checksumErrors++;
      this.inbox.push(ev);
    }
    this.wake?.();
  };
  private readonly onClose = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    this.emit('close');
  };
  private readonly onError = (): void => {
    // A read error (EIO after the device hung up) leaves the port unusable even when serialport does
    // not follow it with 'close': treat it as the device going away.
    if (this.closed) return;
    this.onClose();
  };

  constructor(
    private readonly port: Pn532Port,
    options: Pn532Options = {},
  ) {
    super();
    this.name = options.name ?? 'PN532';
    this.ackTimeoutMs = options.ackTimeoutMs ?? 200;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 1000;
    this.exchangeTimeoutMs = options.exchangeTimeoutMs ?? 3000;
    this.retries = options.retries ?? 3;
    this.frameDataLimit = Math.max(1, Math.min(options.frameDataLimit ?? MAX_NORMAL_LEN - 3, 262));
    this.trace = options.trace;
    port.on('data', this.onData);
    port.on('close', this.onClose);
    port.on('error', this.onError);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends the HSU wake-up sequence, then SAMConfiguration (normal mode), as the PN532 requires. */
  async wakeUp(): Promise<void> {
    await this.serial(async () => {
      await this.write(WAKEUP_SEQUENCE);
    });
    await this.samConfiguration();
  }

  async getFirmwareVersion(): Promise<Pn532Firmware> {
    const r = await this.command(CMD.GetFirmwareVersion, []);
    if (r.length < 4) throw new ReaderError('protocol', 'GetFirmwareVersion: short response');
    return { ic: r[0]!, version: r[1]!, revision: r[2]!, support: r[3]! };
  }

  /** SAMConfiguration: mode 1 = normal (no SAM), timeout in 50 ms units, IRQ pin used. */
  async samConfiguration(mode = 0x01, timeout = 0x14, irq = 0x01): Promise<void> {
    await this.command(CMD.SAMConfiguration, [mode, timeout, irq]);
  }

  /**
   * RFConfiguration item 5 (MaxRetries): how many activation attempts InListPassiveTarget makes before
   * answering "no target" (0xFF would wait forever, which we never want).
   */
  async setPassiveActivationRetries(retries: number): Promise<void> {
    await this.command(CMD.RFConfiguration, [0x05, 0xff, 0x01, retries & 0xff]);
  }

  /** Lists one 106 kbps type A target; null when none is in the field. */
  async inListPassiveTarget(): Promise<Pn532Target | null> {
    const r = await this.command(CMD.InListPassiveTarget, [0x01, 0x00], {
      timeoutMs: this.responseTimeoutMs * 2,
    });
    const targets = parseTargetsTypeA(r);
    return targets[0] ?? null;
  }

  async inRelease(tg: number): Promise<void> {
    await this.command(CMD.InRelease, [tg]);
  }

  /** Diagnose test 6 (card presence): true when the activated ISO 14443-4 target still answers. */
  async checkPresence(): Promise<boolean> {
    const r = await this.command(CMD.Diagnose, [0x06], { timeoutMs: this.exchangeTimeoutMs });
    return r[0] === 0x00;
  }

  /**
   * Sends an APDU to target `tg` and returns the card's answer. Data longer than `frameDataLimit` is
   * sent in several InDataExchange frames with the MI bit set in Tg; an answer the PN532 flags with MI
   * in its status is fetched with further InDataExchange frames carrying only Tg.
   */
  async inDataExchange(tg: number, data: Uint8Array): Promise<Uint8Array> {
    const limit = this.frameDataLimit;
    const chunks: Uint8Array[] = [];
    for (let off = 0; off < data.length; off += limit) chunks.push(data.subarray(off, off + limit));
    if (chunks.length === 0) chunks.push(new Uint8Array(0));
    return this.serial(async () => {
      for (let i = 0; i < chunks.length - 1; i++) {
        const r = await this.commandNow(
          CMD.InDataExchange,
          concat(Uint8Array.of(tg | 0x40), chunks[i]!),
          this.exchangeTimeoutMs,
        );
        this.checkStatus(r);
      }
      let r = await this.commandNow(
        CMD.InDataExchange,
        concat(Uint8Array.of(tg & 0x3f), chunks[chunks.length - 1]!),
        this.exchangeTimeoutMs,
      );
      const parts: Uint8Array[] = [];
      for (let guard = 0; ; guard++) {
        const status = this.checkStatus(r);
        parts.push(r.subarray(1));
        if ((status & 0x40) === 0) break;
        if (guard > 300) throw new ReaderError('protocol', 'InDataExchange: endless chaining');
        r = await this.commandNow(CMD.InDataExchange, Uint8Array.of(tg & 0x3f), this.exchangeTimeoutMs);
      }
      return concat(...parts);
    });
  }

  private checkStatus(r: Uint8Array): number {
    const status = r[0];
    if (status === undefined) throw new ReaderError('protocol', 'InDataExchange: empty response');
    const code = status & 0x3f;
    if (code === 0) return status;
    if (CARD_GONE_STATUS.has(code))
      throw new ReaderCardRemovedError(`${this.name}: status 0x${hex(Uint8Array.of(code))}`);
    throw new ReaderError('protocol', `${this.name}: InDataExchange status 0x${hex(Uint8Array.of(code))}`);
  }

  /** One command with ACK handling and retries; returns the response parameters. */
  command(
    command: number,
    params: Uint8Array | readonly number[],
    options: { timeoutMs?: number } = {},
  ): Promise<Uint8Array> {
    return this.serial(() =>
      this.commandNow(command, Uint8Array.from(params), options.timeoutMs ?? this.responseTimeoutMs),
    );
  }

  /** Closes the underlying port when it can be closed. */
  close(): Promise<void> {
    this.port.removeListener('data', this.onData);
    this.closed = true;
    this.wake?.();
    const port = this.port;
    return new Promise<void>((resolve) => {
      if (!port.close || port.isOpen === false) return resolve();
      port.close(() => resolve());
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new ReaderError('reader_gone', `${this.name}: port closed`));
    return new Promise<void>((resolve, reject) => {
      // A write to a hung-up tty may never complete: bound it.
      const timer = setTimeout(() => {
        this.onClose();
        reject(new ReaderError('reader_gone', `${this.name}: write did not complete`));
      }, this.writeTimeoutMs);
      this.port.write(Buffer.from(bytes), (err) => {
        clearTimeout(timer);
        if (err) {
          // A serial write fails when the device is gone (EIO/ENXIO after unplug).
          this.onClose();
          reject(new ReaderError('reader_gone', `${this.name}: write failed`, { cause: err }));
        } else resolve();
      });
    });
  }

  /** Next decoder event, or undefined at the deadline. */
  private async next(deadline: number): Promise<Pn532DecoderEvent | undefined> {
    for (;;) {
      const ev = this.inbox.shift();
      if (ev) return ev;
      if (this.closed) throw new ReaderError('reader_gone', `${this.name}: port closed`);
      const wait = deadline - Date.now();
      if (wait <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wake = undefined;
          resolve();
        }, wait);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  /**
   * One command frame, its ACK and its response.
   *
   * `idempotent` commands (everything but InDataExchange) are sent again when no ACK comes within
   * ackTimeoutMs. An InDataExchange is never sent twice: a command the card executed twice would break
   * the secure-messaging counter, so a missing ACK only means waiting (up to timeoutMs) for the ACK or
   * the response, then a timeout. After any recovery (resend, NACK) the line is left quiet for a moment
   * so a late duplicate frame cannot be taken for the next command's answer.
   */
  private async commandNow(
    command: number,
    params: Uint8Array,
    timeoutMs: number,
    idempotent = command !== CMD.InDataExchange,
  ): Promise<Uint8Array> {
    const frame = encodeCommand(command, params, params.length + 2 > MAX_NORMAL_LEN);
    const responseCode = (command + 1) & 0xff;
    const isResponse = (ev: Pn532DecoderEvent): ev is Extract<Pn532DecoderEvent, { type: 'data' }> =>
      ev.type === 'data' && ev.tfi === TFI_PN532_TO_HOST && ev.command === responseCode;
    const label = `0x${hex(Uint8Array.of(command))}`;
    this.stats.commands++;
    const quiet = this.quietUntil - Date.now();
    if (quiet > 0) await new Promise((r) => setTimeout(r, quiet));
    const recovered = (): void => {
      this.quietUntil = Date.now() + 2 * this.ackTimeoutMs;
    };
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      this.inbox = []; // anything older belongs to an earlier command
      this.trace?.(
        `${this.name} > ${describeFrame({ type: 'data', tfi: 0xd4, command, params, extended: false })}`,
      );
      await this.write(frame);
      // 1. The ACK (if the ACK itself was lost, the response may come straight away).
      const ackDeadline = Date.now() + (idempotent ? this.ackTimeoutMs : timeoutMs);
      let acked = false;
      for (;;) {
        const ev = await this.next(ackDeadline);
        if (!ev) break;
        if (ev.type === 'ack') {
          acked = true;
          break;
        }
        if (isResponse(ev)) {
          this.trace?.(`${this.name} < ${describeFrame(ev)} (ACK lost)`);
          if (attempt > 0) recovered();
          return ev.params;
        }
        if (ev.type === 'error')
          throw new ReaderError('protocol', `${this.name}: PN532 rejected command ${label}`);
      }
      if (!acked) {
        this.stats.ackTimeouts++;
        if (!idempotent) {
          await this.write(ACK_FRAME).catch(() => undefined);
          recovered();
          throw new ReaderTimeoutError(`${this.name}: no ACK or response to ${label} in ${timeoutMs} ms`);
        }
        this.trace?.(`${this.name} ! no ACK, resending (${attempt + 1})`);
        continue;
      }
      // 2. The response; a corrupted one is asked for again with NACK.
      let deadline = Date.now() + timeoutMs;
      let nacks = 0;
      let suspect = false;
      for (;;) {
        // After a checksum error, give a valid frame a moment to arrive (the error may have been garbage).
        const ev = await this.next(suspect ? Math.min(deadline, Date.now() + this.ackTimeoutMs) : deadline);
        if (!ev) {
          if (suspect && nacks < this.retries) {
            suspect = false;
            nacks++;
            this.stats.nacksSent++;
            this.trace?.(`${this.name} > NACK`);
            await this.write(NACK_FRAME);
            deadline = Date.now() + timeoutMs;
            continue;
          }
          // Abort the command (an ACK from the host cancels it) and report the timeout.
          await this.write(ACK_FRAME).catch(() => undefined);
          recovered();
          if (suspect)
            throw new ReaderError('protocol', `${this.name}: corrupted response after ${nacks} NACKs`);
          throw new ReaderTimeoutError(`${this.name}: no response to ${label} in ${timeoutMs} ms`);
        }
        if (isResponse(ev)) {
          this.trace?.(`${this.name} < ${describeFrame(ev)}`);
          if (attempt > 0 || nacks > 0) recovered();
          return ev.params;
        }
        if (ev.type === 'checksum-error') suspect = true;
        else if (ev.type === 'error')
          throw new ReaderError('protocol', `${this.name}: PN532 application error`);
      }
    }
    recovered();
    throw new ReaderTimeoutError(`${this.name}: no ACK for ${label} after ${this.retries + 1} tries`);
  }
}

/** A CardTransport over a PN532 target: short APDUs only. */
export class Pn532Transport implements CardTransport {
  readonly name: string;
  readonly limits: TransportLimits = {
    maxCommandLength: MAX_SHORT_COMMAND,
    maxResponseLength: MAX_SHORT_RESPONSE,
    extendedLength: false,
  };
  private lost = false;

  constructor(
    private readonly device: Pn532,
    readonly target: Pn532Target,
  ) {
    this.name = device.name;
  }

  /** False once the card left the field (list the target again for a new transport). */
  get present(): boolean {
    return !this.lost;
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (this.lost) throw new ReaderCardRemovedError(`${this.name}: target no longer active`);
    let apdu = command;
    if (isExtendedApdu(command)) {
      const short = toShortApdu(command);
      if (!short)
        throw new ReaderError('apdu_too_long', `${command.length} bytes, reader has no extended length`);
      apdu = short;
    }
    if (apdu.length > MAX_SHORT_COMMAND) throw new ReaderError('apdu_too_long', `${apdu.length} bytes`);
    try {
      const r = await this.device.inDataExchange(this.target.tg, apdu);
      if (r.length < 2) throw new ReaderError('protocol', `${this.name}: response without status word`);
      return r;
    } catch (e) {
      if (e instanceof ReaderCardRemovedError || (e instanceof ReaderError && e.code === 'reader_gone'))
        this.lost = true;
      throw e;
    }
  }
}

/** Opens a PN532 on a serial port path (115200 8N1) and wakes it up. */
export async function openPn532(
  path: string,
  options: Pn532Options & { baudRate?: number } = {},
): Promise<Pn532> {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({
    path,
    baudRate: options.baudRate ?? 115200,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) =>
    port.open((err) =>
      err ? reject(new ReaderError('io', `cannot open ${path}`, { cause: err })) : resolve(),
    ),
  );
  const dev = new Pn532(port, { name: options.name ?? `PN532 ${path}`, ...options });
  try {
    await dev.wakeUp();
  } catch (e) {
    await dev.close();
    throw e;
  }
  return dev;
}
