/**
 * The software CCCD, assembled: the files of ./lds-builder (EF.CardAccess, EF.COM, DG1, DG2 with a
 * ~15 KB JPEG, DG13, DG14, DG15, EF.SOD) loaded into the ./card-engine with the Chip Authentication
 * and Active Authentication keys, the MRZ information and the CAN (last 6 digits of the ID) of a
 * fictional person, plus the QR text printed on the card's front and the CSCA that issued it.
 *
 * Faults, named as on the command line (`kiosk sim card --fault ...`):
 *   altered-dg1 | altered-dg2 | altered-dg13   a group changed after the SOD was signed
 *   bad-signature                              the SOD signature is corrupted
 *   unknown-csca                               the SOD is signed under a CSCA nobody trusts
 *   clone                                      the chip's AA and CA private keys are fresh ones while
 *                                              DG14/DG15 keep the genuine public keys (a copied chip)
 *   no-sod                                     the card has no EF.SOD
 *   remove-at:N                                the Nth command fails as a removed card (once; the card
 *                                              is back, powered up afresh, for the next session)
 *   max-read:N                                 READ BINARY returns at most N bytes
 *   no-extended                                the chip refuses extended-length APDUs (6700)
 *   slow:MS                                    every command takes MS milliseconds more
 *
 * The attack lab (issue 9): forgeries and clones the kiosk must reject, each with its own reason.
 *   splice-signer-info   a genuine SOD (another holder's card, genuine DS) carrying a forger's
 *                        LDSSecurityObject (hashes of this card's DG1/DG13 and other groups) and a
 *                        forger's SignerInfo (own signed attributes, forger's key, naming the genuine
 *                        DS certificate, which stays in the SOD); the genuine signerInfos SET is
 *                        appended as an extra trailing element of SignedData      → sod_malformed
 *   withhold-dg14 | withhold-dg15 | withhold-dg2
 *                        the SOD lists the group, the chip answers 6A82 to it and EF.COM omits it
 *                        (a clone hiding its missing CA/AA key or the photo; without DG14 the chip
 *                        does no Chip Authentication, without DG15 no Active Auth.) → dg_withheld
 *   aa-not-supported     DG15 present and listed; INTERNAL AUTHENTICATE gets a bare 6D00
 *                        (not counted in the SSC)                              → active_auth_failed
 *   ca-bare-sw[:SW]      Chip Authentication: MSE and GENERAL AUTHENTICATE accepted, no new keys
 *                        derived; the confirming command (and every protected one after it) gets a
 *                        bare status word, 9000 unless SW (hex) is given        → chip_auth_failed
 *   pace-bad-token       PACE mutual authentication answers a wrong chip token T_IC (a fake chip)
 *                                                                               → pace_token_invalid
 *   own-csca             signed under a forger's CSCA: C=VN, the genuine test CSCA's subject DN, its
 *                        own key; not in the kiosk's trust folder            → issuer_not_recognised
 *   spoofed-aki          the round-1 pinning attack: a DS signed by the forger's own key that carries
 *                        the genuine test CSCA's subject DN and authority key identifier (its issuer
 *                        is the genuine CSCA certificate with the forger's key); the genuine CSCA is
 *                        trusted                                 → ds_certificate_signature_invalid
 *   foreign-csca         a trusted C=DE test CSCA signs the DS of this VNM card   → country_mismatch
 *   ds-no-keyusage       the DS certificate's keyUsage is keyEncipherment only → ds_key_usage_invalid
 *   csca-not-ca          the DS is issued by a certificate without basicConstraints cA (which the
 *                        trust folder holds, as a careless admin would)             → csca_not_ca
 *   dg1-dg13-mismatch    DG1's MRZ carries another ID number than DG13; both hashed and signed
 *                                                                                → dg1_dg13_mismatch
 * Honest interoperability faults (a genuine card that must still read genuine):
 *   plain-errors         errors under secure messaging (6A82 for a file the chip lacks, 6982) come
 *                        as a plain status word AFTER the chip counted the command in its SSC; the
 *                        chip has no DG15 (no Active Authentication) while EF.COM still lists it,
 *                        so the kiosk meets such an error when it follows EF.COM
 *   dg2-no-template      DG2 without the outer 0x75 template (the file starts with 7F61) and with
 *                        the image-type byte saying JPEG 2000 for a JPEG; hashed and signed as it is
 * The trust folder a kiosk of each scenario holds: ./attack-pki trustFolderFor (SoftCard.trustFolder,
 * `--csca-out DIR`).
 *
 * Also a plain ICAO 9303 passport (TD3 MRZ, BAC only, DG1 and DG2, no SOD, no DG13) for testing
 * readers against documents that are not CCCDs. Everything is fictional and generated at run time;
 * the PKI is made once per process (./pki getTestPki).
 */
import { bilingualError } from '../icao/bilingual';
import { curveByName, ecdhKeyPair } from '../icao/curves';
import { challengeSigner } from '../icao/active-auth';
import { checkDigit } from '../icao/mrz';
import { FID } from '../icao/lds';
import { toYymmdd } from '../util/dates';
import { CardRemovedError, type CardTransport, type TransportLimits } from '../transport/types';
import {
  CardEngine,
  engineTransport,
  type CardEngineHooks,
  type SoftCardOptions as EngineOptions,
} from './card-engine';
import {
  buildDg1,
  buildDg2,
  buildEfCom,
  buildSoftCard,
  type CardFaults,
  type SoftCardBuildOptions,
} from './lds-builder';
import { DEFAULT_PERSON, facePhotoJpeg, type SoftPerson } from './person';
import { attackPki, isTrustFault, trustFolderFor, type TrustFile } from './attack-pki';
import { generateKey } from './pki';

export type SoftCardFault =
  | { kind: 'altered-dg1' }
  | { kind: 'altered-dg2' }
  | { kind: 'altered-dg13' }
  | { kind: 'bad-signature' }
  | { kind: 'unknown-csca' }
  | { kind: 'clone' }
  | { kind: 'no-sod' }
  | { kind: 'remove-at'; n: number }
  | { kind: 'max-read'; n: number }
  | { kind: 'no-extended' }
  | { kind: 'slow'; ms: number }
  | { kind: 'splice-signer-info' }
  | { kind: 'withhold-dg14' }
  | { kind: 'withhold-dg15' }
  | { kind: 'withhold-dg2' }
  | { kind: 'aa-not-supported' }
  | { kind: 'ca-bare-sw'; sw: number }
  | { kind: 'pace-bad-token' }
  | { kind: 'own-csca' }
  | { kind: 'spoofed-aki' }
  | { kind: 'foreign-csca' }
  | { kind: 'ds-no-keyusage' }
  | { kind: 'csca-not-ca' }
  | { kind: 'dg1-dg13-mismatch' }
  | { kind: 'plain-errors' }
  | { kind: 'dg2-no-template' };

/** The attack lab's forgeries and clones (each must be rejected with its own reason). */
export const ATTACK_FAULTS = [
  'splice-signer-info',
  'withhold-dg14',
  'withhold-dg15',
  'withhold-dg2',
  'aa-not-supported',
  'ca-bare-sw',
  'pace-bad-token',
  'own-csca',
  'spoofed-aki',
  'foreign-csca',
  'ds-no-keyusage',
  'csca-not-ca',
  'dg1-dg13-mismatch',
] as const;

/** Honest interoperability faults: a genuine card that reads differently (must stay genuine). */
export const HONEST_FAULTS = ['plain-errors', 'dg2-no-template'] as const;

/** The fault names as the CLI takes them (`N`/`MS` = a whole number). */
export const FAULT_NAMES = [
  'altered-dg1',
  'altered-dg2',
  'altered-dg13',
  'bad-signature',
  'unknown-csca',
  'clone',
  'no-sod',
  'remove-at:N',
  'max-read:N',
  'no-extended',
  'slow:MS',
  // ca-bare-sw also takes a status word, ca-bare-sw:6A82 (see above).
  ...ATTACK_FAULTS,
  ...HONEST_FAULTS,
] as const;

/** The faults named by their kind alone (no `:N` value; ca-bare-sw is parsed with its status word). */
const SIMPLE: ReadonlySet<string> = new Set(
  FAULT_NAMES.filter((f) => !f.includes(':') && f !== 'ca-bare-sw'),
);

function unknownFault(text: string): Error {
  return bilingualError(
    'soft_card_fault_unknown',
    `Lỗi mô phỏng "${text}" không tồn tại. Các lỗi có thể dùng: ${FAULT_NAMES.join(', ')}.`,
    `Unknown simulated fault "${text}". Known faults: ${FAULT_NAMES.join(', ')}.`,
  );
}

function badFaultNumber(text: string, range: string): Error {
  return bilingualError(
    'soft_card_fault_invalid',
    `Lỗi mô phỏng "${text}" cần một số nguyên ${range}.`,
    `Simulated fault "${text}" needs a whole number ${range}.`,
  );
}

/** Parses one fault as named on the command line; throws a bilingual IcaoError for unknown names. */
export function parseFault(text: string): SoftCardFault {
  const t = text.trim().toLowerCase();
  if (SIMPLE.has(t)) return { kind: t } as SoftCardFault;
  if (t === 'ca-bare-sw') return { kind: 'ca-bare-sw', sw: 0x9000 };
  const bare = /^ca-bare-sw:(.*)$/.exec(t);
  if (bare) {
    const v = bare[1]!;
    if (!/^[0-9a-f]{4}$/.test(v)) throw badFaultNumber(text, '(a status word in hex, e.g. 6A82)');
    return { kind: 'ca-bare-sw', sw: parseInt(v, 16) };
  }
  const m = /^(remove-at|max-read|slow):(.*)$/.exec(t);
  if (!m) throw unknownFault(text);
  const kind = m[1] as 'remove-at' | 'max-read' | 'slow';
  const value = m[2]!;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (kind === 'remove-at') {
    if (!(n >= 1)) throw badFaultNumber(text, '≥ 1');
    return { kind, n };
  }
  if (kind === 'max-read') {
    if (!(n >= 1 && n <= 65536)) throw badFaultNumber(text, '1-65536');
    return { kind, n };
  }
  if (!(n >= 0 && n <= 60_000)) throw badFaultNumber(text, '0-60000');
  return { kind, ms: n };
}

/** The CLI name of a fault (inverse of parseFault). */
export function faultName(f: SoftCardFault): string {
  if (f.kind === 'remove-at' || f.kind === 'max-read') return `${f.kind}:${f.n}`;
  if (f.kind === 'slow') return `slow:${f.ms}`;
  if (f.kind === 'ca-bare-sw')
    return f.sw === 0x9000 ? f.kind : `${f.kind}:${f.sw.toString(16).toUpperCase().padStart(4, '0')}`;
  return f.kind;
}

export interface CreateSoftCardOptions {
  /** The holder (default DEFAULT_PERSON, fictional). */
  person?: SoftPerson;
  /** Faults, parsed or by name. */
  faults?: (SoftCardFault | string)[];
  /** The in-memory reader's limits (default: extended length, 64 KiB). */
  limits?: Partial<TransportLimits>;
  /** false = no EF.CardAccess (a chip without PACE: terminals must use BAC). Default true. */
  pace?: boolean;
  /** QR form printed on the front: 7 fields, or 11 (default for cards issued from 2024). */
  qrForm?: 7 | 11;
  /** More card-engine options (e.g. refuseSelectMf); the faults' settings win. */
  engine?: EngineOptions;
  /** More lds-builder options (PKI, AA key type, DG13 nesting, extra faults ...); `faults` add to them. */
  build?: Omit<SoftCardBuildOptions, 'person'>;
}

export interface SoftCard {
  engine: CardEngine;
  /** In-memory CardTransport in front of the engine (with the faults applied). */
  transport: CardTransport;
  /** The QR text on the card's front (7 or 11 fields). */
  qrText: string;
  /**
   * The genuine VN test CSCA (with `unknown-csca` and `own-csca` it did NOT issue this card's signer;
   * with `foreign-csca` and `csca-not-ca` another certificate in `trustFolder` did).
   */
  csca: { der: Uint8Array; pem: string };
  /** What a kiosk's trust folder holds in this card's scenario (attack-pki trustFolderFor). */
  trustFolder: TrustFile[];
  person: SoftPerson;
  mrzLines: string[];
  mrzInformation: string;
  /** PACE CAN: the last 6 digits of the ID. */
  can: string;
  /** File contents by FID as loaded into the engine. */
  files: Map<number, Uint8Array>;
  faults: SoftCardFault[];
  /** Number of simulated removals so far (remove-at). */
  readonly removals: number;
}

/** The same ID with its last digit changed (dg1-dg13-mismatch). */
function otherIdNumber(id: string): string {
  const last = Number(id.slice(-1));
  return `${id.slice(0, -1)}${(last + 1) % 10}`;
}

function ddmmyyyy(iso: string): string {
  return `${iso.slice(8, 10)}${iso.slice(5, 7)}${iso.slice(0, 4)}`;
}

/** The QR text of a CCCD front: ID|old ID|name|DOB|Nam/Nữ|residence|issue date (+4 empty fields). */
export function cccdQrText(person: SoftPerson, form?: 7 | 11): string {
  const f = form ?? (person.dateOfIssue >= '2024-01-01' ? 11 : 7);
  const fields = [
    person.idNumber,
    person.oldIdNumber ?? '',
    person.fullName.normalize('NFC'),
    ddmmyyyy(person.dateOfBirth),
    person.sex === 'M' ? 'Nam' : 'Nữ',
    person.residence.normalize('NFC'),
    ddmmyyyy(person.dateOfIssue),
  ];
  if (f === 11) fields.push('', '', '', '');
  return fields.join('|');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Hooks for the transport-level faults (remove-at, slow): they run inside the engine, so they act
 * the same whatever drives it (the in-memory transport, vpcd, a PN532 emulator).
 */
function faultHooks(
  faults: SoftCardFault[],
  getEngine: () => CardEngine,
  onRemoval: () => void,
): CardEngineHooks | undefined {
  const slow = faults.filter((f): f is { kind: 'slow'; ms: number } => f.kind === 'slow');
  const removeAt = faults
    .filter((f): f is { kind: 'remove-at'; n: number } => f.kind === 'remove-at')
    .map((f) => f.n);
  if (slow.length === 0 && removeAt.length === 0) return undefined;
  const delay = slow.reduce((sum, f) => sum + f.ms, 0);
  const pending = new Set(removeAt);
  let count = 0;
  return {
    before: async () => {
      count++;
      if (pending.has(count)) {
        pending.delete(count);
        // The card left the field: it loses its session, and the command never reaches it.
        getEngine().reset();
        onRemoval();
        throw new CardRemovedError('simulated card removal');
      }
      if (delay > 0) await sleep(delay);
      return undefined;
    },
  };
}

/** Builds a software CCCD for `person` with `faults`. */
export function createSoftCard(options: CreateSoftCardOptions = {}): SoftCard {
  const person = options.person ?? DEFAULT_PERSON;
  const faults = (options.faults ?? []).map((f) => (typeof f === 'string' ? parseFault(f) : f));
  const has = (kind: SoftCardFault['kind']): boolean => faults.some((f) => f.kind === kind);

  const cardFaults: CardFaults = { ...options.build?.faults };
  const altered = [1, 2, 13].filter((n) => has(`altered-dg${n}` as SoftCardFault['kind']));
  if (altered.length > 0) cardFaults.alterAfterSigning = altered;
  if (has('bad-signature')) cardFaults.badSignature = true;
  if (has('unknown-csca')) cardFaults.untrustedSigner = true;
  if (has('no-sod')) cardFaults.noSod = true;
  if (has('splice-signer-info')) cardFaults.spliceSignerInfo = true;
  const withheld = [14, 15, 2].filter((n) => has(`withhold-dg${n}` as SoftCardFault['kind']));
  if (withheld.length > 0) cardFaults.withhold = [...(cardFaults.withhold ?? []), ...withheld];
  if (has('dg1-dg13-mismatch')) cardFaults.dg1IdNumber = otherIdNumber(person.idNumber);
  if (has('dg2-no-template')) cardFaults.dg2NoTemplate = true;
  if (has('plain-errors')) cardFaults.comListsAbsent = [...(cardFaults.comListsAbsent ?? []), 15];
  const pkiOptions = options.build?.pkiOptions;
  for (const f of faults) {
    if (isTrustFault(f.kind)) cardFaults.signer = attackPki(f.kind, pkiOptions).ds;
  }
  const build: SoftCardBuildOptions = { ...options.build, person, faults: cardFaults };
  // A chip without Active Authentication (EF.COM still names DG15: see plain-errors above).
  if (has('plain-errors')) build.aaKey = false;
  const built = buildSoftCard(build);

  const files = new Map(built.files);
  if (options.pace === false) files.delete(FID.cardAccess);

  let caKey: typeof built.ca | undefined = built.ca;
  let signChallenge = built.signChallenge;
  if (has('clone')) {
    // A clone copies every file but cannot read the chip's private keys: it answers with its own.
    const fresh = ecdhKeyPair(curveByName(built.ca.curve));
    caKey = { ...built.ca, privateKey: fresh.privateKey, publicKey: fresh.publicKey };
    if (built.aa) {
      const other = generateKey(
        built.aa.spec.type === 'rsa'
          ? { type: 'rsa', bits: built.aa.spec.bits }
          : { type: 'ec', curve: built.aa.spec.curve },
      );
      signChallenge = challengeSigner(other.privateKey, { ecdsaHash: built.aa.ecdsaHash });
    }
  }

  // A clone that hides DG14 / DG15 has no key behind them either.
  if (withheld.includes(14)) caKey = undefined;
  if (withheld.includes(15)) signChallenge = undefined;

  const engineOptions: EngineOptions = { ...options.engine };
  for (const f of faults) {
    if (f.kind === 'max-read') engineOptions.maxRead = f.n;
    if (f.kind === 'no-extended') engineOptions.extendedLength = false;
    if (f.kind === 'aa-not-supported') engineOptions.refuseIns = [...(engineOptions.refuseIns ?? []), 0x88];
    if (f.kind === 'ca-bare-sw') engineOptions.caBareSw = f.sw;
    if (f.kind === 'pace-bad-token') engineOptions.paceBadToken = true;
    if (f.kind === 'plain-errors') engineOptions.plainErrors = true;
  }

  let removals = 0;
  // The hooks reach the engine through a closure: it exists by the time the first command runs.
  const hooks = faultHooks(
    faults,
    () => engine,
    () => removals++,
  );
  const engine = new CardEngine({
    files,
    mrzInformation: built.mrzInformation,
    can: built.can,
    ...(caKey ? { caKey } : {}),
    caOid: built.ca.oid,
    ...(signChallenge ? { signChallenge } : {}),
    options: engineOptions,
    ...(hooks ? { hooks } : {}),
  });
  const transport = engineTransport(engine, { name: 'software CCCD', limits: options.limits });
  return {
    engine,
    transport,
    qrText: cccdQrText(person, options.qrForm),
    csca: built.csca,
    // The genuine entry is the CSCA this card was built under (a custom `build.pki` included).
    trustFolder: trustFolderFor(
      faults.map((f) => f.kind),
      pkiOptions,
    ).map((f) => (f.role === 'genuine-csca' ? { ...f, der: built.csca.der, pem: built.csca.pem } : f)),
    person,
    mrzLines: [...built.mrzLines],
    mrzInformation: built.mrzInformation,
    can: built.can,
    files,
    faults,
    get removals() {
      return removals;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A plain ICAO 9303 passport (not a CCCD)

export interface PassportPerson {
  /** Document number, up to 9 characters A-Z 0-9. */
  documentNumber: string;
  /** Three-letter code of the issuing state and of the nationality. */
  issuingState: string;
  nationality: string;
  /** MRZ names: A-Z and spaces. */
  surname: string;
  givenNames: string;
  /** ISO dates. */
  dateOfBirth: string;
  dateOfExpiry: string;
  sex: 'M' | 'F';
  /** Personal number (up to 14 characters), optional. */
  personalNumber?: string;
  photoSeed?: number;
}

/** A fictional passport holder of the fictional state Utopia (UTO), as in the ICAO 9303 specimens. */
export const DEFAULT_PASSPORT_PERSON: PassportPerson = Object.freeze({
  documentNumber: 'X12345678',
  issuingState: 'UTO',
  nationality: 'UTO',
  surname: 'ERIKSSON',
  givenNames: 'ANNA MARIA',
  dateOfBirth: '1984-08-12',
  dateOfExpiry: '2034-04-15',
  sex: 'F',
  photoSeed: 7,
}) as PassportPerson;

function mrzField(text: string, length: number): string {
  const up = text.toUpperCase().trim().replace(/\s+/g, '<');
  if (/[^A-Z0-9<]/.test(up)) throw new RangeError('MRZ fields are A-Z, 0-9 and spaces');
  if (up.length > length) throw new RangeError(`MRZ field longer than ${length}`);
  return up.padEnd(length, '<');
}

/** The two TD3 lines (2 x 44) of a passport with every check digit. */
export function formatTd3Mrz(p: PassportPerson): [string, string] {
  const name = `${mrzField(p.surname, 39).replace(/<+$/, '')}<<${p.givenNames.toUpperCase().trim().replace(/\s+/g, '<')}`;
  const l1 = `P<${mrzField(p.issuingState, 3)}${mrzField(name.slice(0, 39), 39)}`;
  const doc = mrzField(p.documentNumber, 9);
  const dob = toYymmdd(p.dateOfBirth);
  const doe = toYymmdd(p.dateOfExpiry);
  const personal = mrzField(p.personalNumber ?? '', 14);
  const personalCd = /^<+$/.test(personal) ? '<' : String(checkDigit(personal));
  const head = `${doc}${checkDigit(doc)}${mrzField(p.nationality, 3)}${dob}${checkDigit(dob)}${p.sex}${doe}${checkDigit(doe)}${personal}${personalCd}`;
  const composite = checkDigit(head.slice(0, 10) + head.slice(13, 20) + head.slice(21, 43));
  return [l1, `${head}${composite}`];
}

export interface SoftPassport {
  engine: CardEngine;
  transport: CardTransport;
  person: PassportPerson;
  mrzLines: string[];
  /** The MRZ as one would type it (both lines, newline-separated). */
  mrzText: string;
  mrzInformation: string;
  files: Map<number, Uint8Array>;
}

/**
 * A basic eMRTD: BAC only (no EF.CardAccess, no PACE), EF.COM listing DG1 and DG2, no DG13, no
 * EF.SOD, no Chip or Active Authentication. Plain READ BINARY works; nothing on it can be proven.
 */
export function createSoftPassport(
  options: { person?: PassportPerson; limits?: Partial<TransportLimits>; engine?: EngineOptions } = {},
): SoftPassport {
  const person = options.person ?? DEFAULT_PASSPORT_PERSON;
  const lines = formatTd3Mrz(person);
  const files = new Map<number, Uint8Array>([
    [FID.com, buildEfCom([0x61, 0x75])],
    [0x0101, buildDg1(lines)],
    [0x0102, buildDg2(facePhotoJpeg(person.photoSeed ?? 1), person.sex)],
  ]);
  const doc = lines[1].slice(0, 10);
  const mrzInformation = `${doc}${lines[1].slice(13, 20)}${lines[1].slice(21, 28)}`;
  const engine = new CardEngine({
    files,
    mrzInformation,
    can: '000000',
    options: { ...options.engine },
  });
  return {
    engine,
    transport: engineTransport(engine, { name: 'software passport', limits: options.limits }),
    person,
    mrzLines: [...lines],
    mrzText: lines.join('\n'),
    mrzInformation,
    files,
  };
}
