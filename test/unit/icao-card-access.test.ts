/**
 * EF.CardAccess / DG14 SecurityInfos: the CCCD sample from cccd-card.md, chip-authentication public
 * keys with named and explicit EC parameters, unknown infos kept, malformed input refused.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  caAlgorithm,
  decodeOid,
  encodeOid,
  OID,
  paceAlgorithm,
  parseCardAccess,
  parseSecurityInfos,
  preferredPaceInfo,
  protocolName,
} from '../../native/icao/card-access';
import { encode } from '../../native/iso7816/tlv';
import { IcaoError } from '../../native/iso7816/sw';
import { concat, fromHex, hex } from '../../native/util/bytes';
import { generateKeyPairSync } from 'node:crypto';

const CCCD_CARD_ACCESS =
  '3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d';

function seq(...parts: Uint8Array[]): Uint8Array {
  return encode(0x30, parts);
}
function oid(o: string): Uint8Array {
  return encode(0x06, encodeOid(o));
}
function int(n: number): Uint8Array {
  return encode(0x02, Uint8Array.of(n));
}

describe('EF.CardAccess of the CCCD', () => {
  const access = parseCardAccess(fromHex(CCCD_CARD_ACCESS));

  it('advertises PACE-ECDH-GM-AES-CBC-CMAC-128 on parameter 13, CA and TA', () => {
    expect(access.infos.map((i) => i.kind)).toEqual([
      'TerminalAuthenticationInfo',
      'ChipAuthenticationInfo',
      'PACEInfo',
    ]);
    const pace = preferredPaceInfo(access)!;
    expect(pace.protocol).toBe(OID.PACE_ECDH_GM_AES128);
    expect(pace.protocolName).toBe('PACE-ECDH-GM-AES-CBC-CMAC-128');
    expect(pace.version).toBe(2);
    expect(pace.parameterId).toBe(13);
    expect(pace.algorithm).toEqual({ agreement: 'ECDH', mapping: 'GM', cipher: 'AES-128' });
    expect(access.chipAuthentication[0]!.protocolName).toBe('CA-ECDH-AES-CBC-CMAC-128');
    expect(access.chipAuthentication[0]!.version).toBe(1);
    expect(access.terminalAuthentication).toBe(true);
  });

  it('keeps each info raw bytes', () => {
    expect(hex(access.infos[2]!.raw)).toBe('3012060A04007F0007020204020202010202010D');
  });
});

describe('OIDs', () => {
  it('round-trips dotted OIDs, including large arcs', () => {
    for (const o of [
      '0.4.0.127.0.7.2.2.4.2.2',
      '1.2.840.10045.2.1',
      '2.23.136.1.1.5',
      '1.3.36.3.3.2.8.1.1.7',
    ]) {
      expect(decodeOid(encodeOid(o))).toBe(o);
    }
    expect(hex(encodeOid('1.2.840.10045.2.1'))).toBe('2A8648CE3D0201');
  });

  it('names protocol variants', () => {
    expect(paceAlgorithm(OID.PACE_ECDH_GM_3DES)?.cipher).toBe('3DES');
    expect(paceAlgorithm(`${OID.PACE_ECDH_IM}.4`)).toEqual({
      agreement: 'ECDH',
      mapping: 'IM',
      cipher: 'AES-256',
    });
    expect(caAlgorithm(OID.CA_ECDH_AES256)).toEqual({ agreement: 'ECDH', cipher: 'AES-256' });
    expect(protocolName(OID.CA_DH_3DES)).toBe('CA-DH-3DES-CBC-CBC');
    expect(protocolName('1.2.3.4')).toBe('1.2.3.4');
  });
});

describe('DG14-style SecurityInfos', () => {
  const namedSpki = new Uint8Array(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }),
  );

  it('reads a ChipAuthenticationPublicKeyInfo with explicit brainpool parameters', () => {
    // OpenSSL writes the explicit-parameter SPKI that many passports carry in DG14.
    const pem = execFileSync('openssl', [
      'ecparam',
      '-name',
      'brainpoolP256r1',
      '-genkey',
      '-noout',
      '-param_enc',
      'explicit',
    ]);
    const spki = new Uint8Array(
      execFileSync('openssl', ['ec', '-pubout', '-outform', 'DER', '-param_enc', 'explicit'], {
        input: pem,
        stdio: ['pipe', 'pipe', 'ignore'],
      }),
    );
    const dg14 = encode(
      0x6e,
      encode(0x31, [
        seq(oid(OID.PK_ECDH), spki, int(1)),
        seq(oid(OID.CA_ECDH_AES128), int(1), int(1)),
        seq(oid('1.2.3.4.5'), encode(0x04, Uint8Array.of(1, 2))),
      ]),
    );
    const infos = parseSecurityInfos(dg14);
    const pk = infos.find((i) => i.kind === 'ChipAuthenticationPublicKeyInfo');
    expect(pk && pk.kind === 'ChipAuthenticationPublicKeyInfo' && pk.curve).toBe('brainpoolP256r1');
    expect(pk && pk.kind === 'ChipAuthenticationPublicKeyInfo' && pk.keyId).toBe(1);
    expect(pk && pk.kind === 'ChipAuthenticationPublicKeyInfo' && pk.publicKey.length).toBe(65);
    const ca = infos.find((i) => i.kind === 'ChipAuthenticationInfo');
    expect(ca && ca.kind === 'ChipAuthenticationInfo' && ca.keyId).toBe(1);
    expect(infos[2]!.kind).toBe('unknown');
    expect(infos[2]!.protocol).toBe('1.2.3.4.5');
  });

  it('reads a named-curve key (P-256)', () => {
    const infos = parseSecurityInfos(encode(0x31, seq(oid(OID.PK_ECDH), namedSpki)));
    const pk = infos[0]!;
    expect(pk.kind === 'ChipAuthenticationPublicKeyInfo' && pk.curve).toBe('P-256');
  });

  it('refuses malformed bytes with a bilingual error', () => {
    const good = fromHex(CCCD_CARD_ACCESS);
    for (const bad of [
      good.subarray(0, 20),
      concat(good, Uint8Array.of(0)),
      fromHex('3003020101'),
      fromHex('300100'),
    ]) {
      let err: unknown;
      try {
        parseSecurityInfos(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(IcaoError);
      expect((err as IcaoError).code).toBe('security_infos_invalid');
      expect((err as IcaoError).vi).toMatch(/chip/);
    }
  });
});
