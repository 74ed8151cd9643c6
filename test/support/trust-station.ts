/**
 * Checks a software card in as the kiosk does on a station with a trust folder and an issuer registry:
 * a fresh session whose roster holds the card's holder, the station trust store (folder + the chair's
 * pins and blocks), a chip read, and the check with the read's issuer. Shared by the trust-policy and
 * forger tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chipCheckDetails } from '../../electron/core/chip-checkin';
import type { CheckRecord } from '../../electron/core/check-service';
import type { KioskServices } from '../../electron/core/services';
import type { Actor } from '../../electron/core/actor';
import { loadStationTrustStore } from '../../electron/core/trust-folder';
import { readChip } from '../../native/chip/read-chip';
import { DEFAULT_PERSON } from '../../native/softcard/person';
import type { SoftCard } from '../../native/softcard/soft-card';
import { rosterCsvFor } from './sim-roster';

let sessions = 0;

export async function checkCardAtStation(
  s: { services: KioskServices; trustDir: string },
  card: SoftCard,
  by: Actor,
  dir: string,
): Promise<CheckRecord> {
  const code = `T${++sessions}`;
  s.services.sessions.create({ code, council: 'Hội đồng thử', date: '2026-11-27', licenceClasses: [] }, by);
  const csv = path.join(dir, `${code}-${process.pid}.csv`);
  fs.writeFileSync(csv, rosterCsvFor([DEFAULT_PERSON]));
  await s.services.roster.importFile(code, csv, by);
  const trustStore = await loadStationTrustStore(s.trustDir, s.services.trust);
  const result = await readChip(card.transport, { can: card.can }, { trustStore });
  return s.services.checks.checkReading(code, result.reading, by, chipCheckDetails(result), result);
}
