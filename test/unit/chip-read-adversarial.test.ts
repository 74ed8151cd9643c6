/**
 * Issue 9, read as a forger would: hostile chips built by wrapping the software card's transport
 * (responses rewritten, files hidden or re-signed) against the chip-reading pipeline. Every path that
 * used to end in `genuine` (or a silent fallback) with a chip that answers "just enough" is here:
 * an EF.COM that hides DG14/DG15/DG2, withheld groups, a bare 6D00 to INTERNAL AUTHENTICATE, a wrong
 * PACE token (no BAC fallback), DG1/DG13 disagreeing under a valid signature, a DG2 that cannot be
 * decoded; and the honest interoperability cases that must still read genuine: plain 6A82 under
 * secure messaging after the chip counted the command, a DG2 without its 0x75 template.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ChipReadError,
  inspectStoredRead,
  readChip,
  writeStoredRead,
  type ChipReadResult,
} from '../../native/chip/read-chip';
import { dataGroupTag } from '../../native/icao/lds';
import { TrustStore } from '../../native/icao/trust-store';
import type { CardEngineState } from '../../native/softcard/card-engine';
import { alterGroup, buildEfCom, buildSod } from '../../native/softcard/lds-builder';
import { getTestPki } from '../../native/softcard/pki';
import { createSoftCard, type SoftCard } from '../../native/softcard/soft-card';
import { encode } from '../../native/iso7816/tlv';
import type { CardTransport } from '../../native/transport/types';
import { tempDir } from '../support/tmp';

const FID_COM = 0x011e;
const FID_SOD = 0x011d;
const dgFid = (n: number): number => 0x0100 + n;

function trustFor(card: SoftCard): TrustStore {
  const store = new TrustStore();
  store.addCertificate(card.csca.der, 'test-csca.der');
  return store;
}

type Rewrite = (command: Uint8Array, response: Uint8Array, state: CardEngineState) => Uint8Array | undefined;

/** The card's transport with each response passed through `rewrite` (the engine's state after the command). */
function hostile(card: SoftCard, rewrite: Rewrite): CardTransport {
  return {
    name: 'hostile chip',
    limits: card.transport.limits,
    transmit: async (command) => {
      const response = await card.transport.transmit(command);
      return rewrite(command, response, card.engine.state) ?? response;
    },
  };
}

/** The status word inside a protected response (DO 99 is not encrypted), or the plain one. */
function innerSw(response: Uint8Array): number {
  for (let i = 0; i + 3 < response.length - 2; i++) {
    if (response[i] === 0x99 && response[i + 1] === 0x02) return (response[i + 2]! << 8) | response[i + 3]!;
  }
  return (response[response.length - 2]! << 8) | response[response.length - 1]!;
}

const bare = (sw: number): Uint8Array => Uint8Array.of(sw >> 8, sw & 0xff);

/** EF.COM listing only `groups` (a forger's EF.COM is unsigned: it can say anything). */
function setEfCom(card: SoftCard, groups: number[]): void {
  card.files.set(FID_COM, buildEfCom(groups.map(dataGroupTag)));
}

/** Re-signs the SOD over the card's data groups as they are now (the genuine test DS). */
function resign(card: SoftCard): void {
  const groups = new Map<number, Uint8Array>();
  for (const [fid, bytes] of card.files) {
    if (fid >= 0x0101 && fid <= 0x0110) groups.set(fid - 0x0100, bytes);
  }
  card.files.set(FID_SOD, buildSod({ groups, signer: getTestPki().ds }));
}

async function read(transport: CardTransport, card: SoftCard): Promise<ChipReadResult> {
  return readChip(transport, { qr: card.qrText }, { trustStore: trustFor(card) });
}

async function rejection(p: Promise<unknown>): Promise<ChipReadError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ChipReadError);
    return e as ChipReadError;
  }
  throw new Error('expected the read to fail');
}

function codes(r: ChipReadResult): string[] {
  return r.authenticity.reasons.map((x) => x.code);
}

describe('clone downgrade: the SOD, not EF.COM, says what must be read', () => {
  it.each([
    [15, 'active Authentication key'],
    [14, 'chip authentication key'],
    [2, 'face image'],
  ])('DG%i removed and hidden from EF.COM → dg_withheld, altered_or_forged', async (n) => {
    const card = createSoftCard();
    card.files.delete(dgFid(n));
    setEfCom(
      card,
      [1, 2, 3, 13, 14, 15].filter((x) => x !== n),
    );
    const r = await read(card.transport, card);
    expect(r.authenticity.verdict).toBe('altered_or_forged');
    const withheld = r.authenticity.reasons.filter((x) => x.code === 'dg_withheld');
    expect(withheld).toHaveLength(1);
    expect(withheld[0]!.severity).toBe('error');
    expect(withheld[0]!.en).toContain(`DG${n} `);
    // The group was asked for (the SOD lists it) and was absent.
    expect(r.dataGroups.find((g) => g.name === `DG${n}`)?.status).toBe('absent');
  });

  it('a clone that hides both DG14 and DG15 (no proof to fail) is still altered_or_forged', async () => {
    const card = createSoftCard({ faults: ['clone'] });
    card.files.delete(dgFid(14));
    card.files.delete(dgFid(15));
    setEfCom(card, [1, 2, 3, 13]);
    const r = await read(card.transport, card);
    expect(r.authenticity.verdict).toBe('altered_or_forged');
    expect(codes(r).filter((c) => c === 'dg_withheld')).toHaveLength(2);
    expect(r.chipAuth.outcome).toBe('not_run');
    expect(r.activeAuth.outcome).toBe('not_run');
  });

  it.each([[0x6a82], [0x6982], [0x6f00]])(
    'DG15 refused with a bare %s under secure messaging → dg_withheld',
    async (sw) => {
      const card = createSoftCard();
      const t = hostile(card, (cmd, _resp, state) =>
        cmd[1] === 0xa4 && state.selectedFid === dgFid(15) ? bare(sw) : undefined,
      );
      const r = await read(t, card);
      expect(r.authenticity.verdict).toBe('altered_or_forged');
      expect(codes(r)).toContain('dg_withheld');
      expect(r.activeAuth.outcome).toBe('not_run');
    },
  );

  it('DG3 (EAC) is neither selected nor withheld; a group only EF.COM names is never selected', async () => {
    const card = createSoftCard();
    // EF.COM also names DG11, which the chip lacks and the SOD does not list.
    setEfCom(card, [1, 2, 3, 11, 13, 14, 15]);
    const answers: number[] = [];
    const t = hostile(card, (cmd, resp) => {
      if (cmd[1] === 0xa4) answers.push(innerSw(resp));
      return undefined;
    });
    const r = await read(t, card);
    expect(r.authenticity.verdict).toBe('genuine');
    expect(answers.every((sw) => sw === 0x9000)).toBe(true);
    expect(r.dataGroups.find((g) => g.name === 'DG3')?.status).toBe('skipped');
    expect(r.dataGroups.find((g) => g.name === 'DG11')?.status).toBe('skipped');
  });
});

describe('Active Authentication announced by the SOD must pass', () => {
  it.each([[0x6d00], [0x6e00], [0x6a88], [0x6982], [0x9000]])(
    'INTERNAL AUTHENTICATE answered with a bare %s → active_auth_failed, altered_or_forged',
    async (sw) => {
      const card = createSoftCard();
      const t = hostile(card, (cmd) => (cmd[1] === 0x88 ? bare(sw) : undefined));
      const r = await read(t, card);
      expect(r.activeAuth.outcome).toBe('fail');
      expect(r.chipAuth.outcome).toBe('pass');
      expect(r.authenticity.verdict).toBe('altered_or_forged');
      expect(r.authenticity.reasons.find((x) => x.code === 'active_auth_failed')?.severity).toBe('error');
      // The read went on and the identity is there.
      expect(r.reading.idNumber).toBe(card.person.idNumber);
    },
  );

  it('a card without DG15 in its SOD (no AA) reads genuine on CA alone', async () => {
    const card = createSoftCard({ build: { aaKey: false } });
    const r = await read(card.transport, card);
    expect(r.authenticity.verdict).toBe('genuine');
    expect(r.activeAuth.outcome).toBe('not_run');
  });
});

describe('Chip Authentication must be confirmed by a MAC-verified answer', () => {
  it('a bare status word after CA rekeying → chip_auth_failed; the read goes on over a new channel', async () => {
    const card = createSoftCard();
    let caDone = false;
    let confirmAnswered = false;
    const t = hostile(card, (cmd, _resp, state) => {
      if (cmd[1] === 0x86 && state.chipAuthenticated) {
        caDone = true;
        return undefined;
      }
      if (caDone && !confirmAnswered && cmd[1] === 0xa4) {
        confirmAnswered = true;
        return bare(0x6a82);
      }
      return undefined;
    });
    const r = await read(t, card);
    expect(confirmAnswered).toBe(true);
    expect(r.chipAuth.outcome).toBe('fail');
    expect(r.authenticity.verdict).toBe('altered_or_forged');
    expect(codes(r)).toContain('chip_auth_failed');
    expect(r.reading.idNumber).toBe(card.person.idNumber);
  });
});

describe('PACE that fails cryptographically is red, never a silent BAC fallback', () => {
  function lastGaRewrite(mutate: (resp: Uint8Array) => Uint8Array, tag: number): Rewrite {
    return (cmd, resp) => {
      // Plain GENERAL AUTHENTICATE whose answer carries `tag` inside 7C.
      if (cmd[0] !== 0x00 && cmd[0] !== 0x10) return undefined;
      if (cmd[1] !== 0x86 || resp.length < 6 || resp[0] !== 0x7c || resp[2] !== tag) return undefined;
      return mutate(resp.slice());
    };
  }

  it('a wrong chip token T_IC → chip_not_genuine (pace_token_invalid), not retryable, no BAC tried', async () => {
    const card = createSoftCard();
    const rewrite = lastGaRewrite((r) => {
      r[r.length - 3]! ^= 0x01;
      return r;
    }, 0x86);
    const sent: number[] = [];
    const t = hostile(card, (cmd, resp, state) => {
      sent.push(cmd[1]!);
      return rewrite(cmd, resp, state);
    });
    const err = await rejection(readChip(t, { qr: card.qrText }, { trustStore: trustFor(card) }));
    expect(err.code).toBe('chip_not_genuine');
    expect(err.retryable).toBe(false);
    expect(err.reason?.code).toBe('pace_token_invalid');
    expect(err.reason?.severity).toBe('error');
    expect(err.vi.length).toBeGreaterThan(10);
    // No GET CHALLENGE / EXTERNAL AUTHENTICATE (BAC) after the failed PACE, and no file read.
    expect(sent).not.toContain(0x84);
    expect(sent).not.toContain(0x82);
    expect(sent.slice(sent.lastIndexOf(0x86) + 1)).toEqual([]);
  });

  it('an invalid mapping point from the chip → chip_not_genuine (pace_protocol_invalid)', async () => {
    const card = createSoftCard();
    const t = hostile(
      card,
      lastGaRewrite((r) => {
        // 7C L 82 L 04 x y: break y so the point is off the curve.
        r[r.length - 4]! ^= 0x01;
        return r;
      }, 0x82),
    );
    const err = await rejection(readChip(t, { qr: card.qrText }, { trustStore: trustFor(card) }));
    expect(err.code).toBe('chip_not_genuine');
    expect(err.reason?.code).toBe('pace_protocol_invalid');
  });

  it('a refused password is still wrong_access (BAC tried with the QR data, which fails too)', async () => {
    const card = createSoftCard();
    const err = await rejection(readChip(card.transport, { can: '111111' }));
    expect(err.code).toBe('wrong_access');
  });

  it('a refused MSE:Set AT (the chip declines the variant) still lets BAC read the card', async () => {
    const card = createSoftCard();
    // The chip refuses before doing anything (the command does not reach its PACE state).
    const t: CardTransport = {
      name: 'chip declining PACE-CAN',
      limits: card.transport.limits,
      transmit: async (cmd) =>
        cmd[0] === 0x00 && cmd[1] === 0x22 && cmd[2] === 0xc1 ? bare(0x6a80) : card.transport.transmit(cmd),
    };
    const r = await read(t, card);
    expect(r.access).toBe('BAC');
    expect(r.authenticity.verdict).toBe('genuine');
    expect(r.warnings.map((w) => w.code)).toContain('pace_failed');
  });
});

describe('chip-read findings reach the verdict', () => {
  it('DG1 and DG13 that disagree on the ID number under a valid signature → dg1_dg13_mismatch, altered_or_forged', async () => {
    const card = createSoftCard();
    card.files.set(dgFid(13), alterGroup(13, card.files.get(dgFid(13))!));
    resign(card);
    const r = await read(card.transport, card);
    expect(r.authenticity.checks).toMatchObject({ hashes: 'pass', signature: 'pass', chain: 'pass' });
    expect(r.authenticity.verdict).toBe('altered_or_forged');
    expect(r.authenticity.reasons.find((x) => x.code === 'dg1_dg13_mismatch')?.severity).toBe('error');
    // No personal data in the reason.
    const text = JSON.stringify(r.authenticity.reasons);
    expect(text).not.toContain(card.person.idNumber);
  });

  it('a signed DG2 that cannot be decoded → dg2_unreadable warning among the authenticity reasons', async () => {
    const card = createSoftCard();
    const garbage = encode(0x75, [
      encode(0x7f61, [
        encode(0x02, Uint8Array.of(1)),
        encode(0x7f60, [encode(0x5f2e, new Uint8Array(40).fill(7))]),
      ]),
    ]);
    card.files.set(dgFid(2), garbage);
    resign(card);
    const r = await read(card.transport, card);
    expect(r.authenticity.checks.hashes).toBe('pass');
    const w = r.authenticity.reasons.find((x) => x.code === 'dg2_unreadable');
    expect(w?.severity).toBe('warning');
    expect(r.reading.photo).toBeUndefined();
  });
});

describe('honest interoperability: these must still read genuine', () => {
  it('plain 6A82 for a file the chip lacks, after it counted the command: the channel is opened again', async () => {
    const card = createSoftCard();
    card.files.delete(FID_COM); // no EF.COM on this chip (it is optional in LDS 1.8)
    let plain = 0;
    const t = hostile(card, (cmd, resp) => {
      if ((cmd[0]! & 0x0c) === 0x0c && cmd[1] === 0xa4 && resp[0] === 0x99 && innerSw(resp) === 0x6a82) {
        plain++;
        return bare(0x6a82);
      }
      return undefined;
    });
    const r = await read(t, card);
    expect(plain).toBe(1);
    expect(r.authenticity.verdict).toBe('genuine');
    expect(r.dataGroups.find((g) => g.name === 'EF.COM')?.status).toBe('absent');
    // PACE ran twice: once to open, once to recover from the plain error.
    expect(r.trace.filter((e) => e.ins === 0x22 && e.p1p2 === 0xc1a4)).toHaveLength(2);
  });

  it('a READ that fails right after a plain error the chip counted is read again on a new channel', async () => {
    const card = createSoftCard();
    let plain = 0;
    const t = hostile(card, (cmd) => {
      // The first extended READ BINARY under SM: the chip processes (counts) it, then answers a bare
      // 6700 as a chip that does not do extended length after all. The kiosk falls back to short
      // reads, whose MAC the chip no longer accepts.
      const extended = cmd.length > 7 && cmd[4] === 0x00;
      if (plain === 0 && (cmd[0]! & 0x0c) === 0x0c && cmd[1] === 0xb0 && extended) {
        plain++;
        return bare(0x6700);
      }
      return undefined;
    });
    const r = await read(t, card);
    expect(plain).toBe(1);
    expect(r.authenticity.verdict).toBe('genuine');
    expect(r.trace.filter((e) => e.ins === 0x22 && e.p1p2 === 0xc1a4)).toHaveLength(2);
  });

  it('a DG2 without its outer 0x75 template', async () => {
    const card = createSoftCard();
    const dg2 = card.files.get(dgFid(2))!;
    // 75 82 LL LL <7F61 ...>: keep the inner template only.
    const inner = dg2.subarray(dg2[1] === 0x82 ? 4 : dg2[1] === 0x81 ? 3 : 2);
    expect(inner[0]).toBe(0x7f);
    card.files.set(dgFid(2), inner.slice());
    resign(card);
    const r = await read(card.transport, card);
    expect(r.authenticity.verdict).toBe('genuine');
    expect(r.reading.photo?.mime).toBe('image/jpeg');
    expect(codes(r)).not.toContain('dg2_unreadable');
  });

  it('a DG2 whose image-type byte says JPEG 2000 for a JPEG', async () => {
    const card = createSoftCard();
    const dg2 = card.files.get(dgFid(2))!.slice();
    // The image information block sits 12 bytes before the JPEG's FF D8 FF.
    let soi = -1;
    for (let i = 0; i + 2 < dg2.length; i++) {
      if (dg2[i] === 0xff && dg2[i + 1] === 0xd8 && dg2[i + 2] === 0xff) {
        soi = i;
        break;
      }
    }
    expect(soi).toBeGreaterThan(12);
    dg2[soi - 11] = 0x01;
    card.files.set(dgFid(2), dg2);
    resign(card);
    const r = await read(card.transport, card);
    expect(r.authenticity.verdict).toBe('genuine');
    expect(r.reading.photo?.mime).toBe('image/jpeg');
  });
});

describe('stored reads', () => {
  it('an SOD-only stored read with a valid chain: signature_valid_chip_unproven with a reason', async () => {
    const card = createSoftCard();
    const dir = tempDir('chip-sod-only-');
    await writeStoredRead(dir, new Map([['EF.SOD', card.files.get(FID_SOD)!]]));
    const r = await inspectStoredRead(dir, trustFor(card));
    expect(r.authenticity.checks).toMatchObject({ signature: 'pass', chain: 'pass' });
    expect(r.authenticity.verdict).toBe('signature_valid_chip_unproven');
    expect(r.authenticity.reasons.length).toBeGreaterThan(0);
    expect(r.authenticity.reasons.map((x) => x.code)).toContain('stored_read_chip_unproven');
  });

  it('a stored read missing listed groups is not "withheld" (a dump may be partial)', async () => {
    const card = createSoftCard();
    const live = await read(card.transport, card);
    const dir = tempDir('chip-partial-');
    await writeStoredRead(dir, live.files);
    fs.rmSync(path.join(dir, 'DG2.bin'));
    fs.rmSync(path.join(dir, 'DG15.bin'));
    const r = await inspectStoredRead(dir, trustFor(card));
    expect(r.authenticity.verdict).toBe('signature_valid_chip_unproven');
    expect(r.authenticity.reasons.map((x) => x.code)).not.toContain('dg_withheld');
  });
});
