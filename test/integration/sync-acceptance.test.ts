/**
 * Issue 13's acceptance, on a real PostgreSQL server started in a temp folder, through the real
 * `kiosk` command: a check at station A reaches station B; two offline stations checking the same
 * candidate make a duplicate finding in the consolidated report; a station whose log is rewritten
 * after sync is named by `kiosk log verify --server`; checks made while the server is down reach it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { needsPart } from '../support/system-parts';
import { tempDir } from '../support/tmp';
import { destroyPg, startPg, type PgServer } from '../support/pg-server';
import { SESSION, rewriteLocalLog, setUpCouncil, type Council } from '../support/sync-council';
import { KioskServices } from '../../electron/core/services';
import pg from 'pg';
import { pdfText } from '../support/pdf-text';

const part = needsPart('postgres', 'sync with a PostgreSQL council server');

interface CheckJson {
  identity: { verdict: string; reasons: { code: string; vi: string; en: string }[] };
  logId: number;
}

describe.skipIf(part.skip)('sync with a PostgreSQL council server (acceptance)', () => {
  const dir = tempDir('kiosk-sync-');
  let server: PgServer;
  let c: Council;
  let a: string;
  let b: string;

  beforeAll(async () => {
    server = await startPg();
    c = setUpCouncil(dir, server);
    a = c.station('desk-A');
    b = c.station('desk-B');
  }, 120_000);
  afterAll(() => server && destroyPg(server));

  const check = (db: string, station: string, i: number) => {
    const r = c.run(db, station, 'check', '--session', SESSION, '--qr', c.qr(i), '--json');
    expect(r.code, r.stderr).toBe(0);
    return r.json() as CheckJson;
  };
  const sync = (db: string, station: string) => {
    const r = c.run(db, station, 'sync', '--server', server.baseUrl, '--once', '--json');
    expect(r.code, r.stderr).toBe(0);
    return r.json() as { pushed: number; pulled: number; serverHead: number; localHead: number };
  };

  it('a candidate checked in at A and synced gets already_checked_in naming A at B', () => {
    expect(check(a, 'desk-A', 0).identity.verdict).toBe('match');
    const pushed = sync(a, 'desk-A');
    expect(pushed.pushed).toBeGreaterThan(0);
    expect(pushed.serverHead).toBe(pushed.localHead);
    expect(sync(b, 'desk-B').pulled).toBe(1);
    const again = check(b, 'desk-B', 0);
    expect(again.identity.verdict).toBe('already_checked_in');
    const reason = again.identity.reasons.find((x) => x.code === 'already_checked_in')!;
    expect(reason.vi).toContain('desk-A');
    expect(reason.en).toContain('desk-A');
    // Another candidate is still fine at B.
    expect(check(b, 'desk-B', 1).identity.verdict).toBe('match');
  });

  it('two offline stations checking the same candidate: the report flags it, verify exits 0; a rewritten station log exits 1 naming it', async () => {
    // Neither station syncs between the two checks: both accept candidate 5.
    expect(check(a, 'desk-A', 5).identity.verdict).toBe('match');
    expect(check(b, 'desk-B', 5).identity.verdict).toBe('match');
    sync(a, 'desk-A');
    sync(b, 'desk-B');
    sync(a, 'desk-A');

    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    const f = await admin.query(`SELECT candidate_no, first_name, second_name FROM kiosk.findings`);
    await admin.end();
    expect(f.rows).toHaveLength(1);
    expect(new Set([f.rows[0].first_name, f.rows[0].second_name])).toEqual(new Set(['desk-A', 'desk-B']));

    const out = path.join(dir, 'council.csv');
    const rep = c.run(
      c.chairDb,
      'chair',
      'report',
      '--server',
      server.baseUrl,
      '--session',
      SESSION,
      '--format',
      'csv',
      '--out',
      out,
      '--json',
    );
    expect(rep.code, rep.stderr + rep.stdout).toBe(0);
    expect(rep.json()).toMatchObject({ duplicates: 1, times: 'station' });
    const csv = fs.readFileSync(out, 'utf8');
    expect(csv).toContain('desk-A');
    expect(csv).toContain('desk-B');
    expect(csv).toMatch(/hai trạm|two stations/);
    expect(csv.split('\n')[0]).toContain('Trạm');
    // The PDF says the same (read back with pdfjs).
    const pdf = path.join(dir, 'council.pdf');
    const rp = c.run(
      c.chairDb,
      'chair',
      'report',
      '--server',
      server.baseUrl,
      '--session',
      SESSION,
      '--format',
      'pdf',
      '--out',
      pdf,
    );
    expect(rp.code, rp.stderr).toBe(0);
    const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
    expect(text).toContain('desk-A');
    expect(text).toContain('desk-B');
    expect(text).toMatch(/được điểm danh ở hai/); // the PDF wraps the reason over lines

    const ok = c.run(c.chairDb, 'chair', 'log', 'verify', '--server', server.baseUrl);
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(c.run(b, 'desk-B', 'log', 'verify', '--server', server.baseUrl).code).toBe(0);

    // B hides its check of candidate 5: the check entry now says rejected, the chain re-hashed.
    const services = new KioskServices({ dbPath: b });
    const target = services.log
      .list({ sessionCode: SESSION, kind: 'check' })
      .filter((e) => e.identityVerdict === 'match')
      .pop()!;
    services.close();
    rewriteLocalLog(b, target.id, (fields) => {
      fields[7] = 'not_on_roster';
      fields[9] = 'rejected';
    });
    // Locally the rewritten chain verifies ...
    expect(c.run(b, 'desk-B', 'log', 'verify').code).toBe(0);
    // ... but not against the server's copy, with the chair's or the station's own credentials.
    for (const [db, who] of [[b, 'desk-B']] as const) {
      const bad = c.run(db, who, 'log', 'verify', '--server', server.baseUrl);
      expect(bad.code).toBe(1);
      expect(bad.stderr + bad.stdout).toContain('desk-B');
      expect(bad.stderr + bad.stdout).not.toContain('station desk-A');
    }
    // The station cannot push over its own history either.
    const refused = c.run(b, 'desk-B', 'sync', '--server', server.baseUrl, '--once');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/rewritten|đã bị sửa/);
  });

  it('every check made while the server was down is on the server after it returns, in order', async () => {
    server.stop();
    const down = c.run(a, 'desk-A', 'sync', '--server', server.baseUrl, '--once');
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('Không kết nối được máy chủ');
    const services = new KioskServices({ dbPath: a });
    const ids: number[] = [];
    try {
      for (let i = 0; i < 100; i++) {
        const r = services.checks.checkQr(SESSION, c.qr(i % 20), { station: 'desk-A', actor: 'gv-desk-A' });
        ids.push(r.logId);
      }
    } finally {
      services.close();
    }
    server.start();
    const r = sync(a, 'desk-A');
    expect(r.serverHead).toBe(r.localHead);
    expect(r.pushed).toBeGreaterThanOrEqual(100);
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    const got = await admin.query<{ id: string }>(
      `SELECT l.id FROM kiosk.log_entries l JOIN kiosk.stations s USING (station_id)
       WHERE s.name = 'desk-A' AND l.id = ANY($1::bigint[]) ORDER BY l.id`,
      [ids],
    );
    await admin.end();
    expect(got.rows.map((x) => Number(x.id))).toEqual(ids);
  });
});
