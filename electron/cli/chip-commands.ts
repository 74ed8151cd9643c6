/**
 * `kiosk chip inspect` and `kiosk sim read`: chip data from the command line without a reader.
 *
 *   kiosk chip inspect DIR [--csca DIR] [--json]   checks a stored read (EF.COM.bin, DG1.bin, ..., EF.SOD.bin)
 *   kiosk sim read [--fault NAME ...] [--person FILE] [--passport] [--csca DIR] [--dump DIR] [--trace] [--json]
 *                                                  reads the built-in software CCCD in this process
 *
 * Reading a real card (`kiosk chip read --reader ...`) and putting the software card into a reader
 * (`kiosk sim card`, `kiosk sim pn532`) live in ./reader-commands with the reader stack; both files add
 * to the same `chip` and `sim` groups, whichever registers first. The JSON of `chip inspect` and
 * `sim read` has the shape of `chip read`:
 *   { "document": {...}, "authenticity": { "verdict", "checks", "reasons", "details" }, "dataGroups": [...], ... }
 * The photo is summarised (type and size), never printed. The support trace (`--trace`) holds no data.
 * Heavy modules (the ICAO stack, ASN.1) load inside the actions so `kiosk --help` stays fast.
 */
import type { Command } from 'commander';
import { KioskError } from '../core/errors';
import { EXIT, authenticityText, line, printError, printJson } from './output';
import type { Bilingual } from '../../native/domain/vocabulary';
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
  const v = authenticityText(r.authenticity.verdict);
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

/** The group `name` of `program`, created if another file has not made it yet. */
function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

export function registerChipCommands(program: Command): void {
  const chip = group(program, 'chip', 'chip ID cards: read and check (thẻ gắn chip)');

  chip
    .command('inspect')
    .description('check a stored chip read (EF.COM.bin, DG1.bin, ..., EF.SOD.bin) offline')
    .argument('<dir>', 'folder written by `kiosk chip read --dump` or `kiosk sim read --dump`')
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

  const sim = group(program, 'sim', 'simulated cards for trying the kiosk without a real card');
  sim
    .command('read')
    .description('read the built-in software CCCD (a fictional holder) in this process, no reader needed')
    .option(
      '--fault <name>',
      'a simulated fault (repeatable), e.g. clone, altered-dg2, remove-at:20',
      collect,
      [],
    )
    .option('--person <file>', 'the fictional holder (JSON)')
    .option('--passport', 'a plain ICAO passport (TD3, BAC only, no SOD) instead of the CCCD')
    .option('--qr <text>', "the QR text to open the chip with (default: the card's own)")
    .option('--can <digits>', 'the CAN to open the chip with')
    .option('--mrz <text>', 'the MRZ to open the chip with')
    .option('--csca <dir>', "trusted CSCA folder (default: trust the software card's own test CSCA)")
    .option(
      '--dump <dir>',
      'write the raw files read (EF.COM.bin, DG1.bin, ..., EF.SOD.bin) into this folder',
    )
    .option('--trace', 'print the APDU trace (headers, lengths, status words; never data) to stderr')
    .option('--json', 'machine-readable output')
    .action(
      chipAction(
        async (
          json,
          opts: {
            fault: string[];
            person?: string;
            passport?: boolean;
            qr?: string;
            can?: string;
            mrz?: string;
            csca?: string;
            dump?: string;
            trace?: boolean;
          },
        ) => {
          const { readChip, writeStoredRead } = await import('../../native/chip/read-chip');
          const { createSoftCard, createSoftPassport } = await import('../../native/softcard/soft-card');
          const { loadSoftPerson } = await import('../../native/softcard/person');
          const { TrustStore } = await import('../../native/icao/trust-store');
          if (opts.passport && (opts.fault.length > 0 || opts.person)) {
            throw usage(
              '--fault và --person không dùng với --passport.',
              '--fault and --person do not go with --passport.',
            );
          }
          const given = {
            ...(opts.qr ? { qr: opts.qr } : {}),
            ...(opts.can ? { can: opts.can } : {}),
            ...(opts.mrz ? { mrz: opts.mrz } : {}),
          };
          let trustStore = await trustStoreFrom(opts.csca);
          let result: ChipReadResult;
          if (opts.passport) {
            const passport = createSoftPassport();
            const access = Object.keys(given).length > 0 ? given : { mrz: passport.mrzText };
            result = await readChip(passport.transport, access, { ...(trustStore ? { trustStore } : {}) });
          } else {
            const person = opts.person ? await loadSoftPerson(opts.person) : undefined;
            const card = createSoftCard({ ...(person ? { person } : {}), faults: opts.fault });
            if (!trustStore) {
              // The simulated world has one issuer: trust it unless a folder was given.
              trustStore = new TrustStore();
              trustStore.addCertificate(card.csca.der, 'software card CSCA');
            }
            const access = Object.keys(given).length > 0 ? given : { qr: card.qrText };
            result = await readChip(card.transport, access, { trustStore });
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
}
