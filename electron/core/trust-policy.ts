/**
 * Who signed a chip, as the trust policy sees it: the issuer of the document signer (DS) certificate
 * (its authority key identifier), the issuer's country, the document's issuing state, and whether the
 * station's chair has configured an issuer for that country.
 *
 * The contract (issue 9) has passive authentication report these itself (`chain.issuerId`,
 * `issuerCountry`, `documentCountry`, `documentSignerFingerprint`, `documentSignerDer`), and the
 * authenticity report may pass them on in its `details`. Until then, and for any caller that does not
 * pass them, `observeIssuer` takes them from EF.SOD itself: the DS certificate is in the SOD (a public
 * certificate, never personal data). Nothing here reads or returns personal data.
 */
import countries from 'i18n-iso-countries';
import { parseSod } from '../../native/icao/sod';
import {
  issuerIdOf as certificateIssuerId,
  fingerprint,
  nameToString,
  parseCertificate,
} from '../../native/icao/x509';
import type { TrustStore } from '../../native/icao/trust-store';
import type { IssuerStatus } from '../../native/domain/vocabulary';

/** An issuer seen on a chip read (no personal data: certificate facts only). */
export interface IssuerObservation {
  /** Hex authority key identifier of the DS certificate; else 'name:' + sha256(issuer DN DER) (40 hex). */
  issuerId: string;
  /** Alpha-2 country of the DS certificate's issuer (its C attribute), upper case. */
  issuerCountry?: string;
  /** Alpha-2 issuing state of the document (DG1), upper case. */
  documentCountry?: string;
  /** Issuer DN of the DS certificate (the CSCA's name). */
  issuerDn: string;
  documentSigner: { fingerprint: string; subject: string; der: Uint8Array };
}

/**
 * What the check path may know about a chip read, structurally: a ChipReadResult fits (its files,
 * the authenticity report with details, the document's issuing state), so does a stored read.
 */
export interface ChipObservation {
  files?: ReadonlyMap<string, Uint8Array>;
  authenticity?: { details?: object };
  document?: { issuingState?: string };
}

/** The trust facts the verification policy needs for one chip read. */
export interface IssuerTrust {
  issuerId?: string;
  /** The card's country: the document's issuing state; the DS issuer's country only when that is unknown. */
  countries: string[];
  /** Registry status of the issuer. */
  status?: IssuerStatus;
  /** An approval covers this DS certificate: it is signed under a pinned issuer key (or pinned itself, RSA). */
  pinnedSigner: boolean;
  /**
   * A trusted CA anchor or an approved issuer exists for the document's country; for a document of
   * unknown country, any trusted anchor or approved issuer at all.
   */
  countryConfigured: boolean;
}

/** Alpha-3 (or the MRZ's 'D' for Germany) → alpha-2, upper case; alpha-2 is kept. */
export function alpha2(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const c = code.trim().replace(/</g, '').toUpperCase();
  if (c === 'D') return 'DE';
  if (/^[A-Z]{2}$/.test(c)) return c;
  if (/^[A-Z]{3}$/.test(c)) return countries.alpha3ToAlpha2(c)?.toUpperCase();
  return undefined;
}

/** The issuer id of a DS certificate (DER), as the contract defines it. */
export function issuerIdOf(dsDer: Uint8Array): string {
  // One definition with passive authentication's, so the registry and the chain name issuers alike.
  return certificateIssuerId(parseCertificate(dsDer).cert);
}

/** Country (C) attribute of a name, upper case. */
function countryOf(name: Parameters<typeof nameToString>[0]): string | undefined {
  for (const rdn of name)
    for (const atv of rdn) if (atv.type === '2.5.4.6') return alpha2(atv.value.toString());
  return undefined;
}

/** The facts of a DS certificate (DER). */
export function describeDocumentSigner(dsDer: Uint8Array): Omit<IssuerObservation, 'documentCountry'> {
  const { cert } = parseCertificate(dsDer);
  return {
    issuerId: issuerIdOf(dsDer),
    issuerCountry: countryOf(cert.tbsCertificate.issuer),
    issuerDn: nameToString(cert.tbsCertificate.issuer),
    documentSigner: {
      fingerprint: fingerprint(dsDer),
      subject: nameToString(cert.tbsCertificate.subject),
      der: dsDer,
    },
  };
}

/**
 * The issuer of a chip read: from the authenticity details when passive authentication reported it
 * (contract fields), else from the DS certificate inside EF.SOD. Undefined when there is no DS
 * certificate to look at (no SOD, a SOD that does not parse, a SOD without its certificate).
 */
export function observeIssuer(chip: ChipObservation | undefined): IssuerObservation | undefined {
  if (!chip) return undefined;
  const d = (chip.authenticity?.details ?? {}) as {
    issuerId?: unknown;
    issuerCountry?: unknown;
    documentCountry?: unknown;
    documentSignerDer?: unknown;
  };
  const documentCountry =
    (typeof d.documentCountry === 'string' ? alpha2(d.documentCountry) : undefined) ??
    alpha2(chip.document?.issuingState);
  let der: Uint8Array | undefined =
    d.documentSignerDer instanceof Uint8Array ? d.documentSignerDer : undefined;
  if (!der) {
    const sod = chip.files?.get('EF.SOD');
    if (sod && sod.length > 0) {
      try {
        der = parseSod(sod).signer.certificate?.der;
      } catch {
        der = undefined;
      }
    }
  }
  if (!der) return undefined;
  let facts: Omit<IssuerObservation, 'documentCountry'>;
  try {
    facts = describeDocumentSigner(der);
  } catch {
    return undefined;
  }
  return {
    ...facts,
    issuerId: typeof d.issuerId === 'string' && d.issuerId ? d.issuerId : facts.issuerId,
    issuerCountry:
      (typeof d.issuerCountry === 'string' ? alpha2(d.issuerCountry) : undefined) ?? facts.issuerCountry,
    ...(documentCountry ? { documentCountry } : {}),
  };
}

/**
 * Countries with a trusted CA anchor in a trust store: the store's own answer when it has one
 * (`countries()`, contract), else the C attribute of each CA anchor's subject.
 */
export function anchorCountries(store: TrustStore | undefined): Set<string> {
  const out = new Set<string>();
  if (!store) return out;
  const native = (store as { countries?: () => Set<string> }).countries;
  if (typeof native === 'function') {
    for (const c of native.call(store)) {
      const a = alpha2(c);
      if (a) out.add(a);
    }
    return out;
  }
  for (const a of store.anchors) {
    const c = countryOf(a.cert.tbsCertificate.subject);
    if (c) out.add(c);
  }
  return out;
}
