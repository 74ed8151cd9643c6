/**
 * `kiosk doctor [--json]`: the IT person's check of a station (electron/core/doctor.ts). Every check with
 * its state, and for each problem what to do, in Vietnamese and English. Exit 0 when the station is
 * ready (no problem; warnings allowed), 1 otherwise.
 */

import type { Command } from 'commander';
import { EXIT, line, printError, printJson } from './output';

const MARK = { ok: 'OK  ', warning: 'WARN', problem: 'FAIL', skipped: 'SKIP' } as const;

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'check this station: native modules, database, pcscd and readers, serial/HID, trust store, station key, disk, clock (exit 1 when it is not ready)',
    )
    .option('--trust <dir>', 'trust-store folder (default: the app user-data trust-store)')
    .option('--expiry-days <n>', 'warn about certificates expiring within this many days', '90')
    .action(async (opts: { trust?: string; expiryDays: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals() as { db?: string; json?: boolean };
      try {
        const { runDoctor } = await import('../core/doctor');
        const report = await runDoctor({
          ...(g.db ? { dbPath: g.db } : {}),
          ...(opts.trust ? { trustDir: opts.trust } : {}),
          expiryDays: Number(opts.expiryDays) > 0 ? Number(opts.expiryDays) : 90,
        });
        if (g.json) printJson(report);
        else {
          for (const ch of report.checks) {
            line(`[${MARK[ch.state]}] ${ch.id}: ${ch.vi}`);
            line(`       ${' '.repeat(ch.id.length)}  ${ch.en}`);
            if (ch.fix) {
              line(`       → ${ch.fix.vi}`);
              line(`       → ${ch.fix.en}`);
            }
          }
          const n = (s: string) => report.checks.filter((x) => x.state === s).length;
          line(
            report.ready
              ? `Trạm sẵn sàng (${n('warning')} cảnh báo). The station is ready (${n('warning')} warnings).`
              : `Trạm CHƯA sẵn sàng: ${n('problem')} lỗi. The station is NOT ready: ${n('problem')} problems.`,
          );
        }
        process.exitCode = report.ready ? EXIT.ok : EXIT.failure;
      } catch (err) {
        printError(err, g.json ?? false);
        process.exitCode = EXIT.failure;
      } finally {
        // pcsclite keeps a watcher thread alive after close(): leave once done.
        setTimeout(() => process.exit(), 300).unref();
      }
    });
}
