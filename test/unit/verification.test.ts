import { describe, expect, it } from 'vitest';
import { verify, type RosterCandidate, type VerificationInput } from '../../electron/core/verification';
import { notCheckedAuthenticity, type AuthenticityResult } from '../../native/domain/vocabulary';
import { type CardReading } from '../../native/cccd/types';

const candidate: RosterCandidate = {
  id: 7,
  sessionCode: 'S1',
  candidateNo: '000007',
  fullName: 'Nguyễn Thị Ngọc Ánh',
  dateOfBirth: '1999-04-12',
  idNumber: '079199000123',
  licenceClass: 'B',
  sex: 'F',
};

function reading(over: Partial<CardReading> = {}): CardReading {
  return {
    source: 'qr',
    idNumber: candidate.idNumber,
    fullName: 'Nguyễn Thị Ngọc Ánh',
    dateOfBirth: '1999-04-12',
    sex: 'F',
    dateOfIssue: '2021-05-01',
    dateOfExpiry: '2039-04-12',
    authenticity: notCheckedAuthenticity(),
    ...over,
  };
}

function input(over: Partial<VerificationInput> = {}): VerificationInput {
  return {
    reading: reading(),
    session: { code: 'S1', date: '2026-11-27' },
    candidate,
    otherSessions: [],
    priorCheckIn: null,
    today: '2026-11-27',
    ...over,
  };
}

const genuine: AuthenticityResult = {
  verdict: 'genuine',
  checks: { hashes: 'pass', signature: 'pass', chain: 'pass', activeAuth: 'pass', chipAuth: 'pass' },
  reasons: [],
};

describe('verification engine', () => {
  it('accepts a genuine chip reading of a roster candidate (green)', () => {
    const r = verify(input({ reading: reading({ source: 'chip', authenticity: genuine }) }));
    expect(r.identity.verdict).toBe('match');
    expect(r.outcome).toBe('accepted');
    expect(r.identity.reasons).toEqual([]);
    expect(r.candidate?.candidateNo).toBe('000007');
  });

  it('accepts a QR-only match with the "chip not checked" warning (amber)', () => {
    const r = verify(input());
    expect(r.identity.verdict).toBe('match');
    expect(r.authenticity.verdict).toBe('not_checked');
    expect(r.outcome).toBe('accepted_with_warnings');
    expect(r.identity.reasons.map((x) => x.code)).toEqual(['chip_not_checked']);
  });

  it('rejects a QR-only reading when the kiosk requires the chip', () => {
    const r = verify(input({ policy: { requireChip: true, requireTrustedIssuer: false } }));
    expect(r.identity.verdict).toBe('match');
    expect(r.outcome).toBe('rejected');
    expect(r.identity.reasons.map((x) => x.code)).toContain('chip_required');
  });

  it('not_on_roster vs wrong_session', () => {
    expect(verify(input({ candidate: null })).identity.verdict).toBe('not_on_roster');
    const w = verify(input({ candidate: null, otherSessions: ['S0'] }));
    expect(w.identity.verdict).toBe('wrong_session');
    expect(w.identity.reasons[0]!.vi).toContain('S0');
    expect(w.outcome).toBe('rejected');
  });

  it('data_mismatch on the date of birth, the name, or the sex, naming each', () => {
    const dob = verify(input({ reading: reading({ dateOfBirth: '1999-04-13' }) }));
    expect(dob.identity.verdict).toBe('data_mismatch');
    expect(dob.identity.reasons.map((x) => x.code)).toContain('dob_mismatch');
    const name = verify(input({ reading: reading({ fullName: 'Nguyễn Thị Ngọc Anh Thư' }) }));
    expect(name.identity.reasons.map((x) => x.code)).toContain('name_mismatch');
    const sex = verify(input({ reading: reading({ sex: 'M' }) }));
    expect(sex.identity.reasons.map((x) => x.code)).toContain('sex_mismatch');
  });

  it('a name that agrees after NFC and case folding is a plain match; without diacritics, a match with a warning', () => {
    const nfd = verify(input({ reading: reading({ fullName: 'NGUYỄN THỊ NGỌC ÁNH'.normalize('NFD') }) }));
    expect(nfd.identity.verdict).toBe('match');
    expect(nfd.identity.reasons.map((x) => x.code)).not.toContain('name_diacritics_differ');
    const plain = verify(
      input({ reading: reading({ fullName: 'NGUYEN THI NGOC ANH', source: 'chip', authenticity: genuine }) }),
    );
    expect(plain.identity.verdict).toBe('match');
    expect(plain.outcome).toBe('accepted_with_warnings');
    expect(plain.identity.reasons.map((x) => x.code)).toEqual(['name_diacritics_differ']);
  });

  it('card_expired when the expiry date is before today; a card without expiry never expires', () => {
    const e = verify(input({ reading: reading({ dateOfExpiry: '2026-11-26' }) }));
    expect(e.identity.verdict).toBe('card_expired');
    expect(e.identity.reasons[0]!.vi).toContain('26/11/2026');
    expect(verify(input({ reading: reading({ dateOfExpiry: '2026-11-27' }) })).identity.verdict).toBe(
      'match',
    );
    expect(verify(input({ reading: reading({ dateOfExpiry: null }) })).identity.verdict).toBe('match');
  });

  it('already_checked_in names the earlier check-in', () => {
    const r = verify(
      input({ priorCheckIn: { logId: 12, at: '2026-11-27T01:05:00.000Z', station: 'Cổng 1', actor: 'gv1' } }),
    );
    expect(r.identity.verdict).toBe('already_checked_in');
    expect(r.outcome).toBe('rejected');
    expect(r.identity.reasons[0]!.vi).toContain('08:05');
    expect(r.identity.reasons[0]!.en).toContain('entry 12');
  });

  it('invalid_card_data carries the parser reason', () => {
    const r = verify(
      input({
        reading: null,
        invalidReason: {
          code: 'field_count',
          severity: 'error',
          vi: 'Sai số trường',
          en: 'Wrong field count',
        },
      }),
    );
    expect(r.identity.verdict).toBe('invalid_card_data');
    expect(r.identity.reasons[0]!.code).toBe('field_count');
    expect(r.authenticity.verdict).toBe('not_checked');
    expect(r.outcome).toBe('rejected');
  });

  it('a forged chip is rejected even when the identity matches; an unknown issuer is a warning unless policy says otherwise', () => {
    const forged: AuthenticityResult = {
      ...genuine,
      verdict: 'altered_or_forged',
      checks: { ...genuine.checks, hashes: 'fail' },
    };
    const f = verify(input({ reading: reading({ source: 'chip', authenticity: forged }) }));
    expect(f.identity.verdict).toBe('match');
    expect(f.outcome).toBe('rejected');
    const unknown: AuthenticityResult = {
      ...genuine,
      verdict: 'unknown_issuer',
      checks: { ...genuine.checks, chain: 'fail' },
    };
    expect(verify(input({ reading: reading({ source: 'chip', authenticity: unknown }) })).outcome).toBe(
      'accepted_with_warnings',
    );
    expect(
      verify(
        input({
          reading: reading({ source: 'chip', authenticity: unknown }),
          policy: { requireChip: false, requireTrustedIssuer: true },
        }),
      ).outcome,
    ).toBe('rejected');
  });

  it('every verdict has reasons in Vietnamese and English', () => {
    const cases = [
      verify(input({ candidate: null })),
      verify(input({ reading: reading({ dateOfBirth: '2000-01-01' }) })),
      verify(input({ reading: reading({ dateOfExpiry: '2020-01-01' }) })),
      verify(input({ priorCheckIn: { logId: 1, at: '2026-11-27T01:00:00Z', station: 's', actor: 'a' } })),
    ];
    for (const c of cases) {
      expect(c.identity.reasons.length).toBeGreaterThan(0);
      for (const reason of c.identity.reasons) {
        expect(reason.vi.length).toBeGreaterThan(5);
        expect(reason.en.length).toBeGreaterThan(5);
      }
    }
  });
});

describe('unknown issuer policy', () => {
  const base: AuthenticityResult = {
    verdict: 'unknown_issuer',
    checks: { hashes: 'pass', signature: 'pass', chain: 'fail', activeAuth: 'pass', chipAuth: 'pass' },
    reasons: [{ code: 'csca_not_found', severity: 'error', vi: 'Không tìm thấy CSCA', en: 'CSCA not found' }],
  };
  const chip = (authenticity: AuthenticityResult) => reading({ source: 'chip', authenticity });

  it('an issuer missing from the trust store is a warning by default and an error when required', () => {
    expect(verify(input({ reading: chip(base) })).outcome).toBe('accepted_with_warnings');
    expect(
      verify(input({ reading: chip(base), policy: { requireChip: false, requireTrustedIssuer: true } }))
        .outcome,
    ).toBe('rejected');
  });

  it('a chain proven bad (revoked document signer) is rejected whatever the policy', () => {
    const revoked: AuthenticityResult = {
      ...base,
      reasons: [{ code: 'ds_revoked', severity: 'error', vi: 'Chứng thư bị thu hồi', en: 'DS revoked' }],
    };
    expect(verify(input({ reading: chip(revoked) })).outcome).toBe('rejected');
  });
});
