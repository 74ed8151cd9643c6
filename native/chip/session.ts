/**
 * Opening the secure session with the chip, and keeping it open for the rest of the read.
 *
 * Every command of one read goes through a GuardedTransport (the read's deadline and abort signal)
 * and a RecordingTransport (the support trace: headers, lengths, status words and timings; never data).
 *
 * Which protocol opens the chip, the rules stated once:
 * - EF.CardAccess is selected by FID (never via SELECT MF). When it offers PACE and a password is
 *   known, PACE runs with the CAN, or else with a typed MRZ.
 * - A PACE that fails cryptographically (wrong chip token T_IC, invalid point, malformed answer) is a
 *   forged chip (`chip_not_genuine`, see errors.ts), never a reason for BAC. BAC follows only a chip
 *   without PACE, a variant this terminal lacks, a refused MSE:Set AT, or a refused password (which is
 *   still `wrong_access` when BAC fails too).
 * - BAC tries each MRZ_information candidate (credentials.ts); the first that opens the chip wins, and
 *   each failed attempt costs a fresh start (the application is selected again).
 * - Secure messaging: a plain error status under SM leaves it open whether the chip counted the
 *   command, and a failed Chip/Active Authentication closes the channel; the channel is then opened
 *   again with what worked (PACE/BAC) before the next command, at most MAX_REOPENS times.
 */
import type { Reason } from '../domain/vocabulary';
import { reason } from '../icao/bilingual';
import { performBac } from '../icao/bac';
import { parseCardAccess, preferredPaceInfo, type PaceInfo } from '../icao/card-access';
import { FileReader, selectApplication } from '../icao/file-reader';
import { pace, type PacePassword } from '../icao/pace';
import { SecureTransport } from '../icao/sm';
import { CardStatusError, IcaoError } from '../iso7816/sw';
import { RecordingTransport, type TraceEntry } from '../transport/recording';
import { ForwardingTransport, TransportTimeoutError, type CardTransport } from '../transport/types';
import type { Credentials } from './credentials';
import { chipError, isCardAnswer, isTransportFailure, toChipReadError } from './errors';
import { FID_CARD_ACCESS } from './file-names';
import type { ChipStep, ReadChipOptions } from './types';

// ---------------------------------------------------------------------------------------------
// The read's deadline and abort signal

function sleepReject(ms: number, make: () => Error): { promise: Promise<never>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(make()), Math.max(0, ms));
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** Enforces the read's deadline and abort signal on every command. */
class GuardedTransport extends ForwardingTransport {
  constructor(
    inner: CardTransport,
    private readonly deadline: number | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    super(inner);
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (this.signal?.aborted) throw chipError('cancelled');
    if (this.deadline === undefined && !this.signal) return this.inner.transmit(command);
    const racers: Promise<Uint8Array>[] = [this.inner.transmit(command)];
    const cleanups: (() => void)[] = [];
    if (this.deadline !== undefined) {
      const t = sleepReject(
        this.deadline - performance.now(),
        () => new TransportTimeoutError('the chip read took longer than its deadline'),
      );
      racers.push(t.promise);
      cleanups.push(t.cancel);
    }
    if (this.signal) {
      const signal = this.signal;
      racers.push(
        new Promise<never>((_, reject) => {
          const onAbort = (): void => reject(chipError('cancelled'));
          signal.addEventListener('abort', onAbort, { once: true });
          cleanups.push(() => signal.removeEventListener('abort', onAbort));
        }),
      );
    }
    try {
      return await Promise.race(racers);
    } finally {
      for (const c of cleanups) c();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The secure channel

/** PACE failures after which BAC may be tried. */
const PACE_FALLBACK = new Set(['pace_wrong_password', 'pace_set_at_refused', 'pace_unsupported']);

/** How often one read may open its secure channel again (after plain errors or a failed CA). */
const MAX_REOPENS = 8;

interface Channel {
  secure: SecureTransport;
  method: 'PACE' | 'BAC';
  /** Opens a new channel with what worked (after a failed Chip Authentication broke the old one). */
  reopen(): Promise<SecureTransport>;
}

/** What a session needs of the read's options. */
export type SessionOptions = Pick<
  ReadChipOptions,
  'pace' | 'fileReader' | 'onProgress' | 'timeoutMs' | 'signal'
>;

/**
 * One read's session with the chip: the guarded, recorded transport, the secure channel once
 * opened, and the read's notes (progress for the UI, warnings that are not about authenticity).
 */
export class ChipSession {
  readonly warnings: Reason[] = [];
  /** EF.CardAccess as the chip gave it (read before PACE), if it did. */
  cardAccess: Uint8Array | undefined;
  private readonly rec: RecordingTransport;
  private channel!: Channel;
  private reopens = 0;

  constructor(
    transport: CardTransport,
    private readonly options: SessionOptions,
  ) {
    const deadline =
      options.timeoutMs === undefined ? undefined : performance.now() + Math.max(0, options.timeoutMs);
    this.rec = new RecordingTransport(new GuardedTransport(transport, deadline, options.signal));
  }

  get trace(): TraceEntry[] {
    return this.rec.trace;
  }

  /** How the channel was opened. */
  get access(): 'PACE' | 'BAC' {
    return this.channel.method;
  }

  progress(step: ChipStep, done: number, total: number): void {
    this.options.onProgress?.({ step, done, total });
  }

  warn(code: string, vi: string, en: string): void {
    this.warnings.push(reason(code, 'warning', vi, en));
  }

  /**
   * The secure channel, opened again (PACE/BAC with what worked) when a failed authentication closed
   * it, or when a plain error status under secure messaging left it open whether the chip counted
   * that command (see SecureTransport.uncertain). `force` opens it again in any case. A caller that
   * holds a reader on the channel compares the object returned with the one it holds.
   */
  async secure(force = false): Promise<SecureTransport> {
    const current = this.channel.secure;
    if (force || !current.isOpen || current.uncertain) {
      if (++this.reopens > MAX_REOPENS) {
        throw chipError('chip_error', undefined, 'the secure channel had to be opened again too often');
      }
      this.channel.secure = await this.channel.reopen();
    }
    return this.channel.secure;
  }

  /** After a failed proof: whatever state the chip is in now, the next command goes over a new channel. */
  closeChannel(): void {
    this.channel.secure.close();
  }

  /**
   * Opens the secure channel: PACE when EF.CardAccess offers it and a password is known, else (or
   * after a PACE refusal that allows it) BAC with each MRZ_information candidate in turn.
   */
  async open(creds: Credentials): Promise<void> {
    const rec = this.rec;
    let paceInfo: PaceInfo | undefined;
    if (this.options.pace !== false) {
      this.progress('EF.CardAccess', 0, 1);
      try {
        const { data } = await new FileReader(rec, this.options.fileReader).readFile(FID_CARD_ACCESS);
        this.cardAccess = data;
        try {
          paceInfo = preferredPaceInfo(parseCardAccess(data));
        } catch {
          this.warn(
            'card_access_malformed',
            'EF.CardAccess trên chip bị lỗi; dùng BAC.',
            'EF.CardAccess on the chip is malformed; using BAC.',
          );
        }
      } catch (e) {
        // No EF.CardAccess (6A82), refused, or malformed: a BAC-only document. Anything else is real.
        if (!isCardAnswer(e)) throw e;
      }
      this.progress('EF.CardAccess', 1, 1);
    }

    let passwordRefused = false;
    const password: PacePassword | undefined = creds.can
      ? { kind: 'can', can: creds.can }
      : creds.typedMrz
        ? { kind: 'mrz', mrzInformation: creds.typedMrz }
        : undefined;
    if (paceInfo && password) {
      const info = paceInfo;
      this.progress('PACE', 0, 1);
      const openPace = async (): Promise<SecureTransport> => {
        const secure = new SecureTransport(rec, await pace(rec, password, info));
        await this.selectApp(secure);
        return secure;
      };
      try {
        const secure = await openPace();
        this.channel = { secure, method: 'PACE', reopen: openPace };
        this.progress('PACE', 1, 1);
        return;
      } catch (e) {
        if (!isCardAnswer(e)) throw e;
        // Only a refused password, a refused MSE:Set AT or a variant this terminal lacks lets BAC
        // follow. A PACE that fails cryptographically (wrong T_IC, invalid point, malformed answer)
        // is a fake chip (chip_not_genuine), and any other failure is reported, not hidden by BAC.
        if (!(e instanceof IcaoError) || !PACE_FALLBACK.has(e.code)) throw e;
        if (e.code === 'pace_wrong_password') passwordRefused = true;
        this.warn(
          passwordRefused ? 'pace_password_refused' : 'pace_failed',
          passwordRefused
            ? 'Chip từ chối số CAN/MRZ qua PACE; thử BAC.'
            : 'Không mở được chip bằng PACE; thử BAC.',
          passwordRefused
            ? 'The chip refused the CAN/MRZ over PACE; trying BAC.'
            : 'PACE did not open the chip; trying BAC.',
        );
      }
    }

    if (creds.bac.length === 0) {
      throw passwordRefused ? chipError('wrong_access') : chipError('access_data_missing');
    }
    this.progress('BAC', 0, creds.bac.length);
    await this.selectApp(rec);
    for (let i = 0; i < creds.bac.length; i++) {
      const info = creds.bac[i]!;
      try {
        const secure = new SecureTransport(rec, await performBac(rec, info));
        this.channel = {
          secure,
          method: 'BAC',
          reopen: async () => {
            await this.selectApp(rec);
            return new SecureTransport(rec, await performBac(rec, info));
          },
        };
        this.progress('BAC', creds.bac.length, creds.bac.length);
        return;
      } catch (e) {
        if (isTransportFailure(e)) throw e;
        if (e instanceof IcaoError && e.code === 'bac_failed') {
          passwordRefused = true;
          this.progress('BAC', i + 1, creds.bac.length);
          // A fresh start for the next attempt: select the application again.
          await this.selectApp(rec);
          continue;
        }
        if (e instanceof CardStatusError) {
          // GET CHALLENGE refused: this chip does not do BAC.
          throw passwordRefused ? chipError('wrong_access', e) : toChipReadError(e);
        }
        throw e;
      }
    }
    throw chipError('wrong_access');
  }

  private async selectApp(t: CardTransport): Promise<void> {
    try {
      await selectApplication(t);
    } catch (e) {
      if (e instanceof CardStatusError && (e.sw === 0x6a82 || e.sw === 0x6a86 || e.sw === 0x6d00)) {
        throw chipError('not_emrtd', e);
      }
      throw e;
    }
  }
}
