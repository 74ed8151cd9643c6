/**
 * `kiosk key ...`, `kiosk privacy ...` and the session form of `kiosk log verify`:
 *
 *   kiosk key export [--out FILE]                       the station's Ed25519 public key (PEM)
 *   kiosk log verify --session C [--report FILE] [--public-key FILE]
 *                                                       chain + signed statement + database + report
 *   kiosk privacy purge --older-than-days N [--dry-run] erase personal data of old signed sessions
 *   kiosk privacy retention [--days N | --off]          the retention the app applies at start
 *
 * None of them prints personal data: codes, counts, hashes, fingerprints and key material only.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { KioskServices } from '../core/services';
import { defaultActor } from '../core/services';
import { verifySessionIntegrity, type SessionIntegrityReport } from '../core/integrity';
import { readReportSealOrProblem } from '../core/report-seal';
import { publicKeyFingerprint } from '../core/station-key';
import { KioskError } from '../core/errors';
import { SettingsService } from '../core/settings';
import { EXIT, UsageError, line, printJson } from './output';

export interface CliGlobals {
  db?: string;
  json?: boolean;
}

/** main.ts's action(): opens the services, prints errors in both languages, sets the exit code. */
export type CliAction = <A extends unknown[]>(
  fn: (services: KioskServices, g: CliGlobals, ...args: A) => Promise<number> | number,
) => (...args: A) => Promise<void>;

export function registerSecurityCommands(program: Command, action: CliAction): void {
  // ---- key ----------------------------------------------------------------------------------
  const key = program.command('key').description("the station's signing key (Ed25519)");
  key
    .command('export')
    .description('print (or write) the public key that verifies signed sessions and reports, as PEM')
    .option('--out <file>', 'write the PEM to this file instead of printing it')
    .action(
      action((s, g, opts: { out?: string }) => {
        const pem = s.stationKey.publicKeyPem();
        const fingerprint = s.stationKey.fingerprint();
        if (opts.out) {
          try {
            fs.writeFileSync(opts.out, pem);
          } catch (err) {
            throw new KioskError('write_failed', {
              vi: `Không ghi được tệp "${path.basename(opts.out)}".`,
              en: `Cannot write "${opts.out}": ${(err as Error).message}`,
            });
          }
        }
        if (g.json) printJson({ publicKey: pem, fingerprint, ...(opts.out ? { out: opts.out } : {}) });
        else if (opts.out) {
          line(`Đã ghi khóa công khai vào ${opts.out}. Public key written.`);
          line(`SHA-256: ${fingerprint}`);
        } else {
          process.stdout.write(pem.endsWith('\n') ? pem : pem + '\n');
        }
        return EXIT.ok;
      }),
    );

  // ---- privacy ------------------------------------------------------------------------------
  const privacy = program.command('privacy').description('personal data: retention purge (Decree 13/2023)');
  privacy
    .command('purge')
    .description(
      'erase the personal data (names, dates of birth, ID numbers, photos, notes) of signed sessions ' +
        'signed more than N days ago; verdicts, the log and the seals stay',
    )
    .requiredOption('--older-than-days <n>', 'sessions signed at least this many days ago (0 = all signed)')
    .option('--dry-run', 'only count what would be erased')
    .option('--station <name>', 'station name for the log')
    .option('--examiner <name>', 'who does this (for the log)')
    .action(
      action(
        (s, g, opts: { olderThanDays: string; dryRun?: boolean; station?: string; examiner?: string }) => {
          const r = s.privacy.purge({
            olderThanDays: wholeDays(opts.olderThanDays),
            dryRun: opts.dryRun ?? false,
            by: defaultActor(opts.station, opts.examiner),
          });
          if (g.json) printJson(r);
          else {
            const verb = r.dryRun ? 'Sẽ xóa' : 'Đã xóa';
            const verbEn = r.dryRun ? 'Would erase' : 'Erased';
            line(
              `${verb} dữ liệu cá nhân của ${r.candidates} thí sinh trong ${r.sessions.length} kỳ sát hạch đã ký trước ${r.cutoff}. ` +
                `${verbEn} the personal data of ${r.candidates} candidates in ${r.sessions.length} signed sessions.`,
            );
            for (const x of r.sessions) line(`  ${x.code}\t${x.signedAt}\t${x.candidates}`);
          }
          return EXIT.ok;
        },
      ),
    );
  privacy
    .command('retention')
    .description('show or set the retention period the app applies at start (days after sign-off)')
    .option('--days <n>', 'purge signed sessions this many days after sign-off')
    .option('--off', 'keep personal data until purged by hand')
    .option('--station <name>', 'station name for the log')
    .option('--examiner <name>', 'who does this (for the log)')
    .action(
      action((s, g, opts: { days?: string; off?: boolean; station?: string; examiner?: string }) => {
        if (opts.days !== undefined && opts.off) {
          throw new UsageError({
            vi: 'Chỉ dùng một trong --days và --off.',
            en: 'Use --days or --off, not both.',
          });
        }
        const settings = new SettingsService(s.db);
        if (opts.days !== undefined || opts.off) {
          const days = opts.off ? null : wholeDays(opts.days!);
          const changed = settings.update({ retentionDays: days });
          if (changed.length) {
            s.log.append({
              kind: 'settings_changed',
              ...defaultActor(opts.station, opts.examiner),
              details: { action: 'settings_updated', changed, values: { retentionDays: days } },
            });
          }
        }
        const days = settings.get().retentionDays;
        if (g.json) printJson({ retentionDays: days });
        else
          line(
            days === null
              ? 'Không tự động xóa dữ liệu cá nhân. Personal data is kept until purged by hand.'
              : `Dữ liệu cá nhân được xóa ${days} ngày sau khi ký duyệt. Personal data is erased ${days} days after sign-off.`,
          );
        return EXIT.ok;
      }),
    );
}

function wholeDays(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n > 36_500) {
    throw new UsageError({
      vi: 'Số ngày phải là số nguyên từ 0 đến 36500.',
      en: 'The number of days must be a whole number from 0 to 36500.',
    });
  }
  return n;
}

/** `kiosk log verify --session C [--report FILE] [--public-key FILE]`. */
export async function verifySessionCommand(
  s: KioskServices,
  g: CliGlobals,
  opts: { session: string; report?: string; publicKey?: string },
): Promise<number> {
  let trusted: string | undefined;
  if (opts.publicKey) {
    try {
      trusted = fs.readFileSync(opts.publicKey, 'utf8');
      publicKeyFingerprint(trusted);
    } catch (err) {
      if (err instanceof KioskError) throw new UsageError({ vi: err.vi, en: err.en });
      throw new UsageError({
        vi: `Không đọc được tệp khóa công khai "${path.basename(opts.publicKey)}".`,
        en: `Cannot read the public key file "${opts.publicKey}".`,
      });
    }
  }
  const report = opts.report ? await readReportSealOrProblem(opts.report) : undefined;
  const r = verifySessionIntegrity(s.db, s.log, s.stationKey, opts.session, {
    trustedPublicKey: trusted,
    report,
  });
  if (g.json) printJson(r);
  else printIntegrity(r);
  return r.ok ? EXIT.ok : EXIT.failure;
}

function printIntegrity(r: SessionIntegrityReport): void {
  line(`Kiểm tra kỳ sát hạch ${r.session}. Checking session ${r.session}.`);
  for (const c of r.checks) {
    line(`  ${c.ok ? '[OK]  ' : '[LỖI] '}${c.name}: ${c.vi}`);
    line(`        ${c.en}`);
  }
  if (r.keyFingerprint) line(`Khóa / key SHA-256: ${r.keyFingerprint}`);
  const failed = r.checks.filter((c) => !c.ok).map((c) => c.name);
  if (failed.length) {
    line(`KẾT QUẢ: KHÔNG KHỚP (${failed.join(', ')}). RESULT: MISMATCH in ${failed.join(', ')}.`);
  } else {
    line('KẾT QUẢ: TẤT CẢ KHỚP. RESULT: everything agrees.');
  }
}
