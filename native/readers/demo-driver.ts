/**
 * The demo's card reader: a software CCCD (native/softcard) of a fictional holder, "tapped" on a
 * virtual reader, so that `npm start -- --demo` runs the production path with no hardware: the same
 * events (the card's QR, card-present, reading-progress, reading-done), the same card job (the chip
 * check-in: PACE with the QR's CAN, the full read, passive/active/chip authentication, the check, the
 * log) as a card on a PC/SC or PN532 reader.
 *
 * A tap: the reader reads the card's face first (its QR, published as `qr-scanned` with `cardFollows`,
 * so the QR waits for this chip), then the card lies on the reader and the card job runs on it. The tap
 * resolves with the job's outcome (ReaderManager.runJob), for the caller that tapped. The card stays on
 * the reader until the next tap lifts it (card-removed), as a card left on a real reader would.
 *
 * The only module of native/readers that may import native/softcard (a dependency-cruiser rule); it
 * loads it on the first tap, so a kiosk that never taps never loads the software card.
 */
import type { TrustStore } from '../icao/trust-store';
import type { SoftPerson } from '../softcard/person';
import type { SoftCardFault } from '../softcard/soft-card';
import type { ReaderConfig, ReaderStatus } from './config';
import type { Driver, DriverHost } from './driver';
import type { JobOutcome } from './job';

/** The demo's three cards: a genuine one, one whose DG13 was altered after signing, a clone. */
export type DemoCardKind = 'genuine' | 'altered' | 'clone';

export interface SoftCardTap {
  /** The fictional holder (electron/core/demo.ts DEMO_CARD_HOLDERS). */
  person: SoftPerson;
  kind: DemoCardKind;
}

const FAULTS: Record<DemoCardKind, SoftCardFault[]> = {
  genuine: [],
  altered: [{ kind: 'altered-dg13' }],
  clone: [{ kind: 'clone' }],
};

/** The reader name the log keeps for a demo tap. */
export const SOFT_CARD_READER_NAME = 'Thẻ mẫu (demo)';

export class SoftCardDriver implements Driver {
  readonly kind = 'softcard' as const;
  status: ReaderStatus = 'stopped';
  private readonly name: string;
  private current: AbortController | undefined;
  /** Taps one after the other: a second tap waits for the first card's read instead of cutting it off. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly m: DriverHost,
    readonly id: string,
    c: Extract<ReaderConfig, { kind: 'softcard' }>,
  ) {
    this.name = c.name ?? SOFT_CARD_READER_NAME;
  }

  start(): void {
    this.m.setStatus(this, 'ready');
  }

  async stop(): Promise<void> {
    this.lift();
    this.m.setStatus(this, 'stopped');
  }

  /** Taps a software card of `card.person` on this reader; resolves with the card job's outcome. */
  tap(card: SoftCardTap): Promise<JobOutcome<unknown> | undefined> {
    const run = this.queue.then(() => this.present(card));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async present(spec: SoftCardTap): Promise<JobOutcome<unknown> | undefined> {
    if (this.status === 'stopped') return undefined;
    this.lift();
    const { createSoftCard } = await import('../softcard/soft-card');
    const card = createSoftCard({ person: spec.person, faults: FAULTS[spec.kind] });
    const abort = new AbortController();
    this.current = abort;
    // The card's face first: its QR gives the CAN that opens this very chip.
    this.m.log(`reader ${this.id}: QR scanned (${card.qrText.length} chars)`);
    this.m.publish('qr-scanned', {
      readerId: this.id,
      kind: 'softcard',
      text: card.qrText,
      cardFollows: true,
      at: Date.now(),
    });
    this.m.setStatus(this, 'card-present');
    this.m.publish('card-present', { readerId: this.id, kind: 'softcard', readerName: this.name });
    const outcome = await this.m.runJob(this, this.name, card.transport, abort.signal);
    if (this.current === abort) this.m.setStatus(this, 'card-present');
    return outcome;
  }

  /** The card on the reader is taken away (the next tap, or the reader stops). */
  private lift(): void {
    const cur = this.current;
    if (!cur) return;
    this.current = undefined;
    cur.abort();
    this.m.publish('card-removed', { readerId: this.id, kind: 'softcard', readerName: this.name });
    if (this.status !== 'stopped') this.m.setStatus(this, 'ready');
  }
}

/**
 * Trusts the software cards' issuer (the test CSCA of native/softcard/pki.ts, one per process) in
 * `store`, as a demo station's trust folder would: a genuine demo card is then `genuine`. Demo only.
 */
export async function trustSoftCards(store: TrustStore): Promise<TrustStore> {
  const { getTestPki } = await import('../softcard/pki');
  store.addCertificate(getTestPki().csca.der, 'demo-softcard-csca.pem');
  return store;
}
