/**
 * A PC/SC reader (by name, or 'any' for whichever reader gets a card) on the shared PcscContext: it
 * follows pcscd and the reader coming and going, and runs the card job on each card inserted; the job's
 * signal fires when the card leaves.
 */
import { ReaderError, type ReaderErrorInfo } from '../transport/errors';
import type { PcscConnectOptions, PcscContext, PcscReaderInfo } from '../drivers/pcsc/pcsc';
import type { ReaderConfig, ReaderStatus } from './config';
import type { Driver, DriverHost } from './driver';

export class PcscDriver implements Driver {
  readonly kind = 'pcsc' as const;
  status: ReaderStatus = 'stopped';
  private ctx: PcscContext | undefined;
  private current: { name: string; abort: AbortController } | undefined;
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly m: DriverHost,
    readonly id: string,
    private readonly c: Extract<ReaderConfig, { kind: 'pcsc' }>,
    private readonly getContext: () => PcscContext,
    private readonly connectOptions: PcscConnectOptions = {},
  ) {}

  private matches(name: string): boolean {
    return this.c.reader === 'any' || this.c.reader === name;
  }

  start(): void {
    let ctx: PcscContext;
    try {
      ctx = this.getContext();
    } catch (e) {
      this.m.setStatus(this, 'error', e instanceof ReaderError ? e.code : 'PC/SC library missing');
      this.m.readerError(this, e);
      return;
    }
    this.ctx = ctx;
    const on = <
      E extends
        'service-up' | 'service-down' | 'reader-added' | 'reader-removed' | 'card-inserted' | 'card-removed',
    >(
      event: E,
      fn: (...args: never[]) => void,
    ): void => {
      ctx.on(event, fn as never);
      this.off.push(() => ctx.off(event, fn as never));
    };
    on('service-down', (reason: ReaderErrorInfo) => {
      this.abortCurrent();
      this.m.readerError(this, new ReaderError(reason.code, 'pcscd stopped'));
      this.m.setStatus(this, 'waiting', 'pcscd not running');
    });
    on('service-up', () => this.refresh());
    on('reader-added', (r: PcscReaderInfo) => {
      if (this.matches(r.name)) this.refresh();
    });
    on('reader-removed', (r: PcscReaderInfo) => {
      if (this.matches(r.name)) this.refresh();
    });
    on('card-inserted', (r: PcscReaderInfo) => {
      if (this.matches(r.name) && !this.current) void this.onCard(r);
    });
    on('card-removed', (r: PcscReaderInfo) => {
      if (this.current?.name === r.name) {
        this.abortCurrent();
        this.m.publish('card-removed', { readerId: this.id, kind: 'pcsc', readerName: r.name });
        this.refresh();
        // Another reader ('any') may hold a card already.
        const other = ctx.readers().find((x) => x.cardPresent && this.matches(x.name));
        if (other) void this.onCard(other);
      }
    });
    this.refresh();
    const present = ctx.readers().find((x) => x.cardPresent && this.matches(x.name));
    if (present) void this.onCard(present);
  }

  private refresh(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    if (!ctx.serviceUp) return this.m.setStatus(this, 'waiting', 'pcscd not running');
    if (this.current) return;
    const readers = ctx.readers().filter((r) => this.matches(r.name));
    if (readers.length === 0) this.m.setStatus(this, 'waiting', 'reader not connected');
    else this.m.setStatus(this, 'ready');
  }

  private abortCurrent(): void {
    if (!this.current) return;
    const cur = this.current;
    this.current = undefined;
    cur.abort.abort();
  }

  private async onCard(r: PcscReaderInfo): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    const abort = new AbortController();
    this.current = { name: r.name, abort };
    this.m.setStatus(this, 'card-present');
    this.m.publish('card-present', {
      readerId: this.id,
      kind: 'pcsc',
      readerName: r.name,
      ...(r.atr ? { atr: r.atr } : {}),
    });
    if (!this.m.hasJob) return; // nothing to read: whoever listens decides what to do with the card
    let transport;
    try {
      transport = await ctx.connect(r.name, {
        ...this.connectOptions,
        ...(this.c.shareMode ? { shareMode: this.c.shareMode } : {}),
        ...(this.c.extendedLength !== undefined ? { extendedLength: this.c.extendedLength } : {}),
      });
    } catch (e) {
      if (!abort.signal.aborted) this.m.readerError(this, e);
      return;
    }
    try {
      await this.m.runJob(this, r.name, transport, abort.signal);
    } finally {
      await transport.close();
      if (this.current?.abort === abort) this.m.setStatus(this, 'card-present');
    }
  }

  async stop(): Promise<void> {
    this.abortCurrent();
    for (const f of this.off.splice(0)) f();
    this.m.setStatus(this, 'stopped');
  }
}
