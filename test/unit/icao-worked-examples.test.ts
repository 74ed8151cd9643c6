/**
 * ICAO 9303 part 11 worked examples (appendices D.2, D.3, D.4), byte for byte, through the same
 * functions the terminal and the software card use.
 */
import { describe, expect, it } from 'vitest';
import { concat, fromHex, hex } from '../../native/util/bytes';
import {
  bacCardRespond,
  bacKeySeed,
  bacKeys,
  bacOpenCryptogram,
  bacSessionKeys,
  bacTerminalMessage,
} from '../../native/icao/bac';
import {
  protectCommand,
  protectResponse,
  SmSession,
  unprotectCommand,
  unprotectResponse,
} from '../../native/icao/sm';
import { decodeCommand } from '../../native/iso7816/apdu';

const MRZ_INFO = 'L898902C<369080619406236';
const RND_IC = fromHex('4608F91988702212');
const RND_IFD = fromHex('781723860C06C226');
const K_IFD = fromHex('0B795240CB7049B01C19B33E32804F0B');
const K_IC = fromHex('0B4F80323EB3191CB04970CB4052790B');

function d4Session(): SmSession {
  return new SmSession(
    '3DES',
    fromHex('979EC13B1CBFE9DCD01AB0FED307EAE5'),
    fromHex('F1CB1F1FB5ADF208806B89DC579DC1F8'),
    fromHex('887022120C06C226'),
  );
}

describe('D.2 BAC keys from the MRZ information', () => {
  it('derives K_seed, K_enc, K_mac', () => {
    expect(hex(bacKeySeed(MRZ_INFO))).toBe('239AB9CB282DAF66231DC5A4DF6BFBAE');
    const keys = bacKeys(MRZ_INFO);
    expect(hex(keys.kEnc)).toBe('AB94FDECF2674FDFB9B391F85D7F76F2');
    expect(hex(keys.kMac)).toBe('7962D9ECE03D1ACD4C76089DCE131543');
  });
});

describe('D.3 mutual authentication', () => {
  const keys = bacKeys(MRZ_INFO);
  const EXT_AUTH = '72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7';
  const CARD_RESP = '46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449';

  it('terminal cryptogram for EXTERNAL AUTHENTICATE', () => {
    expect(hex(bacTerminalMessage(keys, RND_IFD, RND_IC, K_IFD))).toBe(EXT_AUTH);
  });

  it('card answer, and the terminal opens it to K.IC', () => {
    const r = bacCardRespond(keys, RND_IC, fromHex(EXT_AUTH), K_IC);
    expect(r).toBeDefined();
    expect(hex(r!.response)).toBe(CARD_RESP);
    const opened = bacOpenCryptogram(keys, fromHex(CARD_RESP));
    expect(hex(opened!.subarray(16, 32))).toBe(hex(K_IC));
  });

  it('session keys and SSC', () => {
    const s = bacSessionKeys(K_IFD, K_IC, RND_IC, RND_IFD);
    expect(hex(s.kEnc)).toBe('979EC13B1CBFE9DCD01AB0FED307EAE5');
    expect(hex(s.kMac)).toBe('F1CB1F1FB5ADF208806B89DC579DC1F8');
    expect(hex(s.ssc)).toBe('887022120C06C226');
  });

  it('card refuses a cryptogram with a flipped MAC bit or for another challenge', () => {
    const bad = fromHex(EXT_AUTH);
    bad[39] = bad[39]! ^ 1;
    expect(bacCardRespond(keys, RND_IC, bad, K_IC)).toBeUndefined();
    expect(bacCardRespond(keys, fromHex('0000000000000000'), fromHex(EXT_AUTH), K_IC)).toBeUndefined();
  });
});

describe('D.4 secure messaging', () => {
  const steps = [
    {
      plain: '00A4020C02011E',
      prot: '0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800',
      resp: '990290008E08FA855A5D4C50A8ED9000',
      data: '',
    },
    {
      plain: '00B0000004',
      prot: '0CB000000D9701048E08ED6705417E96BA5500',
      resp: '8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000',
      data: '60145F01',
    },
    {
      plain: '00B0000412',
      prot: '0CB000040D9701128E082EA28A70F3C7B53500',
      resp: '871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000',
      data: '04303130365F36063034303030305C026175',
    },
  ];

  it('terminal protects commands and unprotects responses', () => {
    const s = d4Session();
    for (const step of steps) {
      expect(hex(protectCommand(s, fromHex(step.plain)))).toBe(step.prot);
      const r = unprotectResponse(s, fromHex(step.resp));
      expect(r.sw).toBe(0x9000);
      expect(hex(r.data)).toBe(step.data);
    }
  });

  it('card mirror: unprotects the commands and produces the same responses', () => {
    const s = d4Session();
    for (const step of steps) {
      const cmd = unprotectCommand(s, fromHex(step.prot));
      const plain = decodeCommand(fromHex(step.plain));
      expect({ ...cmd, data: hex(cmd.data) }).toEqual({ ...plain, data: hex(plain.data) });
      expect(hex(protectResponse(s, fromHex(step.data), 0x9000))).toBe(step.resp);
    }
  });

  it('a response with one changed byte is rejected', () => {
    const s = d4Session();
    protectCommand(s, fromHex(steps[0]!.plain));
    const bad = fromHex(steps[0]!.resp);
    bad[3] = bad[3]! ^ 0x01;
    expect(() => unprotectResponse(s, bad)).toThrow(/MAC/);
  });
});

/**
 * An independent chip (vsmartcard's ePass) leaves DO 99 out of every protected answer: DO 87 (if any)
 * and DO 8E, the status word in plain. The MAC still proves the keys and the data; the plain status is
 * accepted for a success or a warning only.
 */
describe('D.4 answers without DO 99', () => {
  const do87 = fromHex('8709019FF0EC34F9922651'); // step 2's cryptogram ('60145F01')
  const steps0 = {
    plain: '00A4020C02011E',
    resp: '990290008E08FA855A5D4C50A8ED9000',
  };

  /** The terminal session right before step 2's answer, and that answer built without DO 99. */
  function withoutDo99(sw: string): { s: SmSession; resp: Uint8Array } {
    const s = d4Session();
    protectCommand(s, fromHex(steps0.plain));
    unprotectResponse(s, fromHex(steps0.resp));
    protectCommand(s, fromHex('00B0000004'));
    const card = new SmSession('3DES', s.kEnc, s.kMac, s.ssc);
    card.incrementSsc();
    const mac = card.mac(concat(card.ssc, do87));
    return { s, resp: concat(do87, fromHex('8E08'), mac, fromHex(sw)) };
  }

  it('a MAC-verified answer with a plain 9000 is read', () => {
    const { s, resp } = withoutDo99('9000');
    const r = unprotectResponse(s, resp);
    expect(r.sw).toBe(0x9000);
    expect(hex(r.data)).toBe('60145F01');
  });

  it('a MAC-only answer (SELECT: no data, no DO 99) is read', () => {
    const s = d4Session();
    protectCommand(s, fromHex(steps0.plain));
    const card = new SmSession('3DES', s.kEnc, s.kMac, s.ssc);
    card.incrementSsc();
    const resp = concat(fromHex('8E08'), card.mac(card.ssc), fromHex('9000'));
    expect(unprotectResponse(s, resp)).toEqual({ data: new Uint8Array(0), sw: 0x9000 });
  });

  it('a plain error status is not taken from an answer without DO 99', () => {
    const { s, resp } = withoutDo99('6A82');
    expect(() => unprotectResponse(s, resp)).toThrow(expect.objectContaining({ code: 'sm_missing_objects' }));
  });

  it('a changed byte still fails the MAC', () => {
    const { s, resp } = withoutDo99('9000');
    resp[4] = resp[4]! ^ 0x01;
    expect(() => unprotectResponse(s, resp)).toThrow(/MAC/);
  });
});
