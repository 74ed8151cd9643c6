/**
 * Personal data (Decree 13/2023) on real SQLite files through the `kiosk` CLI: photos and notes
 * encrypted at rest (and older plain ones encrypted at open), and the retention purge, which erases
 * the personal data of old signed sessions from the database files while verdicts, the log chain,
 * the seal and the reports survive.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { tempDir } from '../support/tmp';
import { kiosk } from '../support/cli';
import { copyStation, distinctivePhoto, runDay, type Day } from '../support/security-day';
import { openDatabase } from '../../electron/core/db';
import { migrations } from '../../electron/core/migrations';
import { KioskServices } from '../../electron/core/services';
import { KioskApi } from '../../electron/app/kiosk-api';
import type { FictionalPerson } from '../../electron/core/fictional-people';

const root = tempDir('kiosk-privacy-');

/** The database files' bytes (main file and WAL, if any). */
function dbBytes(db: string): Buffer {
  return Buffer.concat([db, `${db}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}
const has = (bytes: Buffer, s: string | Buffer) =>
  bytes.includes(Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8'));
/** A 48-byte piece of the middle of a photo: present iff the photo's bytes are. */
const photoPiece = (photo: Buffer) => photo.subarray(photo.length >> 1, (photo.length >> 1) + 48);
const personal = (p: FictionalPerson) => [p.idNumber, p.fullName];

describe('photos and notes are encrypted at rest', () => {
  const dir = path.join(root, 'at-rest');
  const db = path.join(dir, 'kiosk.db');
  let day: Day;
  beforeAll(() => {
    day = runDay({
      code: 'ENC-1',
      dbArgs: ['--db', db],
      inputDir: path.join(root, 'at-rest-input'),
      sign: false,
    });
  }, 120_000);

  it('the database files hold neither the photos nor the notes in plain; the app layer reads them back', () => {
    const bytes = dbBytes(db);
    for (let i = 0; i < day.people.length; i++) {
      expect(has(bytes, photoPiece(day.photos[i]!)), `photo ${i}`).toBe(false);
      expect(has(bytes, day.people[i]!.residence), `note ${i}`).toBe(false);
      // The old 9-digit number is in the roster file but not needed by the check: not stored at all.
      expect(has(bytes, day.people[i]!.oldIdNumber), `old ID ${i}`).toBe(false);
    }
    const list = kiosk(['--db', db, 'roster', 'list', '--session', 'ENC-1', '--json']).json() as Array<{
      id: number;
      note: string;
      hasPhoto: boolean;
      oldIdNumber: string | null;
    }>;
    expect(list.map((c) => c.note)).toEqual(day.notes);
    expect(list.every((c) => c.oldIdNumber === null)).toBe(true);
    expect(list.every((c) => c.hasPhoto)).toBe(true);
    const s = new KioskServices({ dbPath: db });
    try {
      for (const [i, c] of list.entries()) {
        expect(Buffer.from(s.roster.photo(c.id)!.data)).toEqual(day.photos[i]);
        expect(s.roster.photo(c.id)!.mime).toBe('image/jpeg');
      }
    } finally {
      s.close();
    }
  });

  it('without the key file nothing decrypts', () => {
    const copy = copyStation(dir, path.join(root, 'at-rest-copy'));
    fs.rmSync(path.join(path.dirname(copy), 'kiosk.key'));
    const r = kiosk(['--db', copy, 'roster', 'list', '--session', 'ENC-1', '--json']);
    expect(r.code).toBe(1);
    expect((r.json() as { error: { code: string } }).error.code).toBe('key_file_missing');
  });
});

describe('an older database: plain photos and notes are encrypted when it is opened', () => {
  it('encrypts every plain photo and note once (signed sessions included), leaving no plain copy in the file', () => {
    const dir = path.join(root, 'legacy');
    const file = path.join(dir, 'kiosk.db');
    const photos = [distinctivePhoto(901), distinctivePhoto(902)];
    const notes = [
      'Thôn Đông, Xã Quỳnh Lâm, Quỳnh Lưu, Nghệ An',
      'Tổ 10 Ấp An Thái, Hòa Bình, Chợ Mới, An Giang',
    ];
    // Schema v2 as an older version left it.
    const old = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 2) });
    const now = new Date().toISOString();
    const addSession = old.prepare(
      `INSERT INTO exam_sessions (code, council, exam_date, state, created_at) VALUES (?, 'HĐ', '2025-01-02', 'closed', ?)`,
    );
    const addCandidate = old.prepare(
      `INSERT INTO candidates (session_id, candidate_no, full_name, date_of_birth, id_number, photo, photo_mime, note)
       VALUES (?, ?, ?, '1990-01-01', ?, ?, 'image/jpeg', ?)`,
    );
    for (const [i, code] of ['OLD-SIGNED', 'OLD-CLOSED'].entries()) {
      const sid = Number(addSession.run(code, now).lastInsertRowid);
      addCandidate.run(sid, '000001', `Người Thử Nghiệm ${i}`, `0010900009${i}0`, photos[i], notes[i]);
    }
    old
      .prepare(
        `UPDATE exam_sessions SET state = 'signed', signed_at = ?, signed_by = 'chutich' WHERE code = 'OLD-SIGNED'`,
      )
      .run(now);
    old.pragma('wal_checkpoint(TRUNCATE)');
    old.close();
    expect(has(dbBytes(file), photoPiece(photos[0]!))).toBe(true);

    // Any command opens it: migration 3, then the plain rows are encrypted.
    const r = kiosk(['--db', file, 'roster', 'list', '--session', 'OLD-SIGNED', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((r.json() as Array<{ note: string }>)[0]!.note).toBe(notes[0]);
    const bytes = dbBytes(file);
    for (const i of [0, 1]) {
      expect(has(bytes, photoPiece(photos[i]!)), `photo ${i}`).toBe(false);
      expect(has(bytes, notes[i]!), `note ${i}`).toBe(false);
    }
    const raw = new Database(file, { readonly: true });
    const stored = raw.prepare('SELECT id, photo, note FROM candidates ORDER BY id').all() as Array<{
      id: number;
      photo: Buffer;
      note: string;
    }>;
    const meta = raw.prepare("SELECT value FROM meta WHERE key = 'privacy.encrypted_at_rest'").get() as {
      value: string;
    };
    raw.close();
    expect(
      stored.every((c) => c.photo.subarray(0, 4).toString() === 'CKE1' && c.note.startsWith('enc:v1:')),
    ).toBe(true);
    expect(JSON.parse(meta.value)).toMatchObject({ version: 1, rows: 2 });

    // Opening again changes nothing; the app layer reads the photos back.
    const s = new KioskServices({ dbPath: file });
    try {
      const again = s.db.prepare('SELECT id, photo, note FROM candidates ORDER BY id').all();
      expect(again).toEqual(stored);
      expect(Buffer.from(s.roster.photo(stored[0]!.id)!.data)).toEqual(photos[0]);
      expect(Buffer.from(s.roster.photo(stored[1]!.id)!.data)).toEqual(photos[1]);
    } finally {
      s.close();
    }
  });
});

describe('retention purge', () => {
  const dir = path.join(root, 'purge');
  const db = path.join(dir, 'kiosk.db');
  const run = (...args: string[]) => kiosk(['--db', db, ...args]);
  let signed: Day;
  let open: Day;
  let before: { present: number; verdicts: string[] };
  beforeAll(() => {
    signed = runDay({
      code: 'OLD-1',
      seed: 21,
      dbArgs: ['--db', db],
      inputDir: path.join(root, 'purge-input'),
      reportsDir: path.join(root, 'purge-reports'),
    });
    open = runDay({
      code: 'OPEN-1',
      seed: 22,
      dbArgs: ['--db', db],
      inputDir: path.join(root, 'purge-input'),
      sign: false,
    });
    const csv = path.join(root, 'purge-reports', 'before.csv');
    expect(run('report', '--session', 'OLD-1', '--format', 'csv', '--out', csv).code).toBe(0);
    before = csvSummary(csv);
  }, 180_000);

  /** Values of the signed session's people that the other session does not share. */
  const signedOnly = () => {
    const other = new Set(open.people.flatMap(personal));
    return signed.people.flatMap(personal).filter((v) => !other.has(v));
  };

  it('a dry run counts and changes nothing', () => {
    const r = run('privacy', 'purge', '--older-than-days', '0', '--dry-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({
      dryRun: true,
      candidates: 4,
      sessions: [{ code: 'OLD-1', candidates: 4 }],
      logId: null,
    });
    const bytes = dbBytes(db);
    for (const v of signedOnly()) expect(has(bytes, v)).toBe(true);
    // A session signed today is not older than 1 day.
    expect(
      (run('privacy', 'purge', '--older-than-days', '1', '--json').json() as { candidates: number })
        .candidates,
    ).toBe(0);
  });

  it("erases the signed session's personal data from the database files, and only that", () => {
    const r = run('privacy', 'purge', '--older-than-days', '0', '--json', '--examiner', 'chutich');
    expect(r.code, r.stderr).toBe(0);
    const result = r.json() as { candidates: number; logId: number; sessions: Array<{ code: string }> };
    // The file was rebuilt: no stale copy of an erased row is left in free space.
    expect(result).toMatchObject({
      dryRun: false,
      candidates: 4,
      sessions: [{ code: 'OLD-1' }],
      compacted: true,
    });
    expect(result.logId).toBeGreaterThan(0);
    expect(fs.existsSync(`${db}-wal`) ? fs.statSync(`${db}-wal`).size : 0).toBe(0);

    const bytes = dbBytes(db);
    const gone = signedOnly();
    expect(gone.length).toBeGreaterThan(6);
    for (const v of gone) expect(has(bytes, v), v.replace(/\d/g, '#')).toBe(false);
    // The open session keeps its roster.
    for (const p of open.people) expect(has(bytes, p.idNumber)).toBe(true);
    const openList = run('roster', 'list', '--session', 'OPEN-1', '--json').json() as Array<{
      fullName: string;
    }>;
    expect(openList.map((c) => c.fullName)).toEqual(open.people.map((p) => p.fullName));

    // What stays of the signed roster: numbers, classes, no personal data, no photo.
    const list = run('roster', 'list', '--session', 'OLD-1', '--json').json() as Array<{
      candidateNo: string;
      fullName: string;
      dateOfBirth: string;
      idNumber: string;
      hasPhoto: boolean;
      note: string | null;
      licenceClass: string;
      checkedInAt: string | null;
    }>;
    expect(list.map((c) => c.candidateNo)).toEqual(signed.people.map((p) => p.candidateNo));
    expect(list.map((c) => c.licenceClass)).toEqual(signed.people.map((p) => p.licenceClass));
    expect(
      list.every((c) => c.fullName === '' && c.dateOfBirth === '' && !c.hasPhoto && c.note === null),
    ).toBe(true);
    expect(list.filter((c) => c.checkedInAt).length).toBe(2);

    const entry = (run('log', 'list', '--session', 'OLD-1', '--json').json() as unknown[]).length;
    expect(entry).toBeGreaterThan(0);
    const purgeEntry = (
      run('log', 'list', '--json', '--limit', '1').json() as Array<Record<string, unknown>>
    )[0]!;
    expect(purgeEntry).toMatchObject({ id: result.logId, kind: 'privacy_purged', actor: 'chutich' });
  });

  it('the log and the seal still verify, with the report exported before the purge too', () => {
    expect(run('log', 'verify').code).toBe(0);
    const r = run('log', 'verify', '--session', 'OLD-1', '--report', signed.reports!.pdf, '--json');
    expect(r.code, r.stdout).toBe(0);
  });

  it('reports still build, rows redacted, verdicts and attendance kept; and they verify', () => {
    const csv = path.join(root, 'purge-reports', 'after.csv');
    expect(run('report', '--session', 'OLD-1', '--format', 'csv', '--out', csv).code).toBe(0);
    const after = csvSummary(csv);
    expect(after.present).toBe(before.present);
    expect(after.verdicts).toEqual(before.verdicts);
    const rows = parse(fs.readFileSync(csv), { bom: true, relax_column_count: true }) as string[][];
    const candidates = rows.slice(1, 1 + signed.people.length);
    expect(
      candidates.every((c) => c[2] === '(đã xóa hết thời hạn lưu trữ)' && c[3] === '' && c[4] === ''),
    ).toBe(true);
    const text = fs.readFileSync(csv, 'utf8');
    for (const v of signedOnly()) expect(text.includes(v)).toBe(false);
    for (const f of ['pdf', 'xlsx'] as const) {
      const out = path.join(root, 'purge-reports', `after.${f}`);
      expect(run('report', '--session', 'OLD-1', '--format', f, '--out', out, '--lang', 'en').code).toBe(0);
      expect(run('log', 'verify', '--session', 'OLD-1', '--report', out).code).toBe(0);
    }
    expect(run('log', 'verify', '--session', 'OLD-1', '--report', csv).code).toBe(0);
  });

  it('purging again does nothing and logs nothing', () => {
    const head = (run('log', 'list', '--json', '--limit', '1').json() as Array<{ id: number }>)[0]!.id;
    const r = run('privacy', 'purge', '--older-than-days', '0', '--json');
    expect(r.json()).toMatchObject({ candidates: 0, sessions: [], logId: null });
    expect((run('log', 'list', '--json', '--limit', '1').json() as Array<{ id: number }>)[0]!.id).toBe(head);
    expect(run('privacy', 'purge', '--older-than-days', 'soon').code).toBe(2);
  });

  it("a signed session's candidates accept no other change, even through SQL", () => {
    const raw = new Database(db);
    try {
      expect(() => raw.prepare("UPDATE candidates SET full_name = 'X' WHERE id = 1").run()).toThrow(
        /signed and read-only/,
      );
      expect(() => raw.prepare("UPDATE candidates SET licence_class = 'C' WHERE id = 1").run()).toThrow(
        /signed and read-only/,
      );
      expect(() => raw.prepare("UPDATE candidates SET personal_digest = 'x' WHERE id = 1").run()).toThrow(
        /signed and read-only/,
      );
      expect(() => raw.prepare('DELETE FROM candidates WHERE id = 1').run()).toThrow(/signed and read-only/);
    } finally {
      raw.close();
    }
  });
});

describe('the retention setting the app applies at start', () => {
  it('kiosk privacy retention sets it; KioskApi.applyRetention purges with it; --off stops it', () => {
    const dir = path.join(root, 'retention');
    const db = path.join(dir, 'kiosk.db');
    const day = runDay({
      code: 'RET-1',
      seed: 31,
      dbArgs: ['--db', db],
      inputDir: path.join(root, 'retention-input'),
    });
    expect(kiosk(['--db', db, 'privacy', 'retention', '--json']).json()).toEqual({ retentionDays: null });

    const services = new KioskServices({ dbPath: db });
    const none = async () => null;
    // A fresh KioskApi per start of the app (its settings are read from the database then).
    const start = () =>
      new KioskApi({
        services,
        dialogs: { openFile: none, openFolder: none, saveFile: none },
        trustStoreDir: path.join(dir, 'trust'),
      });
    try {
      expect(start().applyRetention()).toBeNull();
      expect(kiosk(['--db', db, 'privacy', 'retention', '--days', '30', '--json']).json()).toEqual({
        retentionDays: 30,
      });
      expect(start().applyRetention()).toMatchObject({ olderThanDays: 30, candidates: 0 });
      expect(kiosk(['--db', db, 'privacy', 'retention', '--days', '0']).code).toBe(0);
      expect(start().applyRetention()).toMatchObject({
        olderThanDays: 0,
        candidates: 4,
        sessions: [{ code: 'RET-1' }],
      });
      expect(has(dbBytes(db), day.people[0]!.idNumber)).toBe(false);
      expect(services.roster.photo(1)).toBeNull();
      expect(kiosk(['--db', db, 'privacy', 'retention', '--off', '--json']).json()).toEqual({
        retentionDays: null,
      });
      const changes = services.log.list({ kind: 'settings_changed' });
      expect(changes.map((e) => e.details)).toEqual([
        expect.objectContaining({ values: { retentionDays: 30 } }),
        expect.objectContaining({ values: { retentionDays: 0 } }),
        expect.objectContaining({ values: { retentionDays: null } }),
      ]);
    } finally {
      services.close();
    }
    expect(kiosk(['--db', db, 'log', 'verify', '--session', 'RET-1']).code).toBe(0);
  });
});

describe('the app settings: retention and the station key', () => {
  it('the chair sets retention through KioskApi and sees the public key that kiosk key export gives', async () => {
    const dir = path.join(root, 'app-settings');
    const db = path.join(dir, 'kiosk.db');
    runDay({
      code: 'SET-1',
      seed: 33,
      dbArgs: ['--db', db],
      inputDir: path.join(root, 'app-settings-input'),
    });
    const exported = kiosk(['--db', db, 'key', 'export', '--json']).json() as {
      publicKey: string;
      fingerprint: string;
    };
    const services = new KioskServices({ dbPath: db });
    const none = async () => null;
    const start = () =>
      new KioskApi({
        services,
        dialogs: { openFile: none, openFolder: none, saveFile: none },
        trustStoreDir: path.join(dir, 'trust'),
      });
    const chair = { clientId: 'w1' };
    try {
      const api = start();
      const ok = async <T>(channel: string, req: unknown = {}): Promise<T> => {
        const r = await api.handle(channel, chair, req);
        if (!r.ok) throw new Error(`${channel}: ${r.error.code}`);
        return r.value as T;
      };
      await ok('auth.setup', { username: 'chutich', displayName: 'Chủ tịch', pin: '2468' });
      const before = await ok<{
        retentionDays: number | null;
        stationKey: { publicKey: string; fingerprint: string };
      }>('settings.get');
      expect(before.retentionDays).toBeNull();
      expect(before.stationKey).toEqual(exported);
      const after = await ok<{ retentionDays: number | null }>('settings.update', { retentionDays: 0 });
      expect(after.retentionDays).toBe(0);
      expect((await api.handle('settings.update', chair, { retentionDays: -1 })).ok).toBe(false);
      expect(services.log.list({ kind: 'settings_changed' }).at(-1)!.details).toMatchObject({
        values: { retentionDays: 0 },
      });
      // The next start of the app applies it.
      expect(start().applyRetention()).toMatchObject({ candidates: 4, sessions: [{ code: 'SET-1' }] });
    } finally {
      services.close();
    }
    expect(kiosk(['--db', db, 'log', 'verify', '--session', 'SET-1']).code).toBe(0);
  });
});

/** Attendance and verdict columns of a CSV report's candidate table. */
function csvSummary(file: string): { present: number; verdicts: string[] } {
  const rows = parse(fs.readFileSync(file), {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false,
  }) as string[][];
  const end = rows.findIndex((r) => r.length === 1 && r[0] === '');
  const cand = rows.slice(1, end);
  return {
    present: cand.filter((r) => r[6] === 'Có mặt').length,
    verdicts: cand.map((r) => `${r[0]}|${r[1]}|${r[5]}|${r[6]}|${r[7]}|${r[8]}|${r[9]}|${r[10]}`),
  };
}
