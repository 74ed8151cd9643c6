import type { KioskServices } from './services';
import { CLASSES, fictionalPerson, qrTextOf } from './fictional-people';
import type { RosterRow } from './roster-file';
import { localDate } from './check-service';

export interface DemoSeedResult {
  sessionCode: string;
  candidates: number;
  sampleQr: string;
  notOnRosterQr: string;
}

export const DEMO_ROSTER_SIZE = 40;

/**
 * A demo session for today with a roster of fictional people, so the kiosk can be tried without
 * a real roster. Idempotent: seeding twice reuses the session if it is still open.
 */
export async function seedDemo(services: KioskServices, code = 'DEMO'): Promise<DemoSeedResult> {
  const by = { station: 'demo', actor: 'demo' };
  const people = Array.from({ length: DEMO_ROSTER_SIZE }, (_, i) => fictionalPerson(i, 2026));
  let session = services.sessions.find(code);
  if (!session) {
    session = services.sessions.create(
      {
        code,
        council: 'Hội đồng sát hạch lái xe (DEMO — dữ liệu hư cấu)',
        date: localDate(new Date(), services.timeZone),
        location: 'Trung tâm sát hạch mẫu',
        licenceClasses: CLASSES,
      },
      by,
    );
  }
  if (services.roster.counts(code).total === 0) {
    const rows: RosterRow[] = people.map((p, i) => ({
      rowNumber: i + 2,
      candidateNo: p.candidateNo,
      fullName: p.fullName,
      dateOfBirth: p.dateOfBirth,
      idNumber: p.idNumber,
      oldIdNumber: p.oldIdNumber,
      licenceClass: p.licenceClass,
      sex: p.sex,
    }));
    services.roster.importRows(code, rows, by, false, { demo: true });
  }
  const stranger = fictionalPerson(DEMO_ROSTER_SIZE + 7, 2026);
  return {
    sessionCode: code,
    candidates: services.roster.counts(code).total,
    sampleQr: qrTextOf(people[0]!),
    notOnRosterQr: qrTextOf(stranger),
  };
}
