/**
 * Who protects the station's secrets (the Ed25519 signing key and the data key that encrypts
 * personal data at rest). The secrets themselves live in the database, wrapped (encrypted) by a
 * KeyProvider; the database alone therefore decrypts nothing and signs nothing.
 *
 *  - FileKeyProvider (the CLI, tests, and the app when the OS keychain is unusable): a 256-bit
 *    key-encryption key in a key file, mode 0600, created on first use next to the database
 *    (`kiosk.key`), or at $KIOSK_KEY_FILE. Wrapping is AES-256-GCM under that key.
 *  - SafeStorageKeyProvider (electron/main/safe-storage-key-provider.ts): Electron's safeStorage,
 *    i.e. the OS keychain (DPAPI, Keychain, libsecret/kwallet).
 *
 * The interface is synchronous, like better-sqlite3 and safeStorage.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KioskError } from './errors';

export interface KeyProvider {
  /** What protects the keys ('file', 'safe-storage'): stored with each wrapped key. */
  readonly kind: string;
  /** Encrypts a secret for storage in the database. */
  wrap(secret: Uint8Array): Uint8Array;
  /** Decrypts what wrap() produced. Throws a KioskError when it cannot (other key, altered bytes). */
  unwrap(wrapped: Uint8Array): Uint8Array;
}

export const KEY_FILE_NAME = 'kiosk.key';
const KEY_FILE_FORMAT = 'cccd-kiosk-key-file';
const WRAP_MAGIC = Buffer.from('CKW1', 'ascii');
const WRAP_AAD = Buffer.from('cccd-kiosk/key-wrap/v1', 'ascii');

/** The key file: $KIOSK_KEY_FILE, else `kiosk.key` in the folder of the database. */
export function defaultKeyFilePath(dbPath: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.KIOSK_KEY_FILE) return path.resolve(env.KIOSK_KEY_FILE);
  return path.join(path.dirname(path.resolve(dbPath)), KEY_FILE_NAME);
}

export function keyError(code: string, vi: string, en: string): KioskError {
  return new KioskError(code, { vi, en });
}

/** AES-256-GCM with a fresh 96-bit IV: MAGIC(4) | IV(12) | ciphertext | tag(16). */
export function gcmSeal(key: Uint8Array, plain: Uint8Array, aad: Uint8Array, magic: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([magic, iv, body, c.getAuthTag()]);
}

/** Opens a gcmSeal() blob; null when the magic, the key, the AAD or any byte does not match. */
export function gcmOpen(key: Uint8Array, blob: Uint8Array, aad: Uint8Array, magic: Buffer): Buffer | null {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (b.length < magic.length + 12 + 16 || !b.subarray(0, magic.length).equals(magic)) return null;
  const iv = b.subarray(magic.length, magic.length + 12);
  const tag = b.subarray(b.length - 16);
  const body = b.subarray(magic.length + 12, b.length - 16);
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAAD(aad);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(body), d.final()]);
  } catch {
    return null;
  }
}

/**
 * The key file provider. The file holds JSON `{ format, version, key }` with a random 32-byte key;
 * it is created exclusively (two processes starting at once agree on one file) with mode 0600 in a
 * folder created 0700, and refused when group or others may read it (POSIX).
 */
export class FileKeyProvider implements KeyProvider {
  readonly kind = 'file';
  private kek: Buffer | undefined;

  constructor(readonly file: string) {}

  wrap(secret: Uint8Array): Uint8Array {
    return gcmSeal(this.key(true), secret, WRAP_AAD, WRAP_MAGIC);
  }

  unwrap(wrapped: Uint8Array): Uint8Array {
    const out = gcmOpen(this.key(false), wrapped, WRAP_AAD, WRAP_MAGIC);
    if (!out) {
      throw keyError(
        'key_unwrap_failed',
        'Không giải mã được khóa của trạm bằng tệp khóa này (tệp khóa khác hoặc dữ liệu khóa đã bị sửa).',
        'The station key cannot be decrypted with this key file (another key file, or the stored key was altered).',
      );
    }
    return out;
  }

  /** True when the key file exists (nothing is created). */
  exists(): boolean {
    return fs.existsSync(this.file);
  }

  private key(create: boolean): Buffer {
    if (this.kek) return this.kek;
    if (!fs.existsSync(this.file)) {
      if (!create) {
        throw keyError(
          'key_file_missing',
          'Không tìm thấy tệp khóa của trạm. Cần đúng tệp khóa đã dùng khi tạo dữ liệu (biến KIOSK_KEY_FILE).',
          `The station key file is missing: ${this.file}. Use the key file the data was created with (KIOSK_KEY_FILE).`,
        );
      }
      this.createFile();
    }
    this.kek = this.readFile();
    return this.kek;
  }

  private createFile(): void {
    const body = JSON.stringify({
      format: KEY_FILE_FORMAT,
      version: 1,
      key: randomBytes(32).toString('base64'),
      createdAt: new Date().toISOString(),
    });
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(this.file, body + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
      throw keyError(
        'key_file_unwritable',
        'Không tạo được tệp khóa của trạm (không có quyền ghi?).',
        `Cannot create the station key file ${this.file}: ${(err as Error).message}`,
      );
    }
  }

  private readFile(): Buffer {
    let text: string;
    try {
      if (process.platform !== 'win32') {
        const mode = fs.statSync(this.file).mode;
        if (mode & 0o077) {
          throw keyError(
            'key_file_permissions',
            'Tệp khóa của trạm đang cho người khác đọc được. Hãy đặt quyền 600 (chỉ chủ sở hữu).',
            `The station key file ${this.file} is readable by group or others (mode ${(mode & 0o777).toString(8)}); set it to 600.`,
          );
        }
      }
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if (err instanceof KioskError) throw err;
      throw keyError(
        'key_file_unreadable',
        'Không đọc được tệp khóa của trạm.',
        `Cannot read the station key file ${this.file}: ${(err as Error).message}`,
      );
    }
    let key: Buffer | undefined;
    try {
      const j = JSON.parse(text) as { format?: unknown; version?: unknown; key?: unknown };
      if (j.format === KEY_FILE_FORMAT && j.version === 1 && typeof j.key === 'string') {
        key = Buffer.from(j.key, 'base64');
      }
    } catch {
      key = undefined;
    }
    if (!key || key.length !== 32) {
      throw keyError(
        'key_file_invalid',
        'Tệp khóa của trạm không hợp lệ.',
        `The station key file ${this.file} is not a CCCD Kiosk key file.`,
      );
    }
    return key;
  }
}
