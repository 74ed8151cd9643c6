/**
 * The authenticity verdict rules on their own, for every combination that matters: forgery
 * outranks an unknown issuer, which outranks the chip proof; one passed proof (AA or CA) makes a
 * genuine card; a failed proof is an error ("possible clone"), an unavailable one a warning.
 */
import { describe, expect, it } from 'vitest';
import type { CheckOutcome } from '../../native/cccd/types';
import { assessAuthenticity } from '../../native/icao/authenticity';
import type { PassiveAuthResult } from '../../native/icao/passive-auth';

function passive(
  o: Partial<Record<'hashes' | 'signature' | 'chain', CheckOutcome>> = {},
  codes: string[] = [],
): PassiveAuthResult {
  return {
    hashes: {
      outcome: o.hashes ?? 'pass',
      matched: [1, 2],
      mismatched: o.hashes === 'fail' ? [2] : [],
      injected: [],
      notRead: [],
    },
    signature: { outcome: o.signature ?? 'pass', algorithm: 'ECDSA/sha256' },
    chain: { outcome: o.chain ?? 'pass', csca: 'C=VN, CN=Test' },
    reasons: codes.map((code) => ({ code, severity: 'error' as const, vi: code, en: code })),
  };
}

describe('assessAuthenticity', () => {
  const cases: Array<[string, PassiveAuthResult, CheckOutcome, CheckOutcome, string, string[]]> = [
    ['all passed with AA', passive(), 'pass', 'not_supported', 'genuine', ['card_genuine']],
    ['all passed with CA only', passive(), 'not_run', 'pass', 'genuine', ['card_genuine']],
    ['CA passed, AA failed', passive(), 'fail', 'pass', 'genuine', ['chip_proof_partial']],
    ['AA failed', passive(), 'fail', 'not_run', 'signature_valid_chip_unproven', ['active_auth_failed']],
    ['CA failed', passive(), 'not_supported', 'fail', 'signature_valid_chip_unproven', ['chip_auth_failed']],
    [
      'both failed',
      passive(),
      'fail',
      'fail',
      'signature_valid_chip_unproven',
      ['active_auth_failed', 'chip_auth_failed'],
    ],
    [
      'no proof available',
      passive(),
      'not_supported',
      'not_run',
      'signature_valid_chip_unproven',
      ['chip_proof_unavailable'],
    ],
    [
      'untrusted issuer',
      passive({ chain: 'fail' }, ['csca_not_found']),
      'pass',
      'pass',
      'unknown_issuer',
      ['csca_not_found'],
    ],
    [
      'unsupported signature algorithm',
      passive({ signature: 'not_supported', chain: 'not_run' }, ['signature_algorithm_unsupported']),
      'pass',
      'pass',
      'unknown_issuer',
      ['signature_algorithm_unsupported'],
    ],
    [
      'altered group',
      passive({ hashes: 'fail' }, ['dg_hash_mismatch']),
      'pass',
      'pass',
      'altered_or_forged',
      ['dg_hash_mismatch'],
    ],
    [
      'altered group and unknown issuer',
      passive({ hashes: 'fail', chain: 'fail' }, ['dg_hash_mismatch', 'csca_not_found']),
      'pass',
      'pass',
      'altered_or_forged',
      ['dg_hash_mismatch', 'csca_not_found'],
    ],
    [
      'bad signature',
      passive({ signature: 'fail', chain: 'fail' }, ['sod_signature_invalid']),
      'pass',
      'pass',
      'altered_or_forged',
      ['sod_signature_invalid'],
    ],
    [
      'missing SOD',
      passive({ hashes: 'not_run', signature: 'not_run', chain: 'not_run' }, ['sod_missing']),
      'pass',
      'pass',
      'altered_or_forged',
      ['sod_missing'],
    ],
  ];
  for (const [name, p, activeAuth, chipAuth, verdict, reasonCodes] of cases) {
    it(`${name} → ${verdict}`, () => {
      const r = assessAuthenticity({ passive: p, activeAuth, chipAuth });
      expect(r.verdict).toBe(verdict);
      expect(r.reasons.map((x) => x.code)).toEqual(reasonCodes);
      expect(r.checks).toEqual({
        hashes: p.hashes.outcome,
        signature: p.signature.outcome,
        chain: p.chain.outcome,
        activeAuth,
        chipAuth,
      });
      for (const reason of r.reasons) {
        expect(reason.vi.length).toBeGreaterThan(0);
        expect(reason.en.length).toBeGreaterThan(0);
      }
    });
  }

  it('defaults the chip proofs to not_run and keeps the details for the log', () => {
    const r = assessAuthenticity({ passive: passive({ hashes: 'fail' }, ['dg_hash_mismatch']) });
    expect(r.checks.activeAuth).toBe('not_run');
    expect(r.checks.chipAuth).toBe('not_run');
    expect(r.details).toEqual({
      mismatchedGroups: [2],
      injectedGroups: [],
      signatureAlgorithm: 'ECDSA/sha256',
      csca: 'C=VN, CN=Test',
      documentSigner: undefined,
    });
  });

  it('a failed proof is an error, an unavailable one a warning', () => {
    const failed = assessAuthenticity({ passive: passive(), activeAuth: 'fail' });
    expect(failed.reasons[0]!.severity).toBe('error');
    const unavailable = assessAuthenticity({ passive: passive(), activeAuth: 'not_supported' });
    expect(unavailable.reasons[0]!.severity).toBe('warning');
  });
});
