import { describe, expect, it } from 'vitest';
import {
  ACK_FRAME,
  ERROR_FRAME,
  NACK_FRAME,
  Pn532Decoder,
  WAKEUP_SEQUENCE,
  encodeCommand,
  encodeFrame,
  encodeResponse,
  type Pn532DecoderEvent,
} from '../../native/drivers/pn532/codec';
import { fromHex, hex } from '../../native/util/bytes';
import { parseTargetsTypeA } from '../../native/drivers/pn532/pn532';

function feedAll(bytes: Uint8Array, chunkSize = bytes.length): Pn532DecoderEvent[] {
  const d = new Pn532Decoder();
  const out: Pn532DecoderEvent[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) out.push(...d.push(bytes.subarray(i, i + chunkSize)));
  return out;
}

describe('PN532 frame encoding', () => {
  it('encodes GetFirmwareVersion exactly as in the user manual', () => {
    expect(hex(encodeCommand(0x02))).toBe('0000FF02FED4022A00');
  });

  it('encodes SAMConfiguration normal mode', () => {
    expect(hex(encodeCommand(0x14, [0x01, 0x14, 0x01]))).toBe('0000FF05FBD4140114010200');
  });

  it('encodes the firmware response D5 03 32 01 06 07', () => {
    expect(hex(encodeResponse(0x02, [0x32, 0x01, 0x06, 0x07]))).toBe('0000FF06FAD50332010607E800');
  });

  it('switches to an extended frame when LEN exceeds 255, with LENM/LENL/LCS', () => {
    const params = new Uint8Array(260).fill(0x11);
    const f = encodeCommand(0x40, params);
    // LEN = TFI + cmd + 260 = 262 = 0x0106; LCS = -(0x01 + 0x06) = 0xF9
    expect(hex(f.subarray(0, 8))).toBe('0000FFFFFF0106F9');
    expect(f.length).toBe(8 + 262 + 2);
    const dcs = f[f.length - 2]!;
    let sum = dcs;
    for (const b of f.subarray(8, 8 + 262)) sum += b;
    expect(sum & 0xff).toBe(0);
  });

  it('can force an extended frame for a short body', () => {
    const f = encodeFrame(0xd4, Uint8Array.of(0x02), { extended: true });
    expect(hex(f)).toBe('0000FFFFFF0002FED4022A00');
    const ev = feedAll(f);
    expect(ev).toEqual([
      { type: 'data', tfi: 0xd4, command: 0x02, params: new Uint8Array(0), extended: true },
    ]);
  });

  it('rejects bodies that no frame can carry', () => {
    expect(() => encodeFrame(0xd4, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeFrame(0xd4, new Uint8Array(300))).toThrow(RangeError);
  });

  it('has the fixed ACK, NACK, error and wake-up byte strings', () => {
    expect(hex(ACK_FRAME)).toBe('0000FF00FF00');
    expect(hex(NACK_FRAME)).toBe('0000FFFF0000');
    expect(hex(ERROR_FRAME)).toBe('0000FF01FF7F8100');
    expect(hex(WAKEUP_SEQUENCE.subarray(0, 2))).toBe('5555');
    expect(WAKEUP_SEQUENCE.length).toBe(16);
  });
});

describe('PN532 streaming decoder', () => {
  const response = encodeResponse(0x02, [0x32, 0x01, 0x06, 0x07]);

  it('decodes ACK + response fed one byte at a time', () => {
    const events = feedAll(new Uint8Array([...ACK_FRAME, ...response]), 1);
    expect(events).toEqual([
      { type: 'ack' },
      {
        type: 'data',
        tfi: 0xd5,
        command: 0x03,
        params: Uint8Array.of(0x32, 0x01, 0x06, 0x07),
        extended: false,
      },
    ]);
  });

  it('decodes NACK and the application error frame', () => {
    expect(feedAll(new Uint8Array([...NACK_FRAME, ...ERROR_FRAME]))).toEqual([
      { type: 'nack' },
      { type: 'error' },
    ]);
  });

  it('resynchronises after garbage, including a fake start code, and counts it', () => {
    const garbage = fromHex('12 00 FF 34 99 AB 55');
    const events = feedAll(new Uint8Array([...garbage, ...response]), 3);
    expect(events.filter((e) => e.type === 'data')).toHaveLength(1);
    expect(events.some((e) => e.type === 'checksum-error' && e.field === 'lcs')).toBe(true);
    const skipped = events
      .filter((e) => e.type === 'garbage')
      .reduce((n, e) => n + (e.type === 'garbage' ? e.bytes : 0), 0);
    expect(skipped).toBeGreaterThanOrEqual(4);
  });

  it('reports a data checksum error and still decodes the next good frame', () => {
    const bad = response.slice();
    bad[bad.length - 2] = (bad[bad.length - 2]! ^ 0x01) & 0xff;
    const events = feedAll(new Uint8Array([...bad, ...response]));
    expect(events[0]).toEqual({ type: 'checksum-error', field: 'dcs' });
    expect(events.filter((e) => e.type === 'data')).toHaveLength(1);
  });

  it('holds an incomplete frame until the rest arrives', () => {
    const d = new Pn532Decoder();
    expect(d.push(response.subarray(0, 7))).toEqual([]);
    expect(d.pending).toBeGreaterThan(0);
    expect(d.push(response.subarray(7))).toHaveLength(1);
  });

  it('round-trips an extended response frame', () => {
    const params = Uint8Array.from({ length: 262 }, (_, i) => i & 0xff);
    const f = encodeResponse(0x40, params);
    const events = feedAll(f, 17);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e.type === 'data' && e.extended && hex(e.params) === hex(params)).toBe(true);
  });

  it('does not count preamble/postamble zeros or the wake-up zeros as garbage', () => {
    const events = feedAll(new Uint8Array([0, 0, 0, ...response, 0, 0]));
    expect(events.filter((e) => e.type === 'garbage')).toEqual([]);
  });
});

describe('InListPassiveTarget parsing (106 kbps type A)', () => {
  it('parses ATQA, SAK, UID and ATS of an ISO 14443-4 card', () => {
    const t = parseTargetsTypeA(fromHex('01 01 0004 20 04 08123456 05 78807002'));
    expect(t).toHaveLength(1);
    expect(t[0]!.tg).toBe(1);
    expect(hex(t[0]!.atqa)).toBe('0004');
    expect(t[0]!.sak).toBe(0x20);
    expect(hex(t[0]!.uid)).toBe('08123456');
    expect(hex(t[0]!.ats!)).toBe('0578807002');
    expect(t[0]!.iso14443_4).toBe(true);
  });

  it('parses a 7-byte UID MIFARE target without ATS', () => {
    const t = parseTargetsTypeA(fromHex('01 01 0044 00 07 04A1B2C3D4E5F6'));
    expect(t[0]!.uid.length).toBe(7);
    expect(t[0]!.ats).toBeUndefined();
    expect(t[0]!.iso14443_4).toBe(false);
  });

  it('returns no target for NbTg = 0 and rejects truncated data', () => {
    expect(parseTargetsTypeA(Uint8Array.of(0))).toEqual([]);
    expect(() => parseTargetsTypeA(fromHex('01 01 0004 20 07 0812'))).toThrow(/truncated/);
  });
});
