import os from 'node:os';
import { openDatabase, type Db } from './db';
import { AuditLog } from './audit-log';
import { SessionService, type Actor } from './sessions';
import { RosterService } from './roster-service';
import { CheckService } from './check-service';
import { ReportService } from './report-service';
import { resolveDbPath } from './paths';
import type { VerificationPolicy } from './verification';

export interface ServicesOptions {
  dbPath?: string;
  policy?: VerificationPolicy;
  timeZone?: string;
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

  constructor(options: ServicesOptions = {}) {
    this.dbPath = resolveDbPath(options.dbPath);
    this.timeZone = options.timeZone ?? process.env.KIOSK_TZ ?? 'Asia/Ho_Chi_Minh';
    this.db = openDatabase(this.dbPath);
    this.log = new AuditLog(this.db);
    this.sessions = new SessionService(this.db, this.log);
    this.roster = new RosterService(this.db, this.log, this.sessions);
    this.checks = new CheckService(this.db, this.log, this.sessions, {
      policy: options.policy,
      timeZone: this.timeZone,
    });
    this.reports = new ReportService(this.db, this.log, this.sessions, this.timeZone);
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
