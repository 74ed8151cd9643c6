/**
 * A small ISO 7816-4 test card for transport tests: SELECT by FID, READ BINARY (short and extended
 * Le, INS B0), GET CHALLENGE, 6D00 for anything else. It lets the PC/SC, vpcd and PN532 tests move
 * real APDUs without the ICAO stack; the real software card plugs into the same `CardFunction` slot.
 */

import { randomBytes } from 'node:crypto';
import { ApduError, decodeCommand } from '../../native/iso7816/apdu';
import type { CardFunction } from '../../native/drivers/pcsc/vpcd-card';

export interface TestCardOptions {
  /** Files by FID (e.g. 0x011e). */
  files?: Map<number, Uint8Array>;
  /** When false the card answers 6700 to any extended-length APDU (like many older chips). */
  extendedLength?: boolean;
  /** Called before each APDU is answered (the test can pull the card from here). */
  onApdu?: (apdu: Uint8Array, index: number) => void | Promise<void>;
}

export interface TestCard {
  card: CardFunction;
  /** Every APDU received, in order (tests assert on the forms used). */
  log: Uint8Array[];
  options: TestCardOptions;
}

/** A deterministic pseudo-random file (no personal data): byte i = (i * 31 + seed) & 0xff. */
export function patternFile(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  return out;
}

function sw(code: number, data?: Uint8Array): Uint8Array {
  const out = new Uint8Array((data?.length ?? 0) + 2);
  if (data) out.set(data);
  out[out.length - 2] = code >> 8;
  out[out.length - 1] = code & 0xff;
  return out;
}

export function createTestCard(options: TestCardOptions = {}): TestCard {
  const files = options.files ?? new Map([[0x011e, patternFile(4096)]]);
  let selected: Uint8Array | undefined;
  const log: Uint8Array[] = [];
  const card: CardFunction = async (apdu) => {
    const index = log.length;
    log.push(apdu.slice());
    await options.onApdu?.(apdu, index);
    let cmd;
    try {
      cmd = decodeCommand(apdu);
    } catch (e) {
      if (e instanceof ApduError) return sw(0x6700);
      throw e;
    }
    if (cmd.extended && options.extendedLength === false) return sw(0x6700);
    if (cmd.cla !== 0x00) return sw(0x6e00);
    switch (cmd.ins) {
      case 0xa4: {
        if (cmd.p1 === 0x04) {
          // SELECT by AID: the application is "there" for any AID, like a one-application card.
          selected = undefined;
          return sw(0x9000);
        }
        if (cmd.data.length !== 2) return sw(0x6a87);
        const fid = (cmd.data[0]! << 8) | cmd.data[1]!;
        const file = files.get(fid);
        if (!file) return sw(0x6a82);
        selected = file;
        return sw(0x9000);
      }
      case 0xb0: {
        if (!selected) return sw(0x6986);
        if (cmd.p1 & 0x80) return sw(0x6a81);
        const offset = (cmd.p1 << 8) | cmd.p2;
        if (offset > selected.length) return sw(0x6b00);
        const le = cmd.le ?? 0;
        const chunk = selected.subarray(offset, Math.min(selected.length, offset + le));
        return sw(chunk.length < le ? 0x6282 : 0x9000, chunk);
      }
      case 0x84: {
        const le = cmd.le ?? 0;
        if (le !== 8) return sw(0x6700);
        return sw(0x9000, new Uint8Array(randomBytes(8)));
      }
      default:
        return sw(0x6d00);
    }
  };
  return { card, log, options };
}
