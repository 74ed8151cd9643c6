import { describe, expect, it } from 'vitest';
import {
  bacExpiryCandidates,
  cardExpiry,
  isCardExpired,
  LAW_2023_EFFECTIVE,
  renewalAgesFor,
} from '../../native/cccd/expiry';
import { parseDate, toYymmdd } from '../../native/util/dates';

describe('renewal ages by law', () => {
  it('2014 law before 2024-07-01, 2023 law (with 14) from then on', () => {
    expect(LAW_2023_EFFECTIVE).toBe('2024-07-01');
    expect(renewalAgesFor('2024-06-30')).toEqual([25, 40, 60]);
    expect(renewalAgesFor('2024-07-01')).toEqual([14, 25, 40, 60]);
  });
});

describe('cardExpiry: the renewal ages 25, 40, 60', () => {
  // Holder born 2000-05-10: 23rd birthday 2023-05-10, 25th 2025-05-10, 40th 2040-05-10.
  it.each([
    ['2016-06-01', '2025-05-10', 'issued at 16 → 25th birthday'],
    ['2021-03-15', '2025-05-10', 'issued at 20 → 25th birthday'],
    ['2023-05-09', '2025-05-10', 'the day before turning 23: not yet within 2 years'],
    ['2023-05-10', '2040-05-10', 'on the 23rd birthday: within 2 years before 25 → 40'],
    ['2025-05-09', '2040-05-10', 'the day before turning 25 → 40'],
    ['2025-05-10', '2040-05-10', 'on the 25th birthday → 40'],
    ['2030-01-01', '2040-05-10', 'issued at 29 → 40'],
  ])('born 2000-05-10, issued %s → %s (%s)', (issue, expiry) => {
    expect(cardExpiry('2000-05-10', issue)).toBe(expiry);
  });

  it.each([
    ['1985-03-15', '2021-06-01', '2025-03-15', 'issued at 36 → 40th birthday'],
    ['1985-03-15', '2023-03-14', '2025-03-15', 'one day short of 38 → 40'],
    ['1985-03-15', '2023-03-15', '2045-03-15', 'at 38, within 2 years before 40 → 60'],
    ['1970-11-20', '2021-04-01', '2030-11-20', 'issued at 50 → 60th birthday'],
  ])('born %s, issued %s → %s (%s)', (dob, issue, expiry) => {
    expect(cardExpiry(dob, issue)).toBe(expiry);
  });

  it('no expiry after the last renewal age: from 58 (2-year rule) and after 60', () => {
    expect(cardExpiry('1965-07-01', '2023-06-30')).toBe('2025-07-01'); // 57: still runs to 60
    expect(cardExpiry('1965-07-01', '2023-07-01')).toBeNull(); // 58: within 2 years before 60
    expect(cardExpiry('1965-07-01', '2025-07-01')).toBeNull(); // 60
    expect(cardExpiry('1940-01-01', '2021-02-01')).toBeNull(); // 81
  });

  it('29 February holders expire on 28 February in non-leap years', () => {
    expect(cardExpiry('2004-02-29', '2021-06-01')).toBe('2029-02-28');
    expect(cardExpiry('1988-02-29', '2021-06-01')).toBe('2028-02-29');
  });

  it('refuses impossible input', () => {
    expect(() => cardExpiry('2000-05-10', '1999-01-01')).toThrow(RangeError);
    expect(() => cardExpiry('2000-02-30', '2021-01-01')).toThrow(RangeError);
    expect(() => cardExpiry('10/05/2000', '2021-01-01')).toThrow(RangeError);
  });
});

describe('cardExpiry: children under 14 (cards from 2024-07-01)', () => {
  it('a card issued before 12 runs to the 14th birthday', () => {
    expect(cardExpiry('2015-09-01', '2024-07-01')).toBe('2029-09-01');
    expect(cardExpiry('2024-01-01', '2024-08-15')).toBe('2038-01-01'); // a baby
    expect(cardExpiry('2013-01-10', '2025-01-09')).toBe('2027-01-10'); // the day before 12
  });
  it('a card issued from 12 to under 14 runs to 25 (2-year rule)', () => {
    expect(cardExpiry('2013-01-10', '2025-01-10')).toBe('2038-01-10');
    expect(cardExpiry('2012-03-01', '2024-09-01')).toBe('2037-03-01');
  });
  it('the 14 rule does not apply to cards issued before 2024-07-01', () => {
    expect(cardExpiry('2015-09-01', '2024-06-30')).toBe('2040-09-01');
  });
});

describe('isCardExpired', () => {
  it('valid through the day before the expiry date; never for no-expiry cards', () => {
    expect(isCardExpired('2027-05-23', '2027-05-22')).toBe(false);
    expect(isCardExpired('2027-05-23', '2027-05-23')).toBe(true);
    expect(isCardExpired(null, '2090-01-01')).toBe(false);
  });
});

describe('consistency with the MRZ samples of docs/cccd-card.md', () => {
  // Line 2 of each sample: DOB YYMMDD + cd, sex, DOE YYMMDD + cd.
  const samples = [
    { line2: '9301054M3301052VNM<<<<<<<<<<<8', dob: '1993-01-05', issue: '2021-04-01' },
    { line2: '5108185M9912315VNM<<<<<<<<<<<0', dob: '1951-08-18', issue: '2021-04-01' },
  ];
  it.each(samples)('$line2', ({ line2, dob, issue }) => {
    const dobField = line2.slice(0, 6);
    const doeField = line2.slice(8, 14);
    expect(toYymmdd(dob)).toBe(dobField);
    const expiry = cardExpiry(dob, issue);
    expect(expiry === null ? '991231' : toYymmdd(expiry)).toBe(doeField);
    // Without an issue date, the most likely candidate is the sample's own DOE.
    expect(bacExpiryCandidates(dob, undefined, '2025-06-01')[0]).toBe(doeField);
  });
  it('the QR sample (born 23/05/2002, issued 31/12/2021) expires on the 25th birthday', () => {
    expect(cardExpiry(parseDate('23052002')!, parseDate('31122021')!)).toBe('2027-05-23');
  });
});

describe('bacExpiryCandidates', () => {
  it('puts the expiry computed from the issue date first, 991231 last, no duplicates', () => {
    const c = bacExpiryCandidates('2000-05-10', '2023-06-01', '2025-06-01');
    expect(c[0]).toBe('400510');
    expect(c.at(-1)).toBe('991231');
    expect(new Set(c).size).toBe(c.length);
    // The 25th birthday has passed but a card expiring then may still be presented.
    expect(c).toContain('250510');
  });
  it('a computed "no expiry" comes first as 991231', () => {
    // Born 1960: a card expiring at 60 (2020) would predate chip cards, so it is not tried.
    expect(bacExpiryCandidates('1960-01-01', '2021-03-01', '2025-06-01')).toEqual(['991231']);
    // Born mid-1963, issued at 58 (no expiry); a card issued at 57 in early 2021 ran to 60 (2023).
    expect(bacExpiryCandidates('1963-06-01', '2021-07-01', '2025-06-01')).toEqual(['991231', '230601']);
  });
  it('without an issue date: still-valid expiries nearest first, then expired ones, then 991231', () => {
    // 30 years old on 2025-06-01: a chip card (2021+) issued before 23 expired at 25 (2020) → impossible.
    expect(bacExpiryCandidates('1995-01-01', undefined, '2025-06-01')).toEqual(['350101', '991231']);
    // 24: either the card runs to 25, or it was issued from 23 and runs to 40.
    expect(bacExpiryCandidates('2001-03-01', undefined, '2025-06-01')).toEqual([
      '260301',
      '410301',
      '991231',
    ]);
    // 26: a card issued 2021-2024 may have expired at 25, the current one runs to 40.
    expect(bacExpiryCandidates('1999-03-01', undefined, '2025-06-01')).toEqual([
      '390301',
      '240301',
      '991231',
    ]);
  });
  it('near 60 the 60th birthday comes first; past 60 "no expiry" does', () => {
    expect(bacExpiryCandidates('1966-03-01', undefined, '2025-06-01')).toEqual(['260301', '991231']);
    expect(bacExpiryCandidates('1964-03-01', undefined, '2025-06-01')).toEqual(['991231', '240301']);
  });
  it('children: a 14th-birthday expiry only when the card could be issued under the 2023 law', () => {
    // 9 years old: only the 14th birthday (issued from 2024-07-01) or 25 (from 12) fit.
    expect(bacExpiryCandidates('2016-01-01', undefined, '2025-06-01')).toEqual(['300101', '991231']);
    // 12.5 years old: the 14-year card (issued before 12, from 2024-07-01) or the 25-year one.
    expect(bacExpiryCandidates('2012-12-01', undefined, '2025-06-01')).toEqual([
      '261201',
      '371201',
      '991231',
    ]);
    // Turned 12 before 2024-07-01: no 14-year card possible.
    expect(bacExpiryCandidates('2011-01-01', undefined, '2025-06-01')).toEqual(['360101', '991231']);
  });
  it('refuses an invalid date of birth', () => {
    expect(() => bacExpiryCandidates('1993-02-30')).toThrow(RangeError);
  });
});
