import { describe, expect, it } from 'vitest';
import { CardRemovedError, TransportTimeoutError } from '../../native/transport/types';
import { loadPcscLite, mapPcscError, pcscErrorCode, PcscContext, SCARD_E } from '../../native/pcsc/pcsc';
import { loadNodeHid } from '../../native/hid/hid-pos';
import {
  ReaderCardRemovedError,
  ReaderError,
  ReaderTimeoutError,
  toReaderErrorInfo,
} from '../../native/readers/errors';
import { isExtendedApdu, statusWord, toShortApdu } from '../../native/pcsc/apdu-form';
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

describe('optional native libraries', () => {
  it('reports a missing PC/SC library with a bilingual driver_missing error', () => {
    let err: unknown;
    try {
      loadPcscLite('@pokusew/pcsclite-not-installed');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReaderError);
    expect((err as ReaderError).code).toBe('driver_missing');
    expect((err as ReaderError).vi).toMatch(/thư viện/);
  });

  it('PcscContext.start fails at once and clearly when the library is missing', () => {
    const ctx = new PcscContext({ load: () => loadPcscLite('@pokusew/pcsclite-not-installed') });
    expect(() => ctx.start()).toThrow(ReaderError);
  });

  it('loads the installed PC/SC library lazily without touching pcscd', () => {
    expect(typeof loadPcscLite()).toBe('function');
  });

  it('reports a missing node-hid the same way', () => {
    expect(() => loadNodeHid('node-hid-not-installed')).toThrow(/could not be loaded/);
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
