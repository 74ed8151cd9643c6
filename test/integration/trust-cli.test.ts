/**
 * `kiosk trust list|approve|block|unblock|import` as a separate process on a real station database:
 * issuers seen on chip reads are listed with their status and counts; the chair's decisions and
 * imports change the registry / trust folder and are in the hash-chained log; a master list whose
 * signer chains to nothing trusted is refused (and its signer fingerprint printed) unless the chair
 * confirms that fingerprint; non-CA certificates are refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KioskServices } from '../../electron/core/services';
import { chipCheckDetails } from '../../electron/core/chip-checkin';
import { readChip } from '../../native/chip/read-chip';
import { createSoftCard } from '../../native/softcard/soft-card';
import { DEFAULT_PERSON } from '../../native/softcard/person';
import {
  DEFAULT_KEY,
  createMasterList,
  createTestPki,
  getTestPki,
  issueCertificate,
  makeName,
} from '../../native/softcard/pki';
import { fingerprint } from '../../native/icao/x509';
import { kiosk } from '../support/cli';
import { rosterCsvFor } from '../support/sim-roster';
import { tempDir } from '../support/tmp';

const dir = tempDir('trust-cli-');
const db = path.join(dir, 'kiosk.db');
const trustDir = path.join(dir, 'trust');
const run = (...args: string[]) => kiosk(['--db', db, ...args]);

interface IssuerJson {
  issuerId: string;
  country: string;
  cards: number;
  status: string;
  statusBy: string | null;
}

const listJson = () =>
  run('trust', 'list', '--json', '--trust-dir', trustDir).json() as {
    issuers: IssuerJson[];
    configuredCountries: string[];
    unconfiguredCountries: Array<{ country: string }>;
  };

// A master-list signer certified by a foreign CSCA (XX), and a list carrying the VN test CSCA plus
// one certificate that is not a CA.
const foreign = createTestPki({ country: 'XX', cscaName: 'XX Test CSCA', dsName: 'XX Test DS' });
const now = new Date(Date.UTC(2020, 0, 1));
const later = new Date(Date.UTC(2040, 0, 1));
const listSigner = issueCertificate({
  subject: makeName({ C: 'XX', O: 'Test', CN: 'XX Master List Signer' }),
  spec: DEFAULT_KEY,
  issuer: foreign.csca,
  ca: false,
  notBefore: now,
  notAfter: later,
});
const vn = getTestPki();
const masterList = createMasterList([vn.csca.cert, foreign.ds.cert], listSigner);
const signerFp = fingerprint(listSigner.der);

beforeAll(async () => {
  fs.mkdirSync(trustDir, { recursive: true });
  // One chip check on the station (empty trust store): the registry learns the VN issuer.
  const s = new KioskServices({ dbPath: db, trustStoreDir: trustDir });
  try {
    const by = { station: 'test-station', actor: 'exam1' };
    s.sessions.create({ code: 'S1', council: 'Hội đồng thử', date: '2026-11-27', licenceClasses: [] }, by);
    const csv = path.join(dir, 'roster.csv');
    fs.writeFileSync(csv, rosterCsvFor([DEFAULT_PERSON]));
    await s.roster.importFile('S1', csv, by);
    const card = createSoftCard();
    const result = await readChip(card.transport, { can: card.can });
    const rec = s.checks.checkReading('S1', result.reading, by, chipCheckDetails(result), result);
    expect(rec.outcome).toBe('accepted_with_warnings');
  } finally {
    s.close();
  }
});

// Every command is a fresh process (tsx start-up): a few seconds each on a loaded machine.
describe('kiosk trust', { timeout: 120_000 }, () => {
  it('lists the issuers seen on chips, and the countries with no configured issuer', () => {
    const j = listJson();
    expect(j.issuers).toHaveLength(1);
    expect(j.issuers[0]).toMatchObject({ country: 'VN', cards: 1, status: 'seen' });
    expect(j.unconfiguredCountries.map((u) => u.country)).toEqual(['VN']);
    const text = run('trust', 'list', '--trust-dir', trustDir);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(j.issuers[0]!.issuerId);
    expect(text.stdout).toContain('VN');
    expect(text.stdout).not.toContain(DEFAULT_PERSON.idNumber);
  });

  it('approves, blocks and unblocks an issuer (by id or unique prefix), as the chair', () => {
    const id = listJson().issuers[0]!.issuerId;
    const a = run('trust', 'approve', id.slice(0, 10), '--examiner', 'chutich', '--json');
    expect(a.code, a.stderr).toBe(0);
    expect(a.json()).toMatchObject({
      issuerId: id,
      status: 'approved',
      statusBy: 'chutich',
      approvedSigners: 1,
    });
    const afterApproval = listJson();
    expect(afterApproval.configuredCountries).toContain('VN');
    expect(afterApproval.unconfiguredCountries).toEqual([]);
    const b = run('trust', 'block', id, '--examiner', 'chutich');
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toContain('blocked');
    expect(run('trust', 'unblock', id, '--examiner', 'chutich').code).toBe(0);
    expect(listJson().issuers[0]).toMatchObject({ status: 'seen' });
    const missing = run('trust', 'approve', 'deadbeef0000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('deadbeef0000');
  });

  it('refuses a master list whose signer chains to nothing trusted, printing the signer fingerprint', () => {
    const file = path.join(dir, 'list.ml');
    fs.writeFileSync(file, masterList);
    const r = run('trust', 'import', file, '--trust-dir', trustDir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(signerFp);
    expect(r.stderr).toContain('--confirm-fingerprint');
    const wrong = run(
      'trust',
      'import',
      file,
      '--trust-dir',
      trustDir,
      '--confirm-fingerprint',
      '00'.repeat(32),
      '--json',
    );
    expect(wrong.code).toBe(1);
    expect((wrong.json() as { error: { code: string } }).error.code).toBe('master_list_signer_untrusted');
    expect(fs.existsSync(path.join(trustDir, 'list.ml'))).toBe(false);
  });

  it('imports it when the chair confirms the fingerprint, and records it in trusted-lists.json', () => {
    const file = path.join(dir, 'list.ml');
    const colons = signerFp.toUpperCase().match(/../g)!.join(':');
    const r = run(
      'trust',
      'import',
      file,
      '--trust-dir',
      trustDir,
      '--confirm-fingerprint',
      colons,
      '--examiner',
      'chutich',
      '--json',
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json()).toMatchObject({
      kind: 'master_list',
      file: 'list.ml',
      cscas: 1,
      nonCa: 1,
      countries: ['VN'],
      signer: { fingerprint: signerFp, trustedBy: 'confirmed' },
    });
    expect(fs.readFileSync(path.join(trustDir, 'list.ml'))).toEqual(Buffer.from(masterList));
    expect(JSON.parse(fs.readFileSync(path.join(trustDir, 'trusted-lists.json'), 'utf8'))).toEqual({
      lists: [{ file: 'list.ml', signerFingerprint: signerFp }],
    });
  });

  it('imports a CA certificate, then a list whose signer chains to it without confirmation', () => {
    const cert = path.join(dir, 'xx-csca.pem');
    fs.writeFileSync(cert, foreign.csca.pem);
    const c = run('trust', 'import', cert, '--trust-dir', trustDir, '--json');
    expect(c.code, c.stdout + c.stderr).toBe(0);
    expect(c.json()).toMatchObject({ kind: 'certificate', cscas: 1, countries: ['XX'] });
    const second = path.join(dir, 'second.ml');
    fs.writeFileSync(second, createMasterList([vn.csca.cert], listSigner));
    const r = run('trust', 'import', second, '--trust-dir', trustDir, '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ signer: { trustedBy: 'chain' } });
  });

  it('refuses a certificate that is not a CA (a document signer)', () => {
    const ds = path.join(dir, 'ds.pem');
    fs.writeFileSync(ds, vn.ds.pem);
    const r = run('trust', 'import', ds, '--trust-dir', trustDir, '--json');
    expect(r.code).toBe(1);
    expect((r.json() as { error: { code: string } }).error.code).toBe('certificate_not_ca');
    expect(fs.existsSync(path.join(trustDir, 'ds.pem'))).toBe(false);
  });

  it('logs every change (no personal data) and the log chain verifies', () => {
    const entries = (
      run('log', 'list', '--json', '--limit', '100').json() as Array<{
        kind: string;
        details: { action?: string };
      }>
    ).filter((e) => e.kind === 'trust_changed');
    expect(entries.map((e) => e.details.action).reverse()).toEqual([
      'issuer_approved',
      'issuer_blocked',
      'issuer_unblocked',
      'master_list_imported',
      'trust_file_imported',
      'master_list_imported',
    ]);
    const v = run('log', 'verify', '--json');
    expect(v.code, v.stdout).toBe(0);
    expect(v.json()).toMatchObject({ ok: true });
  });
});
