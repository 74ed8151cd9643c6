/**
 * Reads a transparent EF through any CardTransport with plain SELECT + READ BINARY, the way the ICAO
 * file reader does (without secure messaging). Used by the transport tests.
 */

import { concat } from '../../native/util/bytes';
import type { CardTransport } from '../../native/transport/types';
import { encodeCommand } from '../../native/iso7816/apdu';

export class StatusWordError extends Error {
  constructor(
    readonly sw: number,
    what: string,
  ) {
    super(`${what} failed with SW ${sw.toString(16).padStart(4, '0')}`);
  }
}

function sw(r: Uint8Array): number {
  return (r[r.length - 2]! << 8) | r[r.length - 1]!;
}

export async function selectFid(t: CardTransport, fid: number): Promise<void> {
  const r = await t.transmit(
    encodeCommand({ cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Uint8Array.of(fid >> 8, fid & 0xff) }),
  );
  if (sw(r) !== 0x9000) throw new StatusWordError(sw(r), 'SELECT');
}

/**
 * Reads `length` bytes from the selected file in chunks of `chunk` bytes (> 256 = extended Le). A card
 * may return fewer bytes than asked (short fallback); the loop continues from where it got.
 */
export async function readBinary(
  t: CardTransport,
  length: number,
  chunk: number,
): Promise<{ data: Uint8Array; apdus: number }> {
  const parts: Uint8Array[] = [];
  let offset = 0;
  let apdus = 0;
  while (offset < length) {
    const le = Math.min(chunk, length - offset);
    const r = await t.transmit(
      encodeCommand({ cla: 0, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, le, extended: le > 256 }),
    );
    apdus++;
    const status = sw(r);
    if (status !== 0x9000 && status !== 0x6282) throw new StatusWordError(status, `READ BINARY at ${offset}`);
    const data = r.subarray(0, r.length - 2);
    if (data.length === 0) throw new Error(`READ BINARY at ${offset} returned no data`);
    parts.push(data.slice());
    offset += data.length;
  }
  return { data: concat(...parts), apdus };
}
