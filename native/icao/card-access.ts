/**
 * SecurityInfos (ICAO 9303 part 11 §9.2) as found in EF.CardAccess (PACE) and DG14 (CA, TA, AA):
 * PACEInfo, PACEDomainParameterInfo, ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo,
 * TerminalAuthenticationInfo, ActiveAuthenticationInfo; anything else is kept as 'unknown'.
 *
 * The SET OF SEQUENCE structure is walked with the shared BER-TLV codec; the CA public key's
 * SubjectPublicKeyInfo and EC domain parameters are decoded with @peculiar/asn1-x509 / asn1-ecc.
 */

import { AsnConvert } from '@peculiar/asn1-schema';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { ECParameters } from '@peculiar/asn1-ecc';
import { children, decodeOne, TlvError, type Tlv } from '../iso7816/tlv';
import { bytesToBigint, curveByDomain, curveByOid, type EcCurve } from './curves';
import type { CipherAlg } from './crypto';
import { IcaoError } from '../iso7816/sw';

const BSI = '0.4.0.127.0.7.2.2';
export const OID = {
  PK_DH: `${BSI}.1.1`,
  PK_ECDH: `${BSI}.1.2`,
  TA: `${BSI}.2`,
  CA_DH: `${BSI}.3.1`,
  CA_ECDH: `${BSI}.3.2`,
  CA_DH_3DES: `${BSI}.3.1.1`,
  CA_DH_AES128: `${BSI}.3.1.2`,
  CA_DH_AES192: `${BSI}.3.1.3`,
  CA_DH_AES256: `${BSI}.3.1.4`,
  CA_ECDH_3DES: `${BSI}.3.2.1`,
  CA_ECDH_AES128: `${BSI}.3.2.2`,
  CA_ECDH_AES192: `${BSI}.3.2.3`,
  CA_ECDH_AES256: `${BSI}.3.2.4`,
  PACE: `${BSI}.4`,
  PACE_DH_GM: `${BSI}.4.1`,
  PACE_ECDH_GM: `${BSI}.4.2`,
  PACE_DH_IM: `${BSI}.4.3`,
  PACE_ECDH_IM: `${BSI}.4.4`,
  PACE_ECDH_CAM: `${BSI}.4.6`,
  PACE_ECDH_GM_3DES: `${BSI}.4.2.1`,
  PACE_ECDH_GM_AES128: `${BSI}.4.2.2`,
  PACE_ECDH_GM_AES192: `${BSI}.4.2.3`,
  PACE_ECDH_GM_AES256: `${BSI}.4.2.4`,
  AA: '2.23.136.1.1.5',
  EC_PUBLIC_KEY: '1.2.840.10045.2.1',
  PRIME_FIELD: '1.2.840.10045.1.1',
} as const;

const CIPHERS: Record<string, { cipher: CipherAlg; name: string }> = {
  '1': { cipher: '3DES', name: '3DES-CBC-CBC' },
  '2': { cipher: 'AES-128', name: 'AES-CBC-CMAC-128' },
  '3': { cipher: 'AES-192', name: 'AES-CBC-CMAC-192' },
  '4': { cipher: 'AES-256', name: 'AES-CBC-CMAC-256' },
};

const PACE_MAPPINGS: Record<string, { agreement: 'DH' | 'ECDH'; mapping: 'GM' | 'IM' | 'CAM' }> = {
  '1': { agreement: 'DH', mapping: 'GM' },
  '2': { agreement: 'ECDH', mapping: 'GM' },
  '3': { agreement: 'DH', mapping: 'IM' },
  '4': { agreement: 'ECDH', mapping: 'IM' },
  '6': { agreement: 'ECDH', mapping: 'CAM' },
};

export interface PaceAlgorithm {
  agreement: 'DH' | 'ECDH';
  mapping: 'GM' | 'IM' | 'CAM';
  cipher: CipherAlg;
}

/** Splits a PACE protocol OID (e.g. id-PACE-ECDH-GM-AES-CBC-CMAC-128) into its parts. */
export function paceAlgorithm(oid: string): PaceAlgorithm | undefined {
  if (!oid.startsWith(`${OID.PACE}.`)) return undefined;
  const rest = oid.slice(OID.PACE.length + 1).split('.');
  if (rest.length !== 2) return undefined;
  const m = PACE_MAPPINGS[rest[0]!];
  const c = CIPHERS[rest[1]!];
  return m && c ? { ...m, cipher: c.cipher } : undefined;
}

export interface CaAlgorithm {
  agreement: 'DH' | 'ECDH';
  cipher: CipherAlg;
}

/** Splits a Chip Authentication OID (e.g. id-CA-ECDH-AES-CBC-CMAC-128). */
export function caAlgorithm(oid: string): CaAlgorithm | undefined {
  const m = /^0\.4\.0\.127\.0\.7\.2\.2\.3\.([12])\.([1-4])$/.exec(oid);
  if (!m) return undefined;
  return { agreement: m[1] === '1' ? 'DH' : 'ECDH', cipher: CIPHERS[m[2]!]!.cipher };
}

/** A readable protocol name for logs and traces ('PACE-ECDH-GM-AES-CBC-CMAC-128', 'TA', ...). */
export function protocolName(oid: string): string {
  const pace = paceAlgorithm(oid);
  if (pace) return `PACE-${pace.agreement}-${pace.mapping}-${CIPHERS[oid.split('.').pop()!]!.name}`;
  const ca = caAlgorithm(oid);
  if (ca) return `CA-${ca.agreement}-${CIPHERS[oid.split('.').pop()!]!.name}`;
  switch (oid) {
    case OID.TA:
      return 'TA';
    case OID.PK_DH:
      return 'PK-DH';
    case OID.PK_ECDH:
      return 'PK-ECDH';
    case OID.AA:
      return 'AA';
    case OID.CA_DH:
      return 'CA-DH';
    case OID.CA_ECDH:
      return 'CA-ECDH';
  }
  for (const [k, v] of Object.entries(PACE_MAPPINGS)) {
    if (oid === `${OID.PACE}.${k}`) return `PACE-${v.agreement}-${v.mapping}`;
  }
  return oid;
}

/** Decodes the content of an OBJECT IDENTIFIER to dotted form. */
export function decodeOid(value: Uint8Array): string {
  if (value.length === 0) throw new TlvError('empty OID');
  const arcs: number[] = [];
  let v = 0;
  let started = false;
  for (const b of value) {
    if (!started && b === 0x80) throw new TlvError('OID arc with leading 0x80');
    v = v * 128 + (b & 0x7f);
    started = (b & 0x80) !== 0;
    if (v > Number.MAX_SAFE_INTEGER / 128) throw new TlvError('OID arc too large');
    if (!started) {
      arcs.push(v);
      v = 0;
    }
  }
  if (started) throw new TlvError('truncated OID');
  const first = arcs.shift()!;
  const top = first < 40 ? 0 : first < 80 ? 1 : 2;
  return [top, first - top * 40, ...arcs].join('.');
}

/** Encodes a dotted OID's content octets (no tag/length). */
export function encodeOid(oid: string): Uint8Array {
  const parts = oid.split('.').map((p) => {
    if (!/^\d+$/.test(p)) throw new TlvError(`invalid OID ${oid}`);
    return Number(p);
  });
  if (parts.length < 2) throw new TlvError(`invalid OID ${oid}`);
  const arcs = [parts[0]! * 40 + parts[1]!, ...parts.slice(2)];
  const out: number[] = [];
  for (const arc of arcs) {
    const bytes = [arc & 0x7f];
    let x = Math.floor(arc / 128);
    while (x > 0) {
      bytes.unshift((x & 0x7f) | 0x80);
      x = Math.floor(x / 128);
    }
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}

function decodeInteger(t: Tlv): number {
  if (t.tag !== 0x02) throw new TlvError('expected INTEGER');
  if (t.value.length === 0 || t.value.length > 6) throw new TlvError('INTEGER out of range');
  if (t.value[0]! & 0x80) throw new TlvError('negative INTEGER');
  let v = 0;
  for (const b of t.value) v = v * 256 + b;
  return v;
}

interface InfoBase {
  /** Protocol OID, dotted. */
  protocol: string;
  /** Readable protocol name. */
  protocolName: string;
  /** The encoded SecurityInfo (for hashing or re-use). */
  raw: Uint8Array;
}

export interface PaceInfo extends InfoBase {
  kind: 'PACEInfo';
  version: number;
  parameterId?: number;
  algorithm: PaceAlgorithm;
}

export interface PaceDomainParameterInfo extends InfoBase {
  kind: 'PACEDomainParameterInfo';
  parameterId?: number;
}

export interface ChipAuthenticationInfo extends InfoBase {
  kind: 'ChipAuthenticationInfo';
  version: number;
  keyId?: number;
  algorithm: CaAlgorithm;
}

export interface ChipAuthenticationPublicKeyInfo extends InfoBase {
  kind: 'ChipAuthenticationPublicKeyInfo';
  keyId?: number;
  /** The DER SubjectPublicKeyInfo. */
  subjectPublicKeyInfo: Uint8Array;
  /** Public key algorithm OID (id-ecPublicKey, dhpublicnumber, ...). */
  keyAlgorithm: string;
  /** For EC keys on a supported curve (named or explicit parameters): its name. */
  curve?: string;
  /** The public key bits (for EC: the encoded point). */
  publicKey: Uint8Array;
}

export interface TerminalAuthenticationInfo extends InfoBase {
  kind: 'TerminalAuthenticationInfo';
  version: number;
}

export interface ActiveAuthenticationInfo extends InfoBase {
  kind: 'ActiveAuthenticationInfo';
  version: number;
  signatureAlgorithm?: string;
}

export interface UnknownSecurityInfo extends InfoBase {
  kind: 'unknown';
}

export type SecurityInfo =
  | PaceInfo
  | PaceDomainParameterInfo
  | ChipAuthenticationInfo
  | ChipAuthenticationPublicKeyInfo
  | TerminalAuthenticationInfo
  | ActiveAuthenticationInfo
  | UnknownSecurityInfo;

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.slice().buffer;
}

function curveOfSpki(spki: SubjectPublicKeyInfo): EcCurve | undefined {
  const params = spki.algorithm.parameters;
  if (!params) return undefined;
  const ecp = AsnConvert.parse(params, ECParameters);
  if (ecp.namedCurve) {
    try {
      return curveByOid(ecp.namedCurve);
    } catch {
      return undefined;
    }
  }
  const sc = ecp.specifiedCurve;
  if (!sc || sc.fieldID.fieldType !== OID.PRIME_FIELD) return undefined;
  const primeTlv = decodeOne(new Uint8Array(sc.fieldID.parameters));
  if (primeTlv.tag !== 0x02) return undefined;
  const base = new Uint8Array(sc.base.buffer);
  if (base[0] !== 0x04 || base.length % 2 !== 1) return undefined;
  const half = (base.length - 1) / 2;
  return curveByDomain({
    p: bytesToBigint(primeTlv.value),
    a: bytesToBigint(new Uint8Array(sc.curve.a)),
    b: bytesToBigint(new Uint8Array(sc.curve.b)),
    Gx: bytesToBigint(base.subarray(1, 1 + half)),
    Gy: bytesToBigint(base.subarray(1 + half)),
    n: bytesToBigint(new Uint8Array(sc.order)),
  });
}

function parseInfo(t: Tlv, raw: Uint8Array): SecurityInfo {
  if (t.tag !== 0x30) throw new TlvError('SecurityInfo is not a SEQUENCE');
  const fields = children(t);
  const oidTlv = fields[0];
  if (!oidTlv || oidTlv.tag !== 0x06) throw new TlvError('SecurityInfo without protocol OID');
  const protocol = decodeOid(oidTlv.value);
  const base = { protocol, protocolName: protocolName(protocol), raw };
  const f1 = fields[1];
  const f2 = fields[2];
  const pace = paceAlgorithm(protocol);
  if (pace && f1) {
    const info: PaceInfo = { kind: 'PACEInfo', ...base, version: decodeInteger(f1), algorithm: pace };
    if (f2) info.parameterId = decodeInteger(f2);
    return info;
  }
  if (Object.keys(PACE_MAPPINGS).some((k) => protocol === `${OID.PACE}.${k}`)) {
    const info: PaceDomainParameterInfo = { kind: 'PACEDomainParameterInfo', ...base };
    if (f2) info.parameterId = decodeInteger(f2);
    return info;
  }
  const ca = caAlgorithm(protocol);
  if (ca && f1) {
    const info: ChipAuthenticationInfo = {
      kind: 'ChipAuthenticationInfo',
      ...base,
      version: decodeInteger(f1),
      algorithm: ca,
    };
    if (f2) info.keyId = decodeInteger(f2);
    return info;
  }
  if ((protocol === OID.PK_ECDH || protocol === OID.PK_DH) && f1 && f1.tag === 0x30) {
    const der = t.value.subarray(f1.offset, f1.offset + f1.length);
    let spki: SubjectPublicKeyInfo;
    try {
      spki = AsnConvert.parse(toArrayBuffer(der), SubjectPublicKeyInfo);
    } catch (e) {
      throw new TlvError(`bad chip authentication public key: ${(e as Error).message}`);
    }
    const info: ChipAuthenticationPublicKeyInfo = {
      kind: 'ChipAuthenticationPublicKeyInfo',
      ...base,
      subjectPublicKeyInfo: der.slice(),
      keyAlgorithm: spki.algorithm.algorithm,
      publicKey: new Uint8Array(spki.subjectPublicKey),
    };
    if (spki.algorithm.algorithm === OID.EC_PUBLIC_KEY) {
      const curve = curveOfSpki(spki);
      if (curve) info.curve = curve.name;
    }
    if (f2) info.keyId = decodeInteger(f2);
    return info;
  }
  if (protocol === OID.TA && f1) {
    return { kind: 'TerminalAuthenticationInfo', ...base, version: decodeInteger(f1) };
  }
  if (protocol === OID.AA && f1) {
    const info: ActiveAuthenticationInfo = {
      kind: 'ActiveAuthenticationInfo',
      ...base,
      version: decodeInteger(f1),
    };
    if (f2 && f2.tag === 0x06) info.signatureAlgorithm = decodeOid(f2.value);
    return info;
  }
  return { kind: 'unknown', ...base };
}

/**
 * Parses SecurityInfos: the bare SET (EF.CardAccess) or a DG14 (tag 6E around the SET).
 * Throws IcaoError('security_infos_invalid') on malformed input.
 */
export function parseSecurityInfos(bytes: Uint8Array): SecurityInfo[] {
  try {
    let outer = decodeOne(bytes, 0);
    if (outer.length !== bytes.length) throw new TlvError('trailing bytes after SecurityInfos');
    if (outer.tag === 0x6e) outer = decodeOne(outer.value, 0);
    if (outer.tag !== 0x31) throw new TlvError('SecurityInfos is not a SET');
    return children(outer).map((t) =>
      parseInfo(t, outer.value.subarray(t.offset, t.offset + t.length).slice()),
    );
  } catch (e) {
    if (e instanceof IcaoError) throw e;
    throw new IcaoError(
      'security_infos_invalid',
      {
        vi: 'Dữ liệu bảo mật trên chip (SecurityInfos) không hợp lệ',
        en: 'malformed SecurityInfos on the chip',
      },
      { cause: e },
    );
  }
}

export interface CardAccess {
  infos: SecurityInfo[];
  pace: PaceInfo[];
  chipAuthentication: ChipAuthenticationInfo[];
  chipAuthenticationPublicKeys: ChipAuthenticationPublicKeyInfo[];
  terminalAuthentication: boolean;
}

/** Parses EF.CardAccess and groups the infos the terminal cares about. */
export function parseCardAccess(bytes: Uint8Array): CardAccess {
  const infos = parseSecurityInfos(bytes);
  return {
    infos,
    pace: infos.filter((i): i is PaceInfo => i.kind === 'PACEInfo'),
    chipAuthentication: infos.filter((i): i is ChipAuthenticationInfo => i.kind === 'ChipAuthenticationInfo'),
    chipAuthenticationPublicKeys: infos.filter(
      (i): i is ChipAuthenticationPublicKeyInfo => i.kind === 'ChipAuthenticationPublicKeyInfo',
    ),
    terminalAuthentication: infos.some((i) => i.kind === 'TerminalAuthenticationInfo'),
  };
}

/** The PACEInfo the terminal should use: the first with supported ECDH Generic Mapping, else the first. */
export function preferredPaceInfo(access: CardAccess): PaceInfo | undefined {
  return (
    access.pace.find((p) => p.algorithm.agreement === 'ECDH' && p.algorithm.mapping === 'GM') ??
    access.pace[0]
  );
}
