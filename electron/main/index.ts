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
import path from 'node:path';
import { KioskServices } from '../core/services';
import { PRODUCT_NAME, defaultUserDataDir, resolveDbPath } from '../core/paths';
import { KioskApi } from '../app/kiosk-api';
import { FileAppLogger } from '../app/app-log';
import { parseFlags } from '../app/flags';
import { ElectronDialogs } from './dialogs';
import { registerIpcHandlers, WindowEvents, type SenderPolicy } from './ipc';
import { createReaderPort } from './readers';
import { createAppKeyProvider } from './safe-storage-key-provider';
import {
  APP_SCHEME,
  APP_URL,
  allowedOrigins,
  appProtocolHandler,
  applySessionPolicy,
  hardenContents,
  secureWebPreferences,
} from './security';

const isDev = !app.isPackaged;
const devServerUrl = isDev ? process.env.ELECTRON_RENDERER_URL : undefined;
const flags = parseFlags(process.argv, { packaged: app.isPackaged });
const origins = allowedOrigins(devServerUrl);

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

  app.on('web-contents-created', (_e, contents) => hardenContents(contents, { origins, isDev, logger }));
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  await app.whenReady();

  const rendererDir = path.join(import.meta.dirname, '../renderer');
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir));
  // The camera is granted to the app's own origin while the face check is on (read at each request).
  const faceOn = { get: (): boolean => false };
  applySessionPolicy(session.defaultSession, logger, { origins, faceEnabled: () => faceOn.get() });

  if (!isDev) Menu.setApplicationMenu(null);

  // The station keys (signing, data encryption) are protected by the OS keychain (safeStorage).
  const services = new KioskServices({ keyProvider: createAppKeyProvider(resolveDbPath(), logger) });
  const events = new WindowEvents();
  const ref: { api?: KioskApi } = {};
  const dialogs = new ElectronDialogs(() => ref.api?.settings.get().language ?? 'vi');
  const trustStoreDir = path.join(userData, 'trust-store');
  const readers = await createReaderPort(logger);
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
  faceOn.get = () => api.settings.get().faceEnabled;
  try {
    api.applyRetention();
  } catch (e) {
    logger.error('privacy.retention_failed', {
      code: e instanceof Error ? (e as { code?: string }).code : null,
    });
  }
  if (flags.demo) {
    const seed = await api.seedDemo();
    logger.info('demo.seeded', { candidates: seed.candidates });
  }
  await api.startReaders();
  // Sync with the council server, when the chair configured one: in the background, never in a check's way.
  api.startSync();

  const policy: SenderPolicy = {
    trustedContents: new Set(),
    allowedOrigins: origins,
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
    webPreferences: secureWebPreferences(path.join(import.meta.dirname, '../preload/index.cjs'), isDev),
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
