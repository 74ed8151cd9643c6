/**
 * The test bridge: the SAME contract as the Electron IPC, over HTTP on 127.0.0.1, so browser e2e
 * tests can run the production renderer in real Chromium with a `window.kiosk` that talks to it.
 *
 *   POST /api/<channel>      JSON body = request; answer = the same `Result` envelope as IPC.
 *   GET  /events?client=<id> Server-Sent Events: `event: <name>`, `data: <JSON payload>`.
 *   GET  /<file>             The built renderer (optional `staticDir`), with the production CSP.
 *
 * Every call goes through `KioskApi.handle`: the same zod validation and role checks as IPC.
 * Started only by tests or an explicit `--test-bridge` flag in a development build, never in
 * production. It binds to 127.0.0.1 on a random port and wants a random token on every request
 * (header `x-kiosk-token`, or `token=` for EventSource), and a same-origin Origin when one is sent.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { KioskApi } from './kiosk-api';
import type { EventSink, FileDialogs, LogFields } from './ports';
import { isChannelName, type EventName, type EventPayload } from '../shared/ipc-contract';
import { CONTENT_SECURITY_POLICY, mimeType, resolveStatic } from './static-files';

const MAX_BODY = 256 * 1024;

/**
 * File dialogs for tests: each call takes the next queued answer (a path, or null = cancelled).
 * An empty queue answers null, as if the user cancelled.
 */
export class QueuedDialogs implements FileDialogs {
  private readonly open: (string | null)[] = [];
  private readonly folders: (string | null)[] = [];
  private readonly saves: (string | null)[] = [];
  readonly calls: { kind: 'open' | 'folder' | 'save'; defaultName?: string }[] = [];

  queueOpen(p: string | null): void {
    this.open.push(p);
  }
  queueFolder(p: string | null): void {
    this.folders.push(p);
  }
  queueSave(p: string | null): void {
    this.saves.push(p);
  }
  async openFile(): Promise<string | null> {
    this.calls.push({ kind: 'open' });
    return this.open.shift() ?? null;
  }
  async openFolder(): Promise<string | null> {
    this.calls.push({ kind: 'folder' });
    return this.folders.shift() ?? null;
  }
  async saveFile(options: { defaultName: string }): Promise<string | null> {
    this.calls.push({ kind: 'save', defaultName: options.defaultName });
    return this.saves.shift() ?? null;
  }
}

/** An EventSink that fans events out to the bridge's SSE connections (per client or all). */
export class SseEvents implements EventSink {
  private readonly streams = new Map<string, Set<http.ServerResponse>>();

  emit<E extends EventName>(clientId: string | null, event: E, payload: EventPayload<E>): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    const targets =
      clientId === null ? [...this.streams.values()] : [this.streams.get(clientId) ?? new Set()];
    for (const set of targets) for (const res of set) res.write(frame);
  }

  add(clientId: string, res: http.ServerResponse): () => void {
    let set = this.streams.get(clientId);
    if (!set) this.streams.set(clientId, (set = new Set()));
    set.add(res);
    return () => {
      set.delete(res);
      if (set.size === 0) this.streams.delete(clientId);
    };
  }

  clients(): string[] {
    return [...this.streams.keys()];
  }

  closeAll(): void {
    for (const set of this.streams.values()) for (const res of set) res.end();
    this.streams.clear();
  }
}

export interface BridgeOptions {
  api: KioskApi;
  events: SseEvents;
  /** Built renderer folder to serve at `/` (e.g. out/renderer). */
  staticDir?: string;
  /** Default: 0 (random). */
  port?: number;
  /** Default: a random 32-byte hex token. */
  token?: string;
  log?: (event: string, fields?: LogFields) => void;
}

export interface BridgeServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const CLIENT_RE = /^[A-Za-z0-9_-]{8,64}$/;

export async function startBridgeServer(options: BridgeOptions): Promise<BridgeServer> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const tokenBuf = Buffer.from(token);
  const staticDir = options.staticDir ? path.resolve(options.staticDir) : undefined;
  let origin = '';

  const tokenOk = (given: string | null | undefined): boolean => {
    if (!given) return false;
    const b = Buffer.from(given);
    return b.length === tokenBuf.length && timingSafeEqual(b, tokenBuf);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin || 'http://127.0.0.1');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    // A page on another origin (any web page the test browser might load) must not drive the kiosk.
    const reqOrigin = req.headers.origin;
    if (reqOrigin !== undefined && reqOrigin !== origin) return send(res, 403, { error: 'origin' });

    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return send(res, 405, { error: 'method' });
      if (!tokenOk(header(req, 'x-kiosk-token'))) return send(res, 401, { error: 'token' });
      const clientId = header(req, 'x-kiosk-client');
      if (!clientId || !CLIENT_RE.test(clientId)) return send(res, 400, { error: 'client' });
      const channel = decodeURIComponent(url.pathname.slice('/api/'.length));
      if (!isChannelName(channel)) return send(res, 404, { error: 'channel' });
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
        return send(res, 415, { error: 'content-type' });
      }
      readBody(req)
        .then(async (body) => {
          let payload: unknown;
          try {
            payload = body.length ? JSON.parse(body) : {};
          } catch {
            return send(res, 400, { error: 'json' });
          }
          const result = await options.api.handle(channel, { clientId }, payload);
          options.log?.('bridge.call', { channel, ok: result.ok });
          send(res, 200, result);
        })
        .catch(() => send(res, 413, { error: 'body' }));
      return;
    }

    if (url.pathname === '/events') {
      if (req.method !== 'GET') return send(res, 405, { error: 'method' });
      if (!tokenOk(url.searchParams.get('token'))) return send(res, 401, { error: 'token' });
      const clientId = url.searchParams.get('client') ?? '';
      if (!CLIENT_RE.test(clientId)) return send(res, 400, { error: 'client' });
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        Connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      const remove = options.events.add(clientId, res);
      req.on('close', () => {
        remove();
        // The page is gone (closed or reloaded): like a closed window, its sign-in goes with it.
        if (!options.events.clients().includes(clientId)) options.api.dropClient(clientId);
      });
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method' });
    if (!staticDir) return send(res, 404, { error: 'not found' });
    serveStatic(staticDir, url.pathname, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        options.events.closeAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function serveStatic(root: string, pathname: string, res: http.ServerResponse): void {
  const file = resolveStatic(root, pathname);
  if (!file) return send(res, 404, { error: 'not found' });
  const type = mimeType(file);
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  });
  fs.createReadStream(file).pipe(res);
}
