import type { Bilingual } from '../../native/domain/vocabulary';

/**
 * An error the examiner or chair can read: Vietnamese for the screen, English for the log.
 * `code` is stable so the UI and tools can react to it.
 */
export class KioskError extends Error implements Bilingual {
  readonly vi: string;
  readonly en: string;
  readonly code: string;
  readonly details?: unknown;
  constructor(code: string, text: Bilingual, details?: unknown) {
    super(text.en);
    this.name = 'KioskError';
    this.code = code;
    this.vi = text.vi;
    this.en = text.en;
    this.details = details;
  }
}

/** Maps low-level storage failures (full disk, read-only file, locked database) to clear messages. */
export function storageError(err: unknown): KioskError {
  if (err instanceof KioskError) return err;
  const code = (err as { code?: string })?.code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || /disk is full|no space/i.test(message)) {
    return new KioskError('disk_full', {
      vi: 'Ổ đĩa đã đầy: không ghi được dữ liệu. Dữ liệu đã lưu trước đó vẫn nguyên vẹn. Hãy giải phóng dung lượng rồi thử lại.',
      en: 'The disk is full: nothing was written. Data saved earlier is intact. Free some space and retry.',
    });
  }
  if (
    code === 'SQLITE_READONLY' ||
    code.startsWith('SQLITE_READONLY') ||
    code === 'EROFS' ||
    code === 'EACCES'
  ) {
    return new KioskError('read_only', {
      vi: 'Không ghi được vào cơ sở dữ liệu (chỉ đọc hoặc không có quyền). Dữ liệu đã lưu vẫn nguyên vẹn.',
      en: 'The database cannot be written (read-only or no permission). Saved data is intact.',
    });
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new KioskError('db_busy', {
      vi: 'Cơ sở dữ liệu đang bận. Vui lòng thử lại.',
      en: 'The database is busy. Please retry.',
    });
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new KioskError('db_corrupt', {
      vi: 'Tệp cơ sở dữ liệu bị hỏng hoặc không phải cơ sở dữ liệu của CCCD Kiosk.',
      en: 'The database file is damaged or is not a CCCD Kiosk database.',
    });
  }
  return new KioskError('storage_error', {
    vi: 'Lỗi lưu trữ dữ liệu. Dữ liệu đã lưu trước đó vẫn nguyên vẹn.',
    en: `Storage error: ${message}`,
  });
}
