/**
 * demo.*: demo mode only. Sample QR texts of the fictional roster, and a software card tapped on the
 * demo's card reader (native/readers/demo-driver.ts): the production path runs on it (the reader's
 * events, the chip check-in, the log) and the call gets the verdict back, which the window also gets as
 * scan.result like any reader's.
 */
import { DEMO_ROSTER_SIZE, demoCardHolder, type DemoSeedResult } from '../../core/demo';
import { KioskError } from '../../core/errors';
import { fictionalPerson, qrTextOf } from '../../core/fictional-people';
import { notInState } from '../../core/sessions';
import type { AppContext, Handlers } from '../context';
import { err } from '../errors';

export function demoChannels(app: AppContext): Handlers<'demo'> {
  const seeded = (): DemoSeedResult => {
    const seed = app.demoSeed();
    if (!app.options.demo || !seed) {
      throw err('not_demo', 'Chỉ dùng được trong chế độ thử.', 'Only available in demo mode.');
    }
    return seed;
  };

  return {
    'demo.sampleQr': (_caller, req) => {
      const seed = seeded();
      if (req.kind === 'not_on_roster') return { text: seed.notOnRosterQr };
      // The next demo candidate not checked in yet.
      const present = new Set(
        app.services.roster
          .list(seed.sessionCode)
          .filter((c) => c.checkedInAt)
          .map((c) => c.candidateNo),
      );
      for (let i = 0; i < Math.min(seed.candidates, DEMO_ROSTER_SIZE); i++) {
        const p = fictionalPerson(i, 2026);
        if (!present.has(p.candidateNo)) return { text: qrTextOf(p) };
      }
      return { text: seed.sampleQr };
    },

    'demo.tapCard': async (caller, req) => {
      seeded();
      const session = app.services.sessions.get(req.sessionCode);
      if (session.state !== 'open') throw notInState(session, 'open');
      // The reader's check goes to the window that checks in this session: this one.
      app.clients.setActive(caller, req.sessionCode);
      const readers = app.readers();
      if (!readers) throw err('not_demo', 'Chỉ dùng được trong chế độ thử.', 'Only available in demo mode.');
      const outcome = await readers.tapSoftCard({ person: demoCardHolder(req.kind).person, kind: req.kind });
      if (!outcome.ok)
        throw new KioskError(outcome.error.code, { vi: outcome.error.vi, en: outcome.error.en });
      return app.dto.result(outcome.result.record, outcome.result.chip?.reading ?? null, 'chip');
    },
  };
}
