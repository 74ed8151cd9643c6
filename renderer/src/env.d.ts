import type { KioskWindowApi } from '../../electron/shared/ipc-contract';

declare global {
  interface Window {
    /** The kiosk API from the preload (or the e2e bridge client): functions only. */
    readonly kiosk: KioskWindowApi;
  }
}

export {};
