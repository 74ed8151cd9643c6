import { DEFAULT_PERSON, type SoftPerson } from '../../native/softcard/person';
import type { KioskServices } from './services';
import { CLASSES, fictionalPerson, qrTextOf } from './fictional-people';
import type { RosterRow } from './roster/model';
import { localDate } from './check-service';

export interface DemoSeedResult {
  sessionCode: string;
  candidates: number;
  sampleQr: string;
  notOnRosterQr: string;
}

export const DEMO_ROSTER_SIZE = 40;

/** The demo accounts, whose PINs the sign-in screen shows in demo mode. */
export const DEMO_ACCOUNTS = [
  { username: 'chutich', displayName: 'Chủ tịch hội đồng (demo)', role: 'chair' as const, pin: '2468' },
  { username: 'giamthi', displayName: 'Sát hạch viên (demo)', role: 'examiner' as const, pin: '1357' },
];

/**
 * The holders of the demo's software cards (native/softcard): fictional people on the demo roster, so
 * the chip path can be tried with no reader (`demo.tapCard`). Every value is invented.
 */
export const DEMO_CARD_HOLDERS: readonly { candidateNo: string; licenceClass: string; person: SoftPerson }[] =
  Object.freeze([
    { candidateNo: '900001', licenceClass: 'B', person: DEFAULT_PERSON },
    {
      candidateNo: '900002',
      licenceClass: 'A1',
      person: Object.freeze({
        ...DEFAULT_PERSON,
        idNumber: '079095006789',
        fullName: 'Trần Văn Hùng',
        dateOfBirth: '1995-09-23',
        sex: 'M',
        placeOfOrigin: 'Phường 4, Quận 5, Thành phố Hồ Chí Minh',
        residence: 'Số 8 Đường Hoa Lan, Phường 2, Quận Phú Nhuận, Thành phố Hồ Chí Minh',
        identifyingMarks: 'Sẹo chấm C:2cm dưới sau tai phải',
        dateOfIssue: '2024-03-02',
        dateOfExpiry: '2035-09-23',
        father: 'Trần Văn Lâm',
        mother: 'Lê Thị Thu',
        oldIdNumber: '025678901',
        unknown16: '9F8E7D6C5B4A3921',
        mrzSurname: 'TRAN',
        mrzGivenNames: 'VAN HUNG',
        photoSeed: 2,
      }) as SoftPerson,
    },
  ]);

/** Whose software card a demo tap puts on the reader: the altered card is the second holder's, the others the first's. */
export function demoCardHolder(kind: 'genuine' | 'altered' | 'clone'): (typeof DEMO_CARD_HOLDERS)[number] {
  return DEMO_CARD_HOLDERS[kind === 'altered' ? 1 : 0]!;
}

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
    for (const c of DEMO_CARD_HOLDERS) {
      rows.push({
        rowNumber: rows.length + 2,
        candidateNo: c.candidateNo,
        fullName: c.person.fullName,
        dateOfBirth: c.person.dateOfBirth,
        idNumber: c.person.idNumber,
        ...(c.person.oldIdNumber ? { oldIdNumber: c.person.oldIdNumber } : {}),
        licenceClass: c.licenceClass,
        sex: c.person.sex,
      });
    }
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
