/**
 * Length forms of command APDUs as a transport sees them: is this command extended-length, and what is
 * its short-length equivalent (for readers or cards that refuse extended APDUs). The APDU codec itself
 * is native/iso7816/apdu.ts; this only adapts it for transports.
 */

import {
  decodeCommand,
  encodeCommand,
  MAX_SHORT_LC,
  MAX_SHORT_LE,
  type DecodedCommand,
} from '../../iso7816/apdu';

/** Largest short command APDU: header, Lc, 255 data bytes, Le. */
export const MAX_SHORT_COMMAND = 4 + 1 + MAX_SHORT_LC + 1;
/** Largest short response APDU: 256 data bytes and SW1 SW2. */
export const MAX_SHORT_RESPONSE = MAX_SHORT_LE + 2;
/** Largest extended command APDU: header, 00 Lc(2), 65535 data bytes, Le(2). */
export const MAX_EXTENDED_COMMAND = 4 + 3 + 65535 + 2;
/** Largest extended response APDU: 65536 data bytes and SW1 SW2. */
export const MAX_EXTENDED_RESPONSE = 65536 + 2;

/** Decodes the header and length fields; undefined when the bytes are not a well-formed APDU. */
export function apduForm(command: Uint8Array): DecodedCommand | undefined {
  try {
    return decodeCommand(command);
  } catch {
    return undefined;
  }
}

/** True when the command uses extended length fields. */
export function isExtendedApdu(command: Uint8Array): boolean {
  return apduForm(command)?.extended ?? false;
}

/**
 * The short-length form of an extended command: Le is capped at 256 (the card then answers with at most
 * 256 bytes and the caller reads on from where it got). Undefined when the data does not fit (Lc > 255).
 */
export function toShortApdu(command: Uint8Array): Uint8Array | undefined {
  const form = apduForm(command);
  if (!form) return undefined;
  if (!form.extended) return command;
  if (form.data.length > MAX_SHORT_LC) return undefined;
  return encodeCommand({
    cla: form.cla,
    ins: form.ins,
    p1: form.p1,
    p2: form.p2,
    data: form.data.length > 0 ? form.data : undefined,
    le: form.le === undefined ? undefined : Math.min(form.le, MAX_SHORT_LE),
  });
}

/** The status word of a response APDU (0 when too short). */
export function statusWord(response: Uint8Array): number {
  if (response.length < 2) return 0;
  return (response[response.length - 2]! << 8) | response[response.length - 1]!;
}
