import { describe, expect, it } from 'vitest';
import { CardRemovedError, TransportTimeoutError } from '../../native/transport/types';
import {
  loadPcscLite,
  mapPcscError,
  pcscErrorCode,
  pcscModuleStatus,
  PcscContext,
  SCARD_E,
} from '../../native/drivers/pcsc/pcsc';
import { classifyLoadError } from '../../native/util/native-modules';
import { needsPart } from '../support/system-parts';
import { loadNodeHid } from '../../native/drivers/hid/hid-pos';
import {
  ReaderCardRemovedError,
  ReaderError,
  ReaderTimeoutError,
  toReaderErrorInfo,
} from '../../native/transport/errors';
import { isExtendedApdu, statusWord, toShortApdu } from '../../native/drivers/pcsc/apdu-form';
import { fromHex, hex } from '../../native/util/bytes';

/** Errors exactly as @pokusew/pcsclite words them. */
function pcscliteError(fn: string, text: string, code: number): Error {
  return new Error(`${fn} error: ${text}(0x${code.toString(16).padStart(8, '0')})`);
}

describe('PC/SC error mapping', () => {
  it('reads the return code from the library message', () => {
    expect(pcscErrorCode(pcscliteError('SCardTransmit', 'Card was removed.', SCARD_E.REMOVED_CARD))).toBe(
      0x80100069,
    );
    expect(pcscErrorCode(new Error('Card Reader not connected'))).toBeUndefined();
  });

  it.each([
    [SCARD_E.REMOVED_CARD, ReaderCardRemovedError, 'card_removed'],
    [SCARD_E.NOT_TRANSACTED, ReaderCardRemovedError, 'card_removed'],
    [SCARD_E.NO_SMARTCARD, ReaderCardRemovedError, 'card_removed'],
    [SCARD_E.RESET_CARD, ReaderCardRemovedError, 'card_removed'],
    [SCARD_E.TIMEOUT, ReaderTimeoutError, 'timeout'],
    [SCARD_E.SHARING_VIOLATION, ReaderError, 'sharing_violation'],
    [SCARD_E.READER_UNAVAILABLE, ReaderError, 'reader_gone'],
    [SCARD_E.UNKNOWN_READER, ReaderError, 'reader_gone'],
    [SCARD_E.NO_SERVICE, ReaderError, 'service_unavailable'],
    [SCARD_E.COMM_ERROR, ReaderError, 'service_unavailable'],
    [SCARD_E.PROTO_MISMATCH, ReaderError, 'protocol'],
  ] as const)('maps PC/SC code %i', (code, cls, ours) => {
    const e = mapPcscError(pcscliteError('SCardTransmit', 'x', code), 'transmit');
    expect(e).toBeInstanceOf(cls);
    expect(e.code).toBe(ours);
    expect(e.vi.length).toBeGreaterThan(10);
    expect(e.en).toContain(`0x${code.toString(16)}`);
  });

  it('keeps the shared error classes recognisable', () => {
    expect(mapPcscError(pcscliteError('SCardTransmit', 'x', SCARD_E.REMOVED_CARD), 't')).toBeInstanceOf(
      CardRemovedError,
    );
    expect(mapPcscError(pcscliteError('SCardTransmit', 'x', SCARD_E.TIMEOUT), 't')).toBeInstanceOf(
      TransportTimeoutError,
    );
    expect(mapPcscError(new Error('Card Reader not connected'), 'transmit').code).toBe('not_connected');
  });

  it('gives every error a Vietnamese and an English message for the examiner', () => {
    const plain = toReaderErrorInfo(new CardRemovedError());
    expect(plain).toMatchObject({ code: 'card_removed', retryable: true });
    expect(plain.vi).toMatch(/Thẻ/);
    expect(toReaderErrorInfo(new TransportTimeoutError()).code).toBe('timeout');
    const other = toReaderErrorInfo(new Error('boom'));
    expect(other.code).toBe('protocol');
    expect(other.vi).toBe('Lỗi giao tiếp với đầu đọc thẻ.');
    expect(new ReaderError('driver_missing').retryable).toBe(false);
  });
});

const pcsclite = needsPart('pcsclite', 'optional native libraries: loads the installed PC/SC library');
const nodeHid = needsPart('node-hid', 'optional native libraries: loads the installed node-hid');

describe('optional native libraries', () => {
  it('reports a PC/SC module that was never built as such (not as pcscd stopped), with the command', () => {
    let err: unknown;
    try {
      loadPcscLite('@pokusew/pcsclite-not-installed');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReaderError);
    expect((err as ReaderError).code).toBe('module_not_built');
    expect((err as ReaderError).vi).toMatch(/chưa được biên dịch/);
    expect((err as ReaderError).en).toMatch(/never built/);
    expect((err as ReaderError).en).not.toMatch(/not running/);
    expect((err as ReaderError).en).toMatch(/npm install|npm rebuild/);
  });

  it('KIOSK_NATIVE_ABSENT simulates a module that was never built', () => {
    const saved = process.env.KIOSK_NATIVE_ABSENT;
    process.env.KIOSK_NATIVE_ABSENT = 'pcsclite,node-hid';
    try {
      expect(pcscModuleStatus().state).toBe('not_built');
      expect(() => loadNodeHid('node-hid-simulated')).toThrow(/never built/);
    } finally {
      if (saved === undefined) delete process.env.KIOSK_NATIVE_ABSENT;
      else process.env.KIOSK_NATIVE_ABSENT = saved;
    }
  });

  it('tells an ABI mismatch and a missing system library from a module never built', () => {
    const spec = { id: 'better-sqlite3', napi: false, runtimeDeps: 'libfoo1' };
    const abi = classifyLoadError(
      spec,
      new Error(
        "The module '/x/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 140. This version of Node.js requires\nNODE_MODULE_VERSION 115.",
      ),
    );
    expect(abi.state).toBe('abi_mismatch');
    expect(abi.builtFor).toBe('140');
    const lib = classifyLoadError(
      spec,
      new Error('libfoo.so.1: cannot open shared object file: No such file'),
    );
    expect(lib.state).toBe('library_missing');
    expect(lib.fix!.en).toContain('apt-get install libfoo1');
  });

  it('PcscContext.start fails at once and clearly when the library is missing', () => {
    const ctx = new PcscContext({ load: () => loadPcscLite('@pokusew/pcsclite-not-installed') });
    expect(() => ctx.start()).toThrow(ReaderError);
  });

  it.skipIf(pcsclite.skip)('loads the installed PC/SC library lazily without touching pcscd', () => {
    expect(typeof loadPcscLite()).toBe('function');
  });

  it('reports a missing node-hid the same way', () => {
    expect(() => loadNodeHid('node-hid-not-installed')).toThrow(/could not be loaded/);
  });

  it.skipIf(nodeHid.skip)('loads the installed node-hid', () => {
    expect(typeof loadNodeHid().devicesAsync).toBe('function');
  });
});

describe('APDU length forms for transports', () => {
  it('recognises extended APDUs and builds the short form with Le capped at 256', () => {
    expect(isExtendedApdu(fromHex('00B00000001000'))).toBe(true);
    expect(isExtendedApdu(fromHex('00B0000000'))).toBe(false);
    expect(hex(toShortApdu(fromHex('00B00000001000'))!)).toBe('00B0000000');
    expect(hex(toShortApdu(fromHex('00B00000000080'))!)).toBe('00B0000080');
    // Case 4 extended with small data: data kept, Le capped.
    expect(hex(toShortApdu(fromHex('00A4040C000002A0010100'))!)).toBe('00A4040C02A00100');
    // Data longer than 255 bytes cannot be short.
    const big = new Uint8Array(4 + 3 + 300);
    big.set([0x00, 0xd6, 0x00, 0x00, 0x00, 0x01, 0x2c]);
    expect(toShortApdu(big)).toBeUndefined();
    expect(statusWord(fromHex('6A82'))).toBe(0x6a82);
  });
});
