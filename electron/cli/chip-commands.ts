/**
 * `kiosk chip ...` and `kiosk sim ...`: chip reads from the command line.
 *
 *   kiosk chip inspect DIR [--csca DIR] [--json]     checks a stored read (EF.COM.bin, DG1.bin, ..., EF.SOD.bin)
 *   kiosk chip read [--reader NAME | --sim] [--qr TEXT | --can N | --mrz TEXT | --id N --dob DATE]
 *                   [--csca DIR] [--dump DIR] [--trace] [--json]
 *   kiosk sim card [--person FILE] [--fault NAME ...] [--port N] [--csca-out DIR]
 *                                                     puts the software CCCD into pcscd's vpcd reader
 *
 * The JSON of `chip read` and `chip inspect` has the same shape:
 *   { "document": {...}, "authenticity": { "verdict", "checks", "reasons" }, "dataGroups": [...], ... }
 * The photo is summarised (type and size), never printed. The support trace (`--trace`) holds no data.
 * Heavy modules (the ICAO stack, ASN.1, PC/SC) load inside the actions so `kiosk --help` stays fast.
 */
import type { Command } from 'commander';
import { KioskError } from '../core/errors';
import { EXIT, line, printError, printJson } from './output';
import type { Bilingual } from '../../native/cccd/types';
import type { ChipReadResult, StoredReadResult } from '../../native/chip/read-chip';
import type { TrustStore } from '../../native/icao/trust-store';

interface JsonOpt {
  json?: boolean;
}

const USAGE_CODES = new Set([
  'access_data_missing',
  'access_data_invalid',
  'usage',
  'soft_card_fault_unknown',
]);

/** A bilingual error from the card stack (ChipReadError, IcaoError, ReaderError) as a KioskError. */
function asKioskError(err: unknown): KioskError | unknown {
  if (err instanceof KioskError) return err;
  const e = err as Partial<Bilingual> & { code?: unknown; retryable?: unknown };
  if (err instanceof Error && typeof e.vi === 'string' && typeof e.en === 'string') {
    const code = typeof e.code === 'string' ? e.code : 'chip_error';
    return new KioskError(
      code,
      { vi: e.vi, en: e.en },
      typeof e.retryable === 'boolean' ? { retryable: e.retryable } : undefined,
    );
  }
  return err;
}

/** Runs an action, printing errors in both languages; no database is opened for chip commands. */
function chipAction<A extends unknown[]>(fn: (json: boolean, ...args: A) => Promise<number>) {
  return async (...args: A): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const json = Boolean((cmd.optsWithGlobals() as JsonOpt).json);
    try {
      process.exitCode = await fn(json, ...args);
    } catch (err) {
      const e = asKioskError(err);
      printError(e, json);
      process.exitCode =
        e instanceof KioskError && (USAGE_CODES.has(e.code) || e.code.startsWith('soft_'))
          ? EXIT.usage
          : EXIT.failure;
    }
  };
}

function usage(vi: string, en: string): KioskError {
  return new KioskError('usage', { vi, en });
}

async function trustStoreFrom(dir: string | undefined): Promise<TrustStore | undefined> {
  if (!dir) return undefined;
  const { loadTrustStore } = await import('../../native/icao/trust-store');
  const store = await loadTrustStore(dir);
  for (const p of store.problems) process.stderr.write(`Cảnh báo: ${p.reason.vi}\nWarning: ${p.reason.en}\n`);
  if (store.anchors.length === 0) {
    process.stderr.write(
      `Cảnh báo: thư mục "${dir}" không có chứng thư CSCA nào.\nWarning: the folder "${dir}" holds no CSCA certificate.\n`,
    );
  }
  return store;
}

/** The JSON both `chip read` and `chip inspect` print. */
export function chipJson(r: ChipReadResult | StoredReadResult): Record<string, unknown> {
  const out: Record<string, unknown> = {
    document: r.document,
    authenticity: {
      verdict: r.authenticity.verdict,
      checks: r.authenticity.checks,
      reasons: r.authenticity.reasons,
      details: r.authenticity.details,
    },
    dataGroups: r.dataGroups,
    warnings: r.warnings,
  };
  if ('access' in r) {
    out.access = r.access;
    out.apdus = r.apdus;
    out.bytesRead = r.bytesRead;
    out.ms = Math.round(r.ms);
    out.chipAuth = r.chipAuth;
    out.activeAuth = r.activeAuth;
  }
  return out;
}

const CHECK_LABELS: [keyof ChipReadResult['authenticity']['checks'], string][] = [
  ['hashes', 'băm/hashes'],
  ['signature', 'chữ ký/signature'],
  ['chain', 'CSCA/chain'],
  ['activeAuth', 'AA'],
  ['chipAuth', 'CA'],
];

async function printHuman(r: ChipReadResult | StoredReadResult): Promise<void> {
  const { VERDICT_TEXT } = await import('../../native/chip/read-chip');
  const v = VERDICT_TEXT[r.authenticity.verdict];
  line(`${v.vi.toUpperCase()} — ${v.en} (${r.authenticity.verdict})`);
  line(`  ${CHECK_LABELS.map(([k, label]) => `${label}: ${r.authenticity.checks[k]}`).join('  ')}`);
  for (const reason of r.authenticity.reasons) line(`  - ${reason.vi} (${reason.en})`);
  for (const w of r.warnings) line(`  ! ${w.vi} (${w.en})`);
  const d = r.document;
  if (d.source !== 'none') {
    line(`Chủ thẻ / holder (${d.source}):`);
    const rows: [string, string | null | undefined][] = [
      ['Số định danh / ID', d.idNumber],
      ['Họ tên / name', d.fullName],
      ['Ngày sinh / born', d.dateOfBirth],
      ['Giới tính / sex', d.sex],
      ['Ngày cấp / issued', d.dateOfIssue],
      ['Hết hạn / expires', d.dateOfExpiry === null ? 'Không thời hạn / none' : d.dateOfExpiry],
      ['Số giấy tờ / document', d.documentNumber],
    ];
    for (const [label, value] of rows) if (value) line(`  ${label}: ${value}`);
    if (d.photo) line(`  Ảnh / photo: ${d.photo.mime}, ${d.photo.bytes} B`);
  }
  line('Tệp / files:');
  for (const g of r.dataGroups) {
    const hash = g.hashOk === undefined ? '' : g.hashOk ? '  hash ok' : '  HASH SAI / MISMATCH';
    line(`  ${g.name.padEnd(8)} ${g.status.padEnd(7)} ${String(g.bytes).padStart(6)} B${hash}`);
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerChipCommands(program: Command): void {
  const chip = program.command('chip').description('chip ID cards: read and check (thẻ gắn chip)');

  chip
    .command('inspect')
    .description('check a stored chip read (EF.COM.bin, DG1.bin, ..., EF.SOD.bin) offline')
    .argument('<dir>', 'folder written by `kiosk chip read --dump`')
    .option('--csca <dir>', 'trusted CSCA certificates (PEM/DER) and master lists (.ml)')
    .option('--json', 'machine-readable output')
    .action(
      chipAction(async (json, dir: string, opts: { csca?: string }) => {
        const { inspectStoredRead } = await import('../../native/chip/read-chip');
        const r = await inspectStoredRead(dir, await trustStoreFrom(opts.csca));
        if (json) printJson(chipJson(r));
        else await printHuman(r);
        return EXIT.ok;
      }),
    );

  chip
    .command('read')
    .description('read a chip card on a PC/SC reader (or the built-in software card with --sim) and check it')
    .option('--reader <name>', 'PC/SC reader name (default: the first reader with a card)')
    .option('--sim', 'read the built-in software CCCD instead of a reader (demo and tests)')
    .option('--fault <name>', 'with --sim: a simulated fault (repeatable)', collect, [])
    .option('--person <file>', 'with --sim: the fictional holder (JSON)')
    .option('--qr <text>', 'the QR text of the card front (gives the CAN, the ID and the dates)')
    .option('--can <digits>', 'the CAN: the last 6 digits of the ID number')
    .option('--mrz <text>', 'the MRZ as typed (3 x 30 or 2 x 44 characters)')
    .option('--id <digits>', 'the 12-digit ID number')
    .option('--dob <yyyy-mm-dd>', 'date of birth')
    .option('--issued <yyyy-mm-dd>', 'date of issue')
    .option('--csca <dir>', 'trusted CSCA certificates (PEM/DER) and master lists (.ml)')
    .option(
      '--dump <dir>',
      'write the raw files read (EF.COM.bin, DG1.bin, ..., EF.SOD.bin) into this folder',
    )
    .option('--trace', 'print the APDU trace (headers, lengths, status words; never data) to stderr')
    .option('--timeout <ms>', 'deadline for the whole read', '45000')
    .option('--json', 'machine-readable output')
    .action(
      chipAction(
        async (
          json,
          opts: {
            reader?: string;
            sim?: boolean;
            fault: string[];
            person?: string;
            qr?: string;
            can?: string;
            mrz?: string;
            id?: string;
            dob?: string;
            issued?: string;
            csca?: string;
            dump?: string;
            trace?: boolean;
            timeout: string;
          },
        ) => {
          const { readChip, writeStoredRead } = await import('../../native/chip/read-chip');
          const timeoutMs = Number(opts.timeout);
          if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
            throw usage('--timeout cần một số mili giây.', '--timeout needs a number of milliseconds.');
          }
          if (!opts.sim && (opts.fault.length > 0 || opts.person)) {
            throw usage(
              '--fault và --person chỉ dùng với --sim.',
              '--fault and --person only go with --sim.',
            );
          }
          const access = {
            ...(opts.qr ? { qr: opts.qr } : {}),
            ...(opts.can ? { can: opts.can } : {}),
            ...(opts.mrz ? { mrz: opts.mrz } : {}),
            ...(opts.id ? { idNumber: opts.id } : {}),
            ...(opts.dob ? { dateOfBirth: opts.dob } : {}),
            ...(opts.issued ? { dateOfIssue: opts.issued } : {}),
          };
          let trustStore = await trustStoreFrom(opts.csca);
          let result: ChipReadResult;
          if (opts.sim) {
            const { createSoftCard } = await import('../../native/softcard/soft-card');
            const { loadSoftPerson } = await import('../../native/softcard/person');
            const person = opts.person ? await loadSoftPerson(opts.person) : undefined;
            const card = createSoftCard({ ...(person ? { person } : {}), faults: opts.fault });
            if (!trustStore) {
              // The simulated world has one issuer: trust it unless a folder was given.
              const { TrustStore } = await import('../../native/icao/trust-store');
              trustStore = new TrustStore();
              trustStore.addCertificate(card.csca.der, 'software card CSCA');
            }
            const given = Object.keys(access).length > 0 ? access : { qr: card.qrText };
            result = await readChip(card.transport, given, { trustStore, timeoutMs });
          } else {
            result = await readFromPcsc(opts.reader, access, trustStore, timeoutMs);
          }
          if (opts.dump) await writeStoredRead(opts.dump, result.files);
          if (opts.trace) process.stderr.write(JSON.stringify(result.trace) + '\n');
          if (json) printJson(chipJson(result));
          else {
            await printHuman(result);
            line(
              `${result.access}, ${result.apdus} APDU, ${result.bytesRead} B, ${Math.round(result.ms)} ms` +
                (opts.dump ? ` — đã lưu / dumped to ${opts.dump}` : ''),
            );
          }
          return EXIT.ok;
        },
      ),
    );

  const sim = program.command('sim').description('simulated hardware for demos and tests');
  sim
    .command('card')
    .description("put the software CCCD into pcscd's virtual reader (vsmartcard vpcd) until interrupted")
    .option('--person <file>', 'the fictional holder (JSON; default: a built-in fictional person)')
    .option(
      '--fault <name>',
      'a simulated fault (repeatable), e.g. clone, altered-dg2, remove-at:20',
      collect,
      [],
    )
    .option('--host <host>', 'vpcd host', '127.0.0.1')
    .option('--port <n>', 'vpcd port (35963 = "Virtual PCD 00 00")', '35963')
    .option('--csca-out <dir>', 'write the CSCA certificate (csca.pem) the card chains to into this folder')
    .option('--seconds <n>', 'remove the card after n seconds instead of waiting for Ctrl+C')
    .option('--json', 'machine-readable output')
    .action(
      chipAction(
        async (
          json,
          opts: {
            person?: string;
            fault: string[];
            host: string;
            port: string;
            cscaOut?: string;
            seconds?: string;
          },
        ) => {
          const port = Number(opts.port);
          if (!Number.isInteger(port) || port < 1 || port > 65535) {
            throw usage('--port cần một số cổng.', '--port needs a port number.');
          }
          const { createSoftCard } = await import('../../native/softcard/soft-card');
          const { loadSoftPerson } = await import('../../native/softcard/person');
          const { VpcdCard } = await import('../../native/pcsc/vpcd-card');
          const { CardRemovedError } = await import('../../native/transport/types');
          const person = opts.person ? await loadSoftPerson(opts.person) : undefined;
          const card = createSoftCard({ ...(person ? { person } : {}), faults: opts.fault });
          if (opts.cscaOut) {
            const fs = await import('node:fs/promises');
            const path = await import('node:path');
            await fs.mkdir(opts.cscaOut, { recursive: true });
            await fs.writeFile(path.join(opts.cscaOut, 'csca.pem'), card.csca.pem);
          }
          const vpcd: InstanceType<typeof VpcdCard> = new VpcdCard(
            async (apdu) => {
              try {
                return await card.engine.process(apdu);
              } catch (e) {
                if (!(e instanceof CardRemovedError)) throw e;
                // remove-at: take the card out of the field, put it back a moment later.
                void vpcd.remove().then(() => setTimeout(() => void vpcd.insert(), 1_000));
                return Uint8Array.of(0x6f, 0x00);
              }
            },
            { host: opts.host, port, reconnect: true },
          );
          await vpcd.insert();
          const info = {
            inserted: true,
            host: opts.host,
            port,
            faults: opts.fault,
            qr: card.qrText,
            can: card.can,
            mrz: card.mrzLines,
            ...(opts.cscaOut ? { csca: opts.cscaOut } : {}),
          };
          if (json) printJson(info);
          else {
            line(`Thẻ mô phỏng đã đặt vào đầu đọc vpcd ${opts.host}:${port}. Software card inserted.`);
            line(`QR: ${card.qrText}`);
            line(`MRZ: ${card.mrzLines.join(' / ')}`);
            if (opts.fault.length) line(`Lỗi mô phỏng / faults: ${opts.fault.join(', ')}`);
            if (opts.cscaOut) line(`CSCA: ${opts.cscaOut}/csca.pem`);
            line('Nhấn Ctrl+C để rút thẻ. Press Ctrl+C to remove the card.');
          }
          await new Promise<void>((resolve) => {
            const stop = (): void => resolve();
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
            if (opts.seconds) setTimeout(stop, Number(opts.seconds) * 1000);
          });
          await vpcd.remove();
          if (!json) line('Đã rút thẻ. Card removed.');
          return EXIT.ok;
        },
      ),
    );
}

async function readFromPcsc(
  readerName: string | undefined,
  access: Record<string, string>,
  trustStore: TrustStore | undefined,
  timeoutMs: number,
): Promise<ChipReadResult> {
  const { PcscContext, pcscdListening } = await import('../../native/pcsc/pcsc');
  const { ReaderError } = await import('../../native/readers/errors');
  const { readChip } = await import('../../native/chip/read-chip');
  if (!(await pcscdListening())) throw new ReaderError('service_unavailable');
  const ctx = new PcscContext({ pollIntervalMs: 100 });
  ctx.start();
  try {
    const wanted = readerName ?? 'any';
    await ctx.waitForReader(wanted, 5_000);
    const info = await ctx.waitForCard(wanted, Math.min(timeoutMs, 10_000));
    const transport = await ctx.connect(info.name);
    try {
      return await readChip(transport, access, { trustStore, timeoutMs });
    } finally {
      await transport.close();
    }
  } finally {
    await ctx.stop();
    // @pokusew/pcsclite keeps a native watcher alive after close(): once the command is done, leave
    // anyway. The timer is unref'd, so it only fires when something else still holds the process.
    setTimeout(() => process.exit(), 300).unref();
  }
}
