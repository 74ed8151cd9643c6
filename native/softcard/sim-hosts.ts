/**
 * Hosts a software card (./soft-card: the CCCD or the TD3 passport) behind a real reader stack, as
 * `kiosk sim card` and `kiosk sim pn532` do, and as the end-to-end tests and benchmarks use it:
 *
 *   - `hostOnVpcd`: a vpcd client (../drivers/pcsc/vpcd-card) that inserts the card into pcscd's virtual
 *     reader ("Virtual PCD 00 00" on TCP 35963, "00 01" on 35964). It keeps trying while vpcd is not
 *     listening and comes back after a pcscd restart.
 *   - `hostOnPn532`: a PN532 emulator (../drivers/pn532/emulator) on a serial port path (one end of a socat
 *     pty pair) with the card in its field.
 *
 * A simulated removal (the `remove-at:N` fault: the engine throws CardRemovedError) takes the card out
 * for real — the vpcd connection is closed, or the PN532 field is emptied — so the terminal sees what
 * it would see with a real card pulled off the reader; the card comes back, powered up afresh, after
 * `reinsertAfterMs`. A power-up (vpcd power on/reset, PN532 target activation) resets the card's
 * session like a real chip. No personal data is logged: events carry counts and states only.
 */
import { EventEmitter } from 'node:events';
import { CardRemovedError } from '../transport/types';
import { VpcdCard, type CardFunction } from '../drivers/pcsc/vpcd-card';
import { Pn532Emulator } from '../drivers/pn532/emulator';
import { CMD } from '../drivers/pn532/codec';

/** What a host needs of a software card: its engine (SoftCard.engine, SoftPassport.engine). */
export interface HostedCard {
  engine: { process(apdu: Uint8Array): Promise<Uint8Array>; reset(): void };
}

export interface SimHostEvents {
  /** The card is in the reader (first insertion, re-insertion, reconnection after a pcscd restart). */
  inserted: [];
  /** The card left the reader: `fault` = a simulated removal, `stopped` = stop(). */
  removed: [reason: 'fault' | 'stopped'];
}

export interface SimHostOptions {
  /** Delay before a card removed by a fault comes back (default 1000 ms; < 0 = never). */
  reinsertAfterMs?: number;
}

export interface SimHost extends EventEmitter<SimHostEvents> {
  /** Where the card is: 'vpcd 127.0.0.1:35963' or 'pn532 /path/to/tty'. */
  readonly where: string;
  /** Simulated removals so far. */
  readonly removals: number;
  /** Whether the card is in the reader now. */
  readonly inserted: boolean;
  /** Takes the card out and releases the reader. */
  stop(): Promise<void>;
}

abstract class BaseHost extends EventEmitter<SimHostEvents> implements SimHost {
  abstract readonly where: string;
  abstract readonly inserted: boolean;
  removals = 0;
  protected stopped = false;
  protected reinsertTimer: NodeJS.Timeout | undefined;
  protected readonly reinsertAfterMs: number;

  constructor(
    protected readonly card: HostedCard,
    options: SimHostOptions,
  ) {
    super();
    this.reinsertAfterMs = options.reinsertAfterMs ?? 1000;
  }

  /** The card function seen by the reader: the engine, with removals acted out. */
  protected readonly cardFunction: CardFunction = async (apdu) => {
    try {
      return await this.card.engine.process(apdu);
    } catch (e) {
      if (e instanceof CardRemovedError) {
        this.removals++;
        this.takeOut();
        this.emit('removed', 'fault');
        if (this.reinsertAfterMs >= 0 && !this.stopped) {
          this.reinsertTimer = setTimeout(() => {
            this.reinsertTimer = undefined;
            if (this.stopped) return;
            this.card.engine.reset();
            this.putBack();
          }, this.reinsertAfterMs);
        }
      }
      throw e;
    }
  };

  protected abstract takeOut(): void;
  protected abstract putBack(): void;

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.reinsertTimer) clearTimeout(this.reinsertTimer);
    this.reinsertTimer = undefined;
    const was = this.inserted;
    await this.release();
    if (was) this.emit('removed', 'stopped');
  }

  protected abstract release(): Promise<void>;
}

export interface VpcdHostOptions extends SimHostOptions {
  /** vpcd host (default 127.0.0.1) and port (default 35963, reader "Virtual PCD 00 00"). */
  host?: string;
  port?: number;
}

class VpcdHost extends BaseHost {
  readonly where: string;
  private readonly vpcd: VpcdCard;

  constructor(card: HostedCard, options: VpcdHostOptions) {
    super(card, options);
    // reconnect: the card stays "inserted" across pcscd restarts and waits for vpcd to listen.
    this.vpcd = new VpcdCard(this.cardFunction, {
      ...(options.host ? { host: options.host } : {}),
      ...(options.port ? { port: options.port } : {}),
      reconnect: true,
    });
    this.where = `vpcd ${this.vpcd.host}:${this.vpcd.port}`;
    this.vpcd.on('power', () => card.engine.reset());
    this.vpcd.on('connected', () => {
      card.engine.reset();
      this.emit('inserted');
    });
    // Connection errors other than "refused while waiting" are not fatal for a simulator: it retries.
    this.vpcd.on('error', () => undefined);
  }

  get inserted(): boolean {
    return this.vpcd.inserted;
  }

  start(): void {
    void this.vpcd.insert().catch(() => undefined);
  }

  protected takeOut(): void {
    void this.vpcd.remove();
  }

  protected putBack(): void {
    void this.vpcd.insert().catch(() => undefined);
  }

  protected release(): Promise<void> {
    return this.vpcd.remove();
  }
}

/**
 * Inserts `card` into pcscd's vpcd reader. Resolves at once: the 'inserted' event tells when vpcd
 * accepted the card (pcscd may start later); `waitInserted` waits for it.
 */
export function hostOnVpcd(card: HostedCard, options: VpcdHostOptions = {}): SimHost {
  const host = new VpcdHost(card, options);
  host.start();
  return host;
}

export interface Pn532HostOptions extends SimHostOptions {
  /** The serial port path of the emulated PN532 (e.g. the B end of a socat pty pair). */
  path: string;
  baudRate?: number;
}

class Pn532Host extends BaseHost {
  readonly where: string;
  private emu!: Pn532Emulator;

  constructor(card: HostedCard, options: Pn532HostOptions) {
    super(card, options);
    this.where = `pn532 ${options.path}`;
  }

  async open(options: Pn532HostOptions): Promise<void> {
    this.emu = await Pn532Emulator.open({
      path: options.path,
      ...(options.baudRate ? { baudRate: options.baudRate } : {}),
      card: this.cardFunction,
    });
    // Activating the target (InListPassiveTarget) powers the card up afresh, like a real RF field.
    this.emu.on('command', (code) => {
      if (code === CMD.InListPassiveTarget) this.card.engine.reset();
    });
    this.card.engine.reset();
    this.emit('inserted');
  }

  get inserted(): boolean {
    return !this.stopped && this.emu?.cardPresent === true;
  }

  protected takeOut(): void {
    this.emu.removeCard();
  }

  protected putBack(): void {
    this.emu.insertCard(this.cardFunction);
    this.emit('inserted');
  }

  protected async release(): Promise<void> {
    this.emu.removeCard();
    await this.emu.close();
  }
}

/** Opens a PN532 emulator on `options.path` with `card` in its field. */
export async function hostOnPn532(card: HostedCard, options: Pn532HostOptions): Promise<SimHost> {
  const host = new Pn532Host(card, options);
  await host.open(options);
  return host;
}

/** Resolves when the host's card is in the reader (rejects after `timeoutMs`). */
export function waitInserted(host: SimHost, timeoutMs = 10_000): Promise<void> {
  if (host.inserted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      host.off('inserted', done);
      reject(new Error(`the software card was not inserted into ${host.where} within ${timeoutMs} ms`));
    }, timeoutMs);
    function done(): void {
      clearTimeout(timer);
      resolve();
    }
    host.once('inserted', done);
  });
}
