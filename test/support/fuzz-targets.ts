/**
 * Fuzz targets for every parser that takes outside bytes beyond the chip parsers of ./fuzz.ts:
 *
 *   com, dg14, dg15   EF.COM, DG14 (chip-auth keys) and DG15 (active-auth key) from the chip
 *   passive-auth      a mutated EF.SOD (and sometimes a mutated data group) through the whole passive
 *                     authentication: CMS, the DS certificate inside, signature verification
 *   pn532             PN532 frame streams (ACK/NACK/error/normal/extended frames, garbage, mutations)
 *                     fed to the streaming decoder in random chunks
 *   hid-pos           HID POS scanner reports (multi-report QR scans, four report layouts)
 *   wedge             keyboard-wedge key-event streams (layout mangling, modifiers, dead keys, gaps)
 *   qr                CCCD QR texts, parsed and then verified against a roster candidate
 *   csv, xlsx         roster files written to a temp folder and read by readRosterFile
 *   ipc-schema        every IPC channel's zod schema with random and mutated JSON
 *   ipc-api           KioskApi.handle (what IPC and the test bridge call) as a signed-in chair
 *
 * Each target states its allowed error types; an invariant violation is thrown as a plain
 * InvariantError, which no target allows. Inputs are fictional. This module imports only types from
 * ./fuzz (the mutators arrive through `TargetContext`), so there is no import cycle.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { ChipSamples } from './chip-samples';
import type { FuzzTarget, Rng } from './fuzz';
import { IcaoError } from '../../native/iso7816/sw';
import { parseDg15, parseEfCom } from '../../native/icao/lds';
import { parseDg14 } from '../../native/icao/dg14';
import { passiveAuthentication } from '../../native/icao/passive-auth';
import { TrustStore } from '../../native/icao/trust-store';
import {
  ACK_FRAME,
  ERROR_FRAME,
  MAX_EXTENDED_LEN,
  NACK_FRAME,
  Pn532Decoder,
  TFI_HOST_TO_PN532,
  TFI_PN532_TO_HOST,
  encodeFrame,
  type Pn532DecoderEvent,
} from '../../native/drivers/pn532/codec';
import { HidPosDecoder, type HidPosLayout } from '../../native/drivers/hid/hid-pos';
import { KeyboardWedgeDecoder, type WedgeKeyEvent } from '../../native/drivers/hid/keyboard-wedge';
import { parseCccdQr } from '../../native/cccd/qr';
import { isIsoDate } from '../../native/util/dates';
import { verify } from '../../electron/core/verification';
import { fictionalPerson, qrTextOf, rosterCsv } from '../../electron/core/fictional-people';
import { RosterFileError } from '../../electron/core/roster/model';
import { readRosterFile } from '../../electron/core/roster/read';
import { CHANNEL_NAMES, channels, type ChannelName } from '../../electron/shared/ipc-contract';
import { concat, fromHex, hex } from '../../native/util/bytes';

export type OutsideParserName =
  | 'com'
  | 'dg14'
  | 'dg15'
  | 'passive-auth'
  | 'pn532'
  | 'hid-pos'
  | 'wedge'
  | 'qr'
  | 'csv'
  | 'xlsx'
  | 'ipc-schema'
  | 'ipc-api';

export const OUTSIDE_PARSERS: readonly OutsideParserName[] = [
  'com',
  'dg14',
  'dg15',
  'passive-auth',
  'pn532',
  'hid-pos',
  'wedge',
  'qr',
  'csv',
  'xlsx',
  'ipc-schema',
  'ipc-api',
];

/** Targets that need files or the database (run with runFuzzAsync; far fewer inputs per second). */
export const ASYNC_PARSERS: ReadonlySet<OutsideParserName> = new Set(['csv', 'xlsx', 'ipc-api']);

export interface TargetContext {
  samples: ChipSamples;
  mutateBytes: (rng: Rng, samples: readonly Uint8Array[]) => Uint8Array;
  mutateText: (rng: Rng, samples: readonly string[]) => string;
  InvariantError: new (message: string) => Error;
}

/** "Today" for every date rule under fuzzing, so a seed gives the same verdicts on any day. */
export const FUZZ_NOW = new Date('2026-11-27T03:00:00Z');
const FUZZ_TODAY = '2026-11-27';

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, list: readonly T[]): T => list[int(rng, list.length)]!;

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = int(rng, 256);
  return out;
}

const isIcao = (e: unknown): boolean => e instanceof IcaoError;
const never = (): boolean => false;

/** Fixtures of this module (the XLSX sample is a committed file so a seed reproduces its inputs). */
export const FUZZ_FIXTURES = path.resolve(import.meta.dirname, '../fixtures/fuzz');

// ---------------------------------------------------------------------------------------------
// Temp folder for the file-based targets (removed at exit)

const SCRATCH_BASE = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();

/** Removes the scratch folders of process `pid` (a fuzz worker the watchdog killed cannot do it itself). */
export function removeScratchOf(pid: number): void {
  const prefix = `kiosk-fuzz-${pid}-`;
  try {
    for (const f of fs.readdirSync(SCRATCH_BASE)) {
      if (f.startsWith(prefix)) fs.rmSync(path.join(SCRATCH_BASE, f), { recursive: true, force: true });
    }
  } catch {
    // nothing to clean
  }
}

let scratch: string | undefined;
function scratchDir(): string {
  if (!scratch) {
    const dir = fs.mkdtempSync(path.join(SCRATCH_BASE, `kiosk-fuzz-${process.pid}-`));
    scratch = dir;
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

// ---------------------------------------------------------------------------------------------
// PN532 frame streams

function pn532Stream(rng: Rng): Uint8Array {
  const parts: Uint8Array[] = [];
  const frames = 1 + int(rng, 5);
  for (let f = 0; f < frames; f++) {
    if (rng() < 0.2) parts.push(randomBytes(rng, int(rng, 6))); // line noise between frames
    const kind = int(rng, 10);
    let frame: Uint8Array;
    if (kind === 0) frame = ACK_FRAME;
    else if (kind === 1) frame = NACK_FRAME;
    else if (kind === 2) frame = ERROR_FRAME;
    else {
      const extended = rng() < 0.25;
      const size = extended ? int(rng, MAX_EXTENDED_LEN - 1) : rng() < 0.8 ? int(rng, 40) : int(rng, 253);
      const body = new Uint8Array(1 + size);
      body[0] = int(rng, 256);
      for (let i = 1; i < body.length; i++) body[i] = int(rng, 256);
      frame = encodeFrame(rng() < 0.5 ? TFI_PN532_TO_HOST : TFI_HOST_TO_PN532, body, { extended });
    }
    // Preamble and postamble are optional on receive.
    if (rng() < 0.2) frame = frame.subarray(1);
    if (rng() < 0.2 && frame[frame.length - 1] === 0) frame = frame.subarray(0, frame.length - 1);
    parts.push(frame);
  }
  return concat(...parts);
}

function chunks(rng: Rng, stream: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < stream.length) {
    const n = rng() < 0.3 ? 1 : 1 + int(rng, 64);
    out.push(stream.slice(pos, pos + n));
    pos += n;
  }
  if (rng() < 0.1) out.splice(int(rng, out.length + 1), 0, new Uint8Array(0));
  return out;
}

type FrameKey = string;
function frameKeys(events: Pn532DecoderEvent[]): FrameKey[] {
  const out: FrameKey[] = [];
  for (const e of events) {
    if (e.type === 'data') out.push(`data ${e.tfi} ${e.command} ${e.extended} ${hex(e.params)}`);
    else if (e.type === 'ack' || e.type === 'nack' || e.type === 'error') out.push(e.type);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HID POS reports

const HID_LAYOUTS: readonly Partial<HidPosLayout>[] = [
  {},
  { reportId: null, includesReportId: false },
  { lengthIncludesAim: true },
  { aimLength: 0, dataOffset: 1, dataMax: 61, continuedOffset: 63 },
];

/** The reports a scanner with layout `layoutIndex` sends for `text`. */
function hidReports(text: string, layoutIndex: number): Uint8Array[] {
  const L = new HidPosDecoder(HID_LAYOUTS[layoutIndex]).layout;
  const data = new TextEncoder().encode(text);
  const reports: Uint8Array[] = [];
  const size = Math.max(63, L.continuedOffset + 1, L.dataOffset + L.dataMax);
  for (let off = 0; off < data.length || off === 0; off += L.dataMax) {
    const part = data.subarray(off, off + L.dataMax);
    const body = new Uint8Array(size);
    body[L.lengthOffset] = part.length + (L.lengthIncludesAim ? L.aimLength : 0);
    if (L.aimLength > 0) body.set([0x5d, 0x51, 0x31].slice(0, L.aimLength), L.aimOffset);
    body.set(part, L.dataOffset);
    if (off + L.dataMax < data.length) body[L.continuedOffset] = 0x01;
    reports.push(L.includesReportId ? concat(Uint8Array.of(L.reportId ?? 0), body) : body);
    if (data.length === 0) break;
  }
  return reports;
}

// ---------------------------------------------------------------------------------------------
// Keyboard-wedge key streams

/** What an AZERTY layout types for the US digit row (unshifted) and the \ key. */
const AZERTY_DIGITS = ['à', '&', 'é', '"', "'", '(', '-', 'è', '_', 'ç'];
const ODD_KEYS = [
  'Shift',
  'Control',
  'AltGraph',
  'CapsLock',
  'Dead',
  'Unidentified',
  'Backspace',
  'ArrowLeft',
  'F5',
  'Escape',
  '',
  'ab',
  '💳',
  '\u0000',
  '\u0301',
  'Process',
  'Enter',
  'Tab',
];
const ODD_CODES = ['', 'KeyA', 'Digit1', 'Backslash', 'Numpad5', 'NumpadEnter', 'IntlBackslash', 'Unknown'];

interface WedgeInput {
  /** The text the scanner sent, when the stream is unmutated (then the decoder must return exactly it). */
  expect?: string;
  minLength: number;
  events: WedgeKeyEvent[];
}

function codeOf(ch: string): { code: string; shift: boolean } {
  if (/[0-9]/.test(ch)) return { code: `Digit${ch}`, shift: false };
  if (ch === '|') return { code: 'Backslash', shift: true };
  if (/[a-z]/.test(ch)) return { code: `Key${ch.toUpperCase()}`, shift: false };
  if (/[A-Z]/.test(ch)) return { code: `Key${ch}`, shift: true };
  if (ch === ' ') return { code: 'Space', shift: false };
  return { code: '', shift: false };
}

function wedgeStream(rng: Rng, texts: readonly string[]): WedgeInput {
  const text = pick(rng, texts).normalize('NFC');
  const azerty = rng() < 0.3;
  const events: WedgeKeyEvent[] = [];
  let t = 1000 + rng() * 1e6;
  for (const ch of text) {
    const { code, shift } = codeOf(ch);
    let key = ch;
    if (azerty && code.startsWith('Digit')) key = AZERTY_DIGITS[Number(ch)]!;
    if (azerty && ch === '|') key = 'µ';
    events.push({ key, code, timeStamp: t, shiftKey: shift });
    t += rng() * 12;
  }
  events.push({ key: rng() < 0.5 ? 'Enter' : 'Tab', code: 'Enter', timeStamp: t });
  const minLength = rng() < 0.8 ? 8 : int(rng, 40);
  if (rng() < 0.35) return { expect: text, minLength: Math.min(minLength, [...text].length), events };
  // Mutations: odd keys, gaps, clock jumps, removed/duplicated events, a second burst.
  const ops = 1 + int(rng, 5);
  for (let k = 0; k < ops; k++) {
    const at = int(rng, events.length + 1);
    switch (int(rng, 7)) {
      case 0:
        events.splice(at, 0, {
          key: pick(rng, ODD_KEYS),
          code: pick(rng, ODD_CODES),
          timeStamp: events[at]?.timeStamp ?? t,
          ...(rng() < 0.5 ? { shiftKey: rng() < 0.5 } : {}),
        });
        break;
      case 1: // a pause longer than the gap limit
        for (let i = at; i < events.length; i++)
          events[i] = { ...events[i]!, timeStamp: events[i]!.timeStamp + 500 };
        break;
      case 2: // the clock jumps back
        for (let i = at; i < events.length; i++)
          events[i] = { ...events[i]!, timeStamp: events[i]!.timeStamp - 1e5 };
        break;
      case 3:
        events.splice(at, 1 + int(rng, 4));
        break;
      case 4:
        events.splice(at, 0, ...events.slice(at, at + 1 + int(rng, 10)));
        break;
      case 5: // numpad digits (NumLock off gives navigation keys)
        if (events[at]?.code.startsWith('Digit')) {
          const d = events[at]!.code.slice(5);
          events[at] = { ...events[at]!, code: `Numpad${d}`, key: rng() < 0.5 ? d : 'End' };
        }
        break;
      default:
        events.splice(at, 0, {
          key: String.fromCodePoint(int(rng, 0x3000)),
          code: 'KeyQ',
          timeStamp: events[at]?.timeStamp ?? t,
        });
    }
  }
  return { minLength, events };
}

// ---------------------------------------------------------------------------------------------
// QR texts

const QR_CHARS = [
  ...'0123456789|||||',
  ...'aăâbcdđeêghiklmnoôơpqrstuưvxyÀÁẢÃẠĐỀỄỆỮỰỲ',
  ' ',
  '  ',
  '\t',
  '\r\n',
  '\n',
  '\u0000',
  '\ufeff',
  '\u200b',
  '\u0301',
  '\u0303',
  '\ud800',
  '\udc00',
  '💳',
  '/',
  '-',
  '.',
  '<',
  'Nam',
  'Nữ',
  'NU',
  '00',
  '31',
  '29',
  '02',
  '1900',
  '2099',
];

function mutateQr(rng: Rng, texts: readonly string[]): string {
  let s = pick(rng, texts);
  if (rng() < 0.03) {
    let out = '';
    const n = int(rng, 200);
    for (let i = 0; i < n; i++) out += pick(rng, QR_CHARS);
    return out;
  }
  const ops = 1 + int(rng, 4);
  for (let k = 0; k < ops; k++) {
    const pos = int(rng, s.length + 1);
    const fields = s.split('|');
    switch (int(rng, 9)) {
      case 0:
        s = s.slice(0, pos) + pick(rng, QR_CHARS) + s.slice(pos + 1);
        break;
      case 1:
        s = s.slice(0, pos) + pick(rng, QR_CHARS) + s.slice(pos);
        break;
      case 2:
        s = s.slice(0, pos) + s.slice(pos + 1 + int(rng, 6));
        break;
      case 3:
        s = s.slice(0, pos);
        break;
      case 4: {
        // swap two fields
        const a = int(rng, fields.length);
        const b = int(rng, fields.length);
        [fields[a], fields[b]] = [fields[b]!, fields[a]!];
        s = fields.join('|');
        break;
      }
      case 5: // a field from another card
        fields[int(rng, fields.length)] = pick(rng, pick(rng, texts).split('|'));
        s = fields.join('|');
        break;
      case 6: // digits of a field changed
        {
          const i = int(rng, fields.length);
          fields[i] = fields[i]!.replace(/\d/g, (d) => (rng() < 0.3 ? String(int(rng, 10)) : d));
          s = fields.join('|');
        }
        break;
      case 7:
        s = rng() < 0.5 ? s.toUpperCase() : s.normalize('NFD');
        break;
      default: // empty fields added or removed
        s = rng() < 0.5 ? `${s}|` : s.replace(/\|$/, '');
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Roster files

/** CSV samples: the app's roster of fictional people in the encodings and layouts users send. */
export function csvSamples(): Uint8Array[] {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const base = rosterCsv(5, 61);
  const withPhoto = base
    .split('\r\n')
    .map((l, i) => (l === '' ? l : `${l},${i === 0 ? 'Ảnh' : i % 2 ? 'p1.jpg' : 'anh\\p2.png'}`))
    .join('\r\n');
  const utf16 = (s: string): Uint8Array => {
    const b = Buffer.from(`\ufeff${s}`, 'utf16le');
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  };
  return [
    utf8(base),
    utf8(`\ufeff${base.replace(/,/g, ';')}`),
    utf8(`sep=;\r\n${base.replace(/,/g, ';')}`),
    utf8(`DANH SÁCH THÍ SINH\n\n${base.replace(/\r\n/g, '\n').replace(/,/g, '\t')}`),
    utf8(withPhoto),
    utf8(base.replace(/(\d{2})\/(\d{2})\/(\d{4})/g, '"$3-$2-$1"').replace(/Nam/g, '"Nam, ""A"""')),
    utf16(rosterCsv(3, 62)),
  ];
}

const JPEG_STUB = fromHex('FFD8FFE000104A46494600010100000100010000FFD9');
const PNG_STUB = fromHex(
  '89504E470D0A1A0A0000000D49484452000000010000000108060000001F15C4890000000A49444154789C63000100000500010D0A2DB40000000049454E44AE426082',
);

function rosterFolder(): string {
  const dir = path.join(scratchDir(), 'roster');
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(path.join(dir, 'anh'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'p1.jpg'), JPEG_STUB);
    fs.writeFileSync(path.join(dir, 'anh', 'p2.png'), PNG_STUB);
  }
  return dir;
}

/** Checks a roster result's invariants; returns whether the file was accepted. */
function checkRosterResult(
  r: Awaited<ReturnType<typeof readRosterFile>>,
  Invariant: TargetContext['InvariantError'],
): boolean {
  const bilingual = (x: { vi: string; en: string; code: string }) => {
    if (!x.code || !x.vi || !x.en) throw new Invariant('roster reason without code/vi/en');
  };
  for (const w of r.warnings) bilingual(w.reason);
  if (r.ok) {
    if (r.rows.length === 0) throw new Invariant('roster ok with no rows');
    for (const row of r.rows) {
      if (!/^\d{12}$/.test(row.idNumber)) throw new Invariant('roster row with a bad ID number');
      if (!isIsoDate(row.dateOfBirth)) throw new Invariant('roster row with a bad date of birth');
      if (row.dateOfBirth > FUZZ_TODAY) throw new Invariant('roster row born in the future');
      if (!(row.rowNumber >= 1)) throw new Invariant('roster row number < 1');
    }
  } else {
    if (r.errors.length === 0) throw new Invariant('roster refused without errors');
    for (const e of r.errors) {
      bilingual(e.reason);
      if (!(e.rowNumber >= 1)) throw new Invariant('roster error row number < 1');
    }
  }
  return r.ok;
}

/** An XLSX cell in a generated workbook (JSON, so a finding is saved and replayed as it is). */
type XCell =
  | { t: 's'; v: string }
  | { t: 'n'; v: number }
  | { t: 'd'; v: number }
  | { t: 'b'; v: boolean }
  | { t: 'rich'; v: string[] }
  | { t: 'f'; f: string; r?: string | number }
  | { t: 'link'; text: string }
  | { t: 'err'; v: string }
  | { t: 'null' };

type XlsxInput =
  | { kind: 'bytes'; hex: string }
  | { kind: 'cells'; sheets: { name: string; hidden?: boolean; rows: XCell[][] }[]; date1904?: boolean };

const XLSX_TEXT = [
  'Số báo danh',
  'Họ và tên',
  'Ngày sinh',
  'Số CCCD',
  'Giới tính',
  'Hạng GPLX',
  'Ảnh',
  'CMND',
  'Nguyễn Văn An',
  'Trần Thị Bích',
  '01/02/1990',
  '1990-02-01',
  '31/02/1990',
  '001090123456',
  '00109012345',
  '1.0E+11',
  'Nam',
  'Nữ',
  'B',
  'C1',
  'p1.jpg',
  '../../etc/passwd',
  '',
  ' ',
  '=1+1',
  '\u0000',
  'x'.repeat(300),
];

function xCell(rng: Rng): XCell {
  switch (int(rng, 12)) {
    case 0:
    case 1:
    case 2:
    case 3:
      return { t: 's', v: pick(rng, XLSX_TEXT) };
    case 4:
      return {
        t: 'n',
        v: pick(rng, [1090123456, 1.0e11, 32874, 1021990, -1, 0, 1e308, 2.5, 99999, 2958466]),
      };
    case 5:
      return { t: 'd', v: pick(rng, [0, -2208988800000, 631152000000, 8.64e15, 1e15, -8.64e15 + 1]) };
    case 6:
      return { t: 'b', v: rng() < 0.5 };
    case 7:
      return { t: 'rich', v: [pick(rng, XLSX_TEXT), pick(rng, XLSX_TEXT)] };
    case 8:
      return { t: 'f', f: 'A1&B1', ...(rng() < 0.5 ? { r: pick(rng, [pick(rng, XLSX_TEXT), 12345]) } : {}) };
    case 9:
      return { t: 'link', text: pick(rng, XLSX_TEXT) };
    case 10:
      return { t: 'err', v: pick(rng, ['#N/A', '#REF!', '#DIV/0!']) };
    default:
      return { t: 'null' };
  }
}

function xlsxCells(rng: Rng): XlsxInput {
  const sheets: { name: string; hidden?: boolean; rows: XCell[][] }[] = [];
  const nSheets = 1 + int(rng, 2);
  for (let s = 0; s < nSheets; s++) {
    const header: XCell[] = ['Số báo danh', 'Họ và tên', 'Ngày sinh', 'Số CCCD', 'Giới tính', 'Hạng GPLX']
      .filter(() => rng() < 0.9)
      .map((v) => ({ t: 's', v }));
    const rows: XCell[][] = [];
    if (rng() < 0.2) rows.push([{ t: 's', v: 'DANH SÁCH' }]);
    rows.push(header);
    const n = int(rng, 8);
    for (let i = 0; i < n; i++) {
      const p = fictionalPerson(i, 71);
      const good: XCell[] = [
        { t: 's', v: p.candidateNo },
        { t: 's', v: p.fullName },
        { t: 's', v: `${p.dateOfBirth.slice(8)}/${p.dateOfBirth.slice(5, 7)}/${p.dateOfBirth.slice(0, 4)}` },
        { t: 's', v: p.idNumber },
        { t: 's', v: p.sex === 'M' ? 'Nam' : 'Nữ' },
        { t: 's', v: p.licenceClass },
      ];
      rows.push(good.map((c) => (rng() < 0.15 ? xCell(rng) : c)));
    }
    sheets.push({
      name: s === 0 ? 'Danh sách' : `Trang ${s}`,
      ...(rng() < 0.2 ? { hidden: true } : {}),
      rows,
    });
  }
  return { kind: 'cells', sheets, ...(rng() < 0.2 ? { date1904: true } : {}) };
}

async function xlsxFromCells(input: Extract<XlsxInput, { kind: 'cells' }>): Promise<Uint8Array> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  if (input.date1904) wb.properties.date1904 = true;
  for (const s of input.sheets) {
    const ws = wb.addWorksheet(s.name, s.hidden ? { state: 'hidden' } : {});
    for (const row of s.rows) {
      ws.addRow(
        row.map((c) => {
          switch (c.t) {
            case 's':
            case 'n':
            case 'b':
              return c.v;
            case 'd':
              return new Date(c.v);
            case 'rich':
              return { richText: c.v.map((text) => ({ text })) };
            case 'f':
              return c.r === undefined ? { formula: c.f } : { formula: c.f, result: c.r };
            case 'link':
              return { text: c.text, hyperlink: 'https://example.invalid/' };
            case 'err':
              return { error: c.v };
            default:
              return null;
          }
        }),
      );
    }
  }
  const buf = await wb.xlsx.writeBuffer();
  return new Uint8Array(buf as ArrayBuffer);
}

let xlsxSampleCache: Uint8Array[] | undefined;
/** The committed uncompressed (STORE) XLSX rosters: byte mutations then reach the XML inside. */
export function xlsxSamples(): Uint8Array[] {
  xlsxSampleCache ??= fs
    .readdirSync(FUZZ_FIXTURES)
    .filter((f) => f.endsWith('.xlsx'))
    .sort()
    .map((f) => new Uint8Array(fs.readFileSync(path.join(FUZZ_FIXTURES, f))));
  return xlsxSampleCache;
}

/** Writes the XLSX fixtures (run once: `node bin/run-ts.js test/support/fuzz-targets.ts --write-xlsx`). */
export async function writeXlsxFixtures(): Promise<string[]> {
  const { default: Excel } = await import('exceljs');
  fs.mkdirSync(FUZZ_FIXTURES, { recursive: true });
  const written: string[] = [];
  for (const [name, count, numbers] of [
    ['roster-text.xlsx', 4, false],
    ['roster-typed.xlsx', 3, true],
  ] as const) {
    const wb = new Excel.Workbook();
    wb.created = wb.modified = new Date('2026-01-01T00:00:00Z');
    wb.creator = 'fuzz';
    const ws = wb.addWorksheet('Danh sách');
    ws.addRow(['Số báo danh', 'Họ và tên', 'Ngày sinh', 'Số CCCD', 'CMND', 'Hạng GPLX', 'Giới tính']);
    for (let i = 0; i < count; i++) {
      const p = fictionalPerson(i, 63);
      ws.addRow([
        p.candidateNo,
        {
          richText: [
            { text: p.fullName.split(' ')[0]! + ' ' },
            { text: p.fullName.split(' ').slice(1).join(' ') },
          ],
        },
        numbers
          ? new Date(`${p.dateOfBirth}T00:00:00Z`)
          : `${p.dateOfBirth.slice(8)}/${p.dateOfBirth.slice(5, 7)}/${p.dateOfBirth.slice(0, 4)}`,
        numbers ? Number(p.idNumber) : p.idNumber,
        p.oldIdNumber,
        p.licenceClass,
        p.sex === 'M' ? 'Nam' : 'Nữ',
      ]);
    }
    if (numbers) ws.getColumn(3).numFmt = 'dd/mm/yyyy';
    const buf = await wb.xlsx.writeBuffer({ zip: { compression: 'STORE' } } as never);
    const file = path.join(FUZZ_FIXTURES, name);
    fs.writeFileSync(file, new Uint8Array(buf as ArrayBuffer));
    written.push(file);
  }
  return written;
}

// ---------------------------------------------------------------------------------------------
// IPC payloads

const FUZZ_JPEG_BASE64 =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSgBBwcHCggKEwoKEygaFhooKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKP/AABEIAAgACAMBEQACEQEDEQH/xAGiAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgsQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+gEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoLEQACAQIEBAMEBwUEBAABAncAAQIDEQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery8/T19vf4+fr/2gAMAwEAAhEDEQA/ACgD/9k=';

/** A valid request for every channel (the fuzzer's starting points); usernames never the fuzz chair's. */
export const IPC_TEMPLATES: Record<ChannelName, unknown> = {
  'auth.status': {},
  'auth.users': {},
  'auth.setup': { username: 'newchair', displayName: 'Chủ tịch Mới', pin: '1234' },
  'auth.signIn': { username: 'exam1', pin: '1357' },
  'auth.signOut': {},
  'auth.changePin': { currentPin: '0000', newPin: '5678' },
  'users.list': {},
  'users.create': { username: 'exam2', displayName: 'Sát hạch viên Hai', role: 'examiner', pin: '1357' },
  'users.setPin': { username: 'exam1', pin: '9999' },
  'users.setActive': { username: 'exam1', active: false },
  'sessions.list': {},
  'sessions.create': { code: 'FUZZ-2', council: 'Hội đồng', date: '2026-11-27', licenceClasses: ['B'] },
  'sessions.close': { sessionCode: 'FUZZ-3' },
  'sessions.signOff': { sessionCode: 'FUZZ-3', pin: '0000' },
  'roster.pickFile': {},
  'roster.preview': { sessionCode: 'FUZZ-1', token: 'tok-0001', sheet: 'Danh sách' },
  'roster.import': { sessionCode: 'FUZZ-1', token: 'tok-0001', replace: false },
  'candidates.search': { sessionCode: 'FUZZ-1', query: 'Nguyễn' },
  'candidates.photo': { candidateId: 1 },
  'checks.qr': { sessionCode: 'FUZZ-1', text: qrTextOf(fictionalPerson(0, 67)) },
  'checks.qrOnly': { sessionCode: 'FUZZ-1' },
  'checks.manual': { sessionCode: 'FUZZ-1', number: fictionalPerson(1, 67).idNumber },
  'checks.recent': { sessionCode: 'FUZZ-1', limit: 8 },
  'checks.setActiveSession': { sessionCode: 'FUZZ-1' },
  'log.list': {
    sessionCode: 'FUZZ-1',
    outcome: 'accepted',
    limit: 10,
    offset: 0,
    from: '2026-01-01T00:00:00Z',
  },
  'log.get': { id: 1 },
  'log.verify': {},
  'log.actors': {},
  'reports.export': { sessionCode: 'FUZZ-1', format: 'csv', lang: 'vi' },
  'settings.get': {},
  'settings.update': {
    stationName: 'Bàn 1',
    verdictSeconds: 5,
    readers: {
      qrWedge: true,
      pcsc: { enabled: false, name: '' },
      pn532Port: '',
      serialScannerPort: '',
      hidPos: { vendorId: 1, productId: 2 },
    },
  },
  'settings.importTrustStore': {},
  'settings.listReaders': {},
  'trust.issuers': {},
  'trust.approve': { issuerId: 'a1b2c3d4e5f6' },
  'trust.block': { issuerId: 'a1b2c3d4e5f6' },
  'trust.unblock': { issuerId: 'a1b2c3d4e5f6' },
  'settings.doctor': {},
  'sync.status': {},
  'sync.configure': { server: 'postgres://127.0.0.1:5432/kiosk' },
  'sync.now': {},
  'sync.sessionCheckins': { sessionCode: 'FUZZ-1' },
  'readers.status': {},
  'demo.sampleQr': { kind: 'on_roster' },
  'demo.tapCard': { sessionCode: 'FUZZ-1', kind: 'genuine' },
  // A grey 8x8 JPEG, base64 (the bridge's JSON form of the frame bytes).
  'face.frame': { checkId: null, jpeg: FUZZ_JPEG_BASE64 },
  'face.retry': { checkId: 1 },
  'face.override': { checkId: 1, reason: 'Đã đối chiếu CCCD bằng mắt' },
  'face.challengeStart': { checkId: 1, kind: 'blink' },
  'face.status': {},
};

/** Channels the API fuzzer leaves out: they would drive real readers (the station check probes them too) or dialogs of a desktop. */
const API_SKIP = new Set<ChannelName>(['settings.listReaders', 'settings.doctor']);

const JSON_STRINGS = [
  '',
  ' ',
  'a',
  'FUZZ-1',
  'exam1',
  '__proto__',
  'constructor',
  'toString',
  '1234',
  '001090123456',
  '123456',
  '2026-11-27',
  '2026-11-27T00:00:00Z',
  'csv',
  'vi',
  'chair',
  'examiner',
  'on_roster',
  'x'.repeat(5000),
  'ẞ\u0000\ud800',
  '../../etc/passwd',
  "'; DROP TABLE audit_log; --",
  '%s%n',
];

/**
 * Sets an own property, as JSON.parse (the bridge) and structured clone (Electron IPC) do: a key named
 * "__proto__" stays an ordinary key. (Plain assignment would set the object's prototype instead, an
 * object neither JSON nor IPC can deliver: zod then throws reading `length` through a typed-array
 * prototype. That was the only "finding" of the first long run, an artefact of this generator.)
 */
function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function randomJson(rng: Rng, depth = 0): unknown {
  const k = int(rng, depth > 2 ? 8 : 11);
  switch (k) {
    case 0:
      return null;
    case 1:
      return rng() < 0.5;
    case 2:
      return pick(rng, [
        0,
        -0,
        1,
        -1,
        0.5,
        1e308,
        -1e308,
        2 ** 53,
        2 ** 31,
        4294967296,
        65535,
        65536,
        601,
        600,
      ]);
    case 3:
    case 4:
    case 5:
      return pick(rng, JSON_STRINGS);
    case 6:
      return String.fromCodePoint(...Array.from({ length: int(rng, 20) }, () => int(rng, 0x2ffff)));
    case 7:
      return undefined;
    case 8:
      return Array.from({ length: int(rng, 4) }, () => randomJson(rng, depth + 1));
    case 9: {
      const o: Record<string, unknown> = {};
      const n = int(rng, 4);
      for (let i = 0; i < n; i++) setOwn(o, pick(rng, JSON_STRINGS), randomJson(rng, depth + 1));
      return o;
    }
    default:
      // What structured clone (Electron IPC) can carry beyond JSON.
      return pick(rng, [
        NaN,
        Infinity,
        -Infinity,
        new Date(0),
        new Date(NaN),
        10n,
        new Uint8Array(3),
        new Map([[1, 2]]),
      ]);
  }
}

function mutateJson(rng: Rng, value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 4) {
    return rng() < 0.5 ? randomJson(rng) : value;
  }
  if (Array.isArray(value)) {
    const a = value.slice();
    const op = int(rng, 4);
    if (op === 0 || a.length === 0) a.push(randomJson(rng));
    else if (op === 1) a.splice(int(rng, a.length), 1);
    else if (op === 2) a[int(rng, a.length)] = mutateJson(rng, a[int(rng, a.length)], depth + 1);
    else return randomJson(rng);
    return a;
  }
  const o: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(o);
  switch (int(rng, 6)) {
    case 0: // drop a key
      if (keys.length) delete o[pick(rng, keys)];
      break;
    case 1: // add a key
      setOwn(o, pick(rng, JSON_STRINGS), randomJson(rng));
      break;
    case 2:
      return rng() < 0.5 ? randomJson(rng) : [o];
    default:
      if (keys.length) {
        const key = pick(rng, keys);
        o[key] = mutateJson(rng, o[key], depth + 1);
      }
  }
  return o;
}

interface IpcInput {
  channel: string;
  payload: unknown;
}

function ipcInput(rng: Rng, channelsToUse: readonly ChannelName[]): IpcInput {
  const channel =
    rng() < 0.005 ? pick(rng, ['db.exec', '', 'log.list ', '__proto__']) : pick(rng, channelsToUse);
  // Own keys only: the odd channel name "__proto__" must not pick up Object.prototype as its template.
  const template = Object.prototype.hasOwnProperty.call(IPC_TEMPLATES, channel)
    ? IPC_TEMPLATES[channel as ChannelName]
    : {};
  if (rng() < 0.15) return { channel, payload: template };
  let payload: unknown = template;
  const ops = 1 + int(rng, 3);
  for (let i = 0; i < ops; i++) payload = mutateJson(rng, payload);
  return { channel, payload };
}

function showIpc(input: IpcInput): string {
  return JSON.stringify(input, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    if (v === undefined) return '(undefined)';
    if (v instanceof Map) return { map: [...v.entries()] };
    if (v instanceof Uint8Array) return { bytes: hex(v) };
    return v;
  });
}

interface ApiFixture {
  handle: (channel: string, payload: unknown) => Promise<unknown>;
  ensureSignedIn: () => Promise<void>;
}

let apiFixture: Promise<ApiFixture> | undefined;
const VISITOR_CHANNELS = new Set(['auth.setup', 'auth.signIn', 'auth.signOut']);

/** A KioskApi on a fresh database: a chair signed in, an open session FUZZ-1 with a 6-person roster. */
function kioskApiFixture(): Promise<ApiFixture> {
  apiFixture ??= (async () => {
    const [{ KioskServices }, { KioskApi }, { QueuedDialogs }] = await Promise.all([
      import('../../electron/core/services'),
      import('../../electron/app/kiosk-api'),
      import('../../electron/app/bridge-server'),
    ]);
    const dir = path.join(scratchDir(), 'api');
    fs.mkdirSync(dir, { recursive: true });
    const services = new KioskServices({ dbPath: path.join(dir, 'fuzz.db') });
    const dialogs = new QueuedDialogs();
    const api = new KioskApi({ services, dialogs, trustStoreDir: path.join(dir, 'trust') });
    const chair = { clientId: 'fuzz-chair-window' };
    const must = async (channel: string, payload: unknown): Promise<void> => {
      const r = await api.handle(channel, chair, payload);
      if (!r.ok) throw new Error(`fuzz fixture: ${channel} failed: ${r.error.code}`);
    };
    await must('auth.setup', { username: 'fuzzchair', displayName: 'Chủ tịch Fuzz', pin: '2468' });
    await must('users.create', {
      username: 'exam1',
      displayName: 'Sát hạch viên',
      role: 'examiner',
      pin: '1357',
    });
    for (const code of ['FUZZ-1', 'FUZZ-3']) {
      await must('sessions.create', { code, council: 'Hội đồng Fuzz', date: FUZZ_TODAY });
    }
    const csv = path.join(dir, 'roster.csv');
    fs.writeFileSync(csv, rosterCsv(6, 67));
    await services.roster.importFile('FUZZ-1', csv, { station: 'fuzz', actor: 'fuzzchair' });
    // Sign-in channels go to a second window, so the chair's window stays signed in.
    const visitor = { clientId: 'fuzz-visitor-window' };
    return {
      handle: (channel, payload) =>
        api.handle(channel, VISITOR_CHANNELS.has(channel) ? visitor : chair, payload),
      ensureSignedIn: async () => {
        if (api.signedInUser(chair.clientId)) return;
        await must('auth.signIn', { username: 'fuzzchair', pin: '2468' });
      },
    };
  })();
  return apiFixture;
}

// ---------------------------------------------------------------------------------------------
// The targets

export function outsideTargets(ctx: TargetContext): Record<OutsideParserName, FuzzTarget> {
  const { samples, mutateBytes, InvariantError } = ctx;
  const bytes = (list: Uint8Array[]) => (rng: Rng) => mutateBytes(rng, list);
  const asBytes = (x: unknown) => x as Uint8Array;

  // QR texts of fictional cards (7 and 11 fields), the documented sample among them.
  const qrTexts = [
    ...Array.from({ length: 6 }, (_, i) => qrTextOf(fictionalPerson(i, 65))),
    `${qrTextOf(fictionalPerson(7, 65))}||||`,
    '089202017098|352576714|Lê Văn Lương|23052002|Nam|Tổ 10 Ấp An Thái, Hòa Bình, Chợ Mới, An Giang|31122021',
  ];
  const emptyTrust = new TrustStore();

  // Groups that go with the SOD samples (the standard card's; hashes need not match for the others).
  const groupsFor = (i: number): Array<[number, Uint8Array]> => {
    const g: Array<[number, Uint8Array]> = [[1, samples.dg1[0]!]];
    if (samples.dg13[i]) g.push([13, samples.dg13[i]!]);
    if (samples.dg14[i]) g.push([14, samples.dg14[i]!]);
    if (samples.dg15[i]) g.push([15, samples.dg15[i]!]);
    return g;
  };

  const csvList = csvSamples();

  return {
    com: {
      next: bytes(samples.com),
      run: (b) => void parseEfCom(asBytes(b)),
      own: isIcao,
      allowed: ['IcaoError'],
    },
    dg14: {
      next: bytes(samples.dg14),
      run: (b) => void parseDg14(asBytes(b)),
      own: isIcao,
      allowed: ['IcaoError'],
    },
    dg15: {
      next: bytes(samples.dg15),
      run: (b) => void parseDg15(asBytes(b)),
      own: isIcao,
      allowed: ['IcaoError'],
    },

    'passive-auth': {
      next: (rng) => {
        const i = int(rng, samples.sod.length);
        const groups = groupsFor(i);
        const sod = rng() < 0.85 ? mutateBytes(rng, [samples.sod[i]!]) : samples.sod[i]!;
        if (rng() < 0.3) {
          const j = int(rng, groups.length);
          groups[j] = [groups[j]![0], mutateBytes(rng, [groups[j]![1]])];
        }
        return { sod, groups };
      },
      run: (x) => {
        const { sod, groups } = x as { sod: Uint8Array; groups: Array<[number, Uint8Array]> };
        const r = passiveAuthentication({
          sod,
          dataGroups: new Map(groups),
          trustStore: emptyTrust,
          now: FUZZ_NOW,
        });
        for (const reason of r.reasons) {
          if (!reason.code || !reason.vi || !reason.en) throw new InvariantError('reason without code/vi/en');
        }
        // Nothing chains to a CSCA here: the chain can never pass.
        if (r.chain.outcome === 'pass') throw new InvariantError('chain passed with an empty trust store');
        return r.sod !== undefined && r.signature.outcome === 'pass';
      },
      own: never,
      allowed: [],
      show: (x) => {
        const { sod, groups } = x as { sod: Uint8Array; groups: Array<[number, Uint8Array]> };
        return JSON.stringify({ sod: hex(sod), groups: groups.map(([n, b]) => [n, hex(b)]) });
      },
    },

    pn532: {
      next: (rng) => {
        let stream = pn532Stream(rng);
        if (rng() < 0.7) stream = mutateBytes(rng, [stream]);
        return chunks(rng, stream);
      },
      run: (x) => {
        const parts = x as Uint8Array[];
        const stream = concat(...parts);
        const whole = new Pn532Decoder().push(stream);
        const d = new Pn532Decoder();
        const events: Pn532DecoderEvent[] = [];
        for (const c of parts) {
          events.push(...d.push(c));
          if (d.pending > 8 + MAX_EXTENDED_LEN + 2)
            throw new InvariantError(`decoder holds ${d.pending} bytes`);
        }
        const a = frameKeys(events);
        const b = frameKeys(whole);
        if (!isDeepStrictEqual(a, b)) {
          throw new InvariantError(`chunked decoding differs: ${a.length} vs ${b.length} frames`);
        }
        // Every data frame is in the stream as sent (checksums right): the decoder invents nothing.
        const buf = Buffer.from(stream);
        for (const e of events) {
          if (e.type !== 'data') continue;
          const f = encodeFrame(e.tfi, concat(Uint8Array.of(e.command), e.params), { extended: e.extended });
          if (buf.indexOf(Buffer.from(f.subarray(1, f.length - 1))) < 0) {
            throw new InvariantError('decoded a frame that is not in the stream');
          }
        }
        return a.length > 0;
      },
      own: never,
      allowed: [],
      show: (x) => JSON.stringify((x as Uint8Array[]).map((c) => hex(c))),
    },

    'hid-pos': {
      next: (rng) => {
        const layout = int(rng, HID_LAYOUTS.length);
        let reports = hidReports(pick(rng, qrTexts), layout);
        const ops = int(rng, 4);
        for (let k = 0; k < ops; k++) {
          if (reports.length === 0) break;
          const at = int(rng, reports.length);
          switch (int(rng, 5)) {
            case 0:
              reports[at] = mutateBytes(rng, [reports[at]!]);
              break;
            case 1:
              reports.splice(at, 1);
              break;
            case 2:
              reports.splice(at, 0, reports[at] ?? new Uint8Array(0));
              break;
            case 3:
              reports[at] = reports[at]?.slice(0, int(rng, 70)) ?? new Uint8Array(0);
              break;
            default:
              reports = reports.concat(hidReports(pick(rng, qrTexts), layout));
          }
        }
        return { layout, reports: reports.map((r) => hex(r)) };
      },
      run: (x) => {
        const { layout, reports } = x as { layout: number; reports: string[] };
        const d = new HidPosDecoder(HID_LAYOUTS[layout]);
        let scans = 0;
        for (const h of reports) {
          const scan = d.push(fromHex(h));
          if (!scan) continue;
          scans++;
          if (scan.packets < 1) throw new InvariantError('scan without packets');
          if (scan.bytes.length > scan.packets * d.layout.dataMax)
            throw new InvariantError('scan longer than its reports');
          if (scan.text !== new TextDecoder().decode(scan.bytes))
            throw new InvariantError('scan text is not its bytes');
          if (d.pending) throw new InvariantError('decoder pending after a complete scan');
        }
        return scans > 0;
      },
      own: never,
      allowed: [],
    },

    wedge: {
      next: (rng) => wedgeStream(rng, qrTexts),
      run: (x) => {
        const input = x as WedgeInput;
        const d = new KeyboardWedgeDecoder({ minLength: input.minLength });
        const out: string[] = [];
        for (const ev of input.events) {
          const text = d.feed(ev);
          if (text === null) continue;
          if (text !== text.normalize('NFC')) throw new InvariantError('scan text not NFC');
          if ([...text].length === 0 && input.minLength > 0) throw new InvariantError('empty scan');
          out.push(text);
        }
        if (input.expect !== undefined && (out.length !== 1 || out[0] !== input.expect)) {
          throw new InvariantError(`scanner text not recovered: got ${out.length} scans`);
        }
        return out.length > 0;
      },
      own: never,
      allowed: [],
    },

    qr: {
      next: (rng) => mutateQr(rng, qrTexts),
      run: (x) => {
        const text = x as string;
        const r = parseCccdQr(text, FUZZ_NOW);
        if (!r.ok) {
          if (!r.reason.code.startsWith('qr_') || !r.reason.vi || !r.reason.en) {
            throw new InvariantError('QR failure without a bilingual qr_ reason');
          }
          verify({
            reading: null,
            invalidReason: r.reason,
            session: { code: 'S', date: FUZZ_TODAY },
            candidate: null,
            otherSessions: [],
            priorCheckIn: null,
            today: FUZZ_TODAY,
          });
          return false;
        }
        const g = r.reading;
        if (!/^\d{12}$/.test(g.idNumber)) throw new InvariantError('QR ok with a bad ID');
        if (!isIsoDate(g.dateOfBirth) || g.dateOfBirth > FUZZ_TODAY)
          throw new InvariantError('QR ok with a bad DOB');
        if (!g.dateOfIssue || !isIsoDate(g.dateOfIssue) || g.dateOfIssue < g.dateOfBirth) {
          throw new InvariantError('QR ok with a bad issue date');
        }
        if (g.dateOfExpiry !== null && g.dateOfExpiry !== undefined && !isIsoDate(g.dateOfExpiry)) {
          throw new InvariantError('QR ok with a bad expiry');
        }
        if (g.fullName !== g.fullName.normalize('NFC') || g.fullName.trim() === '') {
          throw new InvariantError('QR ok with a bad name');
        }
        const res = verify({
          reading: g,
          session: { code: 'S', date: FUZZ_TODAY },
          candidate: {
            id: 1,
            sessionCode: 'S',
            candidateNo: '000001',
            fullName: g.fullName,
            dateOfBirth: g.dateOfBirth,
            idNumber: g.idNumber,
            sex: g.sex ?? null,
          },
          otherSessions: [],
          priorCheckIn: null,
          today: FUZZ_TODAY,
        });
        for (const reason of res.identity.reasons) {
          if (!reason.vi || !reason.en) throw new InvariantError('verdict reason without vi/en');
        }
        return true;
      },
      own: never,
      allowed: [],
    },

    csv: {
      next: bytes(csvList),
      run: async (b) => {
        const file = path.join(rosterFolder(), 'roster.csv');
        fs.writeFileSync(file, asBytes(b));
        return checkRosterResult(await readRosterFile(file, { now: FUZZ_NOW }), InvariantError);
      },
      own: (e) => e instanceof RosterFileError,
      allowed: ['RosterFileError'],
      slowMs: 2000,
    },

    xlsx: {
      next: (rng): XlsxInput =>
        rng() < 0.6 ? { kind: 'bytes', hex: hex(mutateBytes(rng, xlsxSamples())) } : xlsxCells(rng),
      run: async (x) => {
        const input = x as XlsxInput;
        const data = input.kind === 'bytes' ? fromHex(input.hex) : await xlsxFromCells(input);
        const file = path.join(rosterFolder(), 'roster.xlsx');
        fs.writeFileSync(file, data);
        const options =
          input.kind === 'cells' && input.sheets.length > 1
            ? { now: FUZZ_NOW, sheet: 'Trang 1' }
            : { now: FUZZ_NOW };
        return checkRosterResult(await readRosterFile(file, options), InvariantError);
      },
      own: (e) => e instanceof RosterFileError,
      allowed: ['RosterFileError'],
      slowMs: 5000,
    },

    'ipc-schema': {
      next: (rng) => ipcInput(rng, CHANNEL_NAMES),
      run: (x) => {
        const { channel, payload } = x as IpcInput;
        const def = (
          channels as Record<
            string,
            { request: { safeParse: (v: unknown) => { success: boolean; data?: unknown } } }
          >
        )[channel];
        if (!def || !Object.prototype.hasOwnProperty.call(channels, channel)) return false;
        const r = def.request.safeParse(payload);
        if (!r.success) return false;
        // What the schema lets through is stable: validating it again gives the same value.
        const again = def.request.safeParse(r.data);
        if (!again.success || !isDeepStrictEqual(again.data, r.data)) {
          throw new InvariantError(`${channel}: a validated request does not validate to itself`);
        }
        return true;
      },
      own: never,
      allowed: [],
      show: (x) => showIpc(x as IpcInput),
    },

    'ipc-api': {
      next: (rng) =>
        ipcInput(
          rng,
          CHANNEL_NAMES.filter((c) => !API_SKIP.has(c)),
        ),
      run: async (x) => {
        const { channel, payload } = x as IpcInput;
        const api = await kioskApiFixture();
        await api.ensureSignedIn();
        const r = (await api.handle(channel, payload)) as
          { ok: true; value: unknown } | { ok: false; error: { code: unknown; vi: unknown; en: unknown } };
        if (typeof r !== 'object' || r === null || typeof r.ok !== 'boolean') {
          throw new InvariantError(`${channel}: answer is not a Result`);
        }
        if (!r.ok) {
          const e = r.error;
          if (
            typeof e.code !== 'string' ||
            typeof e.vi !== 'string' ||
            typeof e.en !== 'string' ||
            !e.vi ||
            !e.en
          ) {
            throw new InvariantError(`${channel}: error without code/vi/en`);
          }
          if (e.code === 'internal_error')
            throw new InvariantError(`${channel}: internal_error (an unexpected throw)`);
        }
        // The answer must cross IPC/HTTP: JSON-serialisable.
        JSON.stringify(r);
        return r.ok;
      },
      own: never,
      allowed: [],
      show: (x) => showIpc(x as IpcInput),
    },
  };
}

if (process.argv.includes('--write-xlsx') && process.argv[1]?.endsWith('fuzz-targets.ts')) {
  for (const f of await writeXlsxFixtures()) process.stdout.write(`wrote ${f}\n`);
}
