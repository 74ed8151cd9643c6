/**
 * The trust policy (electron/core/verification.ts) on the reason codes passive authentication gives
 * after issue 9 (helper A's contract: csca_not_found / trust_store_empty as warnings, issuer_not_recognised
 * and issuer_blocked as errors) and on today's codes (csca_not_found as an error): the outcome depends on
 * the policy and the station's trust facts, never on which version of the native code produced them.
 */
import { describe, expect, it } from 'vitest';
import { verify, type VerificationInput } from '../../electron/core/verification';
import type { IssuerTrust } from '../../electron/core/trust-policy';
import type { AuthenticityResult, Reason } from '../../native/domain/vocabulary';
import type { CardReading } from '../../native/cccd/types';

const reason = (code: string, severity: Reason['severity']): Reason => ({
  code,
  severity,
  vi: code,
  en: code,
});

function unknownIssuer(...reasons: Reason[]): AuthenticityResult {
  return {
    verdict: 'unknown_issuer',
    checks: { hashes: 'pass', signature: 'pass', chain: 'fail', activeAuth: 'pass', chipAuth: 'not_run' },
    reasons,
  };
}

function run(authenticity: AuthenticityResult, trust?: Partial<IssuerTrust>, requireTrustedIssuer = false) {
  const reading: CardReading = {
    source: 'chip',
    idNumber: '079199000123',
    fullName: 'Nguyễn Thị Ngọc Ánh',
    dateOfBirth: '1999-04-12',
    dateOfExpiry: '2039-04-12',
    authenticity,
  };
  const input: VerificationInput = {
    reading,
    session: { code: 'S1', date: '2026-11-27' },
    candidate: {
      id: 1,
      sessionCode: 'S1',
      candidateNo: '001',
      fullName: reading.fullName,
      dateOfBirth: reading.dateOfBirth,
      idNumber: reading.idNumber,
    },
    otherSessions: [],
    priorCheckIn: null,
    today: '2026-11-27',
    policy: { requireChip: false, requireTrustedIssuer },
    ...(trust
      ? { issuerTrust: { countries: ['VN'], pinnedSigner: false, countryConfigured: false, ...trust } }
      : {}),
  };
  const r = verify(input);
  return { outcome: r.outcome, codes: r.identity.reasons.map((x) => `${x.code}:${x.severity}`) };
}

describe('trust policy on the contract codes', () => {
  for (const [label, code, severity] of [
    ['today: csca_not_found error', 'csca_not_found', 'error'],
    ['contract: csca_not_found warning', 'csca_not_found', 'warning'],
    ['trust_store_empty (error today)', 'trust_store_empty', 'error'],
    ['trust_store_empty (warning, contract)', 'trust_store_empty', 'warning'],
  ] as const) {
    it(`no issuer configured for the country → amber (${label})`, () => {
      const r = run(unknownIssuer(reason(code, severity)), {});
      expect(r.outcome).toBe('accepted_with_warnings');
      expect(r.codes).toContain(`${code}:warning`);
      expect(r.codes).toContain('issuer_unknown:warning');
      // And red when the policy requires a trusted issuer.
      expect(run(unknownIssuer(reason(code, severity)), {}, true).outcome).toBe('rejected');
    });
  }

  it('the native issuer_not_recognised (country has a trusted CSCA) → red', () => {
    const r = run(unknownIssuer(reason('issuer_not_recognised', 'error')));
    expect(r.outcome).toBe('rejected');
    expect(r.codes).toContain('issuer_not_recognised:error');
  });

  it('an approved issuer of the country (registry) makes another unknown issuer red', () => {
    const r = run(unknownIssuer(reason('csca_not_found', 'warning')), { countryConfigured: true });
    expect(r.outcome).toBe('rejected');
    expect(r.codes).toEqual(['issuer_not_recognised:error']);
  });

  it('a pinned DS the trust store did not know yet → accepted when the chip proved itself, amber otherwise', () => {
    const pinned = { status: 'approved' as const, pinnedSigner: true, countryConfigured: true };
    expect(run(unknownIssuer(reason('csca_not_found', 'error')), pinned).outcome).toBe('accepted');
    const unproven: AuthenticityResult = {
      ...unknownIssuer(reason('csca_not_found', 'warning')),
      checks: {
        hashes: 'pass',
        signature: 'pass',
        chain: 'fail',
        activeAuth: 'not_run',
        chipAuth: 'not_run',
      },
    };
    expect(run(unproven, pinned)).toMatchObject({ outcome: 'accepted_with_warnings' });
    const failed: AuthenticityResult = {
      ...unproven,
      checks: { ...unproven.checks, activeAuth: 'fail' },
    };
    expect(run(failed, pinned).outcome).toBe('rejected');
  });

  it('blocked → red, from the registry or from the trust store, even for a genuine chain', () => {
    const genuine: AuthenticityResult = {
      verdict: 'genuine',
      checks: { hashes: 'pass', signature: 'pass', chain: 'pass', activeAuth: 'pass', chipAuth: 'pass' },
      reasons: [],
    };
    expect(run(genuine, { status: 'blocked' }).codes).toEqual(['issuer_blocked:error']);
    const native: AuthenticityResult = {
      verdict: 'altered_or_forged',
      checks: { hashes: 'pass', signature: 'pass', chain: 'fail', activeAuth: 'pass', chipAuth: 'pass' },
      reasons: [reason('issuer_blocked', 'error')],
    };
    expect(run(native).outcome).toBe('rejected');
    expect(run(unknownIssuer(reason('csca_not_found', 'warning')), { status: 'blocked' }).outcome).toBe(
      'rejected',
    );
  });

  it('a chain proven bad stays red whatever the trust facts', () => {
    const r = run(unknownIssuer(reason('ds_certificate_signature_invalid', 'error')), {
      pinnedSigner: true,
      status: 'approved',
    });
    expect(r.outcome).toBe('rejected');
  });
});
