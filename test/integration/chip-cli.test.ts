/**
 * `kiosk chip inspect` and `kiosk sim read` as real processes: a stored read checked with and without
 * the CSCA folder, an altered dump, a missing folder, the software card read in-process with faults,
 * a plain passport, and the data-free trace. (Reads through real readers: reader-commands' tests.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readChip, writeStoredRead } from '../../native/chip/read-chip';
import { TrustStore } from '../../native/icao/trust-store';
import { createSoftCard } from '../../native/softcard/soft-card';
import { kiosk } from '../support/cli';
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

describe('kiosk sim read', () => {
  it('reads the software card; a clone is caught; --dump writes what inspect reads', () => {
    const out = path.join(root, 'sim-dump');
    const r = kiosk(['sim', 'read', '--fault', 'clone', '--dump', out, '--json']);
    expect(r.code).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.access).toBe('PACE');
    // Issue 9: AA and CA announced by the SOD both fail: a clone is altered or forged.
    expect(j.authenticity.verdict).toBe('altered_or_forged');
    expect(j.authenticity.checks.activeAuth).toBe('fail');
    expect(j.authenticity.checks.chipAuth).toBe('fail');
    expect(fs.readdirSync(out).sort()).toContain('EF.SOD.bin');
    const inspected = kiosk(['chip', 'inspect', out, '--json']).json() as ChipJson;
    expect(inspected.document.idNumber).toBe(j.document.idNumber);
  });

  it('a removed card is a retryable bilingual error; an unknown fault is a usage error', () => {
    const removed = kiosk(['sim', 'read', '--fault', 'remove-at:6', '--json']);
    expect(removed.code).toBe(1);
    expect((removed.json() as { error: { code: string; details: unknown } }).error).toMatchObject({
      code: 'card_removed',
      details: { retryable: true },
    });
    const unknown = kiosk(['sim', 'read', '--fault', 'melted', '--json']);
    expect(unknown.code).toBe(2);
    expect((unknown.json() as { error: { code: string } }).error.code).toBe('soft_card_fault_unknown');
  });

  it('--trace prints APDU headers and status words to stderr, never the data', () => {
    const r = kiosk(['sim', 'read', '--trace', '--json']);
    expect(r.code).toBe(0);
    const trace = JSON.parse(r.stderr.trim().split('\n').at(-1)!) as { ins: number; sw: number | null }[];
    expect(trace.length).toBeGreaterThan(20);
    expect(r.stderr).not.toContain(idNumber);
    expect(r.stderr).not.toContain('Nguy');
  });

  it('a plain passport: BAC, the MRZ identity, never genuine', () => {
    const r = kiosk(['sim', 'read', '--passport', '--json']);
    expect(r.code).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.access).toBe('BAC');
    expect(j.document).toMatchObject({ source: 'DG1', documentType: 'P', fullName: 'ERIKSSON ANNA MARIA' });
    expect(j.authenticity.verdict).toBe('altered_or_forged');
    expect(j.authenticity.reasons.map((x) => x.code)).toContain('sod_missing');
  });
});
