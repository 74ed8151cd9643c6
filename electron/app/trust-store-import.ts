import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TrustStore } from '../../native/icao/trust-store';
import type { Bilingual } from '../shared/ipc-contract';

/** Extensions the trust store reads (native/icao/trust-store.ts). */
export const TRUST_EXTENSIONS = new Set(['.pem', '.cer', '.crt', '.der', '.ml', '.crl']);

export interface TrustImportResult {
  imported: number;
  skipped: Array<{ file: string; reason: Bilingual }>;
  /** Files in the kiosk's trust folder after the import. */
  total: number;
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

function listFiles(folder: string, depth = 0): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(folder, e.name);
    if (e.isDirectory() && depth < 4) out.push(...listFiles(p, depth + 1));
    else if (e.isFile() && TRUST_EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push(p);
  }
  return out;
}

/**
 * Copies the CSCA certificates, master lists and CRLs of `source` (sub-folders included) into the
 * kiosk's trust folder. Each file is parsed with the trust store's own loader first; files it
 * cannot read are skipped and reported, never copied. Existing files with the same content are
 * kept; a different file with the same name is stored under a name with a content suffix.
 */
export function importTrustFolder(source: string, trustDir: string): TrustImportResult {
  const skipped: TrustImportResult['skipped'] = [];
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
    };
  }
  fs.mkdirSync(trustDir, { recursive: true });
  for (const file of listFiles(source)) {
    const name = path.basename(file);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      skipped.push({ file: name, reason: { vi: 'Không đọc được tệp.', en: 'The file cannot be read.' } });
      continue;
    }
    const store = new TrustStore();
    store.addFile(new Uint8Array(bytes), name);
    const found = store.anchors.length + store.documentSigners.length + store.crls.length;
    const problem = store.problems[0];
    if (problem || found === 0) {
      skipped.push({
        file: name,
        reason: problem
          ? { vi: problem.reason.vi, en: problem.reason.en }
          : { vi: 'Tệp không chứa chứng thư số.', en: 'The file holds no certificate.' },
      });
      continue;
    }
    let target = path.join(trustDir, name);
    if (fs.existsSync(target)) {
      if (fs.readFileSync(target).equals(bytes)) continue;
      const ext = path.extname(name);
      const suffix = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
      target = path.join(trustDir, `${path.basename(name, ext)}-${suffix}${ext}`);
      if (fs.existsSync(target)) continue;
    }
    fs.copyFileSync(file, target);
    imported++;
  }
  return { imported, skipped, total: countTrustFiles(trustDir) };
}
