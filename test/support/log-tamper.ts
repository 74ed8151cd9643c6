import type Database from 'better-sqlite3';
import { LOG_COLUMNS, entryText } from '../../electron/core/audit-log';

/**
 * What an attacker with the database file does to the audit log. The columns (but id and hash) are
 * generated from the stored entry text, so editing one means editing that text: these helpers keep
 * the tamper tests in terms of columns.
 */
const COLUMNS = LOG_COLUMNS.split(', ');

/** Sets one column of a stored row: `id` and `hash` directly, any other column inside its entry text. */
export function setLogColumn(db: Database.Database, id: number, column: string, value: unknown): void {
  if (column === 'id' || column === 'hash') {
    db.prepare(`UPDATE audit_log SET ${column} = ? WHERE id = ?`).run(value as never, id);
    return;
  }
  const index = COLUMNS.indexOf(column);
  if (index < 1) throw new Error(`not a log column: ${column}`);
  const { entry } = db.prepare('SELECT entry FROM audit_log WHERE id = ?').get(id) as { entry: string };
  const array = JSON.parse(entry) as unknown[];
  array[index + 1] = value;
  db.prepare('UPDATE audit_log SET entry = ? WHERE id = ?').run(JSON.stringify(array), id);
}

/** Sets a column on every row a WHERE clause selects (on the generated columns). */
export function setLogColumnWhere(
  db: Database.Database,
  where: string,
  column: string,
  value: unknown,
): number {
  const ids = db.prepare(`SELECT id FROM audit_log WHERE ${where}`).pluck().all() as number[];
  for (const id of ids) setLogColumn(db, id, column, value);
  return ids.length;
}

/** Inserts a row given in hashed column order (16 values, the hash last): its entry text is encoded from them. */
export function insertLogRow(db: Database.Database, row: unknown[]): void {
  db.prepare('INSERT INTO audit_log (id, entry, hash) VALUES (?, ?, ?)').run(
    row[0] as number,
    entryText(row as never),
    row[15] as string,
  );
}
