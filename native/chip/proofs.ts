/**
 * The proofs of a read. The chip's own, run live over the session: Chip Authentication (the DG14 key;
 * it must pass when DG14 announces it) and Active Authentication (the DG15 key; it must pass when the
 * SOD lists DG15). And the issuer's, run on the files (live or stored): passive authentication of the
 * SOD and the data group hashes against the trust store. `assess` combines them into the verdict.
 */
import type { CheckOutcome, Reason } from '../domain/vocabulary';
import { activeAuthenticate } from '../icao/active-auth';
import { assessAuthenticity, type AnnouncedProofs, type AuthenticityReport } from '../icao/authenticity';
import { chipAuthenticate } from '../icao/chip-auth';
import type { Dg14 } from '../icao/dg14';
import { dataGroupFid, parseDg15 } from '../icao/lds';
import { passiveAuthentication, type PassiveAuthInput, type PassiveAuthResult } from '../icao/passive-auth';
import type { TrustStore } from '../icao/trust-store';
import { CardStatusError, IcaoError } from '../iso7816/sw';
import { isTransportFailure } from './errors';
import { dataGroupNumber, dataGroupsFromFiles } from './file-names';
import type { ChipSession } from './session';
import type { ChipAuthSummary, ChipDocument, DataGroupInfo } from './types';

// ---------------------------------------------------------------------------------------------
// The chip's proofs (live)

/**
 * Chip Authentication with the DG14 key, right after DG14 is read (the rest is read under the new
 * keys). A failure closes the channel: the session opens it again for the next file.
 */
export async function runChipAuthentication(session: ChipSession, dg14: Dg14): Promise<ChipAuthSummary> {
  const key = dg14.chipAuthKeys[0];
  if (!key) return { outcome: dg14.unsupportedKeys.length > 0 ? 'not_supported' : 'not_run' };
  session.progress('chip-auth', 0, 1);
  try {
    // Confirmed by selecting DG14 again (just read: an honest chip answers 9000) in a response
    // whose MAC verifies under the new keys; a bare status word there fails.
    const r = await chipAuthenticate(await session.secure(), key, { confirmFid: dataGroupFid(14) });
    return { outcome: r.confirmed ? 'pass' : 'fail', code: r.confirmed ? 'ok' : 'ca_unconfirmed' };
  } catch (e) {
    if (isTransportFailure(e)) throw e;
    // Only a variant the kiosk itself cannot run is "not supported"; any answer of the chip that
    // does not prove the key is a failure.
    if (e instanceof IcaoError && (e.code === 'ca_unsupported' || e.code === 'unsupported_curve'))
      return { outcome: 'not_supported', code: e.code };
    if (e instanceof IcaoError || e instanceof CardStatusError) {
      // Whatever state the chip is in now, the next command goes over a new channel.
      session.closeChannel();
      return { outcome: 'fail', code: e instanceof IcaoError ? e.code : 'ca_refused' };
    }
    throw e;
  } finally {
    session.progress('chip-auth', 1, 1);
  }
}

/** Active Authentication with the DG15 key and a random 8-byte challenge (DG14 may name the ECDSA hash). */
export async function runActiveAuthentication(
  session: ChipSession,
  dg15: Uint8Array,
  dg14: Dg14 | undefined,
): Promise<ChipAuthSummary> {
  let key;
  try {
    key = parseDg15(dg15);
  } catch (e) {
    // A DG15 the kiosk cannot parse (its hash is checked): the kiosk cannot run AA.
    return { outcome: 'not_supported', code: e instanceof IcaoError ? e.code : 'aa_key_invalid' };
  }
  session.progress('active-auth', 0, 1);
  try {
    const r = await activeAuthenticate(await session.secure(), key, {
      ...(dg14?.activeAuth?.hash ? { ecdsaHash: dg14.activeAuth.hash } : {}),
    });
    // A bare status word under SM (no signature) is a failure like any other non-signature.
    return { outcome: r.outcome, code: r.code };
  } catch (e) {
    if (isTransportFailure(e)) throw e;
    // The chip broke the secure channel instead of answering: no proof.
    if (e instanceof IcaoError) {
      session.closeChannel();
      return { outcome: 'fail', code: e.code };
    }
    throw e;
  } finally {
    session.progress('active-auth', 1, 1);
  }
}

// ---------------------------------------------------------------------------------------------
// The issuer's signature and the verdict (live or stored)

/** The data groups read, each marked with whether its hash matched the SOD's. */
export function withHashes(groups: DataGroupInfo[], passive: PassiveAuthResult): DataGroupInfo[] {
  return groups.map((g) => {
    const n = dataGroupNumber(g.name);
    if (n === undefined || g.status !== 'read') return g;
    if (passive.hashes.matched.includes(n)) return { ...g, hashOk: true };
    if (passive.hashes.mismatched.includes(n) || passive.hashes.injected.includes(n))
      return { ...g, hashOk: false };
    return g;
  });
}

/**
 * PassiveAuthInput as helper A extends it (issue 9): the document's issuing state (DG1, alpha-3) for
 * the DS/CSCA country check, and its date of issue (DG13, ISO) as the time to check the chain at
 * when the SOD has no signing time. Declared here so this compiles before and after that change.
 */
type PassiveInput = PassiveAuthInput & { issuingState?: string; dateOfIssue?: string };

/**
 * The document's issuing state for passive authentication. A document whose identity comes from DG13
 * with a 12-digit personal ID is a Vietnamese CCCD, whatever else the chip says: the country must never
 * come from fields the forger picks freely (the DS certificate's issuer, or a missing DG1), else a
 * forged CCCD under the forger's own CSCA "of another country" is merely unconfigured (amber).
 */
function documentState(document: ChipDocument): string | undefined {
  if (document.source === 'DG13' && /^\d{12}$/.test(document.idNumber ?? '')) return 'VNM';
  return document.issuingState;
}

/**
 * Passive authentication of the files against the trust store, then the verdict (native/icao/
 * authenticity.ts) from it, the chip's proofs and the findings about the data. Without a trust store
 * the issuer cannot be confirmed: at best `unknown_issuer`.
 */
export function assess(
  files: Map<string, Uint8Array>,
  document: ChipDocument,
  trustStore: TrustStore | undefined,
  now: Date | undefined,
  proof: {
    activeAuth: CheckOutcome;
    chipAuth: CheckOutcome;
    announced?: AnnouncedProofs;
    readReasons: Reason[];
    stored?: boolean;
  },
): { passive: PassiveAuthResult; report: AuthenticityReport } {
  const input: PassiveInput = {
    sod: files.get('EF.SOD'),
    dataGroups: dataGroupsFromFiles(files),
    ...(trustStore ? { trustStore } : {}),
    ...(now ? { now } : {}),
    ...(documentState(document) ? { issuingState: documentState(document) } : {}),
    ...(document.dateOfIssue ? { dateOfIssue: document.dateOfIssue } : {}),
  };
  const passive = passiveAuthentication(input);
  const report = assessAuthenticity({
    passive,
    activeAuth: proof.activeAuth,
    chipAuth: proof.chipAuth,
    ...(proof.announced ? { announced: proof.announced } : {}),
    readReasons: proof.readReasons,
    ...(proof.stored ? { stored: true } : {}),
  });
  return { passive, report };
}
