import fs from 'node:fs';
import path from 'node:path';
import type { Bilingual } from '../shared/ipc-contract';
import { KioskError } from '../core/errors';
import {
  TRUST_EXTENSIONS,
  importTrustBytes,
  listTrustFiles,
  loadTrustFolderSync,
  type TrustFileImport,
} from '../core/trust-folder';

/** Extensions the trust store reads (native/icao/trust-store.ts). */
export { TRUST_EXTENSIONS };

export interface TrustImportResult {
  imported: number;
  skipped: Array<{ file: string; reason: Bilingual }>;
  /** Files in the kiosk's trust folder after the import. */
  total: number;
  /** What was imported (for the log: names, kinds, fingerprints). */
  files: TrustFileImport[];
}

/** Number of trust files in the kiosk's trust folder. */
export function countTrustFiles(dir: string): number {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && TRUST_EXTENSIONS.has(path.extname(e.name).toLowerCase())).length;
  } catch {
    return 0;
  }
}

/**
 * Copies the CSCA certificates, master lists and CRLs of `source` (sub-folders included) into the
 * kiosk's trust folder, with the same rules as `kiosk trust import` (electron/core/trust-folder.ts):
 * a certificate file must hold CA certificates only (a document signer is never an anchor); a master
 * list's signer must chain to a CSCA already trusted, in the trust folder or among the certificates
 * of this import (they are taken first); a list that does not is skipped and its signer fingerprint
 * shown, to be confirmed with `kiosk trust import FILE --confirm-fingerprint`. Files the trust store
 * cannot read are skipped and reported, never copied. Existing files with the same content are kept;
 * a different file with the same name is stored under a name with a content suffix.
 */
export function importTrustFolder(source: string, trustDir: string): TrustImportResult {
  const skipped: TrustImportResult['skipped'] = [];
  const files: TrustFileImport[] = [];
  let imported = 0;
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) {
    return {
      imported: 0,
      skipped: [
        {
          file: path.basename(source),
          reason: { vi: 'Không mở được thư mục đã chọn.', en: 'The chosen folder cannot be opened.' },
        },
      ],
      total: countTrustFiles(trustDir),
      files,
    };
  }
  fs.mkdirSync(trustDir, { recursive: true });
  const all = listTrustFiles(source);
  const isList = (f: string) => path.extname(f).toLowerCase() === '.ml';
  const trusted = loadTrustFolderSync(trustDir);
  for (const file of [...all.filter((f) => !isList(f)), ...all.filter(isList)]) {
    const name = path.basename(file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(fs.readFileSync(file));
    } catch {
      skipped.push({ file: name, reason: { vi: 'Không đọc được tệp.', en: 'The file cannot be read.' } });
      continue;
    }
    try {
      const r = importTrustBytes(bytes, name, trustDir, { trusted });
      if (r.kind === 'certificate') trusted.addFile(bytes, name);
      files.push(r);
      if (r.copied) imported++;
    } catch (e) {
      skipped.push({
        file: name,
        reason:
          e instanceof KioskError
            ? { vi: e.vi, en: e.en }
            : { vi: 'Tệp không đọc được.', en: 'The file cannot be read.' },
      });
    }
  }
  return { imported, skipped, total: countTrustFiles(trustDir), files };
}
