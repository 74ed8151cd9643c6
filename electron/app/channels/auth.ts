/** auth.*: the sign-in screen, the first account, signing in and out, changing one's own PIN. */
import { DEMO_ACCOUNTS } from '../../core/demo';
import type { UserRecord } from '../../core/users';
import type { AuthStatus, SignedInUser } from '../../shared/ipc-contract';
import type { Caller } from '../clients';
import type { AppContext, Handlers } from '../context';
import { err } from '../errors';

export function authChannels(app: AppContext): Handlers<'auth'> {
  /** The window is signed in as `user` (a fresh window session: no files picked), and the log says so. */
  const completeSignIn = (caller: Caller, user: UserRecord): SignedInUser => {
    const signedInAt = app.now().toISOString();
    const c = app.clients.get(caller);
    c.user = { ...user, signedInAt };
    c.picks.clear();
    app.appendLog(
      'sign_in',
      { station: app.settings.get().stationName, actor: user.username },
      { role: user.role },
    );
    return { username: user.username, displayName: user.displayName, role: user.role, signedInAt };
  };

  return {
    'auth.status': (caller): AuthStatus => {
      const s = app.settings.get();
      return {
        setupRequired: app.users.count() === 0,
        user: app.clients.signedInUser(caller.clientId),
        station: s.stationName,
        language: s.language,
        demo: app.options.demo
          ? { pins: DEMO_ACCOUNTS.map((a) => ({ username: a.username, pin: a.pin })) }
          : null,
      };
    },

    'auth.users': () =>
      app.users
        .activeUsers()
        .map((u) => ({ username: u.username, displayName: u.displayName, role: u.role })),

    'auth.setup': async (caller, req) => {
      if (app.users.count() > 0) {
        throw err('setup_done', 'Đã có tài khoản: hãy đăng nhập.', 'Accounts exist already: sign in.');
      }
      const user = await app.users.create({ ...req, role: 'chair' });
      const by = { station: app.settings.get().stationName, actor: user.username };
      app.appendLog('settings_changed', by, {
        action: 'user_created',
        username: user.username,
        role: 'chair',
        firstAccount: true,
      });
      return completeSignIn(caller, user);
    },

    'auth.signIn': async (caller, req) => {
      const result = await app.users.checkPin(req.username, req.pin);
      const station = app.settings.get().stationName;
      if (result.ok) return completeSignIn(caller, result.user);
      app.clients.get(caller).user = null;
      throw app.pinRefused(
        { station, actor: result.reason === 'unknown_user' ? '(unknown)' : req.username },
        'sign_in',
        result,
      );
    },

    'auth.signOut': (caller) => {
      const c = app.clients.get(caller);
      c.user = null;
      c.activeSession = null;
      c.heldQr = null;
      c.picks.clear();
      return {};
    },

    'auth.changePin': async (caller, req) => {
      const me = app.clients.get(caller).user!;
      const check = await app.users.checkPin(me.username, req.currentPin);
      if (!check.ok) throw app.pinRefused(app.actor(caller), 'change_pin', check);
      await app.users.setPin(me.username, req.newPin);
      app.appendLog('settings_changed', app.actor(caller), {
        action: 'pin_changed',
        username: me.username,
      });
      return {};
    },
  };
}
