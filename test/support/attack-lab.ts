/**
 * The attack lab (issue 9): the rows (the clean card, every attack, every honest interoperability
 * fault), what each must give, and the kiosk's real check path to run them through.
 *
 * A row is checked as the kiosk does it: the QR of the card is scanned and held, the card's chip is
 * read over the transport under test by the chip check-in flow (electron/core/chip-checkin: readChip
 * with the trust store loaded from the scenario's trust folder, then the check service's verification,
 * logged in a real database), and the outcome, authenticity verdict and reason codes are compared
 * with the row's expectation:
 *   attack → outcome `rejected` with the attack's own reason code (an error-severity reason)
 *   honest fault, clean card → authenticity `genuine`, outcome `accepted`, the photo read
 * A read that fails (no check at all) is a failed row: a forgery must be logged and shown red.
 *
 * Every holder is the fictional DEFAULT_PERSON; nothing here prints personal data (rows report codes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { KioskServices } from '../../electron/core/services';
import { ChipCheckin } from '../../electron/core/chip-checkin';
import { writeTrustFolder } from '../../native/softcard/attack-pki';
import { DEFAULT_PERSON } from '../../native/softcard/person';
import { ATTACK_FAULTS, HONEST_FAULTS, createSoftCard, type SoftCard } from '../../native/softcard/soft-card';
import { PcscContext } from '../../native/drivers/pcsc/pcsc';
import { Pn532Transport, openPn532 } from '../../native/drivers/pn532/pn532';
import { hostOnPn532, hostOnVpcd, waitInserted, type HostedCard } from '../../native/softcard/sim-hosts';
import type { CardTransport } from '../../native/transport/types';
import { testPcscd, useSocket } from './pcscd';
import { createPtyPair } from './socat';
import { rosterCsvFor } from './sim-roster';

/** Each attack's own reason code (codes from the issue 9 contract). */
export const EXPECTED_REASON: Record<(typeof ATTACK_FAULTS)[number] | 'ca-bare-sw:6A82', string> = {
  'splice-signer-info': 'sod_malformed',
  'withhold-dg14': 'dg_withheld',
  'withhold-dg15': 'dg_withheld',
  'withhold-dg2': 'dg_withheld',
  'aa-not-supported': 'active_auth_failed',
  'ca-bare-sw': 'chip_auth_failed',
  // The same clone answering the confirmation with a bare error word instead of 9000.
  'ca-bare-sw:6A82': 'chip_auth_failed',
  'pace-bad-token': 'pace_token_invalid',
  'own-csca': 'issuer_not_recognised',
  'spoofed-aki': 'ds_certificate_signature_invalid',
  'foreign-csca': 'country_mismatch',
  'ds-no-keyusage': 'ds_key_usage_invalid',
  'csca-not-ca': 'csca_not_ca',
  'dg1-dg13-mismatch': 'dg1_dg13_mismatch',
};

export interface LabRow {
  /** The --fault value ('' for the clean card). */
  fault: string;
  kind: 'clean' | 'attack' | 'honest';
  /** For attacks: the reason code the rejection must carry. */
  expectedCode?: string;
}

export const LAB_ROWS: LabRow[] = [
  { fault: '', kind: 'clean' },
  ...Object.entries(EXPECTED_REASON).map(([fault, expectedCode]) => ({
    fault,
    kind: 'attack' as const,
    expectedCode,
  })),
  ...HONEST_FAULTS.map((fault) => ({ fault, kind: 'honest' as const })),
];

export function rowName(row: LabRow): string {
  return row.fault || 'clean';
}

/** What the kiosk made of a card: a logged check, or a read that failed (nothing logged). */
export interface LabResult {
  outcome?: 'accepted' | 'accepted_with_warnings' | 'rejected';
  verdict?: string;
  identity?: string;
  /** Codes of the check's reasons (identity and authenticity), with their severity. */
  reasons: { code: string; severity: string }[];
  /** When the read failed: its error code. */
  readError?: string;
  /** Whether the face image (DG2) came out of the chip as a picture. */
  photo?: boolean;
  /** Codes of the chip read's own warnings (dg2_unreadable, file_refused, ...). */
  warnings?: string[];
  ms: number;
}

export interface Judgement {
  pass: boolean;
  /** One line, codes only. */
  summary: string;
}

export function summarize(r: LabResult): string {
  if (r.readError) return `read failed (${r.readError})`;
  const reasons = r.reasons.map((x) => `${x.code}:${x.severity}`).join(', ') || 'no reasons';
  const warnings = r.warnings?.length ? ` read warnings: ${r.warnings.join(', ')}` : '';
  return `${r.outcome} / ${r.verdict} / ${r.identity} [${reasons}]${r.photo === false ? ' no photo' : ''}${warnings}`;
}

/** Whether `r` is what `row` must give. */
export function judge(row: LabRow, r: LabResult): Judgement {
  const summary = summarize(r);
  if (r.readError) return { pass: false, summary };
  if (row.kind === 'attack') {
    const own = r.reasons.some((x) => x.code === row.expectedCode && x.severity === 'error');
    return { pass: r.outcome === 'rejected' && own, summary };
  }
  // A genuine card is read whole: its photo too (dg2-no-template must not cost the picture).
  return { pass: r.verdict === 'genuine' && r.outcome === 'accepted' && r.photo !== false, summary };
}

/** The soft card of a row (the fictional default holder). */
export function labCard(row: LabRow): SoftCard {
  return createSoftCard({ faults: row.fault ? [row.fault] : [] });
}

/**
 * A kiosk for the lab: its own database and a session per check (so every row starts with the holder
 * not yet checked in), the holder on each roster.
 */
export class LabKiosk {
  readonly services: KioskServices;
  private sessions = 0;

  constructor(private readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
    this.services = new KioskServices({ dbPath: path.join(root, 'lab.db') });
  }

  private async newSession(): Promise<string> {
    const code = `LAB${++this.sessions}`;
    const by = { station: 'attack-lab', actor: 'examiner-lab' };
    this.services.sessions.create(
      { code, council: 'Hội đồng thử', date: '2026-11-27', licenceClasses: [] },
      by,
    );
    const csv = path.join(this.root, `${code}.csv`);
    fs.writeFileSync(csv, rosterCsvFor([DEFAULT_PERSON]));
    await this.services.roster.importFile(code, csv, by);
    return code;
  }

  /**
   * Checks `card` read over `transport` through the chip check-in flow, with the trust folder of its
   * scenario (written under the lab's root).
   */
  async check(card: SoftCard, transport: CardTransport, readerName: string): Promise<LabResult> {
    const session = await this.newSession();
    const trustDir = path.join(this.root, `trust-${session}`);
    await writeTrustFolder(
      trustDir,
      card.faults.map((f) => f.kind),
    );
    const flow = new ChipCheckin({
      checks: this.services.checks,
      session,
      actor: { station: 'attack-lab', actor: 'examiner-lab' },
      trustStoreDir: trustDir,
      accessTtlMs: 60_000,
      waitForAccessMs: 0,
      readTimeoutMs: 60_000,
      expectChip: () => true,
    });
    const started = performance.now();
    try {
      flow.scanQr(card.qrText);
      const r = await flow.readAndCheck(transport, { readerId: 'lab', readerName });
      return {
        outcome: r.record.outcome,
        verdict: r.record.authenticity.verdict,
        identity: r.record.identity.verdict,
        reasons: r.record.identity.reasons.map((x) => ({ code: x.code, severity: x.severity })),
        photo: r.chip?.document.photo !== undefined,
        warnings: (r.chip?.warnings ?? []).map((w) => w.code),
        ms: performance.now() - started,
      };
    } catch (e) {
      const code =
        e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string'
          ? (e as { code: string }).code
          : e instanceof Error
            ? e.name
            : 'error';
      return { reasons: [], readError: code, ms: performance.now() - started };
    } finally {
      flow.close();
    }
  }

  close(): void {
    this.services.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Transports ("columns")

/** One transport of the matrix: reads a row's card through it and checks it. */
export interface LabColumn {
  readonly name: 'memory' | 'PC/SC' | 'PN532';
  check(row: LabRow): Promise<LabResult>;
  close(): Promise<void>;
}

/** One card at a time behind a reader: the hosted "card" forwards to the current row's soft card. */
function cardSlot(): { card: SoftCard | undefined; hosted: HostedCard } {
  const s: { card: SoftCard | undefined; hosted: HostedCard } = {
    card: undefined,
    hosted: {
      engine: {
        process: (apdu) => {
          if (!s.card) return Promise.reject(new Error('no card in the slot'));
          return s.card.engine.process(apdu);
        },
        reset: () => s.card?.engine.reset(),
      },
    },
  };
  return s;
}

/** The in-memory transport in front of each card's engine. */
export function memoryColumn(kiosk: LabKiosk): LabColumn {
  return {
    name: 'memory',
    async check(row) {
      const card = labCard(row);
      return kiosk.check(card, card.transport, 'memory');
    },
    async close() {},
  };
}

/**
 * pcsc-lite → pcscd (a private one when running as root) + vsmartcard vpcd → the card hosted as
 * `kiosk sim card` hosts it. Throws when pcscd or the vpcd driver is missing.
 */
export async function pcscColumn(kiosk: LabKiosk): Promise<LabColumn> {
  const pcscd = await testPcscd();
  useSocket(pcscd);
  await pcscd.start();
  const slot = cardSlot();
  const host = hostOnVpcd(slot.hosted, { port: pcscd.ports[0], reinsertAfterMs: -1 });
  const ctx = new PcscContext({ pollIntervalMs: 100 });
  try {
    await waitInserted(host);
    ctx.start();
    await ctx.waitForCard(pcscd.readerNames[0]);
  } catch (e) {
    await host.stop();
    await ctx.stop();
    await pcscd.dispose();
    throw e;
  }
  return {
    name: 'PC/SC',
    async check(row) {
      slot.card = labCard(row);
      const t = await ctx.connect(pcscd.readerNames[0]);
      try {
        slot.card.engine.reset();
        return await kiosk.check(slot.card, t, pcscd.readerNames[0]);
      } finally {
        await t.close();
      }
    },
    async close() {
      await host.stop();
      await ctx.stop();
      await pcscd.dispose();
    },
  };
}

/**
 * The PN532 driver → a socat pty pair → the PN532 emulator with the card in its field, hosted as
 * `kiosk sim pn532` hosts it. Throws when socat is missing.
 */
export async function pn532Column(kiosk: LabKiosk): Promise<LabColumn> {
  const pty = await createPtyPair();
  const slot = cardSlot();
  const host = await hostOnPn532(slot.hosted, { path: pty.b, reinsertAfterMs: -1 });
  const dev = await openPn532(pty.a);
  return {
    name: 'PN532',
    async check(row) {
      slot.card = labCard(row);
      // Activating the target powers the card up afresh (sim-hosts resets the engine).
      const target = await dev.inListPassiveTarget();
      if (!target?.iso14443_4) throw new Error('the PN532 emulator found no ISO 14443-4 card');
      return kiosk.check(slot.card, new Pn532Transport(dev, target), 'PN532');
    },
    async close() {
      await dev.close();
      await host.stop();
      await pty.close();
    },
  };
}
