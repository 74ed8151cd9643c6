import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { KioskServices } from '../../electron/core/services';
import { KioskApi, DEMO_ACCOUNTS, type Caller } from '../../electron/app/kiosk-api';
import { QueuedDialogs } from '../../electron/app/bridge-server';
import { DEMO_CARD_HOLDERS } from '../../electron/core/demo';
import type { CheckResultDTO, EventName, EventPayload } from '../../electron/shared/ipc-contract';
import { tempDir } from '../support/tmp';

const dir = tempDir('kiosk-demo-card-');
let n = 0;
const examiner: Caller = { clientId: 'window-demo' };

interface Emitted {
  clientId: string | null;
  event: EventName;
  payload: unknown;
}

async function demoApi(demo: boolean) {
  n++;
  const services = new KioskServices({ dbPath: path.join(dir, `demo-${n}.db`) });
  const events: Emitted[] = [];
  const api = new KioskApi({
    services,
    dialogs: new QueuedDialogs(),
    // An empty trust folder: only the software card's CSCA, added for the demo read, is trusted.
    trustStoreDir: path.join(dir, `trust-${n}`),
    demo,
    events: {
      emit<E extends EventName>(clientId: string | null, event: E, payload: EventPayload<E>) {
        events.push({ clientId, event, payload });
      },
    },
  });
  const seed = await api.seedDemo();
  const giamthi = DEMO_ACCOUNTS.find((a) => a.role === 'examiner')!;
  const signIn = await api.handle('auth.signIn', examiner, { username: giamthi.username, pin: giamthi.pin });
  expect(signIn.ok).toBe(true);
  return { api, services, seed, events };
}

describe('demo mode: the software card on a virtual reader (demo.tapCard)', () => {
  it('seeds the software card holders into the demo roster, once', async () => {
    const { api, services, seed } = await demoApi(true);
    const roster = services.roster.list(seed.sessionCode);
    for (const h of DEMO_CARD_HOLDERS) {
      const c = roster.find((r) => r.candidateNo === h.candidateNo);
      expect(c?.idNumber).toBe(h.person.idNumber);
      expect(c?.fullName).toBe(h.person.fullName);
      expect(c?.dateOfBirth).toBe(h.person.dateOfBirth);
      expect(c?.sex).toBe(h.person.sex);
    }
    const again = await api.seedDemo();
    expect(again.candidates).toBe(seed.candidates);
    expect(services.roster.list(seed.sessionCode)).toHaveLength(seed.candidates);
  });

  it('genuine → match/genuine, altered DG13 → altered_or_forged, clone → altered_or_forged (issue 9: failed AA/CA the SOD announces); all logged', async () => {
    const { api, services, seed, events } = await demoApi(true);
    const tap = async (kind: 'genuine' | 'altered' | 'clone') => {
      const r = await api.handle('demo.tapCard', examiner, { sessionCode: seed.sessionCode, kind });
      if (!r.ok) throw new Error(`tapCard ${kind}: ${r.error.code} ${r.error.en}`);
      return r.value as CheckResultDTO;
    };

    const genuine = await tap('genuine');
    expect(genuine.source).toBe('chip');
    expect(genuine.identityVerdict).toBe('match');
    expect(genuine.authenticityVerdict).toBe('genuine');
    expect(genuine.candidate?.candidateNo).toBe(DEMO_CARD_HOLDERS[0]!.candidateNo);
    // The window sees it as a hardware reader's check: progress, then the verdict as scan.result.
    const results = events.filter((e) => e.event === 'scan.result');
    expect(results).toHaveLength(1);
    expect(results[0]!.clientId).toBe(examiner.clientId);
    expect((results[0]!.payload as { logId: number }).logId).toBe(genuine.logId);
    const phases = events
      .filter((e) => e.event === 'reading.progress')
      .map((e) => (e.payload as { phase: string }).phase);
    expect(phases[0]).toBe('card_present');
    expect(phases).toContain('reading');
    expect(phases.at(-1)).toBe('done');

    const altered = await tap('altered');
    expect(altered.authenticityVerdict).toBe('altered_or_forged');
    const clone = await tap('clone');
    expect(clone.authenticityVerdict).toBe('altered_or_forged');

    const logged = services.db
      .prepare(
        `SELECT id, source, identity_verdict, authenticity_verdict FROM audit_log
         WHERE session_code = ? AND kind = 'check' ORDER BY id`,
      )
      .all(seed.sessionCode) as {
      id: number;
      source: string;
      identity_verdict: string;
      authenticity_verdict: string;
    }[];
    expect(logged.map((l) => [l.id, l.source, l.authenticity_verdict])).toEqual([
      [genuine.logId, 'chip', 'genuine'],
      [altered.logId, 'chip', 'altered_or_forged'],
      [clone.logId, 'chip', 'altered_or_forged'],
    ]);
    expect(logged[0]!.identity_verdict).toBe('match');
  });

  it('is refused when demo mode is off', async () => {
    const { api, seed, services } = await demoApi(false);
    const r = await api.handle('demo.tapCard', examiner, { sessionCode: seed.sessionCode, kind: 'genuine' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('not_demo');
    const count = services.db.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE kind = 'check'`).get() as {
      n: number;
    };
    expect(count.n).toBe(0);
  });
});
