/**
 * A fictional CCCD for protocol tests: the software card engine loaded with EF.CardAccess (the
 * real CCCD bytes), EF.COM, DG1 (a made-up holder), a 2 KB DG2, an EAC-protected DG3, DG14 with a
 * fresh Chip Authentication key, and a 40 KB file for large-offset reads. No real person's data.
 */
import {
  CardEngine,
  engineTransport,
  type SoftCardConfig,
  type SoftCardOptions,
} from '../../../native/softcard/card-engine';
import { encodeOid, OID } from '../../../native/icao/card-access';
import { curveByName, ecdhKeyPair } from '../../../native/icao/curves';
import { encode } from '../../../native/iso7816/tlv';
import { fromHex } from '../../../native/util/bytes';
import type { ChipAuthCardKey, ChipAuthKey } from '../../../native/icao/chip-auth';
import type { CardTransport, TransportLimits } from '../../../native/transport/types';

/** Fictional holder: ID 079203000123, born 2003-04-15, card expires 2028-04-15. */
export const MRZ_INFORMATION = '203000123303041552804154';
export const CAN = '000123';
export const MRZ_LINES = [
  'IDVNM2030001233079203000123<<3',
  '0304155M2804154VNM<<<<<<<<<<<2',
  'NGUYEN<<VAN<THU<<<<<<<<<<<<<<<',
];

export const CCCD_CARD_ACCESS = fromHex(
  '3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d',
);

/** Deterministic filler bytes (not personal data). */
export function filler(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export const SHORT_LIMITS: TransportLimits = {
  maxCommandLength: 261,
  maxResponseLength: 258,
  extendedLength: false,
};
export const EXTENDED_LIMITS: TransportLimits = {
  maxCommandLength: 65544,
  maxResponseLength: 65538,
  extendedLength: true,
};

export interface TestCard {
  engine: CardEngine;
  transport: CardTransport;
  files: Map<number, Uint8Array>;
  /** The DG14 key as the terminal sees it. */
  caPublic: ChipAuthKey;
  caKey: ChipAuthCardKey;
}

export function buildFiles(caKey: ChipAuthCardKey, caOid: string): Map<number, Uint8Array> {
  const mrz = new TextEncoder().encode(MRZ_LINES.join(''));
  const spki = encode(0x30, [
    encode(0x30, [
      encode(0x06, encodeOid(OID.EC_PUBLIC_KEY)),
      encode(0x06, encodeOid(curveByName(caKey.curve).oid)),
    ]),
    encode(0x03, Uint8Array.from([0, ...caKey.publicKey])),
  ]);
  const dg14 = encode(
    0x6e,
    encode(0x31, [
      encode(0x30, [encode(0x06, encodeOid(OID.PK_ECDH)), spki]),
      encode(0x30, [encode(0x06, encodeOid(caOid)), encode(0x02, Uint8Array.of(1))]),
    ]),
  );
  return new Map<number, Uint8Array>([
    [0x011c, CCCD_CARD_ACCESS],
    [
      0x011e,
      encode(0x60, [
        encode(0x5f01, fromHex('30313037')),
        encode(0x5f36, fromHex('303430303030')),
        encode(0x5c, fromHex('6175636D6E6F')),
      ]),
    ],
    [0x0101, encode(0x61, encode(0x5f1f, mrz))],
    [0x0102, encode(0x75, filler(2000, 2))],
    [0x0103, encode(0x63, filler(300, 3))],
    [0x0105, encode(0x65, filler(40000, 5))],
    [0x010e, dg14],
  ]);
}

export function makeCard(
  opts: {
    options?: SoftCardOptions;
    limits?: TransportLimits;
    caOid?: string;
    curve?: string;
    config?: Partial<SoftCardConfig>;
  } = {},
): TestCard {
  const curve = opts.curve ?? 'brainpoolP256r1';
  const pair = ecdhKeyPair(curveByName(curve));
  const caKey: ChipAuthCardKey = { curve, privateKey: pair.privateKey, publicKey: pair.publicKey };
  const caOid = opts.caOid ?? OID.CA_ECDH_AES128;
  const files = buildFiles(caKey, caOid);
  const engine = new CardEngine({
    files,
    mrzInformation: MRZ_INFORMATION,
    can: CAN,
    caKey,
    caOid,
    ...(opts.options ? { options: opts.options } : {}),
    ...opts.config,
  });
  const transport = engineTransport(engine, { limits: opts.limits ?? SHORT_LIMITS });
  return { engine, transport, files, caKey, caPublic: { oid: caOid, curve, publicKey: caKey.publicKey } };
}

/** A transport that records raw command/response bytes (test-only; real traces never keep data). */
export class SpyTransport implements CardTransport {
  readonly exchanges: { command: Uint8Array; response: Uint8Array }[] = [];
  constructor(private readonly inner: CardTransport) {}
  get name(): string {
    return this.inner.name;
  }
  get limits(): TransportLimits {
    return this.inner.limits;
  }
  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const response = await this.inner.transmit(command);
    this.exchanges.push({ command: command.slice(), response: response.slice() });
    return response;
  }
}
