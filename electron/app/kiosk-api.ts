/**
 * The application layer behind every IPC channel (and the test bridge): one `handle(channel, caller,
 * payload)` that validates the payload with the contract's zod schema, enforces who may call it (the
 * signed-in user of the calling window; chair-only actions are refused HERE, whatever the UI shows),
 * runs the action on the core services and answers `{ ok, value } | { ok: false, error }` with a
 * Vietnamese and an English message.
 *
 * Plain Node: no electron import. The host (main process or bridge) gives the dialogs, the event sink,
 * the technical logger and optionally the readers.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { KioskServices } from '../core/services';
import { notInState } from '../core/sessions';
import type { Actor } from '../core/actor';
import { CheckService, type CheckRecord } from '../core/check-service';
import { KioskError } from '../core/errors';
import type { PurgeResult } from '../core/privacy';
import { maskIdNumber } from '../core/report-service';
import { runReportInWorker } from '../core/reports/runner';
import { readRosterFile, type RosterRow } from '../core/roster-file';
import { DEMO_CARD_HOLDERS, DEMO_ROSTER_SIZE, seedDemo, type DemoSeedResult } from '../core/demo';
import { fictionalPerson, qrTextOf } from '../core/fictional-people';
import { sha256Hex } from '../core/canonical';
import type { LogEntry } from '../core/audit-log';
import type { LogKind, Reason } from '../../native/domain/vocabulary';
import type { CardReading } from '../../native/cccd/types';
import { notCheckedAuthenticity } from '../../native/domain/vocabulary';
import { parseCccdQr } from '../../native/cccd/qr';
import { ChipCheckin, flowError, type ChipCheckinEvent, type FlowError } from '../core/chip-checkin';
import { createSoftCard, type SoftCardFault } from '../../native/softcard/soft-card';
import { StationTrustStore, TrustFolderCountries, loadStationTrustStore } from '../core/trust-folder';
import {
  channels,
  isChannelName,
  PREVIEW_ROWS,
  type ApiError,
  type AuthStatus,
  type CandidateDTO,
  type ChannelName,
  type CheckResultDTO,
  type LogDetailsDTO,
  type LogEntryDTO,
  type ParsedRequestOf,
  type ReaderStatusDTO,
  type ResponseOf,
  type Result,
  type SessionDTO,
  type SettingsDTO,
  type SignedInUser,
  type TrustIssuersDTO,
} from '../shared/ipc-contract';
import { UserService, toUserDTO, type UserRecord } from '../core/users';
import { SettingsService } from '../core/settings';
import { importTrustFolder, countTrustFiles } from './trust-store-import';
import {
  silentLogger,
  type AppLogger,
  type EventSink,
  type FileDialogs,
  type ReaderPort,
  type ReaderPortEvent,
} from './ports';

/** Who is calling: one id per window (webContents id in Electron, a page id in the bridge). */
export interface Caller {
  clientId: string;
}

interface PickedFile {
  path: string;
  fileName: string;
  preview?: {
    sessionCode: string;
    rows: RosterRow[];
    format: 'csv' | 'xlsx';
    sheet?: string;
    fileHash: string;
  };
}

interface ClientState {
  user: (UserRecord & { signedInAt: string }) | null;
  activeSession: string | null;
  /** The QR this window scanned that waits for the chip (to show what the card says if checked alone). */
  heldQr: string | null;
  picks: Map<string, PickedFile>;
}

export interface KioskApiOptions {
  services: KioskServices;
  dialogs: FileDialogs;
  /** Folder holding the trusted CSCA certificates / master lists (copied in by the chair). */
  trustStoreDir: string;
  events?: EventSink;
  logger?: AppLogger;
  readers?: ReaderPort;
  /** Demo mode: fictional roster and demo accounts with PINs shown on the sign-in screen. */
  demo?: boolean;
  now?: () => Date;
}

type Impl = {
  [C in ChannelName]: (caller: Caller, req: ParsedRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
};

export const DEMO_ACCOUNTS = [
  { username: 'chutich', displayName: 'Chủ tịch hội đồng (demo)', role: 'chair' as const, pin: '2468' },
  { username: 'giamthi', displayName: 'Sát hạch viên (demo)', role: 'examiner' as const, pin: '1357' },
];

const err = (code: string, vi: string, en: string, details?: unknown) =>
  new KioskError(code, { vi, en }, details);

export class KioskApi {
  readonly services: KioskServices;
  readonly users: UserService;
  readonly settings: SettingsService;
  private readonly checks: CheckService;
  private readonly clients = new Map<string, ClientState>();
  private readonly logger: AppLogger;
  private readonly now: () => Date;
  private demoSeed: DemoSeedResult | null = null;
  private readerStatus: ReaderStatusDTO[] = [];
  private focusClient: string | null = null;
  private unsubscribeReaders: (() => void) | undefined;
  /** The chip check-in flow (electron/core/chip-checkin.ts): QR held for the chip, chip reads, checks. */
  readonly checkin: ChipCheckin;
  /** Checks made inside a channel call answer that call; only the others become window events. */
  private inline = 0;
  private inlineFailure: FlowError | undefined;
  /** Countries with a trusted CSCA in the trust folder (recomputed when the folder changes). */
  private readonly trustCountries: TrustFolderCountries;

  constructor(private readonly options: KioskApiOptions) {
    this.services = options.services;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.users = new UserService(this.services.db, this.now);
    this.settings = new SettingsService(this.services.db);
    const settings = this.settings;
    const trustCountries = (this.trustCountries = new TrustFolderCountries(options.trustStoreDir));
    // The same CheckService as the core's, but the policy is read from the settings at every check,
    // so switching "require chip" applies at once.
    this.checks = new CheckService(this.services.db, this.services.log, this.services.sessions, {
      get policy() {
        return settings.policy();
      },
      timeZone: this.services.timeZone,
      registry: this.services.trust,
      trustCountries: () => trustCountries.get(),
    });
    const stationTrust = new StationTrustStore(options.trustStoreDir, this.services.trust);
    this.checkin = new ChipCheckin({
      checks: this.checks,
      session: () => this.targetClient()?.state.activeSession ?? null,
      actor: () => {
        const t = this.targetClient();
        return this.actor({ clientId: t?.clientId ?? '' });
      },
      trustStoreDir: options.trustStoreDir,
      // Parsed once; built again when a trust file or a chair's decision changes.
      loadTrustStore: () => stationTrust.get(),
      log: (line) => this.logger.info('checkin', { line }),
      ...options.readers?.flowTimings,
    });
    this.checkin.on('event', (e) => this.onCheckinEvent(e));
    if (options.readers) {
      options.readers.bind(this.checkin);
      this.readerStatus = options.readers.status();
      this.unsubscribeReaders = options.readers.onEvent((e) => this.onReaderEvent(e));
    }
  }

  /** Demo mode: the demo session (today, fictional roster) and the demo accounts. Idempotent. */
  async seedDemo(): Promise<DemoSeedResult> {
    this.demoSeed = await seedDemo(this.services);
    for (const a of DEMO_ACCOUNTS) {
      if (!this.users.find(a.username)) await this.users.create(a);
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
    await this.options.readers?.configure(this.settings.get().readers);
  }

  /** A window went away: forget its sign-in and picked files. */
  dropClient(clientId: string): void {
    this.clients.delete(clientId);
    if (this.focusClient === clientId) this.focusClient = null;
  }

  async close(): Promise<void> {
    this.checkin.close();
    this.unsubscribeReaders?.();
    await this.options.readers?.close();
  }

  signedInUser(clientId: string): SignedInUser | null {
    const u = this.clients.get(clientId)?.user;
    return u
      ? { username: u.username, displayName: u.displayName, role: u.role, signedInAt: u.signedInAt }
      : null;
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
    const user = this.client(caller).user;
    if (!user) {
      throw err('not_signed_in', 'Vui lòng đăng nhập.', 'Please sign in.');
    }
    // The account may have been deactivated since sign-in.
    const current = this.users.find(user.username);
    if (!current?.active) {
      this.client(caller).user = null;
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

  private client(caller: Caller): ClientState {
    let c = this.clients.get(caller.clientId);
    if (!c) {
      c = { user: null, activeSession: null, heldQr: null, picks: new Map() };
      this.clients.set(caller.clientId, c);
    }
    return c;
  }

  private actor(caller: Caller): Actor {
    const u = this.client(caller).user;
    return { station: this.settings.get().stationName, actor: u?.username ?? 'kiosk' };
  }

  private appendLog(
    kind: LogKind,
    actor: Actor,
    details: Record<string, unknown>,
    sessionCode?: string,
  ): void {
    this.services.log.append({ kind, ...actor, sessionCode: sessionCode ?? null, details });
  }

  // -------------------------------------------------------------------------------------------
  // Channel implementations
  // -------------------------------------------------------------------------------------------

  private readonly impl: Impl = {
    'auth.status': (caller): AuthStatus => {
      const s = this.settings.get();
      return {
        setupRequired: this.users.count() === 0,
        user: this.signedInUser(caller.clientId),
        station: s.stationName,
        language: s.language,
        demo: this.options.demo
          ? { pins: DEMO_ACCOUNTS.map((a) => ({ username: a.username, pin: a.pin })) }
          : null,
      };
    },

    'auth.users': () =>
      this.users
        .activeUsers()
        .map((u) => ({ username: u.username, displayName: u.displayName, role: u.role })),

    'auth.setup': async (caller, req) => {
      if (this.users.count() > 0) {
        throw err('setup_done', 'Đã có tài khoản: hãy đăng nhập.', 'Accounts exist already: sign in.');
      }
      const user = await this.users.create({ ...req, role: 'chair' });
      const by = { station: this.settings.get().stationName, actor: user.username };
      this.appendLog('settings_changed', by, {
        action: 'user_created',
        username: user.username,
        role: 'chair',
        firstAccount: true,
      });
      return this.completeSignIn(caller, user);
    },

    'auth.signIn': async (caller, req) => {
      const result = await this.users.checkPin(req.username, req.pin);
      const station = this.settings.get().stationName;
      if (result.ok) return this.completeSignIn(caller, result.user);
      this.client(caller).user = null;
      this.appendLog(
        'sign_in_failed',
        { station, actor: result.reason === 'unknown_user' ? '(unknown)' : req.username },
        {
          purpose: 'sign_in',
          reason: result.reason,
          failedAttempts: result.failedAttempts ?? null,
          lockedUntil: result.lockedUntil ?? null,
        },
      );
      throw this.pinError(result.reason, result.lockedUntil, result.failedAttempts);
    },

    'auth.signOut': (caller) => {
      const c = this.client(caller);
      c.user = null;
      c.activeSession = null;
      c.heldQr = null;
      c.picks.clear();
      return {};
    },

    'auth.changePin': async (caller, req) => {
      const me = this.client(caller).user!;
      const check = await this.users.checkPin(me.username, req.currentPin);
      if (!check.ok) {
        this.appendLog('sign_in_failed', this.actor(caller), {
          purpose: 'change_pin',
          reason: check.reason,
          failedAttempts: check.failedAttempts ?? null,
          lockedUntil: check.lockedUntil ?? null,
        });
        throw this.pinError(check.reason, check.lockedUntil, check.failedAttempts);
      }
      await this.users.setPin(me.username, req.newPin);
      this.appendLog('settings_changed', this.actor(caller), {
        action: 'pin_changed',
        username: me.username,
      });
      return {};
    },

    'users.list': () => this.users.list().map((u) => toUserDTO(u, this.now())),

    'users.create': async (caller, req) => {
      const u = await this.users.create(req);
      this.appendLog('settings_changed', this.actor(caller), {
        action: 'user_created',
        username: u.username,
        role: u.role,
      });
      return toUserDTO(u, this.now());
    },

    'users.setPin': async (caller, req) => {
      const u = await this.users.setPin(req.username, req.pin);
      this.appendLog('settings_changed', this.actor(caller), { action: 'pin_reset', username: u.username });
      return toUserDTO(u, this.now());
    },

    'users.setActive': (caller, req) => {
      if (req.username === this.client(caller).user?.username && !req.active) {
        throw err(
          'self_deactivate',
          'Không thể tự khóa tài khoản của mình.',
          'You cannot deactivate your own account.',
        );
      }
      const u = this.users.setActive(req.username, req.active);
      this.appendLog('settings_changed', this.actor(caller), {
        action: req.active ? 'user_activated' : 'user_deactivated',
        username: u.username,
      });
      if (!req.active) {
        for (const c of this.clients.values()) if (c.user?.username === u.username) c.user = null;
      }
      return toUserDTO(u, this.now());
    },

    'sessions.list': () => this.services.sessions.list().map((s) => this.sessionDto(s.code)),

    'sessions.create': (caller, req) => {
      const s = this.services.sessions.create(req, this.actor(caller));
      return this.sessionDto(s.code);
    },

    'sessions.close': (caller, req) => {
      this.services.sessions.close(req.sessionCode, this.actor(caller));
      return this.sessionDto(req.sessionCode);
    },

    'sessions.signOff': async (caller, req) => {
      const me = this.client(caller).user!;
      const session = this.services.sessions.get(req.sessionCode);
      if (session.state !== 'closed') {
        throw err(
          `session_${session.state}`,
          session.state === 'open'
            ? 'Hãy đóng kỳ sát hạch trước khi ký duyệt.'
            : 'Kỳ sát hạch này đã được ký duyệt.',
          session.state === 'open'
            ? 'Close the session before signing it off.'
            : 'This session is already signed off.',
        );
      }
      const check = await this.users.checkPin(me.username, req.pin);
      if (!check.ok) {
        this.appendLog(
          'sign_in_failed',
          this.actor(caller),
          {
            purpose: 'sign_off',
            reason: check.reason,
            failedAttempts: check.failedAttempts ?? null,
            lockedUntil: check.lockedUntil ?? null,
          },
          req.sessionCode,
        );
        throw this.pinError(check.reason, check.lockedUntil, check.failedAttempts);
      }
      const integrity = this.services.log.verify();
      if (!integrity.ok) {
        throw err(
          'log_broken',
          `Không thể ký duyệt: ${integrity.firstBroken.vi}`,
          `Cannot sign off: the audit log is broken (${integrity.firstBroken.message}).`,
        );
      }
      this.services.sessions.sign(req.sessionCode, this.actor(caller), {
        chair: me.username,
        logEntriesVerified: integrity.entries,
        logHeadHash: integrity.headHash,
      });
      return this.sessionDto(req.sessionCode);
    },

    'roster.pickFile': async (caller) => {
      const file = await this.options.dialogs.openFile({
        title: {
          vi: 'Chọn danh sách thí sinh (CSV hoặc Excel)',
          en: 'Choose the candidate roster (CSV or Excel)',
        },
        filters: [{ name: 'CSV / Excel', extensions: ['csv', 'xlsx', 'txt'] }],
      });
      if (!file) return null;
      const token = randomUUID();
      this.client(caller).picks.set(token, { path: file, fileName: path.basename(file) });
      return { token, fileName: path.basename(file) };
    },

    'roster.preview': async (caller, req) => {
      const pick = this.pick(caller, req.token);
      const session = this.services.sessions.get(req.sessionCode);
      const read = await readRosterFile(pick.path, { sheet: req.sheet });
      const existing = this.services.roster.counts(session.code).total;
      const errors = read.ok ? this.services.roster.validateForSession(session.code, read.rows) : read.errors;
      const rows = read.ok ? read.rows : [];
      if (read.ok && errors.length === 0) {
        pick.preview = {
          sessionCode: session.code,
          rows,
          format: read.format,
          sheet: read.sheet,
          fileHash: sha256Hex(fs.readFileSync(pick.path)),
        };
      } else {
        pick.preview = undefined;
      }
      return {
        token: req.token,
        fileName: pick.fileName,
        format: read.format,
        ...(read.sheet ? { sheet: read.sheet } : {}),
        totalRows: rows.length,
        rows: rows.slice(0, PREVIEW_ROWS).map((r) => ({
          rowNumber: r.rowNumber,
          candidateNo: r.candidateNo,
          fullName: r.fullName,
          dateOfBirth: r.dateOfBirth,
          idNumber: r.idNumber,
          licenceClass: r.licenceClass ?? null,
          sex: r.sex ?? null,
          hasPhoto: !!r.photo,
        })),
        errors: [...errors, ...read.warnings].sort((a, b) => a.rowNumber - b.rowNumber),
        existingCandidates: existing,
        canImport: read.ok && errors.length === 0 && session.state === 'open',
      };
    },

    'roster.import': (caller, req) => {
      const pick = this.pick(caller, req.token);
      const p = pick.preview;
      if (!p || p.sessionCode !== req.sessionCode) {
        throw err(
          'preview_required',
          'Hãy xem trước danh sách (không có lỗi) trước khi nhập.',
          'Preview the roster (without errors) before importing it.',
        );
      }
      const replaced = this.services.roster.importRows(
        req.sessionCode,
        p.rows,
        this.actor(caller),
        req.replace,
        {
          format: p.format,
          sheet: p.sheet,
          fileHash: p.fileHash,
        },
      );
      this.client(caller).picks.delete(req.token);
      return { sessionCode: req.sessionCode, imported: p.rows.length, replaced };
    },

    'candidates.search': (_caller, req) => {
      const list = this.services.roster.list(req.sessionCode, req.query?.trim() || undefined);
      const counts = this.services.roster.counts(req.sessionCode);
      return {
        candidates: list.map<CandidateDTO>((c) => ({
          id: c.id,
          candidateNo: c.candidateNo,
          fullName: c.fullName,
          dateOfBirth: c.dateOfBirth,
          idNumberMasked: maskIdNumber(c.idNumber),
          licenceClass: c.licenceClass,
          sex: c.sex,
          note: c.note,
          hasPhoto: c.hasPhoto,
          checkedInAt: c.checkedInAt,
        })),
        ...counts,
      };
    },

    'candidates.photo': (_caller, req) => ({ dataUrl: this.rosterPhoto(req.candidateId) }),

    'checks.qr': (caller, req) => {
      const session = this.services.sessions.get(req.sessionCode);
      if (session.state !== 'open') throw notInState(session, 'open');
      this.setActive(caller, req.sessionCode);
      // With a chip reader ready the QR is held: its CAN opens the chip, and the chip decides.
      const r = this.inlineCheck(() => this.checkin.scanQr(req.text));
      this.client(caller).heldQr = r.held ? req.text : null;
      if (r.held) return { status: 'awaiting_chip' as const, result: null };
      // What the card says, shown beside the roster when they differ (parsed again: pure and cheap).
      return {
        status: 'checked' as const,
        result: this.resultDto(r.result!.record, qrReading(req.text), 'qr'),
      };
    },

    'checks.qrOnly': (caller, req) => {
      this.setActive(caller, req.sessionCode);
      const r = this.inlineCheck(() => this.checkin.checkHeldQr());
      if (!r) {
        throw err(
          'no_pending_qr',
          'Không có mã QR nào đang chờ đọc chip.',
          'No QR scan is waiting for a chip read.',
        );
      }
      const c = this.client(caller);
      const text = c.heldQr;
      c.heldQr = null;
      return this.resultDto(r.record, text ? qrReading(text) : null, 'qr');
    },

    'checks.manual': (caller, req) => {
      const session = this.services.sessions.get(req.sessionCode);
      let idNumber = req.number;
      if (req.number.length === 6) {
        const matches = this.services.db
          .prepare(`SELECT id_number FROM candidates WHERE session_id = ? AND substr(id_number, 7, 6) = ?`)
          .all(session.id, req.number) as { id_number: string }[];
        if (this.checkin.chipExpected()) {
          this.setActive(caller, req.sessionCode);
          this.checkin.provideAccess({ can: req.number });
          return { status: 'awaiting_chip' as const, result: null };
        }
        if (matches.length === 0) {
          throw err(
            'can_not_found',
            'Không có thí sinh nào có 6 số cuối này. Hãy nhập đủ 12 số CCCD.',
            'No candidate has these last 6 digits. Type the full 12-digit ID number.',
          );
        }
        if (matches.length > 1) {
          throw err(
            'can_ambiguous',
            'Có nhiều thí sinh cùng 6 số cuối. Hãy nhập đủ 12 số CCCD.',
            'Several candidates share these last 6 digits. Type the full 12-digit ID number.',
          );
        }
        idNumber = matches[0]!.id_number;
      } else if (this.checkin.chipExpected()) {
        this.setActive(caller, req.sessionCode);
        this.checkin.provideAccess({ can: req.number.slice(-6) });
        return { status: 'awaiting_chip' as const, result: null };
      }
      const row = this.services.db
        .prepare(
          `SELECT full_name, date_of_birth, sex FROM candidates WHERE session_id = ? AND id_number = ?`,
        )
        .get(session.id, idNumber) as
        { full_name: string; date_of_birth: string; sex: 'M' | 'F' | null } | undefined;
      // Typed by the examiner: only the ID number is known. The card's other data are the roster's, so
      // the examiner must compare photo, name and date of birth by eye: always a warning at least.
      const authenticity = notCheckedAuthenticity();
      authenticity.reasons.push(MANUAL_REASON);
      const reading: CardReading = {
        source: 'qr',
        idNumber,
        fullName: row?.full_name ?? '',
        dateOfBirth: row?.date_of_birth ?? '',
        ...(row?.sex ? { sex: row.sex } : {}),
        authenticity,
      };
      const record = this.checks.checkReading(req.sessionCode, reading, this.actor(caller), {
        entry: 'manual',
      });
      this.client(caller).activeSession = req.sessionCode;
      return { status: 'checked' as const, result: this.resultDto(record, null, 'manual') };
    },

    'checks.recent': (_caller, req) => {
      const rows = this.services.db
        .prepare(
          `SELECT l.id, l.at, l.source, l.outcome, l.identity_verdict, l.authenticity_verdict, l.actor, l.station,
                  c.candidate_no, c.full_name
           FROM audit_log l LEFT JOIN candidates c ON c.id = l.candidate_id
           WHERE l.session_code = ? AND l.kind = 'check' ORDER BY l.id DESC LIMIT ?`,
        )
        .all(req.sessionCode, req.limit) as Array<{
        id: number;
        at: string;
        source: 'qr' | 'chip' | null;
        outcome: CheckResultDTO['outcome'];
        identity_verdict: CheckResultDTO['identityVerdict'];
        authenticity_verdict: CheckResultDTO['authenticityVerdict'] | null;
        actor: string;
        station: string;
        candidate_no: string | null;
        full_name: string | null;
      }>;
      return rows.map((r) => ({
        logId: r.id,
        at: r.at,
        source: r.source,
        outcome: r.outcome,
        identityVerdict: r.identity_verdict,
        authenticityVerdict: r.authenticity_verdict,
        candidateNo: r.candidate_no,
        fullName: r.full_name,
        actor: r.actor,
        station: r.station,
      }));
    },

    'checks.setActiveSession': (caller, req) => {
      if (req.sessionCode) this.services.sessions.get(req.sessionCode);
      this.setActive(caller, req.sessionCode);
      return {};
    },

    'log.list': (_caller, req) => {
      const entries = this.services.log.list({
        sessionCode: req.sessionCode,
        outcome: req.outcome,
        identityVerdict: req.identityVerdict,
        actor: req.actor,
        kind: req.kind,
        from: req.from,
        to: req.to,
        limit: req.limit + 1,
        offset: req.offset,
        order: 'desc',
      });
      const more = entries.length > req.limit;
      return { entries: this.logDtos(entries.slice(0, req.limit)), more };
    },

    'log.get': (_caller, req) => {
      const e = this.services.log.get(req.id);
      if (!e) throw err('log_not_found', `Không có mục nhật ký số ${req.id}.`, `No log entry ${req.id}.`);
      const [dto] = this.logDtos([e]);
      const details: LogDetailsDTO = {
        ...dto!,
        cardHash: e.cardHash,
        prevHash: e.prevHash,
        hash: e.hash,
        details: e.details,
      };
      return details;
    },

    'log.verify': () => this.services.log.verifyParallel(),

    'log.actors': () =>
      (
        this.services.db
          .prepare(`SELECT DISTINCT actor FROM audit_log WHERE kind = 'check' ORDER BY actor`)
          .all() as { actor: string }[]
      ).map((r) => r.actor),

    'reports.export': async (_caller, req) => {
      const session = this.services.sessions.get(req.sessionCode);
      const defaultName = `bao-cao-${session.code.replace(/[^\p{L}\p{N}._-]+/gu, '-')}.${req.format}`;
      const file = await this.options.dialogs.saveFile({
        title: { vi: 'Lưu báo cáo', en: 'Save the report' },
        defaultName,
        filters: [{ name: req.format.toUpperCase(), extensions: [req.format] }],
      });
      if (!file) return { cancelled: true as const };
      const out = path.extname(file).toLowerCase() === `.${req.format}` ? file : `${file}.${req.format}`;
      // In a worker thread: the window and the readers stay responsive while a large report is written.
      await runReportInWorker({
        dbPath: this.services.dbPath,
        sessionCode: session.code,
        format: req.format,
        out,
        lang: req.lang,
        timeZone: this.services.timeZone,
      });
      const bytes = fs.statSync(out).size;
      this.logger.info('report.exported', { format: req.format, bytes });
      return { cancelled: false as const, path: out, fileName: path.basename(out), bytes };
    },

    'settings.get': () => this.settingsDto(),

    'settings.update': async (caller, req) => {
      const changed = this.settings.update(req);
      if (changed.length) {
        const s = this.settings.get();
        const values: Record<string, unknown> = {};
        for (const k of changed) values[k] = s[k];
        this.appendLog('settings_changed', this.actor(caller), {
          action: 'settings_updated',
          changed,
          values,
        });
        if (changed.includes('readers')) await this.options.readers?.configure(s.readers);
      }
      return this.settingsDto();
    },

    'settings.importTrustStore': async (caller) => {
      const folder = await this.options.dialogs.openFolder({
        title: { vi: 'Chọn thư mục chứng thư CSCA', en: 'Choose the CSCA certificate folder' },
      });
      if (!folder)
        return {
          cancelled: true,
          imported: 0,
          skipped: [],
          total: countTrustFiles(this.options.trustStoreDir),
        };
      const { files, ...result } = importTrustFolder(folder, this.options.trustStoreDir);
      if (result.imported > 0) {
        this.settings.update({ trustStoreUpdatedAt: this.now().toISOString() });
        this.appendLog('settings_changed', this.actor(caller), {
          action: 'trust_store_imported',
          imported: result.imported,
          skipped: result.skipped.length,
          total: result.total,
          // Names, kinds and fingerprints of what is now trusted (public certificates only).
          files: files
            .filter((f) => f.copied)
            .map((f) => ({
              file: f.file,
              kind: f.kind,
              cscas: f.cscas,
              countries: f.countries,
              ...(f.signer ? { signerFingerprint: f.signer.fingerprint } : { fingerprints: f.fingerprints }),
            })),
        });
      }
      return { cancelled: false, ...result };
    },

    'settings.listReaders': async () => (await this.options.readers?.listReaders()) ?? [],

    'trust.issuers': () => this.trustIssuers(),
    'trust.approve': (caller, req) =>
      this.services.trust.approve(
        req.issuerId,
        this.actor(caller),
        req.signers?.length ? { signers: req.signers } : {},
      ),
    'trust.block': (caller, req) => this.services.trust.block(req.issuerId, this.actor(caller)),
    'trust.unblock': (caller, req) => this.services.trust.unblock(req.issuerId, this.actor(caller)),
    'settings.doctor': async () => {
      const { runDoctor } = await import('../core/doctor');
      return runDoctor({
        dbPath: this.services.dbPath,
        trustDir: this.options.trustStoreDir,
        keyProvider: this.services.keyProvider,
      });
    },

    'readers.status': () => this.readerStatus,

    'demo.sampleQr': (_caller, req) => {
      if (!this.options.demo || !this.demoSeed) {
        throw err('not_demo', 'Chỉ dùng được trong chế độ thử.', 'Only available in demo mode.');
      }
      if (req.kind === 'not_on_roster') return { text: this.demoSeed.notOnRosterQr };
      const present = new Set(
        this.services.roster
          .list(this.demoSeed.sessionCode)
          .filter((c) => c.checkedInAt)
          .map((c) => c.candidateNo),
      );
      for (let i = 0; i < Math.min(this.demoSeed.candidates, DEMO_ROSTER_SIZE); i++) {
        const p = fictionalPerson(i, 2026);
        if (!present.has(p.candidateNo)) return { text: qrTextOf(p) };
      }
      return { text: this.demoSeed.sampleQr };
    },

    'demo.tapCard': async (caller, req) => {
      if (!this.options.demo || !this.demoSeed) {
        throw err('not_demo', 'Chỉ dùng được trong chế độ thử.', 'Only available in demo mode.');
      }
      const session = this.services.sessions.get(req.sessionCode);
      if (session.state !== 'open') throw notInState(session, 'open');
      this.setActive(caller, req.sessionCode);
      return this.tapDemoCard(caller, req.sessionCode, req.kind);
    },
  };

  // -------------------------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------------------------

  /**
   * Runs a check-in flow call whose check answers the current channel call: its `checked` event is
   * not pushed to the window again, and a `failed` one is thrown as the call's error.
   */
  private inlineCheck<T>(fn: () => T): T {
    this.inline++;
    this.inlineFailure = undefined;
    let out: T;
    try {
      out = fn();
    } finally {
      this.inline--;
    }
    // Set by the `failed` event during fn() (TypeScript cannot see that).
    const failure = this.inlineFailure as FlowError | undefined;
    this.inlineFailure = undefined;
    if (failure) throw new KioskError(failure.code, { vi: failure.vi, en: failure.en });
    return out;
  }

  /**
   * Demo mode: a software card (native/softcard) of a demo roster holder is put on a virtual reader
   * and the real chip check-in runs on it: its QR is scanned (held for the chip, as with a real
   * reader), the chip is read with the QR's CAN and checked against the trust store with the
   * software card's CSCA added (so a genuine card is `genuine`). Progress and the verdict reach the
   * window as reading.progress / scan.result, exactly as for a hardware reader; the call also
   * answers with the verdict.
   */
  private async tapDemoCard(
    caller: Caller,
    sessionCode: string,
    kind: 'genuine' | 'altered' | 'clone',
  ): Promise<CheckResultDTO> {
    const holder = DEMO_CARD_HOLDERS[kind === 'altered' ? 1 : 0]!;
    const faults: SoftCardFault[] =
      kind === 'altered' ? [{ kind: 'altered-dg13' }] : kind === 'clone' ? [{ kind: 'clone' }] : [];
    const card = createSoftCard({ person: holder.person, faults });
    const trustStore = await loadStationTrustStore(this.options.trustStoreDir, this.services.trust);
    trustStore.addCertificate(card.csca.der, 'demo-softcard-csca.pem');
    const flow = new ChipCheckin({
      checks: this.checks,
      session: sessionCode,
      actor: this.actor(caller),
      trustStore,
      expectChip: () => true,
      waitForAccessMs: 0,
      log: (line) => this.logger.info('checkin.demo', { line }),
    });
    flow.on('event', (e) => this.onCheckinEvent(e));
    const sink = this.options.events;
    const readerId = 'demo-softcard';
    // Only loaded here (demo mode): the reader hub module brings in the reader stacks.
    const { stepPercent } = await import('./reader-hub');
    let max = 0;
    try {
      flow.scanQr(card.qrText);
      sink?.emit(null, 'reading.progress', { readerId, phase: 'card_present' });
      const r = await flow.readAndCheck(card.transport, {
        readerId,
        readerName: 'Thẻ mẫu (demo)',
        progress: (step, done, total) => {
          const { phase, percent } = stepPercent(step, done ?? 0, total ?? 0);
          max = Math.max(max, Math.round(percent));
          sink?.emit(null, 'reading.progress', { readerId, phase, percent: max });
        },
      });
      sink?.emit(null, 'reading.progress', { readerId, phase: 'done', percent: 100 });
      return this.resultDto(r.record, r.chip?.reading ?? null, 'chip');
    } catch (e) {
      sink?.emit(null, 'reading.progress', { readerId, phase: 'failed' });
      const f = flowError(e);
      throw new KioskError(f.code, { vi: f.vi, en: f.en });
    } finally {
      flow.close();
    }
  }

  /** The issuer registry for the chair's trust screen and banner. */
  private trustIssuers(): TrustIssuersDTO {
    const anchors = this.trustCountries.get();
    const configured = new Set([...anchors, ...this.services.trust.approvedCountries()]);
    return {
      issuers: this.services.trust.list(),
      configuredCountries: [...configured].sort(),
      unconfiguredCountries: this.services.trust.unconfiguredCountries(anchors),
    };
  }

  /** The window checks in for this session; chip reads and hardware scans go to it. */
  private setActive(caller: Caller, sessionCode: string | null): void {
    this.client(caller).activeSession = sessionCode;
    if (sessionCode) this.focusClient = caller.clientId;
  }

  private completeSignIn(caller: Caller, user: UserRecord): SignedInUser {
    const signedInAt = this.now().toISOString();
    const c = this.client(caller);
    c.user = { ...user, signedInAt };
    c.picks.clear();
    this.appendLog(
      'sign_in',
      { station: this.settings.get().stationName, actor: user.username },
      { role: user.role },
    );
    return { username: user.username, displayName: user.displayName, role: user.role, signedInAt };
  }

  private pinError(reason: string, lockedUntil?: string, failedAttempts?: number): KioskError {
    if (reason === 'locked' && lockedUntil) {
      const t = this.timeOfDay(lockedUntil);
      return err(
        'account_locked',
        `Nhập sai mã PIN quá nhiều lần. Tài khoản tạm khóa đến ${t}.`,
        `Too many wrong PINs. The account is locked until ${t}.`,
        { lockedUntil },
      );
    }
    if (reason === 'wrong_pin' && failedAttempts !== undefined) {
      const left = 5 - (failedAttempts % 5);
      return err(
        'wrong_pin',
        `Mã PIN không đúng. Còn ${left} lần thử trước khi tài khoản bị tạm khóa.`,
        `Wrong PIN. ${left} attempt(s) left before the account is locked.`,
        { attemptsLeft: left },
      );
    }
    return err('sign_in_failed', 'Tên đăng nhập hoặc mã PIN không đúng.', 'Wrong username or PIN.');
  }

  private timeOfDay(iso: string): string {
    return new Intl.DateTimeFormat('vi-VN', {
      timeZone: this.services.timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).format(new Date(iso));
  }

  private pick(caller: Caller, token: string): PickedFile {
    const p = this.client(caller).picks.get(token);
    if (!p) {
      throw err('file_not_chosen', 'Hãy chọn lại file danh sách.', 'Choose the roster file again.');
    }
    return p;
  }

  private sessionDto(code: string): SessionDTO {
    const s = this.services.sessions.get(code);
    const counts = this.services.roster.counts(code);
    return {
      code: s.code,
      council: s.council,
      date: s.date,
      location: s.location,
      licenceClasses: s.licenceClasses,
      state: s.state,
      createdAt: s.createdAt,
      closedAt: s.closedAt,
      signedAt: s.signedAt,
      signedBy: s.signedBy,
      ...counts,
    };
  }

  private settingsDto(): SettingsDTO {
    const s = this.settings.get();
    return {
      stationName: s.stationName,
      language: s.language,
      requireChip: s.requireChip,
      requireTrustedIssuer: s.requireTrustedIssuer,
      soundEnabled: s.soundEnabled,
      verdictSeconds: s.verdictSeconds,
      readers: s.readers,
      trustStore: { files: countTrustFiles(this.options.trustStoreDir), updatedAt: s.trustStoreUpdatedAt },
      retentionDays: s.retentionDays,
      stationKey: this.stationKeyDto(),
    };
  }

  /** The station's public key (created on first use) for the settings screen; null when the keys are unavailable. */
  private stationKeyDto(): SettingsDTO['stationKey'] {
    try {
      return {
        publicKey: this.services.stationKey.publicKeyPem(),
        fingerprint: this.services.stationKey.fingerprint(),
      };
    } catch (e) {
      this.logger.warn('keys.unavailable', { code: (e as { code?: string }).code ?? null });
      return null;
    }
  }

  private rosterPhoto(candidateId: number): string | null {
    const p = this.services.roster.photo(candidateId);
    return p ? dataUrl(p.mime, p.data) : null;
  }

  private resultDto(
    record: CheckRecord,
    reading: CardReading | null,
    entry: CheckResultDTO['entry'],
  ): CheckResultDTO {
    const order = { error: 0, warning: 1, info: 2 } as const;
    const c = record.candidate;
    return {
      logId: record.logId,
      at: record.at,
      source: record.source,
      entry,
      sessionCode: record.sessionCode,
      outcome: record.outcome,
      identityVerdict: record.identity.verdict,
      authenticityVerdict: record.authenticity.verdict,
      authenticityChecks: record.authenticity.checks,
      reasons: [...record.identity.reasons].sort((a, b) => order[a.severity] - order[b.severity]),
      candidate: c
        ? {
            id: c.id,
            candidateNo: c.candidateNo,
            fullName: c.fullName,
            dateOfBirth: c.dateOfBirth,
            licenceClass: c.licenceClass ?? null,
            sex: c.sex ?? null,
          }
        : null,
      card:
        reading && reading.idNumber
          ? {
              fullName: reading.fullName,
              dateOfBirth: reading.dateOfBirth,
              idNumberMasked: maskIdNumber(reading.idNumber),
            }
          : null,
      chipPhoto: reading?.photo ? dataUrl(reading.photo.mime, reading.photo.data) : null,
      rosterPhoto: c ? this.rosterPhoto(c.id) : null,
      counts: this.services.roster.counts(record.sessionCode),
    };
  }

  private logDtos(entries: LogEntry[]): LogEntryDTO[] {
    const ids = [...new Set(entries.map((e) => e.candidateId).filter((x): x is number => x !== null))];
    const names = new Map<number, { candidate_no: string; full_name: string }>();
    if (ids.length) {
      const rows = this.services.db
        .prepare(
          `SELECT id, candidate_no, full_name FROM candidates WHERE id IN (${ids.map(() => '?').join(',')})`,
        )
        .all(...ids) as { id: number; candidate_no: string; full_name: string }[];
      for (const r of rows) names.set(r.id, r);
    }
    return entries.map((e) => {
      const c = e.candidateId !== null ? names.get(e.candidateId) : undefined;
      return {
        id: e.id,
        at: e.at,
        kind: e.kind,
        station: e.station,
        actor: e.actor,
        sessionCode: e.sessionCode,
        source: e.source,
        identityVerdict: e.identityVerdict,
        authenticityVerdict: e.authenticityVerdict,
        outcome: e.outcome,
        reasons: e.reasons,
        candidateNo: c?.candidate_no ?? null,
        candidateName: c?.full_name ?? null,
      };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Reader events → checks and window events
  // -------------------------------------------------------------------------------------------

  private targetClient(): { clientId: string; state: ClientState } | null {
    const candidates = this.focusClient
      ? [this.focusClient, ...this.clients.keys()]
      : [...this.clients.keys()];
    for (const id of candidates) {
      const state = this.clients.get(id);
      if (state?.user && state.activeSession) return { clientId: id, state };
    }
    return null;
  }

  private onReaderEvent(e: ReaderPortEvent): void {
    const sink = this.options.events;
    if (e.type === 'status') {
      this.readerStatus = e.readers;
      sink?.emit(null, 'reader.status', e.readers);
    } else {
      sink?.emit(null, 'reading.progress', e.progress);
    }
  }

  /** The check-in flow's events (hardware QR scans, chip reads, held QRs timing out) → the window. */
  private onCheckinEvent(e: ChipCheckinEvent): void {
    const sink = this.options.events;
    const target = this.targetClient()?.clientId ?? null;
    switch (e.type) {
      case 'checked': {
        if (this.inline > 0) return;
        const reading = e.chip?.reading ?? null;
        const dto = this.resultDto(e.record, reading, e.source === 'chip' ? 'chip' : 'qr');
        this.logger.info('check.done', {
          source: e.source,
          outcome: dto.outcome,
          verdict: dto.identityVerdict,
        });
        sink?.emit(target, 'scan.result', dto);
        return;
      }
      case 'failed':
        if (this.inline > 0) {
          this.inlineFailure = e.error;
          return;
        }
        this.logger.warn('check.failed', { stage: e.stage, code: e.error.code });
        sink?.emit(target, 'scan.error', { code: e.error.code, vi: e.error.vi, en: e.error.en });
        return;
      case 'qr-held':
        if (this.inline === 0) sink?.emit(target, 'scan.awaitingChip', { qrOnlyAvailable: true });
        return;
      case 'waiting-access':
        sink?.emit(null, 'reading.progress', {
          readerId: e.readerId,
          phase: 'card_present',
          message: e.message,
        });
        return;
      case 'access-refused':
        sink?.emit(target, 'scan.error', { code: e.error.code, vi: e.error.vi, en: e.error.en });
        return;
      case 'progress':
        // The reader hub reports progress from the manager's own events.
        return;
    }
  }
}

const MANUAL_REASON: Reason = {
  code: 'manual_entry',
  severity: 'warning',
  vi: 'Nhập tay số CCCD: thẻ chưa được đọc. Hãy đối chiếu ảnh, họ tên và ngày sinh trên thẻ bằng mắt.',
  en: 'ID number typed by hand: the card was not read. Compare the photo, name and date of birth on the card by eye.',
};

function qrReading(text: string): CardReading | null {
  const parsed = parseCccdQr(text);
  return parsed.ok ? parsed.reading : null;
}

function dataUrl(mime: string, data: Uint8Array): string {
  return `data:${mime};base64,${Buffer.from(data).toString('base64')}`;
}

function fail(error: ApiError): Result<never> {
  return { ok: false, error };
}

/** Any thrown value → the bilingual error shape. Unknown errors never leak their message to the UI. */
export function toApiError(e: unknown): ApiError {
  if (e && typeof e === 'object') {
    const x = e as { code?: unknown; vi?: unknown; en?: unknown; details?: unknown };
    if (typeof x.code === 'string' && typeof x.vi === 'string' && typeof x.en === 'string') {
      return {
        code: x.code,
        vi: x.vi,
        en: x.en,
        ...(x.details !== undefined ? { details: JSON.parse(JSON.stringify(x.details)) as unknown } : {}),
      };
    }
  }
  return {
    code: 'internal_error',
    vi: 'Lỗi không mong đợi. Vui lòng thử lại; nếu lặp lại, báo cho bộ phận kỹ thuật.',
    en: 'Unexpected error. Try again; if it happens again, tell technical support.',
  };
}
