/**
 * PC/SC through @pokusew/pcsclite (an optional dependency, loaded lazily).
 *
 * The library's constructor busy-waits (freezing the event loop) while pcscd is not running, so
 * `PcscContext` never constructs it until pcscd's socket (`/run/pcscd/pcscd.comm`, or
 * PCSCLITE_CSOCK_NAME) exists and accepts a connection. It polls for the socket, so the app stays
 * responsive and picks pcscd up when it starts, and it goes back to polling when pcscd stops.
 *
 * Events: service up/down, reader added/removed, card inserted/removed. `connect()` gives a
 * `PcscTransport` (the CardTransport for ICAO reading) with extended-length detection and errors mapped
 * to bilingual ReaderError / ReaderCardRemovedError / ReaderTimeoutError.
 */

import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { hex } from '../../util/bytes';
import type { CardTransport, TransportLimits } from '../../transport/types';
import {
  ReaderCardRemovedError,
  ReaderError,
  ReaderTimeoutError,
  readerMessage,
  type ReaderErrorInfo,
} from '../../transport/errors';
import {
  classifyLoadError,
  moduleNotFound,
  nativeModuleSpec,
  nativeModuleStatus,
  simulatedAbsent,
  type NativeModuleStatus,
} from '../../util/native-modules';
import {
  apduForm,
  MAX_EXTENDED_COMMAND,
  MAX_EXTENDED_RESPONSE,
  MAX_SHORT_COMMAND,
  MAX_SHORT_RESPONSE,
  statusWord,
  toShortApdu,
} from './apdu-form';

// ---- the library's shape (declared here so the typecheck does not need the optional package) ----

export interface PcscLiteCardReader extends EventEmitter {
  name: string;
  state: number;
  connected: boolean;
  SCARD_SHARE_SHARED: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_EMPTY: number;
  SCARD_STATE_MUTE: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_UNPOWER_CARD: number;
  connect(
    options: { share_mode?: number; protocol?: number },
    cb: (err: unknown, protocol: number) => void,
  ): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  transmit(
    data: Buffer,
    resLen: number,
    protocol: number,
    cb: (err: unknown, response: Buffer) => void,
  ): void;
  close(): void;
}

export interface PcscLite extends EventEmitter {
  close(): void;
}

export type PcscLiteFactory = () => PcscLite;

/** PC/SC state bits (pcsclite.h); the library exposes them only on reader objects. */
export const SCARD_STATE = {
  CHANGED: 0x0002,
  UNKNOWN: 0x0004,
  UNAVAILABLE: 0x0008,
  EMPTY: 0x0010,
  PRESENT: 0x0020,
  EXCLUSIVE: 0x0080,
  INUSE: 0x0100,
  MUTE: 0x0200,
} as const;

const SCARD_PROTOCOL_T0 = 1;
const SCARD_PROTOCOL_T1 = 2;

let cachedFactory: PcscLiteFactory | undefined;

/**
 * Loads @pokusew/pcsclite. Throws a bilingual ReaderError that says what is wrong and how to fix it:
 * `module_not_built` when the optional package was never built (npm leaves it out when libpcsclite-dev
 * was missing at install time; installing the library later does not build it), `driver_missing` when
 * it is built for the other runtime (Node vs Electron ABI) or the system library is missing at run time.
 * Loading never touches pcscd, so this is independent of "pcscd is not running".
 */
export function loadPcscLite(moduleId = '@pokusew/pcsclite'): PcscLiteFactory {
  const isDefault = moduleId === '@pokusew/pcsclite';
  if (isDefault && cachedFactory) return cachedFactory;
  try {
    if (simulatedAbsent('@pokusew/pcsclite')) throw moduleNotFound(moduleId);
    const require = createRequire(import.meta.url);
    const factory = require(moduleId) as PcscLiteFactory;
    if (isDefault) cachedFactory = factory;
    return factory;
  } catch (e) {
    const c = classifyLoadError({ ...nativeModuleSpec('@pokusew/pcsclite'), id: moduleId }, e);
    throw new ReaderError(
      c.state === 'not_built' ? 'module_not_built' : 'driver_missing',
      c.state === 'not_built' ? undefined : `${moduleId}: ${c.state}`,
      { cause: e, ...(c.fix ? { fix: c.fix } : {}) },
    );
  }
}

export type PcscModuleState = NativeModuleStatus['state'];

/** The PC/SC module's state (loaded, not_built, abi_mismatch, library_missing, load_failed). Never throws. */
export function pcscModuleStatus(): NativeModuleStatus {
  return nativeModuleStatus(nativeModuleSpec('@pokusew/pcsclite'));
}

/** The pcscd socket the client library will use. */
export function pcscSocketPath(): string {
  return process.env.PCSCLITE_CSOCK_NAME || '/run/pcscd/pcscd.comm';
}

/** True when a process accepts connections on the unix socket (a stale socket file does not count). */
export function pcscdListening(socketPath = pcscSocketPath(), timeoutMs = 300): Promise<boolean> {
  if (!fs.existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    const timer = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

// ---- errors ----

/** The PC/SC return code in a pcsclite error message ("...(0x80100069)"), if any. */
export function pcscErrorCode(err: unknown): number | undefined {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /\(0x([0-9a-f]{8})\)/i.exec(msg);
  return m ? parseInt(m[1]!, 16) : undefined;
}

export const SCARD_E = {
  CANCELLED: 0x80100002,
  INVALID_HANDLE: 0x80100003,
  INVALID_PARAMETER: 0x80100004,
  INSUFFICIENT_BUFFER: 0x80100008,
  UNKNOWN_READER: 0x80100009,
  TIMEOUT: 0x8010000a,
  SHARING_VIOLATION: 0x8010000b,
  NO_SMARTCARD: 0x8010000c,
  PROTO_MISMATCH: 0x8010000f,
  COMM_ERROR: 0x80100013,
  NOT_TRANSACTED: 0x80100016,
  READER_UNAVAILABLE: 0x80100017,
  NO_SERVICE: 0x8010001d,
  SERVICE_STOPPED: 0x8010001e,
  NO_READERS_AVAILABLE: 0x8010002e,
  UNRESPONSIVE_CARD: 0x80100066,
  UNPOWERED_CARD: 0x80100067,
  RESET_CARD: 0x80100068,
  REMOVED_CARD: 0x80100069,
} as const;

/** Maps a pcsclite error to the kiosk's bilingual errors. `where` names the operation (no personal data). */
export function mapPcscError(
  err: unknown,
  where: string,
): ReaderError | ReaderCardRemovedError | ReaderTimeoutError {
  if (
    err instanceof ReaderError ||
    err instanceof ReaderCardRemovedError ||
    err instanceof ReaderTimeoutError
  ) {
    return err;
  }
  const code = pcscErrorCode(err);
  const detail = code !== undefined ? `${where}: 0x${code.toString(16)}` : `${where}: ${String(err)}`;
  const opts = { cause: err };
  switch (code) {
    case SCARD_E.REMOVED_CARD:
    case SCARD_E.NO_SMARTCARD:
    case SCARD_E.NOT_TRANSACTED:
    case SCARD_E.UNRESPONSIVE_CARD:
    case SCARD_E.UNPOWERED_CARD:
    case SCARD_E.RESET_CARD:
      return new ReaderCardRemovedError(detail, opts);
    case SCARD_E.TIMEOUT:
      return new ReaderTimeoutError(detail, opts);
    case SCARD_E.SHARING_VIOLATION:
      return new ReaderError('sharing_violation', detail, opts);
    case SCARD_E.UNKNOWN_READER:
    case SCARD_E.READER_UNAVAILABLE:
    case SCARD_E.NO_READERS_AVAILABLE:
    case SCARD_E.INVALID_HANDLE:
      return new ReaderError('reader_gone', detail, opts);
    case SCARD_E.NO_SERVICE:
    case SCARD_E.SERVICE_STOPPED:
    case SCARD_E.COMM_ERROR:
      return new ReaderError('service_unavailable', detail, opts);
    default:
      if (/not connected/i.test(String(err instanceof Error ? err.message : err))) {
        return new ReaderError('not_connected', detail, opts);
      }
      return new ReaderError('protocol', detail, opts);
  }
}

function isHarmlessCancel(err: unknown): boolean {
  return pcscErrorCode(err) === SCARD_E.CANCELLED || /cancel/i.test(err instanceof Error ? err.message : '');
}

// ---- transport ----

export type PcscShareMode = 'shared' | 'exclusive';
export type PcscProtocol = 'T0' | 'T1' | 'T0|T1';

export interface PcscConnectOptions {
  /** Default 'shared' (other programs may use the reader between our transactions). */
  shareMode?: PcscShareMode;
  /** Preferred protocols; default T=1 with T=0 allowed ('T0|T1'). */
  protocol?: PcscProtocol;
  /** Per-APDU timeout (default 15 s). */
  timeoutMs?: number;
  /** 'auto' (default): try extended length once, fall back to short and remember. */
  extendedLength?: 'auto' | boolean;
}

export type ExtendedSupport = 'unknown' | 'yes' | 'no';

/** One connection to a card in a PC/SC reader. */
export class PcscTransport implements CardTransport {
  readonly name: string;
  readonly protocol: 'T0' | 'T1';
  readonly atr: Uint8Array;
  private ext: ExtendedSupport;
  private queue: Promise<unknown> = Promise.resolve();
  private closedFlag = false;
  private invalidReason: ReaderError | ReaderCardRemovedError | undefined;
  /** Settles when the native transmit under way (possibly one we gave up on) returns. */
  private inflight: Promise<void> | undefined;
  private readonly timeoutMs: number;

  constructor(
    private readonly reader: PcscLiteCardReader,
    protocol: number,
    atr: Uint8Array,
    options: PcscConnectOptions = {},
  ) {
    this.name = reader.name;
    this.protocol = protocol === SCARD_PROTOCOL_T0 ? 'T0' : 'T1';
    this.atr = atr;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    const ext = options.extendedLength ?? 'auto';
    this.ext = ext === 'auto' ? 'unknown' : ext ? 'yes' : 'no';
  }

  /** What this connection has learnt about extended length. */
  get extendedSupport(): ExtendedSupport {
    return this.ext;
  }

  get limits(): TransportLimits {
    const ext = this.ext !== 'no';
    return {
      maxCommandLength: ext ? MAX_EXTENDED_COMMAND : MAX_SHORT_COMMAND,
      maxResponseLength: ext ? MAX_EXTENDED_RESPONSE : MAX_SHORT_RESPONSE,
      extendedLength: ext,
    };
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /**
   * Sends one APDU. An extended command on a connection whose support is unknown is tried once; if the
   * reader rejects it or the card answers 6700, the connection remembers "no", and this and later
   * extended commands are sent in short form (Le capped at 256) when their data fits.
   */
  transmit(command: Uint8Array): Promise<Uint8Array> {
    const run = this.queue.then(
      () => this.transmitNow(command),
      () => this.transmitNow(command),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async transmitNow(command: Uint8Array): Promise<Uint8Array> {
    if (this.invalidReason) throw this.invalidReason;
    if (this.closedFlag) throw new ReaderError('not_connected', `${this.name}: transport closed`);
    const form = apduForm(command);
    if (!form?.extended || this.ext === 'yes') return this.raw(command);
    if (this.ext === 'no') return this.raw(this.shortOrThrow(command));
    let response: Uint8Array;
    try {
      response = await this.raw(command);
    } catch (e) {
      const code = pcscErrorCode((e as { cause?: unknown }).cause);
      if (code === SCARD_E.INSUFFICIENT_BUFFER || code === SCARD_E.INVALID_PARAMETER) {
        this.ext = 'no';
        return this.raw(this.shortOrThrow(command));
      }
      throw e;
    }
    if (statusWord(response) === 0x6700) {
      this.ext = 'no';
      return this.raw(this.shortOrThrow(command));
    }
    this.ext = 'yes';
    return response;
  }

  private shortOrThrow(command: Uint8Array): Uint8Array {
    const short = toShortApdu(command);
    if (!short) throw new ReaderError('apdu_too_long', `${command.length} bytes, no extended length`);
    return short;
  }

  private async raw(command: Uint8Array): Promise<Uint8Array> {
    const max = this.ext === 'no' ? MAX_SHORT_RESPONSE : MAX_EXTENDED_RESPONSE;
    const protocol = this.protocol === 'T0' ? SCARD_PROTOCOL_T0 : SCARD_PROTOCOL_T1;
    // A command that timed out may still be running in the driver: wait for it (bounded by our own
    // timeout) so this command's time limit covers this command only.
    if (this.inflight) {
      let timer: NodeJS.Timeout | undefined;
      const busy = new Promise<'busy'>((r) => (timer = setTimeout(() => r('busy'), this.timeoutMs)));
      const state = await Promise.race([this.inflight.then(() => 'idle' as const), busy]);
      clearTimeout(timer);
      if (state === 'busy')
        throw new ReaderTimeoutError(`${this.name}: reader still busy with a previous command`);
    }
    let settle!: () => void;
    const inflight = new Promise<void>((r) => (settle = r));
    this.inflight = inflight;
    return new Promise<Uint8Array>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        reject(new ReaderTimeoutError(`${this.name}: no answer in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.reader.transmit(Buffer.from(command), max, protocol, (err, response) => {
        clearTimeout(timer);
        settle();
        if (this.inflight === inflight) this.inflight = undefined;
        if (done) return;
        done = true;
        if (err) reject(mapPcscError(err, 'transmit'));
        // An empty answer is no R-APDU: vpcd (and some drivers) report a card lost mid-command this way.
        else if (response.length < 2) reject(new ReaderCardRemovedError('transmit: empty response'));
        else resolve(new Uint8Array(response));
      });
    });
  }

  /**
   * Marks the connection dead because the card left or the reader/service went away: later transmits
   * fail with that reason (CardRemovedError, reader_gone) instead of a generic "closed".
   */
  invalidate(reason: ReaderError | ReaderCardRemovedError): Promise<void> {
    this.invalidReason ??= reason;
    return this.close();
  }

  /** Disconnects (leaving the card powered by default). Never throws. */
  close(disposition: 'leave' | 'reset' | 'unpower' = 'leave'): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    this.closedFlag = true;
    const r = this.reader;
    const d =
      disposition === 'reset'
        ? r.SCARD_RESET_CARD
        : disposition === 'unpower'
          ? r.SCARD_UNPOWER_CARD
          : r.SCARD_LEAVE_CARD;
    return this.queue.then(
      () =>
        new Promise<void>((resolve) => {
          if (!r.connected) return resolve();
          try {
            r.disconnect(d, () => {
              // A removed card or a dead service makes disconnect fail; the handle is gone either way.
              r.connected = false;
              resolve();
            });
          } catch {
            r.connected = false;
            resolve();
          }
        }),
    );
  }
}

// ---- context: service, readers, cards ----

export interface PcscReaderInfo {
  name: string;
  /** Raw PC/SC state bits (low 16 bits). */
  state: number;
  cardPresent: boolean;
  /** ATR in hex (not personal data), when a card is present. */
  atr?: string;
}

export interface PcscContextEvents {
  'service-up': [];
  'service-down': [reason: ReaderErrorInfo];
  'reader-added': [reader: PcscReaderInfo];
  'reader-removed': [reader: PcscReaderInfo];
  'card-inserted': [reader: PcscReaderInfo];
  'card-removed': [reader: PcscReaderInfo];
  /** Non-fatal problems (a status thread failed, …); never personal data. */
  warning: [info: ReaderErrorInfo];
}

export interface PcscContextOptions {
  /** pcscd socket to wait for (default PCSCLITE_CSOCK_NAME or /run/pcscd/pcscd.comm). */
  socketPath?: string;
  /** How often to look for the socket while pcscd is down (default 500 ms). */
  pollIntervalMs?: number;
  /** Injected loader (tests); default loadPcscLite. */
  load?: () => PcscLiteFactory;
}

interface ReaderEntry {
  reader: PcscLiteCardReader;
  info: PcscReaderInfo;
  atr: Uint8Array | undefined;
  transport: PcscTransport | undefined;
}

export class PcscContext extends EventEmitter<PcscContextEvents> {
  readonly socketPath: string;
  private readonly pollIntervalMs: number;
  private readonly load: () => PcscLiteFactory;
  private lite: PcscLite | undefined;
  private generation = 0;
  private readonly entries = new Map<string, ReaderEntry>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private probing = false;

  constructor(options: PcscContextOptions = {}) {
    super();
    this.socketPath = options.socketPath ?? pcscSocketPath();
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.load = options.load ?? loadPcscLite;
  }

  /** True while connected to pcscd. */
  get serviceUp(): boolean {
    return this.lite !== undefined;
  }

  /**
   * Starts watching. Throws ReaderError('driver_missing') at once if the library cannot be loaded;
   * otherwise never blocks: pcscd may start later.
   */
  start(): void {
    if (this.running) return;
    this.load(); // fail early and clearly when the optional dependency is missing
    this.running = true;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollIntervalMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.teardown(undefined);
  }

  readers(): PcscReaderInfo[] {
    return [...this.entries.values()].map((e) => ({ ...e.info }));
  }

  /** Resolves when a reader matching `name` ('any' = the first) is listed. */
  waitForReader(name: string, timeoutMs = 10_000): Promise<PcscReaderInfo> {
    return this.waitFor(
      () => this.readers().find((r) => name === 'any' || r.name === name),
      ['reader-added'],
      timeoutMs,
      `reader ${name}`,
    );
  }

  /** Resolves when a card is present in `name` ('any' = any reader). */
  waitForCard(name: string, timeoutMs = 10_000): Promise<PcscReaderInfo> {
    return this.waitFor(
      () => this.readers().find((r) => (name === 'any' || r.name === name) && r.cardPresent),
      ['card-inserted'],
      timeoutMs,
      `card in ${name}`,
    );
  }

  private waitFor<T>(
    check: () => T | undefined,
    events: (keyof PcscContextEvents)[],
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const onEvent = (): void => {
        const v = check();
        if (v !== undefined) {
          cleanup();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new ReaderTimeoutError(`waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        for (const ev of events) this.off(ev, onEvent);
      };
      for (const ev of events) this.on(ev, onEvent);
    });
  }

  /**
   * Connects to the card in `readerName` ('any' = the first reader with a card). A previous transport on
   * the same reader is closed first (one connection per reader).
   */
  async connect(readerName: string, options: PcscConnectOptions = {}): Promise<PcscTransport> {
    if (!this.lite) throw new ReaderError('service_unavailable', 'pcscd not connected');
    const entry =
      readerName === 'any'
        ? [...this.entries.values()].find((e) => e.info.cardPresent)
        : this.entries.get(readerName);
    if (!entry) {
      if (readerName === 'any') throw new ReaderCardRemovedError('no card in any reader');
      throw new ReaderError('reader_gone', `reader not found: ${readerName}`);
    }
    if (!entry.info.cardPresent) throw new ReaderCardRemovedError(`no card in ${entry.info.name}`);
    if (entry.transport) {
      await entry.transport.close();
      entry.transport = undefined;
    }
    const r = entry.reader;
    r.connected = false; // the library would otherwise skip SCardConnect after a lost handle
    const share = options.shareMode === 'exclusive' ? r.SCARD_SHARE_EXCLUSIVE : r.SCARD_SHARE_SHARED;
    const proto = options.protocol ?? 'T0|T1';
    const protocolMask =
      proto === 'T0'
        ? SCARD_PROTOCOL_T0
        : proto === 'T1'
          ? SCARD_PROTOCOL_T1
          : SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
    const protocol = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ReaderTimeoutError(`connect ${r.name}`)),
        options.timeoutMs ?? 15_000,
      );
      r.connect({ share_mode: share, protocol: protocolMask }, (err, p) => {
        clearTimeout(timer);
        if (err) reject(mapPcscError(err, 'connect'));
        else resolve(p);
      });
    });
    const transport = new PcscTransport(r, protocol, entry.atr ?? new Uint8Array(0), options);
    entry.transport = transport;
    return transport;
  }

  private async poll(): Promise<void> {
    if (!this.running || this.lite || this.probing) return;
    this.probing = true;
    try {
      // Constructing pcsclite while pcscd is down would freeze the event loop: probe the socket first.
      if (!(await pcscdListening(this.socketPath))) return;
      if (!this.running || this.lite) return;
      this.attach();
    } finally {
      this.probing = false;
    }
  }

  private attach(): void {
    const factory = this.load();
    const gen = ++this.generation;
    const lite = factory();
    this.lite = lite;
    lite.on('error', (err: unknown) => {
      if (gen !== this.generation) return;
      if (isHarmlessCancel(err)) return;
      void this.teardown(mapPcscError(err, 'list readers'));
    });
    lite.on('reader', (reader: PcscLiteCardReader) => {
      if (gen !== this.generation) return;
      this.addReader(reader, gen);
    });
    this.emit('service-up');
  }

  private addReader(reader: PcscLiteCardReader, gen: number): void {
    const info: PcscReaderInfo = { name: reader.name, state: 0, cardPresent: false };
    const entry: ReaderEntry = { reader, info, atr: undefined, transport: undefined };
    this.entries.set(reader.name, entry);
    reader.on('error', (err: unknown) => {
      if (gen !== this.generation || isHarmlessCancel(err)) return;
      const mapped = mapPcscError(err, 'reader status');
      // pcscd going away shows up here first; the context error handler tears down.
      if (mapped.code !== 'service_unavailable') this.emit('warning', toInfo(mapped));
    });
    reader.on('end', () => {
      if (gen !== this.generation) return;
      this.removeReader(reader.name);
    });
    reader.on('status', (status: { state: number; atr?: Buffer }) => {
      if (gen !== this.generation || this.entries.get(reader.name) !== entry) return;
      const state = status.state & 0xffff;
      const present = (state & SCARD_STATE.PRESENT) !== 0 && (state & SCARD_STATE.MUTE) === 0;
      const was = entry.info.cardPresent;
      entry.info.state = state;
      if (present && status.atr && status.atr.length > 0) {
        entry.atr = new Uint8Array(status.atr);
        entry.info.atr = hex(entry.atr);
      }
      if (present && !was) {
        entry.info.cardPresent = true;
        this.emit('card-inserted', { ...entry.info });
      } else if (!present && was) {
        entry.info.cardPresent = false;
        entry.atr = undefined;
        delete entry.info.atr;
        void entry.transport?.invalidate(new ReaderCardRemovedError(`${entry.info.name}: card removed`));
        entry.transport = undefined;
        this.emit('card-removed', { ...entry.info });
      }
    });
    this.emit('reader-added', { ...info });
  }

  private removeReader(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    if (entry.transport) {
      void entry.transport.invalidate(new ReaderError('reader_gone', `${name}: reader removed`));
      entry.transport = undefined;
    }
    if (entry.info.cardPresent) {
      entry.info.cardPresent = false;
      this.emit('card-removed', { ...entry.info });
    }
    this.emit('reader-removed', { ...entry.info });
  }

  private async teardown(
    reason: ReaderError | ReaderCardRemovedError | ReaderTimeoutError | undefined,
  ): Promise<void> {
    const lite = this.lite;
    if (!lite) return;
    this.generation++;
    this.lite = undefined;
    for (const name of [...this.entries.keys()]) this.removeReader(name);
    // close() may emit a harmless "Command cancelled" error later: keep a listener so it is swallowed.
    lite.on('error', () => undefined);
    try {
      lite.close();
    } catch {
      // already closed by the library after a service error
    }
    this.emit(
      'service-down',
      reason
        ? toInfo(reason)
        : {
            code: 'service_unavailable',
            ...readerMessage('service_unavailable', 'stopped'),
            retryable: true,
          },
    );
  }
}

function toInfo(err: ReaderError | ReaderCardRemovedError | ReaderTimeoutError): ReaderErrorInfo {
  return { code: err.code, vi: err.vi, en: err.en, retryable: err.retryable };
}

/**
 * Lists PC/SC readers once (for `kiosk readers --json`): [] without waiting when pcscd is not running.
 * The library has no "listing complete" signal, so this waits `settleMs` after the last reader event.
 */
export async function listPcscReaders(options: { socketPath?: string; settleMs?: number } = {}): Promise<{
  serviceRunning: boolean;
  readers: PcscReaderInfo[];
}> {
  const socketPath = options.socketPath ?? pcscSocketPath();
  // The module first: "never built" must not read as "pcscd is not running" (loading never blocks).
  loadPcscLite();
  if (!(await pcscdListening(socketPath))) return { serviceRunning: false, readers: [] };
  const ctx = new PcscContext({ socketPath, pollIntervalMs: 50 });
  const settle = options.settleMs ?? 400;
  // pcsclite reports readers asynchronously, and late on a busy machine: wait for the first one up
  // to a few seconds (a machine with no reader pays that wait), then let the rest settle.
  const firstReaderMaxMs = Math.max(settle, 3000);
  try {
    ctx.start();
    await new Promise<void>((resolve) => {
      let timer = setTimeout(resolve, firstReaderMaxMs);
      const bump = (): void => {
        clearTimeout(timer);
        timer = setTimeout(resolve, settle / 2);
      };
      ctx.on('reader-added', bump);
      ctx.on('card-inserted', bump);
    });
    return { serviceRunning: ctx.serviceUp, readers: ctx.readers() };
  } finally {
    await ctx.stop();
  }
}
