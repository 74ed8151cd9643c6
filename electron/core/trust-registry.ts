/**
 * The issuer registry: every issuer the station has seen on a chip read (the CSCA behind the document
 * signer certificate), grouped for display by the DS certificate's authority key identifier (the
 * issuerId), with first and last sighting, how many chip reads it signed, the DS certificates seen,
 * and the chair's decision:
 *
 *   seen      nothing decided: where no issuer is configured for the country the card is amber;
 *   approved  pinned: the issuer's public KEY (recovered from the ECDSA signatures of its DS
 *             certificates, native/icao/key-recovery) is trusted like an imported CSCA
 *             (TrustStore.pinIssuer), with the issuer's country; a later DS signed by that key (a
 *             rotation) passes with no new approval; for an RSA issuer (no key recovery) the chosen DS
 *             certificates themselves are pinned. From then on the country counts as configured, so a
 *             card from another unknown issuer of that country is red (`issuer_not_recognised`);
 *   blocked   every card it signed is red (`issuer_blocked`), whatever the trust store says: the block
 *             applies to every id the registry knows for the issuer (AKI, name id, recovered keys).
 *
 * The issuerId is not an identity: a forger copies the genuine issuer's AKI (public in every SOD) into
 * its own DS. So the facts (issuer DN, country, recovered keys) are kept per DS certificate, an issuer
 * id whose DS certificates do not share one recovered key, or disagree on issuer DN or country, is in
 * CONFLICT, and approving it needs the chair to name the DS to trust (`signers`). A sighting never
 * changes a pin: pins are written by an approval only.
 *
 * Every decision is an audit-log entry (`trust_changed`), in the same transaction as the change.
 * Certificate facts only: nothing here is personal data.
 */
import { createHash } from 'node:crypto';
import type { Db } from './db';
import type { AuditLog } from './audit-log';
import type { Actor } from './actor';
import { KioskError } from './errors';
import type { TrustStore } from '../../native/icao/trust-store';
import { recoverIssuerKeys, spkiHex } from '../../native/icao/key-recovery';
import { verifySignature } from '../../native/icao/signature';
import type { Certificate } from '@peculiar/asn1-x509';
import { issuerNameId, isSignedBy, parseCertificate, subjectNameId } from '../../native/icao/x509';
import type { IssuerObservation, IssuerTrust } from './trust-policy';
import type { IssuerStatus } from '../../native/domain/vocabulary';
import type { IssuerDTO, SignerGroupDTO } from '../shared/ipc-contract';

/** DS certificates under one issuer id that can be one issuer (the record the UI shows, too). */
export type SignerGroup = SignerGroupDTO;

/** An issuer as the registry keeps it: exactly what the trust screen shows (IssuerDTO). */
export type IssuerRecord = IssuerDTO;

export interface DocumentSignerRecord {
  fingerprint: string;
  issuerId: string;
  subject: string;
  issuerDn: string;
  issuerCountry: string | null;
  documentCountry: string | null;
  der: Uint8Array;
  /** Candidate issuer keys recovered from the signature (SPKI DER hex); empty for RSA. */
  issuerKeys: string[];
  firstSeen: string;
  lastSeen: string;
  cards: number;
  approved: boolean;
}

export interface ApproveOptions {
  /** DS fingerprints (or unique prefixes of 6+ hex digits) to trust; needed when the issuer is in conflict. */
  signers?: string[];
}

/** The trust store's pinning interface (issue 9 contract, native/icao/trust-store.ts). */
interface PinnableStore {
  pinIssuer?: (p: {
    issuerId: string;
    country: string;
    publicKeys?: Uint8Array[];
    documentSigners?: Uint8Array[];
  }) => void;
  blockIssuer?: (issuerId: string) => void;
  blockKey?: (spki: Uint8Array) => void;
}

interface IssuerRow {
  issuer_id: string;
  first_seen: string;
  last_seen: string;
  cards: number;
  status: IssuerStatus;
  status_by: string | null;
  status_at: string | null;
  pin_country: string | null;
}

interface SignerRow {
  fingerprint: string;
  issuer_id: string;
  subject_dn: string;
  issuer_dn: string;
  issuer_country: string | null;
  document_country: string | null;
  der: Buffer;
  issuer_keys: string;
  first_seen: string;
  last_seen: string;
  cards: number;
}

interface PinRow {
  issuer_id: string;
  kind: 'key' | 'signer';
  value: string;
  der: Buffer;
}

const sha256 = (hexOrBytes: string | Uint8Array): string =>
  createHash('sha256')
    .update(typeof hexOrBytes === 'string' ? Buffer.from(hexOrBytes, 'hex') : hexOrBytes)
    .digest('hex');

/** Issuer ids are stored in lower case (passive authentication reports the AKI in upper case). */
export function normalizeIssuerId(issuerId: string): string {
  return issuerId.trim().toLowerCase();
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

function describeGroups(groups: SignerGroup[]): string {
  return groups
    .map(
      (g, i) =>
        `${i + 1}) ${g.country ?? '??'} "${g.issuerDn}", ${g.cards} thẻ/cards, DS ${g.signers.map((f) => f.slice(0, 12)).join(', ')}`,
    )
    .join('; ');
}

/** The issuer's DS certificates cannot all be one issuer: the chair must name the DS to trust. */
function issuerConflict(issuerId: string, groups: SignerGroup[]): KioskError {
  return new KioskError(
    'issuer_conflict',
    {
      vi:
        `Dưới mã cơ quan cấp "${issuerId}" có chứng thư người ký (DS) của nhiều khóa, tên hoặc quốc gia khác nhau ` +
        `(có thể là thẻ giả mang mã của cơ quan thật): ${describeGroups(groups)}. ` +
        'Hãy chọn DS cần tin cậy bằng --signer <dấu vân tay SHA-256> sau khi đối chiếu với thẻ thật.',
      en:
        `Issuer "${issuerId}" has document signer (DS) certificates of different keys, names or countries ` +
        `(possibly a forged card carrying the genuine issuer's id): ${describeGroups(groups)}. ` +
        'Name the DS to trust with --signer <SHA-256 fingerprint> after checking it against a genuine card.',
    },
    { issuerId, conflict: groups },
  );
}

function signerNotFound(issuerId: string, signer: string): KioskError {
  return new KioskError(
    'signer_not_found',
    {
      vi: `Không có chứng thư người ký "${signer}" (duy nhất) dưới cơ quan cấp "${issuerId}".`,
      en: `No (unique) document signer "${signer}" under issuer "${issuerId}".`,
    },
    { issuerId, signer },
  );
}

function countryUnknown(issuerId: string): KioskError {
  return new KioskError(
    'issuer_country_unknown',
    {
      vi: `Không xác định được quốc gia của cơ quan cấp "${issuerId}": không thể phê duyệt.`,
      en: `The country of issuer "${issuerId}" is not known: it cannot be approved.`,
    },
    { issuerId },
  );
}

function toSigner(r: SignerRow): Omit<DocumentSignerRecord, 'approved'> {
  return {
    fingerprint: r.fingerprint,
    issuerId: r.issuer_id,
    subject: r.subject_dn,
    issuerDn: r.issuer_dn,
    issuerCountry: r.issuer_country,
    documentCountry: r.document_country,
    der: new Uint8Array(r.der),
    issuerKeys: JSON.parse(r.issuer_keys) as string[],
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    cards: r.cards,
  };
}

type Signer = Omit<DocumentSignerRecord, 'approved'>;

const signerCountry = (s: Signer): string | null => s.issuerCountry ?? s.documentCountry;

/**
 * Partitions DS certificates into groups that can be one issuer: connected by a shared recovered key,
 * with one issuer DN and country. An RSA DS (no recovered key) is a group of its own.
 */
function groupSigners(signers: Signer[]): Array<{ signers: Signer[]; keys: string[] }> {
  const parent = signers.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < signers.length; i++)
    for (let j = i + 1; j < signers.length; j++) {
      const a = signers[i]!;
      const b = signers[j]!;
      if (a.issuerDn !== b.issuerDn || signerCountry(a) !== signerCountry(b)) continue;
      if (a.issuerKeys.some((k) => b.issuerKeys.includes(k))) parent[find(i)] = find(j);
    }
  const groups = new Map<number, Signer[]>();
  signers.forEach((s, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), s]);
  });
  return [...groups.values()].map((members) => ({
    signers: members,
    keys: members.reduce<string[]>(
      (acc, s, i) => (i === 0 ? [...s.issuerKeys] : acc.filter((k) => s.issuerKeys.includes(k))),
      [],
    ),
  }));
}

function groupFacts(g: { signers: Signer[]; keys: string[] }): SignerGroup {
  const first = g.signers[0]!;
  return {
    issuerKey: g.keys.length === 1 ? sha256(g.keys[0]!) : null,
    issuerDn: first.issuerDn,
    country: signerCountry(first),
    signers: g.signers.map((s) => s.fingerprint),
    cards: g.signers.reduce((n, s) => n + s.cards, 0),
    firstSeen: g.signers.map((s) => s.firstSeen).sort()[0]!,
    lastSeen: g.signers
      .map((s) => s.lastSeen)
      .sort()
      .at(-1)!,
  };
}

/** Whether `dsDer` is signed under the public key `spkiDer` (unsupported: no). */
function signedUnder(dsDer: Uint8Array, spkiDer: Uint8Array): boolean {
  try {
    const { cert } = parseCertificate(dsDer);
    if (!cert.tbsCertificateRaw) return false;
    return verifySignature(
      spkiDer,
      cert.signatureAlgorithm,
      new Uint8Array(cert.tbsCertificateRaw),
      new Uint8Array(cert.signatureValue),
    );
  } catch {
    return false;
  }
}

/** Whether the trusted certificate `anchor` verifies `cert` (unsupported: no). */
function signedByAnchor(cert: Certificate, anchor: Certificate): boolean {
  try {
    return isSignedBy(cert, anchor);
  } catch {
    return false;
  }
}

export class TrustRegistry {
  constructor(
    private readonly db: Db,
    private readonly log: AuditLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Records one chip read signed under `o` (call it inside the check's transaction, and only for a
   * read whose SOD signature verified and whose chain is not proven bad). The DS certificate's own
   * facts are stored with it; nothing an approval pinned changes. Returns the issuer as now recorded.
   */
  observe(observation: IssuerObservation, at = this.now().toISOString()): IssuerRecord {
    const o = { ...observation, issuerId: normalizeIssuerId(observation.issuerId) };
    this.db
      .prepare(
        `INSERT INTO trust_issuers (issuer_id, first_seen, last_seen, cards) VALUES (?, ?, ?, 1)
         ON CONFLICT (issuer_id) DO UPDATE SET last_seen = excluded.last_seen, cards = cards + 1`,
      )
      .run(o.issuerId, at, at);
    const ds = o.documentSigner;
    const known = this.db
      .prepare('SELECT 1 FROM trust_document_signers WHERE fingerprint = ?')
      .get(ds.fingerprint);
    if (known) {
      this.db
        .prepare(
          `UPDATE trust_document_signers SET last_seen = ?, cards = cards + 1,
             document_country = coalesce(document_country, ?)
           WHERE fingerprint = ?`,
        )
        .run(at, o.documentCountry ?? null, ds.fingerprint);
    } else {
      const keys = recoverIssuerKeys(ds.der).map((k) => spkiHex(k.spki));
      this.db
        .prepare(
          `INSERT INTO trust_document_signers (fingerprint, issuer_id, subject_dn, issuer_dn, issuer_country,
             document_country, der, issuer_keys, first_seen, last_seen, cards)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
        )
        .run(
          ds.fingerprint,
          o.issuerId,
          ds.subject,
          o.issuerDn,
          o.issuerCountry ?? null,
          o.documentCountry ?? null,
          Buffer.from(ds.der),
          JSON.stringify(keys),
          at,
          at,
        );
    }
    return this.get(o.issuerId)!;
  }

  private rows(issuerId?: string): IssuerRow[] {
    return (
      issuerId === undefined
        ? this.db.prepare('SELECT * FROM trust_issuers ORDER BY last_seen DESC, issuer_id').all()
        : this.db.prepare('SELECT * FROM trust_issuers WHERE issuer_id = ?').all(issuerId)
    ) as IssuerRow[];
  }

  private signers(issuerId: string): Signer[] {
    return (
      this.db
        .prepare('SELECT * FROM trust_document_signers WHERE issuer_id = ? ORDER BY first_seen, fingerprint')
        .all(issuerId) as SignerRow[]
    ).map(toSigner);
  }

  private pins(issuerId?: string): PinRow[] {
    return (
      issuerId === undefined
        ? this.db.prepare('SELECT * FROM trust_issuer_pins ORDER BY issuer_id, kind, value').all()
        : this.db
            .prepare('SELECT * FROM trust_issuer_pins WHERE issuer_id = ? ORDER BY kind, value')
            .all(issuerId)
    ) as PinRow[];
  }

  /** Whether an approval of `issuerId` (its pins `pins`) covers the DS `s`. */
  private static covers(pins: PinRow[], s: { fingerprint: string; issuerKeys: string[] }): boolean {
    return pins.some((p) =>
      p.kind === 'signer' ? p.value === s.fingerprint : s.issuerKeys.includes(p.value),
    );
  }

  private toRecord(r: IssuerRow): IssuerRecord {
    const signers = this.signers(r.issuer_id);
    const pins = r.status === 'approved' ? this.pins(r.issuer_id) : [];
    const groups = groupSigners(signers).map(groupFacts);
    groups.sort((a, b) => b.cards - a.cards || a.firstSeen.localeCompare(b.firstSeen));
    const covered = signers.filter((s) => TrustRegistry.covers(pins, s));
    const pinnedGroup = covered.length
      ? groups.find((g) => g.signers.includes(covered[0]!.fingerprint))
      : undefined;
    const shown = pinnedGroup ?? groups[0];
    return {
      issuerId: r.issuer_id,
      country: r.status === 'approved' && r.pin_country ? r.pin_country : (shown?.country ?? null),
      issuerDn: shown?.issuerDn ?? '',
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      cards: r.cards,
      status: r.status,
      statusBy: r.status_by,
      statusAt: r.status_at,
      documentSigners: signers.length,
      approvedSigners: covered.length,
      pinnedKeys: pins.filter((p) => p.kind === 'key').map((p) => sha256(p.value)),
      conflict: groups.length > 1 ? groups : null,
    };
  }

  list(): IssuerRecord[] {
    return this.rows().map((r) => this.toRecord(r));
  }

  get(issuerId: string): IssuerRecord | undefined {
    const r = this.rows(issuerId)[0];
    return r ? this.toRecord(r) : undefined;
  }

  /** Finds an issuer by its id, or by a unique prefix of it (ids are long hex strings). */
  resolve(idOrPrefix: string): IssuerRecord {
    const wanted = idOrPrefix.trim().toLowerCase().replace(/:/g, '');
    const exact = this.get(idOrPrefix.trim()) ?? this.get(wanted);
    if (exact) return exact;
    if (wanted.length >= 6) {
      const hits = (this.db.prepare('SELECT issuer_id FROM trust_issuers').all() as { issuer_id: string }[])
        .map((r) => r.issuer_id)
        .filter((id) => id.replace(/:/g, '').toLowerCase().startsWith(wanted));
      if (hits.length === 1) return this.get(hits[0]!)!;
    }
    throw issuerNotFound(idOrPrefix);
  }

  documentSigners(issuerId: string): DocumentSignerRecord[] {
    const status = this.rows(issuerId)[0]?.status;
    const pins = status === 'approved' ? this.pins(issuerId) : [];
    return this.signers(issuerId).map((s) => ({ ...s, approved: TrustRegistry.covers(pins, s) }));
  }

  /**
   * The chair approves (pins) an issuer: its KEY (the key its DS certificates share, recovered from
   * their signatures), or for an RSA issuer the DS certificate itself. An issuer in conflict (DS
   * certificates of different keys, names or countries under its id) is refused unless `signers`
   * names the DS to trust; the pin then covers that DS's group only.
   */
  approve(issuerId: string, by: Actor, options: ApproveOptions = {}): IssuerRecord {
    return this.change(issuerId, 'approved', 'issuer_approved', by, options);
  }

  /** The chair blocks an issuer: every card it signed is rejected (by its ids and its keys). */
  block(issuerId: string, by: Actor): IssuerRecord {
    return this.change(issuerId, 'blocked', 'issuer_blocked', by);
  }

  /** The chair lifts a block or an approval: the issuer is merely "seen" again. */
  unblock(issuerId: string, by: Actor): IssuerRecord {
    return this.change(issuerId, 'seen', 'issuer_unblocked', by);
  }

  /** What an approval pins: the key(s) or DS certificates, and the country. Throws when ambiguous. */
  private planPins(
    issuerId: string,
    options: ApproveOptions,
  ): {
    country: string;
    pins: Array<{ kind: 'key' | 'signer'; value: string; der: Uint8Array }>;
    chosen: string[];
  } {
    const signers = this.signers(issuerId);
    if (!signers.length) throw issuerNotFound(issuerId);
    const groups = groupSigners(signers);
    let group: { signers: Signer[]; keys: string[] };
    if (options.signers?.length) {
      const chosen = options.signers.map((prefix) => {
        const want = prefix
          .trim()
          .toLowerCase()
          .replace(/[^0-9a-f]/g, '');
        const hits = want.length >= 6 ? signers.filter((s) => s.fingerprint.startsWith(want)) : [];
        if (hits.length !== 1) throw signerNotFound(issuerId, prefix);
        return hits[0]!;
      });
      const hit = groups.filter((g) => chosen.some((c) => g.signers.includes(c)));
      if (hit.length !== 1) throw issuerConflict(issuerId, hit.map(groupFacts));
      // RSA: exactly the DS certificates the chair named; EC: the key the whole group shares.
      group = hit[0]!.keys.length ? hit[0]! : { signers: chosen, keys: [] };
    } else {
      if (groups.length > 1) throw issuerConflict(issuerId, groups.map(groupFacts));
      group = groups[0]!;
    }
    const first = group.signers[0]!;
    const country = first.issuerCountry ?? first.documentCountry;
    if (!country || (first.documentCountry && first.documentCountry !== country))
      throw countryUnknown(issuerId);
    const pins = group.keys.length
      ? group.keys.map((k) => ({
          kind: 'key' as const,
          value: k,
          der: new Uint8Array(Buffer.from(k, 'hex')),
        }))
      : group.signers.map((s) => ({ kind: 'signer' as const, value: s.fingerprint, der: s.der }));
    return { country, pins, chosen: group.signers.map((s) => s.fingerprint) };
  }

  private change(
    idOrPrefix: string,
    status: IssuerStatus,
    action: string,
    by: Actor,
    options: ApproveOptions = {},
  ): IssuerRecord {
    const tx = this.db.transaction(() => {
      const before = this.resolve(idOrPrefix);
      const at = this.now().toISOString();
      const plan = status === 'approved' ? this.planPins(before.issuerId, options) : undefined;
      this.db
        .prepare(
          'UPDATE trust_issuers SET status = ?, status_by = ?, status_at = ?, pin_country = ? WHERE issuer_id = ?',
        )
        .run(status, by.actor, at, plan?.country ?? null, before.issuerId);
      // An approval replaces the pins; a block or an unblock withdraws every pin.
      this.db.prepare('DELETE FROM trust_issuer_pins WHERE issuer_id = ?').run(before.issuerId);
      const insert = this.db.prepare(
        'INSERT INTO trust_issuer_pins (issuer_id, kind, value, der) VALUES (?, ?, ?, ?)',
      );
      for (const p of plan?.pins ?? []) insert.run(before.issuerId, p.kind, p.value, Buffer.from(p.der));
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
          ...(plan
            ? {
                chosenSigners: plan.chosen,
                pinnedKeys: plan.pins.filter((p) => p.kind === 'key').map((p) => sha256(p.value)),
              }
            : {}),
          ...(before.conflict ? { conflictGroups: before.conflict.length } : {}),
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
            "SELECT DISTINCT pin_country FROM trust_issuers WHERE status = 'approved' AND pin_country IS NOT NULL",
          )
          .all() as { pin_country: string }[]
      ).map((r) => r.pin_country),
    );
  }

  /** Every id and key a block of `issuerId` stands for: the AKI id, the DS issuers' name ids, recovered keys. */
  private blockedIds(issuerId: string, store?: TrustStore): { ids: Set<string>; keys: Set<string> } {
    const ids = new Set([issuerId]);
    const keys = new Set<string>();
    for (const s of this.signers(issuerId)) {
      try {
        const { cert } = parseCertificate(s.der);
        // A DS's issuer NAME is the forger's to choose: a forger's CSCA named like a trusted CSCA must
        // not make a block of the forger's issuer block the trusted CSCA (every genuine card red). The
        // name id is blocked only when no trusted CSCA of that name exists, or one of them signed it.
        const nameId = issuerNameId(cert);
        const sameName = (store?.issuersOf(cert) ?? []).filter((a) => subjectNameId(a.cert) === nameId);
        if (!sameName.length || sameName.some((a) => signedByAnchor(cert, a.cert))) ids.add(nameId);
      } catch {
        // an unreadable certificate names nothing more
      }
      for (const k of s.issuerKeys) keys.add(k);
    }
    return { ids, keys };
  }

  /**
   * Pins the approved issuers and blocks the blocked ones in `store` (the trust store a chip read
   * will use). A store without the contract's pinIssuer/blockIssuer (older native code) is left as
   * it is: the verification policy applies the registry itself (see trustFor).
   */
  /**
   * Changes whenever a decision changes what applyTo gives (approve, block, unblock, pins), so a cached
   * station trust store is built again; sightings do not change it.
   */
  generation(): string {
    const row = this.db
      .prepare(
        `SELECT
           (SELECT group_concat(issuer_id || ':' || status || ':' || coalesce(status_at, '') || ':' || coalesce(pin_country, ''), ',')
              FROM trust_issuers WHERE status != 'seen' OR status_at IS NOT NULL) AS decisions,
           (SELECT count(*) || ':' || coalesce(max(rowid), 0) FROM trust_issuer_pins) AS pins`,
      )
      .get() as { decisions: string | null; pins: string };
    return `${row.decisions ?? ''}/${row.pins}`;
  }

  applyTo(store: TrustStore): TrustStore {
    const s = store as TrustStore & PinnableStore;
    for (const r of this.rows()) {
      if (r.status === 'blocked') {
        const { ids, keys } = this.blockedIds(r.issuer_id, store);
        if (typeof s.blockIssuer === 'function') for (const id of ids) s.blockIssuer(id);
        if (typeof s.blockKey === 'function')
          for (const k of keys) s.blockKey(new Uint8Array(Buffer.from(k, 'hex')));
      }
      if (r.status === 'approved' && r.pin_country && typeof s.pinIssuer === 'function') {
        const pins = this.pins(r.issuer_id);
        const publicKeys = pins.filter((p) => p.kind === 'key').map((p) => new Uint8Array(p.der));
        const documentSigners = pins.filter((p) => p.kind === 'signer').map((p) => new Uint8Array(p.der));
        if (publicKeys.length || documentSigners.length)
          s.pinIssuer({ issuerId: r.issuer_id, country: r.pin_country, publicKeys, documentSigners });
      }
    }
    return store;
  }

  /**
   * The trust facts for the policy: the registry's status of the issuer (after `observe`), whether an
   * approval covers this DS certificate (signed under a pinned key, or pinned itself, for the
   * document's country), whether the card's country has a configured issuer (a CA anchor in
   * `anchorCountries`, or an approved issuer). The card's country is the document's; when it is
   * unknown, any configured issuer counts (the forger's DS must not pick it).
   */
  trustFor(observation: IssuerObservation, anchorCountries: ReadonlySet<string>): IssuerTrust {
    const o = { ...observation, issuerId: normalizeIssuerId(observation.issuerId) };
    const rec = this.get(o.issuerId);
    const approved = this.approvedCountries();
    const doc = o.documentCountry;
    const countries = doc ? [doc] : o.issuerCountry ? [o.issuerCountry] : [];
    const countryConfigured = doc
      ? anchorCountries.has(doc) || approved.has(doc)
      : anchorCountries.size > 0 || approved.size > 0;
    const der = o.documentSigner.der;
    const pinnedSigner = this.rows()
      .filter((r) => r.status === 'approved' && r.pin_country && (!doc || r.pin_country === doc))
      .some((r) =>
        this.pins(r.issuer_id).some((p) =>
          p.kind === 'signer'
            ? p.value === o.documentSigner.fingerprint && r.issuer_id === o.issuerId
            : signedUnder(der, new Uint8Array(p.der)),
        ),
      );
    const blockedByKey = this.rows()
      .filter((r) => r.status === 'blocked')
      .some((r) =>
        [...this.blockedIds(r.issuer_id).keys].some((k) =>
          signedUnder(der, new Uint8Array(Buffer.from(k, 'hex'))),
        ),
      );
    const status = blockedByKey ? 'blocked' : rec?.status;
    return {
      issuerId: o.issuerId,
      countries,
      ...(status ? { status } : {}),
      pinnedSigner,
      countryConfigured,
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
