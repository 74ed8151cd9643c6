/**
 * The PKI side of the attack lab: the document signers of the trust-related faults of ./soft-card,
 * and the trust folder a real kiosk of each scenario would hold (`kiosk sim ... --csca-out DIR`
 * writes it; tests load it with loadTrustStore).
 *
 *   own-csca        a forger's CSCA with the genuine test CSCA's subject DN (C=VN) but its own key;
 *                   NOT in the trust folder (a kiosk never trusts the forger)
 *   spoofed-aki     the round-1 pinning attack: a DS signed by the forger's own key whose issuer
 *                   carries the genuine test CSCA's subject DN AND subject key identifier, so the DS
 *                   names the genuine issuer DN and the genuine authority key identifier (the issuerId)
 *   foreign-csca    a C=DE test CSCA, trusted (it is in the folder), signs a DS for this VNM card
 *   ds-no-keyusage  the genuine VN CSCA issues a DS whose keyUsage is keyEncipherment only
 *   csca-not-ca     the DS is issued by a self-signed VN certificate without basicConstraints cA,
 *                   which a careless admin put into the trust folder
 * The genuine VN test CSCA is in every folder. Everything is fictional ("CCCD Kiosk Test ...") and
 * made once per process and base PKI options.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KeyUsageFlags } from '@peculiar/asn1-x509';
import {
  generateKey,
  getTestPki,
  issueCertificate,
  makeName,
  type CertifiedKey,
  type KeySpec,
  type PkiOptions,
} from './pki';

/** The faults whose SOD is signed by another DS than the genuine test PKI's. */
export const TRUST_FAULTS = [
  'own-csca',
  'spoofed-aki',
  'foreign-csca',
  'ds-no-keyusage',
  'csca-not-ca',
] as const;
export type TrustFault = (typeof TRUST_FAULTS)[number];

export function isTrustFault(kind: string): kind is TrustFault {
  return (TRUST_FAULTS as readonly string[]).includes(kind);
}

/** One certificate of a trust folder. */
export interface TrustFile {
  /** File name to write it under (PEM). */
  name: string;
  role: 'genuine-csca' | 'foreign-csca' | 'non-ca-issuer';
  der: Uint8Array;
  pem: string;
}

export interface AttackPki {
  /** The DS that signs the card's SOD. */
  ds: CertifiedKey;
  /** The certificate that issued it (a CSCA, or not a CA for csca-not-ca). */
  issuer: CertifiedKey;
}

const cache = new Map<string, AttackPki>();

function addYears(d: Date, years: number): Date {
  const out = new Date(d.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

function dsSpecOf(issuer: CertifiedKey): KeySpec {
  return issuer.spec.type === 'ec' ? { type: 'ec', curve: issuer.spec.curve } : { ...issuer.spec };
}

function issueDs(
  issuer: CertifiedKey,
  name: { C: string; CN: string },
  options: PkiOptions,
  extra: { keyUsage?: number } = {},
): CertifiedKey {
  const notBefore = options.notBefore ?? new Date(Date.UTC(2020, 0, 1));
  return issueCertificate({
    subject: makeName({ C: name.C, O: 'CCCD Kiosk Test PKI', CN: name.CN }),
    spec: options.ds ?? dsSpecOf(issuer),
    issuer,
    ca: false,
    notBefore,
    notAfter: options.dsNotAfter ?? addYears(notBefore, 15),
    hash: options.hash ?? 'sha256',
    ...(extra.keyUsage === undefined ? {} : { keyUsage: extra.keyUsage }),
  });
}

function make(fault: TrustFault, options: PkiOptions): AttackPki {
  const genuine = getTestPki(options);
  switch (fault) {
    case 'own-csca': {
      // Same names as the genuine test PKI (subject DN of CSCA and DS), fresh keys.
      const forged = getTestPki({ ...options, label: 'forger' });
      return { ds: forged.ds, issuer: forged.csca };
    }
    case 'spoofed-aki': {
      // The genuine CSCA certificate (its subject DN and SKI, hence the DS's issuer DN and AKI) with
      // the forger's own key: the DS names the genuine issuer in every field, but no genuine key signed it.
      const keys = generateKey(genuine.csca.spec);
      const issuer: CertifiedKey = {
        ...genuine.csca,
        privateKey: keys.privateKey,
        publicKey: keys.publicKey,
      };
      return {
        ds: issueDs(issuer, { C: options.country ?? 'VN', CN: 'CCCD Kiosk Test Document Signer' }, options),
        issuer,
      };
    }
    case 'foreign-csca': {
      const de = getTestPki({
        ...options,
        country: 'DE',
        cscaName: 'CCCD Kiosk Test CSCA DE',
        dsName: 'CCCD Kiosk Test Document Signer DE',
      });
      return { ds: de.ds, issuer: de.csca };
    }
    case 'ds-no-keyusage':
      return {
        ds: issueDs(
          genuine.csca,
          { C: options.country ?? 'VN', CN: 'CCCD Kiosk Test Document Signer (keyEncipherment)' },
          options,
          { keyUsage: KeyUsageFlags.keyEncipherment },
        ),
        issuer: genuine.csca,
      };
    case 'csca-not-ca': {
      const notBefore = options.notBefore ?? new Date(Date.UTC(2020, 0, 1));
      const issuer = issueCertificate({
        subject: makeName({
          C: options.country ?? 'VN',
          O: 'CCCD Kiosk Test PKI',
          CN: 'CCCD Kiosk Test Issuer (not a CA)',
        }),
        spec: options.csca ?? { type: 'ec', curve: 'brainpoolP256r1' },
        ca: true,
        basicConstraints: false,
        notBefore,
        notAfter: addYears(notBefore, 20),
        hash: options.hash ?? 'sha256',
      });
      return {
        ds: issueDs(
          issuer,
          { C: options.country ?? 'VN', CN: 'CCCD Kiosk Test Document Signer (non-CA issuer)' },
          options,
        ),
        issuer,
      };
    }
  }
}

/** The DS (and its issuer) of a trust fault, made once per process and base PKI options. */
export function attackPki(fault: TrustFault, options: PkiOptions = {}): AttackPki {
  const key = `${fault} ${JSON.stringify(options)}`;
  let pki = cache.get(key);
  if (!pki) {
    pki = make(fault, options);
    cache.set(key, pki);
  }
  return pki;
}

/**
 * What the trust folder of a real kiosk holds in the scenario of `faults` (fault kinds as named on
 * the command line, e.g. ['foreign-csca']): the genuine VN test CSCA always; the foreign CSCA for
 * foreign-csca; the non-CA issuer for csca-not-ca; never the forger's CSCA of own-csca or spoofed-aki (nor the
 * untrusted CSCA of unknown-csca).
 */
export function trustFolderFor(faults: readonly string[] = [], options: PkiOptions = {}): TrustFile[] {
  const genuine = getTestPki(options).csca;
  const out: TrustFile[] = [
    { name: 'csca-vn-test.pem', role: 'genuine-csca', der: genuine.der, pem: genuine.pem },
  ];
  const kinds = new Set(faults.map((f) => f.trim().toLowerCase()));
  if (kinds.has('foreign-csca')) {
    const c = attackPki('foreign-csca', options).issuer;
    out.push({ name: 'csca-de-test.pem', role: 'foreign-csca', der: c.der, pem: c.pem });
  }
  if (kinds.has('csca-not-ca')) {
    const c = attackPki('csca-not-ca', options).issuer;
    out.push({ name: 'issuer-vn-not-ca.pem', role: 'non-ca-issuer', der: c.der, pem: c.pem });
  }
  return out;
}

/** Writes trustFolderFor(faults) into `dir` (created); returns the paths written. */
export async function writeTrustFolder(
  dir: string,
  faults: readonly string[] = [],
  options: { pki?: PkiOptions; prefix?: string } = {},
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const f of trustFolderFor(faults, options.pki)) {
    const file = path.join(dir, `${options.prefix ?? ''}${f.name}`);
    await writeFile(file, f.pem);
    written.push(file);
  }
  return written;
}
