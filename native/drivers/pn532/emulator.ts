/**
 * A PN532 emulator on a serial port path (one end of a socat pty pair), for tests and the demo.
 *
 * It answers GetFirmwareVersion, SAMConfiguration, RFConfiguration, InListPassiveTarget (106 kbps type A,
 * ISO 14443-4 target with ATS), InDataExchange (with MI chaining both ways), InRelease and Diagnose
 * (communication line test and card presence) with the same frames a real PN532 sends, and a card
 * function behind InDataExchange. The card can be inserted and removed at any time, and faults can be
 * injected: corrupted response checksums, garbage bytes before a response, a dropped ACK or response.
 */

import { EventEmitter } from 'node:events';
import type { CardFunction } from '../pcsc/vpcd-card';
import { concat } from '../../util/bytes';
import {
  ACK_FRAME,
  CMD,
  ERROR_FRAME,
  MAX_NORMAL_LEN,
  Pn532Decoder,
  TFI_HOST_TO_PN532,
  encodeResponse,
  type Pn532DecoderEvent,
} from './codec';

export interface EmulatedCardIdentity {
  uid?: Uint8Array;
  atqa?: Uint8Array;
  sak?: number;
  ats?: Uint8Array;
}

export interface Pn532EmulatorOptions extends EmulatedCardIdentity {
  path: string;
  baudRate?: number;
  /** The card in the field at start (none when omitted). */
  card?: CardFunction;
  /** Largest data part of one response frame before MI chaining (default 252, a normal frame). */
  maxFrameData?: number;
  /** Delay before answering "no target" / "card timeout", like the real RF timeouts (default 20 ms). */
  rfTimeoutMs?: number;
  firmware?: { ic: number; version: number; revision: number; support: number };
}

export interface Pn532Faults {
  /** The next N response frames go out with a wrong DCS (a NACK gets a correct copy). */
  corruptResponses: number;
  /** Bytes written before the next response frame. */
  garbageBeforeResponse?: Uint8Array;
  /** The next N ACKs are not sent (the response still is). */
  dropAcks: number;
  /** The next N commands are swallowed entirely (no ACK, no response): the host must resend. */
  dropCommands: number;
  /** The next N commands are acknowledged (and answered) only after `ackDelayMs`: a slow or busy line. */
  delayAcks: number;
  ackDelayMs: number;
}

export interface Pn532EmulatorEvents {
  command: [code: number];
}

interface SerialLike {
  write(data: Buffer): boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  close(cb?: (err?: Error | null) => void): void;
  isOpen: boolean;
}

export class Pn532Emulator extends EventEmitter<Pn532EmulatorEvents> {
  readonly faults: Pn532Faults = {
    corruptResponses: 0,
    dropAcks: 0,
    dropCommands: 0,
    delayAcks: 0,
    ackDelayMs: 0,
  };
  /** Command codes received, in order. */
  readonly received: number[] = [];
  nacksReceived = 0;
  private card: CardFunction | undefined;
  private identity: Required<Omit<EmulatedCardIdentity, 'ats'>> & { ats: Uint8Array };
  private readonly decoder = new Pn532Decoder();
  private targetActive = false;
  /** Bumped on every insert/remove so an APDU in flight knows the card changed. */
  private cardGeneration = 0;
  private chainIn: Uint8Array[] = [];
  private chainOut: Uint8Array | undefined;
  private lastResponse: Uint8Array | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly maxFrameData: number;
  private readonly rfTimeoutMs: number;
  private readonly firmware: { ic: number; version: number; revision: number; support: number };

  private constructor(
    private readonly port: SerialLike,
    options: Pn532EmulatorOptions,
  ) {
    super();
    this.card = options.card;
    this.identity = {
      uid: options.uid ?? Uint8Array.of(0x08, 0x12, 0x34, 0x56),
      atqa: options.atqa ?? Uint8Array.of(0x00, 0x04),
      sak: options.sak ?? 0x20,
      ats: options.ats ?? Uint8Array.of(0x05, 0x78, 0x80, 0x70, 0x02),
    };
    this.maxFrameData = options.maxFrameData ?? MAX_NORMAL_LEN - 3;
    this.rfTimeoutMs = options.rfTimeoutMs ?? 20;
    this.firmware = options.firmware ?? { ic: 0x32, version: 0x01, revision: 0x06, support: 0x07 };
    port.on('data', (chunk) => {
      for (const ev of this.decoder.push(chunk)) this.queue = this.queue.then(() => this.onEvent(ev));
    });
  }

  static async open(options: Pn532EmulatorOptions): Promise<Pn532Emulator> {
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({
      path: options.path,
      baudRate: options.baudRate ?? 115200,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('error', () => undefined);
    return new Pn532Emulator(port, options);
  }

  get cardPresent(): boolean {
    return this.card !== undefined;
  }

  /** Puts a card in the field (the host must list it again with InListPassiveTarget). */
  insertCard(card: CardFunction, identity: EmulatedCardIdentity = {}): void {
    this.card = card;
    this.identity = { ...this.identity, ...identity } as typeof this.identity;
    this.targetActive = false;
    this.cardGeneration++;
  }

  /** Takes the card out of the field: the next exchange times out (status 01). */
  removeCard(): void {
    this.card = undefined;
    this.targetActive = false;
    this.cardGeneration++;
    this.chainIn = [];
    this.chainOut = undefined;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
  }

  private send(bytes: Uint8Array): void {
    if (this.port.isOpen) this.port.write(Buffer.from(bytes));
  }

  private sendResponse(command: number, params: Uint8Array): void {
    const frame = encodeResponse(command, params);
    this.lastResponse = frame;
    if (this.faults.garbageBeforeResponse) {
      this.send(this.faults.garbageBeforeResponse);
      this.faults.garbageBeforeResponse = undefined;
    }
    if (this.faults.corruptResponses > 0) {
      this.faults.corruptResponses--;
      const bad = frame.slice();
      bad[bad.length - 2] = (bad[bad.length - 2]! + 1) & 0xff; // wrong DCS
      this.send(bad);
      return;
    }
    this.send(frame);
  }

  private async onEvent(ev: Pn532DecoderEvent): Promise<void> {
    if (ev.type === 'nack') {
      this.nacksReceived++;
      if (this.lastResponse) this.send(this.lastResponse);
      return;
    }
    if (ev.type === 'ack') return; // host abort: nothing is running asynchronously here
    if (ev.type !== 'data' || ev.tfi !== TFI_HOST_TO_PN532) return; // garbage / bad checksum: no answer
    this.received.push(ev.command);
    this.emit('command', ev.command);
    if (this.faults.dropCommands > 0) {
      this.faults.dropCommands--;
      return;
    }
    if (this.faults.delayAcks > 0) {
      this.faults.delayAcks--;
      await delay(this.faults.ackDelayMs);
    }
    if (this.faults.dropAcks > 0) this.faults.dropAcks--;
    else this.send(ACK_FRAME);
    await this.execute(ev.command, ev.params);
  }

  private async execute(command: number, p: Uint8Array): Promise<void> {
    switch (command) {
      case CMD.GetFirmwareVersion: {
        const f = this.firmware;
        this.sendResponse(command, Uint8Array.of(f.ic, f.version, f.revision, f.support));
        return;
      }
      case CMD.SAMConfiguration:
      case CMD.RFConfiguration:
        this.sendResponse(command, new Uint8Array(0));
        return;
      case CMD.Diagnose: {
        if (p[0] === 0x00) {
          this.sendResponse(command, p.subarray(1)); // communication line test: echo
        } else if (p[0] === 0x06) {
          if (!(this.targetActive && this.card)) await delay(this.rfTimeoutMs);
          this.sendResponse(command, Uint8Array.of(this.targetActive && this.card ? 0x00 : 0x01));
        } else {
          this.send(ERROR_FRAME);
        }
        return;
      }
      case CMD.InListPassiveTarget: {
        if (p[1] !== 0x00) {
          this.send(ERROR_FRAME); // only 106 kbps type A is emulated
          return;
        }
        if (!this.card) {
          await delay(this.rfTimeoutMs);
          this.sendResponse(command, Uint8Array.of(0x00));
          return;
        }
        const id = this.identity;
        this.targetActive = true;
        this.chainIn = [];
        this.chainOut = undefined;
        const ats = id.sak & 0x20 ? id.ats : new Uint8Array(0);
        this.sendResponse(
          command,
          concat(Uint8Array.of(0x01, 0x01), id.atqa, Uint8Array.of(id.sak, id.uid.length), id.uid, ats),
        );
        return;
      }
      case CMD.InRelease:
        this.targetActive = false;
        this.sendResponse(command, Uint8Array.of(0x00));
        return;
      case CMD.InDataExchange:
        await this.dataExchange(p);
        return;
      default:
        this.send(ERROR_FRAME);
    }
  }

  private async dataExchange(p: Uint8Array): Promise<void> {
    const tgByte = p[0];
    if (tgByte === undefined) {
      this.send(ERROR_FRAME);
      return;
    }
    const data = p.subarray(1);
    if (!this.targetActive) {
      // No activated target: "command not acceptable in the current context" (27); after a removal the
      // RF exchange times out (01).
      if (this.card === undefined) await delay(this.rfTimeoutMs);
      this.sendResponse(CMD.InDataExchange, Uint8Array.of(this.card === undefined ? 0x01 : 0x27));
      return;
    }
    if (data.length === 0 && this.chainOut) {
      this.sendChunk();
      return;
    }
    if (tgByte & 0x40) {
      this.chainIn.push(data.slice());
      this.sendResponse(CMD.InDataExchange, Uint8Array.of(0x00));
      return;
    }
    const apdu = concat(...this.chainIn, data);
    this.chainIn = [];
    const card = this.card;
    const gen = this.cardGeneration;
    let response: Uint8Array | undefined;
    if (card) {
      try {
        response = await card(apdu);
      } catch {
        response = Uint8Array.of(0x6f, 0x00);
      }
    }
    if (!card || gen !== this.cardGeneration || !this.card) {
      // The card left the field while it was being asked: the PN532 reports a timeout.
      await delay(this.rfTimeoutMs);
      this.targetActive = false;
      this.sendResponse(CMD.InDataExchange, Uint8Array.of(0x01));
      return;
    }
    this.chainOut = response;
    this.sendChunk();
  }

  private sendChunk(): void {
    const out = this.chainOut ?? new Uint8Array(0);
    const chunk = out.subarray(0, this.maxFrameData);
    const rest = out.subarray(chunk.length);
    this.chainOut = rest.length > 0 ? rest : undefined;
    this.sendResponse(CMD.InDataExchange, concat(Uint8Array.of(rest.length > 0 ? 0x40 : 0x00), chunk));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
