/**
 * Errors and atomic file output for the report writers. A report is written to a temporary file in
 * the destination folder, flushed to disk, then renamed over the destination: a reader never sees
 * half a report, and a failure (full disk, no permission, file locked by another program) leaves
 * no temporary file behind and throws a ReportError with a Vietnamese and an English message.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { KioskError } from '../errors';

export type ReportErrorCode =
  | 'report_disk_full'
  | 'report_no_permission'
  | 'report_folder_missing'
  | 'report_file_busy'
  | 'report_target_is_folder'
  | 'report_write_failed'
  | 'report_invalid_time_zone';

/** A report that could not be written; a KioskError, so the UI shows `vi` and the log keeps `en`. */
export class ReportError extends KioskError {
  declare readonly code: ReportErrorCode;
  constructor(code: ReportErrorCode, vi: string, en: string, options?: { cause?: unknown }) {
    super(code, { vi, en }, options?.cause);
    this.name = 'ReportError';
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

function ioCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/** Maps a Node I/O error met while writing `outPath` to a ReportError the examiner can act on. */
export function reportIoError(err: unknown, outPath: string): ReportError {
  if (err instanceof ReportError) return err;
  const file = path.basename(outPath);
  const dir = path.dirname(path.resolve(outPath));
  const opts = { cause: err };
  switch (ioCode(err)) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new ReportError(
        'report_disk_full',
        `Không ghi được báo cáo "${file}": ổ đĩa đã đầy. Hãy giải phóng dung lượng hoặc chọn nơi lưu khác.`,
        `Could not write the report "${file}": the disk is full. Free some space or choose another folder.`,
        opts,
      );
    case 'EACCES':
    case 'EROFS':
      return new ReportError(
        'report_no_permission',
        `Không có quyền ghi báo cáo vào thư mục "${dir}". Hãy chọn thư mục khác.`,
        `No permission to write the report in "${dir}". Choose another folder.`,
        opts,
      );
    case 'ENOENT':
    case 'ENOTDIR':
      return new ReportError(
        'report_folder_missing',
        `Thư mục lưu báo cáo "${dir}" không tồn tại.`,
        `The folder "${dir}" for the report does not exist.`,
        opts,
      );
    case 'EISDIR':
      return new ReportError(
        'report_target_is_folder',
        `"${outPath}" là một thư mục, không phải tệp. Hãy chọn tên tệp khác.`,
        `"${outPath}" is a folder, not a file. Choose another file name.`,
        opts,
      );
    case 'EBUSY':
    case 'EPERM':
      return new ReportError(
        'report_file_busy',
        `Không ghi đè được "${file}": tệp đang mở trong chương trình khác hoặc bị khoá. Hãy đóng tệp rồi thử lại.`,
        `Could not replace "${file}": it is open in another program or locked. Close it and try again.`,
        opts,
      );
    default:
      return new ReportError(
        'report_write_failed',
        `Không ghi được báo cáo "${file}" (lỗi ${ioCode(err) ?? 'không xác định'}).`,
        `Could not write the report "${file}" (error ${ioCode(err) ?? 'unknown'}).`,
        opts,
      );
  }
}

/**
 * Writes `data` to `outPath` atomically: temp file in the same folder, fsync, rename. On any
 * failure the temp file is removed, `outPath` is left as it was, and a ReportError is thrown.
 */
export async function writeFileAtomic(outPath: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(path.resolve(outPath));
  const tmp = path.join(
    dir,
    `.${path.basename(outPath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  let handle: FileHandle | undefined;
  try {
    handle = await open(tmp, 'wx', 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, outPath);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw reportIoError(err, outPath);
  }
  // Make the rename itself durable; some platforms cannot fsync a folder, which is harmless.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* best effort */
  }
}
