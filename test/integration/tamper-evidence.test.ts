/**
 * Tamper evidence, end to end through the `kiosk` CLI on real SQLite files: a signed session's
 * statement, the rows it covers and the reports that carry it. Every case copies the signed station
 * (database + key file), changes bytes the way an attacker would (raw bytes in the SQLite file, SQL
 * with the triggers dropped, a re-signed statement, an edited report) and expects
 * `kiosk log verify --session` to exit 1 naming what differs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createHash, generateKeyPairSync, sign as edSign } from 'node:crypto';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { tempDir } from '../support/tmp';
import { kiosk } from '../support/cli';
import { copyStation, patchFileBytes, runDay, type Day } from '../support/security-day';
import { LOG_COLUMNS, entryHash, entryText, GENESIS_HASH } from '../../electron/core/audit-log';
import { canonicalJson } from '../../electron/core/canonical';
import { PDF_SEAL_KEY } from '../../electron/core/report-seal';
import { KioskServices } from '../../electron/core/services';

const root = tempDir('kiosk-tamper-');
const stationDir = path.join(root, 'station');
const CODE = 'SH-TAMPER-01';
let day: Day;
let caseNo = 0;

interface Check {
  name: string;
  ok: boolean;
  en: string;
  details?: Record<string, unknown>;
}
interface VerifyJson {
  ok: boolean;
  checks: Check[];
  statement?: string;
}

/** A fresh copy of the signed station for one case. */
function station(): { db: string; dir: string } {
  const dir = path.join(root, `case-${caseNo++}`);
  return { db: copyStation(stationDir, dir), dir };
}

function verify(db: string, ...extra: string[]): { code: number; json: VerifyJson; stdout: string } {
  const r = kiosk(['--db', db, 'log', 'verify', '--session', CODE, '--json', ...extra]);
  return { code: r.code, json: JSON.parse(r.stdout) as VerifyJson, stdout: r.stdout };
}

const failed = (j: VerifyJson) => j.checks.filter((c) => !c.ok).map((c) => c.name);
const check = (j: VerifyJson, name: string) => j.checks.find((c) => c.name === name)!;

/** SQL with the protecting triggers removed, as an attacker with the file would do. */
function attacker(db: string): Database.Database {
  const c = new Database(db);
  c.exec(`
    DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;
    DROP TRIGGER IF EXISTS session_seals_no_update; DROP TRIGGER IF EXISTS session_seals_no_delete;
    DROP TRIGGER IF EXISTS sessions_signed_read_only; DROP TRIGGER IF EXISTS candidates_no_update_when_signed;`);
  return c;
}

function closeCheckpointed(c: Database.Database): void {
  c.pragma('wal_checkpoint(TRUNCATE)');
  c.close();
}

beforeAll(() => {
  day = runDay({
    code: CODE,
    dbArgs: ['--db', path.join(stationDir, 'kiosk.db')],
    inputDir: path.join(root, 'input'),
    reportsDir: path.join(root, 'reports'),
  });
  // Every CLI process has exited: the WAL is folded into the file, whose raw bytes the cases edit.
  expect(fs.existsSync(path.join(stationDir, 'kiosk.db-wal'))).toBe(false);
}, 120_000);

describe('signed session seal: intact', () => {
  it('verifies the chain, the statement, the station key and each report format; exit 0', () => {
    const { db } = station();
    for (const f of ['pdf', 'csv', 'xlsx'] as const) {
      const r = verify(db, '--report', day.reports![f]);
      expect(r.code, r.stdout).toBe(0);
      expect(r.json.ok).toBe(true);
      expect(r.json.checks.map((c) => c.name)).toEqual([
        'database',
        'chain',
        'seal',
        'signature',
        'key',
        'statement',
        'report',
      ]);
      expect(check(r.json, 'report').details).toMatchObject({ format: f });
    }
    const human = kiosk(['--db', db, 'log', 'verify', '--session', CODE, '--report', day.reports!.pdf]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('TẤT CẢ KHỚP');
    expect(human.stdout).toContain('everything agrees');
  });

  it('signs the session code, head id and hash (the session_signed entry), time, station and key', () => {
    const { db } = station();
    const r = verify(db);
    const st = JSON.parse(r.json.statement!) as Record<string, unknown> & {
      head: { id: number; hash: string };
    };
    expect(r.json.statement).toBe(canonicalJson(st));
    expect(st).toMatchObject({ type: 'cccd-kiosk/session-seal', session: CODE, station: 'test-station' });
    const c = new Database(db, { readonly: true });
    const head = c
      .prepare('SELECT id, hash, kind, session_code FROM audit_log ORDER BY id DESC LIMIT 1')
      .get();
    c.close();
    expect(head).toEqual({ id: st.head.id, hash: st.head.hash, kind: 'session_signed', session_code: CODE });
    const exported = kiosk(['--db', db, 'key', 'export', '--json']).json() as { fingerprint: string };
    expect(st.key).toBe(exported.fingerprint);
    expect(typeof st.signedAt).toBe('string');
  });

  it('checks against an exported public key given with --public-key', () => {
    const { db, dir } = station();
    const pem = path.join(dir, 'station.pem');
    expect(kiosk(['--db', db, 'key', 'export', '--out', pem]).code).toBe(0);
    expect(verify(db, '--public-key', pem).code).toBe(0);
    const other = path.join(dir, 'other.pem');
    fs.writeFileSync(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const r = verify(db, '--public-key', other);
    expect(r.code).toBe(1);
    expect(failed(r.json)).toEqual(['key']);
  });

  it('a session that is not signed has nothing to verify: exit 1', () => {
    const { db } = station();
    const created = kiosk([
      '--db',
      db,
      'session',
      'create',
      '--code',
      'OPEN-1',
      '--council',
      'x',
      '--date',
      '2026-11-27',
    ]);
    expect(created.code).toBe(0);
    const r = kiosk(['--db', db, 'log', 'verify', '--session', 'OPEN-1', '--json']);
    expect(r.code).toBe(1);
    expect(failed(JSON.parse(r.stdout) as VerifyJson)).toEqual(['seal']);
  });
});

describe('bytes changed in the database are detected', () => {
  it('a byte inside a log row, in the raw SQLite file: the chain names the entry (SQLite itself sees nothing)', () => {
    const { db } = station();
    const c = new Database(db, { readonly: true });
    const row = c.prepare("SELECT id, details FROM audit_log WHERE kind = 'roster_imported'").get() as {
      id: number;
      details: string;
    };
    c.close();
    const hash = /"fileHash":"([0-9a-f]{64})"/.exec(row.details)![1]!;
    const flipped = (hash[0] === 'a' ? 'b' : 'a') + hash.slice(1);
    // Every copy SQLite holds (a page split may leave an old copy in free space): the live one is among them.
    expect(patchFileBytes(db, hash, flipped)).toBeGreaterThan(0);

    const r = verify(db);
    expect(r.code).toBe(1);
    // The statement names the head (the sign-off entry), which is intact: the chain names the entry.
    expect(failed(r.json)).toEqual(['chain']);
    expect(check(r.json, 'chain').details).toMatchObject({ entry: row.id, problem: 'hash_mismatch' });
    // The row's bytes are well-formed SQLite: only the chain can tell.
    expect(check(r.json, 'database').ok).toBe(true);
    const plain = kiosk(['--db', db, 'log', 'verify']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain(`entry ${row.id}`);
  });

  it('a byte of an indexed log column in the raw file: the SQLite integrity check reports it too', () => {
    const { db } = station();
    // The session code is in audit_log rows and in their index; change it in the table rows only.
    const c = new Database(db, { readonly: true });
    const pageSize = c.pragma('page_size', { simple: true }) as number;
    const rootPage = (
      c.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'audit_log'").get() as { rootpage: number }
    ).rootpage;
    const logPages = new Set<number>(
      (c.prepare("SELECT pageno FROM dbstat WHERE name = 'audit_log'").all() as { pageno: number }[]).map(
        (p) => p.pageno,
      ),
    );
    c.close();
    expect(logPages.has(rootPage)).toBe(true);
    const bytes = fs.readFileSync(db);
    let n = 0;
    for (const page of logPages) {
      const start = (page - 1) * pageSize;
      const slice = bytes.subarray(start, start + pageSize);
      for (let at = slice.indexOf(CODE); at !== -1; at = slice.indexOf(CODE, at + 1)) {
        slice.write('X', at + CODE.length - 1, 'latin1');
        n++;
      }
    }
    expect(n).toBeGreaterThan(3);
    fs.writeFileSync(db, bytes);

    const r = kiosk(['--db', db, 'log', 'verify', '--session', CODE, '--json']);
    const j = JSON.parse(r.stdout) as VerifyJson;
    expect(r.code).toBe(1);
    expect(check(j, 'database').ok).toBe(false);
    expect(check(j, 'database').en).toMatch(/integrity check failed/);
    expect(check(j, 'chain').ok).toBe(false);
  });

  it('a byte of the stored statement (raw file): the signature check fails', () => {
    const { db } = station();
    const st = verify(db).json.statement!;
    const from = `"station":"test-station"`;
    expect(st).toContain(from);
    expect(patchFileBytes(db, from, `"station":"test-stati0n"`)).toBe(1);
    const r = verify(db);
    expect(r.code).toBe(1);
    expect(failed(r.json)).toEqual(['signature']);
    expect(check(r.json, 'signature').en).toMatch(/NOT valid/);
  });

  it('a byte of the stored signature (raw file): the signature check fails', () => {
    const { db } = station();
    const c = new Database(db, { readonly: true });
    const sig = (c.prepare('SELECT signature FROM session_seals').get() as { signature: string }).signature;
    c.close();
    const i = 10;
    const flipped = sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1);
    expect(patchFileBytes(db, sig, flipped)).toBe(1);
    const r = verify(db);
    expect(r.code).toBe(1);
    expect(failed(r.json)).toEqual(['signature']);
  });

  it('a byte of the signed session row (raw file): the statement check names the session row', () => {
    const { db } = station();
    expect(
      patchFileBytes(db, 'Hội đồng sát hạch thử nghiệm', 'Hội đồng sát hạch thử nghiệp'),
    ).toBeGreaterThan(0);
    const r = verify(db);
    expect(r.code).toBe(1);
    // The council is also in the session_created log entry: the chain breaks there too.
    expect(failed(r.json)).toEqual(['chain', 'statement']);
    expect(check(r.json, 'statement').details).toMatchObject({ differs: ['session_row'] });
  });

  it("a byte of a candidate's name (raw file): the statement names the candidate row", () => {
    const { db } = station();
    const p = day.people[2]!;
    const name = Buffer.from(p.fullName, 'utf8');
    const changed = Buffer.from(name);
    changed[0] = changed[0] === 0x41 ? 0x42 : 0x41;
    expect(patchFileBytes(db, name, changed)).toBeGreaterThan(0);
    const r = verify(db);
    expect(r.code).toBe(1);
    expect(failed(r.json)).toEqual(['statement']);
    expect(check(r.json, 'statement').details).toMatchObject({
      differs: ['candidates'],
      candidateRowIds: [3],
    });
  });

  it("a byte of a candidate's encrypted photo (raw file): detected too", () => {
    const { db } = station();
    const c = new Database(db, { readonly: true });
    const photo = (c.prepare('SELECT photo FROM candidates WHERE id = 2').get() as { photo: Buffer }).photo;
    c.close();
    const piece = photo.subarray(40, 72);
    const changed = Buffer.from(piece);
    changed[5] = changed[5]! ^ 0x01;
    expect(patchFileBytes(db, piece, changed)).toBeGreaterThan(0);
    const r = verify(db);
    expect(r.code).toBe(1);
    expect(check(r.json, 'statement').details).toMatchObject({
      differs: ['candidates'],
      candidateRowIds: [2],
    });
    // And the app does not show it: AES-GCM refuses the altered ciphertext.
    const services = new KioskServices({ dbPath: db });
    try {
      expect(() => services.roster.photo(2)).toThrow(
        expect.objectContaining({ code: 'data_decrypt_failed' }),
      );
      expect(Buffer.from(services.roster.photo(1)!.data)).toEqual(day.photos[0]);
    } finally {
      services.close();
    }
  });

  it('a whole log rewritten consistently (every hash recomputed): the statement head no longer matches', () => {
    const { db } = station();
    const c = attacker(db);
    const rows = c.prepare(`SELECT ${LOG_COLUMNS} FROM audit_log ORDER BY id`).raw().all() as unknown[][];
    let prev = GENESIS_HASH;
    const upd = c.prepare('UPDATE audit_log SET entry = ?, hash = ? WHERE id = ?');
    for (const r of rows) {
      if (r[7] === 'not_on_roster') [r[7], r[9]] = ['match', 'accepted'];
      r[14] = prev;
      const h = entryHash(r as Parameters<typeof entryHash>[0]);
      upd.run(entryText(r as Parameters<typeof entryText>[0]), h, r[0]);
      prev = h;
    }
    closeCheckpointed(c);
    const r = verify(db);
    expect(r.code).toBe(1);
    expect(check(r.json, 'chain').ok).toBe(true);
    expect(failed(r.json)).toEqual(['statement']);
    expect(check(r.json, 'statement').details).toMatchObject({ differs: ['head'] });
  });

  it("a statement re-signed with the attacker's own key: the key check fails", () => {
    const { db } = station();
    const c = attacker(db);
    const seal = c.prepare('SELECT statement FROM session_seals').get() as { statement: string };
    const pair = generateKeyPairSync('ed25519');
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const keyFp = createHash('sha256')
      .update(pair.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex');
    const st = JSON.parse(seal.statement) as Record<string, unknown>;
    const forged = canonicalJson({ ...st, signedBy: 'someone-else', key: keyFp });
    const signature = edSign(null, Buffer.from(forged), pair.privateKey).toString('base64');
    c.prepare(
      'UPDATE session_seals SET statement = ?, signature = ?, public_key = ?, key_fingerprint = ?',
    ).run(forged, signature, pem, keyFp);
    closeCheckpointed(c);
    const r = verify(db);
    expect(r.code).toBe(1);
    expect(check(r.json, 'signature').ok).toBe(true);
    expect(failed(r.json)).toEqual(['key']);
    expect(check(r.json, 'key').en).toMatch(/DIFFERENT key/);
  });

  it('a deleted seal of a signed session is reported', () => {
    const { db } = station();
    const c = attacker(db);
    c.prepare('DELETE FROM session_seals').run();
    closeCheckpointed(c);
    const r = verify(db, '--report', day.reports!.pdf);
    expect(r.code).toBe(1);
    expect(failed(r.json)).toEqual(['seal', 'report']);
  });

  it('a swapped public key in the key store is not believed (the key provider cannot unwrap a forged key)', () => {
    const { db } = station();
    const c = attacker(db);
    c.exec('DROP TRIGGER station_keys_no_update');
    const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    c.prepare("UPDATE station_keys SET public_key = ? WHERE name = 'station-signing'").run(pem);
    closeCheckpointed(c);
    const r = verify(db);
    expect(r.code).toBe(1);
    expect(failed(r.json)).toEqual(['key']);
  });
});

describe('reports are checked against the database', () => {
  it("the PDF's embedded statement edited: named as a report mismatch", () => {
    const { db, dir } = station();
    const bytes = fs.readFileSync(day.reports!.pdf);
    const text = bytes.toString('latin1');
    const ref = new RegExp(`/${PDF_SEAL_KEY} (\\d+) 0 R`).exec(text)!;
    const obj = new RegExp(`\\n${ref[1]} 0 obj\\n\\(([A-Za-z0-9+/=]+)\\)`).exec(text)!;
    const envelope = JSON.parse(Buffer.from(obj[1]!, 'base64').toString('utf8')) as { statement: string };
    expect(envelope.statement).toBe(verify(db).json.statement);
    // Change the station in the statement (same length, so the PDF's cross-reference stays right).
    const edited = {
      ...envelope,
      statement: envelope.statement.replace('"station":"test-station"', '"station":"test-stati0n"'),
    };
    const b64 = Buffer.from(JSON.stringify(edited), 'utf8').toString('base64');
    expect(b64.length).toBe(obj[1]!.length);
    const out = path.join(dir, 'edited.pdf');
    fs.writeFileSync(out, Buffer.from(text.replace(obj[1]!, b64), 'latin1'));
    const r = verify(db, '--report', out);
    expect(r.code).toBe(1);
    expect(failed(r.json)).toEqual(['report']);
    expect(check(r.json, 'report').details).toMatchObject({
      format: 'pdf',
      differs: ['statement', 'report_signature'],
    });
  });

  it('one byte of the PDF seal flipped: still named', () => {
    const { db, dir } = station();
    const bytes = fs.readFileSync(day.reports!.pdf);
    const at = bytes.indexOf(`/${PDF_SEAL_KEY}`);
    const ref = /(\d+) 0 R/.exec(bytes.subarray(at, at + 40).toString('latin1'))!;
    const objAt = bytes.indexOf(`\n${ref[1]} 0 obj\n(`);
    const p = objAt + `\n${ref[1]} 0 obj\n(`.length + 120;
    bytes[p] = bytes[p] === 0x41 ? 0x42 : 0x41;
    const out = path.join(dir, 'flipped.pdf');
    fs.writeFileSync(out, bytes);
    const r = verify(db, '--report', out);
    expect(r.code).toBe(1);
    expect(failed(r.json)).toEqual(['report']);
  });

  it("the CSV's signature field edited: named", () => {
    const { db, dir } = station();
    const text = fs.readFileSync(day.reports!.csv, 'utf8');
    const m = /\nChữ ký số,([^\r\n]+)/.exec(text)!;
    const sig = m[1]!;
    const flipped = sig.slice(0, 5) + (sig[5] === 'A' ? 'B' : 'A') + sig.slice(6);
    const out = path.join(dir, 'edited.csv');
    fs.writeFileSync(out, text.replace(sig, flipped));
    const r = verify(db, '--report', out);
    expect(r.code).toBe(1);
    expect(check(r.json, 'report').details).toMatchObject({
      format: 'csv',
      differs: ['signature', 'report_signature'],
    });
  });

  it("the XLSX's head hash edited: named", async () => {
    const { db, dir } = station();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(day.reports!.xlsx);
    const ws = wb.getWorksheet('Thông tin')!;
    let edited = false;
    ws.eachRow((row) => {
      if (row.getCell(1).value === 'Mã băm cuối chuỗi nhật ký') {
        row.getCell(2).value = '0'.repeat(64);
        edited = true;
      }
    });
    expect(edited).toBe(true);
    const out = path.join(dir, 'edited.xlsx');
    await wb.xlsx.writeFile(out);
    const r = verify(db, '--report', out);
    expect(r.code).toBe(1);
    expect(check(r.json, 'report').details).toMatchObject({ format: 'xlsx', differs: ['head_hash'] });
  });

  it('a report exported before the sign-off carries no signature: named', () => {
    const { db, dir } = station();
    expect(
      kiosk(['--db', db, 'session', 'create', '--code', 'EARLY', '--council', 'x', '--date', '2026-11-27'])
        .code,
    ).toBe(0);
    expect(kiosk(['--db', db, 'session', 'close', '--code', 'EARLY']).code).toBe(0);
    const early = path.join(dir, 'early.csv');
    expect(kiosk(['--db', db, 'report', '--session', 'EARLY', '--format', 'csv', '--out', early]).code).toBe(
      0,
    );
    expect(kiosk(['--db', db, 'session', 'sign', '--code', 'EARLY']).code).toBe(0);
    const r = kiosk(['--db', db, 'log', 'verify', '--session', 'EARLY', '--report', early, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as VerifyJson;
    expect(failed(j)).toEqual(['report']);
    expect(check(j, 'report').en).toMatch(/no signature/);
    // Exported again after the sign-off, it matches.
    const late = path.join(dir, 'late.pdf');
    expect(kiosk(['--db', db, 'report', '--session', 'EARLY', '--format', 'pdf', '--out', late]).code).toBe(
      0,
    );
    expect(kiosk(['--db', db, 'log', 'verify', '--session', 'EARLY', '--report', late]).code).toBe(0);
    // The other session's report does not pass for this one.
    expect(
      kiosk(['--db', db, 'log', 'verify', '--session', 'EARLY', '--report', day.reports!.pdf]).code,
    ).toBe(1);
  });

  it('--report without --session is a usage error (exit 2)', () => {
    const { db } = station();
    expect(kiosk(['--db', db, 'log', 'verify', '--report', day.reports!.csv]).code).toBe(2);
  });
});
