/**
 * Stored reads: a chip's files as `<name>.bin` in a folder (`EF.CardAccess.bin`, `EF.COM.bin`,
 * `DG1.bin` ... `DG16.bin`, `EF.SOD.bin`), as `writeStoredRead` / `kiosk chip read --dump` write them.
 * `inspectStoredRead` checks one offline with the same interpretation and passive authentication as a
 * live read; a stored read can never prove the chip itself (AA/CA are not run), so its best verdict is
 * `signature_valid_chip_unproven`.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrustStore } from '../icao/trust-store';
import { chipError } from './errors';
import { dataGroupsFromFiles, fidOfName } from './file-names';
import { interpret, readingOf } from './interpretation';
import { assess, withHashes } from './proofs';
import type { DataGroupInfo, StoredReadResult } from './types';

/** The order files are read back in: EF.CardAccess, EF.COM, the data groups by number, EF.SOD. */
const STORED_ORDER = [
  'EF.CardAccess',
  'EF.COM',
  ...Array.from({ length: 16 }, (_, i) => `DG${i + 1}`),
  'EF.SOD',
];

/** Writes `files` as `<name>.bin` into `dir` (created if needed). Returns the paths written. */
export async function writeStoredRead(dir: string, files: Map<string, Uint8Array>): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, bytes] of files) {
    if (fidOfName(name) === undefined) continue;
    const path = join(dir, `${name}.bin`);
    await writeFile(path, bytes);
    written.push(path);
  }
  return written;
}

/**
 * Checks a stored read offline: `EF.COM.bin`, `DG1.bin` ... `DG16.bin`, `EF.SOD.bin` in `dir`.
 * Passive authentication as for a live read; AA/CA cannot run on files, so the best verdict is
 * `signature_valid_chip_unproven`. Throws ChipReadError('stored_read_invalid') when nothing is there.
 */
export async function inspectStoredRead(dir: string, trustStore?: TrustStore): Promise<StoredReadResult> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw chipError('stored_read_invalid', e);
  }
  const files = new Map<string, Uint8Array>();
  const groups: DataGroupInfo[] = [];
  for (const name of STORED_ORDER) {
    if (!names.includes(`${name}.bin`)) continue;
    const bytes = new Uint8Array(await readFile(join(dir, `${name}.bin`)));
    files.set(name, bytes);
    if (name !== 'EF.CardAccess')
      groups.push({ name, fid: fidOfName(name)!, bytes: bytes.length, status: 'read' });
  }
  if (!files.has('EF.COM') && !files.has('EF.SOD') && dataGroupsFromFiles(files).size === 0) {
    throw chipError('stored_read_invalid');
  }
  // A stored read cannot run AA/CA, and a group missing from the folder is not "withheld" (the
  // dump may be partial): the best verdict is signature_valid_chip_unproven, with its reason.
  const { document, photo, readReasons } = await interpret(files);
  const { passive, report } = assess(files, document, trustStore, undefined, {
    activeAuth: 'not_run',
    chipAuth: 'not_run',
    readReasons,
    stored: true,
  });
  const out: StoredReadResult = {
    document,
    authenticity: report,
    dataGroups: withHashes(groups, passive),
    files,
    warnings: [],
  };
  const reading = readingOf(document, photo, report);
  if (reading) out.reading = reading;
  return out;
}
