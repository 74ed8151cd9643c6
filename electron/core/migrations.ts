/**
 * Versioned schema migrations. Each entry runs once, in order, inside a transaction; the applied
 * versions are recorded in `schema_migrations`. Never edit a released migration: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'sessions, candidates, audit log',
    sql: `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE exam_sessions (
  id              INTEGER PRIMARY KEY,
  code            TEXT NOT NULL UNIQUE,
  council         TEXT NOT NULL,
  exam_date       TEXT NOT NULL,
  location        TEXT,
  licence_classes TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'signed')),
  created_at      TEXT NOT NULL,
  closed_at       TEXT,
  signed_at       TEXT,
  signed_by       TEXT
);

CREATE TABLE candidates (
  id            INTEGER PRIMARY KEY,
  session_id    INTEGER NOT NULL REFERENCES exam_sessions(id),
  candidate_no  TEXT NOT NULL,
  full_name     TEXT NOT NULL,
  date_of_birth TEXT NOT NULL,
  id_number     TEXT NOT NULL,
  old_id_number TEXT,
  licence_class TEXT,
  sex           TEXT CHECK (sex IN ('M', 'F')),
  photo         BLOB,
  photo_mime    TEXT,
  note          TEXT,
  source_row    INTEGER,
  UNIQUE (session_id, id_number),
  UNIQUE (session_id, candidate_no)
);
CREATE INDEX candidates_by_id_number ON candidates(id_number);

-- The audit log: append-only, hash-chained (see audit-log.ts for the canonical encoding).
CREATE TABLE audit_log (
  id                   INTEGER PRIMARY KEY,
  at                   TEXT NOT NULL,
  kind                 TEXT NOT NULL,
  station              TEXT NOT NULL,
  actor                TEXT NOT NULL,
  session_code         TEXT,
  source               TEXT,
  identity_verdict     TEXT,
  authenticity_verdict TEXT,
  outcome              TEXT,
  reasons              TEXT NOT NULL DEFAULT '[]',
  candidate_id         INTEGER,
  card_hash            TEXT,
  details              TEXT NOT NULL DEFAULT '{}',
  prev_hash            TEXT NOT NULL,
  hash                 TEXT NOT NULL
);
CREATE INDEX audit_log_by_session_candidate ON audit_log(session_code, candidate_id);

-- A signed session is read-only, whatever program opens the file.
CREATE TRIGGER candidates_no_insert_when_not_open BEFORE INSERT ON candidates
WHEN (SELECT state FROM exam_sessions WHERE id = NEW.session_id) = 'signed'
BEGIN SELECT RAISE(ABORT, 'session is signed and read-only'); END;
CREATE TRIGGER candidates_no_update_when_signed BEFORE UPDATE ON candidates
WHEN (SELECT state FROM exam_sessions WHERE id = OLD.session_id) = 'signed'
BEGIN SELECT RAISE(ABORT, 'session is signed and read-only'); END;
CREATE TRIGGER candidates_no_delete_when_signed BEFORE DELETE ON candidates
WHEN (SELECT state FROM exam_sessions WHERE id = OLD.session_id) = 'signed'
BEGIN SELECT RAISE(ABORT, 'session is signed and read-only'); END;
CREATE TRIGGER sessions_signed_read_only BEFORE UPDATE ON exam_sessions
WHEN OLD.state = 'signed'
BEGIN SELECT RAISE(ABORT, 'session is signed and read-only'); END;
CREATE TRIGGER sessions_no_delete BEFORE DELETE ON exam_sessions
BEGIN SELECT RAISE(ABORT, 'exam sessions are never deleted'); END;

-- The log is append-only through the app; the hash chain catches edits made around these triggers.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`,
  },
  {
    version: 2,
    name: 'kiosk users (examiner/chair PINs) and app settings',
    sql: `
-- Kiosk accounts. PINs are stored as scrypt hashes with a per-user random salt; repeated failures
-- lock the account for a while (failed_attempts, locked_until).
CREATE TABLE users (
  id              INTEGER PRIMARY KEY,
  username        TEXT NOT NULL UNIQUE,
  display_name    TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('examiner', 'chair')),
  pin_hash        TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until    TEXT,
  active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);

-- Station settings (station name, readers, language, policy switches), one JSON value per key.
CREATE TABLE app_settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`,
  },
];
