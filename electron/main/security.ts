/**
 * The window's security policy (Electron security checklist), in one place and testable with fake
 * webContents/sessions: the webPreferences of every window, the hardening applied to every
 * webContents the app creates, the session's permission and CSP handlers, and the app:// protocol.
 */
import fs from 'node:fs';
import type { Session, WebContents, WebPreferences } from 'electron';
import type { AppLogger } from '../app/ports';
import { CONTENT_SECURITY_POLICY, mimeType, resolveStatic } from '../app/static-files';

export const APP_SCHEME = 'app';
export const APP_HOST = 'kiosk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Checklist 2-4, 6, 9-10 and DevTools: the webPreferences of every kiosk window. */
export function secureWebPreferences(preload: string, isDev: boolean): WebPreferences {
  return {
    preload,
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
  };
}

/**
 * scheme://host[:port] of a URL. Node's URL (the main process) gives the origin "null" for a custom
 * scheme such as app://, so it is computed from the parts.
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.host ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

/** Origins the UI may come from: the app protocol, plus the dev server in development only. */
export function allowedOrigins(devServerUrl: string | undefined): Set<string> {
  const dev = devServerUrl ? originOf(devServerUrl) : null;
  return new Set([APP_ORIGIN, ...(dev ? [dev] : [])]);
}

function safeScheme(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return 'invalid';
  }
}

type HardenableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler' | 'closeDevTools'>;

/** Checklist 12-14 and DevTools: applied to every webContents the app ever creates. */
export function hardenContents(
  contents: HardenableContents,
  options: { origins: Set<string>; isDev: boolean; logger: AppLogger },
): void {
  const allowed = (url: string) => {
    const origin = originOf(url);
    return origin !== null && options.origins.has(origin);
  };
  // The UI is a single page: it never navigates (a link, a drag-dropped file, a script).
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    options.logger.warn('navigation.denied', { scheme: safeScheme(url) });
  });
  contents.on('will-redirect', (event, url) => {
    if (!allowed(url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!allowed(event.url)) event.preventDefault();
  });
  // New windows (window.open, target=_blank) are denied.
  contents.setWindowOpenHandler(({ url }) => {
    options.logger.warn('window_open.denied', { scheme: safeScheme(url) });
    return { action: 'deny' };
  });
  // No <webview>, whatever the page contains.
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    options.logger.warn('webview.denied');
  });
  if (!options.isDev) contents.on('devtools-opened', () => contents.closeDevTools());
}

type PolicySession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
> & {
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
};

/** What the session policy needs to know to grant the camera (face check, docs/face.md). */
export interface CameraPolicy {
  /** Origins the UI may come from (allowedOrigins): only these get the camera. */
  origins: Set<string>;
  /** Read on every request: the chair's "face check" setting (off = no camera). */
  faceEnabled: () => boolean;
}

/** The media types a permission request asks for (Electron's MediaAccessPermissionRequest). */
function mediaTypesOf(details: unknown): string[] | null {
  const types = (details as { mediaTypes?: unknown } | undefined)?.mediaTypes;
  return Array.isArray(types) ? types.map(String) : null;
}

/**
 * The camera is granted only for video (never audio), only while the face check is on, and only to
 * the app's own origin (the top frame's URL). Everything else stays denied.
 */
export function cameraAllowed(
  permission: string,
  requestingUrl: string | undefined,
  mediaTypes: string[] | null,
  camera: CameraPolicy | undefined,
): boolean {
  if (permission !== 'media' || !camera || !camera.faceEnabled()) return false;
  const origin = requestingUrl ? originOf(requestingUrl) : null;
  if (origin === null || !camera.origins.has(origin)) return false;
  // A request must name its media types, and only 'video'.
  if (mediaTypes === null) return false;
  return mediaTypes.length > 0 && mediaTypes.every((t) => t === 'video');
}

/**
 * Checklist 5 and 7: every permission request is denied (microphone, geolocation, notifications,
 * HID/serial/USB from the page: the kiosk reads devices in the main process) except the camera for
 * the face check (cameraAllowed), and every response carries the CSP (the dev server's pages too).
 */
export function applySessionPolicy(ses: PolicySession, logger: AppLogger, camera?: CameraPolicy): void {
  ses.setPermissionRequestHandler((wc, permission, callback, details) => {
    const url = (details as { requestingUrl?: string } | undefined)?.requestingUrl ?? wc?.getURL?.();
    if (cameraAllowed(permission, url, mediaTypesOf(details), camera)) {
      logger.info('permission.granted', { permission: 'media:video' });
      callback(true);
      return;
    }
    logger.warn('permission.denied', { permission });
    callback(false);
  });
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) => {
    if (permission !== 'media') return false;
    // The check asks per media type ('video' / 'audio'); enumerateDevices asks without one.
    const mediaType = (details as { mediaType?: string } | undefined)?.mediaType;
    const types = mediaType === undefined || mediaType === 'unknown' ? ['video'] : [mediaType];
    return cameraAllowed(permission, requestingOrigin, types, camera);
  });
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
}

/** Checklist 18: the UI is served from app://kiosk/ out of the packaged folder, never from the web. */
export function appProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || request.method !== 'GET') {
      return new Response('not found', { status: 404 });
    }
    const file = resolveStatic(rendererDir, url.pathname);
    if (!file) return new Response('not found', { status: 404 });
    return new Response(await fs.promises.readFile(file), {
      headers: {
        'content-type': mimeType(file),
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
      },
    });
  };
}
