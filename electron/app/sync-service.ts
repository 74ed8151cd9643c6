/**
 * The app's sync with the council server: one SyncLoop (electron/core/sync/station-sync.ts) in the
 * main process, started at launch when the chair configured a server, restarted when the chair
 * changes it. Checks never wait for it: they are made and logged locally first, always.
 * The server URL is kept in `sync_state` (server '', key 'url'); the station's role and password in
 * `sync_credentials`, encrypted (kiosk server add-station puts them there).
 */
import type { KioskServices } from '../core/services';
import { DataCipher } from '../core/data-crypto';
import { KioskError } from '../core/errors';
import { CredentialStore, serverKey } from '../core/sync/connection';
import { StationSync, SyncLoop, type SyncStatus } from '../core/sync/station-sync';
import type { RemoteCheckinDTO, SyncStatusDTO } from '../shared/ipc-contract';
import type { AppLogger } from './ports';

export class AppSync {
  private loop: SyncLoop | undefined;
  private url: string | null;
  private readonly credentials: CredentialStore;

  constructor(
    private readonly services: KioskServices,
    private readonly logger: AppLogger,
    private readonly options: { intervalMs?: number; stationName?: () => string } = {},
  ) {
    this.credentials = new CredentialStore(services.db, new DataCipher(services.keys));
    this.url =
      (
        services.db.prepare(`SELECT value FROM sync_state WHERE server = '' AND key = 'url'`).get() as
          { value: string } | undefined
      )?.value ?? null;
  }

  /** Starts syncing when a server is configured and this station is registered on it. */
  start(): void {
    if (!this.url || this.loop || !this.registered()) return;
    const sync = new StationSync(
      this.services.db,
      this.services.log,
      this.services.stationKey,
      this.credentials,
      this.url,
      this.options.stationName ? { stationName: this.options.stationName } : {},
    );
    let last: SyncStatus['state'] | undefined;
    this.loop = new SyncLoop(sync, { intervalMs: this.options.intervalMs ?? 5000 }, (st) => {
      if (st.state === last) return;
      last = st.state;
      // States and codes only: no URL with credentials, no personal data.
      this.logger.info('sync.state', {
        state: st.state,
        code: st.lastError?.code ?? null,
        pending: st.pending,
      });
    });
    this.loop.start();
  }

  async stop(): Promise<void> {
    const l = this.loop;
    this.loop = undefined;
    await l?.stop();
  }

  private registered(): boolean {
    try {
      return !!this.url && !!this.credentials.get(this.url);
    } catch {
      return false;
    }
  }

  async configure(url: string | null): Promise<SyncStatusDTO> {
    if (url !== null) {
      serverKey(url);
      if (!this.credentials.get(url)) {
        throw new KioskError('station_not_registered', {
          vi: 'Trạm chưa được đăng ký trên máy chủ này. Nhờ kỹ thuật viên chạy "kiosk server add-station" trên trạm.',
          en: 'This station is not registered on that server. Ask IT to run "kiosk server add-station" on this station.',
        });
      }
    }
    await this.stop();
    this.url = url;
    if (url === null)
      this.services.db.prepare(`DELETE FROM sync_state WHERE server = '' AND key = 'url'`).run();
    else
      this.services.db
        .prepare(
          `INSERT INTO sync_state (server, key, value) VALUES ('', 'url', ?)
           ON CONFLICT (server, key) DO UPDATE SET value = excluded.value`,
        )
        .run(url);
    this.start();
    return this.status();
  }

  async now(): Promise<SyncStatusDTO> {
    if (!this.loop) {
      throw new KioskError('sync_not_configured', {
        vi: 'Chưa cấu hình máy chủ hội đồng cho trạm này.',
        en: 'No council server is configured for this station.',
      });
    }
    await this.loop.now();
    return this.status();
  }

  /** The other stations' check-ins of a session pulled so far, in station-clock order. */
  sessionCheckins(sessionCode: string): RemoteCheckinDTO[] {
    return (
      this.services.db
        .prepare(
          `SELECT r.station_name, r.at, r.received_at, r.candidate_no, c.full_name, c.purged_at
           FROM remote_checkins r
           LEFT JOIN exam_sessions s ON s.code = r.session_code
           LEFT JOIN candidates c ON c.session_id = s.id AND c.candidate_no = r.candidate_no
           WHERE r.session_code = ? ORDER BY r.at, r.station_name LIMIT 5000`,
        )
        .all(sessionCode) as {
        station_name: string;
        at: string;
        received_at: string;
        candidate_no: string;
        full_name: string | null;
        purged_at: string | null;
      }[]
    ).map((r) => ({
      station: r.station_name,
      at: r.at,
      receivedAt: r.received_at,
      candidateNo: r.candidate_no,
      fullName: r.purged_at ? null : r.full_name,
    }));
  }

  status(): SyncStatusDTO {
    const st = this.loop?.current();
    const localHead = this.services.log.headEntry()?.id ?? 0;
    const remoteCheckins = (
      this.services.db.prepare('SELECT count(*) AS n FROM remote_checkins').get() as { n: number }
    ).n;
    return {
      server: this.url ? serverKey(this.url) : null,
      registered: this.registered(),
      state: st?.state ?? 'stopped',
      lastSuccessAt: st?.lastSuccessAt ?? null,
      lastAttemptAt: st?.lastAttemptAt ?? null,
      lastError: st?.lastError ?? null,
      pending: st?.pending ?? 0,
      serverHead: st?.lastRound?.serverHead ?? null,
      localHead,
      remoteCheckins,
      duplicates: (
        this.services.db
          .prepare(
            `SELECT session_code, candidate_no, first_name, first_at, first_received, second_name, second_at,
                    second_received FROM remote_findings ORDER BY found_at DESC LIMIT 100`,
          )
          .all() as Record<string, string>[]
      ).map((f) => ({
        sessionCode: f.session_code!,
        candidateNo: f.candidate_no!,
        first: { station: f.first_name!, at: f.first_at!, receivedAt: f.first_received! },
        second: { station: f.second_name!, at: f.second_at!, receivedAt: f.second_received! },
      })),
    };
  }
}
