import { Command, CommanderError, Option } from 'commander';
import { KioskServices, defaultActor } from '../core/services';
import { REPORT_FORMATS, type ReportFormat } from '../../native/domain/vocabulary';
import { RosterValidationError } from '../core/roster-service';
import { EXIT, UsageError, exitCodeFor, line, outcomeHeadline, printError, printJson } from './output';
import { seedDemo } from '../core/demo';
import { formatDateVi } from '../core/verification';
import type { CheckRecord } from '../core/check-service';
import { checkWithReader, registerReaderCommands } from './reader-commands';
import { readImageFile, registerFaceCommands } from './face-commands';
import { LABELS } from '../../native/domain/labels';
import type { CardPhoto, FaceResult } from '../../native/domain/vocabulary';

interface GlobalOpts {
  db?: string;
  json?: boolean;
}

const program = new Command();
program
  .name('kiosk')
  .description('CCCD Kiosk: exam sessions, rosters, card checks, the audit log and reports')
  .option('--db <path>', 'database file (default: $KIOSK_DB, else the app user-data folder)')
  .option('--json', 'machine-readable output')
  .showHelpAfterError()
  .exitOverride();

function globals(cmd: Command): GlobalOpts {
  return cmd.optsWithGlobals() as GlobalOpts;
}

/** Runs an action with the services open, and turns errors into messages and exit codes. */
function action<A extends unknown[]>(
  fn: (services: KioskServices, g: GlobalOpts, ...args: A) => Promise<number> | number,
) {
  return async (...args: A) => {
    const cmd = args[args.length - 1] as Command;
    const g = globals(cmd);
    let services: KioskServices | undefined;
    try {
      services = new KioskServices({ dbPath: g.db });
      process.exitCode = await fn(services, g, ...args);
    } catch (err) {
      printError(err, g.json ?? false);
      if (err instanceof RosterValidationError && !g.json) {
        for (const e of err.errors) {
          process.stderr.write(
            `  Dòng ${e.rowNumber}${e.column ? ` [${e.column}]` : ''}: ${e.reason.vi}  (row ${e.rowNumber}: ${e.reason.en})\n`,
          );
        }
      }
      process.exitCode = exitCodeFor(err);
    } finally {
      services?.close();
    }
  };
}

// ---- session ------------------------------------------------------------------------------
const session = program.command('session').description('exam sessions (kỳ sát hạch)');
session
  .command('create')
  .description('create an exam session')
  .requiredOption('--code <code>', 'session code, e.g. SH-2026-11-27-B')
  .requiredOption('--council <text>', 'examination council (hội đồng sát hạch)')
  .requiredOption('--date <yyyy-mm-dd>', 'exam date')
  .option('--location <text>', 'test centre')
  .option('--classes <list>', 'licence classes, comma-separated (e.g. B2,C)')
  .option('--station <name>', 'station name for the log')
  .option('--examiner <name>', 'who does this (for the log)')
  .action(
    action((s, g, opts: Record<string, string | undefined>) => {
      const created = s.sessions.create(
        {
          code: opts.code!,
          council: opts.council!,
          date: opts.date!,
          location: opts.location,
          licenceClasses: opts.classes ? opts.classes.split(',').filter(Boolean) : [],
        },
        defaultActor(opts.station, opts.examiner),
      );
      if (g.json) printJson(created);
      else
        line(
          `Đã tạo kỳ sát hạch ${created.code} (${formatDateVi(created.date)}). Created session ${created.code}.`,
        );
      return EXIT.ok;
    }),
  );
session
  .command('list')
  .description('list exam sessions')
  .action(
    action((s, g) => {
      const list = s.sessions.list().map((x) => ({ ...x, ...s.roster.counts(x.code) }));
      if (g.json) printJson(list);
      else {
        if (!list.length) line('Chưa có kỳ sát hạch nào. No sessions yet.');
        for (const x of list) {
          line(`${x.code}\t${formatDateVi(x.date)}\t${x.state}\t${x.present}/${x.total}\t${x.council}`);
        }
      }
      return EXIT.ok;
    }),
  );
session
  .command('show')
  .description('show one session with its counts')
  .requiredOption('--code <code>', 'session code')
  .action(
    action((s, g, opts: { code: string }) => {
      const x = { ...s.sessions.get(opts.code), ...s.roster.counts(opts.code) };
      if (g.json) printJson(x);
      else {
        line(`${x.code} — ${x.council}`);
        line(
          `Ngày/date: ${formatDateVi(x.date)}  Địa điểm/location: ${x.location ?? '-'}  Hạng/classes: ${x.licenceClasses.join(', ') || '-'}`,
        );
        line(`Trạng thái/state: ${x.state}  Có mặt/present: ${x.present}/${x.total}`);
      }
      return EXIT.ok;
    }),
  );
for (const [name, desc] of [
  ['close', 'close check-in of a session (open → closed)'],
  ['sign', 'sign off a closed session (closed → signed, read-only)'],
] as const) {
  session
    .command(name)
    .description(desc)
    .requiredOption('--code <code>', 'session code')
    .option('--station <name>', 'station name for the log')
    .option('--examiner <name>', 'who does this (the chair, for sign)')
    .action(
      action((s, g, opts: { code: string; station?: string; examiner?: string }) => {
        const by = defaultActor(opts.station, opts.examiner);
        const x = name === 'close' ? s.sessions.close(opts.code, by) : s.sessions.sign(opts.code, by);
        if (g.json) printJson(x);
        else line(`${x.code}: ${x.state}`);
        return EXIT.ok;
      }),
    );
}

// ---- roster -------------------------------------------------------------------------------
const roster = program.command('roster').description('candidate rosters');
roster
  .command('import')
  .description('import a roster (CSV or XLSX) into a session; all rows or none')
  .argument('<file>', 'CSV or XLSX file')
  .requiredOption('--session <code>', 'session code')
  .option('--sheet <name>', 'XLSX sheet name (default: the first sheet)')
  .option('--replace', 'replace the existing roster (only while nobody has checked in)')
  .option('--station <name>', 'station name for the log')
  .option('--examiner <name>', 'who does this (for the log)')
  .action(
    action(
      async (
        s,
        g,
        file: string,
        opts: { session: string; sheet?: string; replace?: boolean; station?: string; examiner?: string },
      ) => {
        const r = await s.roster.importFile(opts.session, file, defaultActor(opts.station, opts.examiner), {
          sheet: opts.sheet,
          replace: opts.replace,
        });
        if (g.json) printJson(r);
        else
          line(
            `Đã nhập ${r.imported} thí sinh vào ${r.sessionCode}${r.replaced ? ` (thay ${r.replaced})` : ''}. ` +
              `Imported ${r.imported} candidates.`,
          );
        return EXIT.ok;
      },
    ),
  );
roster
  .command('list')
  .description('list the candidates of a session with their check-in status')
  .requiredOption('--session <code>', 'session code')
  .option('--search <text>', 'filter by name, candidate number or ID')
  .action(
    action((s, g, opts: { session: string; search?: string }) => {
      const list = s.roster.list(opts.session, opts.search);
      if (g.json) printJson(list);
      else
        for (const c of list) {
          line(
            `${c.candidateNo}\t${c.fullName}\t${formatDateVi(c.dateOfBirth)}\t${c.licenceClass ?? ''}\t${c.checkedInAt ? 'có mặt' : '-'}`,
          );
        }
      return EXIT.ok;
    }),
  );

// ---- check --------------------------------------------------------------------------------
program
  .command('check')
  .description('check a card against the session roster and log the result')
  .requiredOption('--session <code>', 'session code')
  .option('--qr <text>', 'the text of the QR code on the card front')
  .option(
    '--reader <name>',
    'read the chip on this reader (PC/SC name or pn532:/dev/ttyX); --qr then gives the CAN',
  )
  .option('--can <digits>', 'with --reader: the CAN (last 6 digits of the ID)')
  .option('--mrz <text>', 'with --reader: the MRZ')
  .option('--csca <dir>', 'with --reader: folder of trusted CSCA certificates (default: the app trust store)')
  .option('--timeout <s>', 'with --reader: seconds to wait for the card (default 60)')
  .option('--station <name>', 'station name ($KIOSK_STATION, else the host name)')
  .option('--examiner <name>', 'examiner ($KIOSK_EXAMINER)')
  .option(
    '--face <image>',
    "a photo of the person at the desk: compared with the chip photo (else the roster photo), logged as 'face_check'",
  )
  .action(
    action(
      async (
        s,
        g,
        opts: {
          session: string;
          qr?: string;
          reader?: string;
          can?: string;
          mrz?: string;
          station?: string;
          examiner?: string;
          face?: string;
        },
      ) => {
        const faceImage = opts.face !== undefined ? readImageFile(opts.face, '--face') : null;
        const withFace = async (rec: CheckRecord, chipPhoto: CardPhoto | null): Promise<void> => {
          const face = faceImage
            ? await faceCheckForCli(s, rec, faceImage, chipPhoto, defaultActor(opts.station, opts.examiner))
            : null;
          printCheck(rec, g.json ?? false, face);
        };
        if (opts.reader !== undefined) {
          const by = defaultActor(opts.station, opts.examiner);
          return checkWithReader(s, g, { ...opts, reader: opts.reader }, by, withFace);
        }
        if (opts.can !== undefined || opts.mrz !== undefined) {
          throw new UsageError({
            vi: '--can và --mrz cần --reader <đầu đọc>.',
            en: '--can and --mrz need --reader <name>.',
          });
        }
        if (opts.qr === undefined) {
          throw new UsageError({ vi: 'Cần --qr <nội dung mã QR>.', en: 'Missing --qr <text>.' });
        }
        const rec = s.checks.checkQr(opts.session, opts.qr, defaultActor(opts.station, opts.examiner));
        await withFace(rec, null);
        return EXIT.ok;
      },
    ),
  );

export function checkJson(rec: CheckRecord) {
  return {
    identity: rec.identity,
    authenticity: rec.authenticity,
    outcome: rec.outcome,
    candidate: rec.candidate
      ? {
          id: rec.candidate.id,
          candidateNo: rec.candidate.candidateNo,
          fullName: rec.candidate.fullName,
          dateOfBirth: rec.candidate.dateOfBirth,
          licenceClass: rec.candidate.licenceClass ?? null,
        }
      : null,
    logId: rec.logId,
    at: rec.at,
    source: rec.source,
    session: rec.sessionCode,
  };
}

/** `check --face`: the face verdict of a scripted check, logged like the app's ('face_check'). */
async function faceCheckForCli(
  s: KioskServices,
  rec: CheckRecord,
  image: Uint8Array,
  chipPhoto: CardPhoto | null,
  by: ReturnType<typeof defaultActor>,
): Promise<FaceResult> {
  const { FaceEngine } = await import('../core/face/engine');
  const { stillFaceResult } = await import('../core/face/face-checks');
  const { SettingsService } = await import('../core/settings');
  const engine = new FaceEngine();
  try {
    const rosterPhoto = rec.candidate ? s.roster.photo(rec.candidate.id) : null;
    const { frames, ...result } = await stillFaceResult(engine, {
      live: image,
      chipPhoto,
      rosterPhoto,
      threshold: new SettingsService(s.db).get().faceThreshold,
    });
    s.log.append({
      kind: 'face_check',
      ...by,
      sessionCode: rec.sessionCode,
      details: { checkId: rec.logId, ...result, frames, liveness: result.liveness ?? 'not_run' },
    });
    if (result.face === 'no_face') {
      process.stderr.write('Không thấy khuôn mặt trong ảnh --face. No face found in the --face image.\n');
    }
    return result;
  } finally {
    await engine.close();
  }
}

function printCheck(rec: CheckRecord, json: boolean, face: FaceResult | null = null): void {
  if (json) {
    printJson(face ? { ...checkJson(rec), face } : checkJson(rec));
    return;
  }
  if (face) {
    line(
      `Khuôn mặt/face: ${face.face} — ${LABELS.faceVerdict[face.face].vi}` +
        (face.distance !== null
          ? ` (distance ${face.distance}, threshold ${face.threshold}, ${face.against})`
          : ''),
    );
  }
  line(`${outcomeHeadline(rec.outcome)} — ${rec.identity.verdict} / ${rec.authenticity.verdict}`);
  if (rec.candidate)
    line(
      `SBD ${rec.candidate.candidateNo}: ${rec.candidate.fullName} (${formatDateVi(rec.candidate.dateOfBirth)})`,
    );
  for (const r of rec.identity.reasons) line(`  - ${r.vi} (${r.en})`);
  line(`Nhật ký/log #${rec.logId}`);
}

// ---- log ----------------------------------------------------------------------------------
const log = program.command('log').description('the tamper-evident audit log');
log
  .command('verify')
  .description(
    'recompute the hash chain; exit 1 naming the first broken entry. With --session: also the signed ' +
      'sign-off statement, the database rows it covers and (--report) a report file',
  )
  .option('--session <code>', "check this session's signed statement against the database")
  .option('--report <file>', 'a PDF, CSV or XLSX report of the session to check too (needs --session)')
  .option(
    '--public-key <file>',
    "trust this PEM public key (from 'kiosk key export') instead of the station key",
  )
  .option(
    '--server <url>',
    "verify every station's chain on the council server, and this station's log against the server's copy",
  )
  .action(
    action(async (s, g, opts: { session?: string; report?: string; publicKey?: string; server?: string }) => {
      if (opts.server)
        return (await import('./sync-commands')).serverVerifyCommand(s, g, { server: opts.server });
      if (opts.session) {
        return (await import('./security-commands')).verifySessionCommand(s, g, {
          ...opts,
          session: opts.session,
        });
      }
      if (opts.report || opts.publicKey) {
        throw new UsageError({
          vi: '--report và --public-key cần --session.',
          en: '--report and --public-key need --session.',
        });
      }
      // This thread and worker threads over id ranges (same result as the row-by-row pass).
      const r = await s.log.verifyParallel({ thisThread: true });
      if (g.json) printJson(r);
      else if (r.ok)
        line(
          `Nhật ký toàn vẹn: ${r.entries} mục. Log intact: ${r.entries} entries${r.headHash ? `, head ${r.headHash}` : ''}.`,
        );
      else {
        line(r.firstBroken.vi);
        line(`Log BROKEN at entry ${r.firstBroken.id}: ${r.firstBroken.message} (${r.firstBroken.problem}).`);
      }
      return r.ok ? EXIT.ok : EXIT.failure;
    }),
  );
log
  .command('list')
  .description('list log entries')
  .option('--session <code>', 'only this session')
  .option('--verdict <v>', 'only this identity verdict')
  .option('--limit <n>', 'at most n entries', '100')
  .action(
    action((s, g, opts: { session?: string; verdict?: string; limit: string }) => {
      const list = s.log.list({
        sessionCode: opts.session,
        identityVerdict: opts.verdict,
        limit: Number(opts.limit),
        order: 'desc',
      });
      if (g.json) printJson(list);
      else
        for (const e of list) {
          line(
            `#${e.id}\t${e.at}\t${e.kind}\t${e.sessionCode ?? ''}\t${e.actor}@${e.station}\t${e.identityVerdict ?? ''}\t${e.authenticityVerdict ?? ''}\t${e.outcome ?? ''}`,
          );
        }
      return EXIT.ok;
    }),
  );

// ---- report -------------------------------------------------------------------------------
program
  .command('report')
  .description('export the attendance report of a session')
  .requiredOption('--session <code>', 'session code')
  .addOption(new Option('--format <fmt>', 'csv, xlsx or pdf').choices(REPORT_FORMATS).makeOptionMandatory())
  .requiredOption('--out <file>', 'output file')
  .addOption(new Option('--lang <lang>', 'report language').choices(['vi', 'en']).default('vi'))
  .option('--server <url>', 'the consolidated report of every station, from the council server')
  .action(
    action(
      async (
        s,
        g,
        opts: { session: string; format: ReportFormat; out: string; lang: 'vi' | 'en'; server?: string },
      ) => {
        if (opts.server) {
          return (await import('./sync-commands')).serverReportCommand(s, g, {
            ...opts,
            server: opts.server,
          });
        }
        // The same job as the app's report worker (read-only connection), run in this thread: a
        // command has no window to keep responsive.
        const { runReportJob } = await import('../core/reports/job');
        const model = await runReportJob({
          dbPath: s.dbPath,
          sessionCode: opts.session,
          format: opts.format,
          out: opts.out,
          lang: opts.lang,
          timeZone: s.timeZone,
        });
        if (g.json) printJson({ out: opts.out, format: opts.format, totals: model.totals });
        else
          line(
            `Đã xuất báo cáo ${opts.out}: ${model.totals.present}/${model.totals.candidates} có mặt. Report written.`,
          );
        return EXIT.ok;
      },
    ),
  );

// ---- demo ---------------------------------------------------------------------------------
const demo = program.command('demo').description('demo data for trying the kiosk without a real roster');
demo
  .command('seed')
  .description('create a demo session with a fictional roster')
  .option('--code <code>', 'session code', 'DEMO')
  .action(
    action(async (s, g, opts: { code: string }) => {
      const r = await seedDemo(s, opts.code);
      if (g.json) printJson(r);
      else {
        line(
          `Đã tạo kỳ sát hạch mẫu ${r.sessionCode} với ${r.candidates} thí sinh hư cấu. Demo session created.`,
        );
        line('Thử / try:');
        line(`  kiosk check --session ${r.sessionCode} --qr '${r.sampleQr}'`);
      }
      return EXIT.ok;
    }),
  );

(await import('./chip-commands')).registerChipCommands(program);
(await import('./security-commands')).registerSecurityCommands(program, action);
(await import('./trust-commands')).registerTrustCommands(program, action);

registerReaderCommands(program);

// ---- council server -------------------------------------------------------------------------
const server = program
  .command('server')
  .description('the council server (PostgreSQL) where every station syncs');
server
  .command('init')
  .description("create or upgrade the council server's schema and the chair's role (admin URL)")
  .requiredOption('--server <url>', 'postgres://admin:password@host:port/db (an administrator of the server)')
  .option('--chair-role <name>', "the chair's login role", 'kiosk_chair_login')
  .action(
    action(async (s, g, opts: { server: string; chairRole: string }) =>
      (await import('./sync-commands')).serverInitCommand(s, g, opts),
    ),
  );
server
  .command('add-station')
  .description("register this station's key on the council server and store its role, encrypted")
  .requiredOption('--server <url>', 'postgres://admin:password@host:port/db (an administrator of the server)')
  .option('--name <name>', 'station name (default: $KIOSK_STATION, else the host name)')
  .action(
    action(async (s, g, opts: { server: string; name?: string }) =>
      (await import('./sync-commands')).serverAddStationCommand(s, g, opts),
    ),
  );
program
  .command('sync')
  .description("push this station's log to the council server and pull the other stations' check-ins")
  .requiredOption('--server <url>', 'postgres://host:port/db (the station role stored by server add-station)')
  .option('--once', 'one round, then exit (else: keep syncing, with backoff while the server is down)')
  .option('--interval <ms>', 'pause between rounds while the server answers', '2000')
  .option('--batch <n>', 'entries per batch', '500')
  .action(
    action(async (s, g, opts: { server: string; once?: boolean; interval?: string; batch?: string }) =>
      (await import('./sync-commands')).syncCommand(s, g, opts),
    ),
  );
session
  .command('publish')
  .description('put a session and its roster on the council server (the chair)')
  .requiredOption('--code <code>', 'session code')
  .requiredOption('--server <url>', 'council server URL')
  .action(
    action(async (s, g, opts: { code: string; server: string }) =>
      (await import('./sync-commands')).sessionPublishCommand(s, g, opts),
    ),
  );
session
  .command('pull')
  .description("bring a published session and its roster to this station (the roster's hash is checked)")
  .requiredOption('--code <code>', 'session code')
  .requiredOption('--server <url>', 'council server URL')
  .option('--station <name>', 'station name for the log')
  .option('--examiner <name>', 'who does this (for the log)')
  .action(
    action(async (s, g, opts: { code: string; server: string; station?: string; examiner?: string }) =>
      (await import('./sync-commands')).sessionPullCommand(s, g, opts),
    ),
  );
(await import('./doctor-command')).registerDoctorCommand(program);
registerFaceCommands(program);

// ---- run ----------------------------------------------------------------------------------
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    printError(err, false);
    process.exitCode = EXIT.failure;
  }
}
