import { describe, expect, it, beforeEach } from 'vitest';
import Database from 'better-sqlite3';
import path from 'node:path';
import { openDatabase, type Db } from '../../electron/core/db';
import { AuditLog, GENESIS_HASH, LOG_COLUMNS, entryHash } from '../../electron/core/audit-log';
import { insertLogRow, setLogColumn } from '../support/log-tamper';
import { tempDir } from '../support/tmp';
import { kiosk } from '../support/cli';

const dir = tempDir();
let n = 0;

function freshLog(entries = 6): { file: string; db: Db; log: AuditLog } {
  const file = path.join(dir, `log-${n++}.db`);
  const db = openDatabase(file);
  const log = new AuditLog(db);
  for (let i = 0; i < entries; i++) {
    log.append({
      kind: 'check',
      station: 'st-1',
      actor: `examiner-${i % 2}`,
      sessionCode: 'S1',
      source: i % 2 ? 'chip' : 'qr',
      identityVerdict: i % 3 ? 'match' : 'not_on_roster',
      authenticityVerdict: 'not_checked',
      outcome: i % 3 ? 'accepted_with_warnings' : 'rejected',
      reasons: [{ code: 'x', severity: 'warning', vi: 'Cảnh báo thử', en: 'test warning' }],
      candidateId: i,
      cardHash: 'ab'.repeat(32),
      details: { n: i },
    });
  }
  return { file, db, log };
}

/** The attacker's connection: direct SQL on the file, with the append-only triggers removed. */
function attacker(file: string): Database.Database {
  const db = new Database(file);
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  return db;
}

const COLUMNS = LOG_COLUMNS.split(', ');

describe('audit log hash chain', () => {
  let ctx: ReturnType<typeof freshLog>;
  beforeEach(() => {
    ctx = freshLog();
  });

  it('chains entries from the genesis hash and verifies intact', () => {
    const first = ctx.log.get(1)!;
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(ctx.log.get(2)!.prevHash).toBe(first.hash);
    const r = ctx.log.verify();
    expect(r).toMatchObject({ ok: true, entries: 6, headId: 6 });
  });

  it('refuses updates and deletes through SQL while the triggers are in place', () => {
    expect(() => ctx.db.prepare("UPDATE audit_log SET entry = 'x' WHERE id = 2").run()).toThrow(
      /append-only/,
    );
    expect(() => ctx.db.prepare("UPDATE audit_log SET hash = 'x' WHERE id = 2").run()).toThrow(/append-only/);
    // The columns are generated from the hashed text: they cannot be written at all.
    expect(() => ctx.db.prepare("UPDATE audit_log SET actor = 'x' WHERE id = 2").run()).toThrow();
    expect(() => ctx.db.prepare('DELETE FROM audit_log WHERE id = 2').run()).toThrow(/append-only/);
  });

  it('detects a change of any single character in any column of a row', () => {
    ctx.db.close();
    const a = attacker(ctx.file);
    const row = a.prepare(`SELECT ${LOG_COLUMNS} FROM audit_log WHERE id = 3`).raw().get() as unknown[];
    let tried = 0;
    for (let c = 1; c < COLUMNS.length; c++) {
      const col = COLUMNS[c]!;
      const original = row[c];
      const text = String(original ?? '');
      const positions = text.length ? [...new Set([0, Math.floor(text.length / 2), text.length - 1])] : [-1];
      for (const pos of positions) {
        let edited: string | number | null;
        if (pos < 0) edited = 'x';
        else {
          const ch = text[pos]!;
          const repl = ch === 'a' ? 'b' : ch === '0' ? '1' : ch === '1' ? '2' : 'a';
          edited = text.slice(0, pos) + repl + text.slice(pos + 1);
        }
        if (typeof original === 'number' && /^\d+$/.test(String(edited))) edited = Number(edited);
        setLogColumn(a, 3, col, edited);
        const log = new AuditLog(a);
        const r = log.verify();
        expect(r.ok, `edit of ${col} at ${pos}`).toBe(false);
        if (!r.ok) expect(r.firstBroken.id, `edit of ${col}`).toBe(3);
        setLogColumn(a, 3, col, original);
        expect(new AuditLog(a).verify().ok).toBe(true);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(30);
    a.close();
  });

  it('detects a change of any single character of the stored entry text, and names that entry', () => {
    ctx.db.close();
    const a = attacker(ctx.file);
    const { entry } = a.prepare('SELECT entry FROM audit_log WHERE id = 3').get() as { entry: string };
    const set = a.prepare('UPDATE audit_log SET entry = ? WHERE id = 3');
    for (let pos = 0; pos < entry.length; pos++) {
      const ch = entry[pos]!;
      set.run(entry.slice(0, pos) + (ch === 'a' ? 'b' : ch === '0' ? '1' : 'a') + entry.slice(pos + 1));
      const r = new AuditLog(a).verify();
      expect(r.ok, `character ${pos}`).toBe(false);
      if (!r.ok) expect(r.firstBroken.id, `character ${pos}`).toBe(3);
    }
    set.run(entry);
    expect(new AuditLog(a).verify().ok).toBe(true);
    a.close();
  });

  it('a row whose text is no longer JSON: the log still lists (that row reads empty) and verify names it', () => {
    ctx.db.close();
    const a = attacker(ctx.file);
    a.prepare('UPDATE audit_log SET entry = substr(entry, 1, 40) WHERE id = 4').run();
    const log = new AuditLog(a);
    const rows = log.list();
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rows[3]).toMatchObject({ kind: null, actor: null, sessionCode: null });
    const r = log.verify();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.firstBroken).toMatchObject({ id: 4, problem: 'hash_mismatch' });
    a.close();
  });

  it('names the entry after a deleted row', () => {
    ctx.db.close();
    const a = attacker(ctx.file);
    a.prepare('DELETE FROM audit_log WHERE id = 4').run();
    const r = new AuditLog(a).verify();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.firstBroken).toMatchObject({ id: 5, problem: 'missing_entry' });
    a.close();
  });

  it('names an inserted row even when its id sequence is rewritten', () => {
    ctx.db.close();
    const a = attacker(ctx.file);
    // Shift rows 4.. up by one and insert a forged row 4 with a self-consistent hash of its own.
    a.exec(
      'UPDATE audit_log SET id = id + 100 WHERE id >= 4; UPDATE audit_log SET id = id - 99 WHERE id >= 104;',
    );
    const prev = (a.prepare('SELECT hash FROM audit_log WHERE id = 3').get() as { hash: string }).hash;
    const forged = [
      4,
      new Date().toISOString(),
      'check',
      'st-1',
      'mallory',
      'S1',
      'qr',
      'match',
      'not_checked',
      'accepted',
      '[]',
      99,
      null,
      '{}',
      prev,
      '',
    ];
    forged[15] = entryHash(forged as never);
    insertLogRow(a, forged);
    const r = new AuditLog(a).verify();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.firstBroken).toMatchObject({ id: 5, problem: 'prev_hash_mismatch' });
    a.close();
  });

  it('names the first of two swapped rows', () => {
    ctx.db.close();
    const a = attacker(ctx.file);
    a.exec(
      'UPDATE audit_log SET id = 1000 WHERE id = 2; UPDATE audit_log SET id = 2 WHERE id = 3; UPDATE audit_log SET id = 3 WHERE id = 1000;',
    );
    const r = new AuditLog(a).verify();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.firstBroken.id).toBe(2);
    a.close();
  });
});

describe('kiosk log verify (the CLI as a process)', () => {
  it('exits 0 on an intact log and 1 naming the entry for an edit, a deletion, an insertion and a swap', () => {
    const cases: Array<[string, (a: Database.Database) => void, number]> = [
      ['edit', (a) => setLogColumn(a, 3, 'actor', 'someone-else'), 3],
      ['delete', (a) => a.prepare('DELETE FROM audit_log WHERE id = 2').run(), 3],
      [
        'insert',
        (a) => {
          const r = a.prepare(`SELECT ${LOG_COLUMNS} FROM audit_log WHERE id = 4`).raw().get() as unknown[];
          a.exec(
            'UPDATE audit_log SET id = id + 100 WHERE id >= 5; UPDATE audit_log SET id = id - 99 WHERE id >= 105;',
          );
          r[0] = 5;
          insertLogRow(a, r);
        },
        5,
      ],
      [
        'swap',
        (a) =>
          a.exec(
            'UPDATE audit_log SET id = 1000 WHERE id = 4; UPDATE audit_log SET id = 4 WHERE id = 5; UPDATE audit_log SET id = 5 WHERE id = 1000;',
          ),
        4,
      ],
    ];
    const intact = freshLog();
    intact.db.close();
    const ok = kiosk(['--db', intact.file, 'log', 'verify', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.json()).toMatchObject({ ok: true, entries: 6 });

    for (const [name, tamper, expectedId] of cases) {
      const t = freshLog();
      t.db.close();
      const a = attacker(t.file);
      tamper(a);
      a.close();
      const r = kiosk(['--db', t.file, 'log', 'verify', '--json']);
      expect(r.code, name).toBe(1);
      expect((r.json() as { firstBroken: { id: number } }).firstBroken.id, name).toBe(expectedId);
      const human = kiosk(['--db', t.file, 'log', 'verify']);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(`entry ${expectedId}`);
    }
  });
});
