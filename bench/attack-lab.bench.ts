/**
 * The attack lab (issue 9) as figures: every attack of the software CCCD and both honest
 * interoperability faults, plus the clean card, through the kiosk's real check path
 * (test/support/attack-lab: chip check-in flow, the scenario's trust folder, verification, audit log)
 * over each transport: memory, PC/SC (pcscd + vpcd) and the PN532 emulator (socat pty).
 *
 * Per transport: attacks tried, attacks rejected with their own reason code (goal: all), attacks
 * rejected at all, and honest faults + clean card read genuine and accepted (goal: all). The result
 * file also lists each row's outcome, verdict and reason codes (codes only: the holder is fictional
 * and nothing personal is written). A transport whose tools are missing is reported, not measured.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  LAB_ROWS,
  LabKiosk,
  judge,
  memoryColumn,
  pcscColumn,
  pn532Column,
  rowName,
  summarize,
  type LabColumn,
} from '../test/support/attack-lab';
import { tmpDir, type Figure } from './lib';

export interface AttackLabRow {
  transport: string;
  fault: string;
  kind: string;
  expected: string;
  pass: boolean;
  got: string;
  ms: number;
}

let rows: AttackLabRow[] = [];

export async function benchAttackLab(): Promise<Figure[]> {
  const dir = tmpDir('bench-attack-lab-');
  const kiosk = new LabKiosk(path.join(dir, 'kiosk'));
  const figures: Figure[] = [];
  rows = [];
  const openers: [string, (k: LabKiosk) => LabColumn | Promise<LabColumn>][] = [
    ['memory', memoryColumn],
    ['PC/SC', pcscColumn],
    ['PN532', pn532Column],
  ];
  try {
    for (const [name, open] of openers) {
      let column: LabColumn;
      try {
        column = await open(kiosk);
      } catch (e) {
        figures.push({
          name: `${name}: attacks tried`,
          value: 0,
          unit: 'attacks',
          goal: 'the transport runs',
          pass: false,
          note: `not measured: ${e instanceof Error ? e.message : String(e)}`,
        });
        continue;
      }
      let tried = 0;
      let rejectedOwn = 0;
      let rejected = 0;
      let honest = 0;
      let honestGenuine = 0;
      try {
        for (const row of LAB_ROWS) {
          const r = await column.check(row);
          const j = judge(row, r);
          rows.push({
            transport: name,
            fault: rowName(row),
            kind: row.kind,
            expected: row.kind === 'attack' ? `rejected ${row.expectedCode}` : 'genuine accepted',
            pass: j.pass,
            got: summarize(r),
            ms: Math.round(r.ms),
          });
          if (row.kind === 'attack') {
            tried++;
            if (j.pass) rejectedOwn++;
            if (r.outcome === 'rejected') rejected++;
          } else {
            honest++;
            if (j.pass) honestGenuine++;
          }
        }
      } finally {
        await column.close();
      }
      figures.push(
        { name: `${name}: attacks tried`, value: tried, unit: 'attacks', goal: 'every attack fault' },
        {
          name: `${name}: attacks rejected with their own reason`,
          value: rejectedOwn,
          unit: 'attacks',
          goal: `${tried} of ${tried}`,
          pass: rejectedOwn === tried,
        },
        {
          name: `${name}: attacks rejected (any reason)`,
          value: rejected,
          unit: 'attacks',
          goal: `${tried} of ${tried}`,
          pass: rejected === tried,
        },
        {
          name: `${name}: honest faults and clean card read genuine`,
          value: honestGenuine,
          unit: 'cards',
          goal: `${honest} of ${honest}`,
          pass: honestGenuine === honest,
        },
      );
    }
  } finally {
    kiosk.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

/** The per-row table of the last run (for the result file). */
export function attackLabRows(): AttackLabRow[] {
  return rows;
}
