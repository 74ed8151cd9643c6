/**
 * A working day at one station, run through the real `kiosk` CLI (separate processes, a real SQLite
 * file and key file): session, a roster with photos and notes, QR check-ins (accepted and rejected),
 * close, sign-off and the three reports. Used by the tamper-evidence, privacy and no-leak tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { kiosk, type CliResult } from './cli';
import { fictionalPerson, qrTextOf, rng, type FictionalPerson } from '../../electron/core/fictional-people';

export interface DayOptions {
  code: string;
  count?: number;
  seed?: number;
  /** Global CLI options placed before the command, e.g. ['--db', file]; [] uses the default paths. */
  dbArgs: string[];
  env?: Record<string, string>;
  /** Stop after close (false) or sign off (default). */
  sign?: boolean;
  /** Export the three reports into this folder (after sign-off). */
  reportsDir?: string;
  /** Where the roster file and photos are written (an input folder, not the data folder). */
  inputDir: string;
}

export interface Day {
  code: string;
  people: FictionalPerson[];
  photos: Buffer[];
  notes: string[];
  reports: { pdf: string; csv: string; xlsx: string } | null;
  /** Every CLI call of the day with its command line (for the stdout/stderr checks). */
  calls: Array<{ args: string[]; result: CliResult }>;
  run: (...args: string[]) => CliResult;
}

/** A small real JPEG whose pixels are random (so its bytes are found nowhere else). */
export function distinctivePhoto(seed: number): Buffer {
  const r = rng(seed);
  const width = 24;
  const height = 32;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : Math.floor(r() * 256);
  return Buffer.from(jpeg.encode({ data, width, height }, 90).data);
}

export function runDay(o: DayOptions): Day {
  const count = o.count ?? 4;
  const seed = o.seed ?? 11;
  fs.mkdirSync(o.inputDir, { recursive: true });
  const calls: Day['calls'] = [];
  const run = (...args: string[]): CliResult => {
    const result = kiosk([...o.dbArgs, ...args], o.env ?? {});
    calls.push({ args, result });
    return result;
  };
  const must = (...args: string[]): CliResult => {
    const r = run(...args);
    if (r.code !== 0) throw new Error(`kiosk ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r;
  };

  const people = Array.from({ length: count }, (_, i) => fictionalPerson(i, seed));
  const photos = people.map((_, i) => distinctivePhoto(seed * 100 + i));
  const notes = people.map((p) => `Địa chỉ liên hệ: ${p.residence}`);
  const header = 'Số báo danh,Họ và tên,Ngày sinh,Số CCCD,CMND,Hạng GPLX,Giới tính,Ảnh,Ghi chú';
  const lines = people.map((p, i) => {
    const photo = `photo-${o.code}-${i}.jpg`;
    fs.writeFileSync(path.join(o.inputDir, photo), photos[i]!);
    const dob = `${p.dateOfBirth.slice(8, 10)}/${p.dateOfBirth.slice(5, 7)}/${p.dateOfBirth.slice(0, 4)}`;
    return [
      p.candidateNo,
      p.fullName,
      dob,
      p.idNumber,
      p.oldIdNumber,
      p.licenceClass,
      p.sex === 'M' ? 'Nam' : 'Nữ',
      photo,
      `"${notes[i]}"`,
    ].join(',');
  });
  const rosterFile = path.join(o.inputDir, `roster-${o.code}.csv`);
  fs.writeFileSync(rosterFile, [header, ...lines].join('\r\n') + '\r\n');

  must(
    'session',
    'create',
    '--code',
    o.code,
    '--council',
    'Hội đồng sát hạch thử nghiệm',
    '--date',
    '2026-11-27',
    '--classes',
    'A,A1,B,B1,C,C1',
  );
  must('roster', 'import', rosterFile, '--session', o.code);
  // Two accepted check-ins, one person twice (already checked in), one stranger (not on the roster).
  must('check', '--session', o.code, '--qr', qrTextOf(people[0]!), '--examiner', 'giamthi1');
  must('check', '--session', o.code, '--qr', qrTextOf(people[1]!), '--examiner', 'giamthi2');
  must('check', '--session', o.code, '--qr', qrTextOf(people[1]!), '--examiner', 'giamthi2');
  must(
    'check',
    '--session',
    o.code,
    '--qr',
    qrTextOf(fictionalPerson(count + 50, seed)),
    '--examiner',
    'giamthi1',
  );
  must('session', 'close', '--code', o.code);
  let reports: Day['reports'] = null;
  if (o.sign ?? true) {
    must('session', 'sign', '--code', o.code, '--examiner', 'chutich');
    if (o.reportsDir) {
      fs.mkdirSync(o.reportsDir, { recursive: true });
      reports = {
        pdf: path.join(o.reportsDir, `${o.code}.pdf`),
        csv: path.join(o.reportsDir, `${o.code}.csv`),
        xlsx: path.join(o.reportsDir, `${o.code}.xlsx`),
      };
      for (const f of ['pdf', 'csv', 'xlsx'] as const) {
        must('report', '--session', o.code, '--format', f, '--out', reports[f]);
      }
    }
  }
  return { code: o.code, people, photos, notes, reports, calls, run };
}

/** Flips every occurrence of `find` in `file` to `replace` (same length); returns how many. */
export function patchFileBytes(file: string, find: Buffer | string, replace: Buffer | string): number {
  const a = Buffer.isBuffer(find) ? find : Buffer.from(find, 'utf8');
  const b = Buffer.isBuffer(replace) ? replace : Buffer.from(replace, 'utf8');
  if (a.length !== b.length) throw new Error('patchFileBytes: same length only');
  const bytes = fs.readFileSync(file);
  let n = 0;
  for (let at = bytes.indexOf(a); at !== -1; at = bytes.indexOf(a, at + 1)) {
    b.copy(bytes, at);
    n++;
  }
  fs.writeFileSync(file, bytes);
  return n;
}

/** Copies a database (and its key file) into a fresh folder for one tamper case. */
export function copyStation(fromDir: string, toDir: string): string {
  fs.mkdirSync(toDir, { recursive: true });
  for (const f of fs.readdirSync(fromDir)) {
    if (f === 'kiosk.db' || f === 'kiosk.key') {
      fs.copyFileSync(path.join(fromDir, f), path.join(toDir, f));
      if (f === 'kiosk.key') fs.chmodSync(path.join(toDir, f), 0o600);
    }
  }
  return path.join(toDir, 'kiosk.db');
}
