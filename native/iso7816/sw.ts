/**
 * ISO/IEC 7816-4 status words (SW1 SW2) with readable names, and the errors the ICAO stack throws.
 * Every error that can reach the examiner carries a Vietnamese (`vi`) and an English (`en`) message.
 */

import type { Bilingual } from '../domain/vocabulary';

export const SW = {
  OK: 0x9000,
  END_OF_FILE: 0x6282,
  VERIFICATION_FAILED: 0x6300,
  MEMORY_FAILURE: 0x6581,
  WRONG_LENGTH: 0x6700,
  LOGICAL_CHANNEL_NOT_SUPPORTED: 0x6881,
  SECURE_MESSAGING_NOT_SUPPORTED: 0x6882,
  COMMAND_INCOMPATIBLE: 0x6981,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTH_METHOD_BLOCKED: 0x6983,
  REFERENCE_DATA_NOT_USABLE: 0x6984,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  COMMAND_NOT_ALLOWED: 0x6986,
  SM_DATA_OBJECTS_MISSING: 0x6987,
  SM_DATA_OBJECTS_INCORRECT: 0x6988,
  WRONG_DATA: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  RECORD_NOT_FOUND: 0x6a83,
  NOT_ENOUGH_MEMORY: 0x6a84,
  INCORRECT_P1P2: 0x6a86,
  REFERENCE_DATA_NOT_FOUND: 0x6a88,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  UNKNOWN: 0x6f00,
} as const;

const NAMES: Record<number, string> = {
  0x9000: 'success',
  0x6200: 'warning: state of non-volatile memory unchanged',
  0x6281: 'warning: part of returned data may be corrupted',
  0x6282: 'warning: end of file reached before reading Le bytes',
  0x6283: 'warning: selected file deactivated',
  0x6300: 'authentication failed',
  0x6581: 'memory failure',
  0x6700: 'wrong length',
  0x6881: 'logical channel not supported',
  0x6882: 'secure messaging not supported',
  0x6981: 'command incompatible with file structure',
  0x6982: 'security status not satisfied',
  0x6983: 'authentication method blocked',
  0x6984: 'reference data not usable',
  0x6985: 'conditions of use not satisfied',
  0x6986: 'command not allowed (no current EF)',
  0x6987: 'expected secure messaging data objects missing',
  0x6988: 'incorrect secure messaging data objects',
  0x6a80: 'incorrect parameters in the data field',
  0x6a81: 'function not supported',
  0x6a82: 'file or application not found',
  0x6a83: 'record not found',
  0x6a84: 'not enough memory space in the file',
  0x6a86: 'incorrect parameters P1-P2',
  0x6a88: 'referenced data not found',
  0x6b00: 'wrong parameters P1-P2 (offset outside the EF)',
  0x6d00: 'instruction code not supported',
  0x6e00: 'class not supported',
  0x6f00: 'no precise diagnosis',
};

/** A readable name for a status word, including the parameterised families (61xx, 6Cxx, 63Cx). */
export function swName(sw: number): string {
  const known = NAMES[sw];
  if (known) return known;
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  if (sw1 === 0x61) return `success, ${sw2 === 0 ? 256 : sw2} more bytes available`;
  if (sw1 === 0x6c) return `wrong Le: exact length is ${sw2 === 0 ? 256 : sw2}`;
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) return `verification failed, ${sw2 & 0x0f} tries left`;
  if (sw1 === 0x62 || sw1 === 0x63) return 'warning';
  if (sw1 === 0x64 || sw1 === 0x65) return 'execution error';
  if (sw1 === 0x68) return 'function in CLA not supported';
  if (sw1 === 0x69) return 'command not allowed';
  if (sw1 === 0x6a) return 'wrong parameters';
  return 'unknown status';
}

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/** 9000 and 61xx are success; 62xx/63xx are warnings (data may still be returned). */
export function isSuccess(sw: number): boolean {
  return sw === 0x9000 || sw >> 8 === 0x61;
}

/** 63Cx: verification failed with x tries left (returns x), otherwise undefined. */
export function triesLeft(sw: number): number | undefined {
  return sw >> 8 === 0x63 && (sw & 0xf0) === 0xc0 ? sw & 0x0f : undefined;
}

function statusMessage(sw: number, ins: number): Bilingual {
  const code = swHex(sw);
  switch (sw) {
    case 0x6a82:
      return { vi: `Không tìm thấy tệp trên chip (${code})`, en: `file not found on the chip (${code})` };
    case 0x6982:
      return {
        vi: `Chip từ chối: chưa đủ điều kiện bảo mật (${code})`,
        en: `chip refused: security status not satisfied (${code})`,
      };
    case 0x6987:
    case 0x6988:
      return {
        vi: `Lỗi kênh bảo mật với chip (${code})`,
        en: `secure messaging error reported by the chip (${code})`,
      };
    default:
      return {
        vi: `Chip trả lỗi ${code} cho lệnh ${ins.toString(16).toUpperCase().padStart(2, '0')}`,
        en: `chip answered ${code} (${swName(sw)}) to instruction ${ins.toString(16).toUpperCase().padStart(2, '0')}`,
      };
  }
}

/** The card answered a command with a status word the caller cannot continue from. */
export class CardStatusError extends Error implements Bilingual {
  readonly sw: number;
  readonly swName: string;
  /** INS byte of the command that failed. */
  readonly ins: number;
  readonly vi: string;
  readonly en: string;
  constructor(sw: number, ins: number, message?: Bilingual) {
    const m = message ?? statusMessage(sw, ins);
    super(m.en);
    this.name = 'CardStatusError';
    this.sw = sw;
    this.swName = swName(sw);
    this.ins = ins;
    this.vi = m.vi;
    this.en = m.en;
  }
}

/**
 * A protocol-level failure in the ICAO stack (authentication failed, bad MAC, malformed answer).
 * `code` is stable and machine-readable; `vi`/`en` are for the examiner and the log.
 */
export class IcaoError extends Error implements Bilingual {
  readonly code: string;
  readonly vi: string;
  readonly en: string;
  /** Status word from the chip when the failure came with one. */
  readonly sw?: number;
  constructor(code: string, message: Bilingual, options?: { sw?: number; cause?: unknown }) {
    super(message.en, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IcaoError';
    this.code = code;
    this.vi = message.vi;
    this.en = message.en;
    if (options?.sw !== undefined) this.sw = options.sw;
  }
}

/** Throws CardStatusError unless `sw` is 9000 (or 61xx). */
export function expectOk(sw: number, ins: number): void {
  if (!isSuccess(sw)) throw new CardStatusError(sw, ins);
}
