import type { Db } from './db';
import type { AuditLog } from './audit-log';
import { notInState, type SessionService } from './sessions';
import type { Actor } from './actor';
import {
  verify,
  defaultPolicy,
  type RosterCandidate,
  type VerificationPolicy,
  type VerificationResult,
} from './verification';
import { notCheckedAuthenticity, type Reason } from '../../native/domain/vocabulary';
import type { CardReading } from '../../native/cccd/types';
import { parseCccdQr } from '../../native/cccd/qr';
import { PROVEN_BAD_CHAIN_CODES } from '../../native/icao/authenticity';
import { canonicalJson, sha256Hex } from './canonical';
import { storageError } from './errors';
import { observeIssuer, type ChipObservation, type IssuerTrust } from './trust-policy';
import type { TrustRegistry } from './trust-registry';
import { checkInCondition, type CandidateRow, type CheckLogRow, type Nullable } from './rows';

export interface CheckRecord extends VerificationResult {
  logId: number;
  at: string;
  source: 'qr' | 'chip';
  sessionCode: string;
}

export interface CheckOptions {
  policy?: VerificationPolicy;
  /** The centre's time zone, for "today" when checking expiry. */
  timeZone?: string;
  /** The issuer registry: every chip check records its issuer, and the chair's decisions apply. */
  registry?: TrustRegistry;
  /** Countries with a trusted CA anchor in the kiosk's trust store (see TrustFolderCountries). */
  trustCountries?: () => ReadonlySet<string>;
}

/** A check in the list of a session's latest checks (the check-in screen's "recent"). */
export interface RecentCheck {
  logId: number;
  at: string;
  source: 'qr' | 'chip' | null;
  outcome: CheckLogRow['outcome'];
  identityVerdict: CheckLogRow['identity_verdict'];
  authenticityVerdict: CheckLogRow['authenticity_verdict'] | null;
  candidateNo: string | null;
  fullName: string | null;
  actor: string;
  station: string;
}

/** What the verdict depends on besides the card and the roster, read at every check. */
export interface CheckSources {
  policy?: () => VerificationPolicy;
  trustCountries?: () => ReadonlySet<string>;
}

/** Non-personal details stored with a check (authenticity checks, APDU trace summary, ...). */
export type CheckDetails = Record<string, unknown>;

type RosterRow = Pick<
  CandidateRow,
  'id' | 'candidate_no' | 'full_name' | 'date_of_birth' | 'id_number' | 'licence_class' | 'sex'
>;

/**
 * Checks a card against a session's roster and logs the result, in one transaction: the verdict
 * that the examiner sees is exactly what is in the log, and two stations checking the same card at
 * once cannot both be accepted.
 */
export class CheckService {
  private readonly byId;
  private readonly otherSessions;
  private readonly prior;
  private readonly remotePrior;

  /** Where the policy and the countries with a trusted issuer come from (see useSources). */
  private sources: CheckSources;

  constructor(
    private readonly db: Db,
    private readonly log: AuditLog,
    private readonly sessions: SessionService,
    private readonly options: CheckOptions = {},
  ) {
    const { policy, trustCountries } = options;
    this.sources = {
      ...(policy ? { policy: () => policy } : {}),
      ...(trustCountries ? { trustCountries } : {}),
    };
    this.byId = db.prepare(
      `SELECT c.id, c.candidate_no, c.full_name, c.date_of_birth, c.id_number, c.licence_class, c.sex
       FROM candidates c WHERE c.session_id = ? AND c.id_number = ?`,
    );
    this.otherSessions = db.prepare(
      `SELECT DISTINCT s.code FROM candidates c JOIN exam_sessions s ON s.id = c.session_id
       WHERE c.id_number = ? AND s.id != ? ORDER BY s.exam_date DESC LIMIT 5`,
    );
    this.prior = db.prepare(
      `SELECT l.id, l.at, l.station, l.actor FROM audit_log l
       WHERE l.session_code = ? AND l.candidate_id = ? AND ${checkInCondition('l')}
       ORDER BY l.id LIMIT 1`,
    );
    // Check-ins made at other stations, pulled from the council server (electron/core/sync).
    this.remotePrior = db.prepare(
      `SELECT log_id, at, station_name FROM remote_checkins WHERE session_code = ? AND candidate_no = ?
       ORDER BY at, station_id LIMIT 1`,
    );
  }

  /**
   * For a host that keeps the policy and the trust folder elsewhere: the app reads the policy from the
   * station settings at every check (so switching "require chip" applies at once) and the countries
   * from its own trust folder. The CLI and the tests keep what they built the services with.
   */
  useSources(sources: CheckSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** Parses a QR text and checks it. Malformed QR texts are logged as `invalid_card_data`. */
  checkQr(sessionCode: string, qrText: string, by: Actor): CheckRecord {
    const parsed = parseCccdQr(qrText);
    if (parsed.ok) {
      return this.run(
        sessionCode,
        'qr',
        by,
        { qrForm: parsed.form },
        parsed.reading,
        undefined,
        parsed.warnings,
      );
    }
    return this.checkInvalid(sessionCode, 'qr', parsed.reason, by, {
      qrError: parsed.code,
      // A hash of what was scanned lets a chair match repeated attempts without storing the text.
      inputHash: sha256Hex(qrText),
    });
  }

  /**
   * Checks a reading. For a chip read, `chip` (the ChipReadResult, or anything with its EF.SOD and
   * authenticity details) names the issuer: it is recorded in the issuer registry and the trust policy
   * (configured country, pinned, blocked) applies to the verdict.
   */
  checkReading(
    sessionCode: string,
    reading: CardReading,
    by: Actor,
    details: CheckDetails = {},
    chip?: ChipObservation,
  ): CheckRecord {
    return this.run(sessionCode, reading.source, by, details, reading, undefined, [], chip);
  }

  /**
   * An ID number typed by the examiner: the card was not read, so only the number is the card's; the
   * name, date of birth and sex are the roster's. The examiner must compare photo, name and date of
   * birth by eye: the check always carries the `manual_entry` warning at least.
   */
  checkTyped(sessionCode: string, idNumber: string, by: Actor): CheckRecord {
    const session = this.sessions.get(sessionCode);
    const row = this.byId.get(session.id, idNumber) as RosterRow | undefined;
    const authenticity = notCheckedAuthenticity();
    authenticity.reasons.push(MANUAL_REASON);
    const reading: CardReading = {
      source: 'qr',
      idNumber,
      fullName: row?.full_name ?? '',
      dateOfBirth: row?.date_of_birth ?? '',
      ...(row?.sex ? { sex: row.sex } : {}),
      authenticity,
    };
    return this.checkReading(sessionCode, reading, by, { entry: 'manual' });
  }

  /** A session's latest checks, newest first, with the candidate's number and name. */
  recent(sessionCode: string, limit: number): RecentCheck[] {
    const rows = this.db
      .prepare(
        `SELECT l.id, l.at, l.source, l.outcome, l.identity_verdict, l.authenticity_verdict, l.actor, l.station,
                c.candidate_no, c.full_name
         FROM audit_log l LEFT JOIN candidates c ON c.id = l.candidate_id
         WHERE l.session_code = ? AND l.kind = 'check' ORDER BY l.id DESC LIMIT ?`,
      )
      .all(sessionCode, limit) as (Pick<
      CheckLogRow,
      'id' | 'at' | 'source' | 'outcome' | 'identity_verdict' | 'authenticity_verdict' | 'actor' | 'station'
    > &
      Nullable<Pick<CandidateRow, 'candidate_no' | 'full_name'>>)[];
    return rows.map((r) => ({
      logId: r.id,
      at: r.at,
      source: r.source,
      outcome: r.outcome,
      identityVerdict: r.identity_verdict,
      authenticityVerdict: r.authenticity_verdict,
      candidateNo: r.candidate_no,
      fullName: r.full_name,
      actor: r.actor,
      station: r.station,
    }));
  }

  checkInvalid(
    sessionCode: string,
    source: 'qr' | 'chip',
    reason: Reason,
    by: Actor,
    details: CheckDetails = {},
  ): CheckRecord {
    return this.run(sessionCode, source, by, details, null, reason);
  }

  private run(
    sessionCode: string,
    source: 'qr' | 'chip',
    by: Actor,
    details: CheckDetails,
    reading: CardReading | null,
    invalidReason: Reason | undefined,
    readingWarnings: Reason[] = [],
    chip?: ChipObservation,
  ): CheckRecord {
    const session = this.sessions.get(sessionCode);
    const issuer = reading?.source === 'chip' ? observeIssuer(chip) : undefined;
    if (session.state !== 'open') throw notInState(session, 'open');
    const today = localDate(new Date(), this.options.timeZone ?? 'Asia/Ho_Chi_Minh');
    const tx = this.db.transaction(() => {
      let candidate: RosterCandidate | null = null;
      let otherSessions: string[] = [];
      let prior = null;
      if (reading) {
        const row = this.byId.get(session.id, reading.idNumber) as RosterRow | undefined;
        if (row) {
          candidate = {
            id: row.id,
            sessionCode: session.code,
            candidateNo: row.candidate_no,
            fullName: row.full_name,
            dateOfBirth: row.date_of_birth,
            idNumber: row.id_number,
            licenceClass: row.licence_class,
            sex: row.sex,
          };
          const p = this.prior.get(session.code, row.id) as
            { id: number; at: string; station: string; actor: string } | undefined;
          prior = p ? { logId: p.id, at: p.at, station: p.station, actor: p.actor } : null;
          if (!prior) {
            const q = this.remotePrior.get(session.code, row.candidate_no) as
              { log_id: number; at: string; station_name: string } | undefined;
            if (q) prior = { logId: q.log_id, at: q.at, station: q.station_name, actor: '', remote: true };
          }
        } else {
          otherSessions = (this.otherSessions.all(reading.idNumber, session.id) as { code: string }[]).map(
            (x) => x.code,
          );
        }
      }
      let issuerTrust: IssuerTrust | undefined;
      if (issuer) {
        const anchors = this.sources.trustCountries?.() ?? new Set<string>();
        const registry = this.options.registry;
        if (registry) {
          // Only a DS whose key really signed this SOD, and whose chain is not proven bad (a key
          // that is not the pinned issuer's, a country that is not the document's ...), is an issuer
          // worth remembering: a forger's sighting must not become a fact the chair approves.
          if (sightingWorthRecording(reading!)) registry.observe(issuer);
          issuerTrust = registry.trustFor(issuer, anchors);
        } else {
          const countries = [issuer.documentCountry, issuer.issuerCountry].filter((c): c is string => !!c);
          issuerTrust = {
            issuerId: issuer.issuerId,
            countries,
            pinnedSigner: false,
            countryConfigured: countries.some((c) => anchors.has(c)),
          };
        }
      }
      const result = verify({
        reading,
        invalidReason,
        session: { code: session.code, date: session.date },
        candidate,
        otherSessions,
        priorCheckIn: prior,
        today,
        policy: this.sources.policy?.() ?? defaultPolicy,
        readingWarnings,
        ...(issuerTrust ? { issuerTrust } : {}),
      });
      const entry = this.log.append({
        kind: 'check',
        ...by,
        sessionCode: session.code,
        source,
        identityVerdict: result.identity.verdict,
        authenticityVerdict: result.authenticity.verdict,
        outcome: result.outcome,
        reasons: result.identity.reasons,
        candidateId: candidate?.id ?? null,
        cardHash: reading ? cardHash(reading) : null,
        details: {
          ...details,
          authenticityChecks: result.authenticity.checks,
          ...(issuer
            ? {
                issuer: {
                  id: issuer.issuerId,
                  country: issuer.issuerCountry ?? null,
                  documentCountry: issuer.documentCountry ?? null,
                  status: issuerTrust?.status ?? null,
                  countryConfigured: issuerTrust?.countryConfigured ?? false,
                },
              }
            : {}),
        },
      });
      return { ...result, logId: entry.id, at: entry.at, source, sessionCode: session.code };
    });
    try {
      return tx.immediate();
    } catch (err) {
      throw storageError(err);
    }
  }
}

/** The warning of a check from a typed ID number (checkTyped). */
const MANUAL_REASON: Reason = {
  code: 'manual_entry',
  severity: 'warning',
  vi: 'Nhập tay số CCCD: thẻ chưa được đọc. Hãy đối chiếu ảnh, họ tên và ngày sinh trên thẻ bằng mắt.',
  en: 'ID number typed by hand: the card was not read. Compare the photo, name and date of birth on the card by eye.',
};

/** Chain failures that still name a real issuer: blocked is the chair's decision, not a forgery. */
const SIGHTING_OK = new Set(['issuer_blocked']);

/** A chip read whose SOD signature verified and whose chain is not proven bad. */
function sightingWorthRecording(reading: CardReading): boolean {
  const a = reading.authenticity;
  if (a.checks.signature !== 'pass') return false;
  return !a.reasons.some(
    (r) =>
      r.severity === 'error' &&
      (PROVEN_BAD_CHAIN_CODES.has(r.code) || r.code === 'ds_certificate_invalid') &&
      !SIGHTING_OK.has(r.code),
  );
}

/** A hash of the card data: links repeated reads of one card without storing it in the log. */
export function cardHash(reading: CardReading): string {
  const { photo, authenticity: _a, ...data } = reading;
  return sha256Hex(canonicalJson({ ...data, photo: photo ? sha256Hex(photo.data) : undefined }));
}

/** The calendar date (yyyy-mm-dd) at `tz`. */
export function localDate(d: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
    .formatToParts(d)
    .reduce<Record<string, string>>((acc, p) => ((acc[p.type] = p.value), acc), {});
  return `${parts.year}-${parts.month}-${parts.day}`;
}
