/**
 * Fictional report models for the report tests and the report benchmark: Vietnamese names full of
 * diacritics, masked ID numbers, a mix of present and absent candidates and of verdicts. Every
 * person here is made up; the generator is deterministic (same size → same model).
 */
import { fictionalPerson, rng } from '../../electron/core/fictional-people';
import type { AuthenticityVerdict, IdentityVerdict } from '../../native/domain/vocabulary';
import type { ReportCandidate, ReportFlaggedCheck, ReportModel } from '../../electron/core/reports/model';

/** The four names the tests look for, always the first four candidates. */
export const NAMED = [
  'Nguyễn Thị Ngọc Ánh',
  'Trần Đức Hưởng',
  'Lê Văn Lương',
  'Phạm Thị Thuỳ Dương',
] as const;

const EXAMINERS = ['Đinh Công Tráng', 'Lưu Thị Hạnh', 'Tạ Quang Bửu'];
const STATIONS = ['Bàn 1', 'Bàn 2', 'Bàn 3'];

/** As the report service prints it: only the last five digits readable. */
const mask = (id: string): string => '•'.repeat(id.length - 5) + id.slice(-5);

export interface FixtureOptions {
  candidates: number;
  flagged?: number;
  /** Fraction of candidates absent (default 0.1; candidate 2 is always absent when there are ≥ 3). */
  absentRate?: number;
  withIntegrity?: boolean;
  /** Extra candidates appended as given (e.g. formula-injection names). */
  extra?: ReportCandidate[];
}

export function buildReportModel(o: FixtureOptions): ReportModel {
  const r = rng(o.candidates * 7919 + (o.flagged ?? 0));
  const absentRate = o.absentRate ?? 0.1;
  const candidates: ReportCandidate[] = [];
  for (let i = 0; i < o.candidates; i++) {
    const p = fictionalPerson(i, 42);
    const absent = o.candidates >= 3 && i === 2 ? true : i > 3 && r() < absentRate;
    const chip = r() < 0.7;
    const minutes = Math.floor((i / Math.max(1, o.candidates)) * 240);
    // 2025-03-12 00:00 UTC is 07:00 in Asia/Ho_Chi_Minh (UTC+7); check-ins spread over 4 hours.
    const checkedInAt = new Date(Date.UTC(2025, 2, 12, 0, 0, 0) + minutes * 60_000 + (i % 60) * 1000)
      .toISOString()
      .replace('.000Z', 'Z');
    const c: ReportCandidate = {
      candidateNo: p.candidateNo,
      fullName: NAMED[i] ?? p.fullName,
      dateOfBirth: p.dateOfBirth,
      idNumberMasked: mask(p.idNumber),
      licenceClass: p.licenceClass,
      present: !absent,
    };
    if (!absent) {
      c.checkedInAt = checkedInAt;
      c.identityVerdict = 'match';
      c.authenticityVerdict = chip
        ? r() < 0.9
          ? 'genuine'
          : 'signature_valid_chip_unproven'
        : 'not_checked';
      c.examiner = EXAMINERS[i % EXAMINERS.length];
      c.station = STATIONS[i % STATIONS.length];
      c.source = chip ? 'chip' : 'qr';
    }
    candidates.push(c);
  }
  candidates.push(...(o.extra ?? []));

  const identities: IdentityVerdict[] = [
    'not_on_roster',
    'data_mismatch',
    'already_checked_in',
    'card_expired',
    'wrong_session',
    'invalid_card_data',
    'match',
  ];
  const auths: AuthenticityVerdict[] = [
    'altered_or_forged',
    'unknown_issuer',
    'signature_valid_chip_unproven',
    'not_checked',
    'genuine',
  ];
  const flagged: ReportFlaggedCheck[] = [];
  for (let i = 0; i < (o.flagged ?? 0); i++) {
    const identityVerdict = identities[i % identities.length] as IdentityVerdict;
    const authenticityVerdict = auths[i % auths.length] as AuthenticityVerdict;
    const onRoster = identityVerdict !== 'not_on_roster' && candidates.length > 0;
    const cand = candidates[i % Math.max(1, candidates.length)];
    flagged.push({
      logId: 1000 + i,
      at: new Date(Date.UTC(2025, 2, 12, 1, 0, 0) + i * 7000).toISOString(),
      examiner: EXAMINERS[i % EXAMINERS.length] as string,
      station: STATIONS[i % STATIONS.length] as string,
      source: authenticityVerdict === 'not_checked' ? 'qr' : 'chip',
      identityVerdict,
      authenticityVerdict,
      candidateNo: onRoster ? cand?.candidateNo : undefined,
      fullName: onRoster ? cand?.fullName : 'Võ Thị Sáu Giả Định',
      reasons: [
        {
          code: `identity.${identityVerdict}`,
          severity: identityVerdict === 'match' ? 'warning' : 'error',
          vi: 'Họ tên trên thẻ không khớp với danh sách thí sinh của kỳ sát hạch',
          en: 'The name on the card does not match the session roster',
        },
        ...(i % 2 === 0
          ? [
              {
                code: `authenticity.${authenticityVerdict}`,
                severity: 'warning' as const,
                vi: 'Chip không chứng minh được là thẻ thật (thiếu xác thực chủ động)',
                en: 'The chip did not prove it is genuine (no active authentication)',
              },
            ]
          : []),
      ],
    });
  }

  const present = candidates.filter((c) => c.present).length;
  return {
    session: {
      code: 'SH-2025-0312-B2',
      council: 'Hội đồng sát hạch lái xe - Trung tâm đào tạo và sát hạch lái xe Hưng Phát',
      date: '2025-03-12',
      location: 'Sân sát hạch số 2, Xã Đức Hòa Thượng, Tỉnh Long An',
      licenceClasses: ['A1', 'B1', 'B2', 'C'],
      state: 'signed',
      signedAt: '2025-03-12T10:30:00Z',
      signedBy: 'Châu Văn Liêm',
    },
    generatedAt: '2025-03-12T10:45:09Z',
    timeZone: 'Asia/Ho_Chi_Minh',
    candidates,
    flagged,
    examiners: [...EXAMINERS],
    totals: {
      candidates: candidates.length,
      present,
      absent: candidates.length - present,
      rejectedChecks: flagged.filter((f) => f.reasons.some((x) => x.severity === 'error')).length,
      warningChecks: flagged.filter((f) => !f.reasons.some((x) => x.severity === 'error')).length,
    },
    integrity:
      o.withIntegrity === false
        ? undefined
        : {
            headHash: '9f2c4e1ab37d5c0e8a6b4d2f1e3c5a7b9d0e2f4a6c8e0b2d4f6a8c0e2b4d6f8a',
            entries: 4213,
            signature:
              '3045022100c7d1e5a9b3f7c1d5e9a3b7f1c5d9e3a7b1f5c9d3e7a1b5f9c3d7e1a5b9f3c7d10220' +
              '5e1a9d3c7b2f6e0a4d8c2b6f0e4a8d2c6b0f4e8a2d6c0b4f8e2a6d0c4b8f2e6a0d',
            publicKey:
              '-----BEGIN PUBLIC KEY-----\n' +
              'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8xOUetsCa8EfOlDEBAfREhJqspDo\n' +
              'yEh6Szz2in47Tv5n52m9dLYyPCbqZkOB5nTSqtscpkQD/HpykCggvx09iQ==\n' +
              '-----END PUBLIC KEY-----',
          },
  };
}
