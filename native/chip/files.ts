/**
 * Reading the chip's files over the secure session: one EF at a time with FileReader, recording each
 * one's fate (read, absent, denied, error) instead of throwing, and reporting bytes read for the UI.
 * Which files are read, and in what order, is the read plan's choice (read-chip.ts); what a group the
 * SOD lists but the chip withholds means for the verdict is here (withheldReasons).
 */
import type { Reason } from '../domain/vocabulary';
import { dataGroupLabel, reason } from '../icao/bilingual';
import { FileReader } from '../icao/file-reader';
import type { SecureTransport } from '../icao/sm';
import { decodeCommand, parseResponse } from '../iso7816/apdu';
import { CardStatusError, IcaoError } from '../iso7816/sw';
import { readLength, readTag } from '../iso7816/tlv';
import { ForwardingTransport, type CardTransport } from '../transport/types';
import { EAC_GROUPS, dataGroupNumber, fileName } from './file-names';
import type { ChipSession } from './session';
import type { ChipProgress, ChipStep, DataGroupInfo, DataGroupStatus, ReadChipOptions } from './types';

// ---------------------------------------------------------------------------------------------
// Progress

/** Watches READ BINARY answers over the secure channel to report bytes read of the current file. */
class ProgressTransport extends ForwardingTransport {
  current: { step: ChipStep; done: number; total: number } | undefined;

  constructor(
    inner: CardTransport,
    private readonly report: ((p: ChipProgress) => void) | undefined,
  ) {
    super(inner);
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const response = await this.inner.transmit(command);
    const file = this.current;
    const ins = command[1];
    if (!file || !this.report || (ins !== 0xb0 && ins !== 0xb1) || response.length < 2) return response;
    const r = parseResponse(response);
    if ((r.sw !== 0x9000 && r.sw !== 0x6282) || r.data.length === 0) return response;
    let offset = -1;
    try {
      const c = decodeCommand(command);
      if (ins === 0xb0 && (c.p1 & 0x80) === 0) offset = (c.p1 << 8) | c.p2;
    } catch {
      offset = -1;
    }
    if (offset === 0 && ins === 0xb0) {
      try {
        const t = readTag(r.data, 0);
        const l = readLength(r.data, t.next);
        file.total = l.next + l.length;
      } catch {
        // not a TLV: the reader will say so; progress just stays indeterminate
      }
      file.done = r.data.length;
    } else if (offset > 0) {
      file.done = Math.max(file.done, offset + r.data.length);
    } else {
      file.done += r.data.length;
    }
    if (file.total > 0) file.done = Math.min(file.done, file.total);
    this.report({ step: file.step, done: file.done, total: file.total });
    return response;
  }
}

// ---------------------------------------------------------------------------------------------
// Files

/**
 * The files of one live read: every file read (EF.CardAccess first, as the session found it) and the
 * status of every file tried.
 */
export class ChipFiles {
  readonly files = new Map<string, Uint8Array>();
  readonly groups: DataGroupInfo[] = [];
  /** The channel the reader below is bound to; a new channel (reopened) needs a new reader. */
  private boundTo: SecureTransport | undefined;
  private progressT!: ProgressTransport;
  private reader!: FileReader;

  constructor(
    private readonly session: ChipSession,
    private readonly options: Pick<ReadChipOptions, 'onProgress' | 'fileReader'>,
  ) {
    if (session.cardAccess) this.files.set('EF.CardAccess', session.cardAccess);
  }

  /** The session's channel (opened again if it must be), with a file reader bound to it. */
  private async bound(force = false): Promise<void> {
    const secure = await this.session.secure(force);
    if (secure === this.boundTo) return;
    this.boundTo = secure;
    this.progressT = new ProgressTransport(secure, this.options.onProgress);
    this.reader = new FileReader(this.progressT, this.options.fileReader);
  }

  /**
   * Reads one EF; a refusal or absence is recorded (status absent / denied / error), not thrown.
   * A read that loses the secure channel right after a plain error status is tried once more on a
   * new channel (chips differ in whether they count a command they answer plainly).
   */
  async readEf(fid: number): Promise<Uint8Array | undefined> {
    const name = fileName(fid);
    await this.bound();
    this.progressT.current = { step: name as ChipStep, done: 0, total: 0 };
    this.session.progress(name as ChipStep, 0, 0);
    try {
      let data: Uint8Array;
      try {
        ({ data } = await this.reader.readFile(fid));
      } catch (e) {
        if (!(e instanceof IcaoError && e.code === 'sm_resync')) throw e;
        await this.bound(true);
        this.progressT.current = { step: name as ChipStep, done: 0, total: 0 };
        ({ data } = await this.reader.readFile(fid));
      }
      this.files.set(name, data);
      this.groups.push({ name, fid, bytes: data.length, status: 'read' });
      this.session.progress(name as ChipStep, data.length, data.length);
      return data;
    } catch (e) {
      if (e instanceof CardStatusError) {
        const status: DataGroupStatus = e.sw === 0x6a82 ? 'absent' : e.sw === 0x6982 ? 'denied' : 'error';
        this.groups.push({ name, fid, bytes: 0, status, sw: e.sw });
        if (status === 'error' && dataGroupNumber(name) === undefined) {
          this.session.warn(
            'file_refused',
            `Chip từ chối đọc ${name} (${e.sw.toString(16).toUpperCase()}).`,
            `The chip refused to read ${name} (${e.sw.toString(16).toUpperCase()}).`,
          );
        }
        return undefined;
      }
      if (e instanceof IcaoError && e.code === 'file_malformed') {
        this.groups.push({ name, fid, bytes: 0, status: 'error' });
        this.session.warn(
          'file_malformed',
          `Tệp ${name} trên chip bị lỗi cấu trúc.`,
          `The file ${name} on the chip is malformed.`,
        );
        return undefined;
      }
      throw e;
    } finally {
      this.progressT.current = undefined;
    }
  }
}

/** Groups the SOD lists that the chip withholds: `dg_withheld` (error), DG3/DG4 excepted (EAC). */
export function withheldReasons(sodListed: number[] | undefined, groups: DataGroupInfo[]): Reason[] {
  if (!sodListed) return [];
  const out: Reason[] = [];
  for (const n of sodListed) {
    if (EAC_GROUPS.has(n)) continue;
    const g = groups.find((x) => x.name === `DG${n}`);
    if (g?.status === 'read') continue;
    const why = g?.sw === undefined ? '' : ` (${g.sw.toString(16).toUpperCase().padStart(4, '0')})`;
    const label = dataGroupLabel(n);
    out.push(
      reason(
        'dg_withheld',
        'error',
        `EF.SOD có ký ${label.vi} nhưng chip không cho đọc${why}: chip sao chép hoặc giả.`,
        `EF.SOD signs ${label.en} but the chip withholds it${why}: a cloned or fake chip.`,
      ),
    );
  }
  return out;
}
