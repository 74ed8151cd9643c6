/**
 * The main process's security policy and IPC edge, with Electron mocked (no Electron binary here):
 * sender checks before any work, the contract's validation and roles through KioskApi.handle, the
 * hardening of every webContents, the denied permissions, and the app:// protocol.
 */
import { describe, expect, it, vi, beforeAll, afterAll } from 'vitest';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';

const handlers = new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, payload: unknown) => Promise<unknown>) =>
      handlers.set(channel, fn),
    removeHandler: (channel: string) => handlers.delete(channel),
  },
}));

import {
  registerIpcHandlers,
  isTrustedSender,
  WindowEvents,
  type SenderPolicy,
} from '../../electron/main/ipc';
import {
  APP_ORIGIN,
  allowedOrigins,
  appProtocolHandler,
  applySessionPolicy,
  hardenContents,
  secureWebPreferences,
} from '../../electron/main/security';
import { KioskServices } from '../../electron/core/services';
import { KioskApi } from '../../electron/app/kiosk-api';
import { QueuedDialogs } from '../../electron/app/bridge-server';
import { CHANNEL_NAMES, IPC_INVOKE_PREFIX } from '../../electron/shared/ipc-contract';
import { CONTENT_SECURITY_POLICY } from '../../electron/app/static-files';
import type { AppLogger, LogFields } from '../../electron/app/ports';
import { tempDir } from '../support/tmp';

const dir = tempDir('kiosk-main-');
const logged: [string, LogFields | undefined][] = [];
const logger: AppLogger = {
  info: (e, f) => logged.push([e, f]),
  warn: (e, f) => logged.push([e, f]),
  error: (e, f) => logged.push([e, f]),
};
let services: KioskServices;
let api: KioskApi;
const policy: SenderPolicy = { trustedContents: new Set([7]), allowedOrigins: allowedOrigins(undefined) };

function ipcEvent(options: { id?: number; url?: string; subframe?: boolean; noFrame?: boolean } = {}) {
  const mainFrame = { url: options.url ?? `${APP_ORIGIN}/index.html` };
  const senderFrame = options.noFrame ? null : options.subframe ? { url: mainFrame.url } : mainFrame;
  return { sender: { id: options.id ?? 7, mainFrame }, senderFrame };
}

beforeAll(() => {
  services = new KioskServices({ dbPath: path.join(dir, 'k.db') });
  api = new KioskApi({ services, dialogs: new QueuedDialogs(), trustStoreDir: dir });
  registerIpcHandlers(api, policy, logger);
});

afterAll(() => services.close());

describe('IPC edge (main process)', () => {
  it('registers one handler per contract channel and nothing else', () => {
    expect([...handlers.keys()].sort()).toEqual(CHANNEL_NAMES.map((c) => IPC_INVOKE_PREFIX + c).sort());
  });

  it('answers our window main frame, on our origin', async () => {
    const r = await handlers.get('kiosk:auth.status')!(ipcEvent(), {});
    expect(r).toMatchObject({ ok: true, value: { setupRequired: true } });
  });

  it('refuses other origins, sub-frames, unknown windows and frameless events before doing anything', async () => {
    for (const ev of [
      ipcEvent({ url: 'https://evil.example/x' }),
      ipcEvent({ url: 'file:///etc/passwd' }),
      ipcEvent({ subframe: true }),
      ipcEvent({ id: 99 }),
      ipcEvent({ noFrame: true }),
    ]) {
      const r = await handlers.get('kiosk:auth.setup')!(ev, {
        username: 'evil',
        displayName: 'E',
        pin: '0000',
      });
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    }
    expect(api.users.count()).toBe(0);
    expect(logged.filter(([e]) => e === 'ipc.untrusted_sender')).toHaveLength(5);
    expect(isTrustedSender(ipcEvent() as never, policy)).toBe(true);
  });

  it('validates the payload with the contract and uses the webContents id as the window', async () => {
    const bad = await handlers.get('kiosk:auth.setup')!(ipcEvent(), { username: 'x', pin: 12 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    await handlers.get('kiosk:auth.setup')!(ipcEvent(), {
      username: 'chair1',
      displayName: 'C',
      pin: '2468',
    });
    expect(api.signedInUser('7')?.username).toBe('chair1');
    // The dev server origin is trusted only when given (development).
    expect(allowedOrigins('http://localhost:5173/').has('http://localhost:5173')).toBe(true);
    expect(allowedOrigins(undefined).has('http://localhost:5173')).toBe(false);
  });

  it('sends events to one window or all, skipping destroyed ones', () => {
    const sent: string[] = [];
    const wc = (id: number, destroyed = false) =>
      Object.assign(new EventEmitter(), {
        id,
        isDestroyed: () => destroyed,
        send: (ch: string) => sent.push(`${id}:${ch}`),
      });
    const ev = new WindowEvents();
    ev.add(wc(1) as never);
    ev.add(wc(2) as never);
    ev.add(wc(3, true) as never);
    ev.emit('2', 'reader.status', []);
    ev.emit(null, 'scan.error', { code: 'x', vi: 'x', en: 'x' });
    expect(sent).toEqual([
      '2:kiosk-event:reader.status',
      '1:kiosk-event:scan.error',
      '2:kiosk-event:scan.error',
    ]);
  });
});

describe('window security policy', () => {
  it('webPreferences: isolation, sandbox, no Node, no webview, DevTools only in development', () => {
    const prod = secureWebPreferences('/app/preload.cjs', false);
    expect(prod).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      devTools: false,
    });
    expect(secureWebPreferences('/p', true).devTools).toBe(true);
  });

  it('every webContents: navigation, new windows and webviews denied; DevTools closed in production', () => {
    const contents = Object.assign(new EventEmitter(), {
      openHandler: undefined as undefined | ((d: { url: string }) => { action: string }),
      setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
        this.openHandler = fn;
      },
      closed: 0,
      closeDevTools() {
        this.closed++;
      },
    });
    hardenContents(contents as never, { origins: allowedOrigins(undefined), isDev: false, logger });
    const prevented = (name: string, ...args: unknown[]) => {
      let p = false;
      contents.emit(name, { preventDefault: () => (p = true), url: args[1] }, ...args);
      return p;
    };
    expect(prevented('will-navigate', 'https://evil.example/')).toBe(true);
    expect(prevented('will-navigate', `${APP_ORIGIN}/other.html`)).toBe(true);
    expect(prevented('will-redirect', 'https://evil.example/')).toBe(true);
    expect(prevented('will-redirect', `${APP_ORIGIN}/index.html`)).toBe(false);
    let p = false;
    contents.emit('will-frame-navigate', { url: 'https://evil.example/', preventDefault: () => (p = true) });
    expect(p).toBe(true);
    expect(prevented('will-attach-webview')).toBe(true);
    expect(contents.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    contents.emit('devtools-opened');
    expect(contents.closed).toBe(1);
  });

  it('the session denies every permission and adds the CSP to every response', () => {
    const calls: Record<string, unknown> = {};
    const ses = {
      setPermissionRequestHandler: (fn: unknown) => (calls.request = fn),
      setPermissionCheckHandler: (fn: unknown) => (calls.check = fn),
      setDevicePermissionHandler: (fn: unknown) => (calls.device = fn),
      webRequest: { onHeadersReceived: (fn: unknown) => (calls.headers = fn) },
    };
    applySessionPolicy(ses as never, logger);
    for (const perm of ['media', 'geolocation', 'notifications', 'hid', 'serial', 'usb', 'clipboard-read']) {
      let granted: boolean | undefined;
      (calls.request as (wc: unknown, p: string, cb: (g: boolean) => void) => void)(
        {},
        perm,
        (g) => (granted = g),
      );
      expect(granted, perm).toBe(false);
    }
    expect((calls.check as () => boolean)()).toBe(false);
    expect((calls.device as () => boolean)()).toBe(false);
    let headers: Record<string, string[]> = {};
    (calls.headers as (d: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void)(
      { responseHeaders: { 'X-A': ['1'] } },
      (r) => (headers = r.responseHeaders),
    );
    expect(headers).toEqual({ 'X-A': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('the camera is granted for video only, only while the face check is on, only to the app origin', () => {
    const calls: Record<string, unknown> = {};
    const ses = {
      setPermissionRequestHandler: (fn: unknown) => (calls.request = fn),
      setPermissionCheckHandler: (fn: unknown) => (calls.check = fn),
      setDevicePermissionHandler: (fn: unknown) => (calls.device = fn),
      webRequest: { onHeadersReceived: () => undefined },
    };
    let faceOn = true;
    applySessionPolicy(ses as never, logger, {
      origins: new Set([APP_ORIGIN]),
      faceEnabled: () => faceOn,
    });
    const request = (perm: string, details: unknown): boolean => {
      let granted: boolean | undefined;
      (calls.request as (wc: unknown, p: string, cb: (g: boolean) => void, d: unknown) => void)(
        { getURL: () => 'https://evil.example/' },
        perm,
        (g) => (granted = g),
        details,
      );
      if (granted === undefined) throw new Error('no answer');
      return granted;
    };
    const app = `${APP_ORIGIN}/index.html`;
    expect(request('media', { requestingUrl: app, mediaTypes: ['video'] })).toBe(true);
    expect(request('media', { requestingUrl: app, mediaTypes: ['audio'] })).toBe(false);
    expect(request('media', { requestingUrl: app, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(request('media', { requestingUrl: app, mediaTypes: [] })).toBe(false);
    expect(request('media', { requestingUrl: app })).toBe(false);
    expect(request('media', { requestingUrl: 'https://evil.example/', mediaTypes: ['video'] })).toBe(false);
    expect(request('media', { requestingUrl: 'app://other/index.html', mediaTypes: ['video'] })).toBe(false);
    // Without a requesting URL the webContents' own URL decides (here a foreign one).
    expect(request('media', { mediaTypes: ['video'] })).toBe(false);
    for (const perm of [
      'geolocation',
      'notifications',
      'hid',
      'serial',
      'usb',
      'clipboard-read',
      'display-capture',
    ]) {
      expect(request(perm, { requestingUrl: app, mediaTypes: ['video'] }), perm).toBe(false);
    }
    const check = calls.check as (wc: unknown, p: string, origin: string, d: unknown) => boolean;
    expect(check(null, 'media', APP_ORIGIN, { mediaType: 'video' })).toBe(true);
    expect(check(null, 'media', APP_ORIGIN, { mediaType: 'audio' })).toBe(false);
    expect(check(null, 'media', 'https://evil.example', { mediaType: 'video' })).toBe(false);
    expect(check(null, 'geolocation', APP_ORIGIN, {})).toBe(false);
    expect((calls.device as () => boolean)()).toBe(false);
    // The chair turns the face check off: the camera is denied again at once.
    faceOn = false;
    expect(request('media', { requestingUrl: app, mediaTypes: ['video'] })).toBe(false);
    expect(check(null, 'media', APP_ORIGIN, { mediaType: 'video' })).toBe(false);
  });

  it('app:// serves the packaged renderer with the CSP and nothing else', async () => {
    const root = path.join(dir, 'renderer');
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
    const handle = appProtocolHandler(root);
    const ok = await handle(new Request(`${APP_ORIGIN}/index.html`));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect((await handle(new Request(`${APP_ORIGIN}/../k.db`))).status).toBe(404);
    expect((await handle(new Request('app://other/index.html'))).status).toBe(404);
    expect(
      (await handle(new Request(`${APP_ORIGIN}/index.html`, { method: 'POST', body: 'x' }))).status,
    ).toBe(404);
  });
});
