import os from 'node:os';
import { openDatabase, type Db } from './db';
import { AuditLog } from './audit-log';
import { SessionService } from './sessions';
import type { Actor } from './actor';
import { RosterService } from './roster-service';
import { CheckService } from './check-service';
import { ReportService } from './report-service';
import { resolveDbPath } from './paths';
import type { VerificationPolicy } from './verification';
import { FileKeyProvider, defaultKeyFilePath, type KeyProvider } from './key-provider';
import { KeyStore } from './key-store';
import { StationKey } from './station-key';
import { DataCipher } from './data-crypto';
import { SessionSealer } from './session-seal';
import { FaceEvidence } from './face/evidence';
import { PrivacyService } from './privacy';
import { TrustRegistry } from './trust-registry';
import { TrustFolderCountries } from './trust-folder';
import path from 'node:path';
import { defaultUserDataDir } from './paths';

export interface ServicesOptions {
  dbPath?: string;
  policy?: VerificationPolicy;
  timeZone?: string;
  /**
   * Protects the station keys: the app passes its safeStorage provider; by default (CLI, tests) a
   * key file next to the database, or at $KIOSK_KEY_FILE, created on first use.
   */
  keyProvider?: KeyProvider;
  /** The trust folder (CSCA certificates, master lists); default: the app's user-data trust-store. */
  trustStoreDir?: string;
}

/** The app's trust folder: `<user data>/trust-store` (the CLI and the app share it). */
export function defaultTrustStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(defaultUserDataDir(env), 'trust-store');
}

/**
 * Everything the kiosk does, wired on one database. The Electron main process, the CLI and the
 * tests all build the same object: there is no second implementation of any rule.
 */
export class KioskServices {
  readonly dbPath: string;
  readonly db: Db;
  readonly log: AuditLog;
  readonly sessions: SessionService;
  readonly roster: RosterService;
  readonly checks: CheckService;
  readonly reports: ReportService;
  readonly timeZone: string;
  readonly keyProvider: KeyProvider;
  readonly keys: KeyStore;
  readonly stationKey: StationKey;
  readonly privacy: PrivacyService;
  /** The encrypted evidence frames of red face checks (only when the chair keeps them). */
  readonly faceEvidence: FaceEvidence;
  /** The issuer registry (issuers seen on chips; approved, blocked). */
  readonly trust: TrustRegistry;
  readonly trustStoreDir: string;
  /** Countries with a trusted CA anchor in the trust folder (recomputed when the folder changes). */
  readonly trustCountries: TrustFolderCountries;

  constructor(options: ServicesOptions = {}) {
    this.dbPath = resolveDbPath(options.dbPath);
    this.timeZone = options.timeZone ?? process.env.KIOSK_TZ ?? 'Asia/Ho_Chi_Minh';
    this.db = openDatabase(this.dbPath);
    // Deleted or replaced rows (a replaced roster, an erased candidate) are zeroed, not left in free space.
    this.db.pragma('secure_delete = ON');
    this.keyProvider = options.keyProvider ?? new FileKeyProvider(defaultKeyFilePath(this.dbPath));
    this.keys = new KeyStore(this.db, this.keyProvider);
    this.stationKey = new StationKey(this.keys);
    const cipher = new DataCipher(this.keys);
    this.log = new AuditLog(this.db);
    this.sessions = new SessionService(this.db, this.log, new SessionSealer(this.db, this.stationKey));
    this.roster = new RosterService(this.db, this.log, this.sessions, cipher);
    this.privacy = new PrivacyService(this.db, this.log, cipher);
    this.faceEvidence = new FaceEvidence(this.db, cipher);
    this.trust = new TrustRegistry(this.db, this.log);
    this.trustStoreDir = options.trustStoreDir ?? defaultTrustStoreDir();
    this.trustCountries = new TrustFolderCountries(this.trustStoreDir);
    const trustCountries = this.trustCountries;
    this.checks = new CheckService(this.db, this.log, this.sessions, {
      policy: options.policy,
      timeZone: this.timeZone,
      registry: this.trust,
      trustCountries: () => trustCountries.get(),
    });
    this.reports = new ReportService(this.db, this.log, this.sessions, this.timeZone);
    try {
      // Photos and notes an older version stored in plain text are encrypted now (once).
      this.privacy.encryptLegacyPlaintext();
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** The station name: `KIOSK_STATION`, else the host name (not personal data). */
export function defaultActor(station?: string, examiner?: string): Actor {
  return {
    station: station ?? process.env.KIOSK_STATION ?? os.hostname(),
    actor: examiner ?? process.env.KIOSK_EXAMINER ?? 'cli',
  };
}
