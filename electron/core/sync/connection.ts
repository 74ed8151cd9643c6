/**
 * Reaching the council server: a `postgres://host:port/db?sslmode=verify-full&sslrootcert=ca.pem`
 * URL, and the role and password stored for that server in the station's database (encrypted under
 * the station's data key, like the other secrets; see data-crypto.ts). A URL that carries its own
 * user and password (the administrator's, for `kiosk server init`) is used as it is.
 */
import pg from 'pg';
import type { Db } from '../db';
import type { DataCipher } from '../data-crypto';
import { KioskError } from '../errors';

export type CredentialKind = 'station' | 'chair';

export interface ServerCredential {
  kind: CredentialKind;
  role: string;
  password: string;
}

/** What names a server in the station's tables: host:port/database (no user, no password, no options). */
export function serverKey(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badUrl(url);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw badUrl(url);
  const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  return `${u.hostname}:${u.port || '5432'}/${db}`;
}

function badUrl(url: string): KioskError {
  // The URL may carry a password: never echo it.
  void url;
  return new KioskError('bad_server_url', {
    vi: 'Địa chỉ máy chủ không hợp lệ (cần dạng postgres://máy:cổng/cơ-sở-dữ-liệu).',
    en: 'The server URL is not valid (expected postgres://host:port/database).',
  });
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

export class CredentialStore {
  constructor(
    private readonly db: Db,
    private readonly cipher: DataCipher,
  ) {}

  private context(server: string): string {
    return `cccd-kiosk/sync_credentials/${server}`;
  }

  save(url: string, cred: ServerCredential): void {
    const server = serverKey(url);
    this.db
      .prepare(
        `INSERT INTO sync_credentials (server, kind, role, secret, added_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (server) DO UPDATE SET kind = excluded.kind, role = excluded.role, secret = excluded.secret,
           added_at = excluded.added_at`,
      )
      .run(
        server,
        cred.kind,
        cred.role,
        this.cipher.encryptText(cred.password, this.context(server)),
        new Date().toISOString(),
      );
  }

  get(url: string): ServerCredential | undefined {
    const server = serverKey(url);
    const r = this.db
      .prepare('SELECT kind, role, secret FROM sync_credentials WHERE server = ?')
      .get(server) as { kind: CredentialKind; role: string; secret: string } | undefined;
    if (!r) return undefined;
    return { kind: r.kind, role: r.role, password: this.cipher.decryptText(r.secret, this.context(server)) };
  }

  /** The servers this station has credentials for. */
  servers(): { server: string; kind: CredentialKind; role: string }[] {
    return this.db.prepare('SELECT server, kind, role FROM sync_credentials ORDER BY server').all() as {
      server: string;
      kind: CredentialKind;
      role: string;
    }[];
  }
}

/** pg client settings for `url`, with the stored credentials when the URL has no user of its own. */
export function clientConfig(url: string, cred?: ServerCredential): pg.ClientConfig {
  serverKey(url);
  const u = new URL(url);
  if (!u.username && cred) {
    // pg lets the connection string win over separate fields: put the stored role into it.
    u.username = encodeURIComponent(cred.role);
    u.password = encodeURIComponent(cred.password);
  } else if (!u.username) {
    throw new KioskError('no_server_credentials', {
      vi: 'Trạm chưa có tài khoản trên máy chủ này. Hãy chạy "kiosk server add-station" (hoặc "server init" cho chủ tịch).',
      en: `No credentials for ${serverKey(url)} on this station. Run "kiosk server add-station" (or "server init" for the chair).`,
    });
  }
  const config: pg.ClientConfig = {
    connectionString: u.toString(),
    connectionTimeoutMillis: 5000,
    statement_timeout: 60_000,
    application_name: 'cccd-kiosk',
  };
  return config;
}

export async function connect(url: string, cred?: ServerCredential): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(url, cred));
  // An idle connection that drops (server restarted) must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw serverUnreachable(url, err);
  }
  return client;
}

export function serverUnreachable(url: string, err: unknown): KioskError {
  const why = err instanceof Error ? err.message : String(err);
  return new KioskError('server_unreachable', {
    vi: `Không kết nối được máy chủ hội đồng ${serverKey(url)}. Trạm vẫn điểm danh bình thường; dữ liệu sẽ được gửi khi có kết nối.`,
    en: `Cannot reach the council server ${serverKey(url)}: ${why}. The station keeps checking in; entries are sent when it is back.`,
  });
}
