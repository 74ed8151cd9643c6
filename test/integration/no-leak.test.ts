/**
 * The proof that no personal data is written outside the database.
 *
 * A full day with fictional people runs twice:
 *  1. through the `kiosk` CLI (separate processes, default paths: $KIOSK_DATA_DIR, a private HOME and
 *     TMPDIR): session, roster with photos and notes (addresses), QR check-ins, a roster with bad rows,
 *     close, sign-off, the three reports, log list/verify, key export, retention and purge;
 *  2. through the application layer (KioskApi, the technical file log, the real reader hub with a
 *     serial QR scanner and a PN532 reader on pseudo-terminals reading a software CCCD by PACE),
 *     with a private TMPDIR, console and stdout/stderr captured.
 * Then every regular file the day left OUTSIDE the database (the data folders, logs, key file, trust
 * store, HOME, TMPDIR) is searched, as UTF-8, UTF-16LE and JSON-escaped text, for each person's ID
 * numbers, name (NFC, NFD, without diacritics, upper case, MRZ form) and address (NFC, NFD, without
 * diacritics). Nothing may be found. So are the outputs of every command that is not a check
 * (`check` and `roster list` show the candidate to the examiner by design), and the audit log table
 * itself.
 *
 * Not searched, by design: the database files (kiosk.db, -wal, -shm: personal data lives there,
 * photos and notes encrypted), the roster files the user imports and the reports the user exports
 * (documents the user chose to create, holding names by purpose).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../support/tmp';
import { distinctivePhoto, runDay, type Day } from '../support/security-day';
import { createPtyPair, type PtyPair } from '../support/socat';
import { softCardOf, softPerson } from '../support/kiosk-soft-cards';
import { fictionalPerson, qrTextOf } from '../../electron/core/fictional-people';
import { stripDiacritics } from '../../native/cccd/names';
import { KioskServices } from '../../electron/core/services';
import { KioskApi, type Caller } from '../../electron/app/kiosk-api';
import { QueuedDialogs } from '../../electron/app/bridge-server';
import { FileAppLogger } from '../../electron/app/app-log';
import { ReaderHub } from '../../electron/app/reader-hub';
import type { EventSink } from '../../electron/app/ports';
import type { CheckResultDTO, EventName } from '../../electron/shared/ipc-contract';
import { Pn532Emulator } from '../../native/drivers/pn532/emulator';
import { needsPart } from '../support/system-parts';
import { DEMO_DIR } from '../support/face-fixtures';

// The application-layer day opens a serial scanner and a PN532 on socat pty pairs.
const withPty = describe.skipIf(
  needsPart('socat', 'a day through the application layer (serial scanner + PN532 on pty pairs)').skip,
);

const root = tempDir('kiosk-noleak-');

interface Person {
  fullName: string;
  idNumber: string;
  oldIdNumber?: string;
  residence: string;
}

/** Every written form of a person's data that must not appear: [label, text]. */
function forms(p: Person): Array<[string, string]> {
  const ascii = stripDiacritics(p.fullName);
  const [surname, ...given] = ascii.toUpperCase().split(' ');
  const out: Array<[string, string]> = [
    ['id number', p.idNumber],
    ['name NFC', p.fullName.normalize('NFC')],
    ['name NFD', p.fullName.normalize('NFD')],
    ['name without diacritics', ascii],
    ['name upper case', ascii.toUpperCase()],
    ['name MRZ', `${surname}<<${given.join('<')}`],
    ['address NFC', p.residence.normalize('NFC')],
    ['address NFD', p.residence.normalize('NFD')],
    ['address without diacritics', stripDiacritics(p.residence)],
  ];
  if (p.oldIdNumber) out.push(['old id number', p.oldIdNumber]);
  return out;
}

/** The byte patterns of a text: UTF-8, UTF-16LE and JSON \u escapes. */
function patterns(text: string): Buffer[] {
  const json = JSON.stringify(text)
    .slice(1, -1)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le'), Buffer.from(json, 'utf8')];
}

const DB_FILES = /^kiosk\.db(-wal|-shm|-journal)?$/;

/** Every regular file under `dir` (symlinks and devices are not followed), except the database files. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(full));
    else if (e.isFile() && !DB_FILES.test(e.name)) out.push(full);
  }
  return out;
}

/** Where (file or output name) each form of each person was found: empty when nothing leaked. */
function findLeaks(sources: Array<{ name: string; bytes: Buffer }>, people: Person[]): string[] {
  const found: string[] = [];
  for (const [i, p] of people.entries()) {
    for (const [label, text] of forms(p)) {
      for (const pattern of patterns(text)) {
        for (const s of sources) {
          if (s.bytes.includes(pattern)) found.push(`person ${i} ${label} in ${s.name}`);
        }
      }
    }
  }
  return [...new Set(found)];
}

const fileSources = (dirs: string[], base: string) =>
  dirs.flatMap(filesUnder).map((f) => ({ name: path.relative(base, f), bytes: fs.readFileSync(f) }));

describe('the search itself', () => {
  it('finds each form of a person, in UTF-8, UTF-16LE and JSON escapes, in any file', () => {
    const p = fictionalPerson(3, 41);
    const dir = path.join(root, 'self-test');
    fs.mkdirSync(path.join(dir, 'deep'), { recursive: true });
    const all = forms(p);
    all.forEach(([, text], i) => {
      const enc = [
        Buffer.from(`x ${text} y`, 'utf8'),
        Buffer.from(text, 'utf16le'),
        Buffer.from(JSON.stringify(text)),
      ];
      fs.writeFileSync(path.join(dir, 'deep', `f${i}.bin`), enc[i % 3]!);
    });
    fs.writeFileSync(path.join(dir, 'kiosk.db'), p.idNumber); // the database is not searched
    const found = findLeaks(fileSources([dir], dir), [p]);
    expect(found).toHaveLength(all.length);
    for (const [label] of all) expect(found.some((f) => f.includes(` ${label} in `))).toBe(true);
    expect(found.some((f) => f.includes('kiosk.db'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// 1. The CLI
// ---------------------------------------------------------------------------------------------

describe('a day through the CLI writes no personal data outside the database', () => {
  const box = path.join(root, 'cli');
  const dirs = {
    home: path.join(box, 'home'),
    data: path.join(box, 'data'),
    tmp: path.join(box, 'tmp'),
    input: path.join(box, 'input'),
    exports: path.join(box, 'exports'),
  };
  const env = {
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    KIOSK_DATA_DIR: dirs.data,
    TMPDIR: dirs.tmp,
    KIOSK_DB: '',
    KIOSK_KEY_FILE: '',
  };
  let day: Day;
  let people: Person[];

  beforeAll(() => {
    for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
    day = runDay({
      code: 'NOLEAK-1',
      seed: 41,
      dbArgs: [],
      env,
      inputDir: dirs.input,
      reportsDir: dirs.exports,
    });
    // The stranger whose card was checked (not on the roster) too.
    people = [...day.people, fictionalPerson(day.people.length + 50, 41)];
    const run = day.run;
    run('session', 'list');
    run('session', 'show', '--code', 'NOLEAK-1');
    run('roster', 'list', '--session', 'NOLEAK-1');
    run('log', 'list');
    run('log', 'list', '--json');
    run('log', 'verify');
    run('log', 'verify', '--session', 'NOLEAK-1', '--report', day.reports!.pdf);
    run('log', 'verify', '--session', 'NOLEAK-1', '--report', day.reports!.xlsx, '--json');
    run('key', 'export');
    run('key', 'export', '--out', path.join(dirs.exports, 'station.pem'));
    run('privacy', 'retention', '--days', '365');
    // A roster with bad rows: the errors name rows and columns, never the values.
    run('session', 'create', '--code', 'NOLEAK-2', '--council', 'HĐ', '--date', '2026-11-27');
    const bad = path.join(dirs.input, 'bad.csv');
    const p = day.people[0]!;
    fs.writeFileSync(
      bad,
      `Số báo danh,Họ và tên,Ngày sinh,Số CCCD,Giới tính\r\n000001,${p.fullName},31/02/1990,${p.idNumber},Nam\r\n` +
        `000002,${p.fullName},01/02/1990,${p.idNumber.slice(0, 9)},Nam\r\n`,
    );
    run('roster', 'import', bad, '--session', 'NOLEAK-2');
    run('roster', 'import', bad, '--session', 'NOLEAK-2', '--json');
    run('privacy', 'purge', '--older-than-days', '0', '--dry-run');
    run('privacy', 'purge', '--older-than-days', '0');
    // After the purge the reports still build (redacted).
    run('report', '--session', 'NOLEAK-1', '--format', 'csv', '--out', path.join(dirs.exports, 'after.csv'));
    // Faces (issue 12): two photos compared on the station; nothing of them may stay in any file.
    for (const f of ['sample2.jpg', 'sample3.jpg'])
      fs.copyFileSync(path.join(DEMO_DIR, f), path.join(dirs.input, `face-${f}`));
    run(
      'face',
      'compare',
      path.join(dirs.input, 'face-sample2.jpg'),
      path.join(dirs.input, 'face-sample3.jpg'),
      '--json',
    );
  }, 240_000);

  it('faces compared on the station leave no image bytes in any file, and print only the verdict', () => {
    const compare = day.calls.find((c) => c.args[0] === 'face' && c.args[1] === 'compare')!;
    expect(compare.result.code).toBe(0);
    const out = JSON.parse(compare.result.stdout) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(['distance', 'faces', 'match', 'threshold']);
    const sources = fileSources([dirs.data, dirs.home, dirs.tmp], box);
    for (const f of ['sample2.jpg', 'sample3.jpg']) {
      const img = fs.readFileSync(path.join(DEMO_DIR, f));
      const pieces = [0.25, 0.5, 0.75].map((at) => {
        const i = Math.floor(img.length * at);
        return img.subarray(i, i + 48);
      });
      for (const src of sources)
        for (const piece of pieces) expect(src.bytes.includes(piece), `${f} in ${src.name}`).toBe(false);
    }
  });

  it('the day really ran: a signed, verified session, its reports, and a bad roster refused', () => {
    const byCommand = (a: string, b?: string) =>
      day.calls.filter((c) => c.args[0] === a && (b === undefined || c.args[1] === b));
    expect(byCommand('check').map((c) => c.result.code)).toEqual([0, 0, 0, 0]);
    expect(byCommand('log', 'verify').map((c) => c.result.code)).toEqual([0, 0, 0]);
    expect(byCommand('roster', 'import').map((c) => c.result.code)).toEqual([0, 1, 1]);
    expect(byCommand('roster', 'import')[1]!.result.stderr).toMatch(/Dòng 2/);
    expect(byCommand('privacy', 'purge').map((c) => c.result.code)).toEqual([0, 0]);
    expect(fs.existsSync(path.join(dirs.data, 'kiosk.db'))).toBe(true);
    expect(fs.existsSync(path.join(dirs.data, 'kiosk.key'))).toBe(true);
    // The check output does show the candidate (its purpose): the search below can find what it looks for.
    const shown = byCommand('check')[0]!.result.stdout;
    expect(findLeaks([{ name: 'check stdout', bytes: Buffer.from(shown) }], [day.people[0]!])).toContain(
      'person 0 name NFC in check stdout',
    );
  });

  it('no file outside the database holds any form of a name, ID number or address', () => {
    const sources = fileSources([dirs.data, dirs.home, dirs.tmp], box);
    expect(sources.map((s) => s.name)).toContain(path.join('data', 'kiosk.key'));
    expect(findLeaks(sources, people)).toEqual([]);
  });

  it('no command other than a check or the roster list prints personal data (stdout and stderr)', () => {
    const display = (args: string[]) => args[0] === 'check' || (args[0] === 'roster' && args[1] === 'list');
    const outputs = day.calls
      .filter((c) => !display(c.args))
      .flatMap((c, i) => [
        { name: `#${i} ${c.args.slice(0, 2).join(' ')} stdout`, bytes: Buffer.from(c.result.stdout) },
        { name: `#${i} ${c.args.slice(0, 2).join(' ')} stderr`, bytes: Buffer.from(c.result.stderr) },
      ]);
    expect(outputs.length).toBeGreaterThan(30);
    expect(findLeaks(outputs, people)).toEqual([]);
  });

  it('the audit log itself holds no personal data', () => {
    const db = new Database(path.join(dirs.data, 'kiosk.db'), { readonly: true });
    const rows = db.prepare('SELECT * FROM audit_log').all();
    db.close();
    expect(rows.length).toBeGreaterThan(10);
    expect(findLeaks([{ name: 'audit_log', bytes: Buffer.from(JSON.stringify(rows)) }], people)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. The application layer, with real readers
// ---------------------------------------------------------------------------------------------

withPty('a day through the application layer writes no personal data outside the database', () => {
  const SEED = 977;
  const SESSION = 'NOLEAK-APP';
  const box = path.join(root, 'app');
  const userData = path.join(box, 'userData');
  const appTmp = path.join(box, 'tmp');
  const inputDir = path.join(box, 'input');
  const exportsDir = path.join(box, 'exports');
  const chair: Caller = { clientId: 'window-1' };
  const people = [0, 1, 2].map((i) => softPerson(i, SEED));
  const card = softCardOf(0, SEED);
  const events: Array<{ event: EventName; payload: unknown }> = [];
  const sink: EventSink = { emit: (_c, event, payload) => void events.push({ event, payload }) };
  const captured: string[] = [];
  let services: KioskServices;
  let api: KioskApi;
  let hub: ReaderHub;
  let emu: Pn532Emulator;
  let scanner: PtyPair;
  let pn532: PtyPair;
  let savedTmp: string | undefined;
  let result: CheckResultDTO;

  const ok = async <T>(channel: string, req: unknown = {}): Promise<T> => {
    const r = await api.handle(channel, chair, req);
    if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.en}`);
    return r.value as T;
  };
  const until = async <T>(what: string, fn: () => T | undefined, ms = 30_000): Promise<T> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const v = fn();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    for (const d of [userData, appTmp, inputDir, exportsDir]) fs.mkdirSync(d, { recursive: true });
    // The pseudo-terminals live in the usual temp folder (created before TMPDIR is switched).
    scanner = await createPtyPair();
    pn532 = await createPtyPair();
    emu = await Pn532Emulator.open({ path: pn532.b });
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = appTmp;
    const keep = (s: unknown) =>
      captured.push(typeof s === 'string' ? s : Buffer.from(s as Uint8Array).toString('utf8'));
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        keep(chunk);
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write);
    }
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void keep(args.map(String).join(' ')));
    }

    const trustDir = path.join(userData, 'trust-store');
    fs.mkdirSync(trustDir, { recursive: true });
    fs.writeFileSync(path.join(trustDir, 'csca-test.pem'), card.csca.pem);
    // As electron/main wires it: the file log in userData/logs, the reader lines into it.
    const logger = new FileAppLogger(path.join(userData, 'logs'));
    services = new KioskServices({ dbPath: path.join(userData, 'kiosk.db') });
    hub = new ReaderHub({
      trustStoreDir: trustDir,
      manager: { pollIntervalMs: 100, cardPollMs: 100 },
      waitForAccessMs: 15_000,
      log: (line) => logger.info('reader', { line }),
    });
    const dialogs = new QueuedDialogs();
    api = new KioskApi({ services, dialogs, trustStoreDir: trustDir, events: sink, logger, readers: hub });

    await ok('auth.setup', { username: 'chutich', displayName: 'Chủ tịch hội đồng', pin: '2468' });
    await ok('sessions.create', { code: SESSION, council: 'Hội đồng sát hạch', date: '2026-11-27' });
    // The roster, with a photo and a note holding the address, picked and previewed like in the UI.
    const header = 'Số báo danh,Họ và tên,Ngày sinh,Số CCCD,CMND,Hạng GPLX,Giới tính,Ảnh,Ghi chú';
    const lines = people.map((p, i) => {
      fs.writeFileSync(path.join(inputDir, `p${i}.jpg`), distinctivePhoto(SEED + i));
      const dmy = `${p.dateOfBirth.slice(8, 10)}/${p.dateOfBirth.slice(5, 7)}/${p.dateOfBirth.slice(0, 4)}`;
      return [
        String(i + 1).padStart(6, '0'),
        p.fullName,
        dmy,
        p.idNumber,
        p.oldIdNumber,
        'B',
        p.sex === 'M' ? 'Nam' : 'Nữ',
        `p${i}.jpg`,
        `"${p.residence}"`,
      ].join(',');
    });
    const rosterFile = path.join(inputDir, 'roster.csv');
    fs.writeFileSync(rosterFile, [header, ...lines].join('\r\n'));
    dialogs.queueOpen(rosterFile);
    const pick = await ok<{ token: string }>('roster.pickFile');
    await ok('roster.preview', { sessionCode: SESSION, token: pick.token });
    await ok('roster.import', { sessionCode: SESSION, token: pick.token });
    const list = await ok<{ candidates: Array<{ id: number }> }>('candidates.search', {
      sessionCode: SESSION,
    });
    await ok('candidates.search', { sessionCode: SESSION, query: stripDiacritics(people[1]!.fullName) });
    await ok('candidates.photo', { candidateId: list.candidates[0]!.id });

    // Readers: the QR from the serial scanner, then the chip by PACE with its CAN.
    await ok('settings.update', {
      readers: {
        qrWedge: true,
        pcsc: { enabled: false, name: '' },
        pn532Port: pn532.a,
        serialScannerPort: scanner.a,
        hidPos: null,
      },
    });
    await ok('checks.setActiveSession', { sessionCode: SESSION });
    await until('readers ready', () =>
      hub.status().length === 2 && hub.status().every((s) => s.state === 'ready') ? true : undefined,
    );
    const from = events.length;
    fs.writeFileSync(scanner.b, card.qrText + '\r');
    await until('awaiting chip', () => events.slice(from).find((e) => e.event === 'scan.awaitingChip'));
    card.engine.reset();
    emu.insertCard((apdu) => card.engine.process(apdu));
    result = await until(
      'scan.result',
      () => events.slice(from).find((e) => e.event === 'scan.result')?.payload as CheckResultDTO | undefined,
    );
    emu.removeCard();
    // Without chip readers: a typed ID, a QR check and a rejected one (someone not on the roster).
    await ok('settings.update', {
      readers: {
        qrWedge: true,
        pcsc: { enabled: false, name: '' },
        pn532Port: '',
        serialScannerPort: '',
        hidPos: null,
      },
    });
    await ok('checks.manual', { sessionCode: SESSION, number: people[2]!.idNumber });
    await ok('checks.qr', { sessionCode: SESSION, text: softCardOf(1, SEED).qrText });
    await ok('checks.qr', { sessionCode: SESSION, text: qrTextOf(fictionalPerson(60, SEED)) });
    await ok('checks.recent', { sessionCode: SESSION, limit: 20 });
    await ok('log.list', { sessionCode: SESSION });
    await ok('log.verify');
    await ok('sessions.close', { sessionCode: SESSION });
    // An error path: a check in a closed session.
    expect((await api.handle('checks.qr', chair, { sessionCode: SESSION, text: card.qrText })).ok).toBe(
      false,
    );
    await ok('sessions.signOff', { sessionCode: SESSION, pin: '2468' });
    dialogs.queueSave(path.join(exportsDir, 'report.pdf'));
    await ok('reports.export', { sessionCode: SESSION, format: 'pdf', lang: 'vi' });
    dialogs.queueSave(path.join(exportsDir, 'report.xlsx'));
    await ok('reports.export', { sessionCode: SESSION, format: 'xlsx', lang: 'en' });
  }, 120_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await api?.close();
    services?.close();
    await emu?.close();
    await scanner?.close();
    await pn532?.close();
  });

  const everyone = (): Person[] => [...people, fictionalPerson(60, SEED)];

  it('the day really ran: a genuine chip read matched, the session signed and sealed, the file log written', () => {
    expect(result).toMatchObject({
      identityVerdict: 'match',
      authenticityVerdict: 'genuine',
      source: 'chip',
    });
    expect(result.candidate?.fullName).toBe(people[0]!.fullName);
    expect(services.sessions.get(SESSION).state).toBe('signed');
    const log = fs.readFileSync(path.join(userData, 'logs', 'kiosk-app.log'), 'utf8');
    expect(log).toContain('"event":"reader"');
    expect(log).toContain('"event":"check.done"');
    expect(log).toContain('"event":"report.exported"');
  });

  it('no file outside the database holds any form of a name, ID number or address', () => {
    // While the app still runs (its log open): the data folder, the logs, the trust store, its TMPDIR.
    const sources = fileSources([userData, appTmp], box);
    expect(sources.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        path.join('userData', 'logs', 'kiosk-app.log'),
        path.join('userData', 'kiosk.key'),
      ]),
    );
    expect(findLeaks(sources, everyone())).toEqual([]);
  });

  it('nothing personal went to stdout, stderr or the console', () => {
    expect(
      findLeaks([{ name: 'stdout/stderr/console', bytes: Buffer.from(captured.join('\n')) }], everyone()),
    ).toEqual([]);
  });

  it('the audit log holds no personal data, chip reads included', () => {
    const text = JSON.stringify(services.db.prepare('SELECT * FROM audit_log').all());
    expect(findLeaks([{ name: 'audit_log', bytes: Buffer.from(text) }], everyone())).toEqual([]);
  });
});
