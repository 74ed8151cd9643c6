/**
 * The reader commands of `kiosk`:
 *
 *   kiosk readers [--json]                       PC/SC readers, serial ports, HID POS scanners
 *   kiosk chip read --reader NAME (--can D | --mrz T | --qr T) [--csca DIR] [--dump DIR] [--trace]
 *   kiosk sim card --vpcd PORT [--host H] [--person FILE] [--fault NAME]... [--csca-out DIR]
 *   kiosk sim pn532 --port PATH [--person FILE] [--fault NAME]... [--csca-out DIR]
 *   kiosk check --session C --reader NAME ...    (the `check` command of main.ts calls checkWithReader)
 *
 * `--reader pn532:/dev/ttyX` is a PN532 on a serial port; any other name is a PC/SC reader.
 *
 * Everything heavy (pcsclite, serialport, the ICAO stack, pkijs) is imported inside the actions, so
 * `kiosk --help` stays fast and works on a machine without pcscd. A missing pcscd never freezes a
 * command: the reader layer checks its socket before loading the library.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { KioskError } from '../core/errors';
import type { KioskServices } from '../core/services';
import type { Actor } from '../core/actor';
import type { CheckRecord } from '../core/check-service';
import type { CardPhoto } from '../../native/domain/vocabulary';
import type { ChipReadResult, ChipAccess } from '../../native/chip/read-chip';
import type { TrustStore } from '../../native/icao/trust-store';
import type { ReaderManager } from '../../native/readers/manager';
import type { ReaderConfig } from '../../native/readers/config';
import type { ManagerEvent } from '../../native/readers/events';
import type { CardJob } from '../../native/readers/job';
import type { SimHost } from '../../native/softcard/sim-hosts';
import { EXIT, UsageError, authenticityText, exitCodeFor, line, printError, printJson } from './output';
import { chipJson } from './chip-commands';

interface GlobalOpts {
  db?: string;
  json?: boolean;
}

/** The fault names of `kiosk sim card|pn532 --fault` (parsed by native/softcard/soft-card.ts). */
const FAULT_HELP =
  'altered-dg1, altered-dg2, altered-dg13, bad-signature, unknown-csca, clone, no-sod, remove-at:N, max-read:N, no-extended, slow:MS; ' +
  'attacks (issue 9): splice-signer-info, withhold-dg14, withhold-dg15, withhold-dg2, aa-not-supported, ca-bare-sw[:SW], ' +
  'pace-bad-token, own-csca, spoofed-aki, foreign-csca, ds-no-keyusage, csca-not-ca, dg1-dg13-mismatch; ' +
  'honest interoperability: plain-errors, dg2-no-template';

// ---------------------------------------------------------------------------------------------
// Helpers

/** `pn532:/dev/ttyX` = a PN532 on that serial port; anything else = a PC/SC reader by its exact name. */
export function readerConfigFor(name: string): ReaderConfig {
  const n = name.trim();
  if (/^pn532:/i.test(n)) {
    const p = n.slice('pn532:'.length);
    if (!p)
      throw new UsageError({
        vi: 'Thiếu đường dẫn cổng sau "pn532:".',
        en: 'Missing the port after "pn532:".',
      });
    return { kind: 'pn532', id: 'reader', path: p };
  }
  if (!n) throw new UsageError({ vi: 'Cần --reader <tên đầu đọc>.', en: 'Missing --reader <name>.' });
  return { kind: 'pcsc', id: 'reader', reader: n };
}

/** Errors of the card and reader stacks (code + vi + en) as the CLI prints them. */
export function toKioskError(err: unknown): unknown {
  if (err instanceof KioskError) return err;
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; vi?: unknown; en?: unknown; retryable?: unknown };
    if (typeof e.code === 'string' && typeof e.vi === 'string' && typeof e.en === 'string') {
      return new KioskError(
        e.code,
        { vi: e.vi, en: e.en },
        typeof e.retryable === 'boolean' ? { retryable: e.retryable } : undefined,
      );
    }
  }
  return err;
}

function globals(cmd: Command): GlobalOpts {
  return cmd.optsWithGlobals() as GlobalOpts;
}

/**
 * @pokusew/pcsclite keeps a native watcher thread alive after close(): once a command that used it is
 * done, leave anyway. The timer is unref'd, so it only fires when something else still holds the process.
 */
function exitSoon(): void {
  setTimeout(() => process.exit(), 300).unref();
}

/** Runs an action without the database; errors become bilingual messages and exit codes. */
function run<A extends unknown[]>(fn: (g: GlobalOpts, ...args: A) => Promise<number>) {
  return async (...args: A) => {
    const cmd = args[args.length - 1] as Command;
    const g = globals(cmd);
    try {
      process.exitCode = await fn(g, ...args);
    } catch (err) {
      const e = toKioskError(err);
      printError(e, g.json ?? false);
      process.exitCode = exitCodeFor(e);
    } finally {
      exitSoon();
    }
  };
}

function seconds(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback * 1000;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400) {
    throw new UsageError({
      vi: `${what} phải là số giây dương (nhận được "${text}").`,
      en: `${what} must be a positive number of seconds (got "${text}").`,
    });
  }
  return Math.round(n * 1000);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The trust store: --csca DIR, else the app's trust-store folder (missing = nothing trusted). */
async function trustStoreFor(csca: string | undefined): Promise<TrustStore> {
  const { loadTrustStore } = await import('../../native/icao/trust-store');
  return loadTrustStore(csca ? path.resolve(csca) : await defaultTrustDir());
}

async function defaultTrustDir(): Promise<string> {
  const { defaultUserDataDir } = await import('../core/paths');
  return path.join(defaultUserDataDir(), 'trust-store');
}

function accessFrom(opts: { can?: string; mrz?: string; qr?: string }): ChipAccess {
  const access: ChipAccess = {};
  if (opts.can !== undefined) access.can = opts.can.trim();
  if (opts.mrz !== undefined) access.mrz = opts.mrz;
  if (opts.qr !== undefined) access.qr = opts.qr;
  if (!access.can && !access.mrz && !access.qr) {
    throw new UsageError({
      vi: 'Cần --can <6 số>, --mrz <MRZ> hoặc --qr <nội dung mã QR> để mở chip.',
      en: 'Give --can <6 digits>, --mrz <MRZ> or --qr <QR text> to open the chip.',
    });
  }
  if (access.can !== undefined && !/^\d{6}$/.test(access.can)) {
    throw new UsageError({
      vi: 'CAN phải gồm đúng 6 chữ số (6 số cuối số định danh).',
      en: 'The CAN must be exactly 6 digits (the last 6 digits of the ID number).',
    });
  }
  return access;
}

/** Follows one reader of a manager: its last status and error, for the "no card" message. */
class ReaderWatch {
  status: string | undefined;
  detail: string | undefined;
  lastError: { code: string; vi: string; en: string } | undefined;
  cardSeen = false;
  readerName: string | undefined;

  constructor(manager: ReaderManager<unknown>) {
    manager.on('event', (e: ManagerEvent<unknown>) => {
      if (e.type === 'reader-status') {
        this.status = e.status;
        this.detail = e.detail;
      } else if (e.type === 'reader-error') {
        this.lastError = e.error;
      } else if (e.type === 'card-present') {
        this.cardSeen = true;
        this.readerName = e.readerName;
      }
    });
  }

  /** Why no card was read within the time given. */
  noCardError(reader: string, timeoutMs: number): KioskError {
    const s = Math.round(timeoutMs / 1000);
    if (this.detail === 'pcscd not running') {
      return new KioskError('service_unavailable', {
        vi: 'Dịch vụ đầu đọc thẻ (pcscd) chưa chạy. Hãy khởi động pcscd (ví dụ: pcscd -f -a).',
        en: 'The smart-card service (pcscd) is not running. Start pcscd (e.g. pcscd -f -a).',
      });
    }
    if (this.detail === 'reader not connected' || this.detail === 'port not found') {
      return new KioskError('reader_not_found', {
        vi: `Không tìm thấy đầu đọc "${reader}". Xem danh sách bằng: kiosk readers`,
        en: `Reader "${reader}" not found. List the readers with: kiosk readers`,
      });
    }
    if (this.status === 'error' && this.lastError) {
      return new KioskError(this.lastError.code, { vi: this.lastError.vi, en: this.lastError.en });
    }
    return new KioskError('no_card', {
      vi: `Không có thẻ trên đầu đọc "${reader}" sau ${s} giây.`,
      en: `No card on reader "${reader}" after ${s} s.`,
    });
  }
}

async function newManager<R>(reader: string, onCard: CardJob<R>): Promise<ReaderManager<R>> {
  const { ReaderManager } = await import('../../native/readers/manager');
  return new ReaderManager<R>({
    readers: [readerConfigFor(reader)],
    onCard,
    pollIntervalMs: 250,
    cardPollMs: 150,
    backoff: { initialMs: 250, maxMs: 2000 },
    pcsc: { pollIntervalMs: 200 },
  });
}

// ---------------------------------------------------------------------------------------------
// kiosk readers

async function readersAction(g: GlobalOpts): Promise<number> {
  const { readersList } = await import('../../native/readers/listing');
  const l = await readersList();
  if (g.json) {
    printJson(l);
    return EXIT.ok;
  }
  line('Đầu đọc PC/SC / PC/SC readers:');
  if (l.pcsc.module !== 'loaded' && l.pcsc.error) {
    // The module is the problem, whatever pcscd does: say so, with the command that fixes it.
    line(`  ${l.pcsc.error.vi}`);
    line(`  ${l.pcsc.error.en}`);
    line(`  (pcscd ${l.pcsc.serviceRunning ? 'đang chạy / is running' : 'chưa chạy / is not running'})`);
  } else if (!l.pcsc.serviceRunning) {
    line('  (pcscd chưa chạy / pcscd is not running)');
  } else if (l.pcsc.readers.length === 0) {
    line('  (không có / none)');
  }
  for (const r of l.pcsc.readers) {
    line(`  ${r.name}${r.cardPresent ? `  [có thẻ / card${r.atr ? ` ATR ${r.atr}` : ''}]` : ''}`);
  }
  line('Cổng nối tiếp / serial ports (PN532, serial QR scanners):');
  if (l.serial.length === 0) line(`  (không có / none)${l.serialError ? ` — ${l.serialError.en}` : ''}`);
  for (const p of l.serial) {
    line(
      `  ${p.path}${p.manufacturer ? `  ${p.manufacturer}` : ''}${p.vendorId ? `  ${p.vendorId}:${p.productId ?? ''}` : ''}`,
    );
  }
  line('Máy quét HID POS / HID POS scanners:');
  if (l.hidModule !== 'loaded' && l.hidError) line(`  ${l.hidError.vi}\n  ${l.hidError.en}`);
  else if (l.hid.length === 0) line('  (không có / none)');
  for (const h of l.hid) {
    const id = `${h.vendorId.toString(16).padStart(4, '0')}:${h.productId.toString(16).padStart(4, '0')}`;
    line(`  ${id}${h.product ? `  ${h.product}` : ''}`);
  }
  return EXIT.ok;
}

// ---------------------------------------------------------------------------------------------
// kiosk chip read

interface ChipReadOpts {
  reader: string;
  can?: string;
  mrz?: string;
  qr?: string;
  csca?: string;
  dump?: string;
  trace?: boolean;
  timeout?: string;
}

/** Waits for a card on `reader` and reads it once. Throws a bilingual KioskError. */
export async function readChipOnce(
  reader: string,
  access: ChipAccess,
  options: { trustStore?: TrustStore; timeoutMs: number; onCard?: (readerName: string) => void },
): Promise<{ result: ChipReadResult; readerName: string }> {
  const [{ readChip, toChipReadError }, { CardRemovedError }] = await Promise.all([
    import('../../native/chip/read-chip'),
    import('../../native/transport/types'),
  ]);
  let readerName = reader;
  const manager = await newManager<ChipReadResult>(reader, async (t, ctx) => {
    readerName = ctx.readerName;
    options.onCard?.(ctx.readerName);
    try {
      return await readChip(t, access, {
        ...(options.trustStore ? { trustStore: options.trustStore } : {}),
        signal: ctx.signal,
        timeoutMs: options.timeoutMs,
        onProgress: (p) => ctx.progress(p.step, p.done, p.total),
      });
    } catch (e) {
      const err = toChipReadError(e);
      // The manager aborts the read when the card leaves the reader.
      throw err.code === 'cancelled' && ctx.signal.aborted ? toChipReadError(new CardRemovedError()) : err;
    }
  });
  const watch = new ReaderWatch(manager as ReaderManager<unknown>);
  let reading = false;
  manager.on('reading-progress', () => (reading = true));
  manager.on('card-present', () => (reading = true));
  const done = new Promise<ManagerEvent<ChipReadResult> & { type: 'reading-done' }>((resolve) =>
    manager.once('reading-done', (e) => resolve({ type: 'reading-done', ...e })),
  );
  manager.start();
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      const tick = (): void => {
        // Once the card is being read, the read's own deadline applies.
        if (reading) return;
        resolve('timeout');
      };
      timer = setTimeout(tick, options.timeoutMs);
    });
    const first = await Promise.race([done, timeout]);
    clearTimeout(timer);
    const outcome = first === 'timeout' ? (reading ? await done : undefined) : first;
    if (!outcome) throw watch.noCardError(reader, options.timeoutMs);
    if (!outcome.ok) {
      throw new KioskError(
        outcome.error.code,
        { vi: outcome.error.vi, en: outcome.error.en },
        { retryable: outcome.error.retryable },
      );
    }
    return { result: outcome.result, readerName };
  } finally {
    await manager.stop();
  }
}

/** The `--json` shape of a chip read from a reader: `chip inspect`'s shape plus the reader (and trace). */
export function chipReadJson(
  r: ChipReadResult,
  readerName: string,
  extra: { trace?: boolean; dump?: { dir: string; files: string[] } } = {},
): Record<string, unknown> {
  return {
    reader: readerName,
    ...chipJson(r),
    ...(extra.dump ? { dump: extra.dump } : {}),
    ...(extra.trace ? { trace: r.trace } : {}),
  };
}

async function chipReadAction(g: GlobalOpts, opts: ChipReadOpts): Promise<number> {
  const access = accessFrom(opts);
  const timeoutMs = seconds(opts.timeout, 45, '--timeout');
  readerConfigFor(opts.reader);
  const trustStore = await trustStoreFor(opts.csca);
  const json = g.json ?? false;
  const { result, readerName } = await readChipOnce(opts.reader, access, {
    trustStore,
    timeoutMs,
    onCard: (name) => {
      if (!json) process.stderr.write(`Đang đọc chip trên ${name}... Reading the chip on ${name}...\n`);
    },
  });
  let dump: { dir: string; files: string[] } | undefined;
  if (opts.dump) {
    const { writeStoredRead } = await import('../../native/chip/read-chip');
    const dir = path.resolve(opts.dump);
    const files = await writeStoredRead(dir, result.files);
    dump = { dir, files: files.map((f) => path.basename(f)) };
  }
  if (json) {
    printJson(chipReadJson(result, readerName, { trace: opts.trace ?? false, ...(dump ? { dump } : {}) }));
    return EXIT.ok;
  }
  await printChipRead(result, readerName, dump, opts.trace ?? false);
  return EXIT.ok;
}

async function printChipRead(
  r: ChipReadResult,
  readerName: string,
  dump: { dir: string; files: string[] } | undefined,
  trace: boolean,
): Promise<void> {
  const { formatDateVi } = await import('../core/verification');
  const d = r.document;
  const date = (x: string | null | undefined): string =>
    x === null ? 'không thời hạn / no expiry' : x ? formatDateVi(x) : '-';
  const a = r.authenticity;
  line(
    `Xác thực thẻ / authenticity: ${a.verdict} — ${authenticityText(a.verdict).vi} (${authenticityText(a.verdict).en})`,
  );
  line(
    `  hashes ${a.checks.hashes} · signature ${a.checks.signature} · chain ${a.checks.chain} · ` +
      `chip auth ${a.checks.chipAuth} · active auth ${a.checks.activeAuth}`,
  );
  for (const x of a.reasons) line(`  - ${x.vi} (${x.en})`);
  line(
    `Đầu đọc / reader: ${readerName} — ${r.access}, ${r.apdus} APDU, ${r.bytesRead} B, ${Math.round(r.ms)} ms`,
  );
  line(
    `Nguồn dữ liệu / data from: ${d.source}${d.documentType ? `, ${d.documentType}` : ''}${d.issuingState ? ` ${d.issuingState}` : ''}`,
  );
  line(
    `Số định danh / ID: ${d.idNumber ?? '-'}${d.documentNumber ? `  (số giấy tờ / document no. ${d.documentNumber})` : ''}`,
  );
  line(`Họ tên / name: ${d.fullName ?? '-'}`);
  line(`Ngày sinh / born: ${date(d.dateOfBirth)}  Giới tính / sex: ${d.sex ?? '-'}`);
  line(`Ngày cấp / issued: ${date(d.dateOfIssue)}  Hết hạn / expires: ${date(d.dateOfExpiry)}`);
  if (d.mrz) for (const l of d.mrz) line(`  ${l}`);
  line(
    `Nhóm dữ liệu / data groups: ${r.dataGroups
      .map(
        (x) =>
          `${x.name} ${x.status === 'read' ? `${x.bytes} B${x.hashOk === true ? ' ✓' : x.hashOk === false ? ' ✗' : ''}` : x.status}`,
      )
      .join(', ')}`,
  );
  for (const w of r.warnings) line(`  ! ${w.vi} (${w.en})`);
  if (dump) line(`Đã lưu / dumped: ${dump.files.join(', ')} → ${dump.dir}`);
  if (trace) {
    line('APDU trace (CLA INS P1P2 Lc Le → SW, ms):');
    for (const t of r.trace) {
      const h = (n: number, w = 2) => n.toString(16).toUpperCase().padStart(w, '0');
      line(
        `  ${h(t.cla)} ${h(t.ins)} ${t.p1p2 !== undefined ? h(t.p1p2, 4) : '----'} Lc=${t.lc} Le=${t.le ?? '-'}${t.extended ? ' ext' : ''} → ${t.sw === null ? (t.error ?? 'error') : h(t.sw, 4)} ${t.responseLength} B ${t.ms.toFixed(1)} ms`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// kiosk check --reader (called by the check command of main.ts)

export interface ReaderCheckOpts {
  session: string;
  reader: string;
  qr?: string;
  can?: string;
  mrz?: string;
  csca?: string;
  timeout?: string;
  station?: string;
  examiner?: string;
}

/**
 * Waits for a card on the reader and checks it in (the chip check-in flow). A --qr gives the CAN and
 * is checked on its own (authenticity not_checked) if no card comes within --timeout. A failed read
 * that can be retried (card removed) waits for the card again; exit 1 when nothing was checked.
 */
export async function checkWithReader(
  s: KioskServices,
  g: GlobalOpts,
  opts: ReaderCheckOpts,
  actor: Actor,
  print: (rec: CheckRecord, chipPhoto: CardPhoto | null) => void | Promise<void>,
): Promise<number> {
  const access = accessFrom(opts);
  const timeoutMs = seconds(opts.timeout, 60, '--timeout');
  readerConfigFor(opts.reader);
  const session = s.sessions.get(opts.session);
  if (session.state !== 'open') {
    const { notInState } = await import('../core/sessions');
    throw notInState(session, 'open');
  }
  const { ChipCheckin } = await import('../core/chip-checkin');
  const { StationTrustStore } = await import('../core/trust-folder');
  const trustDir = opts.csca ? path.resolve(opts.csca) : await defaultTrustDir();
  const stationTrust = new StationTrustStore(trustDir, s.trust);
  const json = g.json ?? false;
  const flow = new ChipCheckin({
    checks: s.checks,
    session: session.code,
    actor,
    // The folder plus the chair's pinned and blocked issuers, at every card.
    loadTrustStore: () => stationTrust.get(),
    accessTtlMs: timeoutMs,
    // The CLI gets all its access data up front: a refused key ends the wait.
    waitForAccessMs: 0,
    expectChip: () => true,
  });
  const manager = await newManager(opts.reader, flow.cardJob);
  const watch = new ReaderWatch(manager as ReaderManager<unknown>);
  try {
    return await new Promise<number>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (f: () => void): void => {
        clearTimeout(timer);
        f();
      };
      flow.on('checked', (r) => {
        if (r.source === 'qr' && !json) {
          process.stderr.write(
            'Không đọc được chip trong thời gian chờ: chỉ kiểm tra mã QR. No chip read in time: QR checked alone.\n',
          );
        }
        finish(() => {
          Promise.resolve(print(r.record, r.chip?.reading?.photo ?? null)).then(
            () => resolve(EXIT.ok),
            reject,
          );
        });
      });
      flow.on('access-refused', (e) => {
        process.stderr.write(`Lỗi: ${e.error.vi}\nError: ${e.error.en}\n`);
      });
      flow.on('failed', (f) => {
        if (f.stage === 'read' && f.error.retryable) {
          // Card removed, reader hiccup: the examiner places the card again.
          process.stderr.write(
            `${f.error.vi} (${f.error.en})\nĐặt lại thẻ lên đầu đọc... Waiting for the card again...\n`,
          );
          return;
        }
        finish(() => reject(new KioskError(f.error.code, { vi: f.error.vi, en: f.error.en })));
      });
      const onTimeout = (): void => {
        if (flow.reading > 0) {
          timer = setTimeout(onTimeout, 250);
          return;
        }
        // A held QR is checked alone by its own timer (same length); without one, nothing is logged.
        if (flow.heldQr) {
          timer = setTimeout(onTimeout, 250);
          return;
        }
        finish(() => reject(watch.noCardError(opts.reader, timeoutMs)));
      };
      timer = setTimeout(onTimeout, timeoutMs);
      if (access.can || access.mrz) {
        flow.provideAccess({
          ...(access.can ? { can: access.can } : {}),
          ...(access.mrz ? { mrz: access.mrz } : {}),
        });
      }
      if (access.qr) flow.scanQr(access.qr);
      if (!json) process.stderr.write(`Đặt thẻ lên ${opts.reader}... Place the card on ${opts.reader}...\n`);
      manager.start();
    });
  } finally {
    flow.close();
    await manager.stop();
    exitSoon();
  }
}

// ---------------------------------------------------------------------------------------------
// kiosk sim card | sim pn532

interface SimOpts {
  person?: string;
  fault: string[];
  cscaOut?: string;
  passport?: boolean;
  reinsertAfter?: string;
}

async function simCard(opts: SimOpts): Promise<{
  card: { engine: { process(a: Uint8Array): Promise<Uint8Array>; reset(): void } };
  firstLine: string;
  /** What a kiosk of this scenario trusts (the genuine test CSCA first). */
  trust?: { name: string; pem: string }[];
}> {
  const { createSoftCard, createSoftPassport, parseFault } = await import('../../native/softcard/soft-card');
  if (opts.passport) {
    if (opts.fault.length || opts.person) {
      throw new UsageError({
        vi: '--passport không dùng cùng --fault hay --person.',
        en: '--passport cannot be combined with --fault or --person.',
      });
    }
    const p = createSoftPassport();
    return { card: p, firstLine: p.mrzLines.join(' ') };
  }
  const faults = opts.fault.map((f) => {
    try {
      return parseFault(f);
    } catch (e) {
      const x = e as { vi?: string; en?: string };
      throw new UsageError({ vi: x.vi ?? String(e), en: x.en ?? String(e) });
    }
  });
  let person;
  if (opts.person) {
    const { loadSoftPerson } = await import('../../native/softcard/person');
    person = await loadSoftPerson(opts.person);
  }
  const card = createSoftCard({ ...(person ? { person } : {}), faults });
  return { card, firstLine: card.qrText, trust: card.trustFolder };
}

/** Runs a hosted software card until SIGINT/SIGTERM; prints the QR (or passport MRZ) first. */
async function runSim(
  opts: SimOpts,
  label: string,
  host: (
    card: { engine: { process(a: Uint8Array): Promise<Uint8Array>; reset(): void } },
    reinsertAfterMs: number,
  ) => Promise<SimHost>,
): Promise<number> {
  const reinsertAfterMs = opts.reinsertAfter === undefined ? 1000 : Number(opts.reinsertAfter);
  if (!Number.isInteger(reinsertAfterMs) || reinsertAfterMs < 0) {
    throw new UsageError({
      vi: '--reinsert-after phải là số mili giây ≥ 0.',
      en: '--reinsert-after must be a whole number of milliseconds ≥ 0.',
    });
  }
  const { card, firstLine, trust } = await simCard(opts);
  const cscaFiles: string[] = [];
  if (opts.cscaOut && trust) {
    // The trust folder of the scenario: the genuine test CSCA (always), plus the foreign CSCA of
    // foreign-csca or the non-CA issuer of csca-not-ca; never a forger's CSCA.
    const fs = await import('node:fs/promises');
    const dir = path.resolve(opts.cscaOut);
    await fs.mkdir(dir, { recursive: true });
    const tag = label.replace(/[^A-Za-z0-9.-]+/g, '-');
    for (const [i, t] of trust.entries()) {
      const file = path.join(dir, i === 0 ? `sim-csca-${tag}.pem` : `sim-${tag}-${t.name}`);
      await fs.writeFile(file, t.pem);
      cscaFiles.push(file);
    }
  }
  // The reader side first (a PN532 port that cannot be opened fails here, before any output).
  const h = await host(card, reinsertAfterMs);
  // The first line is the card's QR text (a fictional holder): scripts and tests read it.
  line(firstLine);
  for (const f of cscaFiles) line(`CSCA: ${f}`);
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  h.on('inserted', () => line(`Đã đặt thẻ vào ${h.where}. Card inserted (${h.where}).`));
  h.on('removed', (why) => {
    if (why === 'fault')
      line(`Thẻ bị rút ra (mô phỏng, lần ${h.removals}). Card removed (simulated, #${h.removals}).`);
  });
  if (h.inserted) line(`Đã đặt thẻ vào ${h.where}. Card inserted (${h.where}).`);
  const hint = setTimeout(() => {
    if (!h.inserted) {
      process.stderr.write(
        `Đang chờ ${h.where}: pcscd (với vsmartcard-vpcd) đã chạy chưa? Waiting for ${h.where}: is pcscd (with vsmartcard-vpcd) running? Try: pcscd -f -a\n`,
      );
    }
  }, 3000);
  await stop;
  clearTimeout(hint);
  await h.stop();
  return EXIT.ok;
}

// ---------------------------------------------------------------------------------------------
// Registration

/** The group `name` of `parent` (./chip-commands adds to the same `chip` and `sim` groups). */
function group(parent: Command, name: string, description: string): Command {
  return parent.commands.find((c) => c.name() === name) ?? parent.command(name).description(description);
}

const SIM_OPTIONS: [string, string][] = [
  ['--person <file>', 'holder JSON file (see native/softcard/person.ts); default: a fictional holder'],
  [
    '--csca-out <dir>',
    "write what a kiosk of this card's scenario trusts into this folder: the test CSCA, plus the foreign CSCA (foreign-csca) or the non-CA issuer (csca-not-ca); never a forger's CSCA (then: chip read --csca DIR)",
  ],
  ['--passport', 'a plain ICAO passport (TD3, BAC only, no SOD) instead of the CCCD; prints its MRZ first'],
];

function simOptions(cmd: Command): Command {
  for (const [flags, desc] of SIM_OPTIONS) cmd.option(flags, desc);
  return cmd
    .option('--fault <name>', `simulated fault, repeatable: ${FAULT_HELP}`, collect, [])
    .option('--reinsert-after <ms>', 'a card removed by remove-at:N comes back after this delay', '1000');
}

/** Registers `readers`, `chip read`, `sim card` and `sim pn532` on the kiosk program. */
export function registerReaderCommands(program: Command): void {
  program
    .command('readers')
    .description('list PC/SC readers, serial ports and HID POS scanners (--json for machines)')
    .action(run(async (g) => readersAction(g)));

  group(program, 'chip', 'chip ID cards: read and check (thẻ gắn chip)')
    .command('read')
    .description('read a chip card on a reader: document, authenticity, data groups (--json for machines)')
    .requiredOption(
      '--reader <name>',
      'PC/SC reader name (see `kiosk readers`), or pn532:/dev/ttyX for a PN532 on a serial port',
    )
    .option('--can <digits>', 'CAN: the last 6 digits of the ID number')
    .option('--mrz <text>', 'the MRZ (ID card 3 × 30 or passport 2 × 44 characters; spaces ignored)')
    .option('--qr <text>', 'the text of the QR code on the card front (gives the CAN)')
    .option(
      '--csca <dir>',
      'folder of trusted CSCA certificates / master lists (default: the app trust store)',
    )
    .option(
      '--dump <dir>',
      'write the files read (EF.COM.bin, DG1.bin, ..., EF.SOD.bin) for `kiosk chip inspect`',
    )
    .option('--trace', 'add the APDU trace (headers, lengths, status words, timings; never data)')
    .option('--timeout <s>', 'seconds to wait for the card, and for the read (default 45)')
    .action(run(async (g, opts: ChipReadOpts) => chipReadAction(g, opts)));

  const sim = group(program, 'sim', 'simulated cards for trying the kiosk without a real card');
  simOptions(
    sim
      .command('card')
      .description(
        "put the software CCCD (a fictional holder) into pcscd's virtual reader (vsmartcard-vpcd); prints its QR text first; runs until Ctrl+C",
      )
      .requiredOption(
        '--vpcd <port>',
        'vpcd TCP port: 35963 = reader "Virtual PCD 00 00", 35964 = "Virtual PCD 00 01"',
      )
      .option('--host <host>', 'vpcd host', '127.0.0.1'),
  ).action(
    run(async (_g, opts: SimOpts & { vpcd: string; host: string }) => {
      const port = Number(opts.vpcd);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new UsageError({ vi: '--vpcd phải là số cổng TCP.', en: '--vpcd must be a TCP port number.' });
      }
      const { hostOnVpcd } = await import('../../native/softcard/sim-hosts');
      return runSim(opts, `vpcd-${port}`, async (c, reinsertAfterMs) =>
        hostOnVpcd(c, { host: opts.host, port, reinsertAfterMs }),
      );
    }),
  );

  simOptions(
    sim
      .command('pn532')
      .description(
        'a PN532 (UART) with the software CCCD in its field on a serial port (e.g. one end of a socat pty pair); prints its QR text first; runs until Ctrl+C',
      )
      .requiredOption('--port <path>', 'serial port of the emulated PN532'),
  ).action(
    run(async (_g, opts: SimOpts & { port: string }) => {
      const { hostOnPn532 } = await import('../../native/softcard/sim-hosts');
      return runSim(opts, `pn532-${path.basename(opts.port)}`, async (c, reinsertAfterMs) => {
        try {
          return await hostOnPn532(c, { path: opts.port, reinsertAfterMs });
        } catch (e) {
          throw new KioskError('port_unavailable', {
            vi: `Không mở được cổng nối tiếp "${opts.port}".`,
            en: `The serial port "${opts.port}" cannot be opened (${e instanceof Error ? e.message : String(e)}).`,
          });
        }
      });
    }),
  );
}
