/**
 * The files of an eMRTD by name and FID: 'EF.CardAccess', 'EF.COM', 'DG1' ... 'DG16', 'EF.SOD', as the
 * read results and stored reads (`<name>.bin`) name them, and which data groups the pipeline handles
 * itself or leaves alone (EAC).
 */
import { dataGroupFid } from '../icao/lds';

/** The data groups the pipeline reads in its own order (then any other the SOD lists). */
export const HANDLED_GROUPS = [1, 2, 13, 14, 15] as const;
/** Data groups behind Extended Access Control (fingerprints, iris): never selected, never "withheld". */
export const EAC_GROUPS: ReadonlySet<number> = new Set([3, 4]);
export const FID_COM = 0x011e;
export const FID_SOD = 0x011d;
export const FID_CARD_ACCESS = 0x011c;

/** The data group number of a file name ('DG2' → 2); undefined for EF.COM, EF.SOD and the rest. */
export function dataGroupNumber(name: string): number | undefined {
  const m = /^DG(\d{1,2})$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The stored-read file name of a FID ('EF.COM', 'DG2', ...). */
export function fileName(fid: number): string {
  if (fid === FID_COM) return 'EF.COM';
  if (fid === FID_SOD) return 'EF.SOD';
  if (fid === FID_CARD_ACCESS) return 'EF.CardAccess';
  const n = fid - 0x0100;
  if (n >= 1 && n <= 16) return `DG${n}`;
  return fid.toString(16).toUpperCase().padStart(4, '0');
}

/** The FID of a stored-read file name; undefined for a name that is no eMRTD file. */
export function fidOfName(name: string): number | undefined {
  if (name === 'EF.COM') return FID_COM;
  if (name === 'EF.SOD') return FID_SOD;
  if (name === 'EF.CardAccess') return FID_CARD_ACCESS;
  const n = dataGroupNumber(name) ?? NaN;
  return n >= 1 && n <= 16 ? dataGroupFid(n) : undefined;
}

/** The data groups among `files`, by number (for passive authentication). */
export function dataGroupsFromFiles(files: Map<string, Uint8Array>): Map<number, Uint8Array> {
  const groups = new Map<number, Uint8Array>();
  for (const [name, bytes] of files) {
    const n = dataGroupNumber(name);
    if (n !== undefined) groups.set(n, bytes);
  }
  return groups;
}
