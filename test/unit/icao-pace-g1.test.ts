/**
 * ICAO 9303 part 11 appendix G.1 (PACE, ECDH generic mapping, brainpoolP256r1, AES-128) byte for
 * byte: a full terminal ↔ software-card run with the appendix's fixed nonce and private keys.
 */
import { describe, expect, it } from 'vitest';
import { OID } from '../../native/icao/card-access';
import {
  authToken,
  decryptNonce,
  encryptNonce,
  pace,
  passwordKey,
  passwordPi,
  type PaceTrace,
} from '../../native/icao/pace';
import { kdf } from '../../native/icao/crypto';
import { decodeAll, decodeOne } from '../../native/iso7816/tlv';
import { CardEngine, engineTransport } from '../../native/softcard/card-engine';
import { fromHex, hex } from '../../native/util/bytes';
import { SpyTransport } from './helpers/icao-card';

const MRZ = 'T22000129364081251010318';
const G1 = {
  kPi: '89DED1B26624EC1E634C1989302849DD',
  z: '95A3A016522EE98D01E76CB6B98B42C3',
  s: '3F00C4D39D153F2B2A214A078D899B22',
  terminalMapping: '7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99',
  chipMapping: '498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560',
  terminalEphemeral: 'A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595',
  chipEphemeral: '107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A',
  sharedX: '28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925',
  ksEnc: 'F5F0E35C0D7161EE6724EE513A0D9A7F',
  ksMac: 'FE251C7858B356B24514B3BD5F4297D1',
  tIfd: 'C2B0BD78D94BA866',
  tIc: '3ABB9674BCE93C08',
};

function gaInner(apdu: Uint8Array, fromCommand: boolean): { tag: number; value: string } {
  // Command: header(4) + Lc(1) + 7C... + Le ; response: 7C... + SW.
  const body = fromCommand ? apdu.subarray(5, apdu.length - 1) : apdu.subarray(0, apdu.length - 2);
  const inner = decodeAll(decodeOne(body).value)[0]!;
  return { tag: inner.tag, value: hex(inner.value) };
}

describe('G.1 PACE-ECDH-GM on brainpoolP256r1 with AES-128', () => {
  it('derives Kπ from the MRZ information and decrypts the nonce', () => {
    const pw = { kind: 'mrz' as const, mrzInformation: MRZ };
    expect(hex(passwordPi(pw, 'AES-128'))).toBe(G1.kPi);
    expect(hex(decryptNonce('AES-128', fromHex(G1.kPi), fromHex(G1.z)))).toBe(G1.s);
    expect(hex(encryptNonce('AES-128', fromHex(G1.kPi), fromHex(G1.s)))).toBe(G1.z);
  });

  it('derives the session keys from the shared secret', () => {
    expect(hex(kdf(fromHex(G1.sharedX), 1, 'AES-128'))).toBe(G1.ksEnc);
    expect(hex(kdf(fromHex(G1.sharedX), 2, 'AES-128'))).toBe(G1.ksMac);
  });

  it('CAN password: K is the CAN characters, Kπ = SHA-1(K || 00000003)[0..15]', () => {
    expect(hex(passwordKey({ kind: 'can', can: '123456' }))).toBe('313233343536');
    expect(hex(passwordPi({ kind: 'can', can: '123456' }, 'AES-128'))).toBe(
      hex(kdf(new TextEncoder().encode('123456'), 3, 'AES-128')),
    );
  });

  it('reproduces the whole run between terminal and software card', async () => {
    const engine = new CardEngine({
      files: new Map(),
      mrzInformation: MRZ,
      can: '000000',
      paceParameterId: 13,
      options: {
        fixed: {
          paceNonce: fromHex(G1.s),
          paceMappingPrivateKey: fromHex(G1.chipMapping),
          paceEphemeralPrivateKey: fromHex(G1.chipEphemeral),
        },
      },
    });
    const spy = new SpyTransport(engineTransport(engine));
    const trace: PaceTrace[] = [];
    const session = await pace(
      spy,
      { kind: 'mrz', mrzInformation: MRZ },
      { protocol: OID.PACE_ECDH_GM_AES128, parameterId: 13 },
      {
        mappingPrivateKey: fromHex(G1.terminalMapping),
        ephemeralPrivateKey: fromHex(G1.terminalEphemeral),
        onStep: (t) => trace.push(t),
      },
    );
    const ex = spy.exchanges;
    expect(ex).toHaveLength(5);
    // MSE:Set AT: id-PACE-ECDH-GM-AES-CBC-CMAC-128, MRZ password, parameter 13.
    expect(hex(ex[0]!.command)).toBe('0022C1A412800A04007F0007020204020283010184010D');
    expect(hex(ex[1]!.command)).toBe('10860000027C0000');
    expect(gaInner(ex[1]!.response, false)).toEqual({ tag: 0x80, value: G1.z });
    expect(gaInner(ex[2]!.command, true).tag).toBe(0x81);
    expect(gaInner(ex[2]!.response, false).tag).toBe(0x82);
    expect(gaInner(ex[4]!.command, true)).toEqual({ tag: 0x85, value: G1.tIfd });
    expect(ex[4]!.command[0]).toBe(0x00); // last command of the chain
    expect(gaInner(ex[4]!.response, false)).toEqual({ tag: 0x86, value: G1.tIc });
    expect(hex(trace.find((t) => t.sharedSecret)!.sharedSecret!)).toBe(G1.sharedX);
    expect(hex(trace.find((t) => t.kPi)!.kPi!)).toBe(G1.kPi);
    expect(hex(session.kEnc)).toBe(G1.ksEnc);
    expect(hex(session.kMac)).toBe(G1.ksMac);
    expect(hex(session.ssc)).toBe('00000000000000000000000000000000');
    expect(engine.state.access).toBe('pace');
  });

  it('tokens are CMACs over the 7F49 public key objects', () => {
    // T_IC covers the terminal's ephemeral key; changing one byte of the key changes the token.
    const key = new Uint8Array(65).fill(7);
    key[0] = 4;
    const t1 = authToken('AES-128', fromHex(G1.ksMac), OID.PACE_ECDH_GM_AES128, key);
    key[64] = 8;
    const t2 = authToken('AES-128', fromHex(G1.ksMac), OID.PACE_ECDH_GM_AES128, key);
    expect(t1).toHaveLength(8);
    expect(hex(t1)).not.toBe(hex(t2));
  });
});
