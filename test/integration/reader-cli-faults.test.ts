/**
 * Simulated faults through the command line and a real pcscd (a private one for this file): each
 * `kiosk sim card --vpcd PORT --fault NAME` is read by `kiosk chip read` in another process.
 *   altered-dg13 → altered_or_forged (DG13's hash named) · clone → signature_valid_chip_unproven
 *   remove-at:N → a clean, retryable card_removed error, the card comes back and the retry is genuine;
 *                 `kiosk check --reader` waits for it and checks the card in once
 *   --passport  → a non-CCCD eMRTD read with BAC from its MRZ: the MRZ identity, never genuine
 * and without pcscd the commands say so in both languages instead of freezing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PERSON } from '../../native/softcard/person';
import { DEFAULT_PASSPORT_PERSON } from '../../native/softcard/soft-card';
import { runKiosk, startKiosk, type KioskProcess } from '../support/kiosk-process';
import { testPcscd, type PcscdInstance } from '../support/pcscd';
import { rosterCsvFor } from '../support/sim-roster';
import { tempDir } from '../support/tmp';
import { needsPart } from '../support/system-parts';

interface ChipJson {
  access: string;
  document: Record<string, unknown>;
  authenticity: { verdict: string; checks: Record<string, string>; reasons: { code: string }[] };
  dataGroups: { name: string; status: string; hashOk?: boolean }[];
}
interface ErrorJson {
  error: { code: string; vi: string; en: string; details?: { retryable?: boolean } };
}

const pcsc = needsPart('pcsc', 'faults through the CLI; without pcscd (needs the PC/SC module)');

const root = tempDir('reader-cli-faults-');
const dataDir = path.join(root, 'user-data');
let pcscd: PcscdInstance;
let env: Record<string, string>;
let sim: KioskProcess | undefined;

beforeAll(async () => {
  pcscd = await testPcscd();
  await pcscd.start();
  fs.mkdirSync(dataDir);
  env = { PCSCLITE_CSOCK_NAME: pcscd.socketPath, KIOSK_DATA_DIR: dataDir, KIOSK_DB: path.join(root, 'k.db') };
}, 60_000);

afterEach(async () => {
  // One simulated card at a time on the first virtual reader.
  if (sim) expect(await sim.stop()).toBe(0);
  sim = undefined;
});

afterAll(async () => {
  await sim?.stop();
  await pcscd?.dispose();
});

async function startSim(...args: string[]): Promise<{ qr: string; csca: string }> {
  const csca = fs.mkdtempSync(path.join(root, 'csca-'));
  sim = await startKiosk(['sim', 'card', '--vpcd', String(pcscd.ports[0]), '--csca-out', csca, ...args], env);
  await sim.waitForLine(/Card inserted/);
  return { qr: sim.firstLine, csca };
}

function chipRead(access: string[], csca?: string) {
  return runKiosk(
    [
      'chip',
      'read',
      '--reader',
      pcscd.readerNames[0],
      ...access,
      ...(csca ? ['--csca', csca] : []),
      '--json',
    ],
    env,
  );
}

describe.skipIf(pcsc.skip)('faults through the CLI', () => {
  it('altered-dg13: altered_or_forged, DG13 named', async () => {
    const { qr, csca } = await startSim('--fault', 'altered-dg13');
    const r = await chipRead(['--qr', qr], csca);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.authenticity.verdict).toBe('altered_or_forged');
    expect(j.authenticity.checks.hashes).toBe('fail');
    expect(j.dataGroups.find((g) => g.name === 'DG13')?.hashOk).toBe(false);
    expect(j.dataGroups.find((g) => g.name === 'DG1')?.hashOk).toBe(true);
  }, 120_000);

  it('clone: the data is signed and chained, the chip fails the CA and AA its SOD announces: altered_or_forged', async () => {
    const { qr, csca } = await startSim('--fault', 'clone');
    const r = await chipRead(['--qr', qr], csca);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = r.json() as ChipJson;
    // Issue 9: was signature_valid_chip_unproven; a failed announced proof is a clone.
    expect(j.authenticity.verdict).toBe('altered_or_forged');
    expect(j.authenticity.checks).toMatchObject({
      hashes: 'pass',
      signature: 'pass',
      chain: 'pass',
      chipAuth: 'fail',
      activeAuth: 'fail',
    });
  }, 120_000);

  it('remove-at: a clean retryable card_removed error; the card comes back and the retry is genuine', async () => {
    const { qr, csca } = await startSim('--fault', 'remove-at:15', '--reinsert-after', '500');
    const first = await chipRead(['--qr', qr], csca);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    const err = (first.json() as ErrorJson).error;
    expect(err.code).toBe('card_removed');
    expect(err.details?.retryable).toBe(true);
    expect(err.vi).toContain('đặt lại thẻ');
    expect(err.en).toContain('Place the card');
    await sim!.waitForLine(/Card removed \(simulated, #1\)/);
    await new Promise((res) => setTimeout(res, 800));
    const retry = await chipRead(['--qr', qr], csca);
    expect(retry.code, retry.stdout + retry.stderr).toBe(0);
    expect((retry.json() as ChipJson).authenticity.verdict).toBe('genuine');
  }, 120_000);

  it('remove-at under kiosk check --reader: the removal is reported, the card is checked in once when it is back', async () => {
    const rosterFile = path.join(root, 'roster.csv');
    fs.writeFileSync(rosterFile, rosterCsvFor([DEFAULT_PERSON]));
    expect(
      (await runKiosk(['session', 'create', '--code', 'R1', '--council', 'HĐ', '--date', '2026-11-27'], env))
        .code,
    ).toBe(0);
    expect((await runKiosk(['roster', 'import', rosterFile, '--session', 'R1'], env)).code).toBe(0);
    const { qr, csca } = await startSim('--fault', 'remove-at:20', '--reinsert-after', '500');
    const r = await runKiosk(
      [
        'check',
        '--session',
        'R1',
        '--reader',
        pcscd.readerNames[0],
        '--qr',
        qr,
        '--csca',
        csca,
        '--timeout',
        '30',
        '--json',
      ],
      env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain('The card was removed');
    const j = r.json() as {
      source: string;
      identity: { verdict: string };
      authenticity: { verdict: string };
    };
    expect(j).toMatchObject({
      source: 'chip',
      identity: { verdict: 'match' },
      authenticity: { verdict: 'genuine' },
    });
    const log = (await runKiosk(['log', 'list', '--session', 'R1', '--json'], env)).json() as {
      kind: string;
    }[];
    expect(log.filter((e) => e.kind === 'check')).toHaveLength(1);
  }, 120_000);

  it('a non-CCCD eMRTD (the software TD3 passport) reads with BAC from its MRZ and is not genuine', async () => {
    sim = await startKiosk(['sim', 'card', '--vpcd', String(pcscd.ports[0]), '--passport'], env);
    await sim.waitForLine(/Card inserted/);
    const mrz = sim.firstLine;
    expect(mrz.replace(/\s/g, '')).toHaveLength(88);
    const r = await chipRead(['--mrz', mrz]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.access).toBe('BAC');
    const p = DEFAULT_PASSPORT_PERSON;
    expect(j.document).toMatchObject({
      source: 'DG1',
      documentType: 'P',
      issuingState: p.issuingState,
      documentNumber: p.documentNumber,
      fullName: `${p.surname} ${p.givenNames}`,
      dateOfBirth: p.dateOfBirth,
      dateOfExpiry: p.dateOfExpiry,
      sex: p.sex,
    });
    expect(j.authenticity.verdict).not.toBe('genuine');
    expect(j.dataGroups.find((g) => g.name === 'EF.SOD')?.status).toBe('absent');
  }, 120_000);

  it('--person FILE: another fictional holder on the card, read back from the chip', async () => {
    const person = {
      ...DEFAULT_PERSON,
      idNumber: '001095054321',
      fullName: 'Trần Văn Bảo',
      dateOfBirth: '1995-03-02',
      sex: 'M',
      dateOfExpiry: '2035-03-02',
      mrzSurname: 'TRAN',
      mrzGivenNames: 'VAN BAO',
    };
    const file = path.join(root, 'person.json');
    fs.writeFileSync(file, JSON.stringify(person));
    const { qr, csca } = await startSim('--person', file);
    expect(qr.startsWith('001095054321|')).toBe(true);
    const r = await chipRead(['--qr', qr], csca);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.document).toMatchObject({ idNumber: '001095054321', fullName: 'Trần Văn Bảo', sex: 'M' });
    expect(j.authenticity.verdict).toBe('genuine');
  }, 120_000);

  it('an unknown fault is a usage error (exit 2) naming the known ones', async () => {
    const r = await runKiosk(
      ['sim', 'card', '--vpcd', String(pcscd.ports[0]), '--fault', 'melted', '--json'],
      env,
    );
    expect(r.code).toBe(2);
    expect((r.json() as ErrorJson).error.en).toContain('remove-at:N');
  }, 60_000);
});

describe.skipIf(pcsc.skip)('without pcscd', () => {
  const noPcscd = (): Record<string, string> => ({
    ...env,
    PCSCLITE_CSOCK_NAME: path.join(root, 'no-pcscd.comm'),
  });

  it('kiosk readers --json answers at once: service not running', async () => {
    const r = await runKiosk(['readers', '--json'], noPcscd());
    expect(r.code, r.stderr).toBe(0);
    expect((r.json() as { pcsc: { serviceRunning: boolean } }).pcsc.serviceRunning).toBe(false);
    expect(r.ms).toBeLessThan(15_000);
  }, 60_000);

  it('kiosk chip read says pcscd is not running, in both languages, when its wait ends', async () => {
    const r = await runKiosk(
      ['chip', 'read', '--reader', 'Virtual PCD 00 00', '--can', '123456', '--timeout', '1.5', '--json'],
      noPcscd(),
    );
    expect(r.code).toBe(1);
    const err = (r.json() as ErrorJson).error;
    expect(err.code).toBe('service_unavailable');
    expect(err.vi).toContain('pcscd');
    expect(err.en).toContain('pcscd');
    expect(r.ms).toBeLessThan(15_000);
  }, 60_000);
});
