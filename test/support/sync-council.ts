/**
 * A council for the sync tests: a real PostgreSQL server (pg-server.ts), the chair's database with a
 * published session, and station databases registered on the server, all through the real `kiosk`
 * command. Check-ins are made through the CLI too (`kiosk check`), or in-process with KioskServices
 * when a test needs hundreds of them.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { kiosk, type CliResult } from './cli';
import type { PgServer } from './pg-server';
import { fictionalPerson, qrTextOf, rosterCsv } from '../../electron/core/fictional-people';
import { entryText } from '../../electron/core/audit-log';
import { sha256Hex } from '../../electron/core/canonical';

export const SESSION = 'SH-SYNC-01';
export const SEED = 7;

export interface Council {
  dir: string;
  pg: PgServer;
  chairDb: string;
  station(name: string): string;
  run(db: string, station: string, ...args: string[]): CliResult;
  qr(i: number): string;
}

export function setUpCouncil(dir: string, pg: PgServer, candidates = 20): Council {
  const chairDb = path.join(dir, 'chair.db');
  const run = (db: string, station: string, ...args: string[]) =>
    kiosk(['--db', db, ...args], { KIOSK_STATION: station, KIOSK_EXAMINER: `gv-${station}` });
  const must = (r: CliResult) => {
    if (r.code !== 0) throw new Error(`kiosk failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r;
  };
  const roster = path.join(dir, 'roster.csv');
  fs.writeFileSync(roster, rosterCsv(candidates, SEED));
  must(
    run(
      chairDb,
      'chair',
      'session',
      'create',
      '--code',
      SESSION,
      '--council',
      'Hội đồng thử',
      '--date',
      '2026-12-06',
      '--classes',
      'B,C1,B1,A1,A,C',
    ),
  );
  must(run(chairDb, 'chair', 'roster', 'import', roster, '--session', SESSION));
  must(run(chairDb, 'chair', 'server', 'init', '--server', pg.adminUrl));
  must(run(chairDb, 'chair', 'session', 'publish', '--code', SESSION, '--server', pg.baseUrl));
  return {
    dir,
    pg,
    chairDb,
    station(name: string) {
      const db = path.join(dir, `${name}.db`);
      must(run(db, name, 'server', 'add-station', '--server', pg.adminUrl, '--name', name));
      must(run(db, name, 'session', 'pull', '--code', SESSION, '--server', pg.baseUrl));
      return db;
    },
    run,
    qr: (i: number) => qrTextOf(fictionalPerson(i, SEED)),
  };
}

/**
 * What someone with the station's database file does to hide a check after it was synced: edits an
 * entry and re-hashes every entry after it, so the LOCAL chain verifies again.
 */
export function rewriteLocalLog(dbFile: string, id: number, edit: (fields: unknown[]) => void): void {
  const db = new Database(dbFile);
  try {
    db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
    const rows = db.prepare('SELECT id, entry FROM audit_log WHERE id >= ? ORDER BY id').all(id) as {
      id: number;
      entry: string;
    }[];
    let prev =
      id > 1
        ? (db
            .prepare('SELECT hash FROM audit_log WHERE id = ?')
            .pluck()
            .get(id - 1) as string)
        : '0'.repeat(64);
    const update = db.prepare('UPDATE audit_log SET entry = ?, hash = ? WHERE id = ?');
    db.transaction(() => {
      for (const r of rows) {
        const f = (JSON.parse(r.entry) as unknown[]).slice(1);
        if (r.id === id) edit(f);
        f[14] = prev;
        const text = entryText(f as never);
        const hash = sha256Hex(text);
        update.run(text, hash, r.id);
        prev = hash;
      }
    })();
  } finally {
    db.close();
  }
}
