/**
 * The app's sync service on a real PostgreSQL: the chair configures the council server through the
 * sync.* channels, the station's QR check goes to the server with "sync now", another desk's check
 * arrives, the next QR of that candidate is already_checked_in naming that desk, and the log screen's
 * session-across-stations list shows it. A server the station is not registered on is refused in
 * Vietnamese and English.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import pg from 'pg';
import { needsPart } from '../support/system-parts';
import { tempDir } from '../support/tmp';
import { destroyPg, startPg, type PgServer } from '../support/pg-server';
import { SESSION, setUpCouncil, type Council } from '../support/sync-council';
import { KioskServices } from '../../electron/core/services';
import { KioskApi, type Caller } from '../../electron/app/kiosk-api';
import { QueuedDialogs } from '../../electron/app/bridge-server';
import type { ChannelName, RequestOf, ResponseOf } from '../../electron/shared/ipc-contract';

const part = needsPart('postgres', 'the app sync service with a PostgreSQL council server');
const chair: Caller = { clientId: 'window-chair' };

describe.skipIf(part.skip)('the app sync service (sync.* channels)', () => {
  const dir = tempDir('kiosk-syncapp-');
  let server: PgServer;
  let c: Council;

  beforeAll(async () => {
    server = await startPg();
    c = setUpCouncil(dir, server, 6);
  }, 120_000);
  afterAll(() => server && destroyPg(server));

  it('configure, sync now, a check from another desk turns into already_checked_in, the session across stations', async () => {
    const desk = c.station('app-desk');
    const other = c.station('other-desk');
    const services = new KioskServices({ dbPath: desk });
    const api = new KioskApi({
      services,
      dialogs: new QueuedDialogs(),
      trustStoreDir: path.join(dir, 'trust'),
    });
    const ok = async <C extends ChannelName>(channel: C, req?: RequestOf<C>): Promise<ResponseOf<C>> => {
      const r = await api.handle(channel, chair, req ?? {});
      if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.en}`);
      return r.value as ResponseOf<C>;
    };
    try {
      await ok('auth.setup', { username: 'chair1', displayName: 'Chủ tịch', pin: '2468' });
      expect((await ok('sync.status')).state).toBe('stopped');

      const refused = await api.handle('sync.configure', chair, {
        server: `postgres://127.0.0.1:1/elsewhere`,
      });
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.error.code).toBe('station_not_registered');
        expect(refused.error.vi).toContain('chưa được đăng ký');
      }
      const withPassword = await api.handle('sync.configure', chair, { server: server.adminUrl });
      expect(withPassword.ok).toBe(false);

      const configured = await ok('sync.configure', { server: server.baseUrl });
      expect(configured.server).toBe(`127.0.0.1:${server.port}/postgres`);
      expect(configured.registered).toBe(true);

      // A check at the other desk, synced with the CLI.
      expect(c.run(other, 'other-desk', 'check', '--session', SESSION, '--qr', c.qr(2)).code).toBe(0);
      expect(c.run(other, 'other-desk', 'sync', '--server', server.baseUrl, '--once').code).toBe(0);

      const st = await ok('sync.now');
      expect(st.state).toBe('idle');
      expect(st.serverHead).toBe(st.localHead);
      expect(st.remoteCheckins).toBe(1);

      const r = await ok('checks.qr', { sessionCode: SESSION, text: c.qr(2) });
      expect(r.status, JSON.stringify(r)).toBe('checked');
      expect(r.result!.identityVerdict).toBe('already_checked_in');
      expect(r.result!.reasons.find((x) => x.code === 'already_checked_in')!.vi).toContain('other-desk');

      const across = await ok('sync.sessionCheckins', { sessionCode: SESSION });
      expect(across).toHaveLength(1);
      expect(across[0]!.station).toBe('other-desk');
      expect(across[0]!.fullName).toBeTruthy();

      // The check made in the app reached the server.
      await ok('sync.now');
      const admin = new pg.Client({ connectionString: server.adminUrl });
      await admin.connect();
      const n = await admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM kiosk.log_entries l JOIN kiosk.stations s USING (station_id)
         WHERE s.name = 'app-desk' AND l.kind = 'check'`,
      );
      await admin.end();
      expect(Number(n.rows[0]!.n)).toBe(1);

      const off = await ok('sync.configure', { server: null });
      expect(off).toMatchObject({ server: null, state: 'stopped' });
    } finally {
      await api.close();
      services.close();
    }
  }, 120_000);
});
