import type { Db } from './db';
import { KioskError, storageError } from './errors';
import type { Role, UserDTO } from '../shared/ipc-contract';
import { dummyPinHash, hashPin, verifyPin } from './pin-hash';

/** Consecutive wrong PINs before the account is locked. */
export const MAX_FAILED_PINS = 5;
/** First lock lasts this long; each further series of failures doubles it, up to LOCK_MAX_MS. */
export const LOCK_BASE_MS = 5 * 60_000;
export const LOCK_MAX_MS = 60 * 60_000;

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  pin_hash: string;
  failed_attempts: number;
  locked_until: string | null;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface UserRecord {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  active: boolean;
  lockedUntil: string | null;
  createdAt: string;
}

export type PinCheck =
  | { ok: true; user: UserRecord }
  | {
      ok: false;
      reason: 'unknown_user' | 'inactive' | 'locked' | 'wrong_pin';
      /** Set when the account is (now) locked. */
      lockedUntil?: string;
      failedAttempts?: number;
    };

function toRecord(r: UserRow): UserRecord {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    active: r.active === 1,
    lockedUntil: r.locked_until,
    createdAt: r.created_at,
  };
}

export function toUserDTO(u: UserRecord, now = new Date()): UserDTO {
  return {
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    active: u.active,
    lockedUntil: u.lockedUntil && new Date(u.lockedUntil) > now ? u.lockedUntil : null,
    createdAt: u.createdAt,
  };
}

/**
 * Kiosk accounts (examiners and chairs) with scrypt-hashed PINs and a lockout after repeated
 * failures. The lockout lives in the database, so restarting the app does not reset it.
 */
export class UserService {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  find(username: string): UserRecord | undefined {
    const r = this.row(username);
    return r ? toRecord(r) : undefined;
  }

  list(): UserRecord[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY role DESC, username').all() as UserRow[]).map(
      toRecord,
    );
  }

  activeUsers(): UserRecord[] {
    return this.list().filter((u) => u.active);
  }

  async create(input: {
    username: string;
    displayName: string;
    role: Role;
    pin: string;
  }): Promise<UserRecord> {
    if (this.row(input.username)) {
      throw new KioskError('user_exists', {
        vi: `Tài khoản "${input.username}" đã tồn tại.`,
        en: `The account "${input.username}" already exists.`,
      });
    }
    const hash = await hashPin(input.pin);
    const at = this.now().toISOString();
    try {
      this.db
        .prepare(
          `INSERT INTO users (username, display_name, role, pin_hash, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(input.username, input.displayName.normalize('NFC'), input.role, hash, at, at);
    } catch (err) {
      throw storageError(err);
    }
    return this.find(input.username)!;
  }

  async setPin(username: string, pin: string): Promise<UserRecord> {
    this.require(username);
    const hash = await hashPin(pin);
    this.db
      .prepare(
        `UPDATE users SET pin_hash = ?, failed_attempts = 0, locked_until = NULL, updated_at = ?
         WHERE username = ?`,
      )
      .run(hash, this.now().toISOString(), username);
    return this.find(username)!;
  }

  setActive(username: string, active: boolean): UserRecord {
    const u = this.require(username);
    if (!active && u.role === 'chair' && u.active) {
      const chairs = this.list().filter((x) => x.role === 'chair' && x.active).length;
      if (chairs <= 1) {
        throw new KioskError('last_chair', {
          vi: 'Không thể khóa tài khoản chủ tịch hội đồng cuối cùng.',
          en: 'The last active chair account cannot be deactivated.',
        });
      }
    }
    this.db
      .prepare('UPDATE users SET active = ?, updated_at = ? WHERE username = ?')
      .run(active ? 1 : 0, this.now().toISOString(), username);
    return this.find(username)!;
  }

  /**
   * Checks a PIN and updates the failure counter: MAX_FAILED_PINS wrong PINs in a row lock the
   * account (LOCK_BASE_MS, doubling per further series). While locked the PIN is not even tried.
   * An unknown user costs the same scrypt time as a known one.
   */
  async checkPin(username: string, pin: string): Promise<PinCheck> {
    const row = this.row(username);
    if (!row) {
      await verifyPin(pin, await dummyPinHash());
      return { ok: false, reason: 'unknown_user' };
    }
    const now = this.now();
    if (row.locked_until && new Date(row.locked_until) > now) {
      return {
        ok: false,
        reason: 'locked',
        lockedUntil: row.locked_until,
        failedAttempts: row.failed_attempts,
      };
    }
    const match = await verifyPin(pin, row.pin_hash);
    if (!row.active) return { ok: false, reason: 'inactive' };
    if (match) {
      this.db.prepare('UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?').run(row.id);
      return { ok: true, user: toRecord({ ...row, failed_attempts: 0, locked_until: null }) };
    }
    // Re-read inside the update so two windows failing at once both count.
    const failed = this.db.transaction(() => {
      const cur = this.db.prepare('SELECT failed_attempts FROM users WHERE id = ?').get(row.id) as {
        failed_attempts: number;
      };
      const n = cur.failed_attempts + 1;
      let lockedUntil: string | null = null;
      if (n % MAX_FAILED_PINS === 0) {
        const series = n / MAX_FAILED_PINS;
        const ms = Math.min(LOCK_MAX_MS, LOCK_BASE_MS * 2 ** (series - 1));
        lockedUntil = new Date(now.getTime() + ms).toISOString();
      }
      this.db
        .prepare('UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?')
        .run(n, lockedUntil, row.id);
      return { n, lockedUntil };
    })();
    return {
      ok: false,
      reason: failed.lockedUntil ? 'locked' : 'wrong_pin',
      failedAttempts: failed.n,
      ...(failed.lockedUntil ? { lockedUntil: failed.lockedUntil } : {}),
    };
  }

  private row(username: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
  }

  private require(username: string): UserRecord {
    const u = this.find(username);
    if (!u) {
      throw new KioskError('user_not_found', {
        vi: `Không tìm thấy tài khoản "${username}".`,
        en: `Account "${username}" not found.`,
      });
    }
    return u;
  }
}
