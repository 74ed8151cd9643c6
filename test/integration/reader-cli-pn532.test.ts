/**
 * The PN532 path through the command line: `kiosk sim pn532 --port B` (a PN532 emulator with the
 * software CCCD on one end of a socat pty pair) read by `kiosk chip read --reader pn532:A` in another
 * process: a full CCCD read with PACE, Chip Authentication, Active Authentication and passive
 * authentication over short APDUs; a card pulled mid-read gives a clean retryable error and the retry
 * works; `kiosk check --reader pn532:A` checks the holder in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PERSON } from '../../native/softcard/person';
import { runKiosk, startKiosk, type KioskProcess } from '../support/kiosk-process';
import { createPtyPair, type PtyPair } from '../support/socat';
import { rosterCsvFor } from '../support/sim-roster';
import { tempDir } from '../support/tmp';
import { needsPart } from '../support/system-parts';

interface ChipJson {
  reader: string;
  access: string;
  document: Record<string, unknown>;
  authenticity: { verdict: string; checks: Record<string, string> };
  chipAuth: { outcome: string };
  activeAuth: { outcome: string };
  dataGroups: { name: string; hashOk?: boolean }[];
  apdus: number;
  trace?: { extended: boolean; lc: number; le: number | null }[];
}

const socat = needsPart('socat', 'kiosk sim pn532 + kiosk chip read --reader pn532:PATH');

const root = tempDir('reader-cli-pn532-');
const dataDir = path.join(root, 'user-data');
fs.mkdirSync(dataDir);
const env = { KIOSK_DATA_DIR: dataDir, KIOSK_DB: path.join(root, 'k.db') };
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function pn532Sim(...args: string[]): Promise<{ pty: PtyPair; sim: KioskProcess; csca: string }> {
  const pty = await createPtyPair();
  cleanups.push(() => pty.close());
  const csca = fs.mkdtempSync(path.join(root, 'csca-'));
  const sim = await startKiosk(['sim', 'pn532', '--port', pty.b, '--csca-out', csca, ...args], env);
  cleanups.push(async () => expect(await sim.stop()).toBe(0));
  await sim.waitForLine(/Card inserted/);
  return { pty, sim, csca };
}

describe.skipIf(socat.skip)('kiosk sim pn532 + kiosk chip read --reader pn532:PATH', () => {
  it('a full CCCD read over the PN532: PACE, chip and active authentication, passive authentication: genuine', async () => {
    const { pty, sim, csca } = await pn532Sim();
    const r = await runKiosk(
      [
        'chip',
        'read',
        '--reader',
        `pn532:${pty.a}`,
        '--qr',
        sim.firstLine,
        '--csca',
        csca,
        '--trace',
        '--json',
      ],
      env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.reader).toBe(`PN532 ${pty.a}`);
    expect(j.access).toBe('PACE');
    expect(j.chipAuth.outcome).toBe('pass');
    expect(j.activeAuth.outcome).toBe('pass');
    expect(j.authenticity.verdict).toBe('genuine');
    expect(j.authenticity.checks).toEqual({
      hashes: 'pass',
      signature: 'pass',
      chain: 'pass',
      activeAuth: 'pass',
      chipAuth: 'pass',
    });
    expect(j.document).toMatchObject({
      idNumber: DEFAULT_PERSON.idNumber,
      fullName: DEFAULT_PERSON.fullName,
    });
    for (const n of ['DG1', 'DG2', 'DG13', 'DG14', 'DG15']) {
      expect(j.dataGroups.find((g) => g.name === n)?.hashOk, n).toBe(true);
    }
    // A PN532 carries short APDUs only: the 15 KB photo takes many READ BINARYs, none extended.
    expect(j.trace!.every((t) => !t.extended)).toBe(true);
    expect(j.apdus).toBeGreaterThan(60);
  }, 120_000);

  it('a card pulled mid-read: a clean retryable error; the card is back and the retry is genuine', async () => {
    const { pty, sim, csca } = await pn532Sim('--fault', 'remove-at:40', '--reinsert-after', '300');
    const first = await runKiosk(
      ['chip', 'read', '--reader', `pn532:${pty.a}`, '--qr', sim.firstLine, '--csca', csca, '--json'],
      env,
    );
    expect(first.code, first.stdout + first.stderr).toBe(1);
    const err = (
      first.json() as { error: { code: string; vi: string; en: string; details?: { retryable?: boolean } } }
    ).error;
    expect(err.code).toBe('card_removed');
    expect(err.details?.retryable).toBe(true);
    expect(err.vi.length).toBeGreaterThan(10);
    expect(err.en.length).toBeGreaterThan(10);
    await sim.waitForLine(/Card removed \(simulated, #1\)/);
    await new Promise((res) => setTimeout(res, 600));
    const retry = await runKiosk(
      ['chip', 'read', '--reader', `pn532:${pty.a}`, '--qr', sim.firstLine, '--csca', csca, '--json'],
      env,
    );
    expect(retry.code, retry.stdout + retry.stderr).toBe(0);
    expect((retry.json() as ChipJson).authenticity.verdict).toBe('genuine');
  }, 120_000);

  it('kiosk check --reader pn532:PATH checks the holder in from the chip', async () => {
    const { pty, sim, csca } = await pn532Sim();
    const rosterFile = path.join(root, 'roster.csv');
    fs.writeFileSync(rosterFile, rosterCsvFor([DEFAULT_PERSON]));
    expect(
      (await runKiosk(['session', 'create', '--code', 'P1', '--council', 'HĐ', '--date', '2026-11-27'], env))
        .code,
    ).toBe(0);
    expect((await runKiosk(['roster', 'import', rosterFile, '--session', 'P1'], env)).code).toBe(0);
    const r = await runKiosk(
      [
        'check',
        '--session',
        'P1',
        '--reader',
        `pn532:${pty.a}`,
        '--qr',
        sim.firstLine,
        '--csca',
        csca,
        '--json',
      ],
      env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json()).toMatchObject({
      source: 'chip',
      identity: { verdict: 'match' },
      authenticity: { verdict: 'genuine' },
      outcome: 'accepted',
    });
  }, 120_000);

  it('a port that cannot be opened is a bilingual error, not a crash', async () => {
    const r = await runKiosk(['sim', 'pn532', '--port', path.join(root, 'no-such-tty'), '--json'], env);
    expect(r.code).toBe(1);
    // Nothing but the error: the port is opened before the QR line is printed.
    const err = r.json() as { error: { code: string; vi: string } };
    expect(err.error.code).toBe('port_unavailable');
    expect(err.error.vi).toContain('no-such-tty');
  }, 60_000);
});
