/**
 * Country codes for the issuer checks of passive authentication: the MRZ issuing state (ICAO 9303
 * alpha-3, with its few special codes) as the ISO 3166 alpha-2 code certificates carry in C.
 */
import { alpha3ToAlpha2 } from 'i18n-iso-countries/index.js';

/** MRZ codes that are not ISO 3166 alpha-3 but belong to a country (ICAO 9303-3 §5). */
const MRZ_SPECIAL: Record<string, string> = {
  D: 'DE',
  GBD: 'GB',
  GBN: 'GB',
  GBO: 'GB',
  GBP: 'GB',
  GBS: 'GB',
};

/** Alpha-2 (upper case) for an MRZ issuing state ('VNM' → 'VN', 'D<<' → 'DE'); undefined when unknown. */
export function mrzStateToAlpha2(state: string | undefined): string | undefined {
  if (!state) return undefined;
  const code = state.replace(/</g, '').trim().toUpperCase();
  if (!code) return undefined;
  return MRZ_SPECIAL[code] ?? alpha3ToAlpha2(code)?.toUpperCase();
}
