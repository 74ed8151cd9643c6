/**
 * The test bridge serves the same contract as IPC, and only to its own page: a random token, a
 * same-origin check, the same zod validation and roles (KioskApi.handle), events over SSE, and static
 * files that never leave the renderer folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { KioskServices } from '../../electron/core/services';
import { KioskApi } from '../../electron/app/kiosk-api';
import {
  QueuedDialogs,
  SseEvents,
  startBridgeServer,
  type BridgeServer,
} from '../../electron/app/bridge-server';
import { CONTENT_SECURITY_POLICY, resolveStatic } from '../../electron/app/static-files';
import { parseFlags } from '../../electron/app/flags';
import { FileAppLogger, scrubFields } from '../../electron/app/app-log';
import { buildKioskApi, CHANNEL_NAMES, EVENT_NAMES } from '../../electron/shared/ipc-contract';
import { tempDir } from '../support/tmp';

const dir = tempDir('kiosk-bridge-');
const staticDir = path.join(dir, 'renderer');
let services: KioskServices;
let api: KioskApi;
let events: SseEvents;
let bridge: BridgeServer;

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function request(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

const call = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
  request('POST', `${bridge.url}/api/${channel}`, {
    headers: {
      'content-type': 'application/json',
      'x-kiosk-token': bridge.token,
      'x-kiosk-client': 'client-aaaa-0001',
      ...headers,
    },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>k</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'a.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside');
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(staticDir, 'link.txt'));
  services = new KioskServices({ dbPath: path.join(dir, 'k.db') });
  events = new SseEvents();
  api = new KioskApi({ services, dialogs: new QueuedDialogs(), trustStoreDir: dir, events });
  bridge = await startBridgeServer({ api, events, staticDir });
});

afterAll(async () => {
  await bridge.close();
  services.close();
});

describe('test bridge', () => {
  it('listens on 127.0.0.1 only, on a random port', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge.port).toBeGreaterThan(0);
    expect(bridge.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a channel with the same Result envelope as IPC', async () => {
    const r = await call('auth.status', {});
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: { setupRequired: true, user: null } });
  });

  it('validates with the contract and enforces roles through KioskApi.handle', async () => {
    const bad = JSON.parse((await call('auth.setup', { username: 'x y', displayName: '', pin: '1' })).body);
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const denied = JSON.parse((await call('log.verify', {})).body);
    expect(denied).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
    expect(denied.error.vi).toBe('Vui lòng đăng nhập.');
  });

  it('refuses a missing or wrong token, a foreign origin, unknown channels, non-JSON and GET', async () => {
    expect((await call('auth.status', {}, { 'x-kiosk-token': 'nope' })).status).toBe(401);
    expect((await call('auth.status', {}, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('auth.status', {}, { origin: bridge.url })).status).toBe(200);
    expect((await call('db.exec', {})).status).toBe(404);
    expect((await call('auth.status', {}, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await call('auth.status', {}, { 'x-kiosk-client': 'bad id!' })).status).toBe(400);
    expect((await request('GET', `${bridge.url}/api/auth.status`)).status).toBe(405);
    const big = await request('POST', `${bridge.url}/api/auth.status`, {
      headers: {
        'content-type': 'application/json',
        'x-kiosk-token': bridge.token,
        'x-kiosk-client': 'client-aaaa-0001',
      },
      body: JSON.stringify({ x: 'y'.repeat(300_000) }),
    }).catch(() => ({ status: 413 }) as Reply);
    expect(big.status).toBe(413);
  });

  it('keeps one signed-in user per client id', async () => {
    await call('auth.setup', { username: 'chair1', displayName: 'Chủ tịch', pin: '2468' });
    const mine = JSON.parse((await call('auth.status', {})).body);
    const other = JSON.parse((await call('auth.status', {}, { 'x-kiosk-client': 'client-bbbb-0002' })).body);
    expect(mine.value.user.username).toBe('chair1');
    expect(other.value.user).toBeNull();
  });

  it('pushes events over SSE to the right client, and forgets the client when its stream closes', async () => {
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${bridge.url}/events?client=client-aaaa-0001&token=${bridge.token}`, (res) => {
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received.push(chunk);
          if (chunk.startsWith(': connected')) {
            events.emit('client-bbbb-0002', 'scan.error', { code: 'x', vi: 'khác', en: 'other' });
            events.emit('client-aaaa-0001', 'reader.status', [
              { id: 'pn532', kind: 'pn532', name: 'COM3', state: 'ready' },
            ]);
          } else if (chunk.includes('reader.status')) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(e)));
    });
    const all = received.join('');
    expect(all).toContain('event: reader.status\ndata: [{"id":"pn532"');
    expect(all).not.toContain('khác');
    // The page went away: like a closed window, its sign-in is gone.
    await new Promise((r) => setTimeout(r, 100));
    expect(JSON.parse((await call('auth.status', {})).body).value.user).toBeNull();
    expect((await request('GET', `${bridge.url}/events?client=client-aaaa-0001&token=wrong`)).status).toBe(
      401,
    );
  });

  it('serves the renderer with the CSP, and nothing outside its folder', async () => {
    const index = await request('GET', `${bridge.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect((await request('GET', `${bridge.url}/assets/a.js`)).headers['content-type']).toMatch(/javascript/);
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/link.txt',
      '/%00',
    ]) {
      expect((await request('GET', `${bridge.url}${p}`)).status, p).toBe(404);
    }
    expect(resolveStatic(staticDir, '/../../etc/passwd')).toBeNull();
    expect(resolveStatic(staticDir, '/index.html')).toBe(fs.realpathSync(path.join(staticDir, 'index.html')));
  });
});

describe('window.kiosk shape and flags', () => {
  it('builds a namespaced, function-only API from the contract (no generic invoke)', async () => {
    const calls: [string, unknown][] = [];
    const subs: string[] = [];
    const k = buildKioskApi(
      async (channel, req) => {
        calls.push([channel, req]);
        return { ok: true, value: null };
      },
      (event) => {
        subs.push(event);
        return () => {};
      },
    ) as unknown as Record<string, Record<string, unknown>>;
    for (const name of CHANNEL_NAMES) {
      const [ns, m] = name.split('.') as [string, string];
      expect(typeof k[ns]![m], name).toBe('function');
    }
    for (const name of EVENT_NAMES) {
      const [ns, e] = name.split('.') as [string, string];
      expect(typeof k[ns]![`on${e[0]!.toUpperCase()}${e.slice(1)}`], name).toBe('function');
    }
    expect(Object.keys(k)).not.toContain('invoke');
    expect(Object.isFrozen(k) && Object.isFrozen(k.sessions)).toBe(true);
    const all = Object.values(k).flatMap((ns) => Object.values(ns));
    expect(all.every((f) => typeof f === 'function')).toBe(true);
    await (k.sessions!.create as (r: unknown) => Promise<unknown>)({ code: 'A' });
    await (k.auth!.status as () => Promise<unknown>)();
    expect(calls).toEqual([
      ['sessions.create', { code: 'A' }],
      ['auth.status', {}],
    ]);
    (k.scan!.onResult as (cb: () => void) => () => void)(() => {});
    expect(subs).toEqual(['scan.result']);
    expect(() => (k.scan!.onResult as (cb: unknown) => void)('not a function')).toThrow(TypeError);
  });

  it('honours --test-bridge only in a development build', () => {
    expect(parseFlags(['x', '--demo', '--kiosk'], { packaged: true })).toEqual({
      demo: true,
      kiosk: true,
      testBridge: false,
      ignored: [],
    });
    expect(parseFlags(['x', '--test-bridge'], { packaged: false }).testBridge).toBe(true);
    const packaged = parseFlags(['x', '--test-bridge'], { packaged: true });
    expect(packaged.testBridge).toBe(false);
    expect(packaged.ignored).toHaveLength(1);
  });

  it('the technical log masks ID-like digit runs and keeps codes', () => {
    expect(scrubFields({ code: 'wrong_pin', id: 'x 001198012345 y', n: 3, skip: undefined })).toEqual({
      code: 'wrong_pin',
      id: 'x ############ y',
      n: 3,
    });
    const log = new FileAppLogger(path.join(dir, 'logs'), 200);
    for (let i = 0; i < 10; i++) log.info('ipc.ok', { channel: 'auth.status', ms: i });
    const lines = fs.readFileSync(log.path, 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({
      level: 'info',
      event: 'ipc.ok',
      channel: 'auth.status',
      ms: 9,
    });
    expect(fs.existsSync(log.path + '.1')).toBe(true);
  });
});
