/**
 * Issue 13's faults, on a real PostgreSQL server: the server down during 100 checks then back; the
 * sync process killed mid-push; the same batch delivered twice (and forged ones refused); a station
 * whose clock is 10 minutes off; a partition during which two stations check the same candidate.
 * Plus what a station's database role may and may not do (row-level security).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { needsPart } from '../support/system-parts';
import { tempDir } from '../support/tmp';
import { KIOSK_BIN } from '../support/cli';
import { destroyPg, startPg, type PgServer } from '../support/pg-server';
import { SESSION, setUpCouncil, type Council } from '../support/sync-council';
import { KioskServices } from '../../electron/core/services';
import { DataCipher } from '../../electron/core/data-crypto';
import { CredentialStore } from '../../electron/core/sync/connection';
import { StationSync, SyncLoop, type SyncStatus } from '../../electron/core/sync/station-sync';
import { buildServerReport } from '../../electron/core/sync/council';

const part = needsPart('postgres', 'sync faults on a PostgreSQL council server');

function open(db: string, url: string, batchSize = 500) {
  const s = new KioskServices({ dbPath: db });
  const creds = new CredentialStore(s.db, new DataCipher(s.keys));
  const sync = new StationSync(s.db, s.log, s.stationKey, creds, url, { batchSize });
  const close = async () => {
    await sync.close();
    s.close();
  };
  return { s, creds, sync, close };
}

describe.skipIf(part.skip)('sync faults on a PostgreSQL council server', () => {
  const dir = tempDir('kiosk-syncf-');
  let server: PgServer;
  let c: Council;
  let admin: pg.Client;
  const q = async <T extends pg.QueryResultRow>(sql: string, args: unknown[] = []) =>
    (await admin.query<T>(sql, args)).rows;
  const reconnect = async () => {
    await admin?.end().catch(() => undefined);
    admin = new pg.Client({ connectionString: server.adminUrl });
    admin.on('error', () => undefined);
    await admin.connect();
  };

  beforeAll(async () => {
    server = await startPg();
    c = setUpCouncil(dir, server, 50);
    await reconnect();
  }, 120_000);
  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    if (server) destroyPg(server);
  });

  it('server down during 100 checks, then back: the loop backs off, then nothing is lost and the order is kept', async () => {
    const db = c.station('down');
    const { s, sync, close } = open(db, server.baseUrl, 37);
    const states: SyncStatus[] = [];
    const loop = new SyncLoop(sync, { intervalMs: 200, minBackoffMs: 100, maxBackoffMs: 400 }, (st) =>
      states.push(st),
    );
    try {
      server.stop();
      loop.start();
      const ids: number[] = [];
      for (let i = 0; i < 100; i++) {
        ids.push(s.checks.checkQr(SESSION, c.qr(i % 40), { station: 'down', actor: 'gv' }).logId);
        if (i % 25 === 0) await new Promise((r) => setTimeout(r, 150));
      }
      expect(states.some((x) => x.state === 'offline')).toBe(true);
      expect(loop.current().pending).toBeGreaterThanOrEqual(100);
      server.start();
      await reconnect();
      const head = s.log.headEntry()!.id;
      const until = Date.now() + 30_000;
      while (loop.current().lastRound?.serverHead !== head && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const rows = await q<{ id: string; hash: string }>(
        `SELECT l.id, l.hash FROM kiosk.log_entries l JOIN kiosk.stations st USING (station_id)
         WHERE st.name = 'down' ORDER BY l.id`,
      );
      expect(rows.map((r) => Number(r.id))).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      for (const id of ids) expect(rows[id - 1]!.hash).toBe(s.log.get(id)!.hash);
      expect(loop.current().pending).toBe(0);
    } finally {
      await loop.stop();
      await close();
    }
  }, 90_000);

  it('the sync process killed mid-push: no duplicate, no gap after the next round', async () => {
    const db = c.station('killed');
    const { s } = open(db, server.baseUrl);
    for (let i = 0; i < 3000; i++) {
      s.checks.checkQr(SESSION, c.qr(i % 40), { station: 'killed', actor: 'gv' });
    }
    const head = s.log.headEntry()!.id;
    s.close();
    const child = spawn(
      process.execPath,
      [KIOSK_BIN, '--db', db, 'sync', '--server', server.baseUrl, '--batch', '50', '--interval', '100000'],
      { stdio: 'ignore', env: { ...process.env, KIOSK_STATION: 'killed' } },
    );
    const count = async () =>
      Number(
        (
          await q<{ n: string }>(
            `SELECT count(*) AS n FROM kiosk.log_entries l JOIN kiosk.stations st USING (station_id) WHERE st.name = 'killed'`,
          )
        )[0]!.n,
      );
    const until = Date.now() + 60_000;
    let seen = 0;
    while ((seen = await count()) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const exited = new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    expect(child.exitCode).toBeNull(); // still syncing when it is killed
    child.kill('SIGKILL');
    await exited;
    const afterKill = await count();
    expect(seen).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(head); // it really was cut off mid-way
    const again = open(db, server.baseUrl);
    try {
      const r = await again.sync.once();
      expect(r.serverHead).toBe(head);
      expect(r.pushed).toBe(head - afterKill);
    } finally {
      await again.close();
    }
    const stats = (
      await q<{ n: string; lo: string; hi: string }>(
        `SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM kiosk.log_entries l JOIN kiosk.stations st
         USING (station_id) WHERE st.name = 'killed'`,
      )
    )[0]!;
    expect([Number(stats.n), Number(stats.lo), Number(stats.hi)]).toEqual([head, 1, head]);
  }, 120_000);

  it('the same batch delivered twice is taken once; a forged, altered or gapped batch is refused; RLS keeps stations apart', async () => {
    const db = c.station('twice');
    const other = c.station('other');
    const { s, creds, sync, close } = open(db, server.baseUrl);
    try {
      for (let i = 0; i < 10; i++) s.checks.checkQr(SESSION, c.qr(i), { station: 'twice', actor: 'gv' });
      await sync.once();
      const me = s.stationKey.fingerprint();
      const cred = creds.get(server.baseUrl)!;
      const u = new URL(server.baseUrl);
      u.username = cred.role;
      u.password = cred.password;
      const st = new pg.Client({ connectionString: u.toString() });
      await st.connect();
      try {
        const batch = s.log.entriesAfter(0, 10);
        const send = (rows: typeof batch, station = me) =>
          st.query(
            `INSERT INTO kiosk.log_entries (station_id, id, entry, hash)
             SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[])`,
            [station, rows.map((r) => r.id), rows.map((r) => r.entry), rows.map((r) => r.hash)],
          );
        const before = await q<{ n: string }>(
          'SELECT count(*) AS n FROM kiosk.log_entries WHERE station_id = $1',
          [me],
        );
        await send(batch);
        await send(batch);
        const after = await q<{ n: string }>(
          'SELECT count(*) AS n FROM kiosk.log_entries WHERE station_id = $1',
          [me],
        );
        expect(after[0]!.n).toBe(before[0]!.n);
        // An entry the server holds, altered: refused.
        const e = batch[3]!;
        const altered = e.entry.replace('"match"', '"not_on_roster"');
        const { sha256Hex } = await import('../../electron/core/canonical');
        await expect(send([{ id: e.id, entry: altered, hash: sha256Hex(altered) }])).rejects.toMatchObject({
          code: 'KS001',
        });
        // A text that does not hash to its hash: refused.
        s.checks.checkQr(SESSION, c.qr(11), { station: 'twice', actor: 'gv' });
        s.checks.checkQr(SESSION, c.qr(12), { station: 'twice', actor: 'gv' });
        const [n1, n2] = s.log.entriesAfter(s.log.headEntry()!.id - 2, 2);
        await expect(send([{ ...n1!, hash: n2!.hash }])).rejects.toMatchObject({ code: 'KS002' });
        // Skipping an entry (a gap): refused.
        await expect(send([n2!])).rejects.toMatchObject({ code: 'KS003' });
        // Another station's rows: refused by row-level security, and not readable.
        const otherId = new KioskServices({ dbPath: other });
        const otherFp = otherId.stationKey.fingerprint();
        otherId.close();
        await expect(send([n1!], otherFp)).rejects.toThrow(/only its own station/);
        expect(
          (await st.query('SELECT * FROM kiosk.log_entries WHERE station_id <> $1', [me])).rowCount,
        ).toBe(0);
        await expect(st.query(`INSERT INTO kiosk.findings (kind) VALUES ('x')`)).rejects.toThrow(
          /permission denied/,
        );
        await expect(st.query('SELECT * FROM kiosk.schema_migrations')).rejects.toThrow(/permission denied/);
        await expect(st.query('UPDATE kiosk.log_entries SET entry = entry')).rejects.toThrow();
        await expect(st.query('DELETE FROM kiosk.log_entries')).rejects.toThrow();
        await expect(
          st.query(
            'INSERT INTO kiosk.sessions (code, session, roster, roster_hash) VALUES ($1, $2, $3, $4)',
            ['X', '{}', '[]', 'x'],
          ),
        ).rejects.toThrow(/permission denied/);
      } finally {
        await st.end();
      }
      // And the station's own next round carries on from there.
      const r = await sync.once();
      expect(r.serverHead).toBe(s.log.headEntry()!.id);
    } finally {
      await close();
    }
  }, 90_000);

  it('a station whose clock is 10 minutes off: both times are stored, the report uses station time and says so', async () => {
    const db = c.station('skewed');
    const { s, sync, close } = open(db, server.baseUrl);
    try {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(Date.now() + 10 * 60_000));
      const r = s.checks.checkQr(SESSION, c.qr(30), { station: 'skewed', actor: 'gv' });
      vi.useRealTimers();
      await sync.once();
      const row = (
        await q<{ at_station: string; received_at: Date }>(
          `SELECT at_station, received_at FROM kiosk.log_entries l JOIN kiosk.stations st USING (station_id)
           WHERE st.name = 'skewed' AND l.id = $1`,
          [r.logId],
        )
      )[0]!;
      const skew = Date.parse(row.at_station) - row.received_at.getTime();
      expect(skew).toBeGreaterThan(9 * 60_000);
      expect(skew).toBeLessThan(11 * 60_000);
      const model = await buildServerReport(admin, SESSION, 'Asia/Ho_Chi_Minh');
      const flag = model.flagged.find((f) => f.reasons.some((x) => x.code === 'station_clock_skew'));
      expect(flag?.station).toBe('skewed');
      expect(flag!.reasons[0]!.en).toContain('uses station time');
      // Candidate 30 was checked in at another desk before: the finding carries both clocks.
      const dup = model.findings.find((x) => x.second.station === 'skewed')!;
      expect(dup.second.at).toBe(row.at_station);
      expect(dup.second.receivedAt).toBe(row.received_at.toISOString());
      expect(
        model.flagged.some((x) =>
          x.reasons.some((y) => y.code === 'duplicate_check_in' && y.en.includes('server received')),
        ),
      ).toBe(true);
    } finally {
      vi.useRealTimers();
      await close();
    }
  }, 60_000);

  it('a partition: two stations check the same candidate while cut off, then sync at once: one finding, both times', async () => {
    const a = c.station('part-A');
    const b = c.station('part-B');
    server.stop();
    const sa = open(a, server.baseUrl);
    const sb = open(b, server.baseUrl);
    try {
      expect(
        sa.s.checks.checkQr(SESSION, c.qr(45), { station: 'part-A', actor: 'gv' }).identity.verdict,
      ).toBe('match');
      expect(
        sb.s.checks.checkQr(SESSION, c.qr(45), { station: 'part-B', actor: 'gv' }).identity.verdict,
      ).toBe('match');
      await expect(sa.sync.once()).rejects.toMatchObject({ code: 'server_unreachable' });
      server.start();
      await reconnect();
      await Promise.all([sa.sync.once(), sb.sync.once()]);
      await Promise.all([sa.sync.once(), sb.sync.once()]);
      const f = await q<{ first_name: string; second_name: string; first_at: string; second_received: Date }>(
        `SELECT * FROM kiosk.findings WHERE candidate_no IN (SELECT candidate_no FROM kiosk.checkins
           WHERE station_name = 'part-A') AND kind = 'duplicate_check_in'
           AND 'part-B' IN (first_name, second_name)`,
      );
      expect(f).toHaveLength(1);
      expect(new Set([f[0]!.first_name, f[0]!.second_name])).toEqual(new Set(['part-A', 'part-B']));
      expect(f[0]!.second_received).toBeInstanceOf(Date);
      // After the partition each desk knows of the other's check-in.
      const pulledAtA = sa.s.db
        .prepare(`SELECT station_name FROM remote_checkins WHERE station_name = 'part-B'`)
        .pluck()
        .all();
      expect(pulledAtA).toEqual(['part-B']);
      // And the finding itself, for the chair's screen on any station.
      const seenAtB = sb.s.db
        .prepare(`SELECT 1 FROM remote_findings WHERE 'part-A' IN (first_name, second_name)`)
        .all();
      expect(seenAtB).toHaveLength(1);
      // ... and in each station's own log, for the chair's log screen.
      const logged = sb.s.log
        .list({ kind: 'duplicate_check_in' })
        .filter((e) => e.reasons.some((r) => r.en.includes('part-A')));
      expect(logged).toHaveLength(1);
      expect(logged[0]!.reasons[0]!.vi).toContain('part-B');
      expect(sb.s.log.verify().ok).toBe(true);
    } finally {
      await sa.close();
      await sb.close();
    }
  }, 90_000);
});
