/**
 * A real PostgreSQL server for the sync tests: initdb + pg_ctl in a temp folder, a free TCP port on
 * 127.0.0.1 and the unix socket in the same folder, password (SCRAM) authentication for every role.
 * As root the server runs as the `postgres` system user (PostgreSQL refuses to run as root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pgBinDir } from './system-parts';

export interface PgServer {
  dir: string;
  port: number;
  /** The administrator's URL (superuser kiosk_admin). */
  adminUrl: string;
  /** A URL with no credentials (what a station is given: its role comes from the stored credentials). */
  baseUrl: string;
  stop(): void;
  start(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function runAs(user: string | undefined, cmd: string, args: string[]): void {
  const full = user ? ['runuser', ['-u', user, '--', cmd, ...args]] : [cmd, args];
  const r = spawnSync(full[0] as string, full[1] as string[], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  }
}

export interface PgTls {
  /** PEM files: the server's certificate and key (the key is copied for the server user, mode 0600). */
  cert: string;
  key: string;
}

export async function startPg(prefix = 'kiosk-pg-', tls?: PgTls): Promise<PgServer> {
  const bin = pgBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? 'postgres' : undefined;
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  const password = 'admin-' + Math.random().toString(36).slice(2);
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (asRoot) execFileSync('chown', ['postgres', pwfile]);
  runAs(user, path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'kiosk_admin',
    '--pwfile',
    pwfile,
    '--auth',
    'scram-sha-256',
    '-E',
    'UTF8',
    '--locale',
    'C',
  ]);
  fs.rmSync(pwfile);
  const port = await freePort();
  let sslOpts = '';
  if (tls) {
    const cert = path.join(dir, 'server.crt');
    const key = path.join(dir, 'server.key');
    fs.copyFileSync(tls.cert, cert);
    fs.copyFileSync(tls.key, key);
    fs.chmodSync(key, 0o600);
    if (asRoot) execFileSync('chown', ['postgres', cert, key]);
    sslOpts = ` -c ssl=on -c ssl_cert_file=${cert} -c ssl_key_file=${key}`;
  }
  const logFile = path.join(dir, 'server.log');
  const start = () =>
    runAs(user, path.join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      logFile,
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200${sslOpts}`,
      'start',
    ]);
  const stop = () => {
    if (fs.existsSync(path.join(data, 'postmaster.pid'))) {
      runAs(user, path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    }
  };
  start();
  return {
    dir,
    port,
    adminUrl: `postgres://kiosk_admin:${password}@127.0.0.1:${port}/postgres`,
    baseUrl: `postgres://127.0.0.1:${port}/postgres`,
    start,
    stop,
  };
}

export function destroyPg(pg: PgServer): void {
  try {
    pg.stop();
  } finally {
    fs.rmSync(pg.dir, { recursive: true, force: true });
  }
}
