/** users.*: the chair's account list (create, reset a PIN, deactivate). */
import { toUserDTO } from '../../core/users';
import type { AppContext, Handlers } from '../context';
import { err } from '../errors';

export function usersChannels(app: AppContext): Handlers<'users'> {
  return {
    'users.list': () => app.users.list().map((u) => toUserDTO(u, app.now())),

    'users.create': async (caller, req) => {
      const u = await app.users.create(req);
      app.appendLog('settings_changed', app.actor(caller), {
        action: 'user_created',
        username: u.username,
        role: u.role,
      });
      return toUserDTO(u, app.now());
    },

    'users.setPin': async (caller, req) => {
      const u = await app.users.setPin(req.username, req.pin);
      app.appendLog('settings_changed', app.actor(caller), { action: 'pin_reset', username: u.username });
      return toUserDTO(u, app.now());
    },

    'users.setActive': (caller, req) => {
      if (req.username === app.clients.get(caller).user?.username && !req.active) {
        throw err(
          'self_deactivate',
          'Không thể tự khóa tài khoản của mình.',
          'You cannot deactivate your own account.',
        );
      }
      const u = app.users.setActive(req.username, req.active);
      app.appendLog('settings_changed', app.actor(caller), {
        action: req.active ? 'user_activated' : 'user_deactivated',
        username: u.username,
      });
      if (!req.active) {
        // Every window signed in with this account loses its sign-in now.
        for (const c of app.clients.all()) if (c.user?.username === u.username) c.user = null;
      }
      return toUserDTO(u, app.now());
    },
  };
}
