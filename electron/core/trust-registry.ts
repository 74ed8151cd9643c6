/**
 * The issuer registry: every issuer the station has seen on a chip read (the CSCA behind the document
 * signer certificate, named by the DS certificate's authority key identifier), with its country, first
 * and last sighting, how many chip reads it signed, the DS certificates seen, and the chair's decision:
 *
 *   seen      nothing decided: where no issuer is configured for the country the card is amber;
 *   approved  pinned: the approved DS certificates are trusted like an imported CSCA
 *             (TrustStore.pinIssuer), and from then on the country counts as configured, so a card
 *             from another unknown issuer of that country is red (`issuer_not_recognised`);
 *   blocked   every card it signed is red (`issuer_blocked`), whatever the trust store says.
 *
 * Every decision is an audit-log entry (`trust_changed`), in the same transaction as the change.
 * Certificate facts only: nothing here is personal data.
 */
import type { Db } from './db';
import type { AuditLog } from './audit-log';
import type { Actor } from './sessions';
import { KioskError } from './errors';
import type { TrustStore } from '../../native/icao/trust-store';
import type { IssuerObservation, IssuerTrust } from './trust-policy';

export type IssuerStatus = 'seen' | 'approved' | 'blocked';

export interface IssuerRecord {
  issuerId: string;
  /** Alpha-2, or null when neither the certificate nor the document said. */
  country: string | null;
  issuerDn: string;
  firstSeen: string;
  lastSeen: string;
  /** Chip reads signed under this issuer (a card read twice counts twice). */
  cards: number;
  status: IssuerStatus;
  statusBy: string | null;
  statusAt: string | null;
  /** DS certificates seen / approved (pinned). */
  documentSigners: number;
  approvedSigners: number;
}

export interface DocumentSignerRecord {
  fingerprint: string;
  issuerId: string;
  subject: string;
  der: Uint8Array;
  firstSeen: string;
  lastSeen: string;
  cards: number;
  approved: boolean;
}

/** The trust store's pinning interface (issue 9 contract, native/icao/trust-store.ts). */
export interface PinnedIssuer {
  issuerId: string;
  country: string;
  documentSigners: Uint8Array[];
}
interface PinnableStore {
  pinIssuer?: (p: PinnedIssuer) => void;
  blockIssuer?: (issuerId: string) => void;
}

interface IssuerRow {
  issuer_id: string;
  country: string | null;
  issuer_dn: string;
  first_seen: string;
  last_seen: string;
  cards: number;
  status: IssuerStatus;
  status_by: string | null;
  status_at: string | null;
  signers: number;
  approved_signers: number;
}

const ISSUER_SELECT = `
  SELECT i.issuer_id, i.country, i.issuer_dn, i.first_seen, i.last_seen, i.cards, i.status, i.status_by,
         i.status_at,
         (SELECT count(*) FROM trust_document_signers s WHERE s.issuer_id = i.issuer_id) AS signers,
         (SELECT count(*) FROM trust_document_signers s WHERE s.issuer_id = i.issuer_id AND s.approved = 1)
           AS approved_signers
  FROM trust_issuers i`;

function toRecord(r: IssuerRow): IssuerRecord {
  return {
    issuerId: r.issuer_id,
    country: r.country,
    issuerDn: r.issuer_dn,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    cards: r.cards,
    status: r.status,
    statusBy: r.status_by,
    statusAt: r.status_at,
    documentSigners: r.signers,
    approvedSigners: r.approved_signers,
  };
}

export function issuerNotFound(issuerId: string): KioskError {
  return new KioskError(
    'issuer_not_found',
    {
      vi: `Trạm chưa gặp cơ quan cấp "${issuerId}" trên chip nào.`,
      en: `No chip read on this station was signed by issuer "${issuerId}".`,
    },
    { issuerId },
  );
}

export class TrustRegistry {
  constructor(
    private readonly db: Db,
    private readonly log: AuditLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Records one chip read signed under `o` (call it inside the check's transaction). Returns the
   * issuer as now recorded.
   */
  observe(o: IssuerObservation, at = this.now().toISOString()): IssuerRecord {
    const country = o.issuerCountry ?? o.documentCountry ?? null;
    this.db
      .prepare(
        `INSERT INTO trust_issuers (issuer_id, country, issuer_dn, first_seen, last_seen, cards)
         VALUES (?, ?, ?, ?, ?, 1)
         ON CONFLICT (issuer_id) DO UPDATE SET last_seen = excluded.last_seen, cards = cards + 1,
           country = coalesce(trust_issuers.country, excluded.country)`,
      )
      .run(o.issuerId, country, o.issuerDn, at, at);
    const ds = o.documentSigner;
    this.db
      .prepare(
        `INSERT INTO trust_document_signers (fingerprint, issuer_id, subject_dn, der, first_seen, last_seen, cards)
         VALUES (?, ?, ?, ?, ?, ?, 1)
         ON CONFLICT (fingerprint) DO UPDATE SET last_seen = excluded.last_seen, cards = cards + 1`,
      )
      .run(ds.fingerprint, o.issuerId, ds.subject, Buffer.from(ds.der), at, at);
    return this.get(o.issuerId)!;
  }

  list(): IssuerRecord[] {
    return (
      this.db.prepare(`${ISSUER_SELECT} ORDER BY i.last_seen DESC, i.issuer_id`).all() as IssuerRow[]
    ).map(toRecord);
  }

  get(issuerId: string): IssuerRecord | undefined {
    const r = this.db.prepare(`${ISSUER_SELECT} WHERE i.issuer_id = ?`).get(issuerId) as
      IssuerRow | undefined;
    return r ? toRecord(r) : undefined;
  }

  /** Finds an issuer by its id, or by a unique prefix of it (ids are long hex strings). */
  resolve(idOrPrefix: string): IssuerRecord {
    const wanted = idOrPrefix.trim().toLowerCase().replace(/:/g, '');
    const exact = this.get(idOrPrefix.trim()) ?? this.get(wanted);
    if (exact) return exact;
    if (wanted.length >= 6) {
      const hits = this.list().filter((i) => i.issuerId.replace(/:/g, '').toLowerCase().startsWith(wanted));
      if (hits.length === 1) return hits[0]!;
    }
    throw issuerNotFound(idOrPrefix);
  }

  documentSigners(issuerId: string): DocumentSignerRecord[] {
    return (
      this.db
        .prepare(
          `SELECT fingerprint, issuer_id, subject_dn, der, first_seen, last_seen, cards, approved
           FROM trust_document_signers WHERE issuer_id = ? ORDER BY first_seen, fingerprint`,
        )
        .all(issuerId) as Array<{
        fingerprint: string;
        issuer_id: string;
        subject_dn: string;
        der: Buffer;
        first_seen: string;
        last_seen: string;
        cards: number;
        approved: number;
      }>
    ).map((r) => ({
      fingerprint: r.fingerprint,
      issuerId: r.issuer_id,
      subject: r.subject_dn,
      der: new Uint8Array(r.der),
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      cards: r.cards,
      approved: r.approved === 1,
    }));
  }

  /** The chair approves (pins) an issuer: the DS certificates seen so far under it are trusted. */
  approve(issuerId: string, by: Actor): IssuerRecord {
    return this.change(issuerId, 'approved', 'issuer_approved', by);
  }

  /** The chair blocks an issuer: every card it signed is rejected. */
  block(issuerId: string, by: Actor): IssuerRecord {
    return this.change(issuerId, 'blocked', 'issuer_blocked', by);
  }

  /** The chair lifts a block or an approval: the issuer is merely "seen" again. */
  unblock(issuerId: string, by: Actor): IssuerRecord {
    return this.change(issuerId, 'seen', 'issuer_unblocked', by);
  }

  private change(idOrPrefix: string, status: IssuerStatus, action: string, by: Actor): IssuerRecord {
    const tx = this.db.transaction(() => {
      const before = this.resolve(idOrPrefix);
      const at = this.now().toISOString();
      this.db
        .prepare('UPDATE trust_issuers SET status = ?, status_by = ?, status_at = ? WHERE issuer_id = ?')
        .run(status, by.actor, at, before.issuerId);
      // Approval pins the signers seen so far; a block or an unblock withdraws every pin.
      this.db
        .prepare('UPDATE trust_document_signers SET approved = ? WHERE issuer_id = ?')
        .run(status === 'approved' ? 1 : 0, before.issuerId);
      const after = this.get(before.issuerId)!;
      this.log.append({
        kind: 'trust_changed',
        ...by,
        details: {
          action,
          issuerId: after.issuerId,
          country: after.country,
          issuerDn: after.issuerDn,
          previousStatus: before.status,
          status: after.status,
          approvedSigners: this.documentSigners(after.issuerId)
            .filter((s) => s.approved)
            .map((s) => s.fingerprint),
        },
        at,
      });
      return after;
    });
    return tx.immediate();
  }

  /** Countries with an approved issuer. */
  approvedCountries(): Set<string> {
    return new Set(
      (
        this.db
          .prepare(
            "SELECT DISTINCT country FROM trust_issuers WHERE status = 'approved' AND country IS NOT NULL",
          )
          .all() as { country: string }[]
      ).map((r) => r.country),
    );
  }

  /**
   * Pins the approved issuers and blocks the blocked ones in `store` (the trust store a chip read
   * will use). A store without the contract's pinIssuer/blockIssuer (older native code) is left as
   * it is: the verification policy applies the registry itself (see trustFor).
   */
  applyTo(store: TrustStore): TrustStore {
    const s = store as TrustStore & PinnableStore;
    for (const i of this.list()) {
      if (i.status === 'blocked' && typeof s.blockIssuer === 'function') s.blockIssuer(i.issuerId);
      if (i.status === 'approved' && typeof s.pinIssuer === 'function') {
        const documentSigners = this.documentSigners(i.issuerId)
          .filter((d) => d.approved)
          .map((d) => d.der);
        if (documentSigners.length)
          s.pinIssuer({ issuerId: i.issuerId, country: i.country ?? '', documentSigners });
      }
    }
    return store;
  }

  /**
   * The trust facts for the policy: the registry's status of the issuer (after `observe`), whether this
   * DS certificate is pinned, whether the card's country has a configured issuer (a CA anchor in
   * `anchorCountries`, or an approved issuer in the registry).
   */
  trustFor(o: IssuerObservation, anchorCountries: ReadonlySet<string>): IssuerTrust {
    const rec = this.get(o.issuerId);
    const countries = [...new Set([o.documentCountry, o.issuerCountry].filter((c): c is string => !!c))];
    const approved = this.approvedCountries();
    const pinned = this.db
      .prepare('SELECT approved FROM trust_document_signers WHERE fingerprint = ? AND issuer_id = ?')
      .get(o.documentSigner.fingerprint, o.issuerId) as { approved: number } | undefined;
    return {
      issuerId: o.issuerId,
      countries,
      ...(rec ? { status: rec.status } : {}),
      pinnedSigner: rec?.status === 'approved' && pinned?.approved === 1,
      countryConfigured: countries.some((c) => anchorCountries.has(c) || approved.has(c)),
    };
  }

  /**
   * Countries of issuers seen on chips for which nothing is configured (no CA anchor, no approved
   * issuer): the chair's banner asks to configure one.
   */
  unconfiguredCountries(
    anchorCountries: ReadonlySet<string>,
  ): Array<{ country: string; issuers: number; cards: number }> {
    const approved = this.approvedCountries();
    const out = new Map<string, { country: string; issuers: number; cards: number }>();
    for (const i of this.list()) {
      if (i.status !== 'seen') continue;
      const c = i.country ?? '??';
      if (anchorCountries.has(c) || approved.has(c)) continue;
      const e = out.get(c) ?? { country: c, issuers: 0, cards: 0 };
      e.issuers++;
      e.cards += i.cards;
      out.set(c, e);
    }
    return [...out.values()].sort((a, b) => a.country.localeCompare(b.country));
  }
}
