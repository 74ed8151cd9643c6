/**
 * The application layer behind every IPC channel (and the test bridge): one `handle(channel, caller,
 * payload)` that enforces who may call it (the signed-in user of the calling window; chair-only actions
 * are refused HERE, whatever the UI shows), validates the payload with the contract's zod schema, routes
 * it to the handler of the channel's namespace (channels/<namespace>.ts) and answers
 * `{ ok, value } | { ok: false, error }` with a Vietnamese and an English message.
 *
 * The pieces: context.ts (what a handler works with), clients.ts (the windows and their sign-ins),
 * dto.ts (core records → the contract's DTOs), events.ts (the readers' events → the windows),
 * errors.ts (the error shape). The rules and the SQL live in the core services (electron/core); the
 * readers and the chip check-in behind ReaderHub (reader-hub.ts).
 *
 * Plain Node: no electron import. The host (main process or bridge) gives the dialogs, the event sink,
 * the technical logger and optionally the readers.
 */
import type { z } from 'zod';
import type { KioskServices } from '../core/services';
import type { Actor } from '../core/actor';
import type { PurgeResult } from '../core/privacy';
import { DEMO_ACCOUNTS, seedDemo, type DemoSeedResult } from '../core/demo';
import { ChipCheckin } from '../core/chip-checkin';
import { StationTrustStore, TrustFolderCountries } from '../core/trust-folder';
import { UserService } from '../core/users';
import { SettingsService } from '../core/settings';
import { trustSoftCards } from '../../native/readers/demo-driver';
import {
  channels,
  isChannelName,
  type ChannelName,
  type Result,
  type SignedInUser,
} from '../shared/ipc-contract';
import { Clients, type Caller } from './clients';
import type { AppContext, Handler, KioskApiOptions } from './context';
import { Dto } from './dto';
import { err, fail, pinError, toApiError } from './errors';
import { ReaderEvents } from './events';
import { silentLogger, type AppLogger, type ReaderPort } from './ports';
import { authChannels } from './channels/auth';
import { usersChannels } from './channels/users';
import { sessionsChannels } from './channels/sessions';
import { rosterChannels } from './channels/roster';
import { candidatesChannels } from './channels/candidates';
import { checksChannels } from './channels/checks';
import { logChannels } from './channels/log';
import { reportsChannels } from './channels/reports';
import { settingsChannels } from './channels/settings';
import { trustChannels } from './channels/trust';
import { readersChannels } from './channels/readers';
import { demoChannels } from './channels/demo';
import { faceChannels } from './channels/face';
import { FaceChecks } from '../core/face/face-checks';
import { FaceEngine } from '../core/face/engine';
import { syncChannels } from './channels/sync';
import { AppSync } from './sync-service';

export type { Caller } from './clients';
export type { KioskApiOptions } from './context';
export { DEMO_ACCOUNTS } from '../core/demo';

export class KioskApi {
  readonly services: KioskServices;
  readonly users: UserService;
  readonly settings: SettingsService;
  /** The chip check-in flow (electron/core/chip-checkin.ts): QR held for the chip, chip reads, checks. */
  readonly checkin: ChipCheckin;
  private readonly clients = new Clients();
  private readonly logger: AppLogger;
  private readonly now: () => Date;
  private readonly events: ReaderEvents;
  private readers: ReaderPort | undefined;
  private unsubscribeReaders: (() => void) | undefined;
  private demoSeed: DemoSeedResult | null = null;
  /** The face engine (started on first use; close() stops its worker). */
  readonly faceEngine: () => FaceEngine;
  private ownEngine: FaceEngine | undefined;
  /** Sync with the council server (started by startSync, stopped by close). */
  readonly sync: AppSync;
  /** One handler per channel of the contract (TypeScript checks none is missing). */
  private readonly impl: { [C in ChannelName]: Handler<C> };

  constructor(private readonly options: KioskApiOptions) {
    const services = (this.services = options.services);
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.users = new UserService(services.db, this.now);
    this.settings = new SettingsService(services.db);
    this.sync = new AppSync(services, this.logger, { stationName: () => this.settings.get().stationName });
    const trustCountries = new TrustFolderCountries(options.trustStoreDir);
    // The one check service (services.ts): the policy read from the settings at every check, so
    // switching "require chip" applies at once, and the countries of this trust folder.
    services.checks.useSources({
      policy: () => this.settings.policy(),
      trustCountries: () => trustCountries.get(),
    });
    const stationTrust = new StationTrustStore(options.trustStoreDir, services.trust);
    this.checkin = new ChipCheckin({
      checks: services.checks,
      session: () => this.clients.target()?.state.activeSession ?? null,
      actor: () => this.actor({ clientId: this.clients.target()?.clientId ?? '' }),
      trustStoreDir: options.trustStoreDir,
      // Parsed once; built again when a trust file or a chair's decision changes. The demo trusts the
      // software cards' test issuer, as a demo station's trust folder would.
      loadTrustStore: options.demo
        ? async () => trustSoftCards(await stationTrust.get())
        : () => stationTrust.get(),
      // A QR waits for the chip only when a chip reader is ready.
      expectChip: () => this.readers?.chipReady() ?? false,
      log: (line) => this.logger.info('checkin', { line }),
      ...options.readers?.flowTimings,
    });
    const dto = new Dto(services);
    const faceEngine = (): FaceEngine => (this.ownEngine ??= options.faceEngine ?? new FaceEngine());
    this.faceEngine = faceEngine;
    const face = new FaceChecks({
      engine: faceEngine,
      settings: () => this.settings.get(),
      log: (kind, actor, details, sessionCode) =>
        services.log.append({ kind, ...actor, sessionCode, details }),
      rosterPhoto: (candidateId) => services.roster.photo(candidateId),
      keepEvidence: (sessionCode, checkId, jpeg) =>
        services.faceEvidence.keep(sessionCode, checkId, jpeg, this.now()),
      now: () => this.now().getTime(),
    });
    dto.onResult = (record, reading) =>
      face.register({
        checkId: record.logId,
        sessionCode: record.sessionCode,
        candidateId: record.candidate?.id ?? null,
        chipPhoto: reading?.photo ?? null,
        hasRosterPhoto: record.candidate ? services.roster.photo(record.candidate.id) !== null : false,
      });
    this.events = new ReaderEvents(options.events, this.clients, dto, this.logger);
    if (options.readers) this.attachReaders(options.readers);

    const app: AppContext = {
      options,
      services,
      users: this.users,
      settings: this.settings,
      clients: this.clients,
      checkin: this.checkin,
      dto,
      face,
      faceEngine,
      logger: this.logger,
      trustCountries,
      sync: this.sync,
      readers: () => this.readers,
      readerStatus: () => this.events.status,
      demoSeed: () => this.demoSeed,
      now: () => this.now(),
      actor: (caller) => this.actor(caller),
      appendLog: (kind, actor, details, sessionCode) =>
        services.log.append({ kind, ...actor, sessionCode: sessionCode ?? null, details }),
      pinRefused: (by, purpose, check, sessionCode) => {
        app.appendLog(
          'sign_in_failed',
          by,
          {
            purpose,
            reason: check.reason,
            failedAttempts: check.failedAttempts ?? null,
            lockedUntil: check.lockedUntil ?? null,
          },
          sessionCode,
        );
        return pinError(check, services.timeZone);
      },
    };
    this.impl = {
      ...authChannels(app),
      ...usersChannels(app),
      ...sessionsChannels(app),
      ...rosterChannels(app),
      ...candidatesChannels(app),
      ...checksChannels(app),
      ...logChannels(app),
      ...reportsChannels(app),
      ...settingsChannels(app),
      ...trustChannels(app),
      ...readersChannels(app),
      ...demoChannels(app),
      ...faceChannels(app),
      ...syncChannels(app),
    };
  }

  /**
   * Demo mode: the demo session (today, fictional roster), the demo accounts, and the software-card
   * reader beside the station's readers (or alone: the host gave none). Idempotent.
   */
  async seedDemo(): Promise<DemoSeedResult> {
    this.demoSeed = await seedDemo(this.services);
    for (const a of DEMO_ACCOUNTS) {
      if (!this.users.find(a.username)) await this.users.create(a);
    }
    if (this.options.demo) {
      if (!this.readers) {
        // Only loaded here: the reader hub module brings in the reader stacks.
        const { ReaderHub } = await import('./reader-hub');
        this.attachReaders(new ReaderHub({ log: (line) => this.logger.info('reader', { line }) }));
      }
      await this.readers!.useSoftCard();
    }
    return this.demoSeed;
  }

  /**
   * Applies the retention setting (Decree 13/2023) once at start-up: the personal data of sessions
   * signed more than `retentionDays` ago is erased (privacy.ts). Null when retention is off.
   */
  applyRetention(): PurgeResult | null {
    const s = this.settings.get();
    if (s.retentionDays === null) return null;
    const r = this.services.privacy.purge({
      olderThanDays: s.retentionDays,
      by: { station: s.stationName, actor: 'retention' },
    });
    this.logger.info('privacy.retention', {
      days: s.retentionDays,
      sessions: r.sessions.length,
      candidates: r.candidates,
    });
    return r;
  }

  /** Applies the stored reader settings to the reader port (call once at start-up). */
  async startReaders(): Promise<void> {
    await this.readers?.configure(this.settings.get().readers);
  }

  /** A window went away: forget its sign-in and picked files. */
  dropClient(clientId: string): void {
    this.clients.drop(clientId);
  }

  /** Starts syncing with the council server, when the chair configured one (call once at start-up). */
  startSync(): void {
    this.sync.start();
  }

  async close(): Promise<void> {
    await this.sync.stop();
    this.checkin.close();
    this.unsubscribeReaders?.();
    await this.readers?.close();
    if (this.ownEngine && this.ownEngine !== this.options.faceEngine) await this.ownEngine.close();
  }

  signedInUser(clientId: string): SignedInUser | null {
    return this.clients.signedInUser(clientId);
  }

  // -------------------------------------------------------------------------------------------
  // The single entry point
  // -------------------------------------------------------------------------------------------

  async handle(channel: string, caller: Caller, payload: unknown): Promise<Result<unknown>> {
    const started = performance.now();
    if (!isChannelName(channel)) {
      return fail(toApiError(err('unknown_channel', 'Yêu cầu không hợp lệ.', `Unknown channel: ${channel}`)));
    }
    const def = channels[channel];
    try {
      // Who may call comes first: an unknown caller learns nothing, not even the request's shape.
      this.authorize(channel, caller, def.access);
    } catch (e) {
      return fail(toApiError(e));
    }
    const parsed = (def.request as z.ZodType).safeParse(payload ?? {});
    if (!parsed.success) {
      this.logger.warn('ipc.invalid_request', { channel, issues: parsed.error.issues.length });
      return fail({
        code: 'invalid_request',
        vi:
          'Dữ liệu gửi lên không hợp lệ: ' +
          parsed.error.issues.map((i) => i.path.join('.') || '-').join(', '),
        en:
          'Invalid request: ' +
          parsed.error.issues.map((i) => `${i.path.join('.') || '-'}: ${i.message}`).join('; '),
      });
    }
    try {
      const fn = this.impl[channel] as (c: Caller, r: unknown) => unknown;
      const value = await fn(caller, parsed.data);
      this.logger.info('ipc.ok', { channel, ms: Math.round(performance.now() - started) });
      return { ok: true, value };
    } catch (e) {
      const apiError = toApiError(e);
      const level = apiError.code === 'internal_error' ? 'error' : 'info';
      this.logger[level]('ipc.error', {
        channel,
        code: apiError.code,
        ms: Math.round(performance.now() - started),
        // The class name only: messages may carry personal data.
        kind: e instanceof Error ? e.name : typeof e,
      });
      return fail(apiError);
    }
  }

  private authorize(channel: ChannelName, caller: Caller, access: 'public' | 'signed_in' | 'chair'): void {
    if (access === 'public') return;
    const user = this.clients.get(caller).user;
    if (!user) {
      throw err('not_signed_in', 'Vui lòng đăng nhập.', 'Please sign in.');
    }
    // The account may have been deactivated since sign-in.
    const current = this.users.find(user.username);
    if (!current?.active) {
      this.clients.get(caller).user = null;
      throw err(
        'not_signed_in',
        'Tài khoản đã bị khóa. Vui lòng đăng nhập lại.',
        'The account was deactivated.',
      );
    }
    if (access === 'chair' && current.role !== 'chair') {
      this.logger.warn('ipc.forbidden', { channel });
      throw err(
        'forbidden',
        'Chỉ chủ tịch hội đồng được thực hiện thao tác này.',
        'Only the council chair may do this.',
      );
    }
  }

  private actor(caller: Caller): Actor {
    const u = this.clients.get(caller).user;
    return { station: this.settings.get().stationName, actor: u?.username ?? 'kiosk' };
  }

  /** The readers (the host's, or the demo's own) feed the check-in; their events go to the windows. */
  private attachReaders(port: ReaderPort): void {
    this.readers = port;
    port.bind(this.checkin);
    this.events.status = port.status();
    this.unsubscribeReaders = port.onEvent((e) => this.events.route(e));
  }
}
