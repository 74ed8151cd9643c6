/**
 * sync.*: the council server (chair only): the status, which server this station syncs with, a round
 * now. Changing the server is logged (settings_changed) with the server's host:port/database only.
 */
import type { AppContext, Handlers } from '../context';

export function syncChannels(app: AppContext): Handlers<'sync'> {
  return {
    'sync.status': () => app.sync.status(),
    'sync.configure': async (caller, req) => {
      const status = await app.sync.configure(req.server);
      app.appendLog('settings_changed', app.actor(caller), {
        action: 'sync_server_changed',
        server: status.server,
      });
      return status;
    },
    'sync.now': () => app.sync.now(),
    'sync.sessionCheckins': (_caller, req) => app.sync.sessionCheckins(req.sessionCode),
  };
}
