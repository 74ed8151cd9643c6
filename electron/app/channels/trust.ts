/** trust.*: the issuer registry: which document issuers the chair approved, blocked, or has yet to decide. */
import type { AppContext, Handlers } from '../context';

export function trustChannels(app: AppContext): Handlers<'trust'> {
  return {
    'trust.issuers': () => {
      const anchors = app.trustCountries.get();
      const configured = new Set([...anchors, ...app.services.trust.approvedCountries()]);
      return {
        issuers: app.services.trust.list(),
        configuredCountries: [...configured].sort(),
        unconfiguredCountries: app.services.trust.unconfiguredCountries(anchors),
      };
    },
    'trust.approve': (caller, req) =>
      app.services.trust.approve(
        req.issuerId,
        app.actor(caller),
        req.signers?.length ? { signers: req.signers } : {},
      ),
    'trust.block': (caller, req) => app.services.trust.block(req.issuerId, app.actor(caller)),
    'trust.unblock': (caller, req) => app.services.trust.unblock(req.issuerId, app.actor(caller)),
  };
}
