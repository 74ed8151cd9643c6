/**
 * The station's Ed25519 signing key (node:crypto). Generated on first use; the private key (PKCS#8
 * DER) is stored wrapped by the KeyProvider in `station_keys`, the public key (SPKI PEM) next to it.
 * The public key that signatures are checked against is always DERIVED from the unwrapped private
 * key, so a public key swapped in the database is not believed.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { KeyStore } from './key-store';
import { keyError } from './key-provider';

export class StationKey {
  private priv: KeyObject | undefined;
  private pem: string | undefined;

  constructor(private readonly store: KeyStore) {}

  /** The public key (SPKI PEM); creates the key pair on first use. */
  publicKeyPem(): string {
    this.load();
    return this.pem!;
  }

  /** SHA-256 of the public key's SPKI DER, hex: how the key is named in statements and reports. */
  fingerprint(): string {
    return publicKeyFingerprint(this.publicKeyPem());
  }

  /** Ed25519 signature of `data` (UTF-8 when a string), base64. */
  sign(data: string | Uint8Array): string {
    this.load();
    return sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, this.priv!).toString(
      'base64',
    );
  }

  /** Whether a station key exists already (nothing is created). */
  exists(): boolean {
    return this.store.has('station-signing');
  }

  /**
   * The public key of the EXISTING station key, derived from the unwrapped private key; never
   * creates one (verification must not mint a key). Throws a KioskError when there is none or it
   * cannot be unwrapped by this key provider.
   */
  existingPublicKeyPem(): string {
    this.load(false);
    return this.pem!;
  }

  private load(create = true): void {
    if (this.priv) return;
    const make = () => {
      const pair = generateKeyPairSync('ed25519');
      return {
        secret: pair.privateKey.export({ format: 'der', type: 'pkcs8' }),
        publicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      };
    };
    const k = this.store.get('station-signing', create ? make : undefined);
    const priv = createPrivateKey({ key: k.secret, format: 'der', type: 'pkcs8' });
    if (priv.asymmetricKeyType !== 'ed25519') {
      throw keyError(
        'key_invalid',
        'Khóa ký của trạm không hợp lệ.',
        'The station signing key is not Ed25519.',
      );
    }
    const pem = createPublicKey(priv).export({ format: 'pem', type: 'spki' }).toString();
    if (k.publicKey !== null && normalisePem(k.publicKey) !== normalisePem(pem)) {
      throw keyError(
        'key_mismatch',
        'Khóa công khai lưu trong cơ sở dữ liệu không khớp với khóa ký của trạm (đã bị sửa?).',
        'The public key stored in the database does not match the station signing key (altered?).',
      );
    }
    this.priv = priv;
    this.pem = pem;
  }
}

/** PEM with uniform line ends and no surrounding blanks, for comparison. */
export function normalisePem(pem: string): string {
  return pem.replace(/\r\n?/g, '\n').trim();
}

/** SHA-256 (hex) of a public key's SPKI DER; throws a KioskError when `pem` is not a public key. */
export function publicKeyFingerprint(pem: string): string {
  return createHash('sha256').update(spkiDer(pem)).digest('hex');
}

function spkiDer(pem: string): Buffer {
  try {
    return createPublicKey(pem).export({ format: 'der', type: 'spki' });
  } catch {
    throw keyError('public_key_invalid', 'Khóa công khai không hợp lệ.', 'Not a valid public key (PEM).');
  }
}

/** Checks an Ed25519 signature (base64) over `data` with a PEM public key; false on any problem. */
export function verifyStationSignature(publicKeyPem: string, data: string, signatureB64: string): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') return false;
    const sig = Buffer.from(signatureB64, 'base64');
    if (sig.length !== 64 || sig.toString('base64') !== signatureB64) return false;
    return verify(null, Buffer.from(data, 'utf8'), key, sig);
  } catch {
    return false;
  }
}
