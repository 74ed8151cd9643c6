/**
 * The software card's protocol engine: answers raw command APDUs like an ICAO 9303 eMRTD chip
 * (a CCCD). Transport-agnostic: anything that can hand it a command APDU (an in-memory transport,
 * a vpcd socket, a PN532 emulator) can drive it.
 *
 * Supported: SELECT (eMRTD AID, EF by FID, MF optionally refused with 6D00), GET CHALLENGE,
 * EXTERNAL AUTHENTICATE (BAC), MSE:Set AT + GENERAL AUTHENTICATE (PACE-ECDH-GM), Chip
 * Authentication (MSE:Set KAT, or MSE:Set AT + GENERAL AUTHENTICATE), READ BINARY (B0 short and
 * extended, SFI, B1 with DO 54/53), INTERNAL AUTHENTICATE (delegated to `signChallenge`); all under
 * secure messaging once opened. Errors answer with the ISO 7816-4 status words a real chip uses.
 * `hooks.before` / `hooks.after` see (and may replace) every exchange for fault injection.
 */

import { concat, equalBytes } from '../util/bytes';
import { ApduError, decodeCommand, encodeResponse, type DecodedCommand } from '../iso7816/apdu';
import { bacCardRespond, bacKeys } from '../icao/bac';
import { caAlgorithm, decodeOid, OID } from '../icao/card-access';
import { chipAuthCardSession, type ChipAuthCardKey } from '../icao/chip-auth';
import { randomBytes } from '../icao/crypto';
import { PaceChip, type PacePassword } from '../icao/pace';
import { protectResponse, SmCardError, unprotectCommand, type SmSession } from '../icao/sm';
import { SW } from '../iso7816/sw';
import { decodeAll, decodeOne, encode, find, type Tlv } from '../iso7816/tlv';
import type { CardTransport, TransportLimits } from '../transport/types';

const EMRTD_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01);
const CARD_ACCESS_FID = 0x011c;

export interface SoftCardOptions {
  /** Largest Le READ BINARY honours (default 65536). */
  maxRead?: number;
  /** Answer to a READ BINARY asking for more than maxRead: fewer bytes (default), 6700 or 6Cxx. */
  readLimitResponse?: 'truncate' | '6700' | '6Cxx';
  /** Accept extended-length APDUs (default true); refused ones get a bare 6700. */
  extendedLength?: boolean;
  /** Answer SELECT MF with 6D00, as some readers/cards do. */
  refuseSelectMf?: boolean;
  /** Files that need Terminal Authentication (EAC): READ BINARY answers 6982. Default [DG3]. */
  eacProtectedFids?: number[];
  /** Accept BAC (default true). */
  bac?: boolean;
  /**
   * Instructions answered with a bare 6D00 before any secure-messaging processing (the command is not
   * counted in the SSC), as a chip that does not implement them. aa-not-supported: [0x88].
   */
  refuseIns?: number[];
  /**
   * Errors under secure messaging (6A82 for a file the chip lacks, 6982, ...) are answered with a
   * plain status word, without SM objects, AFTER the command was counted in the SSC (the response
   * is not counted). Some independent chip implementations do this.
   */
  plainErrors?: boolean;
  /**
   * A clone without the Chip Authentication private key: MSE:Set AT and GENERAL AUTHENTICATE are
   * accepted (answered under the old keys), but no new keys are derived; every later protected
   * command (the terminal's confirmation under the new keys first) gets this bare status word,
   * with no SM objects, until a plain command starts over. ca-bare-sw: 0x9000.
   */
  caBareSw?: number;
  /** PACE mutual authentication answers a wrong chip token T_IC (a fake chip). */
  paceBadToken?: boolean;
  /** Fixed values for reproducible runs (tests); random otherwise. */
  fixed?: {
    rndIc?: Uint8Array;
    kIc?: Uint8Array;
    paceNonce?: Uint8Array;
    paceMappingPrivateKey?: Uint8Array;
    paceEphemeralPrivateKey?: Uint8Array;
  };
}

export interface CardEngineState {
  /** How the current secure channel was opened, or 'none'. */
  access: 'none' | 'bac' | 'pace';
  chipAuthenticated: boolean;
  applicationSelected: boolean;
  selectedFid: number | undefined;
}

export interface CardEngineHooks {
  /** Runs before each command; returning bytes answers the command with them instead. */
  before?: (
    command: Uint8Array,
    state: Readonly<CardEngineState>,
  ) => Uint8Array | undefined | void | Promise<Uint8Array | undefined | void>;
  /** Runs after each command; returning bytes replaces the response. */
  after?: (
    command: Uint8Array,
    response: Uint8Array,
    state: Readonly<CardEngineState>,
  ) => Uint8Array | undefined | void | Promise<Uint8Array | undefined | void>;
}

export interface SoftCardConfig {
  /** File contents by FID (EF.CardAccess 011C, EF.COM 011E, EF.SOD 011D, DGn 01nn). */
  files: Map<number, Uint8Array>;
  /** MRZ information (document number + DOB + DOE with check digits) for BAC and PACE-MRZ. */
  mrzInformation: string;
  /** Card Access Number for PACE-CAN. */
  can: string;
  /** PACE standardized domain parameter id (default 13, brainpoolP256r1). */
  paceParameterId?: number;
  /** PACE protocol OID (default id-PACE-ECDH-GM-AES-CBC-CMAC-128). */
  paceOid?: string;
  /** Chip Authentication key pair; without it CA commands are refused. */
  caKey?: ChipAuthCardKey;
  /** Chip Authentication protocol OID (default id-CA-ECDH-AES-CBC-CMAC-128). */
  caOid?: string;
  /** Active Authentication: signs INTERNAL AUTHENTICATE challenges; without it INS 88 is refused. */
  signChallenge?: (challenge: Uint8Array) => Promise<Uint8Array>;
  options?: SoftCardOptions;
  hooks?: CardEngineHooks;
}

interface Answer {
  data: Uint8Array;
  sw: number;
}

const EMPTY = new Uint8Array(0);

function status(sw: number): Answer {
  return { data: EMPTY, sw };
}

function parseDos(data: Uint8Array): Tlv[] | undefined {
  try {
    return decodeAll(data);
  } catch {
    return undefined;
  }
}

function lengthFieldSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4;
}

export class CardEngine {
  private readonly config: SoftCardConfig;
  private readonly options: SoftCardOptions;
  private sm: SmSession | undefined;
  /** Session that replaces `sm` once the current response is sent (Chip Authentication). */
  private pendingSession: SmSession | undefined;
  private access: 'none' | 'bac' | 'pace' = 'none';
  private chipAuthenticated = false;
  private applicationSelected = false;
  private selectedFid: number | undefined;
  private rndIc: Uint8Array | undefined;
  private paceChip: PaceChip | undefined;
  private caSetAtOid: string | undefined;
  /** caBareSw: the terminal switched to keys this chip never derived. */
  private caBroken = false;
  /** Number of commands processed (for tests and benchmarks). */
  commandCount = 0;

  constructor(config: SoftCardConfig) {
    this.config = config;
    this.options = config.options ?? {};
  }

  get state(): CardEngineState {
    return {
      access: this.access,
      chipAuthenticated: this.chipAuthenticated,
      applicationSelected: this.applicationSelected,
      selectedFid: this.selectedFid,
    };
  }

  /** Power cycle: the chip forgets its secure channel and selections. */
  reset(): void {
    this.closeSession();
    this.applicationSelected = false;
    this.selectedFid = undefined;
  }

  private closeSession(): void {
    this.sm = undefined;
    this.pendingSession = undefined;
    this.access = 'none';
    this.chipAuthenticated = false;
    this.rndIc = undefined;
    this.paceChip = undefined;
    this.caSetAtOid = undefined;
    this.caBroken = false;
  }

  /** Answers one command APDU with one response APDU. */
  async process(command: Uint8Array): Promise<Uint8Array> {
    this.commandCount++;
    const hooks = this.config.hooks;
    const early = await hooks?.before?.(command, this.state);
    if (early) return early;
    const response = await this.handle(command);
    const replaced = await hooks?.after?.(command, response, this.state);
    return replaced ?? response;
  }

  private async handle(raw: Uint8Array): Promise<Uint8Array> {
    let cmd: DecodedCommand;
    try {
      cmd = decodeCommand(raw);
    } catch (e) {
      if (e instanceof ApduError) return encodeResponse(EMPTY, SW.WRONG_LENGTH);
      throw e;
    }
    if (cmd.extended && this.options.extendedLength === false) return encodeResponse(EMPTY, SW.WRONG_LENGTH);
    if ((cmd.cla & 0xe0) !== 0) return encodeResponse(EMPTY, SW.CLA_NOT_SUPPORTED);
    if ((cmd.cla & 0x03) !== 0) return encodeResponse(EMPTY, SW.LOGICAL_CHANNEL_NOT_SUPPORTED);
    const secured = (cmd.cla & 0x0c) === 0x0c;
    if ((cmd.cla & 0x0c) !== 0 && !secured) return encodeResponse(EMPTY, SW.SECURE_MESSAGING_NOT_SUPPORTED);
    if (this.options.refuseIns?.includes(cmd.ins)) return encodeResponse(EMPTY, SW.INS_NOT_SUPPORTED);
    if (secured && this.caBroken) {
      // The clone cannot check the MAC under keys it never derived: it just says "fine".
      return encodeResponse(EMPTY, this.options.caBareSw ?? SW.OK);
    }

    if (!secured) {
      // A plain command ends any secure channel (ICAO 9303-11 §9.8.7).
      if (this.sm) this.closeSession();
      const answer = await this.dispatch(cmd, false);
      if (this.pendingSession) {
        this.sm = this.pendingSession;
        this.pendingSession = undefined;
      }
      return encodeResponse(answer.data, answer.sw);
    }

    const session = this.sm;
    if (!session) return encodeResponse(EMPTY, SW.SM_DATA_OBJECTS_MISSING);
    let plain: DecodedCommand;
    try {
      plain = unprotectCommand(session, cmd);
    } catch (e) {
      this.closeSession();
      if (e instanceof SmCardError) return encodeResponse(EMPTY, e.sw);
      return encodeResponse(EMPTY, SW.SM_DATA_OBJECTS_INCORRECT);
    }
    const answer = await this.dispatch(plain, true);
    if (this.sm !== session) return encodeResponse(answer.data, answer.sw); // channel replaced in dispatch
    if (this.options.plainErrors && answer.data.length === 0 && isError(answer.sw)) {
      // Counted (unprotectCommand moved the SSC), answered in clear.
      return encodeResponse(EMPTY, answer.sw);
    }
    const response = protectResponse(session, answer.data, answer.sw, (plain.ins & 1) === 1);
    if (this.pendingSession) {
      this.sm = this.pendingSession;
      this.pendingSession = undefined;
    }
    return response;
  }

  private async dispatch(cmd: DecodedCommand, secured: boolean): Promise<Answer> {
    const chained = (cmd.cla & 0x10) !== 0;
    if (chained && cmd.ins !== 0x86) return status(0x6884);
    switch (cmd.ins) {
      case 0xa4:
        return this.select(cmd, secured);
      case 0xb0:
      case 0xb1:
        return this.readBinary(cmd, secured);
      case 0x84:
        return this.getChallenge(cmd);
      case 0x82:
        return this.externalAuthenticate(cmd, secured);
      case 0x22:
        return this.manageSecurityEnvironment(cmd, secured);
      case 0x86:
        return this.generalAuthenticate(cmd, secured, chained);
      case 0x88:
        return this.internalAuthenticate(cmd, secured);
      default:
        return status(SW.INS_NOT_SUPPORTED);
    }
  }

  private select(cmd: DecodedCommand, secured: boolean): Answer {
    if (cmd.p2 !== 0x0c && cmd.p2 !== 0x00) return status(SW.INCORRECT_P1P2);
    if (cmd.p1 === 0x04) {
      if (!equalBytes(cmd.data, EMRTD_AID)) return status(SW.FILE_NOT_FOUND);
      this.applicationSelected = true;
      this.selectedFid = undefined;
      return status(SW.OK);
    }
    if (cmd.p1 !== 0x00 && cmd.p1 !== 0x02) return status(SW.INCORRECT_P1P2);
    if (cmd.p1 === 0x00 && (cmd.data.length === 0 || (cmd.data[0] === 0x3f && cmd.data[1] === 0x00))) {
      if (this.options.refuseSelectMf) return status(SW.INS_NOT_SUPPORTED);
      this.applicationSelected = false;
      this.selectedFid = undefined;
      return status(SW.OK);
    }
    if (cmd.data.length !== 2) return status(SW.WRONG_LENGTH);
    const fid = (cmd.data[0]! << 8) | cmd.data[1]!;
    if (fid === CARD_ACCESS_FID) {
      if (!this.config.files.has(fid)) return status(SW.FILE_NOT_FOUND);
      this.selectedFid = fid;
      return status(SW.OK);
    }
    if (!this.applicationSelected || !this.config.files.has(fid)) return status(SW.FILE_NOT_FOUND);
    if (!secured) return status(SW.SECURITY_STATUS_NOT_SATISFIED);
    this.selectedFid = fid;
    return status(SW.OK);
  }

  private readBinary(cmd: DecodedCommand, secured: boolean): Answer {
    if (cmd.le === undefined) return status(SW.WRONG_LENGTH);
    let fid = this.selectedFid;
    let offset: number;
    const odd = cmd.ins === 0xb1;
    if (odd) {
      if (cmd.p1 !== 0 || cmd.p2 !== 0) return status(SW.INCORRECT_P1P2);
      const dos = parseDos(cmd.data);
      const off = dos && find(dos, 0x54);
      if (!off || off.value.length === 0 || off.value.length > 3) return status(SW.WRONG_DATA);
      offset = 0;
      for (const b of off.value) offset = offset * 256 + b;
    } else if (cmd.p1 & 0x80) {
      if (cmd.p1 & 0x60) return status(SW.INCORRECT_P1P2);
      const sfi = cmd.p1 & 0x1f;
      const sfiFid = 0x0100 | sfi;
      if (!this.config.files.has(sfiFid) || (sfiFid !== CARD_ACCESS_FID && !this.applicationSelected)) {
        return status(SW.FILE_NOT_FOUND);
      }
      if (sfiFid !== CARD_ACCESS_FID && !secured) return status(SW.SECURITY_STATUS_NOT_SATISFIED);
      fid = sfiFid;
      this.selectedFid = fid;
      offset = cmd.p2;
    } else {
      offset = (cmd.p1 << 8) | cmd.p2;
    }
    if (fid === undefined) return status(SW.COMMAND_NOT_ALLOWED);
    const file = this.config.files.get(fid);
    if (!file) return status(SW.FILE_NOT_FOUND);
    if (fid !== CARD_ACCESS_FID && !secured) return status(SW.SECURITY_STATUS_NOT_SATISFIED);
    const eac = this.options.eacProtectedFids ?? [0x0103];
    if (eac.includes(fid)) return status(SW.SECURITY_STATUS_NOT_SATISFIED);
    if (offset >= file.length) return status(SW.WRONG_P1P2);

    const remaining = file.length - offset;
    const overhead = (n: number): number => (odd ? 1 + lengthFieldSize(n) : 0);
    const maxRead = this.options.maxRead ?? 65536;
    let wire = cmd.le;
    if (wire > maxRead) {
      const mode = this.options.readLimitResponse ?? 'truncate';
      if (mode === '6700') return status(SW.WRONG_LENGTH);
      if (mode === '6Cxx') {
        const exact = Math.min(maxRead, remaining + overhead(remaining), 256);
        return status(0x6c00 | (exact & 0xff));
      }
      wire = maxRead;
    }
    let n = Math.min(remaining, wire - overhead(wire));
    while (n > 0 && n + overhead(n) > wire) n--;
    if (n <= 0) return status(SW.WRONG_LENGTH);
    const chunk = file.subarray(offset, offset + n);
    const sw = n < cmd.le - overhead(n) && n === remaining ? SW.END_OF_FILE : SW.OK;
    return { data: odd ? encode(0x53, chunk) : chunk.slice(), sw };
  }

  private getChallenge(cmd: DecodedCommand): Answer {
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return status(SW.INCORRECT_P1P2);
    if (cmd.le !== 8) return status(SW.WRONG_LENGTH);
    this.rndIc = this.options.fixed?.rndIc?.slice() ?? randomBytes(8);
    return { data: this.rndIc.slice(), sw: SW.OK };
  }

  private externalAuthenticate(cmd: DecodedCommand, secured: boolean): Answer {
    if (this.options.bac === false) return status(SW.INS_NOT_SUPPORTED);
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return status(SW.INCORRECT_P1P2);
    if (secured) return status(SW.CONDITIONS_NOT_SATISFIED);
    const rndIc = this.rndIc;
    this.rndIc = undefined;
    if (!rndIc) return status(SW.CONDITIONS_NOT_SATISFIED);
    if (cmd.data.length !== 40) return status(SW.WRONG_LENGTH);
    const result = bacCardRespond(
      bacKeys(this.config.mrzInformation),
      rndIc,
      cmd.data,
      this.options.fixed?.kIc,
    );
    if (!result) return status(SW.VERIFICATION_FAILED);
    this.pendingSession = result.session;
    this.access = 'bac';
    this.chipAuthenticated = false;
    return { data: result.response, sw: SW.OK };
  }

  private manageSecurityEnvironment(cmd: DecodedCommand, secured: boolean): Answer {
    const dos = parseDos(cmd.data);
    if (!dos) return status(SW.WRONG_DATA);
    const p1p2 = (cmd.p1 << 8) | cmd.p2;
    if (p1p2 === 0xc1a4) return this.paceSetAt(dos);
    if (p1p2 === 0x41a4 || p1p2 === 0x41a6) {
      if (!secured) return status(SW.SECURITY_STATUS_NOT_SATISFIED);
      const caKey = this.config.caKey;
      if (!caKey) return status(SW.FUNCTION_NOT_SUPPORTED);
      const keyRef = find(dos, 0x84);
      if (keyRef) {
        let id = 0;
        for (const b of keyRef.value) id = id * 256 + b;
        if (caKey.keyId === undefined || id !== caKey.keyId) return status(SW.REFERENCE_DATA_NOT_FOUND);
      }
      const caOid = this.config.caOid ?? OID.CA_ECDH_AES128;
      if (p1p2 === 0x41a4) {
        const oid = find(dos, 0x80);
        if (!oid || safeOid(oid.value) !== caOid || caAlgorithm(caOid)?.cipher === '3DES')
          return status(SW.WRONG_DATA);
        this.caSetAtOid = caOid;
        return status(SW.OK);
      }
      // MSE:Set KAT: 3DES Chip Authentication in one step.
      if (caAlgorithm(caOid)?.cipher !== '3DES') return status(SW.WRONG_DATA);
      const pk = find(dos, 0x91);
      if (!pk) return status(SW.WRONG_DATA);
      return this.startChipAuthSession(caOid, pk.value, EMPTY);
    }
    return status(SW.INCORRECT_P1P2);
  }

  private paceSetAt(dos: Tlv[]): Answer {
    this.paceChip = undefined;
    const oid = find(dos, 0x80);
    const ref = find(dos, 0x83);
    const param = find(dos, 0x84);
    const paceOid = this.config.paceOid ?? OID.PACE_ECDH_GM_AES128;
    const parameterId = this.config.paceParameterId ?? 13;
    if (!oid || safeOid(oid.value) !== paceOid) return status(SW.WRONG_DATA);
    if (param && (param.value.length !== 1 || param.value[0] !== parameterId)) return status(SW.WRONG_DATA);
    if (!ref || ref.value.length !== 1) return status(SW.WRONG_DATA);
    let password: PacePassword;
    if (ref.value[0] === 0x01) password = { kind: 'mrz', mrzInformation: this.config.mrzInformation };
    else if (ref.value[0] === 0x02) password = { kind: 'can', can: this.config.can };
    else return status(SW.REFERENCE_DATA_NOT_FOUND);
    const fixed = this.options.fixed;
    this.paceChip = new PaceChip({ protocol: paceOid, parameterId }, password, {
      ...(fixed?.paceNonce ? { nonce: fixed.paceNonce } : {}),
      ...(fixed?.paceMappingPrivateKey ? { mappingPrivateKey: fixed.paceMappingPrivateKey } : {}),
      ...(fixed?.paceEphemeralPrivateKey ? { ephemeralPrivateKey: fixed.paceEphemeralPrivateKey } : {}),
    });
    return status(SW.OK);
  }

  private generalAuthenticate(cmd: DecodedCommand, secured: boolean, chained: boolean): Answer {
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return status(SW.INCORRECT_P1P2);
    let inner: Tlv[];
    try {
      const outer = decodeOne(cmd.data);
      if (outer.tag !== 0x7c || outer.length !== cmd.data.length) return status(SW.WRONG_DATA);
      inner = decodeAll(outer.value);
    } catch {
      return status(SW.WRONG_DATA);
    }
    const chip = this.paceChip;
    if (chip) return this.paceStep(chip, inner, chained);
    if (this.caSetAtOid && secured && !chained) {
      const oid = this.caSetAtOid;
      this.caSetAtOid = undefined;
      const pk = find(inner, 0x80);
      if (!pk) return status(SW.WRONG_DATA);
      return this.startChipAuthSession(oid, pk.value, encode(0x7c, EMPTY));
    }
    return status(SW.CONDITIONS_NOT_SATISFIED);
  }

  private startChipAuthSession(oid: string, terminalKey: Uint8Array, data: Uint8Array): Answer {
    const caKey = this.config.caKey;
    if (!caKey) return status(SW.FUNCTION_NOT_SUPPORTED);
    if (this.options.caBareSw !== undefined) {
      // Answered under the old keys; the new ones are never derived.
      this.caBroken = true;
      return { data, sw: SW.OK };
    }
    try {
      this.pendingSession = chipAuthCardSession(caKey, oid, terminalKey);
    } catch {
      return status(SW.WRONG_DATA);
    }
    this.chipAuthenticated = true;
    return { data, sw: SW.OK };
  }

  private paceStep(chip: PaceChip, inner: Tlv[], chained: boolean): Answer {
    const stage = chip.stage;
    if ((stage === 4) === chained) {
      this.paceChip = undefined;
      return status(stage === 4 ? 0x6883 : SW.CONDITIONS_NOT_SATISFIED);
    }
    const fail = (sw: number): Answer => {
      this.paceChip = undefined;
      return status(sw);
    };
    switch (stage) {
      case 1: {
        if (inner.length !== 0) return fail(SW.WRONG_DATA);
        const z = chip.encryptedNonce();
        return z ? { data: encode(0x7c, encode(0x80, z)), sw: SW.OK } : fail(SW.CONDITIONS_NOT_SATISFIED);
      }
      case 2: {
        const pk = find(inner, 0x81);
        const out = pk && chip.map(pk.value);
        return out ? { data: encode(0x7c, encode(0x82, out)), sw: SW.OK } : fail(SW.WRONG_DATA);
      }
      case 3: {
        const pk = find(inner, 0x83);
        const out = pk && chip.agree(pk.value);
        return out ? { data: encode(0x7c, encode(0x84, out)), sw: SW.OK } : fail(SW.WRONG_DATA);
      }
      case 4: {
        const t = find(inner, 0x85);
        const result = t && chip.authenticate(t.value);
        this.paceChip = undefined;
        if (!result) {
          // The terminal's token does not verify: wrong CAN/MRZ. The chip drops any channel.
          this.closeSession();
          return status(SW.VERIFICATION_FAILED);
        }
        this.pendingSession = result.session;
        this.access = 'pace';
        this.chipAuthenticated = false;
        const token = result.token.slice();
        if (this.options.paceBadToken) token[token.length - 1]! ^= 0x01;
        return { data: encode(0x7c, encode(0x86, token)), sw: SW.OK };
      }
      default:
        return fail(SW.CONDITIONS_NOT_SATISFIED);
    }
  }

  private async internalAuthenticate(cmd: DecodedCommand, secured: boolean): Promise<Answer> {
    const sign = this.config.signChallenge;
    if (!sign) return status(SW.INS_NOT_SUPPORTED);
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return status(SW.INCORRECT_P1P2);
    if (!secured) return status(SW.SECURITY_STATUS_NOT_SATISFIED);
    if (cmd.data.length === 0) return status(SW.WRONG_LENGTH);
    try {
      const signature = await sign(cmd.data.slice());
      if (cmd.le !== undefined && signature.length > cmd.le) return status(SW.WRONG_LENGTH);
      return { data: signature, sw: SW.OK };
    } catch {
      return status(SW.UNKNOWN);
    }
  }
}

/** An error status word (not 9000, 61xx or a 62xx/63xx warning). */
function isError(sw: number): boolean {
  const sw1 = sw >> 8;
  return sw1 >= 0x64 && sw1 <= 0x6f;
}

function safeOid(value: Uint8Array): string | undefined {
  try {
    return decodeOid(value);
  } catch {
    return undefined;
  }
}

export interface EngineTransportOptions {
  name?: string;
  limits?: Partial<TransportLimits>;
}

/** Signals that an APDU did not fit the simulated reader (a terminal-side bug, not a card answer). */
export class TransportLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportLimitError';
  }
}

/**
 * A tiny in-memory CardTransport in front of an engine. It enforces its limits like a reader
 * would, so tests catch commands or responses that would not fit a real reader.
 */
export function engineTransport(engine: CardEngine, options: EngineTransportOptions = {}): CardTransport {
  const limits: TransportLimits = {
    maxCommandLength: options.limits?.maxCommandLength ?? 65544,
    maxResponseLength: options.limits?.maxResponseLength ?? 65538,
    extendedLength: options.limits?.extendedLength ?? true,
  };
  return {
    name: options.name ?? 'software card',
    limits,
    async transmit(command: Uint8Array): Promise<Uint8Array> {
      if (command.length > limits.maxCommandLength) {
        throw new TransportLimitError(
          `command of ${command.length} bytes exceeds ${limits.maxCommandLength}`,
        );
      }
      if (!limits.extendedLength && command.length > 5 && command[4] === 0) {
        throw new TransportLimitError('extended-length command on a short-only transport');
      }
      const response = await engine.process(command.slice());
      if (response.length > limits.maxResponseLength) {
        throw new TransportLimitError(
          `response of ${response.length} bytes exceeds ${limits.maxResponseLength}`,
        );
      }
      return concat(response);
    },
  };
}
