import type { ReaderStatusDTO, SettingsDTO, SignedInUser } from '../../electron/shared/ipc-contract';

/** What every screen gets from the app shell (App.tsx). */
export type Screen = 'checkin' | 'sessions' | 'candidates' | 'log' | 'trust' | 'settings';

export interface AppContext {
  user: SignedInUser;
  settings: SettingsDTO;
  readers: ReaderStatusDTO[];
  demo: boolean;
  /** The session checked in at this window (chosen on the check-in or sessions screen). */
  sessionCode: string | null;
  setSessionCode(code: string | null): void;
  go(screen: Screen): void;
  reloadSettings(): Promise<void>;
}
