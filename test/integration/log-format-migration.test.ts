/**
 * Issue 14: migration 5 moves the audit log to stored entry texts without breaking any chain. A
 * database written by the previous schema (v4: the hashed columns stored, the text rebuilt at every
 * verification) is opened by this build: an intact chain stays intact with the same head, an edited
 * row stays broken at the same entry, and the independent verifier agrees.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, schemaVersion } from '../../electron/core/db';
import { migrations } from '../../electron/core/migrations';
import { AuditLog, GENESIS_HASH } from '../../electron/core/audit-log';
import { needsPart } from '../support/system-parts';
import { tempDir } from '../support/tmp';

const dir = tempDir();
const python = needsPart('python3', 'independent audit-log verifier (Python)');
const PY_VERIFIER = path.resolve(import.meta.dirname, '../support/python/verify_log.py');
const V1_COLUMNS =
  'id, at, kind, station, actor, session_code, source, identity_verdict, authenticity_verdict, outcome, reasons, candidate_id, card_hash, details, prev_hash, hash';

/** A v4 database with `n` entries written as the v4 code did (columns stored, hash over the v1 text). */
function v4Database(n: number): { file: string; head: string } {
  const file = path.join(dir, `v4-${Math.random().toString(36).slice(2)}.db`);
  const db = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 4) });
  expect(schemaVersion(db)).toBe(4);
  const insert = db.prepare(
    `INSERT INTO audit_log (${V1_COLUMNS}) VALUES (${Array(16).fill('?').join(',')})`,
  );
  let prev = GENESIS_HASH;
  for (let id = 1; id <= n; id++) {
    const row: unknown[] = [
      id,
      new Date(Date.UTC(2026, 11, 4, 8, 0, id)).toISOString(),
      id % 5 ? 'check' : 'sign_in',
      'st-v4',
      'giám-khảo "Lê"\n',
      id % 5 ? 'S-V4' : null,
      id % 5 ? 'qr' : null,
      id % 5 ? 'match' : null,
      id % 5 ? 'not_checked' : null,
      id % 5 ? 'accepted_with_warnings' : null,
      JSON.stringify([
        { code: 'chip_not_checked', severity: 'warning', vi: 'Chưa kiểm tra chip', en: 'QR only' },
      ]),
      id % 5 ? id : null,
      id % 5 ? 'cd'.repeat(32) : null,
      JSON.stringify({ n: id, note: 'tab\there, emoji 🚗, U+2028 \u2028' }),
      prev,
    ];
    const hash = createHash('sha256')
      .update(JSON.stringify(['cccd-kiosk-log-v1', ...row]))
      .digest('hex');
    insert.run(...(row as never[]), hash);
    prev = hash;
  }
  db.close();
  return { file, head: prev };
}

function pyVerify(file: string): { code: number | null; out: string } {
  const r = spawnSync('python3', [PY_VERIFIER, file], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('migration 5: the audit log keeps the exact hashed text', () => {
  it('an intact v4 chain verifies after the migration with the same head, and new entries extend it', () => {
    const { file, head } = v4Database(40);
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(5);
    const log = new AuditLog(db);
    expect(log.verify()).toMatchObject({ ok: true, entries: 40, headId: 40, headHash: head });
    // The columns read back from the text as they were written.
    const e = log.get(7)!;
    expect(e).toMatchObject({
      actor: 'giám-khảo "Lê"\n',
      sessionCode: 'S-V4',
      candidateId: 7,
      prevHash: log.get(6)!.hash,
    });
    expect(e.details).toEqual({ n: 7, note: 'tab\there, emoji 🚗, U+2028 \u2028' });
    log.append({ kind: 'sign_in', station: 'st-v5', actor: 'chair' });
    expect(log.verify()).toMatchObject({ ok: true, entries: 41 });
    expect(log.get(41)!.prevHash).toBe(head);
    db.close();
    if (!python.skip) expect(pyVerify(file)).toMatchObject({ code: 0 });
  });

  it('a row edited before the migration is still named after it', () => {
    const { file } = v4Database(30);
    const a = new Database(file);
    a.exec('DROP TRIGGER audit_log_no_update');
    a.prepare("UPDATE audit_log SET outcome = 'accepted' WHERE id = 17").run();
    a.close();
    const db = openDatabase(file);
    const r = new AuditLog(db).verify();
    db.close();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.firstBroken).toMatchObject({ id: 17, problem: 'hash_mismatch' });
    if (!python.skip) expect(pyVerify(file).out).toMatch(/^BROKEN at entry 17: modified/);
  });

  it('keeps the append-only triggers and the index on the new table (and later migrations add theirs)', () => {
    const { file } = v4Database(3);
    const db = openDatabase(file);
    const names = (
      db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'audit_log'").pluck().all() as string[]
    ).sort();
    expect(names).toEqual([
      'audit_log',
      'audit_log_by_session_candidate',
      // Migration 6 (face checks) finds face_check / face_override entries by the check they belong to.
      'audit_log_face_check_by_check',
      'audit_log_face_override_by_check',
      'audit_log_no_delete',
      'audit_log_no_update',
    ]);
    expect(() => db.prepare("UPDATE audit_log SET entry = '[]' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE id = 1').run()).toThrow(/append-only/);
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT id FROM audit_log WHERE session_code = 'S-V4' AND candidate_id = 2")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/audit_log_by_session_candidate/);
    db.close();
  });
});
