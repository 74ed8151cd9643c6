/**
 * Card pulled at every command of a full chip check-in (1, 2, ... N), through each transport: the
 * in-memory software card, PC/SC via pcscd + vpcd, and the PN532 emulator over a socat pty pair.
 * A pull survives when it gives a clean retryable bilingual error, writes nothing to the audit log,
 * and the same card then checks its holder in for the first time (match, genuine). See
 * test/support/card-pull.ts; npm test runs a subset (test/integration/card-pull.test.ts).
 */
import {
  memorySlot,
  pcscSlot,
  pn532Slot,
  runCardPull,
  type CardSlot,
  type PullReport,
} from '../test/support/card-pull';
import { testPcscd, useSocket } from '../test/support/pcscd';
import { round, type Figure } from './lib';

export async function benchCardPull(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const pcscd = await testPcscd();
  useSocket(pcscd);
  await pcscd.start();
  try {
    const slots: Array<() => Promise<CardSlot>> = [
      async () => memorySlot(),
      () => pcscSlot(pcscd),
      () => pn532Slot(),
    ];
    for (const open of slots) {
      const slot = await open();
      let report: PullReport;
      try {
        report = await runCardPull(slot, {
          onOutcome: (o, n) => {
            if (o.n % 10 === 0 || o.n === n || !o.survived) {
              process.stdout.write(
                `  ${slot.kind}: pulled at ${o.n}/${n}${o.survived ? '' : ` FAILED: ${o.problem}`}\n`,
              );
            }
          },
        });
      } finally {
        await slot.close();
      }
      const failed = report.outcomes.filter((o) => !o.survived);
      const codes = Object.entries(report.codes)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      figures.push(
        {
          name: `card pulled at every command, ${slot.kind}: removals survived`,
          value: report.survived,
          unit: `of ${report.tried}`,
          goal: `all ${report.commands} commands of a full read`,
          pass:
            report.tried === report.commands &&
            report.survived === report.tried &&
            report.chainOk &&
            report.integrityOk,
          note:
            `errors: ${codes}; log ${report.logEntries} entries, chain ${report.chainOk ? 'ok' : 'BROKEN'}, ` +
            `integrity ${report.integrityOk ? 'ok' : 'FAILED'}` +
            (failed.length
              ? `; failed at ${failed
                  .map((o) => `${o.n} (${o.problem})`)
                  .join(', ')
                  .slice(0, 1500)}`
              : ''),
        },
        {
          name: `card pulled at every command, ${slot.kind}: run time`,
          value: round(report.ms / 1000, 1),
          unit: 's',
          goal: 'informational',
          note: `${report.commands} commands per full read; each pull = a partial read + a full retry`,
        },
      );
    }
  } finally {
    await pcscd.dispose();
  }
  return figures;
}
