/**
 * Builds the files of a software CCCD from a SoftPerson and a test PKI: EF.CardAccess (as the real
 * card: TA, CA-ECDH-AES-128, PACE-ECDH-GM-AES-128 with parameterId 13), EF.COM, DG1 (TD1 MRZ in the
 * CCCD layout), DG2 (ISO/IEC 19794-5 around the JPEG), DG3 (a placeholder the real card protects
 * with EAC), DG13 (CCCD layout), DG14 (CA key on brainpoolP256r1 + infos), DG15 (AA key) and EF.SOD
 * (LDSSecurityObject with SHA-256 hashes, CMS-signed by the DS, tag 77).
 * Faults for tests: a group altered after signing, a bad signature, a SOD signed by the DS of an
 * untrusted CSCA or by another given DS, no SOD, groups left out of the SOD, a spliced SignerInfo,
 * a DG1 whose ID number differs from DG13's, a DG2 without its 0x75 template, groups the chip
 * withholds, EF.COM listing groups the chip lacks (see ./soft-card for the attack-lab faults).
 */
import { type KeyObject, generateKeyPairSync } from 'node:crypto';
import { AsnSerializer, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { challengeSigner } from '../icao/active-auth';
import { OID as SI_OID } from '../icao/card-access';
import { curveByName, ecdhKeyPair } from '../icao/curves';
import { buildDg13, type Dg13Nesting } from '../cccd/dg13';
import { ecSpkiDer, ecSpkiDerExplicit } from '../icao/ec-spki';
import {
  DataGroupHash,
  ICAO_OID,
  LdsSecurityObject,
  LdsVersionInfo,
  SecurityInfo,
  SecurityInfos,
  oidDer,
} from '../icao/icao-asn1';
import { FID, dataGroupFid, dataGroupTag } from '../icao/lds';
import { cccdMrzInformation, formatCccdMrz } from '../icao/mrz';
import { OID, digest, hashOid, type HashName } from '../icao/signature';
import { decodeOne, encode } from '../iso7816/tlv';
import { toYymmdd } from '../util/dates';
import { DEFAULT_PERSON, facePhotoJpeg, mrzNames, type SoftPerson } from './person';
import {
  buildSignedData,
  forgerKeyFor,
  getTestPki,
  spliceSignerInfo,
  type CertifiedKey,
  type PkiOptions,
  type TestPki,
} from './pki';

export type AaKeySpec = { type: 'rsa'; bits: number } | { type: 'ec'; curve: string };

export interface CardFaults {
  /** Data groups changed after the SOD was signed (their hash no longer matches). */
  alterAfterSigning?: number[];
  /** The SOD signature is corrupted. */
  badSignature?: boolean;
  /** The SOD is signed by the DS of another CSCA than the one returned (and trusted). */
  untrustedSigner?: boolean;
  /** No EF.SOD on the card. */
  noSod?: boolean;
  /** Data groups present on the card but not listed in the SOD (injection). */
  omitFromSod?: number[];
  /** The DS that signs the SOD instead of the PKI's (a forger's PKI, a DS without digitalSignature ...). */
  signer?: CertifiedKey;
  /**
   * The signer-info splice: the SOD of a genuine card (another holder, signed by the genuine DS) gets
   * a forger's LDSSecurityObject over this card's groups in eContent and a forger's SignerInfo (own
   * signed attributes, signed with the forger's key, naming the genuine DS certificate) in
   * signerInfos; the genuine signerInfos SET follows as an extra, trailing element of SignedData.
   */
  spliceSignerInfo?: boolean;
  /** DG1's MRZ carries this ID number (DG13 the holder's); both groups hashed and signed. */
  dg1IdNumber?: string;
  /** DG2 without the outer 0x75 template (the 7F61 group starts the file) and a wrong image type byte. */
  dg2NoTemplate?: boolean;
  /** Groups signed in the SOD that the chip does not hand out (6A82) and EF.COM does not list. */
  withhold?: number[];
  /** Tags EF.COM lists although the card has no such group (and the SOD does not list it). */
  comListsAbsent?: number[];
}

export interface SoftCardBuildOptions {
  person?: SoftPerson;
  /** The issuing PKI (default: getTestPki(pkiOptions)). */
  pki?: TestPki;
  pkiOptions?: PkiOptions;
  /** Face image (JPEG or JPEG 2000); default a synthetic JPEG of the person's photo seed. */
  photo?: Uint8Array;
  /** Active Authentication key; default RSA 1024. `false` = no DG15 (chip without AA). */
  aaKey?: AaKeySpec | false;
  /** ECDSA AA hash (announced in DG14 ActiveAuthenticationInfo); default SHA-256. */
  aaEcdsaHash?: HashName;
  /** Chip Authentication curve; default brainpoolP256r1. */
  caCurve?: string;
  /** Write the CA key with explicit domain parameters in DG14. */
  caExplicitParameters?: boolean;
  caKeyId?: number;
  dg13Nesting?: Dg13Nesting;
  /** LDSSecurityObject v1 (with LDSVersionInfo) instead of v0. */
  ldsV1?: boolean;
  signingTime?: Date;
  faults?: CardFaults;
}

export interface SoftCardKeys {
  /** Chip Authentication key in the card engine's `caKey` shape. */
  ca: { curve: string; privateKey: Uint8Array; publicKey: Uint8Array; keyId?: number; oid: string };
  aa?: { privateKey: KeyObject; publicKey: KeyObject; spec: AaKeySpec; ecdsaHash?: HashName };
}

export interface BuiltSoftCard extends SoftCardKeys {
  /** FID → file bytes (DG3 included: the card engine refuses it with 6982 as the real card does without EAC). */
  files: Map<number, Uint8Array>;
  person: SoftPerson;
  mrzLines: [string, string, string];
  /** BAC MRZ_information. */
  mrzInformation: string;
  /** PACE password: the last 6 digits of the ID. */
  can: string;
  /** The CSCA to trust (DER and PEM). With `untrustedSigner` it is NOT the SOD's issuer. */
  csca: { der: Uint8Array; pem: string };
  pki: TestPki;
  /** INTERNAL AUTHENTICATE hook for the card engine (absent without AA). */
  signChallenge?: (challenge: Uint8Array) => Promise<Uint8Array>;
}

const int = (n: number): Uint8Array => encode(0x02, Uint8Array.of(n));

function securityInfo(protocol: string, required: Uint8Array, optional?: Uint8Array): SecurityInfo {
  const info = new SecurityInfo({ protocol, requiredData: required.slice().buffer });
  if (optional) info.optionalData = optional.slice().buffer;
  return info;
}

function serializeInfos(infos: SecurityInfo[]): Uint8Array {
  return new Uint8Array(AsnSerializer.serialize(new SecurityInfos(infos)));
}

/** EF.CardAccess as on the real CCCD: TA v1, CA-ECDH-AES-CBC-CMAC-128 v1, PACE-ECDH-GM-AES-CBC-CMAC-128 v2 param 13. */
export function buildCardAccess(): Uint8Array {
  return serializeInfos([
    securityInfo(SI_OID.TA, int(1)),
    securityInfo(SI_OID.CA_ECDH_AES128, int(1)),
    securityInfo(SI_OID.PACE_ECDH_GM_AES128, int(2), int(13)),
  ]);
}

/** EF.COM: LDS 1.7, Unicode 4.0.0, the tag list. */
export function buildEfCom(dataGroupTags: number[]): Uint8Array {
  const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
  return encode(0x60, [
    encode(0x5f01, ascii('0107')),
    encode(0x5f36, ascii('040000')),
    encode(0x5c, Uint8Array.from(dataGroupTags)),
  ]);
}

export function buildDg1(mrzLines: string[]): Uint8Array {
  return encode(0x61, [encode(0x5f1f, new TextEncoder().encode(mrzLines.join('')))]);
}

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}
function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** Width and height of a JPEG (SOFn) or JPEG 2000 (SIZ / ihdr) image; zeros when unknown. */
export function imageSize(img: Uint8Array): { width: number; height: number } {
  if (img[0] === 0xff && img[1] === 0xd8) {
    let p = 2;
    while (p + 9 < img.length) {
      if (img[p] !== 0xff) break;
      const marker = img[p + 1]!;
      const len = (img[p + 2]! << 8) | img[p + 3]!;
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: (img[p + 5]! << 8) | img[p + 6]!, width: (img[p + 7]! << 8) | img[p + 8]! };
      }
      p += 2 + len;
    }
  }
  for (let i = 0; i + 12 < img.length && i < 4096; i++) {
    if (img[i] === 0xff && img[i + 1] === 0x51) {
      const r = (o: number): number =>
        ((img[o]! << 24) >>> 0) + (img[o + 1]! << 16) + (img[o + 2]! << 8) + img[o + 3]!;
      return { width: r(i + 6) - r(i + 14), height: r(i + 10) - r(i + 18) };
    }
  }
  return { width: 0, height: 0 };
}

/** DG2: one ISO/IEC 19794-5 (2005) facial record around `image` (JPEG or JPEG 2000). */
export function buildDg2(
  image: Uint8Array,
  sex?: 'M' | 'F',
  options: { noTemplate?: boolean; wrongImageType?: boolean } = {},
): Uint8Array {
  const isJpeg = (image[0] === 0xff && image[1] === 0xd8) !== (options.wrongImageType === true);
  const { width, height } = imageSize(image);
  const facialInfo = [
    ...u32(20 + 12 + image.length),
    ...u16(0), // feature points
    sex === 'M' ? 1 : sex === 'F' ? 2 : 0, // gender
    0, // eye colour unspecified
    0, // hair colour unspecified
    0,
    0,
    0, // feature mask
    ...u16(0), // expression
    0,
    0,
    0, // pose angle
    0,
    0,
    0, // pose angle uncertainty
  ];
  const imageInfo = [
    1, // full frontal
    isJpeg ? 0 : 1, // image data type: JPEG / JPEG 2000
    ...u16(width),
    ...u16(height),
    1, // colour space: 24-bit RGB
    2, // source type: digital still camera
    ...u16(0), // device type
    ...u16(0), // quality
  ];
  const recordLength = 14 + facialInfo.length + imageInfo.length + image.length;
  const record = new Uint8Array(recordLength);
  record.set([0x46, 0x41, 0x43, 0x00, 0x30, 0x31, 0x30, 0x00, ...u32(recordLength), ...u16(1)], 0);
  record.set(facialInfo, 14);
  record.set(imageInfo, 14 + facialInfo.length);
  record.set(image, 14 + facialInfo.length + imageInfo.length);
  const header = encode(0xa1, [
    encode(0x80, Uint8Array.of(0x01, 0x01)), // ICAO header version 1.1
    encode(0x81, Uint8Array.of(0x02)), // biometric type: facial features
    encode(0x87, Uint8Array.of(0x01, 0x01)), // format owner: ISO/IEC JTC 1/SC 37
    encode(0x88, Uint8Array.of(0x00, 0x08)), // format type: face image
  ]);
  const group = encode(0x7f61, [int(1), encode(0x7f60, [header, encode(0x5f2e, record)])]);
  return options.noTemplate ? group : encode(0x75, group);
}

/** DG3 placeholder: a biometric information group template with no fingerprint (EAC-protected on the real card). */
export function buildDg3(): Uint8Array {
  return encode(0x63, [encode(0x7f61, [int(0)])]);
}

export function buildDg14(options: {
  caCurve: string;
  caPublicKey: Uint8Array;
  caKeyId?: number;
  caExplicitParameters?: boolean;
  aaEcdsaHash?: HashName;
}): Uint8Array {
  const spki = options.caExplicitParameters
    ? ecSpkiDerExplicit(options.caCurve, options.caPublicKey)
    : ecSpkiDer(options.caCurve, options.caPublicKey);
  const keyId = options.caKeyId === undefined ? undefined : int(options.caKeyId);
  const infos = [
    securityInfo(SI_OID.PK_ECDH, spki, keyId),
    securityInfo(SI_OID.CA_ECDH_AES128, int(1), keyId),
    securityInfo(SI_OID.TA, int(1)),
  ];
  if (options.aaEcdsaHash) {
    const plain = {
      sha1: OID.ecdsaPlainSha1,
      sha224: OID.ecdsaPlainSha224,
      sha256: OID.ecdsaPlainSha256,
      sha384: OID.ecdsaPlainSha384,
      sha512: OID.ecdsaPlainSha512,
    }[options.aaEcdsaHash];
    infos.push(securityInfo(ICAO_OID.activeAuthentication, int(1), oidDer(plain)));
  }
  return encode(0x6e, serializeInfos(infos));
}

export function buildDg15(publicKeySpki: Uint8Array): Uint8Array {
  return encode(0x6f, publicKeySpki);
}

/** EF.SOD: tag 77 around ContentInfo(SignedData(LDSSecurityObject)). */
export function buildSod(options: {
  groups: Map<number, Uint8Array>;
  signer: CertifiedKey;
  hash?: HashName;
  ldsV1?: boolean;
  signingTime?: Date;
  corruptSignature?: boolean;
  /** Include the DS certificate in the SignedData (default true, as ICAO requires). */
  includeCertificate?: boolean;
}): Uint8Array {
  const hash = options.hash ?? 'sha256';
  const content = buildSignedData({
    eContentType: ICAO_OID.ldsSecurityObject,
    eContent: buildLdsSecurityObject(options.groups, hash, options.ldsV1),
    signer: options.signer,
    signingTime: options.signingTime,
    corruptSignature: options.corruptSignature,
    includeCertificate: options.includeCertificate,
  });
  return encode(0x77, content);
}

/** The DER LDSSecurityObject: `hash` of each group, in group order (v1 with LDSVersionInfo). */
export function buildLdsSecurityObject(
  groups: Map<number, Uint8Array>,
  hash: HashName = 'sha256',
  ldsV1 = false,
): Uint8Array {
  const options = { groups, ldsV1 };
  const lds = new LdsSecurityObject({
    version: options.ldsV1 ? 1 : 0,
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: hashOid(hash), parameters: null }),
    dataGroupHashValues: [...options.groups.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(
        ([n, bytes]) =>
          new DataGroupHash({ dataGroupNumber: n, dataGroupHashValue: new OctetString(digest(hash, bytes)) }),
      ),
  });
  if (options.ldsV1)
    lds.ldsVersionInfo = new LdsVersionInfo({ ldsVersion: '0108', unicodeVersion: '040000' });
  return new Uint8Array(AsnSerializer.serialize(lds));
}

/**
 * Changes a group the way a forger would, keeping it well-formed: DG1 → the first letter of the
 * MRZ name line; DG13 → the last digit of the ID number; others → one byte near the end of the value.
 */
export function alterGroup(n: number, bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (n === 1 && out.length >= 95) {
    const pos = out.length - 30; // TD1 line 3
    out[pos] = out[pos] === 0x58 ? 0x59 : 0x58; // 'X' / 'Y'
    return out;
  }
  if (n === 13) {
    // field 1: 30 L 02 01 01 13 0C <12 digits>
    for (let i = 0; i + 17 < out.length; i++) {
      if (
        out[i] === 0x02 &&
        out[i + 1] === 0x01 &&
        out[i + 2] === 0x01 &&
        out[i + 3] === 0x13 &&
        out[i + 4] === 0x0c
      ) {
        const last = i + 5 + 11;
        out[last] = out[last] === 0x39 ? 0x38 : out[last]! + 1;
        return out;
      }
    }
  }
  const pos = Math.max(0, out.length - 16);
  out[pos] = out[pos]! ^ 0x5a;
  return out;
}

function aaKeyPair(spec: AaKeySpec): { privateKey: KeyObject; publicKey: KeyObject } {
  return spec.type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: spec.bits, publicExponent: 65537 })
    : generateKeyPairSync('ec', { namedCurve: curveByName(spec.curve).openssl });
}

/** Builds all files of a software card (synchronous; the first PKI per options takes a few ms to generate). */
export function buildSoftCard(options: SoftCardBuildOptions = {}): BuiltSoftCard {
  const person = options.person ?? DEFAULT_PERSON;
  const pki = options.pki ?? getTestPki(options.pkiOptions);
  const faults = options.faults ?? {};
  const names = mrzNames(person);
  const mrzLines = formatCccdMrz({
    idNumber: person.idNumber,
    dateOfBirth: person.dateOfBirth,
    sex: person.sex,
    dateOfExpiry: person.dateOfExpiry,
    surname: names.surname,
    givenNames: names.givenNames,
  });
  const photo = options.photo ?? facePhotoJpeg(person.photoSeed);
  const caCurve = options.caCurve ?? 'brainpoolP256r1';
  const caPair = ecdhKeyPair(curveByName(caCurve));
  const aaSpec = options.aaKey === undefined ? ({ type: 'rsa', bits: 1024 } as const) : options.aaKey;
  const aaPair = aaSpec ? aaKeyPair(aaSpec) : undefined;
  const aaEcdsaHash = aaSpec && aaSpec.type === 'ec' ? (options.aaEcdsaHash ?? 'sha256') : undefined;

  const groups = new Map<number, Uint8Array>();
  groups.set(
    1,
    buildDg1(
      faults.dg1IdNumber
        ? formatCccdMrz({
            idNumber: faults.dg1IdNumber,
            dateOfBirth: person.dateOfBirth,
            sex: person.sex,
            dateOfExpiry: person.dateOfExpiry,
            surname: names.surname,
            givenNames: names.givenNames,
          })
        : mrzLines,
    ),
  );
  groups.set(
    2,
    buildDg2(photo, person.sex, faults.dg2NoTemplate ? { noTemplate: true, wrongImageType: true } : {}),
  );
  groups.set(3, buildDg3());
  groups.set(
    13,
    buildDg13(
      {
        idNumber: person.idNumber,
        fullName: person.fullName,
        dateOfBirth: person.dateOfBirth,
        sex: person.sex,
        nationality: person.nationality,
        ethnicity: person.ethnicity,
        religion: person.religion,
        placeOfOrigin: person.placeOfOrigin,
        residence: person.residence,
        identifyingMarks: person.identifyingMarks,
        dateOfIssue: person.dateOfIssue,
        dateOfExpiry: person.dateOfExpiry,
        fatherName: person.father,
        motherName: person.mother,
        spouseName: person.spouse,
        oldIdNumber: person.oldIdNumber,
        unknown16: person.unknown16,
      },
      { nesting: options.dg13Nesting },
    ),
  );
  groups.set(
    14,
    buildDg14({
      caCurve,
      caPublicKey: caPair.publicKey,
      caKeyId: options.caKeyId,
      caExplicitParameters: options.caExplicitParameters,
      aaEcdsaHash,
    }),
  );
  if (aaPair)
    groups.set(15, buildDg15(new Uint8Array(aaPair.publicKey.export({ type: 'spki', format: 'der' }))));

  const signer =
    faults.signer ??
    (faults.untrustedSigner
      ? getTestPki({
          ...options.pkiOptions,
          cscaName: 'CCCD Kiosk Untrusted CSCA',
          dsName: 'CCCD Kiosk Untrusted DS',
        }).ds
      : pki.ds);
  const signed = new Map([...groups].filter(([n]) => !(faults.omitFromSod ?? []).includes(n)));
  let sod = faults.noSod
    ? undefined
    : buildSod({
        groups: signed,
        signer,
        ldsV1: options.ldsV1,
        signingTime: options.signingTime,
        corruptSignature: faults.badSignature,
      });
  if (sod && faults.spliceSignerInfo) {
    // The genuine SOD of another holder's card (DG1 and DG13 differ), as a forger would copy it.
    const donor = new Map(signed);
    for (const n of [1, 13]) {
      const g = donor.get(n);
      if (g) donor.set(n, alterGroup(n, g));
    }
    const genuine = buildSod({
      groups: donor,
      signer,
      ldsV1: options.ldsV1,
      signingTime: options.signingTime,
    });
    sod = encode(
      0x77,
      spliceSignerInfo({
        genuine: decodeOne(genuine).value,
        forgedLds: buildLdsSecurityObject(signed, signer.hash, options.ldsV1),
        genuineSigner: signer,
        forgerKey: forgerKeyFor(signer),
        signingTime: options.signingTime,
      }),
    );
  }
  for (const n of faults.alterAfterSigning ?? []) {
    const g = groups.get(n);
    if (g) groups.set(n, alterGroup(n, g));
  }

  const withheld = new Set(faults.withhold ?? []);
  const handedOut = [...groups.keys()].filter((n) => !withheld.has(n));
  const files = new Map<number, Uint8Array>();
  files.set(FID.cardAccess, buildCardAccess());
  files.set(
    FID.com,
    buildEfCom([...handedOut, ...(faults.comListsAbsent ?? [])].sort((a, b) => a - b).map(dataGroupTag)),
  );
  for (const n of handedOut) files.set(dataGroupFid(n), groups.get(n)!);
  if (sod) files.set(FID.sod, sod);

  const card: BuiltSoftCard = {
    files,
    person,
    mrzLines,
    mrzInformation: cccdMrzInformation(
      person.idNumber,
      toYymmdd(person.dateOfBirth),
      person.dateOfExpiry === null ? '991231' : toYymmdd(person.dateOfExpiry),
    ),
    can: person.idNumber.slice(-6),
    csca: { der: pki.csca.der, pem: pki.csca.pem },
    pki,
    ca: {
      curve: caCurve,
      privateKey: caPair.privateKey,
      publicKey: caPair.publicKey,
      oid: SI_OID.CA_ECDH_AES128,
      ...(options.caKeyId === undefined ? {} : { keyId: options.caKeyId }),
    },
  };
  if (aaPair && aaSpec) {
    card.aa = { ...aaPair, spec: aaSpec, ...(aaEcdsaHash ? { ecdsaHash: aaEcdsaHash } : {}) };
    card.signChallenge = challengeSigner(aaPair.privateKey, { ecdsaHash: aaEcdsaHash });
  }
  return card;
}
