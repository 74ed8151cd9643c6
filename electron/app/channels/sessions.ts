/** sessions.*: exam sessions: list, create, close, and the chair's sign-off with PIN. */
import type { AppContext, Handlers } from '../context';
import { err } from '../errors';

export function sessionsChannels(app: AppContext): Handlers<'sessions'> {
  return {
    'sessions.list': () => app.services.sessions.list().map((s) => app.dto.session(s.code)),

    'sessions.create': (caller, req) => {
      const s = app.services.sessions.create(req, app.actor(caller));
      return app.dto.session(s.code);
    },

    'sessions.close': (caller, req) => {
      app.services.sessions.close(req.sessionCode, app.actor(caller));
      return app.dto.session(req.sessionCode);
    },

    'sessions.signOff': async (caller, req) => {
      const me = app.clients.get(caller).user!;
      const session = app.services.sessions.get(req.sessionCode);
      if (session.state !== 'closed') {
        throw err(
          `session_${session.state}`,
          session.state === 'open'
            ? 'Hãy đóng kỳ sát hạch trước khi ký duyệt.'
            : 'Kỳ sát hạch này đã được ký duyệt.',
          session.state === 'open'
            ? 'Close the session before signing it off.'
            : 'This session is already signed off.',
        );
      }
      const check = await app.users.checkPin(me.username, req.pin);
      if (!check.ok) throw app.pinRefused(app.actor(caller), 'sign_off', check, req.sessionCode);
      const integrity = app.services.log.verify();
      if (!integrity.ok) {
        throw err(
          'log_broken',
          `Không thể ký duyệt: ${integrity.firstBroken.vi}`,
          `Cannot sign off: the audit log is broken (${integrity.firstBroken.message}).`,
        );
      }
      app.services.sessions.sign(req.sessionCode, app.actor(caller), {
        chair: me.username,
        logEntriesVerified: integrity.entries,
        logHeadHash: integrity.headHash,
      });
      return app.dto.session(req.sessionCode);
    },
  };
}
