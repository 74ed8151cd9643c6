/**
 * Issue 14: the fast log verification (SQLite builds each entry's canonical text, worker threads
 * hash id ranges, the main thread checks the links between ranges) gives exactly the report of the
 * row-by-row definition, for an intact log and for every kind of tampering, wherever the damage
 * falls relative to the range boundaries.
 */
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import path from 'node:path';
import { openDatabase } from '../../electron/core/db';
import { spawnSync } from 'node:child_process';
import { insertLogRow, setLogColumn } from '../support/log-tamper';
import { needsPart } from '../support/system-parts';
import { AuditLog, GENESIS_HASH, LOG_COLUMNS, LOG_VERSION, entryHash } from '../../electron/core/audit-log';
import { sha256Hex } from '../../electron/core/canonical';
import { tempDir } from '../support/tmp';

const dir = tempDir();
let n = 0;
const ENTRIES = 40;

function freshLog(): string {
  const file = path.join(dir, `log-${n++}.db`);
  const db = openDatabase(file);
  const log = new AuditLog(db);
  for (let i = 0; i < ENTRIES; i++) {
    log.append({
      kind: i % 7 ? 'check' : 'settings_changed',
      station: 'st-1',
      actor: `examiner-${i % 3}`,
      sessionCode: i % 5 ? 'S1' : null,
      source: i % 2 ? 'chip' : 'qr',
      identityVerdict: i % 3 ? 'match' : 'not_on_roster',
      authenticityVerdict: i % 2 ? 'genuine' : null,
      outcome: i % 3 ? 'accepted' : 'rejected',
      // Text json_array must spell exactly as JSON.stringify: diacritics, quotes, controls, emoji.
      reasons: [{ code: 'x', severity: 'warning', vi: `Cảnh báo "thử" ${i}\n\t\u0001`, en: 'test ✓ 😀' }],
      candidateId: i % 4 ? i : null,
      cardHash: i % 2 ? 'ab'.repeat(32) : null,
      details: { n: i, note: 'a\\b/c\u2028' },
    });
  }
  db.close();
  return file;
}

const python = needsPart('python3', 'independent audit-log verifier (Python)');
const PY_VERIFIER = path.resolve(import.meta.dirname, '../support/python/verify_log.py');

function attacker(file: string): Database.Database {
  const db = new Database(file);
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  return db;
}

/**
 * Every path on the same file: this thread; 2, 3 and 4 worker threads; and this thread taking the first
 * range beside 1, 2 and 3 workers (as `kiosk log verify` does).
 */
async function reports(file: string) {
  const db = openDatabase(file, { readonly: true });
  const log = new AuditLog(db);
  try {
    const serial = log.verify();
    const parallel = await Promise.all(
      [2, 3, 4].map((threads) => log.verifyParallel({ threads, minEntriesForThreads: 0 })),
    );
    for (const threads of [2, 3, 4])
      parallel.push(await log.verifyParallel({ threads, minEntriesForThreads: 0, thisThread: true }));
    return { serial, parallel };
  } finally {
    db.close();
  }
}

const strip = (r: object) => ({ ...r, ms: 0 });

describe('log verification over worker threads', () => {
  it('each row stores exactly the canonical text of its columns, and the columns read back from it', () => {
    const file = freshLog();
    const db = new Database(file, { readonly: true });
    const rows = db.prepare(`SELECT ${LOG_COLUMNS} FROM audit_log ORDER BY id`).raw().all() as unknown[][];
    const stored = db.prepare('SELECT entry, hash FROM audit_log ORDER BY id').raw().all() as string[][];
    db.close();
    expect(stored.map(([entry]) => entry)).toEqual(
      rows.map((r) => JSON.stringify([LOG_VERSION, ...r.slice(0, 15)])),
    );
    expect(rows.map((r) => entryHash(r as never))).toEqual(stored.map(([entry]) => sha256Hex(entry!)));
    expect(stored.map(([, hash]) => hash)).toEqual(rows.map((r) => r[15]));
  });

  it('an intact log: the same report on every path', async () => {
    const { serial, parallel } = await reports(freshLog());
    expect(serial).toMatchObject({ ok: true, entries: ENTRIES, headId: ENTRIES });
    for (const p of parallel) expect(strip(p)).toEqual(strip(serial));
  });

  const tamperings: Array<[string, (a: Database.Database, id: number) => void]> = [
    ['an edited column', (a, id) => setLogColumn(a, id, 'actor', 'mallory')],
    [
      'an entry text moved to the next row (its hash moved with it)',
      (a, id) => {
        const next = a.prepare('SELECT entry, hash FROM audit_log WHERE id = ?').get(id + 1) as
          { entry: string; hash: string } | undefined;
        if (next)
          a.prepare('UPDATE audit_log SET entry = ?, hash = ? WHERE id = ?').run(next.entry, next.hash, id);
        else setLogColumn(a, id, 'actor', 'mallory');
      },
    ],
    [
      'an edited hash',
      (a, id) => a.prepare('UPDATE audit_log SET hash = ? WHERE id = ?').run('00'.repeat(32), id),
    ],
    ['a deleted row', (a, id) => a.prepare('DELETE FROM audit_log WHERE id = ?').run(id)],
    [
      'the entry text turned into a BLOB of the same bytes',
      (a, id) => a.prepare('UPDATE audit_log SET entry = CAST(entry AS BLOB) WHERE id = ?').run(id),
    ],
    [
      'a forged row with a self-consistent hash inserted after shifting the ids',
      (a, id) => {
        a.exec(
          `UPDATE audit_log SET id = id + 1000 WHERE id >= ${id}; UPDATE audit_log SET id = id - 999 WHERE id >= ${id + 1000};`,
        );
        const prev =
          (a.prepare('SELECT hash FROM audit_log WHERE id = ?').get(id - 1) as { hash: string } | undefined)
            ?.hash ?? GENESIS_HASH;
        const row: unknown[] = [
          id,
          new Date().toISOString(),
          'check',
          'st-1',
          'mallory',
          'S1',
          'qr',
          'match',
          'genuine',
          'accepted',
          '[]',
          99,
          null,
          '{}',
          prev,
          '',
        ];
        row[15] = entryHash(row as never);
        insertLogRow(a, row);
      },
    ],
    [
      'two rows swapped',
      (a, id) =>
        a.exec(
          `UPDATE audit_log SET id = 5000 WHERE id = ${id}; UPDATE audit_log SET id = ${id} WHERE id = ${id + 1}; UPDATE audit_log SET id = ${id + 1} WHERE id = 5000;`,
        ),
    ],
  ];

  // Rows at, before and after the range boundaries of 2, 3 and 4 threads, the first and the last.
  const positions = [1, 2, 10, 11, 13, 14, 20, 21, 27, 30, 31, 39, 40];
  for (const [name, tamper] of tamperings) {
    it(`${name}: the same first broken entry on every path`, async () => {
      for (const id of positions) {
        if (name.startsWith('two rows') && id === ENTRIES) continue;
        const file = freshLog();
        const a = attacker(file);
        tamper(a, id);
        a.close();
        const { serial, parallel } = await reports(file);
        // Dropping the newest entry leaves a shorter, intact chain: the signed statement's head catches
        // that (tamper-evidence tests), not the chain. Every other case is broken.
        const truncation = name === 'a deleted row' && id === ENTRIES;
        expect(serial.ok, `${name} at ${id}`).toBe(truncation);
        for (const p of parallel) expect(strip(p), `${name} at ${id}`).toEqual(strip(serial));
        // The independent verifier (docs/audit-log-format.md) names the same entry.
        if (!python.skip) {
          const py = spawnSync('python3', [PY_VERIFIER, file], { encoding: 'utf8' });
          if (serial.ok) expect(py.stdout, `${name} at ${id}`).toMatch(/^OK: /);
          else
            expect(py.stdout, `${name} at ${id}`).toMatch(
              new RegExp(`^BROKEN at entry ${serial.firstBroken.id}:`),
            );
          expect(py.status).toBe(serial.ok ? 0 : 1);
        }
      }
    });
  }
});
