/**
 * The candidates' photos named by a roster: a path relative to the roster file's folder (Windows `\`
 * accepted), which must exist, be a regular file of at most 10 MB, and be JPEG or PNG by its magic
 * bytes. Read after every row is validated, a few at a time.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Reason } from '../../../native/domain/vocabulary';
import { startsWithBytes } from '../../../native/util/bytes';
import { reason, type RosterPhoto, type RosterRow, type RosterRowError } from './model';

const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/** A photo to read once all rows are validated; `row` is absent when the row already failed. */
export interface PhotoJob {
  rowNumber: number;
  ref: string;
  row?: RosterRow;
}

function sniffImage(data: Uint8Array): string | null {
  if (startsWithBytes(data, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWithBytes(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  return null;
}

/** Reads one photo, `ref` relative to the roster's folder; a problem is returned as a reason. */
async function loadPhoto(rosterDir: string, ref: string): Promise<{ photo?: RosterPhoto; error?: Reason }> {
  const rel = ref.replace(/\\/g, '/');
  const full = path.resolve(rosterDir, rel);
  const tooLarge = reason(
    'roster_photo_too_large',
    'File ảnh lớn hơn 10 MB.',
    'The photo file is larger than 10 MB.',
  );
  let data: Buffer;
  try {
    // A regular file of known size only: a path to a device (/dev/zero), a FIFO or a huge file must not
    // make the import read without end.
    const info = await stat(full);
    if (!info.isFile()) {
      return {
        error: reason(
          'roster_photo_unreadable',
          'Không đọc được file ảnh.',
          'The photo file cannot be read.',
        ),
      };
    }
    if (info.size > MAX_PHOTO_BYTES) return { error: tooLarge };
    data = await readFile(full);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return {
        error: reason(
          'roster_photo_not_found',
          'Không tìm thấy file ảnh (đường dẫn tính từ thư mục chứa file danh sách).',
          'Photo file not found (the path is relative to the roster file folder).',
        ),
      };
    }
    return {
      error: reason('roster_photo_unreadable', 'Không đọc được file ảnh.', 'The photo file cannot be read.'),
    };
  }
  if (data.length > MAX_PHOTO_BYTES) return { error: tooLarge };
  const mime = sniffImage(data);
  if (!mime) {
    return {
      error: reason(
        'roster_photo_format',
        'File ảnh phải là JPEG hoặc PNG.',
        'The photo must be a JPEG or PNG file.',
      ),
    };
  }
  return {
    photo: {
      mime,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      fileName: path.basename(rel),
    },
  };
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Reads every job's photo (8 at a time) into its row; each problem is added to `errors` under the
 * photo column `column`.
 */
export async function loadPhotos(
  jobs: PhotoJob[],
  rosterDir: string,
  column: string,
  errors: RosterRowError[],
): Promise<void> {
  await forEachLimited(jobs, 8, async (job) => {
    const r = await loadPhoto(rosterDir, job.ref);
    if (r.error) errors.push({ rowNumber: job.rowNumber, column, reason: r.error });
    else if (r.photo && job.row) job.row.photo = r.photo;
  });
}
