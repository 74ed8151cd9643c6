/**
 * The typed IPC wrapper of the main process: the only place that touches ipcMain. One handler per
 * contract channel; each checks the sender (our window's main frame, on our origin) and hands the
 * payload to KioskApi.handle, which validates it with the contract's zod schema and enforces roles.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { KioskApi } from '../app/kiosk-api';
import type { AppLogger, EventSink } from '../app/ports';
import { originOf } from './security';
import {
  CHANNEL_NAMES,
  IPC_EVENT_PREFIX,
  IPC_INVOKE_PREFIX,
  type EventName,
  type EventPayload,
  type Result,
} from '../shared/ipc-contract';

export interface SenderPolicy {
  /** webContents ids of the windows we created. */
  trustedContents: Set<number>;
  /** Origins the UI is loaded from (app://kiosk, plus the dev server in development). */
  allowedOrigins: Set<string>;
}

/** Electron security checklist item 17: validate the sender of every IPC message. */
export function isTrustedSender(event: IpcMainInvokeEvent, policy: SenderPolicy): boolean {
  const frame = event.senderFrame;
  if (!frame || !policy.trustedContents.has(event.sender.id)) return false;
  // Only the top frame of our window, never an iframe.
  if (frame !== event.sender.mainFrame) return false;
  const origin = originOf(frame.url);
  return origin !== null && policy.allowedOrigins.has(origin);
}

const FORBIDDEN: Result<never> = {
  ok: false,
  error: {
    code: 'forbidden_sender',
    vi: 'Yêu cầu không hợp lệ.',
    en: 'The request came from an untrusted frame.',
  },
};

export function registerIpcHandlers(api: KioskApi, policy: SenderPolicy, logger: AppLogger): () => void {
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(IPC_INVOKE_PREFIX + channel, async (event, payload: unknown) => {
      if (!isTrustedSender(event, policy)) {
        logger.warn('ipc.untrusted_sender', { channel });
        return FORBIDDEN;
      }
      return api.handle(channel, { clientId: String(event.sender.id) }, payload);
    });
  }
  return () => {
    for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(IPC_INVOKE_PREFIX + channel);
  };
}

/** Events to windows: `clientId` is the webContents id (as a string); null = every window. */
export class WindowEvents implements EventSink {
  private readonly contents = new Map<string, WebContents>();

  add(wc: WebContents): void {
    const id = String(wc.id);
    this.contents.set(id, wc);
    wc.once('destroyed', () => this.contents.delete(id));
  }

  emit<E extends EventName>(clientId: string | null, event: E, payload: EventPayload<E>): void {
    const targets = clientId === null ? [...this.contents.values()] : [this.contents.get(clientId)];
    for (const wc of targets) {
      if (wc && !wc.isDestroyed()) wc.send(IPC_EVENT_PREFIX + event, payload);
    }
  }
}
