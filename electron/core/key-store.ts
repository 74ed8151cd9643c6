/**
 * The station's secrets, stored in the database (table `station_keys`, migration 3) wrapped by the
 * KeyProvider: the Ed25519 signing key ('station-signing') and the data key that encrypts personal
 * data at rest ('data'). Each is generated on first use and never changed afterwards (triggers
 * forbid UPDATE and DELETE), so signatures and ciphertexts stay valid for the life of the database.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { Db } from './db';
import { keyError, type KeyProvider } from './key-provider';
import { storageError } from './errors';

export type KeyName = 'station-signing' | 'data';

interface KeyRow {
  name: string;
  provider: string;
  wrapped: Buffer;
  public_key: string | null;
  created_at: string;
}

export interface StoredKey {
  secret: Buffer;
  publicKey: string | null;
  createdAt: string;
}

export class KeyStore {
  private readonly cache = new Map<KeyName, StoredKey>();

  constructor(
    private readonly db: Db,
    readonly provider: KeyProvider,
  ) {}

  /** The public part stored with a key, without unwrapping anything; null when the key does not exist. */
  storedPublicKey(name: KeyName): string | null {
    const r = this.row(name);
    return r?.public_key ?? null;
  }

  /** Whether the key exists (nothing is created). */
  has(name: KeyName): boolean {
    return this.row(name) !== undefined;
  }

  /**
   * The secret `name`, unwrapped by the provider. When it does not exist yet and `create` is given,
   * a new one is made, wrapped and stored; two processes racing agree on the first one stored.
   */
  get(name: KeyName, create?: () => { secret: Buffer; publicKey: string | null }): StoredKey {
    const cached = this.cache.get(name);
    if (cached) return cached;
    let r = this.row(name);
    if (!r) {
      if (!create) {
        throw keyError('key_missing', 'Trạm chưa có khóa này.', `The station has no "${name}" key yet.`);
      }
      const made = create();
      const wrapped = Buffer.from(this.provider.wrap(made.secret));
      try {
        this.db
          .prepare(
            `INSERT OR IGNORE INTO station_keys (name, provider, wrapped, public_key, created_at)
             VALUES (?, ?, ?, ?, ?)`,
          )
          .run(name, this.provider.kind, wrapped, made.publicKey, new Date().toISOString());
      } catch (err) {
        throw storageError(err);
      }
      r = this.row(name)!;
    }
    if (r.provider !== this.provider.kind) {
      throw keyError(
        'key_provider_mismatch',
        'Khóa của trạm được bảo vệ bằng cách khác (tệp khóa hoặc kho khóa của hệ điều hành) so với chương trình đang chạy.',
        `The station's "${name}" key is protected by the "${r.provider}" key provider, not "${this.provider.kind}". ` +
          'Open the database with the key provider it was created with (KIOSK_KEY_FILE for a key file).',
      );
    }
    const out: StoredKey = {
      secret: Buffer.from(this.provider.unwrap(r.wrapped)),
      publicKey: r.public_key,
      createdAt: r.created_at,
    };
    this.cache.set(name, out);
    return out;
  }

  private row(name: KeyName): KeyRow | undefined {
    return this.db.prepare('SELECT * FROM station_keys WHERE name = ?').get(name) as KeyRow | undefined;
  }
}

/**
 * Which provider protects the keys already in the database at `dbPath` ('file', 'safe-storage'), or
 * undefined when there are none yet. Lets the app keep using the provider the keys were made with.
 */
export function storedKeyProviderKind(dbPath: string): string | undefined {
  if (!fs.existsSync(dbPath)) return undefined;
  let db: Db | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'station_keys'")
      .get();
    if (!table) return undefined;
    const r = db.prepare('SELECT provider FROM station_keys ORDER BY created_at LIMIT 1').get() as
      { provider: string } | undefined;
    return r?.provider;
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}
