/** log.*: the chair's view of the audit log: filtered pages, one entry in full, the chain check. */
import type { LogDetailsDTO } from '../../shared/ipc-contract';
import type { AppContext, Handlers } from '../context';
import { err } from '../errors';

export function logChannels(app: AppContext): Handlers<'log'> {
  return {
    'log.list': (_caller, req) => {
      // One more than asked for tells whether there is a next page.
      const entries = app.services.log.list({
        sessionCode: req.sessionCode,
        outcome: req.outcome,
        identityVerdict: req.identityVerdict,
        actor: req.actor,
        kind: req.kind,
        from: req.from,
        to: req.to,
        limit: req.limit + 1,
        offset: req.offset,
        order: 'desc',
      });
      const more = entries.length > req.limit;
      return { entries: app.dto.logEntries(entries.slice(0, req.limit)), more };
    },

    'log.get': (_caller, req) => {
      const e = app.services.log.get(req.id);
      if (!e) throw err('log_not_found', `Không có mục nhật ký số ${req.id}.`, `No log entry ${req.id}.`);
      const [dto] = app.dto.logEntries([e]);
      const details: LogDetailsDTO = {
        ...dto!,
        cardHash: e.cardHash,
        prevHash: e.prevHash,
        hash: e.hash,
        details: e.details,
      };
      return details;
    },

    'log.verify': () => app.services.log.verifyParallel(),

    'log.actors': () => app.services.log.checkActors(),
  };
}
