/**
 * The council server's schema (PostgreSQL 15+), in versioned migrations like the station's SQLite
 * schema (electron/core/migrations.ts). Everything lives in the `kiosk` schema:
 *
 * - stations      one row per station: its Ed25519 key fingerprint (the station's identity), the key,
 *                 a display name and the database role it logs in with;
 * - log_entries   every station's audit log, entry by entry: the exact hashed text (`entry`) and its
 *                 hash, as the station stores them. A trigger re-hashes the text and refuses an entry
 *                 that does not extend what the server holds for that station (id = last + 1,
 *                 prev_hash = last hash); a resend of an entry the server already has is ignored;
 *                 the server's receive time is stored beside the station's own time;
 * - station_heads the station's Ed25519 signature over its head after each pushed batch;
 * - checkins      accepted check-ins (no personal data: session, candidate number, station, both times),
 *                 what stations pull to catch a candidate already checked in at another desk;
 * - findings      `duplicate_check_in`: the same candidate accepted at two stations (for the chair);
 * - sessions      sessions and rosters the chair published, with the roster's hash.
 *
 * Access (row-level security): each station logs in as its own role, member of `kiosk_station`, and
 * may insert and read only its own log rows and heads, read check-ins, findings (no personal data:
 * candidate numbers, station names, times) and published sessions, nothing else; `kiosk_chair` reads everything and publishes sessions.
 */
import type { ClientBase } from 'pg';

export interface ServerMigration {
  version: number;
  name: string;
  sql: string;
}

export const GENESIS_HASH = '0'.repeat(64);

export const SERVER_MIGRATIONS: ServerMigration[] = [
  {
    version: 1,
    name: 'stations, their log chains, check-ins, findings, published sessions; RLS per station role',
    sql: `
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kiosk_station') THEN CREATE ROLE kiosk_station NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kiosk_chair') THEN CREATE ROLE kiosk_chair NOLOGIN; END IF;
END $$;

CREATE TABLE kiosk.stations (
  station_id text PRIMARY KEY CHECK (station_id ~ '^[0-9a-f]{64}$'),
  name       text NOT NULL,
  public_key text NOT NULL,
  db_role    text NOT NULL UNIQUE,
  added_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kiosk.log_entries (
  station_id       text NOT NULL REFERENCES kiosk.stations(station_id),
  id               bigint NOT NULL,
  entry            text NOT NULL,
  hash             text NOT NULL,
  candidate_no     text,
  prev_hash        text,
  at_station       text,
  received_at      timestamptz,
  kind             text,
  station_name     text,
  session_code     text,
  identity_verdict text,
  outcome          text,
  PRIMARY KEY (station_id, id)
);
CREATE INDEX log_entries_by_session ON kiosk.log_entries(session_code, station_id, id);

CREATE TABLE kiosk.station_heads (
  station_id text NOT NULL REFERENCES kiosk.stations(station_id),
  id         bigint NOT NULL,
  hash       text NOT NULL,
  signature  text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (station_id, id)
);

CREATE TABLE kiosk.checkins (
  seq          bigserial UNIQUE,
  station_id   text NOT NULL,
  log_id       bigint NOT NULL,
  station_name text NOT NULL,
  session_code text NOT NULL,
  candidate_no text NOT NULL,
  at_station   text NOT NULL,
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (station_id, log_id)
);
CREATE INDEX checkins_by_candidate ON kiosk.checkins(session_code, candidate_no);

CREATE TABLE kiosk.findings (
  id             bigserial PRIMARY KEY,
  kind           text NOT NULL,
  session_code   text NOT NULL,
  candidate_no   text NOT NULL,
  first_station  text NOT NULL,
  first_name     text NOT NULL,
  first_log_id   bigint NOT NULL,
  first_at       text NOT NULL,
  first_received timestamptz NOT NULL,
  second_station text NOT NULL,
  second_name    text NOT NULL,
  second_log_id  bigint NOT NULL,
  second_at      text NOT NULL,
  second_received timestamptz NOT NULL,
  found_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (kind, second_station, second_log_id)
);

CREATE TABLE kiosk.sessions (
  code         text PRIMARY KEY,
  session      jsonb NOT NULL,
  roster       jsonb NOT NULL,
  roster_hash  text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by text NOT NULL DEFAULT current_user
);

-- The station the current database role belongs to (NULL for the chair and the administrator).
CREATE FUNCTION kiosk.current_station() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = kiosk, pg_temp
  AS $f$ SELECT station_id FROM kiosk.stations WHERE db_role = session_user $f$;

CREATE FUNCTION kiosk.log_entry_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = kiosk, pg_temp AS $f$
DECLARE
  j json;
  existing text;
  last_id bigint;
  last_hash text;
BEGIN
  -- A station's role writes only its own chain (row-level security says so too, after this trigger).
  IF kiosk.current_station() IS NOT NULL AND NEW.station_id IS DISTINCT FROM kiosk.current_station() THEN
    RAISE EXCEPTION 'a station may push only its own station''s entries' USING ERRCODE = '42501';
  END IF;
  -- One writer per station chain at a time (a station restarted mid-sync may push twice at once).
  PERFORM pg_advisory_xact_lock(hashtext('kiosk.log/' || NEW.station_id));
  SELECT hash INTO existing FROM kiosk.log_entries WHERE station_id = NEW.station_id AND id = NEW.id;
  IF FOUND THEN
    IF existing = NEW.hash THEN
      RETURN NULL; -- a resend of what the server holds: nothing to do
    END IF;
    RAISE EXCEPTION 'entry % of station % differs from the copy the server already holds', NEW.id, NEW.station_id
      USING ERRCODE = 'KS001';
  END IF;
  IF encode(sha256(convert_to(NEW.entry, 'UTF8')), 'hex') <> NEW.hash THEN
    RAISE EXCEPTION 'entry % of station %: the hash does not match the text', NEW.id, NEW.station_id
      USING ERRCODE = 'KS002';
  END IF;
  BEGIN
    j := NEW.entry::json;
  EXCEPTION WHEN others THEN
    RAISE EXCEPTION 'entry % of station % is not a log entry', NEW.id, NEW.station_id USING ERRCODE = 'KS002';
  END;
  IF json_typeof(j) <> 'array' OR json_array_length(j) <> 16 OR j->>0 <> 'cccd-kiosk-log-v1'
     OR (j->>1) IS DISTINCT FROM NEW.id::text THEN
    RAISE EXCEPTION 'entry % of station % is not a log entry with that id', NEW.id, NEW.station_id
      USING ERRCODE = 'KS002';
  END IF;
  SELECT id, hash INTO last_id, last_hash FROM kiosk.log_entries
    WHERE station_id = NEW.station_id ORDER BY id DESC LIMIT 1;
  IF NEW.id <> coalesce(last_id, 0) + 1 THEN
    RAISE EXCEPTION 'entry % of station % does not extend its chain (the server holds up to %)',
      NEW.id, NEW.station_id, coalesce(last_id, 0) USING ERRCODE = 'KS003';
  END IF;
  IF (j->>15) IS DISTINCT FROM coalesce(last_hash, '${GENESIS_HASH}') THEN
    RAISE EXCEPTION 'entry % of station % does not link to entry %', NEW.id, NEW.station_id, coalesce(last_id, 0)
      USING ERRCODE = 'KS004';
  END IF;
  NEW.prev_hash := j->>15;
  NEW.at_station := j->>2;
  NEW.kind := j->>3;
  NEW.station_name := j->>4;
  NEW.session_code := j->>6;
  NEW.identity_verdict := j->>8;
  NEW.outcome := j->>10;
  NEW.received_at := clock_timestamp();
  RETURN NEW;
END $f$;

CREATE FUNCTION kiosk.log_entry_checkin() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = kiosk, pg_temp AS $f$
BEGIN
  IF NEW.kind = 'check' AND NEW.identity_verdict = 'match' AND NEW.outcome <> 'rejected'
     AND NEW.candidate_no IS NOT NULL AND NEW.session_code IS NOT NULL THEN
    -- Two stations pushing the same candidate at once see each other.
    PERFORM pg_advisory_xact_lock(hashtext('kiosk.cand/' || NEW.session_code || '/' || NEW.candidate_no));
    INSERT INTO kiosk.findings (kind, session_code, candidate_no, first_station, first_name, first_log_id, first_at,
                                first_received, second_station, second_name, second_log_id, second_at, second_received)
      SELECT 'duplicate_check_in', NEW.session_code, NEW.candidate_no, c.station_id, c.station_name, c.log_id,
             c.at_station, c.received_at, NEW.station_id, NEW.station_name, NEW.id, NEW.at_station, NEW.received_at
      FROM kiosk.checkins c
      WHERE c.session_code = NEW.session_code AND c.candidate_no = NEW.candidate_no AND c.station_id <> NEW.station_id
      ORDER BY c.received_at LIMIT 1
      ON CONFLICT DO NOTHING;
    INSERT INTO kiosk.checkins (station_id, log_id, station_name, session_code, candidate_no, at_station, received_at)
      VALUES (NEW.station_id, NEW.id, NEW.station_name, NEW.session_code, NEW.candidate_no, NEW.at_station, NEW.received_at)
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $f$;

CREATE TRIGGER log_entries_check BEFORE INSERT ON kiosk.log_entries
  FOR EACH ROW EXECUTE FUNCTION kiosk.log_entry_check();
CREATE TRIGGER log_entries_checkin AFTER INSERT ON kiosk.log_entries
  FOR EACH ROW EXECUTE FUNCTION kiosk.log_entry_checkin();

CREATE FUNCTION kiosk.append_only() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN RAISE EXCEPTION 'the council log is append-only' USING ERRCODE = 'KS005'; END $f$;
CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON kiosk.log_entries
  FOR EACH ROW EXECUTE FUNCTION kiosk.append_only();

ALTER TABLE kiosk.log_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE kiosk.station_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE kiosk.stations ENABLE ROW LEVEL SECURITY;
CREATE POLICY station_own_rows ON kiosk.log_entries TO kiosk_station
  USING (station_id = kiosk.current_station()) WITH CHECK (station_id = kiosk.current_station());
CREATE POLICY chair_reads ON kiosk.log_entries FOR SELECT TO kiosk_chair USING (true);
CREATE POLICY station_own_heads ON kiosk.station_heads TO kiosk_station
  USING (station_id = kiosk.current_station()) WITH CHECK (station_id = kiosk.current_station());
CREATE POLICY chair_reads ON kiosk.station_heads FOR SELECT TO kiosk_chair USING (true);
CREATE POLICY station_own_row ON kiosk.stations FOR SELECT TO kiosk_station
  USING (station_id = kiosk.current_station());
CREATE POLICY chair_reads ON kiosk.stations FOR SELECT TO kiosk_chair USING (true);

GRANT USAGE ON SCHEMA kiosk TO kiosk_station, kiosk_chair;
GRANT SELECT, INSERT ON kiosk.log_entries, kiosk.station_heads TO kiosk_station;
GRANT SELECT ON kiosk.stations, kiosk.checkins, kiosk.sessions, kiosk.findings TO kiosk_station;
GRANT SELECT ON ALL TABLES IN SCHEMA kiosk TO kiosk_chair;
GRANT INSERT, UPDATE ON kiosk.sessions TO kiosk_chair;
REVOKE ALL ON SCHEMA kiosk FROM PUBLIC;
`,
  },
];

/** Applies the pending server migrations (as the administrator), in one transaction each. */
export async function migrateServer(client: ClientBase): Promise<{ from: number; to: number }> {
  await client.query('CREATE SCHEMA IF NOT EXISTS kiosk');
  await client.query(`CREATE TABLE IF NOT EXISTS kiosk.schema_migrations (
    version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  // Two administrators running init at once: one migrates, the other waits and finds nothing to do.
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('kiosk.migrate'))`);
    const r = await client.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM kiosk.schema_migrations',
    );
    const from = r.rows[0]?.v ?? 0;
    let to = from;
    for (const m of SERVER_MIGRATIONS) {
      if (m.version <= from) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO kiosk.schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      to = m.version;
    }
    await client.query('COMMIT');
    return { from, to };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export const SERVER_SCHEMA_VERSION = SERVER_MIGRATIONS[SERVER_MIGRATIONS.length - 1]!.version;
