/**
 * The browser side of the test bridge (electron/app/bridge-server.ts): builds `window.kiosk` from the
 * contract with `buildKioskApi`, exactly like the preload does, but over fetch + EventSource. The e2e
 * tests bundle this file and inject it with playwright's addInitScript, so the production renderer
 * runs unchanged. Never part of the app bundle.
 */
import { buildKioskApi, type EventName, type KioskWindowApi } from './ipc-contract';

interface BridgeConfig {
  url: string;
  token: string;
}

interface EventSourceLike {
  addEventListener(type: string, listener: (e: { data: string }) => void): void;
  close(): void;
}

type Win = {
  __KIOSK_BRIDGE__?: BridgeConfig;
  fetch: (url: string, init: unknown) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;
  EventSource: new (url: string) => EventSourceLike;
  crypto: { randomUUID(): string };
};

export function installBridgeKiosk(win: Win, config: BridgeConfig): KioskWindowApi {
  // One id per page load: the bridge keeps one signed-in user per id, like one per window in Electron.
  const clientId = win.crypto.randomUUID().replace(/-/g, '');
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  let source: EventSourceLike | undefined;

  const ensureSource = () => {
    if (source) return;
    source = new win.EventSource(
      `${config.url}/events?client=${clientId}&token=${encodeURIComponent(config.token)}`,
    );
  };

  const api = buildKioskApi(
    async (channel, request) => {
      // Open the event stream with the first call so the bridge knows this page is alive.
      ensureSource();
      const res = await win.fetch(`${config.url}/api/${channel}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-kiosk-token': config.token,
          'x-kiosk-client': clientId,
        },
        body: JSON.stringify(request ?? {}, bytesAsBase64),
      });
      if (!res.ok) {
        return {
          ok: false,
          error: { code: 'bridge_http', vi: `Lỗi kết nối (${res.status}).`, en: `Bridge HTTP ${res.status}` },
        };
      }
      return res.json();
    },
    (event, listener) => {
      ensureSource();
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        const current = set;
        source!.addEventListener(event, (e) => {
          const payload = JSON.parse(e.data) as unknown;
          for (const l of current) l(payload);
        });
      }
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  );
  return api;
}

/** Entry for the injected bundle: reads window.__KIOSK_BRIDGE__ and defines window.kiosk. */
export function installFromGlobal(): void {
  const win = globalThis as unknown as Win;
  const config = win.__KIOSK_BRIDGE__;
  if (!config) return;
  Object.defineProperty(globalThis, 'kiosk', {
    value: installBridgeKiosk(win, config),
    writable: false,
    configurable: false,
    enumerable: true,
  });
}

/** JSON has no bytes: a Uint8Array (a camera frame, face.frame) travels as base64 text, as the contract accepts. */
function bytesAsBase64(_key: string, value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return value;
  let bin = '';
  for (let i = 0; i < value.length; i += 0x8000) {
    bin += String.fromCharCode(...value.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}
