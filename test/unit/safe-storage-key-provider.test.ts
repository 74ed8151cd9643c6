/**
 * The app's key provider over Electron's safeStorage. The electron module cannot load here (its
 * binary is not installed), so it is mocked; the keychain itself is played by an AES-256-GCM
 * "keychain" with a key only it knows, so wrapping really encrypts and a foreign blob really fails.
 */
import { describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { tempDir } from '../support/tmp';

vi.mock('electron', () => ({ safeStorage: {} }));

const { SafeStorageKeyProvider, createAppKeyProvider } =
  await import('../../electron/main/safe-storage-key-provider');
const { FileKeyProvider } = await import('../../electron/core/key-provider');
const { KioskServices } = await import('../../electron/core/services');
const { silentLogger } = await import('../../electron/app/ports');

/** An OS keychain stand-in: encrypts strings under a secret of its own. */
function keychain(backend = 'gnome_libsecret', available = true) {
  const key = randomBytes(32);
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString(text: string): Buffer {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
      return Buffer.concat([iv, body, c.getAuthTag()]);
    },
    decryptString(blob: Buffer): string {
      const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
      d.setAuthTag(blob.subarray(blob.length - 16));
      return Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()]).toString('utf8');
    },
  };
}

const dir = tempDir('kiosk-safe-storage-');

describe('SafeStorageKeyProvider', () => {
  it('wraps through the keychain; another keychain (user, machine) cannot unwrap', () => {
    const chain = keychain();
    const p = new SafeStorageKeyProvider(chain);
    const secret = randomBytes(32);
    const wrapped = p.wrap(secret);
    expect(Buffer.from(wrapped).includes(secret)).toBe(false);
    expect(Buffer.from(p.unwrap(wrapped))).toEqual(secret);
    const other = new SafeStorageKeyProvider(keychain());
    expect(() => other.unwrap(wrapped)).toThrow(expect.objectContaining({ code: 'key_unwrap_failed' }));
  });

  it("is not used when safeStorage cannot really protect (no keychain, Linux 'basic_text')", () => {
    expect(new SafeStorageKeyProvider(keychain('basic_text')).usable()).toBe(false);
    expect(new SafeStorageKeyProvider(keychain('gnome_libsecret', false)).usable()).toBe(false);
    expect(() => new SafeStorageKeyProvider(keychain('basic_text')).wrap(Buffer.alloc(1))).toThrow(
      expect.objectContaining({ code: 'keychain_unavailable' }),
    );
  });

  it('the app picks the stored provider, else KIOSK_KEY_FILE, else the keychain, else a key file', () => {
    const fresh = (n: string) => path.join(dir, n, 'kiosk.db');
    expect(createAppKeyProvider(fresh('a'), silentLogger, keychain(), {}).kind).toBe('safe-storage');
    expect(createAppKeyProvider(fresh('b'), silentLogger, keychain('basic_text'), {}).kind).toBe('file');
    const viaEnv = createAppKeyProvider(fresh('c'), silentLogger, keychain(), {
      KIOSK_KEY_FILE: path.join(dir, 'x.key'),
    });
    expect(viaEnv).toBeInstanceOf(FileKeyProvider);
    expect((viaEnv as InstanceType<typeof FileKeyProvider>).file).toBe(path.join(dir, 'x.key'));

    // A database whose keys a key file protects keeps its key file, keychain or not; and the other way round.
    const fileDb = fresh('d');
    const s1 = new KioskServices({
      dbPath: fileDb,
      keyProvider: new FileKeyProvider(path.join(dir, 'd', 'kiosk.key')),
    });
    s1.stationKey.publicKeyPem();
    s1.close();
    expect(createAppKeyProvider(fileDb, silentLogger, keychain(), {}).kind).toBe('file');

    const chain = keychain();
    const safeDb = fresh('e');
    const s2 = new KioskServices({
      dbPath: safeDb,
      keyProvider: createAppKeyProvider(safeDb, silentLogger, chain, {}),
    });
    const pem = s2.stationKey.publicKeyPem();
    s2.close();
    const s3 = new KioskServices({
      dbPath: safeDb,
      keyProvider: createAppKeyProvider(safeDb, silentLogger, chain, {
        KIOSK_KEY_FILE: path.join(dir, 'y.key'),
      }),
    });
    expect(s3.keyProvider.kind).toBe('safe-storage');
    expect(s3.stationKey.existingPublicKeyPem()).toBe(pem);
    s3.close();
  });
});
