/**
 * E2E harness: builds the production renderer (electron-vite build), starts the test bridge on a temp
 * database, and drives Debian's Chromium through playwright-core with a `window.kiosk` injected from
 * the contract (electron/shared/bridge-client.ts), so the renderer code runs unchanged.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { KioskServices } from '../../../electron/core/services';
import { KioskApi } from '../../../electron/app/kiosk-api';
import {
  QueuedDialogs,
  SseEvents,
  startBridgeServer,
  type BridgeServer,
} from '../../../electron/app/bridge-server';
import type { ReaderPort } from '../../../electron/app/ports';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-artifacts', 'screenshots');
export const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

/** Builds main, preload and renderer exactly as `npm run build` does; returns out/renderer. */
export function buildApp(): string {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 180_000,
    },
  );
  if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}\n${r.stderr}`);
  const dir = path.join(ROOT, 'out', 'renderer');
  if (!fs.existsSync(path.join(dir, 'index.html')))
    throw new Error('out/renderer/index.html missing after build');
  return dir;
}

/** The bridge client bundled as one script for addInitScript (defines window.kiosk from the contract). */
export async function bridgeClientBundle(): Promise<string> {
  const out = await build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    build: {
      write: false,
      minify: false,
      lib: {
        entry: path.join(ROOT, 'electron/shared/bridge-client.ts'),
        formats: ['iife'],
        name: 'KioskBridge',
        fileName: () => 'bridge-client.js',
      },
    },
  });
  const outputs = (Array.isArray(out) ? out : [out]) as { output: { type: string; code?: string }[] }[];
  const chunk = outputs.flatMap((o) => o.output).find((o) => o.type === 'chunk');
  if (!chunk?.code) throw new Error('bridge client bundle has no code');
  return chunk.code;
}

export interface Kiosk {
  dir: string;
  services: KioskServices;
  api: KioskApi;
  dialogs: QueuedDialogs;
  events: SseEvents;
  bridge: BridgeServer;
  close(): Promise<void>;
}

export async function startKiosk(
  rendererDir: string,
  options: { demo?: boolean; readers?: ReaderPort; trustStoreDir?: string } = {},
): Promise<Kiosk> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-e2e-'));
  const services = new KioskServices({ dbPath: path.join(dir, 'kiosk.db') });
  const dialogs = new QueuedDialogs();
  const events = new SseEvents();
  const api = new KioskApi({
    services,
    dialogs,
    events,
    trustStoreDir: options.trustStoreDir ?? path.join(dir, 'trust'),
    demo: options.demo,
    readers: options.readers,
  });
  if (options.demo) await api.seedDemo();
  await api.settings.update({ stationName: 'Bàn kiểm tra 1' });
  const bridge = await startBridgeServer({ api, events, staticDir: rendererDir });
  return {
    dir,
    services,
    api,
    dialogs,
    events,
    bridge,
    close: async () => {
      await bridge.close();
      await api.close();
      services.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface KioskPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors (CSP violations show up here). */
  problems: string[];
}

export async function openKioskPage(
  browser: Browser,
  kiosk: Kiosk,
  clientScript: string,
): Promise<KioskPage> {
  const context = await browser.newContext({
    viewport: SIZES[0],
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  const config = JSON.stringify({ url: kiosk.bridge.url, token: kiosk.bridge.token });
  await context.addInitScript({
    content: `window.__KIOSK_BRIDGE__ = ${config};\n${clientScript}\nKioskBridge.installFromGlobal();`,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(kiosk.bridge.url + '/index.html');
  return { page, context, problems };
}

/** Saves a screenshot of the current state at 1280×800 and 1920×1080 (then back to 1280×800). */
export async function shoot(page: Page, name: string): Promise<string[]> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const files: string[] = [];
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    const file = path.join(SCREENSHOT_DIR, `${name}-${size.width}x${size.height}.png`);
    await page.screenshot({ path: file });
    files.push(file);
  }
  await page.setViewportSize(SIZES[0]);
  return files;
}

/** US-layout keys a scanner presses for ASCII: [code, Windows virtual key, shift]. */
const US_KEYS: Record<string, [string, number, boolean]> = (() => {
  const keys: Record<string, [string, number, boolean]> = {
    ' ': ['Space', 32, false],
    '|': ['Backslash', 220, true],
    ',': ['Comma', 188, false],
    '.': ['Period', 190, false],
    '/': ['Slash', 191, false],
    '-': ['Minus', 189, false],
  };
  for (let c = 0; c < 26; c++) {
    const l = String.fromCharCode(97 + c);
    keys[l] = [`Key${l.toUpperCase()}`, 65 + c, false];
    keys[l.toUpperCase()] = [`Key${l.toUpperCase()}`, 65 + c, true];
  }
  for (let d = 0; d < 10; d++) keys[String(d)] = [`Digit${d}`, 48 + d, false];
  return keys;
})();

/**
 * A keyboard-wedge burst, delivered like a scanner does: trusted key events through Chromium's input
 * pipeline (CDP Input.dispatchKeyEvent), one every 4 ms by their hardware timestamps, then Enter.
 * ASCII goes as US-layout key presses; Vietnamese letters as Unicode key events (key = the letter,
 * no physical key), as Unicode-capable scanners send them. The timestamps are what a real device
 * gives the browser: a busy test machine delaying the delivery does not stretch the burst, whereas
 * page.keyboard.type (one round trip per character, timed at delivery) makes the test flaky.
 */
export async function wedgeScan(page: Page, text: string, gapMs = 4): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const sends: Promise<unknown>[] = [];
    let t = Date.now() / 1000;
    const key = (ch: string, k: [string, number, boolean] | undefined) => {
      t += gapMs / 1000;
      const base = k
        ? { key: ch, code: k[0], windowsVirtualKeyCode: k[1], modifiers: k[2] ? 8 : 0 }
        : { key: ch };
      sends.push(
        cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', ...base, text: ch, timestamp: t }),
        cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...base, timestamp: t + 0.001 }),
      );
    };
    for (const ch of text) key(ch, US_KEYS[ch]);
    t += gapMs / 1000;
    sends.push(
      cdp.send('Input.dispatchKeyEvent', {
        type: 'keyDown',
        key: 'Enter',
        code: 'Enter',
        text: '\r',
        windowsVirtualKeyCode: 13,
        timestamp: t,
      }),
      cdp.send('Input.dispatchKeyEvent', {
        type: 'keyUp',
        key: 'Enter',
        code: 'Enter',
        windowsVirtualKeyCode: 13,
        timestamp: t,
      }),
    );
    await Promise.all(sends);
  } finally {
    await cdp.detach();
  }
}

/** The chair and the examiner every e2e station signs in as. */
export const CHAIR = { username: 'chutich', name: 'Trần Văn Chủ Tịch', pin: '2468' };
export const EXAMINER = { username: 'giamthi1', name: 'Nguyễn Thị Giám Thị', pin: '1357' };

/**
 * A station ready for check-ins: the chair and the examiner, an open session dated today, and one
 * roster row per person (candidate numbers from `firstNo`, licence class B).
 */
export async function seedStation(
  k: Kiosk,
  o: {
    code: string;
    council: string;
    firstNo: number;
    people: { fullName: string; dateOfBirth: string; idNumber: string; sex: 'M' | 'F' }[];
  },
): Promise<void> {
  await k.api.users.create({
    username: CHAIR.username,
    displayName: CHAIR.name,
    role: 'chair',
    pin: CHAIR.pin,
  });
  await k.api.users.create({
    username: EXAMINER.username,
    displayName: EXAMINER.name,
    role: 'examiner',
    pin: EXAMINER.pin,
  });
  const by = { station: 'setup', actor: 'setup' };
  k.services.sessions.create(
    { code: o.code, council: o.council, date: new Date().toISOString().slice(0, 10) },
    by,
  );
  k.services.roster.importRows(
    o.code,
    o.people.map((p, i) => ({
      rowNumber: i + 2,
      candidateNo: String(o.firstNo + i).padStart(6, '0'),
      fullName: p.fullName,
      dateOfBirth: p.dateOfBirth,
      idNumber: p.idNumber,
      sex: p.sex,
      licenceClass: 'B',
    })),
    by,
    false,
  );
}
