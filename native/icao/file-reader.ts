/**
 * Selecting the eMRTD application and reading whole elementary files (ICAO 9303 part 10).
 *
 * Files are selected by FID (`00 A4 02 0C 02 xx xx`; SELECT MF is never needed). A read first fetches
 * the first bytes to learn the TLV length, then reads in chunks as large as the transport and the
 * card accept: extended length when the transport allows it, otherwise 223 bytes (the largest that
 * fits a short response under AES secure messaging). The card's answers teach the reader: 6700 on an
 * extended read drops to short reads, 6700 on a short read tries smaller chunks, 6Cxx gives the
 * exact size, and a short answer (9000/6282 with fewer bytes) becomes the new chunk size. What worked
 * is remembered for the rest of the read and for later files read with the same FileReader.
 * Offsets above 32767 use READ BINARY with odd INS (B1, offset in DO 54, data in DO 53).
 */

import { fromHex } from '../util/bytes';
import { encodeCommand, parseResponse } from '../iso7816/apdu';
import { CardStatusError, IcaoError, swHex } from '../iso7816/sw';
import { decodeOne, readLength, readTag, TlvError } from '../iso7816/tlv';
import type { CardTransport } from '../transport/types';

export const EMRTD_AID = fromHex('A0000002471001');

export const FID = {
  CARD_ACCESS: 0x011c,
  COM: 0x011e,
  SOD: 0x011d,
  DG1: 0x0101,
  DG2: 0x0102,
  DG3: 0x0103,
  DG11: 0x010b,
  DG13: 0x010d,
  DG14: 0x010e,
  DG15: 0x010f,
} as const;

/** FID of data group n (1..16). */
export function dgFid(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new RangeError(`no data group ${n}`);
  return 0x0100 + n;
}

/** SELECT the eMRTD application by AID (00 A4 04 0C 07 A0000002471001). */
export async function selectApplication(
  transport: CardTransport,
  aid: Uint8Array = EMRTD_AID,
): Promise<void> {
  const r = parseResponse(
    await transport.transmit(encodeCommand({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x0c, data: aid })),
  );
  if (r.sw !== 0x9000) throw new CardStatusError(r.sw, 0xa4);
}

/** SELECT an EF by file identifier (00 A4 02 0C 02 xx xx). */
export async function selectEf(transport: CardTransport, fid: number): Promise<void> {
  if (!Number.isInteger(fid) || fid < 0 || fid > 0xffff) throw new RangeError(`bad FID ${fid}`);
  const data = Uint8Array.of(fid >> 8, fid & 0xff);
  const r = parseResponse(
    await transport.transmit(encodeCommand({ cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data })),
  );
  if (r.sw !== 0x9000) throw new CardStatusError(r.sw, 0xa4);
}

export interface FileReaderOptions {
  /** Largest Le for short-length reads (default 223). */
  shortChunk?: number;
  /** Use extended-length reads when the transport allows (default true). */
  extendedLength?: boolean;
  /** Largest Le for extended reads (default: what the transport allows, at most 65535). */
  extendedChunk?: number;
  /** Bytes read first to learn the TLV length (default 8). */
  headerLength?: number;
  /** Refuse files claiming to be larger (default 1 MiB). */
  maxFileSize?: number;
}

export interface ReadStats {
  fid: number;
  /** Bytes of file content received. */
  bytes: number;
  /** SELECT + READ BINARY commands sent for this file. */
  commands: number;
  /** READ BINARY commands (including refused ones). */
  reads: number;
  /** The chunk size that worked last, and whether it was extended. */
  chunkSize: number;
  extended: boolean;
  /** What the reader learned, e.g. '6700 on extended read: short reads from now on'. No data. */
  fallbacks: string[];
}

export interface FileRead {
  data: Uint8Array;
  stats: ReadStats;
}

const LADDER = [160, 128, 112, 64, 32, 16];
const MAX_ATTEMPTS_PER_OFFSET = 10;

function lengthFieldSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4;
}

function malformed(fid: number, cause?: unknown): IcaoError {
  const f = fid.toString(16).toUpperCase().padStart(4, '0');
  return new IcaoError(
    'file_malformed',
    { vi: `Tệp ${f} trên chip bị lỗi cấu trúc`, en: `file ${f} on the chip is malformed` },
    cause === undefined ? undefined : { cause },
  );
}

/** Reads whole EFs, remembering what chunk sizes the card and transport accept. */
export class FileReader {
  private readonly transport: CardTransport;
  private readonly options: Required<FileReaderOptions>;
  /** undefined = not tried yet, false = refused by the card. */
  private extendedWorks: boolean | undefined;
  private shortChunk: number;
  private extendedChunk: number;
  /** Totals over all files read with this reader. */
  readonly totals = { commands: 0, bytes: 0, files: 0 };

  constructor(transport: CardTransport, options: FileReaderOptions = {}) {
    this.transport = transport;
    this.options = {
      shortChunk: options.shortChunk ?? 223,
      extendedLength: options.extendedLength ?? true,
      extendedChunk: options.extendedChunk ?? 65535,
      headerLength: options.headerLength ?? 8,
      maxFileSize: options.maxFileSize ?? 1 << 20,
    };
    if (this.options.shortChunk < 1 || this.options.shortChunk > 256)
      throw new RangeError('shortChunk must be 1..256');
    if (this.options.headerLength < 4 || this.options.headerLength > 32)
      throw new RangeError('headerLength must be 4..32');
    this.shortChunk = this.options.shortChunk;
    this.extendedChunk = this.options.extendedChunk;
    this.extendedWorks = this.options.extendedLength ? undefined : false;
  }

  private maxData(): number {
    return Math.max(1, this.transport.limits.maxResponseLength - 2);
  }

  private useExtended(): boolean {
    return this.extendedWorks !== false && this.transport.limits.extendedLength && this.maxData() > 256;
  }

  /** The Le the reader would use now for plain READ BINARY (B0). */
  currentChunk(): number {
    const max = this.maxData();
    if (this.useExtended()) return Math.min(this.extendedChunk, max, 65535);
    return Math.min(this.shortChunk, max, 256);
  }

  /** Selects `fid` and reads the whole file. */
  async readFile(fid: number): Promise<FileRead> {
    const stats: ReadStats = {
      fid,
      bytes: 0,
      commands: 0,
      reads: 0,
      chunkSize: 0,
      extended: false,
      fallbacks: [],
    };
    stats.commands++;
    this.totals.commands++;
    await selectEf(this.transport, fid);
    const data = await this.readSelected(stats);
    this.totals.files++;
    return { data, stats };
  }

  /** Reads the currently selected EF (which must hold one BER-TLV object). */
  async readSelected(stats: ReadStats): Promise<Uint8Array> {
    const header = await this.readChunk(0, this.options.headerLength, stats, true);
    let total: number;
    try {
      const t = readTag(header, 0);
      const l = readLength(header, t.next);
      total = l.next + l.length;
    } catch (e) {
      throw malformed(stats.fid, e);
    }
    if (total > this.options.maxFileSize) throw malformed(stats.fid);
    const out = new Uint8Array(total);
    out.set(header.subarray(0, Math.min(header.length, total)), 0);
    let offset = Math.min(header.length, total);
    if (header.length < this.options.headerLength && offset < total) throw malformed(stats.fid);
    while (offset < total) {
      const part = await this.readChunk(offset, total - offset, stats, false);
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  /**
   * One READ BINARY at `offset` for up to `want` bytes, retried with what the card teaches.
   * `atEndOk`: a short answer is acceptable (the header read of a tiny file).
   */
  private async readChunk(
    offset: number,
    want: number,
    stats: ReadStats,
    atEndOk: boolean,
  ): Promise<Uint8Array> {
    let headerLimit = want;
    for (let attempt = 0; attempt < MAX_ATTEMPTS_PER_OFFSET; attempt++) {
      const extended = this.useExtended();
      const chunk = this.currentChunk();
      const odd = offset > 0x7fff;
      let le = Math.min(want, chunk, atEndOk ? headerLimit : want);
      if (odd) {
        // DO 53 header inside Le: shrink the data so that the whole answer still fits the chunk.
        while (le > 1 && le + 1 + lengthFieldSize(le) > chunk) le--;
      }
      const wire = (n: number): number => (odd ? n + 1 + lengthFieldSize(n) : n);
      const { sw, data } = await this.readBinary(offset, le, odd, stats);
      const sentExtended = wire(le) > 256;
      if (sw === 0x9000 || sw === 0x6282) {
        if (data.length > le) throw malformed(stats.fid);
        if (data.length === 0) {
          if (atEndOk && offset === 0) throw malformed(stats.fid);
          throw new CardStatusError(sw, odd ? 0xb1 : 0xb0);
        }
        if (data.length < le && !atEndOk) {
          this.learnSmaller(
            wire(data.length),
            extended,
            stats,
            `card returned ${data.length} of ${le} bytes (${swHex(sw)})`,
          );
        }
        stats.bytes += data.length;
        stats.chunkSize = Math.max(stats.chunkSize, le);
        stats.extended = stats.extended || sentExtended;
        this.totals.bytes += data.length;
        return data;
      }
      if (sw === 0x6700) {
        if (sentExtended && this.extendedWorks !== false) {
          this.extendedWorks = false;
          stats.fallbacks.push('6700 on extended read: short reads from now on');
          continue;
        }
        const next = LADDER.find((n) => n < wire(le));
        if (next === undefined) throw new CardStatusError(sw, odd ? 0xb1 : 0xb0);
        this.shortChunk = Math.min(this.shortChunk, next);
        stats.fallbacks.push(`6700 on ${wire(le)}-byte read: trying ${next}`);
        continue;
      }
      if (sw >> 8 === 0x6c) {
        const exact = sw & 0xff || 256;
        if (exact >= wire(le) || (odd && exact < 3)) throw new CardStatusError(sw, odd ? 0xb1 : 0xb0);
        if (atEndOk) {
          // Header read of a file shorter than the header: the card names the file's size, not its limit.
          headerLimit = exact;
          continue;
        }
        this.learnSmaller(exact, extended, stats, `${swHex(sw)}: card reads at most ${exact} bytes`);
        continue;
      }
      throw new CardStatusError(sw, odd ? 0xb1 : 0xb0);
    }
    throw new IcaoError('read_failed', {
      vi: 'Không đọc được tệp từ chip: chip từ chối mọi kích thước đọc',
      en: 'could not read the file: the chip refused every read size',
    });
  }

  private learnSmaller(n: number, extended: boolean, stats: ReadStats, why: string): void {
    if (extended && n <= 256) this.extendedWorks = false;
    if (extended && n > 256) this.extendedChunk = Math.min(this.extendedChunk, n);
    else this.shortChunk = Math.min(this.shortChunk, n);
    stats.fallbacks.push(why);
  }

  /** Sends READ BINARY (B0, or B1 for large offsets); returns the file bytes and status. */
  private async readBinary(
    offset: number,
    le: number,
    odd: boolean,
    stats: ReadStats,
  ): Promise<{ sw: number; data: Uint8Array }> {
    stats.commands++;
    stats.reads++;
    this.totals.commands++;
    if (!odd) {
      const cmd = encodeCommand({ cla: 0, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, le });
      const r = parseResponse(await this.transport.transmit(cmd));
      return { sw: r.sw, data: r.data.slice() };
    }
    if (offset > 0xffffff) throw malformed(stats.fid);
    const off =
      offset > 0xffff
        ? Uint8Array.of(offset >> 16, (offset >> 8) & 0xff, offset & 0xff)
        : Uint8Array.of(offset >> 8, offset & 0xff);
    const data = Uint8Array.of(0x54, off.length, ...off);
    const cmd = encodeCommand({ cla: 0, ins: 0xb1, p1: 0, p2: 0, data, le: le + 1 + lengthFieldSize(le) });
    const r = parseResponse(await this.transport.transmit(cmd));
    if (r.data.length === 0) return { sw: r.sw, data: new Uint8Array(0) };
    try {
      const t = decodeOne(r.data);
      if (t.tag !== 0x53 || t.length !== r.data.length) throw new TlvError('expected DO 53');
      return { sw: r.sw, data: t.value.slice() };
    } catch (e) {
      throw malformed(stats.fid, e);
    }
  }
}

/** Convenience: select `fid` and read the whole EF with a fresh reader. */
export async function readFile(
  transport: CardTransport,
  fid: number,
  options?: FileReaderOptions,
): Promise<FileRead> {
  return new FileReader(transport, options).readFile(fid);
}
