/**
 * The station's keys: the key file provider (created on first use, 0600, exclusive, refused when
 * others may read it), the key store (wrapped in the database, one provider), the Ed25519 station key
 * and the AES-256-GCM data cipher. Real files, real SQLite, real node:crypto.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createHash, createPublicKey, verify as edVerify } from 'node:crypto';
import Database from 'better-sqlite3';
import { tempDir } from '../support/tmp';
import { openDatabase } from '../../electron/core/db';
import { FileKeyProvider, KEY_FILE_NAME, defaultKeyFilePath } from '../../electron/core/key-provider';
import { KeyStore, storedKeyProviderKind } from '../../electron/core/key-store';
import { StationKey, publicKeyFingerprint, verifyStationSignature } from '../../electron/core/station-key';
import { DataCipher, candidateContext, isEncryptedBlob } from '../../electron/core/data-crypto';
import { KioskServices } from '../../electron/core/services';

const dir = tempDir('kiosk-keys-');
let n = 0;
const fresh = (name = 'k') => path.join(dir, `${name}-${n++}`);
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('FileKeyProvider', () => {
  it('creates the key file on first wrap only, mode 0600, in a 0700 folder, and round-trips', () => {
    const file = path.join(fresh('d'), 'sub', KEY_FILE_NAME);
    const p = new FileKeyProvider(file);
    expect(fs.existsSync(file)).toBe(false);
    const secret = Buffer.from('0123456789abcdef0123456789abcdef');
    const wrapped = p.wrap(secret);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(Buffer.from(wrapped).includes(secret)).toBe(false);
    expect(Buffer.from(p.unwrap(wrapped))).toEqual(secret);
    // Another process (a new provider on the same file) unwraps it; wrapping twice differs (fresh IV).
    expect(Buffer.from(new FileKeyProvider(file).unwrap(wrapped))).toEqual(secret);
    expect(Buffer.from(p.wrap(secret))).not.toEqual(Buffer.from(wrapped));
    const body = JSON.parse(fs.readFileSync(file, 'utf8')) as { format: string; key: string };
    expect(body.format).toBe('cccd-kiosk-key-file');
    expect(Buffer.from(body.key, 'base64')).toHaveLength(32);
  });

  it('refuses another key file, altered bytes, a missing file (without creating one) and loose permissions', () => {
    const a = new FileKeyProvider(path.join(fresh('d'), KEY_FILE_NAME));
    const wrapped = Buffer.from(a.wrap(Buffer.alloc(32, 7)));
    const b = new FileKeyProvider(path.join(fresh('d'), KEY_FILE_NAME));
    b.wrap(Buffer.alloc(1));
    expect(codeOf(() => b.unwrap(wrapped))).toBe('key_unwrap_failed');
    const flipped = Buffer.from(wrapped);
    flipped[20] = flipped[20]! ^ 1;
    expect(codeOf(() => a.unwrap(flipped))).toBe('key_unwrap_failed');

    const missing = path.join(fresh('d'), KEY_FILE_NAME);
    expect(codeOf(() => new FileKeyProvider(missing).unwrap(wrapped))).toBe('key_file_missing');
    expect(fs.existsSync(missing)).toBe(false);

    const loose = path.join(fresh('d'), KEY_FILE_NAME);
    new FileKeyProvider(loose).wrap(Buffer.alloc(1));
    fs.chmodSync(loose, 0o644);
    expect(codeOf(() => new FileKeyProvider(loose).wrap(Buffer.alloc(1)))).toBe('key_file_permissions');

    const junk = path.join(fresh('d'), KEY_FILE_NAME);
    fs.mkdirSync(path.dirname(junk), { recursive: true });
    fs.writeFileSync(junk, '{"format":"something else"}', { mode: 0o600 });
    expect(codeOf(() => new FileKeyProvider(junk).wrap(Buffer.alloc(1)))).toBe('key_file_invalid');
  });

  it('lives next to the database unless KIOSK_KEY_FILE says otherwise', () => {
    expect(defaultKeyFilePath('/data/kiosk/kiosk.db', {})).toBe('/data/kiosk/kiosk.key');
    expect(defaultKeyFilePath('/data/kiosk/kiosk.db', { KIOSK_KEY_FILE: '/secure/k.key' })).toBe(
      '/secure/k.key',
    );
  });
});

describe('KeyStore and StationKey', () => {
  it('generates the Ed25519 key on first use; the signature verifies with the exported PEM and its fingerprint is SHA-256 of the SPKI', () => {
    const d = fresh('d');
    const db = openDatabase(path.join(d, 'kiosk.db'));
    const provider = new FileKeyProvider(path.join(d, KEY_FILE_NAME));
    const key = new StationKey(new KeyStore(db, provider));
    expect(key.exists()).toBe(false);
    expect(codeOf(() => key.existingPublicKeyPem())).toBe('key_missing');
    expect(fs.existsSync(provider.file)).toBe(false);

    const pem = key.publicKeyPem();
    expect(key.exists()).toBe(true);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(createPublicKey(pem).asymmetricKeyType).toBe('ed25519');
    const sig = key.sign('statement text');
    expect(
      edVerify(null, Buffer.from('statement text'), createPublicKey(pem), Buffer.from(sig, 'base64')),
    ).toBe(true);
    expect(verifyStationSignature(pem, 'statement text', sig)).toBe(true);
    expect(verifyStationSignature(pem, 'statement texT', sig)).toBe(false);
    expect(key.fingerprint()).toBe(
      createHash('sha256')
        .update(createPublicKey(pem).export({ type: 'spki', format: 'der' }))
        .digest('hex'),
    );
    expect(publicKeyFingerprint(pem)).toBe(key.fingerprint());

    // The private key is stored wrapped, never in clear.
    const row = db
      .prepare("SELECT provider, wrapped, public_key FROM station_keys WHERE name = 'station-signing'")
      .get() as {
      provider: string;
      wrapped: Buffer;
      public_key: string;
    };
    expect(row.provider).toBe('file');
    expect(row.public_key.trim()).toBe(pem.trim());
    expect(row.wrapped.subarray(0, 4).toString()).toBe('CKW1');
    db.close();

    // Reopened: the same key, and station_keys cannot be changed or deleted through SQL.
    const db2 = openDatabase(path.join(d, 'kiosk.db'));
    const again = new StationKey(new KeyStore(db2, new FileKeyProvider(provider.file)));
    expect(again.existingPublicKeyPem()).toBe(pem);
    expect(() => db2.prepare('DELETE FROM station_keys').run()).toThrow(/never deleted/);
    expect(() => db2.prepare("UPDATE station_keys SET public_key = 'x'").run()).toThrow(/never changed/);
    expect(storedKeyProviderKind(path.join(d, 'kiosk.db'))).toBe('file');
    db2.close();
  });

  it('keys made by one provider are refused by another kind', () => {
    const d = fresh('d');
    const db = openDatabase(path.join(d, 'kiosk.db'));
    new StationKey(new KeyStore(db, new FileKeyProvider(path.join(d, KEY_FILE_NAME)))).publicKeyPem();
    const other = { kind: 'safe-storage', wrap: (s: Uint8Array) => s, unwrap: (s: Uint8Array) => s };
    expect(codeOf(() => new StationKey(new KeyStore(db, other)).publicKeyPem())).toBe(
      'key_provider_mismatch',
    );
    db.close();
    expect(storedKeyProviderKind(path.join(fresh('none'), 'kiosk.db'))).toBeUndefined();
  });

  it('a public key swapped in the database is detected when the key loads', () => {
    const d = fresh('d');
    const file = path.join(d, 'kiosk.db');
    const db = openDatabase(file);
    const kf = path.join(d, KEY_FILE_NAME);
    new StationKey(new KeyStore(db, new FileKeyProvider(kf))).publicKeyPem();
    db.close();
    const raw = new Database(file);
    raw.exec('DROP TRIGGER station_keys_no_update');
    const other = new KioskServices({ dbPath: path.join(fresh('o'), 'kiosk.db') });
    const otherPem = other.stationKey.publicKeyPem();
    other.close();
    raw.prepare("UPDATE station_keys SET public_key = ? WHERE name = 'station-signing'").run(otherPem);
    raw.close();
    const db2 = openDatabase(file);
    expect(codeOf(() => new StationKey(new KeyStore(db2, new FileKeyProvider(kf))).publicKeyPem())).toBe(
      'key_mismatch',
    );
    db2.close();
  });
});

describe('DataCipher (AES-256-GCM, data key from the key store)', () => {
  it('round-trips bytes and text, binds each value to its row and column, and refuses altered bytes', () => {
    const d = fresh('d');
    const db = openDatabase(path.join(d, 'kiosk.db'));
    const cipher = new DataCipher(new KeyStore(db, new FileKeyProvider(path.join(d, KEY_FILE_NAME))));
    const photo = Buffer.from('\xff\xd8\xff a photo of a fictional person', 'latin1');
    const ctx = candidateContext('photo', 1, '000001');
    const blob = cipher.encrypt(photo, ctx);
    expect(isEncryptedBlob(blob)).toBe(true);
    expect(blob.includes(photo.subarray(3))).toBe(false);
    expect(cipher.decrypt(blob, ctx)).toEqual(photo);
    expect(codeOf(() => cipher.decrypt(blob, candidateContext('photo', 1, '000002')))).toBe(
      'data_decrypt_failed',
    );
    expect(codeOf(() => cipher.decrypt(blob, candidateContext('note', 1, '000001')))).toBe(
      'data_decrypt_failed',
    );
    const altered = Buffer.from(blob);
    altered[altered.length - 20] = altered[altered.length - 20]! ^ 0x80;
    expect(codeOf(() => cipher.decrypt(altered, ctx))).toBe('data_decrypt_failed');

    const note = 'Địa chỉ: Số 12 Ngõ 34 Phố Huế, Hai Bà Trưng, Hà Nội';
    const nctx = candidateContext('note', 1, '000001');
    const stored = cipher.encryptText(note, nctx);
    expect(stored.startsWith('enc:v1:')).toBe(true);
    expect(stored).not.toContain('Phố Huế');
    expect(cipher.decryptText(stored, nctx)).toBe(note);
    expect(codeOf(() => cipher.decryptText(note, nctx))).toBe('data_decrypt_failed');

    // The data key is stored wrapped: the database alone does not hold it.
    const row = db.prepare("SELECT wrapped, public_key FROM station_keys WHERE name = 'data'").get() as {
      wrapped: Buffer;
      public_key: string | null;
    };
    expect(row.public_key).toBeNull();
    expect(row.wrapped.length).toBe(4 + 12 + 32 + 16);
    db.close();
  });
});
