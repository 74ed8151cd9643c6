/**
 * The Electron main process: one window, locked down per the Electron security checklist (see
 * docs in the final report / architecture.md), the app protocol serving the packaged UI, the IPC
 * handlers, the readers, and the technical file log. All the kiosk's rules live in electron/app and
 * electron/core, which never import electron.
 *
 * Flags: --demo (fictional roster + demo accounts), --kiosk (full-screen kiosk mode),
 *        --test-bridge (development builds only: HTTP bridge for browser tests).
 */
import { app, BrowserWindow, Menu, protocol, session } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { KioskServices } from '../core/services';
import { PRODUCT_NAME, defaultUserDataDir } from '../core/paths';
import { KioskApi } from '../app/kiosk-api';
import { FileAppLogger } from '../app/app-log';
import { parseFlags } from '../app/flags';
import { CONTENT_SECURITY_POLICY, mimeType, resolveStatic } from '../app/static-files';
import { ElectronDialogs } from './dialogs';
import { registerIpcHandlers, WindowEvents, type SenderPolicy } from './ipc';
import { createReaderPort } from './readers';

const APP_SCHEME = 'app';
const APP_HOST = 'kiosk';
const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
const APP_URL = `${APP_ORIGIN}/index.html`;

const isDev = !app.isPackaged;
const devServerUrl = isDev ? process.env.ELECTRON_RENDERER_URL : undefined;
const flags = parseFlags(process.argv, { packaged: app.isPackaged });

// One product name and one data folder for the app and the `kiosk` CLI (electron/core/paths.ts).
app.setName(PRODUCT_NAME);
app.setPath('userData', defaultUserDataDir());

// Checklist: sandbox every renderer, whatever a window asks for.
app.enableSandbox();

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  // A second kiosk on the same database and readers would fight over both.
  app.quit();
} else {
  void main();
}

async function main(): Promise<void> {
  const userData = app.getPath('userData');
  const logger = new FileAppLogger(
    path.join(userData, 'logs'),
    undefined,
    isDev ? (l) => process.stdout.write(l) : undefined,
  );
  logger.info('app.start', {
    version: app.getVersion(),
    packaged: app.isPackaged,
    demo: flags.demo,
    kiosk: flags.kiosk,
  });
  for (const f of flags.ignored) logger.warn('app.flag_ignored', { flag: f });

  app.on('web-contents-created', (_e, contents) => hardenContents(contents, logger));
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  await app.whenReady();

  const rendererDir = path.join(import.meta.dirname, '../renderer');
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || request.method !== 'GET') return new Response('not found', { status: 404 });
    const file = resolveStatic(rendererDir, url.pathname);
    if (!file) return new Response('not found', { status: 404 });
    return new Response(await fs.promises.readFile(file), {
      headers: {
        'content-type': mimeType(file),
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
      },
    });
  });

  const ses = session.defaultSession;
  // Checklist: deny every permission (camera, microphone, geolocation, notifications, HID/serial
  // from the page...). The kiosk reads cards and scanners in the main process, not through the page.
  ses.setPermissionRequestHandler((_wc, permission, callback) => {
    logger.warn('permission.denied', { permission });
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // The dev server's pages get the same CSP as the packaged ones.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });

  if (!isDev) Menu.setApplicationMenu(null);

  const services = new KioskServices();
  const events = new WindowEvents();
  const ref: { api?: KioskApi } = {};
  const dialogs = new ElectronDialogs(() => ref.api?.settings.get().language ?? 'vi');
  const trustStoreDir = path.join(userData, 'trust-store');
  const readers = await createReaderPort(logger, trustStoreDir);
  const api = new KioskApi({
    services,
    dialogs,
    events,
    logger,
    readers,
    trustStoreDir,
    demo: flags.demo,
  });
  ref.api = api;
  if (flags.demo) {
    const seed = await api.seedDemo();
    logger.info('demo.seeded', { candidates: seed.candidates });
  }
  await api.startReaders();

  const policy: SenderPolicy = {
    trustedContents: new Set(),
    allowedOrigins: new Set([APP_ORIGIN, ...(devServerUrl ? [new URL(devServerUrl).origin] : [])]),
  };
  registerIpcHandlers(api, policy, logger);

  if (flags.testBridge) {
    // Development builds only (parseFlags refuses it when packaged): browser e2e against this app.
    const { startBridgeServer, SseEvents } = await import('../app/bridge-server');
    const bridge = await startBridgeServer({ api, events: new SseEvents(), staticDir: rendererDir });
    process.stdout.write(`KIOSK_TEST_BRIDGE ${bridge.url} ${bridge.token}\n`);
    logger.warn('bridge.started', { port: bridge.port });
  }

  createWindow(policy, events, api);

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    void api.close();
    services.close();
    logger.info('app.quit');
  });
}

function createWindow(policy: SenderPolicy, events: WindowEvents, api: KioskApi): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    backgroundColor: '#f4f6f8',
    title: PRODUCT_NAME,
    autoHideMenuBar: true,
    fullscreen: flags.kiosk,
    kiosk: flags.kiosk,
    webPreferences: {
      preload: path.join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: isDev,
      // The verdict sounds play without a click first.
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  const wc = win.webContents;
  policy.trustedContents.add(wc.id);
  events.add(wc);
  const clientId = String(wc.id);
  wc.once('destroyed', () => {
    policy.trustedContents.delete(wc.id);
    api.dropClient(clientId);
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(devServerUrl ?? APP_URL);
  return win;
}

/** Checklist items 12-14 and DevTools: applied to every webContents the app ever creates. */
function hardenContents(contents: Electron.WebContents, logger: FileAppLogger): void {
  const allowed = (url: string) => {
    try {
      const origin = new URL(url).origin;
      return origin === APP_ORIGIN || (devServerUrl !== undefined && origin === new URL(devServerUrl).origin);
    } catch {
      return false;
    }
  };
  // Navigation away from the UI is never needed: refuse it (a link, a drag-dropped file, a redirect).
  // The UI is a single page: it never navigates.
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    logger.warn('navigation.denied', { scheme: safeScheme(url) });
  });
  contents.on('will-redirect', (event, url) => {
    if (!allowed(url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!allowed(event.url)) event.preventDefault();
  });
  // New windows (window.open, target=_blank) are denied.
  contents.setWindowOpenHandler(({ url }) => {
    logger.warn('window_open.denied', { scheme: safeScheme(url) });
    return { action: 'deny' };
  });
  // No <webview>, whatever the page contains.
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger.warn('webview.denied');
  });
  if (!isDev) {
    contents.on('devtools-opened', () => contents.closeDevTools());
  }
}

function safeScheme(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return 'invalid';
  }
}
