/**
 * The card-pull matrix: a full chip check-in through one transport, with the card pulled at command
 * 1, 2, ... N of the read (N = the commands of a full read through that transport). Each pull must give
 * a clean retryable bilingual error, leave the audit log untouched (a failed read is not a check), and
 * the next read of the same card must check the candidate in as a first check-in (`match`, genuine).
 *
 * Transports ("slots"), each with the real software CCCD behind it and its `remove-at:N` fault:
 *   memory  the in-memory transport of the software card
 *   pcsc    pcscd + the vpcd driver (the card leaves: the vpcd connection closes) → PcscTransport
 *   pn532   the PN532 emulator on a socat pty pair (the card leaves the field) → Pn532 → Pn532Transport
 *
 * The check-in goes through the app's flow (electron/core/chip-checkin.ts): the card's QR is scanned,
 * its CAN opens the chip, the read is checked by the real CheckService on a real SQLite file.
 * Used by test/integration/card-pull.test.ts (a subset) and bench/card-pull.bench.ts (every N).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KioskServices } from '../../electron/core/services';
import { ChipCheckin } from '../../electron/core/chip-checkin';
import { rosterCsv } from '../../electron/core/fictional-people';
import { ChipReadError } from '../../native/chip/read-chip';
import { TrustStore } from '../../native/icao/trust-store';
import { createSoftCard, type SoftCard } from '../../native/softcard/soft-card';
import { DEFAULT_PERSON, type SoftPerson } from '../../native/softcard/person';
import { cardExpiry } from '../../native/cccd/expiry';
import { stripDiacritics } from '../../native/cccd/names';
import { fictionalPerson } from '../../electron/core/fictional-people';
import { CardRemovedError, type CardTransport } from '../../native/transport/types';
import type { PcscdInstance } from './pcscd';

export type PullTransportKind = 'memory' | 'pcsc' | 'pn532';

/** A reader with a card slot: puts a software card on it and hands out a transport to that card. */
export interface CardSlot {
  readonly kind: PullTransportKind;
  readonly readerName: string;
  /** Puts `card` on the reader (taking off any earlier card) and connects to it. */
  present(card: SoftCard): Promise<CardTransport>;
  close(): Promise<void>;
}

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The card function behind a physical slot: a simulated pull makes the card leave the field. */
function cardFunction(
  current: () => SoftCard | undefined,
  leave: () => void,
): (apdu: Uint8Array) => Promise<Uint8Array> {
  return async (apdu) => {
    const card = current();
    if (!card) throw new CardRemovedError('no card');
    try {
      return await card.engine.process(apdu);
    } catch (e) {
      if (e instanceof CardRemovedError) leave();
      throw e;
    }
  };
}

export function memorySlot(): CardSlot {
  return {
    kind: 'memory',
    readerName: 'software CCCD',
    present: async (card) => card.transport,
    close: async () => undefined,
  };
}

/** PC/SC through pcscd + vpcd. `pcscd` must be started and its socket in use (useSocket). */
export async function pcscSlot(pcscd: PcscdInstance): Promise<CardSlot> {
  const [{ PcscContext }, { VpcdCard }] = await Promise.all([
    import('../../native/drivers/pcsc/pcsc'),
    import('../../native/drivers/pcsc/vpcd-card'),
  ]);
  const readerName = pcscd.readerNames[0];
  let card: SoftCard | undefined;
  let transport: { close(): Promise<void> } | undefined;
  const ctx = new PcscContext({ pollIntervalMs: 50 });
  ctx.start();
  await ctx.waitForReader(readerName);
  const vpcd = new VpcdCard(
    cardFunction(
      () => card,
      // The card left the reader: the vpcd connection closes and pcscd sees the removal.
      () => void vpcd.remove(),
    ),
    { port: pcscd.ports[0] },
  );
  const present = () => ctx.readers().find((r) => r.name === readerName)?.cardPresent === true;
  return {
    kind: 'pcsc',
    readerName,
    async present(next) {
      await transport?.close().catch(() => undefined);
      transport = undefined;
      if (vpcd.inserted) await vpcd.remove();
      await waitUntil('pcscd to see the card leave', () => !present());
      card = next;
      next.engine.reset();
      await vpcd.insert();
      await ctx.waitForCard(readerName);
      const t = await ctx.connect(readerName);
      transport = t;
      return t;
    },
    async close() {
      await transport?.close().catch(() => undefined);
      await vpcd.remove();
      await ctx.stop();
    },
  };
}

/** A PN532 emulator on a socat pty pair, driven by the real PN532 driver. */
export async function pn532Slot(): Promise<CardSlot> {
  const [{ Pn532Emulator }, { Pn532Transport, openPn532 }, { createPtyPair }] = await Promise.all([
    import('../../native/drivers/pn532/emulator'),
    import('../../native/drivers/pn532/pn532'),
    import('./socat'),
  ]);
  const pty = await createPtyPair();
  const emu = await Pn532Emulator.open({ path: pty.b });
  const dev = await openPn532(pty.a);
  let card: SoftCard | undefined;
  const fn = cardFunction(
    () => card,
    () => emu.removeCard(),
  );
  return {
    kind: 'pn532',
    readerName: dev.name,
    async present(next) {
      emu.removeCard();
      card = next;
      next.engine.reset();
      emu.insertCard(fn);
      const target = await dev.inListPassiveTarget();
      if (!target) throw new Error('the PN532 emulator lists no target');
      return new Pn532Transport(dev, target);
    },
    async close() {
      await dev.close();
      await emu.close();
      await pty.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Fictional candidates: the roster person k and their software card

const ROSTER_SEED = 88;

/** The software-card holder for roster row k (the same fictional person as rosterCsv(…, ROSTER_SEED)). */
export function pullPerson(k: number): SoftPerson {
  const p = fictionalPerson(k, ROSTER_SEED);
  const [surname, ...given] = stripDiacritics(p.fullName).toUpperCase().replace(/Đ/g, 'D').split(' ');
  return {
    ...DEFAULT_PERSON,
    idNumber: p.idNumber,
    oldIdNumber: p.oldIdNumber,
    fullName: p.fullName,
    dateOfBirth: p.dateOfBirth,
    sex: p.sex,
    residence: p.residence,
    dateOfIssue: p.dateOfIssue,
    dateOfExpiry: cardExpiry(p.dateOfBirth, p.dateOfIssue),
    mrzSurname: surname!,
    mrzGivenNames: given.join(' '),
    photoSeed: (k % 50) + 3,
  };
}

// ---------------------------------------------------------------------------------------------
// The matrix

export interface PullOutcome {
  /** The command the card was pulled at. */
  n: number;
  survived: boolean;
  /** The pulled read's error code and whether it said "retry". */
  code?: string;
  retryable?: boolean;
  /** What went wrong, when not survived. */
  problem?: string;
}

export interface PullReport {
  kind: PullTransportKind;
  /** Commands of a full read through this transport (the N of the matrix). */
  commands: number;
  tried: number;
  survived: number;
  outcomes: PullOutcome[];
  /** Error codes of the pulled reads, counted. */
  codes: Record<string, number>;
  /** Log entries at the end, and whether the chain verified and SQLite's integrity check passed. */
  logEntries: number;
  chainOk: boolean;
  integrityOk: boolean;
  ms: number;
}

export interface PullOptions {
  /**
   * Pull at these commands (or the ones a function picks from N); default every command 1..N.
   * Values outside 1..N are skipped.
   */
  at?: number[] | ((commands: number) => number[]);
  /** Called after each pull (progress for long runs). */
  onOutcome?: (o: PullOutcome, commands: number) => void;
}

/**
 * Runs the matrix on `slot`: first a full read (gives N and checks candidate 0 in), then one pull per
 * command with a fresh candidate each time. Never throws for a failed pull: it is in the report.
 */
export async function runCardPull(slot: CardSlot, options: PullOptions = {}): Promise<PullReport> {
  const started = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kiosk-pull-${slot.kind}-`));
  const services = new KioskServices({ dbPath: path.join(dir, 'kiosk.db') });
  const by = { station: `pull-${slot.kind}`, actor: 'examiner' };
  const outcomes: PullOutcome[] = [];
  const codes: Record<string, number> = {};
  try {
    const maxCandidates = 400;
    services.sessions.create(
      { code: 'PULL', council: 'Hội đồng thử', date: todayIso(), licenceClasses: [] },
      by,
    );
    const csv = path.join(dir, 'roster.csv');
    fs.writeFileSync(csv, rosterCsv(maxCandidates, ROSTER_SEED));
    await services.roster.importFile('PULL', csv, by);

    const first = createSoftCard({ person: pullPerson(0), qrForm: 7 });
    const trustStore = new TrustStore();
    trustStore.addCertificate(first.csca.der, 'test-csca.der');
    const flow = new ChipCheckin({
      checks: services.checks,
      session: 'PULL',
      actor: by,
      trustStore,
      expectChip: () => true,
      accessTtlMs: 30 * 60_000,
      waitForAccessMs: 0,
      readTimeoutMs: 60_000,
    });
    // The flow tells the examiner about every failed read (stage 'read'), with the same bilingual error.
    const failed: { stage: string; code: string }[] = [];
    flow.on('failed', (f) => failed.push({ stage: f.stage, code: f.error.code }));

    // The full read: N, and a first check-in that must be genuine and a match.
    flow.scanQr(first.qrText);
    const full = await flow.readAndCheck(await slot.present(first), {
      readerId: slot.kind,
      readerName: slot.readerName,
    });
    if (full.record.identity.verdict !== 'match' || full.record.authenticity.verdict !== 'genuine') {
      throw new Error(
        `full read through ${slot.kind}: ${full.record.identity.verdict}/${full.record.authenticity.verdict}`,
      );
    }
    const commands = first.engine.commandCount;
    const wanted =
      typeof options.at === 'function'
        ? options.at(commands)
        : (options.at ?? Array.from({ length: commands }, (_, i) => i + 1));
    const at = [...new Set(wanted)].filter((n) => n >= 1 && n <= commands);

    for (const [i, n] of at.entries()) {
      const k = i + 1;
      if (k >= maxCandidates) throw new Error('more pulls than roster candidates');
      const card = createSoftCard({ person: pullPerson(k), faults: [`remove-at:${n}`], qrForm: 7 });
      const outcome: PullOutcome = { n, survived: false };
      const problems: string[] = [];
      const headBefore = services.log.headEntry()?.id ?? 0;
      const failedBefore = failed.length;
      flow.scanQr(card.qrText);
      // The pulled read.
      try {
        await flow.readAndCheck(await slot.present(card), {
          readerId: slot.kind,
          readerName: slot.readerName,
        });
        problems.push('the pulled read succeeded');
      } catch (e) {
        if (e instanceof ChipReadError) {
          outcome.code = e.code;
          outcome.retryable = e.retryable;
          codes[e.code] = (codes[e.code] ?? 0) + 1;
          if (!e.retryable) problems.push(`not retryable (${e.code})`);
          if (!e.vi || !e.en || e.vi === e.en) problems.push('error not bilingual');
        } else problems.push(`not a ChipReadError: ${(e as Error)?.name}`);
      }
      const told = failed.slice(failedBefore);
      if (told.length !== 1 || told[0]!.stage !== 'read' || told[0]!.code !== outcome.code) {
        problems.push(`the examiner was told ${JSON.stringify(told)}`);
      }
      if (card.removals !== 1) problems.push(`${card.removals} removals`);
      if ((services.log.headEntry()?.id ?? 0) !== headBefore)
        problems.push('the failed read wrote to the log');
      // The card goes back on the reader: the retry checks the candidate in for the first time.
      try {
        const r = await flow.readAndCheck(await slot.present(card), {
          readerId: slot.kind,
          readerName: slot.readerName,
        });
        if (r.record.identity.verdict !== 'match')
          problems.push(`retry verdict ${r.record.identity.verdict}`);
        if (r.record.authenticity.verdict !== 'genuine')
          problems.push(`retry ${r.record.authenticity.verdict}`);
        if (r.record.logId !== headBefore + 1)
          problems.push(`retry logged as #${r.record.logId}, not #${headBefore + 1}`);
      } catch (e) {
        problems.push(`retry failed: ${(e as Error)?.name} ${(e as { code?: string }).code ?? ''}`);
      }
      outcome.survived = problems.length === 0;
      if (problems.length) outcome.problem = problems.join('; ');
      outcomes.push(outcome);
      options.onOutcome?.(outcome, commands);
    }
    flow.close();

    const verify = services.log.verify();
    const integrity = services.db.pragma('integrity_check', { simple: true });
    return {
      kind: slot.kind,
      commands,
      tried: outcomes.length,
      survived: outcomes.filter((o) => o.survived).length,
      outcomes,
      codes,
      logEntries: verify.entries,
      chainOk: verify.ok,
      integrityOk: integrity === 'ok',
      ms: performance.now() - started,
    };
  } finally {
    services.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function todayIso(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
}
