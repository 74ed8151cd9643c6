/**
 * The attack lab through the command line, as an examiner or a tester would run it: for the
 * scenarios where the kiosk's trust folder matters, `kiosk sim pn532 --port B --fault NAME
 * --csca-out DIR` puts the card on an emulated PN532 and writes what a kiosk of that scenario
 * trusts, and `kiosk check --reader pn532:A --qr QR --csca DIR --json` (another process) logs the
 * verdict. The rows and expectations are the matrix's (test/support/attack-lab).
 * Skipped with a notice without socat, except under CI=true.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KioskServices } from '../../electron/core/services';
import { DEFAULT_PERSON } from '../../native/softcard/person';
import { LAB_ROWS, judge, rowName, type LabResult } from '../support/attack-lab';
import { runKiosk, startKiosk } from '../support/kiosk-process';
import { createPtyPair } from '../support/socat';
import { needsPart } from '../support/system-parts';
import { rosterCsvFor } from '../support/sim-roster';
import { tempDir } from '../support/tmp';

const socat = needsPart('socat', 'attack lab through the CLI (kiosk sim pn532 on a socat pty)');

/** The rows whose trust folder (--csca-out) decides the scenario, and the clean card. */
const CLI_ROWS = LAB_ROWS.filter((r) => ['', 'own-csca', 'foreign-csca', 'csca-not-ca'].includes(r.fault));

const root = tempDir('attack-lab-cli-');
const dataDir = path.join(root, 'user-data');
const dbPath = path.join(root, 'k.db');
const env = { KIOSK_DATA_DIR: dataDir, KIOSK_DB: dbPath };

beforeAll(async () => {
  fs.mkdirSync(dataDir, { recursive: true });
  // One session per row (a clean card accepted first would make later rows "already checked in").
  const s = new KioskServices({ dbPath });
  try {
    const by = { station: 'attack-lab-cli', actor: 'examiner-lab' };
    const csv = path.join(root, 'roster.csv');
    fs.writeFileSync(csv, rosterCsvFor([DEFAULT_PERSON]));
    for (let i = 0; i < CLI_ROWS.length; i++) {
      const code = `CLI${i + 1}`;
      s.sessions.create({ code, council: 'Hội đồng thử', date: '2026-11-27', licenceClasses: [] }, by);
      await s.roster.importFile(code, csv, by);
    }
  } finally {
    s.close();
  }
}, 60_000);

interface CheckJson {
  outcome: LabResult['outcome'];
  identity: { verdict: string; reasons: { code: string; severity: string }[] };
  authenticity: { verdict: string };
}

describe.skipIf(socat.skip)('kiosk sim pn532 --fault + --csca-out, kiosk check --reader', () => {
  it.each(CLI_ROWS.map((r, i) => [rowName(r), r, i] as const))(
    '%s',
    async (_name, row, i) => {
      const pty = await createPtyPair();
      const csca = fs.mkdtempSync(path.join(root, 'csca-'));
      const sim = await startKiosk(
        ['sim', 'pn532', '--port', pty.b, '--csca-out', csca, ...(row.fault ? ['--fault', row.fault] : [])],
        env,
      );
      try {
        await sim.waitForLine(/Card inserted/);
        // --csca-out wrote the scenario's trust folder, never a forger's CSCA.
        const expected = row.fault === 'foreign-csca' || row.fault === 'csca-not-ca' ? 2 : 1;
        expect(sim.lines.filter((l) => l.startsWith('CSCA: ')).length).toBe(expected);
        expect(fs.readdirSync(csca)).toHaveLength(expected);
        const r = await runKiosk(
          [
            'check',
            '--session',
            `CLI${i + 1}`,
            '--reader',
            `pn532:${pty.a}`,
            '--qr',
            sim.firstLine,
            '--csca',
            csca,
            '--timeout',
            '30',
            '--json',
          ],
          env,
        );
        let result: LabResult;
        if (r.code === 0) {
          const j = r.json() as CheckJson;
          result = {
            outcome: j.outcome,
            verdict: j.authenticity.verdict,
            identity: j.identity.verdict,
            reasons: j.identity.reasons.map((x) => ({ code: x.code, severity: x.severity })),
            ms: 0,
          };
        } else {
          const err = (r.json() as { error?: { code?: string } }).error;
          result = { reasons: [], readError: err?.code ?? `exit ${r.code}`, ms: 0 };
        }
        const j = judge(row, result);
        const want =
          row.kind === 'attack' ? `rejected with ${row.expectedCode} (error)` : 'genuine and accepted';
        expect(j.pass, `${rowName(row)}: want ${want}; got ${j.summary}`).toBe(true);
      } finally {
        expect(await sim.stop()).toBe(0);
        await pty.close();
      }
    },
    120_000,
  );
});
