import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { kiosk } from '../support/cli';
import { tempDir } from '../support/tmp';
import { pdfText } from '../support/pdf-text';
import { fictionalPerson, qrTextOf, rosterCsv } from '../../electron/core/fictional-people';

const dir = tempDir();
const db = path.join(dir, 'kiosk.db');
const run = (...args: string[]) => kiosk(['--db', db, ...args]);

interface CheckJson {
  identity: { verdict: string; reasons: Array<{ code: string; vi: string; en: string }> };
  authenticity: { verdict: string };
  candidate: { candidateNo: string; fullName: string } | null;
  logId: number;
  outcome: string;
}

describe('kiosk CLI: session → roster → QR check-in → log → report', () => {
  const rosterFile = path.join(dir, 'roster.csv');
  fs.writeFileSync(rosterFile, rosterCsv(12, 3));
  const people = Array.from({ length: 12 }, (_, i) => fictionalPerson(i, 3));

  it('prints help and exits 2 on usage errors', () => {
    const help = kiosk(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('roster');
    expect(run('check', '--session', 'NOPE').code).toBe(2);
    expect(run('bogus-command').code).toBe(2);
  });

  it('creates a session', () => {
    const r = run(
      'session',
      'create',
      '--code',
      'SH-B-01',
      '--council',
      'Hội đồng sát hạch Sở GTVT Hà Nội',
      '--date',
      '2026-11-27',
      '--location',
      'Trung tâm Sóc Sơn',
      '--classes',
      'B,C1,B1,A1,A,C',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({
      code: 'SH-B-01',
      state: 'open',
      licenceClasses: ['B', 'C1', 'B1', 'A1', 'A', 'C'],
    });
    const dup = run('session', 'create', '--code', 'SH-B-01', '--council', 'x', '--date', '2026-11-27');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('đã tồn tại');
    expect(run('session', 'create', '--code', 'BAD', '--council', 'x', '--date', '2026-02-30').code).toBe(2);
  });

  it('imports nothing from a roster with bad rows and lists every bad row', () => {
    const bad = path.join(dir, 'bad.csv');
    const lines = rosterCsv(5, 3).trim().split('\r\n');
    lines[2] = lines[2]!.replace(/,(\d{12}),/, ',12345,'); // row 3: ID too short
    lines[4] = lines[4]!.replace(/,(\d{2})\/(\d{2})\/(\d{4}),/, ',31/02/$3,'); // row 5: impossible date
    lines.push(lines[1]!.replace(/^\d+/, '999999')); // row 7: duplicate ID of row 2
    fs.writeFileSync(bad, lines.join('\r\n'));
    const r = run('roster', 'import', bad, '--session', 'SH-B-01', '--json');
    expect(r.code).toBe(1);
    const err = (r.json() as { error: { code: string; details: Array<{ rowNumber: number }> } }).error;
    expect(err.code).toBe('roster_invalid');
    const rows = [...new Set(err.details.map((d) => d.rowNumber))].sort((a, b) => a - b);
    expect(rows).toEqual(expect.arrayContaining([3, 5, 7]));
    const human = run('roster', 'import', bad, '--session', 'SH-B-01');
    expect(human.stderr).toMatch(/Dòng 3/);
    expect(human.stderr).toMatch(/Dòng 5/);
    expect((run('roster', 'list', '--session', 'SH-B-01', '--json').json() as unknown[]).length).toBe(0);
  });

  it('imports a good roster atomically, and refuses a second import without --replace', () => {
    const r = run('roster', 'import', rosterFile, '--session', 'SH-B-01', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ imported: 12 });
    const again = run('roster', 'import', rosterFile, '--session', 'SH-B-01');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--replace');
    expect(run('roster', 'import', rosterFile, '--session', 'SH-B-01', '--replace').code).toBe(0);
  });

  it('checks a QR in: match, with the contract JSON, and logs it', () => {
    const r = run(
      'check',
      '--session',
      'SH-B-01',
      '--qr',
      qrTextOf(people[0]!),
      '--examiner',
      'gv-01',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const j = r.json() as CheckJson;
    expect(j.identity.verdict).toBe('match');
    expect(j.authenticity.verdict).toBe('not_checked');
    expect(j.candidate).toMatchObject({ candidateNo: people[0]!.candidateNo, fullName: people[0]!.fullName });
    expect(j.logId).toBeGreaterThan(0);
    const again = run(
      'check',
      '--session',
      'SH-B-01',
      '--qr',
      qrTextOf(people[0]!),
      '--json',
    ).json() as CheckJson;
    expect(again.identity.verdict).toBe('already_checked_in');
    expect(again.logId).toBe(j.logId + 1);
  });

  it('refuses --replace once somebody has checked in', () => {
    const r = run('roster', 'import', rosterFile, '--session', 'SH-B-01', '--replace');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('điểm danh');
  });

  it('gives each malformed QR class its own reason, logs the attempt, and exits 0', () => {
    const p = people[1]!;
    const good = qrTextOf(p).split('|');
    const variant = (i: number, v: string) => good.map((f, j) => (j === i ? v : f)).join('|');
    const otherCentury =
      p.idNumber.slice(0, 3) + String((Number(p.idNumber[3]) + 2) % 10) + p.idNumber.slice(4);
    const cases: Array<[string, string]> = [
      ['empty', ''],
      ['field_count', good.slice(0, 5).join('|')],
      ['id_not_digits', variant(0, p.idNumber.slice(0, 11) + 'A')],
      ['impossible_date', variant(3, '31022001')],
      ['future_birth_date', variant(3, '01012099')],
      ['id_birth_mismatch', variant(0, otherCentury)],
    ];
    const seen = new Set<string>();
    for (const [code, text] of cases) {
      const r = run('check', '--session', 'SH-B-01', '--qr', text, '--json');
      expect(r.code, code).toBe(0);
      const j = r.json() as CheckJson;
      expect(j.identity.verdict, code).toBe('invalid_card_data');
      expect(j.identity.reasons[0]!.code, code).toBe(`qr_${code}`);
      expect(j.identity.reasons[0]!.vi.length).toBeGreaterThan(5);
      seen.add(j.identity.reasons[0]!.code);
      const logged = run('log', 'list', '--session', 'SH-B-01', '--limit', '1', '--json').json() as Array<{
        id: number;
        identityVerdict: string;
        reasons: Array<{ code: string }>;
      }>;
      expect(logged[0]!.id).toBe(j.logId);
      expect(logged[0]!.reasons[0]!.code).toBe(`qr_${code}`);
    }
    expect(seen.size).toBe(cases.length);
  });

  it('not_on_roster and wrong_session', () => {
    const stranger = fictionalPerson(500, 3);
    expect(
      (run('check', '--session', 'SH-B-01', '--qr', qrTextOf(stranger), '--json').json() as CheckJson)
        .identity.verdict,
    ).toBe('not_on_roster');
    expect(
      run('session', 'create', '--code', 'SH-B-02', '--council', 'Hội đồng 2', '--date', '2026-11-28').code,
    ).toBe(0);
    const j = run(
      'check',
      '--session',
      'SH-B-02',
      '--qr',
      qrTextOf(people[2]!),
      '--json',
    ).json() as CheckJson;
    expect(j.identity.verdict).toBe('wrong_session');
  });

  it('the log verifies, and personal data is not in the log table', () => {
    const v = run('log', 'verify', '--json');
    expect(v.code).toBe(0);
    expect(v.json()).toMatchObject({ ok: true });
    const raw = new Database(db, { readonly: true });
    const text = JSON.stringify(raw.prepare('SELECT * FROM audit_log').all());
    raw.close();
    for (const p of people.slice(0, 3)) {
      expect(text).not.toContain(p.idNumber);
      expect(text).not.toContain(p.fullName);
    }
  });

  it('exports the attendance report in CSV, XLSX and PDF with Vietnamese names intact', async () => {
    for (const fmt of ['csv', 'xlsx', 'pdf']) {
      const out = path.join(dir, `report.${fmt}`);
      const r = run('report', '--session', 'SH-B-01', '--format', fmt, '--out', out);
      expect(r.code, r.stderr).toBe(0);
      expect(fs.statSync(out).size).toBeGreaterThan(500);
    }
    const csv = fs.readFileSync(path.join(dir, 'report.csv'), 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain(people[0]!.fullName);
    const text = await pdfText(path.join(dir, 'report.pdf')); // pdfjs-dist: no poppler needed
    expect(text.normalize('NFC')).toContain(people[0]!.fullName);
    expect(text.normalize('NFC')).toContain('Hội đồng sát hạch Sở GTVT Hà Nội');
    expect(
      run('report', '--session', 'SH-B-01', '--format', 'doc', '--out', path.join(dir, 'x.doc')).code,
    ).toBe(2);
  });

  it('close then sign: checks and imports are refused, the session is read-only', () => {
    expect(run('session', 'close', '--code', 'SH-B-01').code).toBe(0);
    const c = run('check', '--session', 'SH-B-01', '--qr', qrTextOf(people[3]!));
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('đã đóng');
    expect(run('session', 'sign', '--code', 'SH-B-01', '--examiner', 'chu-tich').code).toBe(0);
    expect((run('session', 'show', '--code', 'SH-B-01', '--json').json() as { state: string }).state).toBe(
      'signed',
    );
    expect(run('roster', 'import', rosterFile, '--session', 'SH-B-01', '--replace').code).toBe(1);
    // Even direct SQL cannot change a signed session's roster.
    const raw = new Database(db);
    expect(() =>
      raw.prepare("UPDATE candidates SET full_name = 'X' WHERE candidate_no = ?").run(people[0]!.candidateNo),
    ).toThrow(/read-only/);
    raw.close();
  });

  it('demo seed creates a fictional session that can be checked', () => {
    const demoDb = path.join(dir, 'demo.db');
    const r = kiosk(['--db', demoDb, 'demo', 'seed', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json() as { sessionCode: string; sampleQr: string; candidates: number };
    expect(j.candidates).toBeGreaterThan(10);
    const c = kiosk(['--db', demoDb, 'check', '--session', j.sessionCode, '--qr', j.sampleQr, '--json']);
    expect((c.json() as CheckJson).identity.verdict).toBe('match');
  });

  it('KIOSK_DB selects the database when --db is absent', () => {
    const envDb = path.join(dir, 'env.db');
    const r = kiosk(['session', 'list', '--json'], { KIOSK_DB: envDb });
    expect(r.code).toBe(0);
    expect(fs.existsSync(envDb)).toBe(true);
  });
});
