import type { Db } from './db';
import type { AuditLog } from './audit-log';
import type { SessionService } from './sessions';
import type { ReportCandidate, ReportFlaggedCheck, ReportModel, ReportLang } from './reports/model';
import type { Reason, ReportFormat } from '../../native/domain/vocabulary';
import { KioskError } from './errors';
import { findSeal, parseStatement } from './session-seal';
import { reportLabels } from './reports/labels';
import { checkInCondition, type CandidateRow, type CheckLogRow, type Nullable } from './rows';

/** Masks an ID number for print: only the last 5 digits stay readable. */
export function maskIdNumber(id: string): string {
  return id.length <= 5 ? id : '•'.repeat(id.length - 5) + id.slice(-5);
}

export class ReportService {
  constructor(
    private readonly db: Db,
    private readonly log: AuditLog,
    private readonly sessions: SessionService,
    private readonly timeZone: string,
  ) {}

  /**
   * Builds the attendance report of a session from the roster and the log. Candidates whose personal
   * data was purged (retention) keep their number, class and verdicts; their name reads as removed
   * in `lang`. A signed session's integrity block is its signed statement (head, signature, key).
   */
  build(sessionCode: string, now = new Date(), lang: ReportLang = 'vi'): ReportModel {
    const session = this.sessions.get(sessionCode);
    const redacted = reportLabels(lang).redacted;
    const candidates = this.db
      .prepare(
        `SELECT c.id, c.candidate_no, c.full_name, c.date_of_birth, c.id_number, c.licence_class, c.purged_at,
                l.at, l.actor, l.station, l.source, l.identity_verdict, l.authenticity_verdict
         FROM candidates c
         LEFT JOIN audit_log l ON l.id = (
           SELECT x.id FROM audit_log x WHERE x.session_code = @code AND x.candidate_id = c.id
             AND ${checkInCondition('x')} ORDER BY x.id LIMIT 1)
         WHERE c.session_id = @sid
         ORDER BY c.candidate_no`,
      )
      .all({ code: session.code, sid: session.id }) as (Pick<
      CandidateRow,
      'id' | 'candidate_no' | 'full_name' | 'date_of_birth' | 'id_number' | 'licence_class' | 'purged_at'
    > &
      Nullable<
        Pick<CheckLogRow, 'at' | 'actor' | 'station' | 'source' | 'identity_verdict' | 'authenticity_verdict'>
      >)[];
    const reportCandidates: ReportCandidate[] = candidates.map((c) => ({
      candidateNo: c.candidate_no,
      fullName: c.purged_at ? redacted : c.full_name,
      dateOfBirth: c.purged_at ? '' : c.date_of_birth,
      idNumberMasked: c.purged_at ? '' : maskIdNumber(c.id_number),
      licenceClass: c.licence_class ?? undefined,
      present: c.at !== null,
      checkedInAt: c.at ?? undefined,
      identityVerdict: c.identity_verdict ?? undefined,
      authenticityVerdict: c.authenticity_verdict ?? undefined,
      examiner: c.actor ?? undefined,
      station: c.station ?? undefined,
      source: c.source ?? undefined,
    }));

    const flaggedRows = this.db
      .prepare(
        `SELECT l.id, l.at, l.actor, l.station, l.source, l.identity_verdict, l.authenticity_verdict, l.outcome,
                l.reasons, c.candidate_no, c.full_name, c.purged_at
         FROM audit_log l LEFT JOIN candidates c ON c.id = l.candidate_id
         WHERE l.session_code = ? AND l.kind = 'check' AND l.outcome IN ('rejected', 'accepted_with_warnings')
         ORDER BY l.id`,
      )
      .all(session.code) as (Pick<
      CheckLogRow,
      | 'id'
      | 'at'
      | 'actor'
      | 'station'
      | 'source'
      | 'identity_verdict'
      | 'authenticity_verdict'
      | 'outcome'
      | 'reasons'
    > &
      Nullable<Pick<CandidateRow, 'candidate_no' | 'full_name' | 'purged_at'>>)[];
    const flagged: ReportFlaggedCheck[] = flaggedRows.map((f) => ({
      logId: f.id,
      at: f.at,
      examiner: f.actor,
      station: f.station,
      source: f.source,
      identityVerdict: f.identity_verdict,
      authenticityVerdict: f.authenticity_verdict,
      candidateNo: f.candidate_no ?? undefined,
      fullName: f.purged_at ? redacted : (f.full_name ?? undefined),
      reasons: JSON.parse(f.reasons) as Reason[],
    }));

    const examiners = (
      this.db
        .prepare(
          `SELECT actor, min(id) AS first FROM audit_log WHERE session_code = ? AND kind = 'check'
           GROUP BY actor ORDER BY first`,
        )
        .all(session.code) as { actor: string }[]
    ).map((r) => r.actor);

    const present = reportCandidates.filter((c) => c.present).length;
    const head = this.log.headEntry();
    const seal = session.state === 'signed' ? findSeal(this.db, session.id) : undefined;
    const sealed = seal ? parseStatement(seal.statement) : null;
    return {
      session: {
        code: session.code,
        council: session.council,
        date: session.date,
        location: session.location ?? undefined,
        licenceClasses: session.licenceClasses,
        state: session.state,
        signedAt: session.signedAt ?? undefined,
        signedBy: session.signedBy ?? undefined,
      },
      generatedAt: now.toISOString(),
      timeZone: this.timeZone,
      candidates: reportCandidates,
      flagged,
      examiners,
      totals: {
        candidates: reportCandidates.length,
        present,
        absent: reportCandidates.length - present,
        rejectedChecks: flaggedRows.filter((f) => f.outcome === 'rejected').length,
        warningChecks: flaggedRows.filter((f) => f.outcome === 'accepted_with_warnings').length,
      },
      integrity:
        seal && sealed
          ? {
              headHash: sealed.head.hash,
              entries: sealed.head.id,
              signature: seal.signature,
              publicKey: seal.publicKey,
              statement: seal.statement,
              keyFingerprint: seal.keyFingerprint,
            }
          : head
            ? { headHash: head.hash, entries: head.id }
            : undefined,
    };
  }

  async write(
    sessionCode: string,
    format: ReportFormat,
    out: string,
    lang: ReportLang = 'vi',
    now = new Date(),
  ): Promise<ReportModel> {
    const model = this.build(sessionCode, now, lang);
    // The writers pull in exceljs and pdfkit: load them only when a report is written.
    switch (format) {
      case 'csv':
        await (await import('./reports/csv')).writeReportCsv(model, out, { lang });
        break;
      case 'xlsx':
        await (await import('./reports/xlsx')).writeReportXlsx(model, out, { lang });
        break;
      case 'pdf':
        await (await import('./reports/pdf')).writeReportPdf(model, out, { lang });
        break;
      default:
        throw new KioskError('bad_format', {
          vi: `Định dạng báo cáo không hỗ trợ: ${String(format)}`,
          en: `Unsupported report format: ${String(format)}`,
        });
    }
    return model;
  }
}
