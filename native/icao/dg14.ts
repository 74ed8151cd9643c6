/**
 * DG14 (tag 6E): SecurityInfos for Chip Authentication, Terminal Authentication and Active
 * Authentication. The SecurityInfos themselves are decoded by ./card-access (shared with
 * EF.CardAccess); this module turns them into what the verifier needs: the chip-authentication
 * keys (`ChipAuthKey` of ./chip-auth) and the AA signature algorithm (consumed by
 * ./active-auth).
 */
import {
  OID as SI_OID,
  parseSecurityInfos,
  type ActiveAuthenticationInfo,
  type ChipAuthenticationInfo,
  type ChipAuthenticationPublicKeyInfo,
} from './card-access';
import type { ChipAuthKey } from './chip-auth';
import { curveByName } from './curves';
import { uncompressedPoint } from './ec-spki';
import { ecdsaHashByOid, type HashName } from './signature';
import { unwrap } from './lds';

export interface Dg14 {
  /** EC chip-authentication keys, each paired with its CA protocol. */
  chipAuthKeys: ChipAuthKey[];
  /** Keys present but not usable here (DH keys, unknown curves), by protocol OID. */
  unsupportedKeys: { protocol: string; keyId?: number; reason: string }[];
  chipAuthInfos: ChipAuthenticationInfo[];
  terminalAuthentication: boolean;
  /** ActiveAuthenticationInfo (present when the AA key in DG15 is an EC key). */
  activeAuth?: { version: number; signatureAlgorithm?: string; hash?: HashName };
  /** Every SecurityInfo's protocol OID, in order. */
  protocols: string[];
}

/**
 * When a chip lists no ChipAuthenticationInfo, ICAO 9303-11 §6.2 says the protocol is
 * id-CA-ECDH-3DES-CBC-CBC (for EC keys).
 */
const DEFAULT_CA_ECDH = SI_OID.CA_ECDH_3DES;

export function parseDg14(bytes: Uint8Array): Dg14 {
  unwrap(bytes, 0x6e, 'DG14');
  const infos = parseSecurityInfos(bytes);
  const caInfos = infos.filter((i): i is ChipAuthenticationInfo => i.kind === 'ChipAuthenticationInfo');
  const keyInfos = infos.filter(
    (i): i is ChipAuthenticationPublicKeyInfo => i.kind === 'ChipAuthenticationPublicKeyInfo',
  );
  const aaInfo = infos.find((i): i is ActiveAuthenticationInfo => i.kind === 'ActiveAuthenticationInfo');
  const chipAuthKeys: ChipAuthKey[] = [];
  const unsupportedKeys: Dg14['unsupportedKeys'] = [];
  for (const k of keyInfos) {
    if (k.protocol !== SI_OID.PK_ECDH || !k.curve) {
      unsupportedKeys.push({
        protocol: k.protocol,
        keyId: k.keyId,
        reason: k.protocol === SI_OID.PK_DH ? 'DH chip authentication is not supported' : 'unsupported curve',
      });
      continue;
    }
    // The CA protocol for this key: the ECDH ChipAuthenticationInfo with the same keyId, or the only one.
    const ecdhInfos = caInfos.filter((c) => c.algorithm.agreement === 'ECDH');
    const ca =
      ecdhInfos.find((c) => c.keyId === k.keyId) ?? (ecdhInfos.length === 1 ? ecdhInfos[0] : undefined);
    let publicKey: Uint8Array;
    try {
      publicKey = uncompressedPoint(curveByName(k.curve), k.publicKey);
    } catch {
      unsupportedKeys.push({ protocol: k.protocol, keyId: k.keyId, reason: 'invalid public key point' });
      continue;
    }
    const key: ChipAuthKey = { oid: ca?.protocol ?? DEFAULT_CA_ECDH, curve: k.curve, publicKey };
    if (k.keyId !== undefined) key.keyId = k.keyId;
    chipAuthKeys.push(key);
  }
  const out: Dg14 = {
    chipAuthKeys,
    unsupportedKeys,
    chipAuthInfos: caInfos,
    terminalAuthentication: infos.some((i) => i.kind === 'TerminalAuthenticationInfo'),
    protocols: infos.map((i) => i.protocol),
  };
  if (aaInfo) {
    out.activeAuth = { version: aaInfo.version };
    if (aaInfo.signatureAlgorithm) {
      out.activeAuth.signatureAlgorithm = aaInfo.signatureAlgorithm;
      const h = ecdsaHashByOid(aaInfo.signatureAlgorithm);
      if (h) out.activeAuth.hash = h.hash;
    }
  }
  return out;
}

export type { ChipAuthKey };
