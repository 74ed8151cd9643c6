import os from 'node:os';
import path from 'node:path';

/** Product name: Electron derives the user-data folder from it, and the CLI uses the same folder. */
export const PRODUCT_NAME = 'CCCD Kiosk';
export const DB_FILE_NAME = 'kiosk.db';

/**
 * The app's user-data folder, computed the way Electron's `app.getPath('userData')` does, so the
 * CLI and the app share one database without the CLI importing Electron.
 */
export function defaultUserDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  if (env.KIOSK_DATA_DIR) return env.KIOSK_DATA_DIR;
  const home = os.homedir();
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME);
}

/** Database path: explicit option, then `KIOSK_DB`, then the user-data folder. */
export function resolveDbPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.KIOSK_DB) return path.resolve(env.KIOSK_DB);
  return path.join(defaultUserDataDir(env), DB_FILE_NAME);
}
