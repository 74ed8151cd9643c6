/**
 * Issue 14: the audit log stays verifiable without the kiosk. An independent 20-line Python script
 * (test/support/python/verify_log.py, written from docs/audit-log-format.md) accepts a database the
 * kiosk wrote through its real services, and rejects the file after one byte of one log row changed.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { KioskServices } from '../../electron/core/services';
import { fictionalPerson, qrTextOf, rosterCsv } from '../../electron/core/fictional-people';
import { needsPart } from '../support/system-parts';
import { tempDir } from '../support/tmp';

const python = needsPart('python3', 'independent audit-log verifier (Python)');
const SCRIPT = path.resolve(import.meta.dirname, '../support/python/verify_log.py');
const dir = tempDir();

function verifyWithPython(file: string): { code: number | null; out: string } {
  const r = spawnSync('python3', [SCRIPT, file], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A station database with a session, a roster and checks of every kind, written by the kiosk. */
async function station(): Promise<string> {
  const file = path.join(dir, `station-${Math.random().toString(36).slice(2)}.db`);
  const s = new KioskServices({ dbPath: file, trustStoreDir: path.join(dir, 'no-trust') });
  try {
    const actor = { station: 'st-py', actor: 'examiner-zz' };
    const people = Array.from({ length: 12 }, (_, i) => fictionalPerson(i, 5));
    s.sessions.create(
      { code: 'PY-1', council: 'Hội đồng thử', date: '2026-12-04', licenceClasses: [] },
      actor,
    );
    const csvFile = path.join(dir, `roster-${Math.random().toString(36).slice(2)}.csv`);
    // The roster holds the first 10 of the same fictional people (rosterCsv uses the same seed).
    fs.writeFileSync(csvFile, rosterCsv(10, 5));
    await s.roster.importFile('PY-1', csvFile, actor);
    for (const p of people) s.checks.checkQr('PY-1', qrTextOf(p), actor);
    s.checks.checkQr('PY-1', qrTextOf(people[0]!), actor); // already checked in
    s.checks.checkQr('PY-1', 'not a QR', actor);
  } finally {
    s.close();
  }
  // Everything in the main file (no WAL left), as a copied database would be.
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

describe.skipIf(python.skip)('an independent verifier (Python) of the audit log', () => {
  it('accepts the chain the kiosk wrote', async () => {
    const file = await station();
    const r = verifyWithPython(file);
    expect(r.out).toMatch(/^OK: \d+ entries, head [0-9a-f]{64}/);
    expect(r.code).toBe(0);
  });

  it('rejects the file after a single byte of a log row changed, naming the entry', async () => {
    const file = await station();
    const bytes = fs.readFileSync(file);
    const needle = Buffer.from('examiner-zz');
    const at = bytes.lastIndexOf(needle);
    expect(at).toBeGreaterThan(0);
    bytes[at + needle.length - 1] = 'y'.charCodeAt(0);
    fs.writeFileSync(file, bytes);
    const r = verifyWithPython(file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^BROKEN at entry \d+: modified after it was written/);
  });
});
