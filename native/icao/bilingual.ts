/**
 * Bilingual reasons and errors for the LDS / passive-authentication code. Every message that can
 * reach the examiner carries Vietnamese (`vi`) and English (`en`) text and a stable `code`.
 * Messages never contain personal data (names, ID numbers, photos).
 */
import type { Reason } from '../domain/vocabulary';
import { IcaoError } from '../iso7816/sw';

export { IcaoError };

export function reason(code: string, severity: Reason['severity'], vi: string, en: string): Reason {
  return { code, severity, vi, en };
}

/** An IcaoError (the card stack's bilingual error, see ./sw) with a stable code. */
export function bilingualError(
  code: string,
  vi: string,
  en: string,
  options?: { cause?: unknown },
): IcaoError {
  return new IcaoError(code, { vi, en }, options);
}

/** A Reason from any error: IcaoError keeps its code and texts; anything else becomes `fallbackCode`. */
export function errorReason(
  e: unknown,
  fallbackCode: string,
  severity: Reason['severity'] = 'error',
): Reason {
  if (e instanceof IcaoError) return reason(e.code, severity, e.vi, e.en);
  return reason(
    fallbackCode,
    severity,
    'Lỗi không xác định khi kiểm tra dữ liệu chip.',
    'Unexpected error while checking chip data.',
  );
}

/** The Vietnamese/English label of a data group for messages (e.g. "DG2 (ảnh chân dung)"). */
export function dataGroupLabel(dg: number): { vi: string; en: string } {
  const names: Record<number, [string, string]> = {
    1: ['dữ liệu MRZ', 'MRZ data'],
    2: ['ảnh chân dung', 'face image'],
    3: ['vân tay', 'fingerprints'],
    13: ['thông tin công dân', 'citizen data'],
    14: ['khóa xác thực chip', 'chip authentication key'],
    15: ['khóa xác thực chủ động', 'active authentication key'],
  };
  const n = names[dg];
  return n ? { vi: `DG${dg} (${n[0]})`, en: `DG${dg} (${n[1]})` } : { vi: `DG${dg}`, en: `DG${dg}` };
}
