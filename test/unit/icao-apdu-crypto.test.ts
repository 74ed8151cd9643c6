/**
 * APDU codec (cases 1-4, short and extended, strict decoding), status words, and the symmetric
 * primitives against published vectors (RFC 4493 / SP 800-38B for AES-CMAC).
 */
import { describe, expect, it } from 'vitest';
import {
  ApduError,
  decodeCommand,
  encodeCommand,
  encodeResponse,
  encodedCommandLength,
  parseResponse,
} from '../../native/iso7816/apdu';
import {
  adjustParity,
  aesCmac,
  cbcDecrypt,
  cbcEncrypt,
  kdf,
  pad,
  retailMac,
  unpad,
} from '../../native/icao/crypto';
import { CardStatusError, expectOk, isSuccess, swName, triesLeft } from '../../native/iso7816/sw';
import { maxPlainCommandData, maxPlainResponse } from '../../native/icao/sm';
import { fromHex, hex } from '../../native/util/bytes';
import { createHash } from 'node:crypto';

describe('command APDUs', () => {
  const cases: [string, Parameters<typeof encodeCommand>[0], string][] = [
    ['case 1', { cla: 0, ins: 0xa4, p1: 0, p2: 0x0c }, '00A4000C'],
    ['case 2 short', { cla: 0, ins: 0x84, p1: 0, p2: 0, le: 8 }, '0084000008'],
    ['case 2 short Le 256', { cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }, '00B0000000'],
    ['case 3 short', { cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('011E') }, '00A4020C02011E'],
    ['case 4 short', { cla: 0, ins: 0x88, p1: 0, p2: 0, data: fromHex('0102'), le: 256 }, '0088000002010200'],
    ['case 2 extended', { cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 1000 }, '00B00000' + '0003E8'],
    ['case 2 extended 65536', { cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 65536 }, '00B00000' + '000000'],
    [
      'case 4 extended (forced)',
      { cla: 0, ins: 0x88, p1: 0, p2: 0, data: fromHex('AA'), le: 256, extended: true },
      '00880000000001AA0100',
    ],
  ];
  for (const [name, cmd, bytes] of cases) {
    it(`${name} encodes and decodes`, () => {
      expect(hex(encodeCommand(cmd))).toBe(bytes);
      const d = decodeCommand(fromHex(bytes));
      expect([d.cla, d.ins, d.p1, d.p2]).toEqual([cmd.cla, cmd.ins, cmd.p1, cmd.p2]);
      expect(hex(d.data)).toBe(hex(cmd.data ?? new Uint8Array(0)));
      expect(d.le).toBe(cmd.le);
      expect(encodedCommandLength(d.data.length, d.le !== undefined, d.extended)).toBe(bytes.length / 2);
    });
  }

  it('case 3 extended with 300 data bytes', () => {
    const data = new Uint8Array(300).fill(0x5a);
    const enc = encodeCommand({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data });
    expect(hex(enc.subarray(0, 7))).toBe('00D6000000012C');
    const d = decodeCommand(enc);
    expect(d.case).toBe(3);
    expect(d.extended).toBe(true);
    expect(d.data.length).toBe(300);
  });

  it('rejects bad fields and malformed bodies', () => {
    expect(() => encodeCommand({ cla: 0x100, ins: 0, p1: 0, p2: 0 })).toThrow(ApduError);
    expect(() => encodeCommand({ cla: 0xff, ins: 0xa4, p1: 0, p2: 0 })).toThrow(ApduError);
    expect(() => encodeCommand({ cla: 0, ins: 0x61, p1: 0, p2: 0 })).toThrow(ApduError);
    expect(() => encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 65537 })).toThrow(ApduError);
    expect(() => encodeCommand({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data: new Uint8Array(65536) })).toThrow(
      ApduError,
    );
    for (const bad of [
      '00A4',
      '00A4020C0301',
      '00A4020C02011E0000',
      '00B000000001',
      '00D60000000002AA',
      '00D60000000000AA',
    ]) {
      expect(() => decodeCommand(fromHex(bad))).toThrow(ApduError);
    }
  });

  it('splits responses into data and status word', () => {
    const r = parseResponse(fromHex('60145F019000'));
    expect(hex(r.data)).toBe('60145F01');
    expect(r.sw).toBe(0x9000);
    expect(hex(encodeResponse(fromHex('AB'), 0x6282))).toBe('AB6282');
    expect(() => parseResponse(fromHex('90'))).toThrow(ApduError);
  });
});

describe('status words', () => {
  it('names the common ones and the parameterised families', () => {
    expect(swName(0x9000)).toBe('success');
    expect(swName(0x6a82)).toBe('file or application not found');
    expect(swName(0x6c64)).toBe('wrong Le: exact length is 100');
    expect(swName(0x6110)).toBe('success, 16 more bytes available');
    expect(swName(0x63c2)).toBe('verification failed, 2 tries left');
    expect(triesLeft(0x63c2)).toBe(2);
    expect(triesLeft(0x6300)).toBeUndefined();
    expect(isSuccess(0x6104)).toBe(true);
    expect(isSuccess(0x6282)).toBe(false);
  });

  it('CardStatusError carries sw, name, INS and both languages', () => {
    const e = new CardStatusError(0x6982, 0xb0);
    expect(e.sw).toBe(0x6982);
    expect(e.swName).toBe('security status not satisfied');
    expect(e.ins).toBe(0xb0);
    expect(e.vi.length).toBeGreaterThan(0);
    expect(e.en).toContain('6982');
    expect(() => expectOk(0x6a86, 0xa4)).toThrow(CardStatusError);
  });
});

describe('symmetric crypto', () => {
  const k128 = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  const msg = fromHex(
    '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
  );

  it('AES-CMAC matches RFC 4493', () => {
    expect(hex(aesCmac(k128, new Uint8Array(0)))).toBe('BB1D6929E95937287FA37D129B756746');
    expect(hex(aesCmac(k128, msg.subarray(0, 16)))).toBe('070A16B46B4D4144F79BDD9DD04A287C');
    expect(hex(aesCmac(k128, msg.subarray(0, 40)))).toBe('DFA66747DE9AE63030CA32611497C827');
    expect(hex(aesCmac(k128, msg))).toBe('51F0BEBF7E3B9D92FC49741779363CFE');
  });

  it('AES-CMAC with 192- and 256-bit keys matches SP 800-38B', () => {
    const k192 = fromHex('8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b');
    const k256 = fromHex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
    expect(hex(aesCmac(k192, new Uint8Array(0)))).toBe('D17DDF46ADAACDE531CAC483DE7A9367');
    expect(hex(aesCmac(k256, new Uint8Array(0)))).toBe('028962F61B7BF89EFC6B551F4667D983');
    expect(hex(aesCmac(k256, msg))).toBe('E1992190549F6ED5696A2C056C315410');
  });

  it('ISO 9797-1 padding method 2', () => {
    expect(hex(pad(fromHex('0CA4020C'), 8))).toBe('0CA4020C80000000');
    expect(hex(pad(new Uint8Array(8), 8))).toBe('00000000000000008000000000000000');
    expect(hex(unpad(fromHex('0102800000')))).toBe('0102');
    expect(() => unpad(fromHex('01020000'))).toThrow();
  });

  it('DES parity, retail MAC over several blocks, CBC round trip', () => {
    expect(hex(adjustParity(fromHex('0000FFFE')))).toBe('0101FEFE');
    const key = fromHex('7962D9ECE03D1ACD4C76089DCE131543');
    // D.3: MAC over E_IFD (32 bytes) is the last 8 bytes of the EXTERNAL AUTHENTICATE data.
    const eIfd = fromHex('72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2');
    expect(hex(retailMac(key, eIfd))).toBe('5F1448EEA8AD90A7');
    const data = pad(fromHex('48656C6C6F'), 16);
    expect(
      hex(cbcDecrypt('AES-256', new Uint8Array(32), cbcEncrypt('AES-256', new Uint8Array(32), data))),
    ).toBe(hex(data));
  });

  it('KDF uses SHA-1 for AES-128 and SHA-256 for AES-192/256', () => {
    const secret = fromHex('28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925');
    const sha256 = createHash('sha256')
      .update(secret)
      .update(fromHex('00000001'))
      .digest('hex')
      .toUpperCase();
    expect(hex(kdf(secret, 1, 'AES-256'))).toBe(sha256);
    expect(hex(kdf(secret, 1, 'AES-192'))).toBe(sha256.slice(0, 48));
    expect(kdf(secret, 1, '3DES')).toHaveLength(16);
  });
});

describe('secure messaging size arithmetic', () => {
  it('223 plain bytes fit a short AES response, 231 a 3DES one', () => {
    expect(maxPlainResponse(258, 16)).toBe(223);
    expect(maxPlainResponse(258, 8)).toBe(231);
    expect(maxPlainCommandData(261, 16, false)).toBeLessThanOrEqual(255);
  });
});
