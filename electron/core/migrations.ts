import type { Database as Db } from 'better-sqlite3';

/**
 * Versioned schema migrations. Each entry runs once, in order, inside a transaction; the applied
 * versions are recorded in `schema_migrations`. Never edit a released migration: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Work SQL alone cannot do (run after `sql`, in the same transaction). */
  up?: (db: Db) => void;
}

/**
 * The entry text as JSON for the generated columns of audit_log: a row whose text is not valid JSON
 * (edited around the app) reads as NULLs instead of failing every query that touches the log; the
 * verification names it (its text no longer hashes to its hash).
 */
const AUDIT_ENTRY_JSON = "(CASE WHEN json_valid(entry) THEN entry ELSE '[]' END)";

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
  {
    version: 3,
    name: 'station keys, signed session seals, personal data sealing and retention purge',
    sql: `
-- The station's secrets, wrapped by the key provider (key file or the OS keychain); see key-store.ts.
CREATE TABLE station_keys (
  name       TEXT PRIMARY KEY,
  provider   TEXT NOT NULL,
  wrapped    BLOB NOT NULL,
  public_key TEXT,
  created_at TEXT NOT NULL
);
CREATE TRIGGER station_keys_no_update BEFORE UPDATE ON station_keys
BEGIN SELECT RAISE(ABORT, 'station keys are never changed'); END;
CREATE TRIGGER station_keys_no_delete BEFORE DELETE ON station_keys
BEGIN SELECT RAISE(ABORT, 'station keys are never deleted'); END;

-- The signed statement of a session's sign-off (session-seal.ts): canonical JSON, its Ed25519
-- signature (base64), the public key (PEM) and its SHA-256 fingerprint.
CREATE TABLE session_seals (
  session_id      INTEGER PRIMARY KEY REFERENCES exam_sessions(id),
  statement       TEXT NOT NULL,
  signature       TEXT NOT NULL,
  public_key      TEXT NOT NULL,
  key_fingerprint TEXT NOT NULL,
  created_at      TEXT NOT NULL
);
CREATE TRIGGER session_seals_no_update BEFORE UPDATE ON session_seals
BEGIN SELECT RAISE(ABORT, 'a session seal is never changed'); END;
CREATE TRIGGER session_seals_no_delete BEFORE DELETE ON session_seals
BEGIN SELECT RAISE(ABORT, 'a session seal is never deleted'); END;

-- At sign-off every candidate row gets a random nonce and a digest of its personal data (the
-- roster digest in the statement is built from these digests); a retention purge removes the
-- personal data and the nonce but keeps the digest, so the seal still verifies and the digest
-- alone reveals nothing.
ALTER TABLE candidates ADD COLUMN seal_nonce TEXT;
ALTER TABLE candidates ADD COLUMN personal_digest TEXT;
ALTER TABLE candidates ADD COLUMN purged_at TEXT;

-- A signed session's candidates stay read-only with two exceptions, each allowed in one exact shape:
--  1. the retention purge: the personal data is erased (nothing else changes, nothing is rewritten);
--  2. encrypting a photo or note that an older version stored in plain text, in sessions signed
--     before seals existed (no personal digest), leaving every other column as it was.
DROP TRIGGER candidates_no_update_when_signed;
CREATE TRIGGER candidates_no_update_when_signed BEFORE UPDATE ON candidates
WHEN (SELECT state FROM exam_sessions WHERE id = OLD.session_id) = 'signed'
  AND NOT (
    NEW.id = OLD.id AND NEW.session_id = OLD.session_id AND NEW.candidate_no = OLD.candidate_no
    AND NEW.licence_class IS OLD.licence_class AND NEW.source_row IS OLD.source_row
    AND NEW.personal_digest IS OLD.personal_digest
    AND (
      (OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL
        AND NEW.full_name = '' AND NEW.date_of_birth = '' AND NEW.id_number = '-' || OLD.id
        AND NEW.old_id_number IS NULL AND NEW.sex IS NULL AND NEW.photo IS NULL
        AND NEW.photo_mime IS NULL AND NEW.note IS NULL AND NEW.seal_nonce IS NULL)
      OR
      (OLD.personal_digest IS NULL AND NEW.purged_at IS OLD.purged_at AND NEW.seal_nonce IS OLD.seal_nonce
        AND NEW.full_name = OLD.full_name AND NEW.date_of_birth = OLD.date_of_birth
        AND NEW.id_number = OLD.id_number AND NEW.old_id_number IS OLD.old_id_number
        AND NEW.sex IS OLD.sex AND NEW.photo_mime IS OLD.photo_mime
        AND (NEW.photo IS OLD.photo OR substr(NEW.photo, 1, 4) = CAST('CKE1' AS BLOB))
        AND (NEW.note IS OLD.note OR substr(NEW.note, 1, 7) = 'enc:v1:'))
    )
  )
BEGIN SELECT RAISE(ABORT, 'session is signed and read-only'); END;
`,
  },
  {
    version: 4,
    name: 'issuer registry: document-signer issuers seen on chips, approved (pinned) or blocked by the chair',
    sql: `
-- Every issuer (the CSCA behind a document signer certificate) the station has seen on a chip read.
-- issuer_id is the DS certificate's authority key identifier (hex), or 'name:' + a hash of the issuer
-- name when the certificate has none: a display grouping only, since any forger can copy it. The
-- facts (names, countries, keys) are kept per DS certificate below; the chair's decision is here, and
-- what an approval pins is in trust_issuer_pins, which only an approval writes (a sighting never
-- changes a pin). Certificate facts only: never personal data.
CREATE TABLE trust_issuers (
  issuer_id  TEXT PRIMARY KEY,
  first_seen TEXT NOT NULL,
  last_seen  TEXT NOT NULL,
  cards      INTEGER NOT NULL DEFAULT 0,
  status     TEXT NOT NULL DEFAULT 'seen' CHECK (status IN ('seen', 'approved', 'blocked')),
  status_by  TEXT,
  status_at  TEXT,
  -- Set by an approval: the issuer's country (the chosen DS's issuer C) that documents must match.
  pin_country TEXT
);

-- The document signer certificates seen under each issuer id (public certificates, DER), each with its
-- own issuer name and country, the country of the documents it signed, and the issuer public keys
-- recovered from its ECDSA signature (JSON array of SPKI DER hex; empty for RSA).
CREATE TABLE trust_document_signers (
  fingerprint      TEXT PRIMARY KEY,
  issuer_id        TEXT NOT NULL REFERENCES trust_issuers(issuer_id),
  subject_dn       TEXT NOT NULL,
  issuer_dn        TEXT NOT NULL,
  issuer_country   TEXT,
  document_country TEXT,
  der              BLOB NOT NULL,
  issuer_keys      TEXT NOT NULL DEFAULT '[]',
  first_seen       TEXT NOT NULL,
  last_seen        TEXT NOT NULL,
  cards            INTEGER NOT NULL DEFAULT 0
);

-- What an approval pins: the issuer's public key ('key': SPKI DER), or for an issuer whose key cannot
-- be recovered (RSA) the chosen DS certificates themselves ('signer': DS DER).
CREATE TABLE trust_issuer_pins (
  issuer_id TEXT NOT NULL REFERENCES trust_issuers(issuer_id),
  kind      TEXT NOT NULL CHECK (kind IN ('key', 'signer')),
  value     TEXT NOT NULL,
  der       BLOB NOT NULL,
  PRIMARY KEY (issuer_id, kind, value)
);
CREATE INDEX trust_document_signers_by_issuer ON trust_document_signers(issuer_id);
`,
  },
  {
    version: 5,
    name: 'audit log keeps the exact bytes each hash covers (entry); its columns are read from them',
    // The hashed text used to be rebuilt from the columns on every verification, which cost as much as
    // the hashing itself. Now the row stores that text (`entry`) and the other columns are generated
    // from it, so they can never say something the hash does not cover. Existing rows get the text
    // their hash was computed over, encoded from their columns as the v1 definition does: an intact
    // chain stays intact and an edited row stays broken at the same entry.
    sql: `
CREATE TABLE audit_log_v2 (
  id    INTEGER PRIMARY KEY,
  entry TEXT NOT NULL,
  hash  TEXT NOT NULL,
  at                   TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[2]')) VIRTUAL,
  kind                 TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[3]')) VIRTUAL,
  station              TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[4]')) VIRTUAL,
  actor                TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[5]')) VIRTUAL,
  session_code         TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[6]')) VIRTUAL,
  source               TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[7]')) VIRTUAL,
  identity_verdict     TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[8]')) VIRTUAL,
  authenticity_verdict TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[9]')) VIRTUAL,
  outcome              TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[10]')) VIRTUAL,
  reasons              TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[11]')) VIRTUAL,
  candidate_id         INTEGER GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[12]')) VIRTUAL,
  card_hash            TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[13]')) VIRTUAL,
  details              TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[14]')) VIRTUAL,
  prev_hash            TEXT    GENERATED ALWAYS AS (json_extract(${AUDIT_ENTRY_JSON}, '$[15]')) VIRTUAL
);
`,
    up(db) {
      // The v1 canonical text of each row, from its columns exactly as v1 verification encoded it.
      db.function('kiosk_log_v1_text', { varargs: true, deterministic: true }, (...cols: unknown[]) =>
        JSON.stringify(['cccd-kiosk-log-v1', ...cols.map((c) => (typeof c === 'bigint' ? Number(c) : c))]),
      );
      db.exec(`
INSERT INTO audit_log_v2 (id, entry, hash)
  SELECT id, kiosk_log_v1_text(id, at, kind, station, actor, session_code, source, identity_verdict,
                               authenticity_verdict, outcome, reasons, candidate_id, card_hash, details, prev_hash),
         hash
  FROM audit_log ORDER BY id;
DROP TABLE audit_log;
ALTER TABLE audit_log_v2 RENAME TO audit_log;
CREATE INDEX audit_log_by_session_candidate ON audit_log(session_code, candidate_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`);
    },
  },
  {
    version: 6,
    name: 'face checks: face_check / face_override entries by checkId; the encrypted evidence frame of a red check',
    // checkInCondition (rows.ts) asks, for every check entry, whether its latest face check said
    // no_match without a later override. These partial indexes make that a lookup by checkId.
    sql: `
CREATE INDEX audit_log_face_check_by_check ON audit_log(json_extract(details, '$.checkId'), id)
  WHERE kind = 'face_check';
CREATE INDEX audit_log_face_override_by_check ON audit_log(json_extract(details, '$.checkId'), id)
  WHERE kind = 'face_override';
-- The live frame of a red face check, kept only when the chair turned faceKeepEvidence on: encrypted
-- like the roster photos (data-crypto.ts, bound to its row by the AAD), erased by the retention purge.
CREATE TABLE face_evidence (
  id           INTEGER PRIMARY KEY,
  session_id   INTEGER NOT NULL REFERENCES exam_sessions(id),
  check_log_id INTEGER NOT NULL,
  created_at   TEXT NOT NULL,
  mime         TEXT NOT NULL,
  image        BLOB NOT NULL
);
CREATE INDEX face_evidence_by_session ON face_evidence(session_id);
`,
  },
  {
    version: 7,
    name: 'council server sync: check-ins pulled from other stations, sync progress, encrypted server credentials',
    // The station's own log stays the source of truth; these tables only hold what came from the
    // council server (other stations' accepted check-ins, consulted by the check for
    // already_checked_in) and what this station needs to talk to it.
    sql: `
CREATE TABLE remote_checkins (
  station_id   TEXT NOT NULL,
  log_id       INTEGER NOT NULL,
  station_name TEXT NOT NULL,
  session_code TEXT NOT NULL,
  candidate_no TEXT NOT NULL,
  at           TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  pulled_at    TEXT NOT NULL,
  PRIMARY KEY (station_id, log_id)
);
CREATE INDEX remote_checkins_by_candidate ON remote_checkins(session_code, candidate_no);
-- duplicate_check_in findings of the council server (the same candidate accepted at two stations).
CREATE TABLE remote_findings (
  session_code   TEXT NOT NULL,
  candidate_no   TEXT NOT NULL,
  first_name     TEXT NOT NULL,
  first_at       TEXT NOT NULL,
  first_received TEXT NOT NULL,
  second_station TEXT NOT NULL,
  second_log_id  INTEGER NOT NULL,
  second_name    TEXT NOT NULL,
  second_at      TEXT NOT NULL,
  second_received TEXT NOT NULL,
  found_at       TEXT NOT NULL,
  PRIMARY KEY (second_station, second_log_id)
);
CREATE TABLE sync_state (
  server TEXT NOT NULL,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (server, key)
);
CREATE TABLE sync_credentials (
  server   TEXT PRIMARY KEY,
  kind     TEXT NOT NULL CHECK (kind IN ('station', 'chair')),
  role     TEXT NOT NULL,
  secret   TEXT NOT NULL,
  added_at TEXT NOT NULL
);
`,
  },
];
