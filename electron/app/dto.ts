/**
 * Core records → the IPC contract's DTOs: what the window is shown of a check, a session, a log entry.
 * ID numbers leave masked (but in the roster preview, which shows the file being imported); photos leave
 * as data URLs for the screen only.
 */
import type { KioskServices } from '../core/services';
import type { CheckRecord } from '../core/check-service';
import type { LogEntry } from '../core/audit-log';
import { maskIdNumber } from '../core/report-service';
import type { CardReading } from '../../native/cccd/types';
import { parseCccdQr } from '../../native/cccd/qr';
import type { CheckResultDTO, LogEntryDTO, SessionDTO } from '../shared/ipc-contract';

/** The roster fields a candidate shows wherever it appears (a preview row, a verdict). */
export interface RosterFields {
  candidateNo: string;
  fullName: string;
  dateOfBirth: string;
  licenceClass: string | null;
  sex: 'M' | 'F' | null;
}

export function rosterFields(c: {
  candidateNo: string;
  fullName: string;
  dateOfBirth: string;
  licenceClass?: string | null;
  sex?: 'M' | 'F' | null;
}): RosterFields {
  return {
    candidateNo: c.candidateNo,
    fullName: c.fullName,
    dateOfBirth: c.dateOfBirth,
    licenceClass: c.licenceClass ?? null,
    sex: c.sex ?? null,
  };
}

/** What a QR text says (shown beside the roster when they differ); null when it is not a CCCD QR. */
export function qrReading(text: string): CardReading | null {
  const parsed = parseCccdQr(text);
  return parsed.ok ? parsed.reading : null;
}

export function dataUrl(mime: string, data: Uint8Array): string {
  return `data:${mime};base64,${Buffer.from(data).toString('base64')}`;
}

export class Dto {
  /**
   * Told of every check result leaving for a window (the face checks keep its photos in memory);
   * answers whether a face check is expected for it.
   */
  onResult: ((record: CheckRecord, reading: CardReading | null) => boolean) | undefined;

  constructor(private readonly services: KioskServices) {}

  /** A check as the examiner sees it: both verdicts, the reasons (errors first), both photos, the counts. */
  result(record: CheckRecord, reading: CardReading | null, entry: CheckResultDTO['entry']): CheckResultDTO {
    const order = { error: 0, warning: 1, info: 2 } as const;
    const c = record.candidate;
    return {
      logId: record.logId,
      at: record.at,
      source: record.source,
      entry,
      sessionCode: record.sessionCode,
      outcome: record.outcome,
      identityVerdict: record.identity.verdict,
      authenticityVerdict: record.authenticity.verdict,
      authenticityChecks: record.authenticity.checks,
      reasons: [...record.identity.reasons].sort((a, b) => order[a.severity] - order[b.severity]),
      candidate: c ? { id: c.id, ...rosterFields(c) } : null,
      card:
        reading && reading.idNumber
          ? {
              fullName: reading.fullName,
              dateOfBirth: reading.dateOfBirth,
              idNumberMasked: maskIdNumber(reading.idNumber),
            }
          : null,
      chipPhoto: reading?.photo ? dataUrl(reading.photo.mime, reading.photo.data) : null,
      rosterPhoto: c ? this.rosterPhoto(c.id) : null,
      counts: this.services.roster.counts(record.sessionCode),
      checkId: record.logId,
      faceRequired: this.onResult?.(record, reading) ?? false,
    };
  }

  session(code: string): SessionDTO {
    const s = this.services.sessions.get(code);
    const counts = this.services.roster.counts(code);
    return {
      code: s.code,
      council: s.council,
      date: s.date,
      location: s.location,
      licenceClasses: s.licenceClasses,
      state: s.state,
      createdAt: s.createdAt,
      closedAt: s.closedAt,
      signedAt: s.signedAt,
      signedBy: s.signedBy,
      ...counts,
    };
  }

  /** Log entries with the candidate's number and name (looked up in one query). */
  logEntries(entries: LogEntry[]): LogEntryDTO[] {
    const names = this.services.roster.namesOf(
      entries.map((e) => e.candidateId).filter((x): x is number => x !== null),
    );
    return entries.map((e) => {
      const c = e.candidateId !== null ? names.get(e.candidateId) : undefined;
      return {
        id: e.id,
        at: e.at,
        kind: e.kind,
        station: e.station,
        actor: e.actor,
        sessionCode: e.sessionCode,
        source: e.source,
        identityVerdict: e.identityVerdict,
        authenticityVerdict: e.authenticityVerdict,
        outcome: e.outcome,
        reasons: e.reasons,
        candidateNo: c?.candidateNo ?? null,
        candidateName: c?.fullName ?? null,
      };
    });
  }

  rosterPhoto(candidateId: number): string | null {
    const p = this.services.roster.photo(candidateId);
    return p ? dataUrl(p.mime, p.data) : null;
  }
}
