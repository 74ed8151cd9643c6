/**
 * Personal data at rest: AES-256-GCM under the station's data key (32 random bytes, generated on
 * first use and stored wrapped by the KeyProvider in `station_keys`).
 *
 * Binary values (photos) are stored as `CKE1 | IV(12) | ciphertext | tag(16)`; text values (notes)
 * as `enc:v1:` + base64 of the same. The additional authenticated data names the column and the
 * row (`candidates.photo/<session id>/<candidate no>`), so a ciphertext moved to another row or
 * column does not decrypt: it reads as altered.
 */
import { randomBytes } from 'node:crypto';
import type { KeyStore } from './key-store';
import { gcmOpen, gcmSeal, keyError } from './key-provider';

const MAGIC = Buffer.from('CKE1', 'ascii');
export const ENCRYPTED_TEXT_PREFIX = 'enc:v1:';

export class DataCipher {
  private key: Buffer | undefined;

  constructor(private readonly store: KeyStore) {}

  encrypt(plain: Uint8Array, context: string): Buffer {
    return gcmSeal(this.dataKey(), plain, Buffer.from(context, 'utf8'), MAGIC);
  }

  decrypt(blob: Uint8Array, context: string): Buffer {
    const out = gcmOpen(this.dataKey(), blob, Buffer.from(context, 'utf8'), MAGIC);
    if (!out) throw alteredError();
    return out;
  }

  encryptText(text: string, context: string): string {
    return ENCRYPTED_TEXT_PREFIX + this.encrypt(Buffer.from(text, 'utf8'), context).toString('base64');
  }

  /** Opens an encryptText() value; a value that is not one was altered (or predates encryption). */
  decryptText(stored: string, context: string): string {
    if (!isEncryptedText(stored)) throw alteredError();
    return this.decrypt(Buffer.from(stored.slice(ENCRYPTED_TEXT_PREFIX.length), 'base64'), context).toString(
      'utf8',
    );
  }

  private dataKey(): Buffer {
    this.key ??= this.store.get('data', () => ({ secret: randomBytes(32), publicKey: null })).secret;
    return this.key;
  }
}

export function isEncryptedBlob(blob: Uint8Array): boolean {
  return blob.length >= MAGIC.length && Buffer.from(blob.subarray(0, MAGIC.length)).equals(MAGIC);
}

export function isEncryptedText(text: string): boolean {
  return text.startsWith(ENCRYPTED_TEXT_PREFIX);
}

/** The AAD of a candidate's encrypted column. */
export function candidateContext(column: 'photo' | 'note', sessionId: number, candidateNo: string): string {
  return `cccd-kiosk/candidates.${column}/${sessionId}/${candidateNo}`;
}

function alteredError() {
  return keyError(
    'data_decrypt_failed',
    'Không giải mã được dữ liệu cá nhân đã mã hóa (dữ liệu bị sửa, bị chuyển sang dòng khác, hoặc sai khóa).',
    'Encrypted personal data cannot be decrypted (altered, moved to another row, or another data key).',
  );
}
