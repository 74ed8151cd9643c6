/**
 * The readers' events → the windows. What comes from the readers (reader-hub.ts: reader status, reading
 * progress, and each verdict that no channel call returned: a chip read, a hardware QR scan, a held QR
 * checked on its own) is pushed to the window that checks in (clients.ts `target`), or to every window
 * for status and progress. Verdicts leave as the contract's DTOs (dto.ts); the technical log gets codes
 * and verdicts only.
 */
import type { ReaderStatusDTO } from '../shared/ipc-contract';
import type { Clients } from './clients';
import type { Dto } from './dto';
import type { AppLogger, EventSink, ReaderPortEvent } from './ports';

export class ReaderEvents {
  /** The readers' last reported status (readers.status answers with it). */
  status: ReaderStatusDTO[] = [];

  constructor(
    private readonly sink: EventSink | undefined,
    private readonly clients: Clients,
    private readonly dto: Dto,
    private readonly logger: AppLogger,
  ) {}

  route(e: ReaderPortEvent): void {
    const sink = this.sink;
    switch (e.type) {
      case 'status':
        this.status = e.readers;
        sink?.emit(null, 'reader.status', e.readers);
        return;
      case 'progress':
        sink?.emit(null, 'reading.progress', e.progress);
        return;
      case 'checked': {
        const r = e.result;
        const dto = this.dto.result(r.record, r.chip?.reading ?? null, r.source === 'chip' ? 'chip' : 'qr');
        this.logger.info('check.done', {
          source: r.source,
          outcome: dto.outcome,
          verdict: dto.identityVerdict,
        });
        sink?.emit(this.target(), 'scan.result', dto);
        return;
      }
      case 'failed':
        this.logger.warn('check.failed', { stage: e.stage, code: e.error.code });
        sink?.emit(this.target(), 'scan.error', { code: e.error.code, vi: e.error.vi, en: e.error.en });
        return;
      case 'refused':
        sink?.emit(this.target(), 'scan.error', { code: e.error.code, vi: e.error.vi, en: e.error.en });
        return;
      case 'awaiting-chip':
        sink?.emit(this.target(), 'scan.awaitingChip', { qrOnlyAvailable: true });
        return;
    }
  }

  private target(): string | null {
    return this.clients.target()?.clientId ?? null;
  }
}
