import type { ApiError, Bilingual, Result } from '../../electron/shared/ipc-contract';
import i18next from './i18n';

/** A failed call: carries the bilingual error from the main process. */
export class ApiCallError extends Error {
  constructor(readonly error: ApiError) {
    super(error.en);
    this.name = 'ApiCallError';
  }
}

/** Awaits a window.kiosk call and returns its value, or throws ApiCallError. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const r = await call;
  if (!r.ok) throw new ApiCallError(r.error);
  return r.value;
}

/** Anything caught → the bilingual shape the UI shows. */
export function toError(e: unknown): ApiError {
  if (e instanceof ApiCallError) return e.error;
  return {
    code: 'ui_error',
    vi: i18next.t('common.uiError', { lng: 'vi' }),
    en: i18next.t('common.uiError', { lng: 'en' }),
  };
}

export function pick(text: Bilingual, lang: string): string {
  return lang === 'en' ? text.en : text.vi;
}

export const kiosk = (): Window['kiosk'] => window.kiosk;
