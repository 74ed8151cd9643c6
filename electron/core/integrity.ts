/**
 * `kiosk log verify --session C [--report FILE] [--public-key FILE]`: does everything agree?
 *
 *  1. database   SQLite's own integrity check over the whole file;
 *  2. chain      the log's hash chain, every entry (audit-log.ts);
 *  3. seal       the session is signed and has a stored statement;
 *  4. signature  the statement's Ed25519 signature verifies with the stored public key, whose
 *                fingerprint is the one named in the statement;
 *  5. key        that public key is the station's own (derived from the private key the key
 *                provider unwraps) or the one given with --public-key, never merely the stored one;
 *  6. statement  what it says is what the database holds: the session code, the log head (that
 *                entry's id and hash, a `session_signed` entry of this session), the signed session
 *                row, and the roster (every candidate's personal digest recomputed, then the digest);
 *  7. report     the report's head hash, signature, public key and statement (PDF: embedded;
 *                CSV/XLSX: integrity fields) are the database's, and its statement verifies.
 * Each check says in Vietnamese and English what differs.
 */
import type { Db } from './db';
import type { AuditLog } from './audit-log';
import type { StationKey } from './station-key';
import { normalisePem, publicKeyFingerprint, verifyStationSignature } from './station-key';
import {
  candidateRows,
  findSeal,
  parseStatement,
  personalDigest,
  rosterDigest,
  sessionRow,
  sessionRowDigest,
  type SealStatement,
  type SessionSeal,
} from './session-seal';
import type { ReportSealInfo } from './report-seal';
import { KioskError } from './errors';

export type IntegrityCheckName = 'database' | 'chain' | 'seal' | 'signature' | 'key' | 'statement' | 'report';

export interface IntegrityCheck {
  name: IntegrityCheckName;
  ok: boolean;
  vi: string;
  en: string;
  /** Machine-readable specifics (entry ids, which fields differ); never personal data. */
  details?: Record<string, unknown>;
}

export interface SessionIntegrityReport {
  ok: boolean;
  session: string;
  checks: IntegrityCheck[];
  /** The statement as stored (canonical JSON), when there is one. */
  statement?: string;
  keyFingerprint?: string;
}

export interface VerifySessionOptions {
  /** Trust this public key (PEM) instead of the station key from the key provider. */
  trustedPublicKey?: string;
  /** The integrity data read from a report file. */
  report?: ReportSealInfo;
}

/** A check's line in the integrity report: passed (`ok`) or failed (`bad`), in both languages. */
const checkLine =
  (passed: boolean) =>
  (name: IntegrityCheckName, vi: string, en: string, details?: Record<string, unknown>): IntegrityCheck => ({
    name,
    ok: passed,
    vi,
    en,
    ...(details ? { details } : {}),
  });
const ok = checkLine(true);
const bad = checkLine(false);

export function verifySessionIntegrity(
  db: Db,
  log: AuditLog,
  stationKey: StationKey,
  code: string,
  options: VerifySessionOptions = {},
): SessionIntegrityReport {
  const checks: IntegrityCheck[] = [];
  const finish = (extra: Partial<SessionIntegrityReport> = {}): SessionIntegrityReport => ({
    ok: checks.every((c) => c.ok),
    session: code,
    checks,
    ...extra,
  });

  // 1. The file itself.
  checks.push(databaseCheck(db));

  // 2. The chain.
  const chain = safely(() => log.verify());
  if (chain instanceof Error) {
    checks.push(bad('chain', 'Không đọc được nhật ký.', `The log cannot be read: ${chain.message}`));
  } else if (chain.ok) {
    checks.push(
      ok(
        'chain',
        `Chuỗi nhật ký toàn vẹn (${chain.entries} mục).`,
        `Log chain intact (${chain.entries} entries).`,
        {
          entries: chain.entries,
          headId: chain.headId,
          headHash: chain.headHash,
        },
      ),
    );
  } else {
    checks.push(
      bad(
        'chain',
        chain.firstBroken.vi,
        `Log chain broken at entry ${chain.firstBroken.id}: ${chain.firstBroken.message} (${chain.firstBroken.problem}).`,
        { entry: chain.firstBroken.id, problem: chain.firstBroken.problem },
      ),
    );
  }

  // 3. The seal.
  const sessionId = (
    db.prepare('SELECT id FROM exam_sessions WHERE code = ?').get(code) as { id: number } | undefined
  )?.id;
  if (sessionId === undefined) {
    throw new KioskError('session_not_found', {
      vi: `Không tìm thấy kỳ sát hạch "${code}".`,
      en: `Exam session "${code}" not found.`,
    });
  }
  const session = sessionRow(db, sessionId)!;
  const seal = safely(() => findSeal(db, sessionId));
  if (seal instanceof Error || !seal) {
    checks.push(
      session.state !== 'signed'
        ? bad(
            'seal',
            `Kỳ sát hạch "${code}" chưa được ký duyệt: chưa có chữ ký để kiểm tra.`,
            `Session "${code}" is not signed off (${session.state}): there is no signature to check.`,
          )
        : bad(
            'seal',
            `Kỳ sát hạch "${code}" đã ký duyệt nhưng không có bản xác nhận có chữ ký số (bị xóa, hoặc ký bằng phiên bản cũ).`,
            `Session "${code}" is signed but has no signed statement (deleted, or signed by an older version).`,
          ),
    );
    if (options.report) checks.push(reportWithoutSeal(options.report));
    return finish();
  }
  checks.push(ok('seal', 'Có bản xác nhận ký duyệt đã ký số.', 'The signed sign-off statement is present.'));

  // 4. Signature.
  const statement = parseStatement(seal.statement);
  checks.push(signatureCheck(seal, statement));

  // 5. Whose key.
  checks.push(keyCheck(seal, stationKey, options.trustedPublicKey));

  // 6. Statement vs database.
  checks.push(statementCheck(db, code, sessionId, statement));

  // 7. The report.
  if (options.report) checks.push(reportCheck(options.report, seal, statement));

  return finish({ statement: seal.statement, keyFingerprint: seal.keyFingerprint });
}

function safely<T>(fn: () => T): T | Error {
  try {
    return fn();
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function databaseCheck(db: Db): IntegrityCheck {
  const r = safely(() =>
    (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((x) => x.integrity_check),
  );
  if (r instanceof Error) {
    return bad('database', 'Tệp cơ sở dữ liệu bị hỏng.', `The database file is damaged: ${r.message}`);
  }
  if (r.length === 1 && r[0] === 'ok') {
    return ok('database', 'Tệp cơ sở dữ liệu nguyên vẹn (SQLite).', 'SQLite integrity check: ok.');
  }
  return bad(
    'database',
    'Tệp cơ sở dữ liệu bị hỏng hoặc bị sửa trực tiếp.',
    `SQLite integrity check failed: ${r.slice(0, 5).join('; ')}`,
    {
      problems: r.slice(0, 20),
    },
  );
}

function signatureCheck(seal: SessionSeal, statement: SealStatement | null): IntegrityCheck {
  if (!statement) {
    return bad(
      'signature',
      'Bản xác nhận đã ký không đọc được (bị sửa).',
      'The stored statement is not a valid statement (altered).',
    );
  }
  let fp: string;
  try {
    fp = publicKeyFingerprint(seal.publicKey);
  } catch {
    return bad(
      'signature',
      'Khóa công khai lưu kèm không hợp lệ.',
      'The stored public key is not a valid key.',
    );
  }
  if (fp !== seal.keyFingerprint || fp !== statement.key) {
    return bad(
      'signature',
      'Dấu vân tay khóa không khớp với khóa công khai lưu kèm.',
      'The key fingerprint does not match the stored public key.',
      { stored: seal.keyFingerprint, statement: statement.key, computed: fp },
    );
  }
  if (!verifyStationSignature(seal.publicKey, seal.statement, seal.signature)) {
    return bad(
      'signature',
      'Chữ ký số của bản xác nhận ký duyệt KHÔNG hợp lệ: bản xác nhận hoặc chữ ký đã bị sửa.',
      'The signature of the sign-off statement is NOT valid: the statement or the signature was altered.',
    );
  }
  return ok('signature', 'Chữ ký số của bản xác nhận hợp lệ.', 'The statement signature is valid.', {
    keyFingerprint: fp,
  });
}

function keyCheck(seal: SessionSeal, stationKey: StationKey, trusted?: string): IntegrityCheck {
  let expected: string;
  let source: 'given' | 'station';
  if (trusted) {
    expected = trusted;
    source = 'given';
  } else {
    const k = safely(() => stationKey.existingPublicKeyPem());
    if (k instanceof Error) {
      const e = k as Partial<KioskError>;
      return bad(
        'key',
        `Không xác nhận được khóa của trạm: ${e.vi ?? k.message} Có thể chỉ định khóa công khai đã xuất bằng --public-key.`,
        `Cannot confirm the station key: ${e.en ?? k.message} Give the exported public key with --public-key.`,
      );
    }
    expected = k;
    source = 'station';
  }
  let fp: string;
  try {
    fp = publicKeyFingerprint(expected);
  } catch {
    return bad('key', 'Khóa công khai được chỉ định không hợp lệ.', 'The given public key is not valid.');
  }
  const signedWith = safely(() => publicKeyFingerprint(seal.publicKey));
  if (signedWith instanceof Error || fp !== signedWith) {
    return bad(
      'key',
      source === 'given'
        ? 'Bản xác nhận được ký bằng khóa KHÁC với khóa công khai được chỉ định.'
        : 'Bản xác nhận được ký bằng khóa KHÁC với khóa của trạm này.',
      source === 'given'
        ? 'The statement was signed with a DIFFERENT key than the public key given.'
        : "The statement was signed with a DIFFERENT key than this station's key.",
      { expected: fp, signedWith: signedWith instanceof Error ? null : signedWith },
    );
  }
  return ok(
    'key',
    source === 'given' ? 'Khóa ký đúng là khóa công khai được chỉ định.' : 'Khóa ký đúng là khóa của trạm.',
    source === 'given' ? 'Signed with the public key given.' : "Signed with this station's key.",
    { keyFingerprint: fp, source },
  );
}

function statementCheck(db: Db, code: string, sessionId: number, st: SealStatement | null): IntegrityCheck {
  if (!st) return bad('statement', 'Bản xác nhận không đọc được.', 'The statement cannot be read.');
  const differs: string[] = [];
  const details: Record<string, unknown> = {};
  if (st.session !== code) differs.push('session');
  const head = db
    .prepare('SELECT id, hash, kind, session_code FROM audit_log WHERE id = ?')
    .get(st.head.id) as { id: number; hash: string; kind: string; session_code: string | null } | undefined;
  if (!head || head.hash !== st.head.hash) {
    differs.push('head');
    details.headId = st.head.id;
  } else if (head.kind !== 'session_signed' || head.session_code !== code) {
    differs.push('head_entry');
    details.headId = st.head.id;
  }
  const row = sessionRow(db, sessionId)!;
  if (sessionRowDigest(row) !== st.sessionDigest || row.signed_at !== st.signedAt)
    differs.push('session_row');
  const rows = candidateRows(db, sessionId);
  const changed: number[] = [];
  for (const r of rows) {
    if (r.purged_at) {
      const erased =
        r.full_name === '' &&
        r.date_of_birth === '' &&
        r.id_number === `-${r.id}` &&
        r.photo === null &&
        r.note === null &&
        r.seal_nonce === null;
      if (!erased) changed.push(r.id);
    } else if (!r.seal_nonce || !r.personal_digest || personalDigest(r, r.seal_nonce) !== r.personal_digest) {
      changed.push(r.id);
    }
  }
  if (changed.length) {
    differs.push('candidates');
    details.candidateRowIds = changed.slice(0, 50);
  }
  if (rows.length !== st.roster.candidates || rosterDigest(rows) !== st.roster.digest) differs.push('roster');
  if (differs.length) {
    return bad(
      'statement',
      `Cơ sở dữ liệu khác với bản xác nhận đã ký: ${differs.map(viPart).join(', ')}.`,
      `The database differs from the signed statement: ${differs.map(enPart).join(', ')}.`,
      { differs, ...details },
    );
  }
  return ok(
    'statement',
    `Kỳ sát hạch, danh sách (${rows.length} thí sinh) và đầu chuỗi nhật ký (mục ${st.head.id}) khớp bản xác nhận.`,
    `Session, roster (${rows.length} candidates) and log head (entry ${st.head.id}) match the statement.`,
    { headId: st.head.id, headHash: st.head.hash, candidates: rows.length },
  );
}

function viPart(p: string): string {
  return (
    {
      session: 'mã kỳ sát hạch',
      head: 'đầu chuỗi nhật ký (mục hoặc mã băm)',
      head_entry: 'mục nhật ký ký duyệt',
      session_row: 'thông tin kỳ sát hạch đã ký',
      candidates: 'dữ liệu thí sinh',
      roster: 'danh sách thí sinh',
    }[p] ?? p
  );
}

function enPart(p: string): string {
  return (
    {
      session: 'session code',
      head: 'log head (entry or hash)',
      head_entry: 'the sign-off log entry',
      session_row: 'the signed session row',
      candidates: 'candidate rows',
      roster: 'the roster',
    }[p] ?? p
  );
}

function reportWithoutSeal(r: ReportSealInfo): IntegrityCheck {
  return bad(
    'report',
    'Không thể đối chiếu báo cáo: cơ sở dữ liệu không có bản xác nhận ký duyệt.',
    'The report cannot be checked: the database has no signed statement for the session.',
    { format: r.format },
  );
}

function reportCheck(r: ReportSealInfo, seal: SessionSeal, st: SealStatement | null): IntegrityCheck {
  if (r.unreadable) return bad('report', r.unreadable.vi, r.unreadable.en, { format: r.format });
  if (!r.signature && !r.statement) {
    return bad(
      'report',
      'Báo cáo không mang chữ ký số (xuất trước khi ký duyệt, hoặc thông tin toàn vẹn đã bị xóa).',
      'The report carries no signature (exported before the sign-off, or its integrity data was removed).',
      { format: r.format },
    );
  }
  const differs: string[] = [];
  if (r.statement !== undefined && r.statement !== seal.statement) differs.push('statement');
  if (st && r.headHash !== st.head.hash) differs.push('head_hash');
  if (st && r.entries !== undefined && r.entries !== st.head.id) differs.push('entries');
  if (r.signature !== seal.signature) differs.push('signature');
  if (!r.publicKey || normalisePem(r.publicKey) !== normalisePem(seal.publicKey)) differs.push('public_key');
  // The report's own statement must verify with its own key: an edited copy is named as such.
  if (r.statement !== undefined && r.publicKey && r.signature) {
    if (!verifyStationSignature(r.publicKey, r.statement, r.signature)) differs.push('report_signature');
  }
  if (differs.length) {
    return bad(
      'report',
      `Báo cáo KHÔNG khớp cơ sở dữ liệu: ${differs.map(viReport).join(', ')}.`,
      `The report does NOT match the database: ${differs.join(', ').replace(/_/g, ' ')} differ${differs.length === 1 ? 's' : ''}.`,
      { format: r.format, differs },
    );
  }
  return ok(
    'report',
    'Báo cáo khớp cơ sở dữ liệu: mã băm đầu chuỗi, chữ ký số, khóa công khai và bản xác nhận.',
    'The report matches the database: head hash, signature, public key and statement.',
    { format: r.format },
  );
}

function viReport(p: string): string {
  return (
    {
      statement: 'bản xác nhận',
      head_hash: 'mã băm đầu chuỗi',
      entries: 'số bản ghi',
      signature: 'chữ ký số',
      public_key: 'khóa công khai',
      report_signature: 'chữ ký của bản xác nhận trong báo cáo không hợp lệ',
    }[p] ?? p
  );
}
