/**
 * The preload (sandboxed, context-isolated): exposes `window.kiosk`, a namespaced, function-only API
 * built from the IPC contract (`window.kiosk.sessions.create(...)`, `window.kiosk.scan.onResult(cb)`).
 * No generic invoke(channel), no ipcRenderer, no Node objects reach the page. This file is the only
 * place that touches ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildKioskApi, IPC_EVENT_PREFIX, IPC_INVOKE_PREFIX } from '../shared/ipc-contract';

const kiosk = buildKioskApi(
  (channel, request) => ipcRenderer.invoke(IPC_INVOKE_PREFIX + channel, request),
  (event, listener) => {
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC_EVENT_PREFIX + event, wrapped);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_PREFIX + event, wrapped);
    };
  },
);

contextBridge.exposeInMainWorld('kiosk', kiosk);
