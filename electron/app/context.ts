/**
 * What a channel handler (electron/app/channels/*.ts) works with: the core services, the window states,
 * the check-in flow, the readers, the DTO mapping, and the few helpers every namespace shares (who is
 * calling, writing a log entry, a refused PIN). KioskApi (kiosk-api.ts) builds one and routes each
 * channel, once its caller and payload passed, to the handler of the channel's namespace.
 */
import type { KioskServices } from '../core/services';
import type { Actor } from '../core/actor';
import type { LogKind } from '../../native/domain/vocabulary';
import type { ChipCheckin } from '../core/chip-checkin';
import type { KioskError } from '../core/errors';
import type { DemoSeedResult } from '../core/demo';
import type { SettingsService } from '../core/settings';
import type { TrustFolderCountries } from '../core/trust-folder';
import type { PinCheck, UserService } from '../core/users';
import type { ChannelName, ParsedRequestOf, ReaderStatusDTO, ResponseOf } from '../shared/ipc-contract';
import type { Caller, Clients } from './clients';
import type { Dto } from './dto';
import type { FaceChecks } from '../core/face/face-checks';
import type { FaceEngine } from '../core/face/engine';
import type { AppLogger, EventSink, FileDialogs, ReaderPort } from './ports';
import type { AppSync } from './sync-service';

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
  /** The face engine to use (tests share one; default: a new worker started on first use). */
  faceEngine?: FaceEngine;
}

/** Why a PIN was asked for (kept in the log entry of a refused PIN). */
export type PinPurpose = 'sign_in' | 'change_pin' | 'sign_off';

export interface AppContext {
  readonly options: KioskApiOptions;
  readonly services: KioskServices;
  readonly users: UserService;
  readonly settings: SettingsService;
  readonly clients: Clients;
  /** The chip check-in flow (electron/core/chip-checkin.ts): QR held for the chip, chip reads, checks. */
  readonly checkin: ChipCheckin;
  readonly dto: Dto;
  /** The face checks (issue 12): the photos of recent checks, frames in, verdicts logged. */
  readonly face: FaceChecks;
  /** The face engine (worker_thread), started on first use. */
  faceEngine(): FaceEngine;
  readonly logger: AppLogger;
  /** Countries with a trusted CSCA in the trust folder (recomputed when the folder changes). */
  readonly trustCountries: TrustFolderCountries;
  /** Sync with the council server (electron/app/sync-service.ts). */
  readonly sync: AppSync;
  /** The readers, when there are any (the host's, or in demo mode the software-card reader). */
  readers(): ReaderPort | undefined;
  /** The readers' last reported status. */
  readerStatus(): ReaderStatusDTO[];
  /** The demo session, once seeded (demo mode). */
  demoSeed(): DemoSeedResult | null;
  now(): Date;
  /** The station and the caller's username ('kiosk' when nobody is signed in). */
  actor(caller: Caller): Actor;
  appendLog(kind: LogKind, actor: Actor, details: Record<string, unknown>, sessionCode?: string): void;
  /**
   * A refused PIN: logged (`sign_in_failed`, with why it was asked) and turned into the error the
   * examiner sees (wrong PIN with the attempts left, or locked until a time).
   */
  pinRefused(
    by: Actor,
    purpose: PinPurpose,
    check: Extract<PinCheck, { ok: false }>,
    sessionCode?: string,
  ): KioskError;
}

export type Handler<C extends ChannelName> = (
  caller: Caller,
  req: ParsedRequestOf<C>,
) => Promise<ResponseOf<C>> | ResponseOf<C>;

/** The handlers of one namespace of the contract (`auth`, `checks`, ...): one per channel. */
export type Handlers<NS extends string> = {
  [C in ChannelName as C extends `${NS}.${string}` ? C : never]: Handler<C>;
};
