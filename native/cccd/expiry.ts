/**
 * Card expiry by the renewal-age rule.
 *
 * Law on Citizen Identification 2014 (Luật Căn cước công dân, art. 21) for cards issued before
 * 2024-07-01, and Law on Identification 2023 (Luật Căn cước, art. 21) from 2024-07-01:
 * 1. A card must be renewed when the holder reaches 25, 40 and 60 (2014 law), or 14, 25, 40 and 60
 *    (2023 law: children under 14 may get a card from 2024-07-01; it runs to their 14th birthday).
 * 2. A card issued, renewed or re-issued within 2 years before a renewal age stays valid until the
 *    NEXT renewal age. "Within 2 years before age A" = from the day the holder turns A-2 (inclusive)
 *    to the day before they turn A (as the ministry explains it: "from 23, 38 or 58").
 * 3. No renewal age left (issued from age 58 on) → no expiry ("Không thời hạn"): `null` here and
 *    `991231` in the MRZ.
 * The expiry date is the holder's birthday at that age (29 February → 28 February in non-leap years).
 *
 * Check: the MRZ samples in docs/cccd-card.md agree: born 1993-01-05 with DOE 330105 (the 40th
 * birthday: a card issued between 23 and 38), born 1951-08-18 with 991231 (issued after 58).
 *
 * Pure: no Node APIs.
 */

import { addYears, isIsoDate, todayInVietnam, toYymmdd } from '../util/dates';

export const RENEWAL_AGES_2014: readonly number[] = Object.freeze([25, 40, 60]);
export const RENEWAL_AGES_2023: readonly number[] = Object.freeze([14, 25, 40, 60]);
/** Effective date of the Law on Identification 2023. */
export const LAW_2023_EFFECTIVE = '2024-07-01';
/** Chip CCCD cards were first issued in 2021: no chip (hence no BAC) before this date. */
export const CHIP_CARDS_FROM = '2021-01-01';
/** MRZ date of expiry for a card without expiry. */
export const NO_EXPIRY_MRZ = '991231';

/** The renewal ages that apply to a card issued on `dateOfIssue`. */
export function renewalAgesFor(dateOfIssue: string): readonly number[] {
  return dateOfIssue >= LAW_2023_EFFECTIVE ? RENEWAL_AGES_2023 : RENEWAL_AGES_2014;
}

/**
 * The expiry (ISO) of a card issued on `dateOfIssue` to someone born on `dateOfBirth`, or null for
 * "Không thời hạn". Throws RangeError on an invalid date or an issue date before the birth date.
 */
export function cardExpiry(dateOfBirth: string, dateOfIssue: string): string | null {
  if (!isIsoDate(dateOfBirth) || !isIsoDate(dateOfIssue)) throw new RangeError('invalid ISO date');
  if (dateOfIssue < dateOfBirth) throw new RangeError('issue date is before the date of birth');
  const ages = renewalAgesFor(dateOfIssue);
  // The first renewal age the holder has not reached on the issue day.
  const idx = ages.findIndex((age) => addYears(dateOfBirth, age) > dateOfIssue);
  if (idx < 0) return null;
  const age = ages[idx]!;
  const withinTwoYears = dateOfIssue >= addYears(dateOfBirth, age - 2);
  const expiryAge = withinTwoYears ? ages[idx + 1] : age;
  return expiryAge === undefined ? null : addYears(dateOfBirth, expiryAge);
}

/** True when the card is no longer valid on `today` (valid through the day before the expiry date). */
export function isCardExpired(dateOfExpiry: string | null, today: string): boolean {
  return dateOfExpiry !== null && today >= dateOfExpiry;
}

interface Candidate {
  /** Expiry birthday (ISO) or null for no expiry. */
  expiry: string | null;
  /** Issue dates that give this expiry: [from, until) ; until null = open. */
  from: string;
  until: string | null;
  /** Earliest possible chip issue for this kind of card. */
  chipFrom: string;
}

/**
 * Every expiry a chip card of this holder could carry, with the issue-date window that yields it
 * (all renewal ages of the 2023 law; a 14-year expiry only for cards issued from 2024-07-01).
 */
function candidates(dob: string): Candidate[] {
  const at = (age: number): string => addYears(dob, age);
  return [
    { expiry: at(14), from: dob, until: at(12), chipFrom: LAW_2023_EFFECTIVE },
    { expiry: at(25), from: at(12), until: at(23), chipFrom: CHIP_CARDS_FROM },
    { expiry: at(40), from: at(23), until: at(38), chipFrom: CHIP_CARDS_FROM },
    { expiry: at(60), from: at(38), until: at(58), chipFrom: CHIP_CARDS_FROM },
    { expiry: null, from: at(58), until: null, chipFrom: CHIP_CARDS_FROM },
  ];
}

function mrzDate(expiry: string | null): string {
  return expiry === null ? NO_EXPIRY_MRZ : toYymmdd(expiry);
}

/**
 * The YYMMDD dates of expiry to try for BAC, most likely first, without duplicates:
 * 1. the expiry computed from the issue date, when it is known;
 * 2. expiries the holder's chip card could carry today (issued from 2021, not after `today`) that
 *    are still valid, nearest first, "no expiry" among them when the holder is 58 or older;
 * 3. such expiries that have passed (an expired card), most recent first;
 * 4. `991231` last in any case (it costs one attempt and catches data the rule did not foresee).
 * `today` (ISO) defaults to today's date in Vietnam.
 */
export function bacExpiryCandidates(dateOfBirth: string, dateOfIssue?: string, today?: string): string[] {
  if (!isIsoDate(dateOfBirth)) throw new RangeError('invalid date of birth');
  const day = today ?? todayInVietnam();
  if (!isIsoDate(day)) throw new RangeError('invalid today');
  const out: string[] = [];
  const add = (yymmdd: string): void => {
    if (!out.includes(yymmdd)) out.push(yymmdd);
  };
  if (dateOfIssue !== undefined && isIsoDate(dateOfIssue) && dateOfIssue >= dateOfBirth) {
    add(mrzDate(cardExpiry(dateOfBirth, dateOfIssue)));
  }
  const possible = candidates(dateOfBirth).filter((c) => {
    const earliest = c.from > c.chipFrom ? c.from : c.chipFrom;
    return earliest <= day && (c.until === null || c.until > earliest);
  });
  const valid = possible.filter((c) => c.expiry === null || c.expiry > day);
  const expired = possible.filter((c) => c.expiry !== null && c.expiry <= day).reverse();
  for (const c of valid) add(mrzDate(c.expiry));
  for (const c of expired) add(mrzDate(c.expiry));
  add(NO_EXPIRY_MRZ);
  return out;
}
