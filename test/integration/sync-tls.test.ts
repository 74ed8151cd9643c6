/**
 * TLS to the council server: `sslmode=verify-full` with the centre's own CA (made here with openssl).
 * A station syncs over TLS (the server says the connection is encrypted); checked against another CA,
 * the same server is refused before any entry leaves the station.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { needsPart } from '../support/system-parts';
import { tempDir } from '../support/tmp';
import { destroyPg, startPg, type PgServer } from '../support/pg-server';
import { SESSION, setUpCouncil } from '../support/sync-council';

const part = needsPart('postgres', 'sync over TLS (verify-full) with a PostgreSQL council server');

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

function makeServerCert(
  dir: string,
  ca: { cert: string; key: string },
  san: string,
): { cert: string; key: string } {
  const key = path.join(dir, 'server.key');
  const csr = path.join(dir, 'server.csr');
  const cert = path.join(dir, 'server.pem');
  const ext = path.join(dir, 'ext.cnf');
  execFileSync(
    'openssl',
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      csr,
      '-subj',
      '/CN=council-server',
    ],
    { stdio: 'ignore' },
  );
  execFileSync('sh', ['-c', `printf 'subjectAltName=${san}\\n' > '${ext}'`]);
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-out',
      cert,
      '-days',
      '2',
      '-extfile',
      ext,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

describe.skipIf(part.skip)('sync over TLS with sslmode=verify-full', () => {
  const dir = tempDir('kiosk-synctls-');
  let server: PgServer;
  let ca: { cert: string; key: string };
  let other: { cert: string; key: string };

  beforeAll(async () => {
    ca = makeCa(dir, 'centre-ca');
    other = makeCa(dir, 'someone-else');
    server = await startPg('kiosk-pgtls-', makeServerCert(dir, ca, 'IP:127.0.0.1,DNS:localhost'));
  }, 120_000);
  afterAll(() => server && destroyPg(server));

  it('syncs over TLS with the centre CA; refuses a server certificate the centre CA did not sign', async () => {
    const tlsUrl = (host: string, caFile: string) =>
      `postgres://${host}:${server.port}/postgres?sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`;
    const adminTls = server.adminUrl + `?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca.cert)}`;
    const c = setUpCouncil(dir, { ...server, adminUrl: adminTls, baseUrl: tlsUrl('127.0.0.1', ca.cert) }, 5);
    const a = c.station('tls-A');
    expect(c.run(a, 'tls-A', 'check', '--session', SESSION, '--qr', c.qr(0)).code).toBe(0);
    const ok = c.run(a, 'tls-A', 'sync', '--server', tlsUrl('127.0.0.1', ca.cert), '--once', '--json');
    expect(ok.code, ok.stderr).toBe(0);

    // The server saw an encrypted connection from the station's role.
    const admin = new pg.Client({ connectionString: adminTls });
    await admin.connect();
    const ssl = await admin.query<{ ssl: boolean }>(
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    await admin.end();
    expect(ssl.rows[0]!.ssl).toBe(true);

    // Same server, same credentials (stored for 127.0.0.1:port/postgres): a certificate another CA did not sign is refused.
    const wrongCa = c.run(a, 'tls-A', 'sync', '--server', tlsUrl('127.0.0.1', other.cert), '--once');
    expect(wrongCa.code).toBe(1);
    expect(wrongCa.stderr).toMatch(/self[- ]signed|unable to verify|certificate/i);
  }, 120_000);
});
