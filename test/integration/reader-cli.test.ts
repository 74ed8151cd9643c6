/**
 * The reader commands as a newcomer runs them, each `kiosk` a separate process, through a real pcscd
 * (a private one for this file) and its vsmartcard vpcd reader:
 *
 *   kiosk sim card --vpcd PORT --csca-out DIR      (first line = the card's QR text)
 *   kiosk chip read --reader "Virtual PCD 00 00" --qr "<QR>" --csca DIR --json   → genuine
 *
 * plus unknown_issuer without --csca, --dump read back by the stored-read check, a data-free --trace,
 * `kiosk readers --json`, and `kiosk check --session C --reader ... --qr ...` checking the simulated
 * holder in from a roster (a chip check, logged with non-personal details), or QR-only when no card comes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectStoredRead } from '../../native/chip/read-chip';
import { loadTrustStore } from '../../native/icao/trust-store';
import { DEFAULT_PERSON } from '../../native/softcard/person';
import { runKiosk, startKiosk, type KioskProcess } from '../support/kiosk-process';
import { testPcscd, type PcscdInstance } from '../support/pcscd';
import { rosterCsvFor } from '../support/sim-roster';
import { tempDir } from '../support/tmp';
import { needsPart } from '../support/system-parts';

interface ChipJson {
  reader: string;
  access: string;
  document: Record<string, unknown>;
  authenticity: { verdict: string; checks: Record<string, string>; reasons: { code: string }[] };
  dataGroups: { name: string; status: string; bytes: number; hashOk?: boolean }[];
  apdus: number;
  ms: number;
  trace?: Record<string, unknown>[];
  dump?: { dir: string; files: string[] };
}

const pcsc = needsPart('pcsc', 'kiosk sim card + kiosk chip read; kiosk check --reader');

const root = tempDir('reader-cli-');
const csca = path.join(root, 'csca');
const emptyDataDir = path.join(root, 'user-data');
const db = path.join(root, 'kiosk.db');
let pcscd: PcscdInstance;
let sim: KioskProcess;
let env: Record<string, string>;
let reader: string;

beforeAll(async () => {
  pcscd = await testPcscd();
  await pcscd.start();
  fs.mkdirSync(emptyDataDir);
  // The child processes reach this file's pcscd; no app trust store (user-data folder is empty).
  env = { PCSCLITE_CSOCK_NAME: pcscd.socketPath, KIOSK_DATA_DIR: emptyDataDir, KIOSK_DB: db };
  reader = pcscd.readerNames[0];
  sim = await startKiosk(['sim', 'card', '--vpcd', String(pcscd.ports[0]), '--csca-out', csca], env);
  await sim.waitForLine(/Card inserted/);
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  await pcscd?.dispose();
});

describe.skipIf(pcsc.skip)('kiosk sim card + kiosk chip read (the newcomer scenario)', () => {
  it('the first line of sim card is the QR text; chip read with it and the CSCA folder: the document, genuine', async () => {
    const qr = sim.firstLine;
    expect(qr.split('|')).toHaveLength(7);
    expect(qr.startsWith(`${DEFAULT_PERSON.idNumber}|`)).toBe(true);
    expect(fs.readdirSync(csca).filter((f) => f.endsWith('.pem'))).toHaveLength(1);

    const r = await runKiosk(['chip', 'read', '--reader', reader, '--qr', qr, '--csca', csca, '--json'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const j = r.json() as ChipJson;
    expect(j.reader).toBe(reader);
    expect(j.access).toBe('PACE');
    const p = DEFAULT_PERSON;
    expect(j.document).toMatchObject({
      source: 'DG13',
      idNumber: p.idNumber,
      fullName: p.fullName,
      dateOfBirth: p.dateOfBirth,
      sex: p.sex,
      dateOfIssue: p.dateOfIssue,
      dateOfExpiry: p.dateOfExpiry,
      documentType: 'ID',
      photo: { mime: 'image/jpeg' },
    });
    expect((j.document.mrz as string[]).length).toBe(3);
    expect((j.document.mrz as string[])[0]).toContain(p.idNumber);
    expect(j.authenticity.verdict).toBe('genuine');
    expect(j.authenticity.checks).toEqual({
      hashes: 'pass',
      signature: 'pass',
      chain: 'pass',
      activeAuth: 'pass',
      chipAuth: 'pass',
    });
    const groups = Object.fromEntries(j.dataGroups.map((g) => [g.name, g]));
    for (const n of ['DG1', 'DG2', 'DG13', 'DG14', 'DG15']) expect(groups[n]?.hashOk, n).toBe(true);
    expect(groups['EF.SOD']?.status).toBe('read');
    expect(groups.DG2!.bytes).toBeGreaterThan(12_000);
    expect(j.apdus).toBeGreaterThan(20);
    expect(j.ms).toBeGreaterThan(0);
    // The photo is summarised, never printed.
    expect(r.stdout.length).toBeLessThan(20_000);
  }, 120_000);

  it('without --csca (and no app trust store) the issuer is unknown', async () => {
    const r = await runKiosk(['chip', 'read', '--reader', reader, '--qr', sim.firstLine, '--json'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.authenticity.verdict).toBe('unknown_issuer');
    expect(j.authenticity.checks.chain).not.toBe('pass');
    expect(j.authenticity.checks.signature).toBe('pass');
  }, 120_000);

  it('--dump writes the files the stored-read check reads back; --trace adds a data-free APDU trace', async () => {
    const dump = path.join(root, 'dump');
    const r = await runKiosk(
      [
        'chip',
        'read',
        '--reader',
        reader,
        '--can',
        DEFAULT_PERSON.idNumber.slice(-6),
        '--csca',
        csca,
        '--dump',
        dump,
        '--trace',
        '--json',
      ],
      env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.dump?.files).toEqual(
      expect.arrayContaining(['EF.COM.bin', 'DG1.bin', 'DG2.bin', 'DG13.bin', 'EF.SOD.bin']),
    );
    const stored = await inspectStoredRead(dump, await loadTrustStore(csca));
    expect(stored.document.idNumber).toBe(DEFAULT_PERSON.idNumber);
    // Offline the chip cannot prove itself: the signature chains, the chip is unproven.
    expect(stored.authenticity.verdict).toBe('signature_valid_chip_unproven');

    expect(j.trace!.length).toBe(j.apdus);
    const keys = new Set([
      'cla',
      'ins',
      'p1p2',
      'lc',
      'le',
      'extended',
      'responseLength',
      'sw',
      'ms',
      'error',
    ]);
    for (const t of j.trace!) for (const k of Object.keys(t)) expect(keys.has(k), k).toBe(true);
    const text = JSON.stringify(j.trace);
    expect(text).not.toContain(DEFAULT_PERSON.idNumber.slice(-6));
    expect(text).not.toContain('Nguy');
  }, 120_000);

  it('kiosk readers --json lists both virtual readers, the card in the first one', async () => {
    const r = await runKiosk(['readers', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json() as {
      pcsc: { serviceRunning: boolean; readers: { name: string; cardPresent: boolean; atr?: string }[] };
      serial: unknown[];
      hid: unknown[];
    };
    expect(j.pcsc.serviceRunning).toBe(true);
    const names = j.pcsc.readers.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining([...pcscd.readerNames]));
    const first = j.pcsc.readers.find((x) => x.name === reader)!;
    expect(first.cardPresent).toBe(true);
    expect(first.atr).toBe('3B80800101');
    expect(j.pcsc.readers.find((x) => x.name === pcscd.readerNames[1])!.cardPresent).toBe(false);
    expect(Array.isArray(j.serial) && Array.isArray(j.hid)).toBe(true);
  }, 60_000);
});

describe.skipIf(pcsc.skip)('kiosk check --reader', () => {
  beforeAll(async () => {
    const rosterFile = path.join(root, 'roster.csv');
    fs.writeFileSync(rosterFile, rosterCsvFor([DEFAULT_PERSON]));
    for (const code of ['C1', 'C2']) {
      const made = await runKiosk(
        ['session', 'create', '--code', code, '--council', 'Hội đồng thử', '--date', '2026-11-27'],
        env,
      );
      expect(made.code, made.stderr).toBe(0);
      const imported = await runKiosk(['roster', 'import', rosterFile, '--session', code], env);
      expect(imported.code, imported.stderr).toBe(0);
    }
  }, 60_000);

  it('checks the simulated holder in from the chip: match, genuine, logged with non-personal details', async () => {
    const r = await runKiosk(
      ['check', '--session', 'C1', '--reader', reader, '--qr', sim.firstLine, '--csca', csca, '--json'],
      env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = r.json() as {
      source: string;
      identity: { verdict: string };
      authenticity: { verdict: string };
      outcome: string;
      candidate: { candidateNo: string } | null;
      logId: number;
    };
    expect(j.source).toBe('chip');
    expect(j.identity.verdict).toBe('match');
    expect(j.authenticity.verdict).toBe('genuine');
    expect(j.outcome).toBe('accepted');
    expect(j.candidate?.candidateNo).toBe('001');

    const log = (await runKiosk(['log', 'list', '--session', 'C1', '--json'], env)).json() as {
      id: number;
      kind: string;
      source: string;
      details: Record<string, unknown>;
    }[];
    const checks = log.filter((e) => e.kind === 'check');
    expect(checks).toHaveLength(1);
    expect(checks[0]!.id).toBe(j.logId);
    expect(checks[0]!.details).toMatchObject({
      entry: 'chip',
      reader,
      accessProtocol: 'PACE',
      accessFrom: 'qr',
      chipAuth: 'pass',
      activeAuth: 'pass',
      qrMatchesChip: true,
    });
    const details = JSON.stringify(checks[0]!.details);
    for (const secret of [
      DEFAULT_PERSON.idNumber,
      DEFAULT_PERSON.idNumber.slice(-6),
      DEFAULT_PERSON.fullName,
      'NGUYEN',
    ]) {
      expect(details).not.toContain(secret);
    }
    const verify = await runKiosk(['log', 'verify'], env);
    expect(verify.code, verify.stdout).toBe(0);
  }, 120_000);

  it('with no card within --timeout the QR is checked alone (authenticity not_checked)', async () => {
    const r = await runKiosk(
      [
        'check',
        '--session',
        'C2',
        '--reader',
        pcscd.readerNames[1],
        '--qr',
        sim.firstLine,
        '--timeout',
        '2',
        '--json',
      ],
      env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = r.json() as { source: string; authenticity: { verdict: string }; outcome: string };
    expect(j.source).toBe('qr');
    expect(j.authenticity.verdict).toBe('not_checked');
    expect(j.outcome).toBe('accepted_with_warnings');
  }, 60_000);

  it('usage errors exit 2: no access data for the chip, --can without --reader', async () => {
    const none = await runKiosk(['check', '--session', 'C1', '--reader', reader, '--json'], env);
    expect(none.code).toBe(2);
    const can = await runKiosk(['check', '--session', 'C1', '--can', '123456'], env);
    expect(can.code).toBe(2);
    expect(can.stderr).toContain('--reader');
    const chipNone = await runKiosk(['chip', 'read', '--reader', reader, '--json'], env);
    expect(chipNone.code).toBe(2);
    expect((chipNone.json() as { error: { vi: string; en: string } }).error.en).toContain('--qr');
  }, 60_000);
});
