/**
 * The council's side of the server: set it up, register stations, publish and fetch sessions with
 * their rosters, the consolidated report, and verifying every station's chain on the server.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Db } from '../db';
import type { Actor } from '../actor';
import type { SessionService } from '../sessions';
import type { RosterService } from '../roster-service';
import type { AuditLog } from '../audit-log';
import { canonicalJson, sha256Hex } from '../canonical';
import { KioskError } from '../errors';
import { publicKeyFingerprint, verifyStationSignature } from '../station-key';
import { maskIdNumber } from '../report-service';
import type { RosterRow } from '../roster/model';
import type { ReportCandidate, ReportFlaggedCheck, ReportModel } from '../reports/model';
import type {
  AuthenticityVerdict,
  IdentityVerdict,
  ReadingSource,
  Reason,
} from '../../../native/domain/vocabulary';
import { GENESIS_HASH, migrateServer } from './server-schema';
import { headStatement } from './station-sync';
import { duplicateReasonOf } from './findings';
import type { ServerCredential } from './connection';

function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Creates or updates the schema; makes (or resets the password of) the chair's login role. */
export async function initServer(
  admin: pg.ClientBase,
  chairRole = 'kiosk_chair_login',
): Promise<{ from: number; to: number; chair: ServerCredential }> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(chairRole)) throw badRole(chairRole);
  const m = await migrateServer(admin);
  const password = newPassword();
  const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [chairRole]);
  const ident = admin.escapeIdentifier(chairRole);
  await admin.query(
    `${exists.rowCount ? 'ALTER' : 'CREATE'} ROLE ${ident} LOGIN PASSWORD ${admin.escapeLiteral(password)}`,
  );
  await admin.query(`GRANT kiosk_chair TO ${ident}`);
  return { ...m, chair: { kind: 'chair', role: chairRole, password } };
}

function badRole(role: string): KioskError {
  return new KioskError('bad_role', {
    vi: `Tên vai trò cơ sở dữ liệu không hợp lệ: ${role}`,
    en: `Not a valid database role name: ${role}`,
  });
}

/**
 * Registers a station (its Ed25519 public key and a name) and gives it its own login role, member of
 * kiosk_station. Registering the same key again resets its password (a reinstalled station).
 */
export async function addStation(
  admin: pg.ClientBase,
  publicKeyPem: string,
  name: string,
): Promise<{ stationId: string; credential: ServerCredential }> {
  const stationId = publicKeyFingerprint(publicKeyPem);
  const role = `kiosk_st_${stationId.slice(0, 20)}`;
  const password = newPassword();
  const ident = admin.escapeIdentifier(role);
  await admin.query('BEGIN');
  try {
    const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    await admin.query(
      `${exists.rowCount ? 'ALTER' : 'CREATE'} ROLE ${ident} LOGIN PASSWORD ${admin.escapeLiteral(password)}`,
    );
    await admin.query(`GRANT kiosk_station TO ${ident}`);
    await admin.query(
      `INSERT INTO kiosk.stations (station_id, name, public_key, db_role) VALUES ($1, $2, $3, $4)
       ON CONFLICT (station_id) DO UPDATE SET name = excluded.name`,
      [stationId, name, publicKeyPem, role],
    );
    await admin.query('COMMIT');
  } catch (err) {
    await admin.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return { stationId, credential: { kind: 'station', role, password } };
}

// ---- sessions and rosters --------------------------------------------------------------------

export interface PublishedRosterRow {
  candidateNo: string;
  fullName: string;
  dateOfBirth: string;
  idNumber: string;
  oldIdNumber: string | null;
  licenceClass: string | null;
  sex: 'M' | 'F' | null;
}

export interface PublishedSession {
  code: string;
  council: string;
  date: string;
  location: string | null;
  licenceClasses: string[];
}

export function rosterHash(roster: PublishedRosterRow[]): string {
  return sha256Hex(canonicalJson(roster));
}

/** Puts a local session and its roster on the server (replacing an earlier publication of it). */
export async function publishSession(
  client: pg.ClientBase,
  db: Db,
  sessions: SessionService,
  code: string,
): Promise<{ code: string; candidates: number; rosterHash: string }> {
  const s = sessions.get(code);
  const roster = (
    db
      .prepare(
        `SELECT candidate_no, full_name, date_of_birth, id_number, old_id_number, licence_class, sex
         FROM candidates WHERE session_id = ? AND purged_at IS NULL ORDER BY candidate_no`,
      )
      .all(s.id) as {
      candidate_no: string;
      full_name: string;
      date_of_birth: string;
      id_number: string;
      old_id_number: string | null;
      licence_class: string | null;
      sex: 'M' | 'F' | null;
    }[]
  ).map((c): PublishedRosterRow => ({
    candidateNo: c.candidate_no,
    fullName: c.full_name,
    dateOfBirth: c.date_of_birth,
    idNumber: c.id_number,
    oldIdNumber: c.old_id_number,
    licenceClass: c.licence_class,
    sex: c.sex,
  }));
  const session: PublishedSession = {
    code: s.code,
    council: s.council,
    date: s.date,
    location: s.location ?? null,
    licenceClasses: s.licenceClasses,
  };
  const hash = rosterHash(roster);
  await client.query(
    `INSERT INTO kiosk.sessions (code, session, roster, roster_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (code) DO UPDATE SET session = excluded.session, roster = excluded.roster,
       roster_hash = excluded.roster_hash, published_at = now(), published_by = current_user`,
    [s.code, JSON.stringify(session), JSON.stringify(roster), hash],
  );
  return { code: s.code, candidates: roster.length, rosterHash: hash };
}

/** Fetches a published session; its roster's hash is checked against the one published with it. */
export async function fetchSession(
  client: pg.ClientBase,
  code: string,
): Promise<{ session: PublishedSession; roster: PublishedRosterRow[]; rosterHash: string }> {
  const r = await client.query<{
    session: PublishedSession;
    roster: PublishedRosterRow[];
    roster_hash: string;
  }>('SELECT session, roster, roster_hash FROM kiosk.sessions WHERE code = $1', [code]);
  const row = r.rows[0];
  if (!row) {
    throw new KioskError('session_not_published', {
      vi: `Kỳ sát hạch ${code} chưa được công bố trên máy chủ hội đồng.`,
      en: `Session ${code} is not published on the council server.`,
    });
  }
  if (rosterHash(row.roster) !== row.roster_hash) {
    throw new KioskError('roster_hash_mismatch', {
      vi: `Danh sách thí sinh kỳ ${code} nhận từ máy chủ không khớp mã băm đã công bố: không nhập.`,
      en: `The roster of ${code} from the server does not match its published hash: not imported.`,
    });
  }
  return { session: row.session, roster: row.roster, rosterHash: row.roster_hash };
}

/** Brings a published session and its roster into the station's database. */
export async function pullSession(
  client: pg.ClientBase,
  sessions: SessionService,
  roster: RosterService,
  code: string,
  by: Actor,
): Promise<{ code: string; candidates: number; rosterHash: string; created: boolean }> {
  const got = await fetchSession(client, code);
  let created = false;
  if (!sessions.find(code)) {
    sessions.create(
      {
        code: got.session.code,
        council: got.session.council,
        date: got.session.date,
        ...(got.session.location ? { location: got.session.location } : {}),
        licenceClasses: got.session.licenceClasses,
      },
      by,
    );
    created = true;
  }
  const rows: RosterRow[] = got.roster.map((c, i) => ({
    rowNumber: i + 1,
    candidateNo: c.candidateNo,
    fullName: c.fullName,
    dateOfBirth: c.dateOfBirth,
    idNumber: c.idNumber,
    ...(c.oldIdNumber ? { oldIdNumber: c.oldIdNumber } : {}),
    ...(c.licenceClass ? { licenceClass: c.licenceClass } : {}),
    ...(c.sex ? { sex: c.sex } : {}),
  }));
  const existing = roster.counts(code).total;
  roster.importRows(code, rows, by, existing > 0, { source: 'council_server', rosterHash: got.rosterHash });
  return { code, candidates: rows.length, rosterHash: got.rosterHash, created };
}

// ---- consolidated report ---------------------------------------------------------------------

/** A clock difference above this between a station's time and the server's receive time is reported. */
export const CLOCK_SKEW_WARN_MS = 2 * 60_000;

function entryFields(entry: string): unknown[] {
  return JSON.parse(entry) as unknown[];
}

/**
 * The attendance report of a session across every station, from the server. Check-in times are the
 * STATION's clock (what the examiner saw); each duplicate and each station whose clock differs from
 * the server's by more than two minutes is flagged with both times (station time, server receive time).
 */
export async function buildServerReport(
  client: pg.ClientBase,
  code: string,
  timeZone: string,
  now = new Date(),
): Promise<ReportModel & { findings: DuplicateFinding[] }> {
  const got = await fetchSession(client, code);
  const checks = await client.query<{
    station_id: string;
    id: string;
    entry: string;
    candidate_no: string | null;
    station_name: string;
    received_at: Date;
    at_station: string;
  }>(
    `SELECT station_id, id, entry, candidate_no, station_name, received_at, at_station FROM kiosk.log_entries
     WHERE session_code = $1 AND kind = 'check' ORDER BY at_station, received_at, station_id, id`,
    [code],
  );
  const byNo = new Map(got.roster.map((c) => [c.candidateNo, c]));
  const first = new Map<string, ReportCandidate>();
  const flagged: ReportFlaggedCheck[] = [];
  let rejected = 0;
  let warnings = 0;
  const examiners: string[] = [];
  const skew = new Map<string, { name: string; ms: number; at: string; received: string }>();
  for (const r of checks.rows) {
    const f = entryFields(r.entry);
    const actor = String(f[5]);
    if (!examiners.includes(actor)) examiners.push(actor);
    const verdict = f[8] as IdentityVerdict;
    const outcome = f[10] as string;
    const d = r.received_at.getTime() - Date.parse(r.at_station);
    const s = skew.get(r.station_id);
    if (!s || Math.abs(d) > Math.abs(s.ms)) {
      skew.set(r.station_id, {
        name: r.station_name,
        ms: d,
        at: r.at_station,
        received: r.received_at.toISOString(),
      });
    }
    if (verdict === 'match' && outcome !== 'rejected' && r.candidate_no && !first.has(r.candidate_no)) {
      first.set(r.candidate_no, {
        candidateNo: r.candidate_no,
        fullName: '',
        dateOfBirth: '',
        idNumberMasked: '',
        present: true,
        checkedInAt: r.at_station,
        identityVerdict: verdict,
        authenticityVerdict: f[9] as AuthenticityVerdict,
        examiner: actor,
        station: r.station_name,
        source: f[7] as ReadingSource,
      });
    }
    if (outcome === 'rejected' || outcome === 'accepted_with_warnings') {
      if (outcome === 'rejected') rejected++;
      else warnings++;
      const c = r.candidate_no ? byNo.get(r.candidate_no) : undefined;
      flagged.push({
        logId: Number(r.id),
        at: r.at_station,
        examiner: actor,
        station: r.station_name,
        source: f[7] as ReadingSource,
        identityVerdict: verdict,
        authenticityVerdict: f[9] as AuthenticityVerdict,
        ...(r.candidate_no ? { candidateNo: r.candidate_no } : {}),
        ...(c ? { fullName: c.fullName } : {}),
        reasons: parseReasons(f[11]),
      });
    }
  }
  const findings = await duplicateFindings(client, code);
  for (const x of findings) {
    const c = byNo.get(x.candidateNo);
    flagged.push({
      logId: x.second.logId,
      at: x.second.at,
      examiner: '',
      station: x.second.station,
      source: 'qr',
      identityVerdict: 'already_checked_in',
      authenticityVerdict: 'not_checked',
      candidateNo: x.candidateNo,
      ...(c ? { fullName: c.fullName } : {}),
      reasons: [duplicateReason(x)],
    });
  }
  for (const [, s] of skew) {
    if (Math.abs(s.ms) <= CLOCK_SKEW_WARN_MS) continue;
    flagged.push({
      logId: 0,
      at: s.at,
      examiner: '',
      station: s.name,
      source: 'qr',
      identityVerdict: 'match',
      authenticityVerdict: 'not_checked',
      reasons: [
        {
          code: 'station_clock_skew',
          severity: 'warning',
          vi: `Đồng hồ trạm ${s.name} lệch ${Math.round(s.ms / 60000)} phút so với máy chủ (giờ trạm ${s.at}, máy chủ nhận ${s.received}). Báo cáo dùng giờ trạm.`,
          en: `Station ${s.name}'s clock is ${Math.round(s.ms / 60000)} min off the server's (station time ${s.at}, server received ${s.received}). This report uses station time.`,
        },
      ],
    });
  }
  const candidates: ReportCandidate[] = got.roster.map((c) => {
    const seen = first.get(c.candidateNo);
    const base = {
      candidateNo: c.candidateNo,
      fullName: c.fullName,
      dateOfBirth: c.dateOfBirth,
      idNumberMasked: maskIdNumber(c.idNumber),
      ...(c.licenceClass ? { licenceClass: c.licenceClass } : {}),
    };
    return seen ? { ...seen, ...base } : { ...base, present: false };
  });
  const present = candidates.filter((c) => c.present).length;
  return {
    session: {
      code: got.session.code,
      council: got.session.council,
      date: got.session.date,
      ...(got.session.location ? { location: got.session.location } : {}),
      licenceClasses: got.session.licenceClasses,
      state: 'open',
    },
    generatedAt: now.toISOString(),
    timeZone,
    candidates,
    flagged,
    examiners,
    totals: {
      candidates: candidates.length,
      present,
      absent: candidates.length - present,
      rejectedChecks: rejected,
      warningChecks: warnings + findings.length,
    },
    findings,
    consolidated: { times: 'station' },
  };
}

export interface DuplicateFinding {
  sessionCode: string;
  candidateNo: string;
  first: { stationId: string; station: string; logId: number; at: string; receivedAt: string };
  second: { stationId: string; station: string; logId: number; at: string; receivedAt: string };
  foundAt: string;
}

export async function duplicateFindings(client: pg.ClientBase, code?: string): Promise<DuplicateFinding[]> {
  const r = await client.query<{
    session_code: string;
    candidate_no: string;
    first_station: string;
    first_name: string;
    first_log_id: string;
    first_at: string;
    first_received: Date;
    second_station: string;
    second_name: string;
    second_log_id: string;
    second_at: string;
    second_received: Date;
    found_at: Date;
  }>(
    `SELECT * FROM kiosk.findings WHERE kind = 'duplicate_check_in' AND ($1::text IS NULL OR session_code = $1)
     ORDER BY id`,
    [code ?? null],
  );
  return r.rows.map((x) => ({
    sessionCode: x.session_code,
    candidateNo: x.candidate_no,
    first: {
      stationId: x.first_station,
      station: x.first_name,
      logId: Number(x.first_log_id),
      at: x.first_at,
      receivedAt: x.first_received.toISOString(),
    },
    second: {
      stationId: x.second_station,
      station: x.second_name,
      logId: Number(x.second_log_id),
      at: x.second_at,
      receivedAt: x.second_received.toISOString(),
    },
    foundAt: x.found_at.toISOString(),
  }));
}

export function duplicateReason(x: DuplicateFinding): Reason {
  return duplicateReasonOf(x.candidateNo, x.first, x.second);
}

export async function writeServerReport(
  model: ReportModel,
  format: 'csv' | 'xlsx' | 'pdf',
  out: string,
  lang: 'vi' | 'en' = 'vi',
): Promise<void> {
  switch (format) {
    case 'csv':
      await (await import('../reports/csv')).writeReportCsv(model, out, { lang });
      break;
    case 'xlsx':
      await (await import('../reports/xlsx')).writeReportXlsx(model, out, { lang });
      break;
    case 'pdf':
      await (await import('../reports/pdf')).writeReportPdf(model, out, { lang });
      break;
  }
}

// ---- verifying the server's copy ---------------------------------------------------------------

export interface StationChainReport {
  stationId: string;
  name: string;
  entries: number;
  headId: number;
  ok: boolean;
  problem?: string;
  /** Only when a local station database was given: does its log still match the server's copy? */
  local?: { ok: boolean; problem?: string };
}

/**
 * Re-verifies every station's chain on the server (each text hashes to its hash, ids follow, each
 * entry links to the one before, each signed head verifies with the station's key) and, when the
 * station's own database is given, that its log still holds exactly what it sent: the server's copy
 * is the external anchor, so a local log rewritten after sync (even re-hashed into a valid chain)
 * is named.
 */
export async function verifyServer(
  client: pg.ClientBase,
  local?: { stationId: string; log: AuditLog },
): Promise<{ ok: boolean; stations: StationChainReport[] }> {
  const stations = await client.query<{ station_id: string; name: string; public_key: string }>(
    'SELECT station_id, name, public_key FROM kiosk.stations ORDER BY name, station_id',
  );
  const out: StationChainReport[] = [];
  for (const st of stations.rows) {
    const rep: StationChainReport = {
      stationId: st.station_id,
      name: st.name,
      entries: 0,
      headId: 0,
      ok: true,
    };
    let expectedId = 1;
    let prev = GENESIS_HASH;
    const hashes = new Map<number, string>();
    let after = 0;
    outer: for (;;) {
      const r = await client.query<{ id: string; entry: string; hash: string }>(
        `SELECT id, entry, hash FROM kiosk.log_entries WHERE station_id = $1 AND id > $2 ORDER BY id LIMIT 5000`,
        [st.station_id, after],
      );
      if (!r.rowCount) break;
      for (const e of r.rows) {
        const id = Number(e.id);
        after = id;
        if (id !== expectedId) {
          rep.ok = false;
          rep.problem = `entry ${expectedId} is missing on the server before entry ${id}`;
          break outer;
        }
        if (sha256Hex(e.entry) !== e.hash) {
          rep.ok = false;
          rep.problem = `entry ${id} on the server does not hash to its stored hash`;
          break outer;
        }
        if (entryFields(e.entry)[15] !== prev) {
          rep.ok = false;
          rep.problem = `entry ${id} on the server does not link to entry ${id - 1}`;
          break outer;
        }
        hashes.set(id, e.hash);
        prev = e.hash;
        expectedId++;
        rep.entries++;
        rep.headId = id;
      }
    }
    if (rep.ok) {
      const heads = await client.query<{ id: string; hash: string; signature: string }>(
        'SELECT id, hash, signature FROM kiosk.station_heads WHERE station_id = $1 ORDER BY id',
        [st.station_id],
      );
      for (const h of heads.rows) {
        const id = Number(h.id);
        const okSig =
          hashes.get(id) === h.hash &&
          verifyStationSignature(
            st.public_key,
            headStatement({ stationId: st.station_id, id, hash: h.hash }),
            h.signature,
          );
        if (!okSig) {
          rep.ok = false;
          rep.problem = `the station's signed head at entry ${id} does not verify with its key`;
          break;
        }
      }
    }
    if (local && local.stationId === st.station_id) {
      rep.local = { ok: true };
      let from = 0;
      scan: for (;;) {
        const rows = local.log.entriesAfter(from, 5000);
        if (!rows.length) break;
        for (const e of rows) {
          from = e.id;
          const server = hashes.get(e.id);
          if (server === undefined) break scan;
          if (e.hash !== server || sha256Hex(e.entry) !== server) {
            rep.local = {
              ok: false,
              problem: `the station's local log differs from the server's copy at entry ${e.id} (rewritten after sync)`,
            };
            break scan;
          }
        }
      }
      if (rep.local.ok && rep.headId > 0 && (local.log.headEntry()?.id ?? 0) < rep.headId) {
        rep.local = {
          ok: false,
          problem: `the station's local log ends before entry ${rep.headId}, which the server holds (entries removed after sync)`,
        };
      }
    }
    out.push(rep);
  }
  return { ok: out.every((s) => s.ok && (s.local?.ok ?? true)), stations: out };
}

/** The reasons of an entry (stored as JSON text inside the entry). */
function parseReasons(v: unknown): Reason[] {
  try {
    const r = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
    return Array.isArray(r) ? (r as Reason[]) : [];
  } catch {
    return [];
  }
}
