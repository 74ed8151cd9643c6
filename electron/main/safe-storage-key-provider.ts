/**
 * The app's KeyProvider: Electron's safeStorage, i.e. the operating system's keychain (DPAPI on
 * Windows, Keychain on macOS, libsecret/kwallet on Linux) protects the station keys stored in the
 * database. safeStorage works only after the app is ready.
 *
 * Where safeStorage cannot really protect anything (no keychain; Linux's "basic_text" backend uses a
 * fixed, public password) or when $KIOSK_KEY_FILE is set (a database shared with the CLI), the app
 * uses the key file provider instead, like the CLI, and says so in the technical log.
 */
import { safeStorage } from 'electron';
import type { AppLogger } from '../app/ports';
import { FileKeyProvider, defaultKeyFilePath, keyError, type KeyProvider } from '../core/key-provider';
import { storedKeyProviderKind } from '../core/key-store';

/** The part of Electron's safeStorage this provider uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

export class SafeStorageKeyProvider implements KeyProvider {
  readonly kind = 'safe-storage';

  constructor(private readonly storage: SafeStorageLike = safeStorage) {}

  /** Whether the OS keychain really protects the keys (not the fixed-password fallback). */
  usable(): boolean {
    if (!this.storage.isEncryptionAvailable()) return false;
    const backend = this.storage.getSelectedStorageBackend?.();
    return backend !== 'basic_text' && backend !== 'unknown';
  }

  wrap(secret: Uint8Array): Uint8Array {
    this.assertUsable();
    return this.storage.encryptString(Buffer.from(secret).toString('base64'));
  }

  unwrap(wrapped: Uint8Array): Uint8Array {
    this.assertUsable();
    try {
      const text = this.storage.decryptString(Buffer.from(wrapped));
      const out = Buffer.from(text, 'base64');
      if (out.toString('base64') !== text) throw new Error('not base64');
      return out;
    } catch {
      throw keyError(
        'key_unwrap_failed',
        'Kho khóa của hệ điều hành không giải mã được khóa của trạm (tài khoản hoặc máy khác, hoặc dữ liệu khóa đã bị sửa).',
        'The OS keychain cannot decrypt the station key (another user or machine, or the stored key was altered).',
      );
    }
  }

  private assertUsable(): void {
    if (!this.usable()) {
      throw keyError(
        'keychain_unavailable',
        'Kho khóa của hệ điều hành không dùng được để bảo vệ khóa của trạm.',
        'The OS keychain is not available to protect the station keys.',
      );
    }
  }
}

/**
 * The key provider of the app: the one the database's keys were made with, if any; otherwise
 * $KIOSK_KEY_FILE when set, else safeStorage when it really protects, else the key file next to the
 * database (logged as a warning: the keys are then only as safe as that file's permissions).
 */
export function createAppKeyProvider(
  dbPath: string,
  logger: AppLogger,
  storage: SafeStorageLike = safeStorage,
  env: NodeJS.ProcessEnv = process.env,
): KeyProvider {
  const stored = storedKeyProviderKind(dbPath);
  const safe = new SafeStorageKeyProvider(storage);
  if (stored === 'safe-storage') {
    logger.info('keys.provider', { provider: 'safe-storage', reason: 'stored' });
    return safe;
  }
  if (stored === 'file' || env.KIOSK_KEY_FILE) {
    logger.info('keys.provider', { provider: 'file', reason: stored ? 'stored' : 'KIOSK_KEY_FILE' });
    return new FileKeyProvider(defaultKeyFilePath(dbPath, env));
  }
  if (safe.usable()) {
    logger.info('keys.provider', { provider: 'safe-storage' });
    return safe;
  }
  logger.warn('keys.provider', { provider: 'file', reason: 'keychain_unavailable' });
  return new FileKeyProvider(defaultKeyFilePath(dbPath, env));
}
