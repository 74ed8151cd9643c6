import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrations, type Migration } from './migrations';
import { KioskError, storageError } from './errors';

export type Db = Database.Database;

export interface OpenOptions {
  /** Open without writing (no migrations); fails if the file does not exist. */
  readonly?: boolean;
  migrations?: Migration[];
}

/**
 * Opens (and creates or migrates) the kiosk database. WAL for concurrent readers (the app and the
 * CLI may share the file), `synchronous=FULL` so an acknowledged log entry survives a power cut.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (!options.readonly) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
    } catch (err) {
      throw storageError(err);
    }
  } else if (!fs.existsSync(file)) {
    throw new KioskError('db_missing', {
      vi: `Không tìm thấy cơ sở dữ liệu.`,
      en: `Database not found: ${file}`,
    });
  }
  let db: Db;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    // Fail early on a file that is not a database.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    throw storageError(options.readonly ? err : unwritableCause(file, err));
  }
  if (!options.readonly) {
    try {
      migrate(db, options.migrations ?? migrations);
    } catch (err) {
      db.close();
      throw storageError(err);
    }
  }
  return db;
}

/**
 * SQLite answers only "unable to open database file" (SQLITE_CANTOPEN) when it cannot create the WAL
 * files next to the database, e.g. on a read-only mount: when the file or its folder cannot be written,
 * say so (EROFS/EACCES → the bilingual `read_only` error) instead of a generic storage error.
 */
function unwritableCause(file: string, err: unknown): unknown {
  if ((err as { code?: string })?.code !== 'SQLITE_CANTOPEN') return err;
  for (const p of [file, path.dirname(file)]) {
    try {
      fs.accessSync(p, fs.constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EROFS' || code === 'EACCES') return e;
    }
  }
  return err;
}

export function schemaVersion(db: Db): number {
  const row = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!row) return 0;
  const v = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return v.v ?? 0;
}

export function migrate(db: Db, list: Migration[] = migrations): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const current = schemaVersion(db);
  const known = Math.max(0, ...list.map((m) => m.version));
  if (current > known) {
    throw new KioskError('db_too_new', {
      vi: 'Cơ sở dữ liệu được tạo bởi phiên bản CCCD Kiosk mới hơn. Hãy cập nhật ứng dụng.',
      en: `The database schema (v${current}) is newer than this program knows (v${known}). Update the app.`,
    });
  }
  const applied: number[] = [];
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      m.up?.(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    })();
    applied.push(m.version);
  }
  return applied;
}
