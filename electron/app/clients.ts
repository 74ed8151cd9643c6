/**
 * The windows (clients) of the kiosk and what each holds: its signed-in user, the session it checks in,
 * the QR it scanned that waits for the chip, and the files its user picked. One per window: a
 * webContents id in Electron, a page id in the test bridge.
 */
import type { RosterRow } from '../core/roster/model';
import type { UserRecord } from '../core/users';
import type { SignedInUser } from '../shared/ipc-contract';

/** Who is calling: one id per window (webContents id in Electron, a page id in the bridge). */
export interface Caller {
  clientId: string;
}

/** A file the user chose in a dialog: the renderer only ever sees its token and name. */
export interface PickedFile {
  path: string;
  fileName: string;
  preview?: {
    sessionCode: string;
    rows: RosterRow[];
    format: 'csv' | 'xlsx';
    sheet?: string;
    fileHash: string;
  };
}

export interface ClientState {
  user: (UserRecord & { signedInAt: string }) | null;
  activeSession: string | null;
  /** The QR this window scanned that waits for the chip (to show what the card says if checked alone). */
  heldQr: string | null;
  picks: Map<string, PickedFile>;
}

export class Clients {
  private readonly clients = new Map<string, ClientState>();
  /** The window that last chose a session to check in: chip reads and hardware scans go to it. */
  private focus: string | null = null;

  /** The caller's state (a window seen for the first time starts signed out). */
  get(caller: Caller): ClientState {
    let c = this.clients.get(caller.clientId);
    if (!c) {
      c = { user: null, activeSession: null, heldQr: null, picks: new Map() };
      this.clients.set(caller.clientId, c);
    }
    return c;
  }

  /** Every window's state. */
  all(): IterableIterator<ClientState> {
    return this.clients.values();
  }

  /** A window went away: forget its sign-in and picked files. */
  drop(clientId: string): void {
    this.clients.delete(clientId);
    if (this.focus === clientId) this.focus = null;
  }

  signedInUser(clientId: string): SignedInUser | null {
    const u = this.clients.get(clientId)?.user;
    return u
      ? { username: u.username, displayName: u.displayName, role: u.role, signedInAt: u.signedInAt }
      : null;
  }

  /** The window checks in for this session; chip reads and hardware scans go to it. */
  setActive(caller: Caller, sessionCode: string | null): void {
    this.get(caller).activeSession = sessionCode;
    if (sessionCode) this.focus = caller.clientId;
  }

  /**
   * The window a reader's check belongs to: the focused one if it is signed in with an active session,
   * else the first that is; null when none is.
   */
  target(): { clientId: string; state: ClientState } | null {
    const ids = this.focus ? [this.focus, ...this.clients.keys()] : [...this.clients.keys()];
    for (const id of ids) {
      const state = this.clients.get(id);
      if (state?.user && state.activeSession) return { clientId: id, state };
    }
    return null;
  }
}
