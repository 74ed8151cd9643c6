/**
 * Terminal ↔ software card, end to end over an in-memory transport: BAC, PACE (CAN and MRZ), Chip
 * Authentication, secure messaging and file reading with the chunk-size fallbacks, the status words
 * a real chip gives, and the support trace (which must never hold data bytes).
 */
import { describe, expect, it } from 'vitest';
import { performBac } from '../../native/icao/bac';
import { OID, parseCardAccess, preferredPaceInfo } from '../../native/icao/card-access';
import { chipAuthenticate } from '../../native/icao/chip-auth';
import { FileReader, FID, readFile, selectApplication, selectEf } from '../../native/icao/file-reader';
import { pace } from '../../native/icao/pace';
import { SecureTransport } from '../../native/icao/sm';
import { CardStatusError, IcaoError } from '../../native/iso7816/sw';
import { encodeCommand, parseResponse } from '../../native/iso7816/apdu';
import { RecordingTransport } from '../../native/transport/recording';
import { CardRemovedError } from '../../native/transport/types';
import { engineTransport } from '../../native/softcard/card-engine';
import { equalBytes, fromHex, hex } from '../../native/util/bytes';
import {
  CAN,
  EXTENDED_LIMITS,
  MRZ_INFORMATION,
  makeCard,
  SHORT_LIMITS,
  type TestCard,
} from './helpers/icao-card';

async function openWithPace(card: TestCard, raw = card.transport): Promise<SecureTransport> {
  const access = parseCardAccess((await readFile(raw, FID.CARD_ACCESS)).data);
  const info = preferredPaceInfo(access)!;
  const session = await pace(raw, { kind: 'can', can: CAN }, info);
  const secure = new SecureTransport(raw, session);
  await selectApplication(secure);
  return secure;
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('BAC then secure messaging', () => {
  it('reads a 2 KB EF through 3DES secure messaging in 223-byte chunks', async () => {
    const card = makeCard();
    const rec = new RecordingTransport(card.transport);
    const secure = new SecureTransport(rec, await performBac(rec, MRZ_INFORMATION));
    expect(card.engine.state.access).toBe('bac');
    expect(secure.session.cipher).toBe('3DES');
    await selectApplication(secure);
    const reader = new FileReader(secure);
    const dg2 = card.files.get(FID.DG2)!;
    rec.clear();
    const { data, stats } = await reader.readFile(FID.DG2);
    expect(equalBytes(data, dg2)).toBe(true);
    expect(dg2.length).toBe(2004);
    // SELECT + header (8 bytes) + ceil(1996 / 223) = 9 chunks.
    expect(stats.reads).toBe(10);
    expect(stats.commands).toBe(11);
    expect(stats.bytes).toBe(2004);
    expect(stats.fallbacks).toEqual([]);
    expect(rec.trace.every((e) => e.cla === 0x0c && e.sw === 0x9000)).toBe(true);
    expect(rec.trace.filter((e) => e.ins === 0xb0).map((e) => e.p1p2)).toEqual([
      0, 8, 231, 454, 677, 900, 1123, 1346, 1569, 1792,
    ]);
  });

  it('a wrong MRZ gives a clean bilingual error', async () => {
    const card = makeCard();
    const err = await caught(performBac(card.transport, '203000123303041552804162'));
    expect(err).toBeInstanceOf(IcaoError);
    expect((err as IcaoError).code).toBe('bac_failed');
    expect((err as IcaoError).sw).toBe(0x6300);
    expect((err as IcaoError).vi).toContain('MRZ');
    expect(card.engine.state.access).toBe('none');
  });
});

describe('PACE', () => {
  it('with the CAN, then reads DG1 and DG2 (AES secure messaging)', async () => {
    const card = makeCard();
    const secure = await openWithPace(card);
    expect(card.engine.state.access).toBe('pace');
    expect(secure.session.cipher).toBe('AES-128');
    const reader = new FileReader(secure);
    expect(hex((await reader.readFile(FID.DG1)).data)).toBe(hex(card.files.get(FID.DG1)!));
    expect(hex((await reader.readFile(FID.DG2)).data)).toBe(hex(card.files.get(FID.DG2)!));
    expect(reader.totals.files).toBe(2);
  });

  it('with the MRZ information', async () => {
    const card = makeCard();
    const session = await pace(
      card.transport,
      { kind: 'mrz', mrzInformation: MRZ_INFORMATION },
      { protocol: OID.PACE_ECDH_GM_AES128, parameterId: 13 },
    );
    const secure = new SecureTransport(card.transport, session);
    await selectApplication(secure);
    expect(hex((await readFile(secure, FID.COM)).data)).toBe(hex(card.files.get(FID.COM)!));
  });

  it('a wrong CAN gives a clean error (6300), and the right CAN still works afterwards', async () => {
    const card = makeCard();
    const info = { protocol: OID.PACE_ECDH_GM_AES128, parameterId: 13 };
    const err = await caught(pace(card.transport, { kind: 'can', can: '000124' }, info));
    expect(err).toBeInstanceOf(IcaoError);
    expect((err as IcaoError).code).toBe('pace_wrong_password');
    expect((err as IcaoError).sw).toBe(0x6300);
    expect((err as IcaoError).vi).toContain('CAN');
    expect((err as IcaoError).en).toContain('wrong CAN');
    expect(card.engine.state.access).toBe('none');
    await pace(card.transport, { kind: 'can', can: CAN }, info);
    expect(card.engine.state.access).toBe('pace');
  });

  it('reports 63Cx tries left from a chip that counts', async () => {
    const card = makeCard({
      config: {
        hooks: {
          after: (cmd, resp) =>
            cmd[1] === 0x86 && cmd[0] === 0x00 && resp.length === 2 ? fromHex('63C2') : undefined,
        },
      },
    });
    const err = await caught(
      pace(
        card.transport,
        { kind: 'can', can: '999999' },
        { protocol: OID.PACE_ECDH_GM_AES128, parameterId: 13 },
      ),
    );
    expect((err as IcaoError).code).toBe('pace_wrong_password');
    expect((err as IcaoError).en).toContain('(2)');
  });

  for (const [parameterId, protocol] of [
    [12, OID.PACE_ECDH_GM_AES128],
    [8, OID.PACE_ECDH_GM_3DES],
    [16, OID.PACE_ECDH_GM_AES192],
    [17, OID.PACE_ECDH_GM_AES256],
    [14, OID.PACE_ECDH_GM_AES256],
  ] as const) {
    it(`runs on parameter ${parameterId} with ${protocol.split('.').pop()}`, async () => {
      const card = makeCard({ config: { paceParameterId: parameterId, paceOid: protocol } });
      const session = await pace(card.transport, { kind: 'can', can: CAN }, { protocol, parameterId });
      const secure = new SecureTransport(card.transport, session);
      await selectApplication(secure);
      expect(hex((await readFile(secure, FID.DG1)).data)).toBe(hex(card.files.get(FID.DG1)!));
    });
  }

  it('refuses variants it does not implement, without talking to the chip', async () => {
    const card = makeCard();
    const err = await caught(
      pace(card.transport, { kind: 'can', can: CAN }, { protocol: `${OID.PACE_ECDH_IM}.2`, parameterId: 13 }),
    );
    expect((err as IcaoError).code).toBe('pace_unsupported');
    expect(card.engine.commandCount).toBe(0);
  });
});

describe('Chip Authentication', () => {
  it('AES (MSE:Set AT + GA) after PACE: rekeys, then reads under the new keys', async () => {
    const card = makeCard();
    const secure = await openWithPace(card);
    const before = hex(secure.session.kEnc);
    const result = await chipAuthenticate(secure, card.caPublic);
    expect(result.confirmed).toBe(true);
    expect(result.protocolName).toBe('CA-ECDH-AES-CBC-CMAC-128');
    expect(card.engine.state.chipAuthenticated).toBe(true);
    expect(hex(secure.session.kEnc)).not.toBe(before);
    expect(hex((await readFile(secure, FID.DG2)).data)).toBe(hex(card.files.get(FID.DG2)!));
  });

  it('3DES (MSE:Set KAT) after BAC, on P-256', async () => {
    const card = makeCard({ caOid: OID.CA_ECDH_3DES, curve: 'P-256' });
    const secure = new SecureTransport(card.transport, await performBac(card.transport, MRZ_INFORMATION));
    await selectApplication(secure);
    const result = await chipAuthenticate(secure, card.caPublic);
    expect(result.confirmed).toBe(true);
    expect(secure.session.cipher).toBe('3DES');
    expect(hex(secure.session.ssc)).toBe('0000000000000002'); // confirmation SELECT + its answer
    expect(hex((await readFile(secure, FID.DG1)).data)).toBe(hex(card.files.get(FID.DG1)!));
  });

  it('a clone without the DG14 private key fails cleanly', async () => {
    const genuine = makeCard();
    const clone = makeCard(); // another key pair, same DG14 content is what a cloner would copy
    const secure = await openWithPace(clone);
    const err = await caught(chipAuthenticate(secure, genuine.caPublic));
    expect(err).toBeInstanceOf(IcaoError);
    expect((err as IcaoError).code).toBe('chip_auth_failed');
    expect((err as IcaoError).vi).toContain('bản sao');
    expect(secure.isOpen).toBe(false);
  });

  it('a key id the chip does not know is refused (6A88)', async () => {
    const card = makeCard();
    const secure = await openWithPace(card);
    const err = await caught(chipAuthenticate(secure, { ...card.caPublic, keyId: 7 }));
    expect((err as IcaoError).code).toBe('chip_auth_failed');
    expect((err as IcaoError).sw).toBe(0x6a88);
  });
});

describe('Chip Authentication is proven only by a MAC-verified answer (issue 9 item 3)', () => {
  it('a bare status word to the confirming SELECT under the new keys fails CA and closes the channel', async () => {
    for (const sw of [0x6a82, 0x9000, 0x6d00]) {
      let caDone = false;
      const card = makeCard({
        config: {
          hooks: {
            after: (cmd, _resp, state) => {
              if (cmd[1] === 0x86 && state.chipAuthenticated && !caDone) {
                caDone = true;
                return undefined;
              }
              // A chip without the CA private key cannot MAC under the new keys: it answers bare.
              if (caDone && cmd[1] === 0xa4) return Uint8Array.of(sw >> 8, sw & 0xff);
              return undefined;
            },
          },
        },
      });
      const secure = await openWithPace(card);
      const err = await caught(chipAuthenticate(secure, card.caPublic));
      expect(err).toBeInstanceOf(IcaoError);
      expect((err as IcaoError).code).toBe('chip_auth_failed');
      expect(secure.isOpen).toBe(false);
    }
  });
});

describe('plain errors under secure messaging (issue 9 item 15)', () => {
  it('a bare error status leaves the channel "uncertain"; a verified answer clears it', async () => {
    let armed = false;
    const card = makeCard({
      config: {
        hooks: {
          // Refused before secure messaging (not counted): the terminal's rollback is right.
          before: (cmd) => (armed && cmd[1] === 0xca ? Uint8Array.of(0x6a, 0x88) : undefined),
        },
      },
    });
    const secure = await openWithPace(card);
    armed = true;
    expect(secure.uncertain).toBe(false);
    const r = parseResponse(
      await secure.transmit(encodeCommand({ cla: 0, ins: 0xca, p1: 1, p2: 1, le: 256 })),
    );
    expect(r.sw).toBe(0x6a88);
    expect(secure.uncertain).toBe(true);
    expect(secure.lastResponseVerified).toBe(false);
    await selectEf(secure, FID.DG1);
    expect(secure.uncertain).toBe(false);
    expect(secure.lastResponseVerified).toBe(true);
  });

  it('the chip counted the command it answered plainly: the next failure is sm_resync, not tampering', async () => {
    let armed = false;
    const card = makeCard({
      config: {
        hooks: {
          after: (cmd) => {
            // SELECT DG11 (absent): processed and counted by the chip, then answered without SM.
            if (armed && (cmd[0]! & 0x0c) === 0x0c && cmd[1] === 0xa4) {
              armed = false;
              return Uint8Array.of(0x6a, 0x82);
            }
            return undefined;
          },
        },
      },
    });
    const secure = await openWithPace(card);
    armed = true;
    const refused = await caught(selectEf(secure, 0x010b));
    expect((refused as CardStatusError).sw).toBe(0x6a82);
    expect(secure.uncertain).toBe(true);
    const err = await caught(readFile(secure, FID.DG1));
    expect((err as IcaoError).code).toBe('sm_resync');
    expect(secure.isOpen).toBe(false);
  });
});

describe('file reading fallbacks', () => {
  const dg2Len = 2004;

  it('extended length when transport and card allow: header + one read', async () => {
    const card = makeCard({ limits: EXTENDED_LIMITS });
    const secure = await openWithPace(card);
    const { data, stats } = await readFile(secure, FID.DG2);
    expect(data.length).toBe(dg2Len);
    expect(stats.reads).toBe(2);
    expect(stats.extended).toBe(true);
  });

  it('card reads at most 100 bytes and returns fewer: learns 100 for the rest', async () => {
    const card = makeCard({ options: { maxRead: 100 } });
    const secure = await openWithPace(card);
    const rec = new RecordingTransport(secure);
    const { data, stats } = await readFile(rec, FID.DG2);
    expect(hex(data)).toBe(hex(card.files.get(FID.DG2)!));
    expect(stats.fallbacks).toEqual(['card returned 100 of 223 bytes (9000)']);
    expect(stats.reads).toBe(1 + Math.ceil((dg2Len - 8) / 100));
    const les = rec.trace.filter((e) => e.ins === 0xb0).map((e) => e.le);
    expect(les.slice(2).every((le) => le! <= 100)).toBe(true);
  });

  it('card answers 6Cxx: uses the xx', async () => {
    const card = makeCard({ options: { maxRead: 100, readLimitResponse: '6Cxx' } });
    const secure = await openWithPace(card);
    const { data, stats } = await readFile(secure, FID.DG2);
    expect(hex(data)).toBe(hex(card.files.get(FID.DG2)!));
    expect(stats.fallbacks).toEqual(['6C64: card reads at most 100 bytes']);
    expect(stats.reads).toBe(1 + 1 + Math.ceil((dg2Len - 8) / 100));
  });

  it('card answers 6700 to long short reads: steps down and remembers', async () => {
    const card = makeCard({ options: { maxRead: 100, readLimitResponse: '6700' } });
    const secure = await openWithPace(card);
    const reader = new FileReader(secure);
    const first = await reader.readFile(FID.DG2);
    expect(hex(first.data)).toBe(hex(card.files.get(FID.DG2)!));
    expect(first.stats.fallbacks).toEqual([
      '6700 on 223-byte read: trying 160',
      '6700 on 160-byte read: trying 128',
      '6700 on 128-byte read: trying 112',
      '6700 on 112-byte read: trying 64',
    ]);
    const second = await reader.readFile(FID.DG2);
    expect(second.stats.fallbacks).toEqual([]);
    expect(second.stats.reads).toBe(1 + Math.ceil((dg2Len - 8) / 64));
  });

  it('extended length refused by the card with a bare 6700: falls back to short reads under SM', async () => {
    const card = makeCard({ limits: EXTENDED_LIMITS, options: { extendedLength: false } });
    const secure = await openWithPace(card);
    const reader = new FileReader(secure);
    const { data, stats } = await reader.readFile(FID.DG2);
    expect(hex(data)).toBe(hex(card.files.get(FID.DG2)!));
    expect(stats.fallbacks).toEqual(['6700 on extended read: short reads from now on']);
    expect(stats.extended).toBe(false);
    // The secure channel survived the refusal (send sequence counters still agree).
    const again = await reader.readFile(FID.DG1);
    expect(again.stats.fallbacks).toEqual([]);
    expect(hex(again.data)).toBe(hex(card.files.get(FID.DG1)!));
  });

  it('a file shorter than the header read (6282 or 6Cxx) does not shrink later reads', async () => {
    for (const mode of ['6282', '6Cxx'] as const) {
      const card = makeCard({
        config: {
          hooks: {
            after: (cmd, resp, state) =>
              mode === '6Cxx' && state.selectedFid === FID.CARD_ACCESS && hex(cmd) === '00B0000008'
                ? fromHex('6C05')
                : undefined,
          },
        },
      });
      card.files.set(FID.CARD_ACCESS, fromHex('0103AABBCC'));
      const reader = new FileReader(card.transport);
      const tiny = await reader.readFile(FID.CARD_ACCESS);
      expect(hex(tiny.data)).toBe('0103AABBCC');
      expect(tiny.stats.reads).toBe(mode === '6Cxx' ? 2 : 1);
      expect(tiny.stats.fallbacks).toEqual([]);
      expect(reader.currentChunk()).toBe(223);
    }
  });

  it('uses READ BINARY B1 (DO 54/53) beyond offset 32767', async () => {
    const card = makeCard();
    const secure = await openWithPace(card);
    const rec = new RecordingTransport(secure);
    const { data } = await readFile(rec, 0x0105);
    expect(hex(data)).toBe(hex(card.files.get(0x0105)!));
    const b1 = rec.trace.filter((e) => e.ins === 0xb1);
    expect(b1.length).toBeGreaterThan(0);
    expect(rec.trace.filter((e) => e.ins === 0xb0).every((e) => e.p1p2! <= 0x7fff)).toBe(true);
  });

  it('B1 with a card that caps reads at 100 bytes', async () => {
    const card = makeCard({ options: { maxRead: 100 } });
    const secure = await openWithPace(card);
    const { data } = await readFile(secure, 0x0105);
    expect(hex(data)).toBe(hex(card.files.get(0x0105)!));
  });
});

describe('chip status words', () => {
  it('SELECT MF refused with 6D00 is never needed: EF.CardAccess by FID works in plain', async () => {
    const card = makeCard({ options: { refuseSelectMf: true } });
    const r = parseResponse(await card.transport.transmit(fromHex('00A4000C023F00')));
    expect(r.sw).toBe(0x6d00);
    const { data } = await readFile(card.transport, FID.CARD_ACCESS);
    expect(parseCardAccess(data).pace[0]!.parameterId).toBe(13);
  });

  it('DG3 needs EAC (6982), DG11 is absent (6A82), DG1 needs secure messaging (6982)', async () => {
    const card = makeCard();
    await selectApplication(card.transport);
    const plainErr = await caught(readFile(card.transport, FID.DG1));
    expect((plainErr as CardStatusError).sw).toBe(0x6982);

    const secure = await openWithPace(card);
    const dg3 = await caught(readFile(secure, FID.DG3));
    expect(dg3).toBeInstanceOf(CardStatusError);
    expect((dg3 as CardStatusError).sw).toBe(0x6982);
    expect((dg3 as CardStatusError).swName).toBe('security status not satisfied');
    expect((dg3 as CardStatusError).ins).toBe(0xb0);
    const dg11 = await caught(selectEf(secure, FID.DG11));
    expect((dg11 as CardStatusError).sw).toBe(0x6a82);
    expect((dg11 as CardStatusError).vi).toContain('Không tìm thấy');
    // Errors arrived protected; the channel is still good.
    expect((await readFile(secure, FID.COM)).data.length).toBe(card.files.get(FID.COM)!.length);
  });

  it('unknown instruction 6D00, wrong class 6E00, READ BINARY without a selected EF 6986', async () => {
    const card = makeCard();
    const secure = await openWithPace(card);
    expect(parseResponse(await secure.transmit(fromHex('00CA010100'))).sw).toBe(0x6d00);
    expect(parseResponse(await secure.transmit(fromHex('00B0000008'))).sw).toBe(0x6986);
    expect(parseResponse(await card.transport.transmit(fromHex('80B0000008'))).sw).toBe(0x6e00);
  });

  it('INTERNAL AUTHENTICATE goes to the signChallenge hook, under secure messaging', async () => {
    const seen: string[] = [];
    const card = makeCard({
      config: {
        signChallenge: async (c) => {
          seen.push(hex(c));
          return Uint8Array.from([...c].reverse());
        },
      },
    });
    const secure = await openWithPace(card);
    const challenge = fromHex('0102030405060708');
    const r = parseResponse(
      await secure.transmit(encodeCommand({ cla: 0, ins: 0x88, p1: 0, p2: 0, data: challenge, le: 256 })),
    );
    expect(r.sw).toBe(0x9000);
    expect(hex(r.data)).toBe('0807060504030201');
    expect(seen).toEqual(['0102030405060708']);
    const noHook = makeCard();
    const s2 = await openWithPace(noHook);
    expect(
      parseResponse(
        await s2.transmit(encodeCommand({ cla: 0, ins: 0x88, p1: 0, p2: 0, data: challenge, le: 256 })),
      ).sw,
    ).toBe(0x6d00);
  });
});

describe('secure messaging integrity', () => {
  it('a response altered on the way is detected and closes the channel', async () => {
    let tamper = false;
    const card = makeCard({
      config: {
        hooks: {
          after: (_cmd, resp) => {
            if (!tamper || resp.length < 4) return undefined;
            const copy = resp.slice();
            copy[3] = copy[3]! ^ 0x40;
            return copy;
          },
        },
      },
    });
    const secure = await openWithPace(card);
    tamper = true;
    const err = await caught(readFile(secure, FID.DG1));
    expect((err as IcaoError).code).toMatch(/^sm_/);
    expect(secure.isOpen).toBe(false);
    tamper = false;
    const closed = await caught(readFile(secure, FID.DG1));
    expect((closed as IcaoError).code).toBe('sm_closed');
  });

  it('a command the chip cannot verify ends the channel on both sides (6988)', async () => {
    const card = makeCard();
    const secure = await openWithPace(card);
    secure.session.incrementSsc(); // terminal and chip counters now disagree
    const err = await caught(readFile(secure, FID.DG1));
    expect((err as IcaoError).code).toBe('sm_aborted');
    expect((err as IcaoError).sw).toBe(0x6988);
    expect(card.engine.state.access).toBe('none');
  });

  it('a plain command ends the chip secure channel', async () => {
    const card = makeCard();
    await openWithPace(card);
    await card.transport.transmit(fromHex('0084000008'));
    expect(card.engine.state.access).toBe('none');
  });

  it('SecureTransport limits leave room for the SM overhead', async () => {
    const card = makeCard();
    const secure = await openWithPace(card);
    expect(secure.limits.maxResponseLength).toBe(223 + 2);
    expect(secure.limits.extendedLength).toBe(false);
    // Every command the reader can send fits the short-only transport (engineTransport enforces it).
    const { data } = await readFile(secure, FID.DG2, { shortChunk: 256 });
    expect(data.length).toBe(2004);
  });
});

describe('support trace', () => {
  it('records header, lengths, status and time, never data bytes', async () => {
    const card = makeCard();
    const rec = new RecordingTransport(card.transport);
    const secure = await openWithPace(card, rec);
    await readFile(secure, FID.DG1);
    expect(rec.trace.length).toBeGreaterThan(8);
    const allowed = ['cla', 'ins', 'p1p2', 'lc', 'le', 'extended', 'responseLength', 'sw', 'ms'];
    for (const e of rec.trace) {
      expect(Object.keys(e).every((k) => allowed.includes(k))).toBe(true);
      expect(typeof e.ms).toBe('number');
    }
    const text = JSON.stringify(rec.trace);
    expect(text).not.toContain('NGUYEN');
    expect(rec.trace[0]).toMatchObject({ cla: 0, ins: 0xa4, p1p2: 0x020c, lc: 2, le: null, sw: 0x9000 });
  });

  it('notes transport errors by class name and rethrows them', async () => {
    const card = makeCard({
      config: {
        hooks: {
          before: () => {
            throw new CardRemovedError();
          },
        },
      },
    });
    const rec = new RecordingTransport(card.transport, { recordP1P2: false });
    const err = await caught(readFile(rec, FID.CARD_ACCESS));
    expect(err).toBeInstanceOf(CardRemovedError);
    expect(rec.trace[0]).toMatchObject({ error: 'CardRemovedError', sw: null, responseLength: 0 });
    expect(rec.trace[0]!.p1p2).toBeUndefined();
  });
});

describe('in-memory transport', () => {
  it('enforces its limits like a reader', async () => {
    const card = makeCard();
    const t = engineTransport(card.engine, { limits: SHORT_LIMITS });
    await expect(t.transmit(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 1000 }))).rejects.toThrow(
      /extended/,
    );
  });
});
