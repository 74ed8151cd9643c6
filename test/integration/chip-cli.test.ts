/**
 * The `kiosk chip` and `kiosk sim` commands as real processes: a stored read checked with and without
 * the CSCA folder, an altered dump, simulated faults, and a full read through pcscd + vpcd with the
 * software card inserted by `kiosk sim card` and read by `kiosk chip read`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChip, writeStoredRead } from '../../native/chip/read-chip';
import { TrustStore } from '../../native/icao/trust-store';
import { createSoftCard } from '../../native/softcard/soft-card';
import { KIOSK_BIN, kiosk } from '../support/cli';
import { testPcscd, useSocket, type PcscdInstance } from '../support/pcscd';
import { tempDir } from '../support/tmp';

interface ChipJson {
  document: Record<string, unknown> & { idNumber?: string; fullName?: string; photo?: { mime: string } };
  authenticity: { verdict: string; checks: Record<string, string>; reasons: { code: string }[] };
  dataGroups: { name: string; status: string; hashOk?: boolean }[];
  access?: string;
}

const root = tempDir('chip-cli-');
const dump = path.join(root, 'dump');
const cscaDir = path.join(root, 'csca');
let idNumber = '';

beforeAll(async () => {
  const card = createSoftCard();
  idNumber = card.person.idNumber;
  const trust = new TrustStore();
  trust.addCertificate(card.csca.der, 'csca');
  const r = await readChip(card.transport, { qr: card.qrText }, { trustStore: trust });
  await writeStoredRead(dump, r.files);
  fs.mkdirSync(cscaDir);
  fs.writeFileSync(path.join(cscaDir, 'vn-csca.pem'), card.csca.pem);
});

describe('kiosk chip inspect', () => {
  it('with the CSCA folder: signature valid and chained, the chip itself unproven offline', () => {
    const r = kiosk(['chip', 'inspect', dump, '--csca', cscaDir, '--json']);
    expect(r.code).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.authenticity.verdict).toBe('signature_valid_chip_unproven');
    expect(j.authenticity.checks).toEqual({
      hashes: 'pass',
      signature: 'pass',
      chain: 'pass',
      activeAuth: 'not_run',
      chipAuth: 'not_run',
    });
    expect(j.document.idNumber).toBe(idNumber);
    expect(j.document.fullName).toBe('Nguyễn Thị Mai Anh');
    expect(j.document.photo).toMatchObject({ mime: 'image/jpeg' });
    // The photo is summarised, never printed.
    expect(r.stdout.length).toBeLessThan(20_000);
    expect(j.dataGroups.filter((g) => g.hashOk === true).map((g) => g.name)).toEqual(
      expect.arrayContaining(['DG1', 'DG2', 'DG13', 'DG14', 'DG15']),
    );
  });

  it('without the CSCA folder: unknown issuer', () => {
    const r = kiosk(['chip', 'inspect', dump, '--json']);
    expect(r.code).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.authenticity.verdict).toBe('unknown_issuer');
    expect(j.authenticity.reasons.map((x) => x.code)).toContain('trust_store_empty');
  });

  it('human output names the verdict in both languages', () => {
    const r = kiosk(['chip', 'inspect', dump, '--csca', cscaDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('signature_valid_chip_unproven');
    expect(r.stdout).toContain('CHỮ KÝ HỢP LỆ');
    expect(r.stdout).toMatch(/DG2 +read +\d+ B {2}hash ok/);
  });

  it('an altered dump: altered_or_forged, the group named', () => {
    const altered = path.join(root, 'altered');
    fs.cpSync(dump, altered, { recursive: true });
    const dg1 = fs.readFileSync(path.join(altered, 'DG1.bin'));
    dg1[dg1.length - 10] = 0x5a;
    fs.writeFileSync(path.join(altered, 'DG1.bin'), dg1);
    const j = kiosk(['chip', 'inspect', altered, '--csca', cscaDir, '--json']).json() as ChipJson;
    expect(j.authenticity.verdict).toBe('altered_or_forged');
    expect(j.dataGroups.find((g) => g.name === 'DG1')?.hashOk).toBe(false);
  });

  it('a folder without a stored read: exit 1 with a bilingual error', () => {
    const r = kiosk(['chip', 'inspect', path.join(root, 'nothing-here'), '--json']);
    expect(r.code).toBe(1);
    const err = (r.json() as { error: { code: string; vi: string; en: string } }).error;
    expect(err.code).toBe('stored_read_invalid');
    expect(err.vi).toContain('EF.COM.bin');
    expect(err.en).toContain('EF.COM.bin');
  });
});

describe('kiosk chip read --sim', () => {
  it('reads the software card; a clone is caught; --dump writes what inspect reads', () => {
    const out = path.join(root, 'sim-dump');
    const r = kiosk(['chip', 'read', '--sim', '--fault', 'clone', '--dump', out, '--json']);
    expect(r.code).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.access).toBe('PACE');
    expect(j.authenticity.verdict).toBe('signature_valid_chip_unproven');
    expect(j.authenticity.checks.activeAuth).toBe('fail');
    expect(j.authenticity.checks.chipAuth).toBe('fail');
    expect(fs.readdirSync(out).sort()).toContain('EF.SOD.bin');
    const inspected = kiosk(['chip', 'inspect', out, '--json']).json() as ChipJson;
    expect(inspected.document.idNumber).toBe(j.document.idNumber);
  });

  it('a removed card is a retryable bilingual error; an unknown fault is a usage error', () => {
    const removed = kiosk(['chip', 'read', '--sim', '--fault', 'remove-at:6', '--json']);
    expect(removed.code).toBe(1);
    expect((removed.json() as { error: { code: string; details: unknown } }).error).toMatchObject({
      code: 'card_removed',
      details: { retryable: true },
    });
    const unknown = kiosk(['chip', 'read', '--sim', '--fault', 'melted', '--json']);
    expect(unknown.code).toBe(2);
    expect((unknown.json() as { error: { code: string } }).error.code).toBe('soft_card_fault_unknown');
  });

  it('--trace prints APDU headers and status words to stderr, never the data', () => {
    const r = kiosk(['chip', 'read', '--sim', '--trace', '--json']);
    expect(r.code).toBe(0);
    const trace = JSON.parse(r.stderr.trim().split('\n').at(-1)!) as { ins: number; sw: number | null }[];
    expect(trace.length).toBeGreaterThan(20);
    expect(r.stderr).not.toContain(idNumber);
    expect(r.stderr).not.toContain('Nguy');
  });
});

describe('kiosk sim card + kiosk chip read through pcscd and vpcd', () => {
  let pcscd: PcscdInstance;
  let sim: ChildProcess | undefined;

  beforeAll(async () => {
    pcscd = await testPcscd();
    useSocket(pcscd);
    await pcscd.start();
  }, 60_000);

  afterAll(async () => {
    sim?.kill('SIGKILL');
    await pcscd?.dispose();
  });

  it('the card inserted by one command is read, genuine, by the other', async () => {
    const simCsca = path.join(root, 'sim-csca');
    sim = spawn(
      process.execPath,
      [KIOSK_BIN, 'sim', 'card', '--port', String(pcscd.ports[0]), '--csca-out', simCsca, '--json'],
      { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const info = await new Promise<{ qr: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sim card did not start: ${out}`)), 30_000);
      sim!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        try {
          const parsed = JSON.parse(out) as { inserted: boolean; qr: string };
          clearTimeout(timer);
          resolve(parsed);
        } catch {
          // not complete yet
        }
      });
      sim!.on('exit', (code) => reject(new Error(`sim card exited ${code}: ${out}`)));
    });
    const r = kiosk([
      'chip',
      'read',
      '--reader',
      pcscd.readerNames[0],
      '--qr',
      info.qr,
      '--csca',
      simCsca,
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.access).toBe('PACE');
    expect(j.authenticity.verdict).toBe('genuine');
    expect(j.document.fullName).toBe('Nguyễn Thị Mai Anh');

    const exited = new Promise<number | null>((resolve) => sim!.on('exit', (code) => resolve(code)));
    sim.kill('SIGTERM');
    expect(await exited).toBe(0);
    sim = undefined;
  }, 90_000);

  it('without a running pcscd the read says so in both languages', () => {
    const r = kiosk(['chip', 'read', '--qr', 'x', '--json'], {
      PCSCLITE_CSOCK_NAME: path.join(root, 'no-pcscd.comm'),
    });
    expect(r.code).toBe(1);
    const err = (r.json() as { error: { code: string; vi: string; en: string } }).error;
    expect(err.code).toBe('service_unavailable');
    expect(err.vi).toContain('pcscd');
  });
});
