/**
 * The chip-reading pipeline: from a card transport to a CardReading with its authenticity.
 *
 *  1. Access. EF.CardAccess is selected by FID (never via SELECT MF); when it offers PACE, PACE runs
 *     with the CAN (given, or the last 6 digits of the ID from the QR / typed ID / typed CCCD MRZ),
 *     or else with a typed MRZ. Without PACE, or when it fails, BAC: from a typed MRZ, or for a CCCD
 *     from document number = last 9 digits of the ID + date of birth + each expiry candidate of
 *     bacExpiryCandidates (ending with 991231); the first that opens the chip wins, and each failed
 *     attempt costs a fresh start (the application is selected again).
 *     When EF.CardAccess offers PACE, a PACE that fails cryptographically (wrong chip token T_IC,
 *     invalid point, malformed answer) is a forged chip (`chip_not_genuine`), never a reason for
 *     BAC; BAC follows only a chip without PACE, a variant this terminal lacks, a refused MSE:Set AT,
 *     or a refused password (which is still `wrong_access` when BAC fails too).
 *  2. Files. EF.COM (unsigned: informative only), then EF.SOD, whose signed list of data groups says
 *     what is read: every group it lists (DG14, DG1, DG13, DG15, DG2, then any other), except DG3/DG4
 *     (EAC). Files the SOD does not list are never selected. A listed group the chip withholds
 *     (6A82, 6982, any other status, malformed) is `dg_withheld`: altered_or_forged. Without a usable
 *     SOD, EF.COM's list is used (the verdict is altered_or_forged anyway).
 *  3. Proof. Chip Authentication with the DG14 key right after DG14 (the rest is read under the new
 *     keys; if it fails the channel is opened again); it must pass when DG14 announces it. Active
 *     Authentication with a random 8-byte challenge must pass when the SOD lists DG15. Passive
 *     authentication against the trust store (none given = the issuer cannot be confirmed: at best
 *     `unknown_issuer`), and the verdict (native/icao/authenticity.ts).
 *     Secure messaging: a plain error status under SM leaves it open whether the chip counted the
 *     command; the channel is opened again (PACE/BAC) before the next file or proof, and a file whose
 *     read fails right after one is read again on a new channel.
 *  4. Reading. DG13 fields first (name with diacritics, dates, sex, old ID, residence); the DG1 MRZ
 *     fills in for other eMRTDs (name without diacritics, the document number). DG1 and DG13 that
 *     disagree on the ID number or date of birth are `dg1_dg13_mismatch` (altered_or_forged).
 *
 * Errors become ChipReadError with a stable code, Vietnamese and English text and `retryable`.
 * The result carries the support trace of RecordingTransport (headers, lengths, status words and
 * timings: never data bytes). Nothing here logs; personal data stays in the returned values.
 *
 * `inspectStoredRead(dir)` checks a stored read (`EF.COM.bin`, `DG1.bin`, ..., `EF.SOD.bin`, as
 * `writeStoredRead` / `kiosk chip read --dump` write them) offline with the same passive
 * authentication; a stored read can never prove the chip itself (AA/CA are not run).
 *
 * This file is the entry: the read plan (which files, in which order, with which proof) and readChip,
 * and it re-exports what callers use. The work is done beside it, one idea a file:
 *   types.ts           the public shapes (ChipAccess, ReadChipOptions, ChipReadResult, ...)
 *   errors.ts          ChipReadError and the mapping of anything thrown to it
 *   credentials.ts     QR / ID / CAN / MRZ → the PACE password and the BAC candidates (step 1)
 *   session.ts         deadline, trace, and the secure channel: PACE, then BAC, reopened when needed
 *   file-names.ts      'EF.COM', 'DG2', ... ⇄ FIDs; the groups handled and the EAC ones left alone
 *   files.ts           reading one EF over the session, with its status and progress (step 2)
 *   proofs.ts          CA and AA over the session, passive authentication and the verdict (step 3)
 *   interpretation.ts  DG1 / DG13 / DG2 → ChipDocument → CardReading (step 4)
 *   stored-read.ts     writing and inspecting stored reads (`<name>.bin`)
 */
import type { AuthenticityChecks } from '../domain/vocabulary';
import type { AnnouncedProofs } from '../icao/authenticity';
import { parseDg14, type Dg14 } from '../icao/dg14';
import { dataGroupFid, parseEfCom } from '../icao/lds';
import { parseSod } from '../icao/sod';
import type { CardTransport } from '../transport/types';
import { resolveCredentials } from './credentials';
import { chipError, toChipReadError } from './errors';
import { EAC_GROUPS, FID_COM, FID_SOD, HANDLED_GROUPS } from './file-names';
import { ChipFiles, withheldReasons } from './files';
import { interpret, readingOf } from './interpretation';
import { assess, runActiveAuthentication, runChipAuthentication, withHashes } from './proofs';
import { ChipSession } from './session';
import type { ChipAccess, ChipAuthSummary, ChipReadResult, ReadChipOptions } from './types';

export type {
  ChipAccess,
  ChipAuthSummary,
  ChipDocument,
  ChipProgress,
  ChipReadResult,
  ChipStep,
  DataGroupInfo,
  DataGroupStatus,
  ReadChipOptions,
  StoredReadResult,
} from './types';
export { ChipReadError, toChipReadError, type ChipReadErrorCode } from './errors';
export { fileName } from './file-names';
export { inspectStoredRead, writeStoredRead } from './stored-read';

// ---------------------------------------------------------------------------------------------
// The read plan

interface ChipRun {
  chipAuth: ChipAuthSummary;
  activeAuth: ChipAuthSummary;
  /** The anti-clone proofs the SOD announces. */
  announced: AnnouncedProofs;
  /** The data groups the SOD lists; undefined without a usable SOD. */
  sodListed: number[] | undefined;
}

/** What is read, in which order, and when each proof runs (steps 2 and 3 above). */
async function readPlannedFiles(
  session: ChipSession,
  chip: ChipFiles,
  options: ReadChipOptions,
): Promise<ChipRun> {
  // EF.COM is unsigned: it only informs. The SOD's signed list decides what is read.
  const comBytes = await chip.readEf(FID_COM);
  let comList: number[] | undefined;
  if (comBytes) {
    try {
      comList = parseEfCom(comBytes).dataGroups;
    } catch {
      session.warn('com_malformed', 'EF.COM bị lỗi.', 'EF.COM is malformed.');
    }
  }
  const sodBytes = await chip.readEf(FID_SOD);
  let sodList: number[] | undefined;
  if (sodBytes) {
    try {
      sodList = [...parseSod(sodBytes).dataGroupHashes.keys()].sort((a, b) => a - b);
    } catch {
      // Passive authentication reports the malformed SOD (altered_or_forged).
      sodList = undefined;
    }
  }
  const listed = sodList ?? comList ?? [...HANDLED_GROUPS];
  if (sodList && comList) {
    const hidden = sodList.filter((n) => !comList.includes(n));
    if (hidden.length > 0) {
      session.warn(
        'com_incomplete',
        `EF.COM không liệt kê ${hidden.map((n) => `DG${n}`).join(', ')} mà EF.SOD có ký; vẫn đọc theo EF.SOD.`,
        `EF.COM does not list ${hidden.map((n) => `DG${n}`).join(', ')}, which EF.SOD signs; read as EF.SOD says.`,
      );
    }
    // Groups only EF.COM names are not selected (nothing signed to check them against).
    for (const n of comList.filter((x) => !sodList.includes(x) && x >= 1 && x <= 16)) {
      chip.groups.push({ name: `DG${n}`, fid: dataGroupFid(n), bytes: 0, status: 'skipped' });
    }
  }
  const valid = listed.filter((n) => Number.isInteger(n) && n >= 1 && n <= 16);
  const wanted = new Set(valid.filter((n) => !EAC_GROUPS.has(n)));
  for (const n of valid) {
    if (EAC_GROUPS.has(n))
      chip.groups.push({ name: `DG${n}`, fid: dataGroupFid(n), bytes: 0, status: 'skipped' });
  }

  let chipAuth: ChipAuthSummary = { outcome: 'not_run' };
  let activeAuth: ChipAuthSummary = { outcome: 'not_run' };
  let dg14: Dg14 | undefined;
  let caAnnounced = false;
  if (wanted.has(14)) {
    const bytes = await chip.readEf(dataGroupFid(14));
    if (bytes) {
      try {
        dg14 = parseDg14(bytes);
      } catch {
        session.warn('dg14_malformed', 'DG14 trên chip bị lỗi.', 'DG14 on the chip is malformed.');
      }
    }
    if (dg14) {
      caAnnounced =
        dg14.chipAuthKeys.length > 0 || dg14.unsupportedKeys.length > 0 || dg14.chipAuthInfos.length > 0;
      if (options.chipAuth !== false) chipAuth = await runChipAuthentication(session, dg14);
      if (caAnnounced && chipAuth.outcome === 'not_run' && options.chipAuth !== false) {
        // CA info without a key the kiosk can use.
        chipAuth = { outcome: 'not_supported', code: 'ca_key_missing' };
      }
    }
  }
  for (const n of [1, 13, 15]) {
    if (!wanted.has(n)) continue;
    const bytes = await chip.readEf(dataGroupFid(n));
    if (n === 15 && bytes && options.activeAuth !== false) {
      activeAuth = await runActiveAuthentication(session, bytes, dg14);
    }
  }
  if (wanted.has(2)) await chip.readEf(dataGroupFid(2));
  for (const n of [...wanted].sort((a, b) => a - b)) {
    if (HANDLED_GROUPS.includes(n as (typeof HANDLED_GROUPS)[number])) continue;
    await chip.readEf(dataGroupFid(n));
  }
  const announced: AnnouncedProofs = {
    activeAuth: sodList?.includes(15) ?? false,
    chipAuth: sodList?.includes(14) === true && caAnnounced,
  };
  return { chipAuth, activeAuth, announced, sodListed: sodList };
}

// ---------------------------------------------------------------------------------------------
// The read

/**
 * Reads a chip through `transport`: opens it (PACE or BAC), reads the files, proves the chip and
 * checks the data, and returns the reading with its authenticity. Throws ChipReadError.
 */
export async function readChip(
  transport: CardTransport,
  access: ChipAccess,
  options: ReadChipOptions = {},
): Promise<ChipReadResult> {
  const start = performance.now();
  const session = new ChipSession(transport, options);
  try {
    const creds = resolveCredentials(access, options.today);
    await session.open(creds);
    const chip = new ChipFiles(session, options);
    const { chipAuth, activeAuth, announced, sodListed } = await readPlannedFiles(session, chip, options);
    const { document, photo, readReasons } = await interpret(chip.files);
    options.onProgress?.({ step: 'passive-auth', done: 0, total: 1 });
    const { passive, report } = assess(chip.files, document, options.trustStore, options.now, {
      activeAuth: activeAuth.outcome,
      chipAuth: chipAuth.outcome,
      announced,
      readReasons: [...withheldReasons(sodListed, chip.groups), ...readReasons],
    });
    options.onProgress?.({ step: 'passive-auth', done: 1, total: 1 });
    const reading = readingOf(document, photo, report);
    if (!reading) throw chipError('chip_data_invalid');
    let bytesRead = 0;
    for (const g of chip.groups) bytesRead += g.bytes;
    bytesRead += chip.files.get('EF.CardAccess')?.length ?? 0;
    return {
      reading,
      document,
      authenticity: report,
      access: session.access,
      dataGroups: withHashes(chip.groups, passive),
      files: chip.files,
      apdus: session.trace.length,
      bytesRead,
      ms: performance.now() - start,
      trace: [...session.trace],
      chipAuth,
      activeAuth,
      warnings: [...session.warnings],
    };
  } catch (e) {
    throw toChipReadError(e);
  }
}

export type { AuthenticityChecks };
