/**
 * The card pulled during a chip check-in, through each transport: the in-memory software card, PC/SC
 * via pcscd + vpcd and the PN532 emulator over a pty pair, each at a representative subset of the
 * commands of a full read (the first ones, PACE, the middle of the photo, the last ones). Each
 * pull gives a clean retryable bilingual error, writes nothing to the audit log, and the same card
 * read again checks its holder in for the first time (match, genuine). The log chain verifies and
 * SQLite's integrity check passes after the run.
 *
 * Every command on every transport: `npm run bench -- card-pull` (bench/card-pull.bench.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memorySlot, pcscSlot, pn532Slot, runCardPull, type PullReport } from '../support/card-pull';
import { testPcscd, useSocket, type PcscdInstance } from '../support/pcscd';
import { needsPart } from '../support/system-parts';

function expectAllSurvived(r: PullReport): void {
  const failed = r.outcomes.filter((o) => !o.survived);
  expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
  expect(r.survived).toBe(r.tried);
  // A pulled card reads as a removed card, never as a forged one or a protocol failure.
  expect(Object.keys(r.codes)).toEqual(['card_removed']);
  expect(r.chainOk).toBe(true);
  expect(r.integrityOk).toBe(true);
}

/** PC/SC (about 1 s per card insertion through pcscd): the first command, one in the photo, the last. */
const parts = needsPart(['pcsc', 'socat'], 'card pulled at each command of a chip check-in');

const pcscSubset = (n: number): number[] => [1, Math.round(n / 2), n];
/** PN532: the first commands (select, EF.CardAccess, PACE), one in the photo, the last two. */
const pn532Subset = (n: number): number[] => [1, 3, Math.round(n / 2), n - 1, n];
/** In memory: every third command and the last. */
const memorySubset = (n: number): number[] => [
  ...new Set([...Array.from({ length: n }, (_, i) => i + 1).filter((c) => c % 3 === 1), n]),
];

let pcscd: PcscdInstance;

beforeAll(async () => {
  pcscd = await testPcscd();
  useSocket(pcscd);
  await pcscd.start();
});

afterAll(async () => {
  await pcscd?.dispose();
});

describe.skipIf(parts.skip)('card pulled at each command of a chip check-in', () => {
  it('in-memory software card: every third command of a full read and the last', async () => {
    const r = await runCardPull(memorySlot(), { at: memorySubset });
    expect(r.commands).toBeGreaterThan(20);
    expect(r.tried).toBe(memorySubset(r.commands).length);
    expectAllSurvived(r);
    // Roster import + session + the full read + one check per pull; nothing for the pulled reads.
    expect(r.logEntries).toBe(2 + 1 + r.tried);
  }, 120_000);

  it('PC/SC via pcscd + vpcd: a subset of the commands', async () => {
    const slot = await pcscSlot(pcscd);
    try {
      const r = await runCardPull(slot, { at: pcscSubset });
      expect(r.tried).toBe(3);
      expectAllSurvived(r);
    } finally {
      await slot.close();
    }
  }, 180_000);

  it('PN532 emulator over a pty pair: a subset of the commands', async () => {
    const slot = await pn532Slot();
    try {
      const r = await runCardPull(slot, { at: pn532Subset });
      // Short APDUs through a PN532: many more commands than with extended length.
      expect(r.commands).toBeGreaterThan(60);
      expect(r.tried).toBe(5);
      expectAllSurvived(r);
    } finally {
      await slot.close();
    }
  }, 180_000);
});
