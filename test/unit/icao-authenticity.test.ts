/**
 * The authenticity verdict rules on their own (issue 9 contract), for every combination that matters:
 * forgery outranks an unknown issuer, which outranks the chip proof; every proof the SOD announces
 * must pass (a failed one is a clone: altered_or_forged); an unknown issuer is amber only for
 * "not in the store" codes; a chain proven bad is a forgery; read errors (withheld group, DG1/DG13
 * mismatch) are forgeries; stored reads are at best signature_valid_chip_unproven.
 */
import { describe, expect, it } from 'vitest';
import type { CheckOutcome, Reason } from '../../native/domain/vocabulary';
import { assessAuthenticity, type AnnouncedProofs } from '../../native/icao/authenticity';
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

const BOTH: AnnouncedProofs = { activeAuth: true, chipAuth: true };
const AA_ONLY: AnnouncedProofs = { activeAuth: true, chipAuth: false };
const CA_ONLY: AnnouncedProofs = { activeAuth: false, chipAuth: true };
const NONE: AnnouncedProofs = { activeAuth: false, chipAuth: false };

function read(code: string, severity: Reason['severity'] = 'error'): Reason {
  return { code, severity, vi: code, en: code };
}

describe('assessAuthenticity', () => {
  type Case = [string, PassiveAuthResult, CheckOutcome, CheckOutcome, AnnouncedProofs, string, string[]];
  const cases: Case[] = [
    [
      'all passed with AA (SOD announces AA only)',
      passive(),
      'pass',
      'not_run',
      AA_ONLY,
      'genuine',
      ['card_genuine'],
    ],
    ['all passed with CA only', passive(), 'not_run', 'pass', CA_ONLY, 'genuine', ['card_genuine']],
    ['both announced, both passed', passive(), 'pass', 'pass', BOTH, 'genuine', ['card_genuine']],
    // Issue 9 item 2: one passed proof is no longer enough when the SOD announces the other.
    [
      'CA passed, announced AA failed',
      passive(),
      'fail',
      'pass',
      BOTH,
      'altered_or_forged',
      ['active_auth_failed'],
    ],
    [
      'AA passed, announced CA failed',
      passive(),
      'pass',
      'fail',
      BOTH,
      'altered_or_forged',
      ['chip_auth_failed'],
    ],
    ['AA failed', passive(), 'fail', 'not_run', AA_ONLY, 'altered_or_forged', ['active_auth_failed']],
    ['CA failed', passive(), 'not_run', 'fail', CA_ONLY, 'altered_or_forged', ['chip_auth_failed']],
    [
      'both failed',
      passive(),
      'fail',
      'fail',
      BOTH,
      'altered_or_forged',
      ['active_auth_failed', 'chip_auth_failed'],
    ],
    [
      'AA passed, announced CA the kiosk cannot run',
      passive(),
      'pass',
      'not_supported',
      BOTH,
      'signature_valid_chip_unproven',
      ['chip_auth_not_supported'],
    ],
    [
      'the SOD announces no proof',
      passive(),
      'not_run',
      'not_run',
      NONE,
      'signature_valid_chip_unproven',
      ['chip_proof_unavailable'],
    ],
    [
      'announced AA never ran (kiosk configured off)',
      passive(),
      'not_run',
      'not_run',
      AA_ONLY,
      'signature_valid_chip_unproven',
      ['chip_proof_unavailable'],
    ],
    [
      'untrusted issuer (none configured for the country): amber',
      passive({ chain: 'fail' }, ['csca_not_found']),
      'pass',
      'pass',
      BOTH,
      'unknown_issuer',
      ['csca_not_found'],
    ],
    [
      'empty trust store: unknown issuer',
      passive({ chain: 'fail' }, ['trust_store_empty']),
      'pass',
      'pass',
      BOTH,
      'unknown_issuer',
      ['trust_store_empty'],
    ],
    [
      'issuer not recognised for a configured country',
      passive({ chain: 'fail' }, ['issuer_not_recognised']),
      'pass',
      'pass',
      BOTH,
      'unknown_issuer',
      ['issuer_not_recognised'],
    ],
    [
      'unknown issuer and a failed announced AA: the clone wins',
      passive({ chain: 'fail' }, ['csca_not_found']),
      'fail',
      'pass',
      BOTH,
      'altered_or_forged',
      ['csca_not_found', 'active_auth_failed'],
    ],
    ...(
      [
        'ds_certificate_signature_invalid',
        'ds_revoked',
        'ds_key_usage_invalid',
        'csca_not_ca',
        'country_mismatch',
        'issuer_blocked',
        'ds_certificate_expired',
      ] as const
    ).map((code): Case => [
      `chain proven bad (${code})`,
      passive({ chain: 'fail' }, [code]),
      'pass',
      'pass',
      BOTH,
      'altered_or_forged',
      [code],
    ]),
    [
      'chain failed with a code this module does not know: fail closed',
      passive({ chain: 'fail' }, ['ds_something_new']),
      'pass',
      'pass',
      BOTH,
      'altered_or_forged',
      ['ds_something_new'],
    ],
    [
      'chain failed with no reason at all: fail closed',
      passive({ chain: 'fail' }),
      'pass',
      'pass',
      BOTH,
      'altered_or_forged',
      ['chain_invalid'],
    ],
    [
      'unsupported signature algorithm: not checked, with its reason',
      passive({ signature: 'not_supported', chain: 'not_run' }, ['signature_algorithm_unsupported']),
      'pass',
      'pass',
      BOTH,
      'not_checked',
      ['signature_algorithm_unsupported'],
    ],
    [
      'altered group',
      passive({ hashes: 'fail' }, ['dg_hash_mismatch']),
      'pass',
      'pass',
      BOTH,
      'altered_or_forged',
      ['dg_hash_mismatch'],
    ],
    [
      'altered group and unknown issuer',
      passive({ hashes: 'fail', chain: 'fail' }, ['dg_hash_mismatch', 'csca_not_found']),
      'pass',
      'pass',
      BOTH,
      'altered_or_forged',
      ['dg_hash_mismatch', 'csca_not_found'],
    ],
    [
      'bad signature',
      passive({ signature: 'fail', chain: 'fail' }, ['sod_signature_invalid']),
      'pass',
      'pass',
      BOTH,
      'altered_or_forged',
      ['sod_signature_invalid'],
    ],
    [
      'missing SOD',
      passive({ hashes: 'not_run', signature: 'not_run', chain: 'not_run' }, ['sod_missing']),
      'pass',
      'pass',
      BOTH,
      'altered_or_forged',
      ['sod_missing'],
    ],
  ];
  for (const [name, p, activeAuth, chipAuth, announced, verdict, reasonCodes] of cases) {
    it(`${name} → ${verdict}`, () => {
      const r = assessAuthenticity({ passive: p, activeAuth, chipAuth, announced });
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

  it('an issuer missing from the store is a warning (amber); one not recognised for its country is red', () => {
    const missing = assessAuthenticity({ passive: passive({ chain: 'fail' }, ['csca_not_found']) });
    expect(missing.reasons.find((x) => x.code === 'csca_not_found')?.severity).toBe('warning');
    const empty = assessAuthenticity({ passive: passive({ chain: 'fail' }, ['trust_store_empty']) });
    expect(empty.reasons.find((x) => x.code === 'trust_store_empty')?.severity).toBe('warning');
    const other = assessAuthenticity({ passive: passive({ chain: 'fail' }, ['issuer_not_recognised']) });
    expect(other.reasons.find((x) => x.code === 'issuer_not_recognised')?.severity).toBe('error');
  });

  it('read errors make the card altered_or_forged; read warnings stay as reasons (no clean green)', () => {
    for (const code of ['dg_withheld', 'dg1_dg13_mismatch']) {
      const r = assessAuthenticity({
        passive: passive(),
        activeAuth: 'pass',
        chipAuth: 'pass',
        announced: BOTH,
        readReasons: [read(code)],
      });
      expect(r.verdict).toBe('altered_or_forged');
      expect(r.reasons.map((x) => x.code)).toEqual([code]);
    }
    const w = assessAuthenticity({
      passive: passive(),
      activeAuth: 'pass',
      chipAuth: 'pass',
      announced: BOTH,
      readReasons: [read('dg2_unreadable', 'warning')],
    });
    expect(w.verdict).toBe('genuine');
    expect(w.reasons.map((x) => [x.code, x.severity])).toEqual([['dg2_unreadable', 'warning']]);
  });

  it('without `announced`: AA is required when the SOD lists DG15, CA when it ran', () => {
    const p = passive();
    p.sod = { dataGroupHashes: new Map([[15, new Uint8Array(32)]]) } as unknown as PassiveAuthResult['sod'];
    expect(assessAuthenticity({ passive: p, chipAuth: 'pass' }).verdict).toBe(
      'signature_valid_chip_unproven',
    );
    expect(assessAuthenticity({ passive: p, activeAuth: 'fail', chipAuth: 'pass' }).verdict).toBe(
      'altered_or_forged',
    );
    expect(assessAuthenticity({ passive: p, activeAuth: 'pass', chipAuth: 'pass' }).verdict).toBe('genuine');
  });

  it('a stored read is at best signature_valid_chip_unproven, and says why', () => {
    const r = assessAuthenticity({ passive: passive(), stored: true });
    expect(r.verdict).toBe('signature_valid_chip_unproven');
    expect(r.reasons.map((x) => x.code)).toEqual(['stored_read_chip_unproven']);
    // An SOD-only stored read with a valid chain: unproven with a reason, never unknown_issuer.
    const sodOnly = passive({ hashes: 'not_run' });
    sodOnly.hashes.matched = [];
    const s = assessAuthenticity({ passive: sodOnly, stored: true });
    expect(s.verdict).toBe('signature_valid_chip_unproven');
    expect(s.reasons.map((x) => x.code)).toEqual(['dg_hashes_not_checked', 'stored_read_chip_unproven']);
  });

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

  it('a failed announced proof is an error, one the kiosk cannot run a warning', () => {
    const failed = assessAuthenticity({ passive: passive(), activeAuth: 'fail', announced: AA_ONLY });
    expect(failed.reasons[0]!.severity).toBe('error');
    const unavailable = assessAuthenticity({
      passive: passive(),
      activeAuth: 'not_supported',
      announced: AA_ONLY,
    });
    expect(unavailable.reasons[0]!.severity).toBe('warning');
  });

  it('a verdict other than genuine always carries a reason', () => {
    const r = assessAuthenticity({ passive: passive({ signature: 'not_run', chain: 'not_run' }) });
    expect(r.verdict).toBe('not_checked');
    expect(r.reasons.length).toBeGreaterThan(0);
  });
});
