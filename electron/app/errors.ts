/**
 * The application layer's errors: the bilingual error shape every channel answers with, and the one
 * place a thrown value becomes it (unknown errors never leak their message to the UI).
 */
import { KioskError } from '../core/errors';
import type { ApiError, Result } from '../shared/ipc-contract';

/** A KioskError with its Vietnamese and English messages. */
export const err = (code: string, vi: string, en: string, details?: unknown): KioskError =>
  new KioskError(code, { vi, en }, details);

/** A failed answer. */
export function fail(error: ApiError): Result<never> {
  return { ok: false, error };
}

/** Any thrown value → the bilingual error shape. Unknown errors never leak their message to the UI. */
export function toApiError(e: unknown): ApiError {
  if (e && typeof e === 'object') {
    const x = e as { code?: unknown; vi?: unknown; en?: unknown; details?: unknown };
    if (typeof x.code === 'string' && typeof x.vi === 'string' && typeof x.en === 'string') {
      return {
        code: x.code,
        vi: x.vi,
        en: x.en,
        ...(x.details !== undefined ? { details: JSON.parse(JSON.stringify(x.details)) as unknown } : {}),
      };
    }
  }
  return {
    code: 'internal_error',
    vi: 'Lỗi không mong đợi. Vui lòng thử lại; nếu lặp lại, báo cho bộ phận kỹ thuật.',
    en: 'Unexpected error. Try again; if it happens again, tell technical support.',
  };
}

/**
 * A refused PIN as the examiner sees it: locked until a time of day (in the centre's time zone), or
 * wrong with the attempts left before the lock, or (an unknown user, a deactivated account) the same
 * words as a wrong PIN, so the message does not tell them apart.
 */
export function pinError(
  check: { reason: string; lockedUntil?: string; failedAttempts?: number },
  timeZone: string,
): KioskError {
  const { reason, lockedUntil, failedAttempts } = check;
  if (reason === 'locked' && lockedUntil) {
    const t = new Intl.DateTimeFormat('vi-VN', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).format(new Date(lockedUntil));
    return err(
      'account_locked',
      `Nhập sai mã PIN quá nhiều lần. Tài khoản tạm khóa đến ${t}.`,
      `Too many wrong PINs. The account is locked until ${t}.`,
      { lockedUntil },
    );
  }
  if (reason === 'wrong_pin' && failedAttempts !== undefined) {
    const left = 5 - (failedAttempts % 5);
    return err(
      'wrong_pin',
      `Mã PIN không đúng. Còn ${left} lần thử trước khi tài khoản bị tạm khóa.`,
      `Wrong PIN. ${left} attempt(s) left before the account is locked.`,
      { attemptsLeft: left },
    );
  }
  return err('sign_in_failed', 'Tên đăng nhập hoặc mã PIN không đúng.', 'Wrong username or PIN.');
}
