/**
 * A small deterministic fuzzer for the chip parsers (TLV, EF.CardAccess, MRZ, DG1, DG2, DG13, EF.SOD).
 *
 * Inputs are seeded from valid samples (test/fixtures/chip-samples.json) and mutated with a seeded
 * PRNG (mulberry32): bit flips, interesting bytes, inserted / deleted / duplicated ranges, length-byte
 * tweaks, truncation, splices of two samples, and some purely random inputs. A run is fully given
 * by (parser, seed, count): the failure message names them, so `FUZZ_SEED=<seed>` reproduces it.
 *
 * A parser passes when every input either parses or throws the parser's own error type (TlvError,
 * IcaoError); anything else (TypeError, RangeError, a library's internal error) is a finding, and so
 * is an input that takes longer than `slowMs`. Runs can be isolated in a child process with a
 * watchdog (`runFuzzIsolated`) so that a parser stuck in a loop is killed and reported, not waited on.
 *
 * Beyond the chip parsers, every other parser that takes outside bytes is a target too (defined in
 * ./fuzz-targets): EF.COM, DG14, DG15, passive authentication of a mutated EF.SOD, PN532 frame streams,
 * HID POS reports, keyboard-wedge key streams, QR texts, CSV and XLSX roster files, and every IPC
 * channel's payload (its zod schema, and KioskApi.handle as a signed-in chair). Targets that need I/O
 * are async (`runFuzzAsync`). Each target lists its allowed error types; a finding's input is saved
 * under test-artifacts/fuzz-findings/ (or $FUZZ_FINDINGS_DIR) and printed as hex.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TlvError, decodeAll, findDeep, type Tlv } from '../../native/iso7816/tlv';
import { IcaoError } from '../../native/iso7816/sw';
import { parseCardAccess } from '../../native/icao/card-access';
import { parseMrz } from '../../native/icao/mrz';
import { parseDg1 } from '../../native/icao/lds';
import { parseDg2 } from '../../native/icao/dg2';
import { parseDg13 } from '../../native/cccd/dg13';
import { parseSod } from '../../native/icao/sod';
import { hex } from '../../native/util/bytes';
import { mulberry32 } from '../../native/util/random';
import { loadChipSamples, type ChipSamples } from './chip-samples';
import { outsideTargets, removeScratchOf, OUTSIDE_PARSERS, type OutsideParserName } from './fuzz-targets';

export type Rng = () => number;

/** mulberry32: tiny, fast, deterministic. Returns floats in [0, 1). */
export { mulberry32 };

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, list: readonly T[]): T => list[int(rng, list.length)]!;

const INTERESTING = [
  0x00, 0x01, 0x02, 0x04, 0x06, 0x0c, 0x13, 0x30, 0x31, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0xa0, 0xff,
];

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = int(rng, 256);
  return out;
}

function splice(a: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length - remove + insert.length);
  out.set(a.subarray(0, at), 0);
  out.set(insert, at);
  out.set(a.subarray(at + remove), at + insert.length);
  return out;
}

/** One to four random mutations of a sample (or of a splice of two samples). */
export function mutateBytes(rng: Rng, samples: readonly Uint8Array[]): Uint8Array {
  if (rng() < 0.06) return randomBytes(rng, int(rng, rng() < 0.5 ? 16 : 600));
  let b: Uint8Array = pick(rng, samples).slice();
  const ops = 1 + int(rng, 4);
  for (let k = 0; k < ops; k++) {
    const len = b.length;
    const pos = len === 0 ? 0 : int(rng, len);
    switch (int(rng, 11)) {
      case 0: // flip a bit
        if (len) b[pos] = b[pos]! ^ (1 << int(rng, 8));
        break;
      case 1: // random byte
        if (len) b[pos] = int(rng, 256);
        break;
      case 2: // interesting byte
        if (len) b[pos] = pick(rng, INTERESTING);
        break;
      case 3: // insert random bytes
        b = splice(b, pos, 0, randomBytes(rng, 1 + int(rng, 8)));
        break;
      case 4: // delete a range
        b = splice(b, pos, Math.min(len - pos, 1 + int(rng, 16)), new Uint8Array(0));
        break;
      case 5: // duplicate a range
        if (len) b = splice(b, pos, 0, b.slice(pos, Math.min(len, pos + 1 + int(rng, 32))));
        break;
      case 6: // truncate
        b = b.slice(0, int(rng, len + 1));
        break;
      case 7: {
        // tweak a length-looking byte after a tag-looking one
        for (let i = 0; i < 8 && len > 1; i++) {
          const p = int(rng, len - 1);
          if (b[p + 1]! >= 0x80 || (b[p]! & 0x20) !== 0) {
            b[p + 1] =
              pick(rng, [
                0x00,
                0x7f,
                0x80,
                0x81,
                0x82,
                0x83,
                0x84,
                0x85,
                0xff,
                b[p + 1]! + 1,
                b[p + 1]! - 1,
              ]) & 0xff;
            break;
          }
        }
        break;
      }
      case 8: {
        // splice with another sample
        const other = pick(rng, samples);
        const at = int(rng, other.length + 1);
        b = splice(b, pos, int(rng, len - pos + 1), other.subarray(at, at + int(rng, other.length - at + 1)));
        break;
      }
      case 9: // long-form length with many bytes
        b = splice(b, pos, 0, Uint8Array.of(pick(rng, [0x84, 0x88, 0x8f]), 0xff, 0xff, 0xff, 0xff));
        break;
      default: // swap two bytes
        if (len > 1) {
          const q = int(rng, len);
          const t = b[pos]!;
          b[pos] = b[q]!;
          b[q] = t;
        }
    }
  }
  return b;
}

const MRZ_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<<<<<<';
const ODD_CHARS = [
  '\n',
  ' ',
  '\t',
  'a',
  'z',
  'Đ',
  'ễ',
  '\u00a0',
  '\u200b',
  '|',
  '«',
  '9',
  '0',
  '<',
  '\r\n',
  '💳',
];

/** Mutations of an MRZ text: characters replaced, inserted, removed, lines moved. */
export function mutateText(rng: Rng, samples: readonly string[]): string {
  if (rng() < 0.05) {
    let s = '';
    const n = int(rng, 120);
    for (let i = 0; i < n; i++)
      s += rng() < 0.9 ? MRZ_CHARS[int(rng, MRZ_CHARS.length)] : pick(rng, ODD_CHARS);
    return s;
  }
  let s = pick(rng, samples);
  const ops = 1 + int(rng, 4);
  for (let k = 0; k < ops; k++) {
    const pos = int(rng, s.length + 1);
    const ch = rng() < 0.7 ? MRZ_CHARS[int(rng, MRZ_CHARS.length)]! : pick(rng, ODD_CHARS);
    switch (int(rng, 6)) {
      case 0:
        s = s.slice(0, pos) + ch + s.slice(pos + 1);
        break;
      case 1:
        s = s.slice(0, pos) + ch + s.slice(pos);
        break;
      case 2:
        s = s.slice(0, pos) + s.slice(pos + 1 + int(rng, 4));
        break;
      case 3:
        s = s.slice(0, pos);
        break;
      case 4: {
        const other = pick(rng, samples);
        s = s.slice(0, pos) + other.slice(int(rng, other.length));
        break;
      }
      default:
        s = s.toLowerCase();
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// The parsers

export type ChipParserName = 'tlv' | 'card-access' | 'mrz' | 'dg1' | 'dg2' | 'dg13' | 'sod';
export type ParserName = ChipParserName | OutsideParserName;
export const PARSERS: readonly ChipParserName[] = ['tlv', 'card-access', 'mrz', 'dg1', 'dg2', 'dg13', 'sod'];
/** Every fuzz target: the chip parsers above and the other outside-bytes parsers of ./fuzz-targets. */
export const ALL_PARSERS: readonly ParserName[] = [...PARSERS, ...OUTSIDE_PARSERS];

/** One fuzz target: how to make an input and how to run the parser on it. */
export interface FuzzTarget<I = unknown> {
  /** Makes the next input. */
  next: (rng: Rng) => I;
  /**
   * Parses it; throws on an invariant violation with a plain Error. May be async (file or database I/O).
   * Returning false counts the input as cleanly refused by a parser that answers with a result
   * (`{ ok: false }`) instead of throwing.
   */
  run: (input: I) => void | boolean | Promise<void | boolean>;
  /** The parser's own errors (allowed). */
  own: (e: unknown) => boolean;
  /** Names of the allowed error types, for reports ([] = the parser must never throw). */
  allowed?: readonly string[];
  /** Readable form of an input for a finding (default: hex for bytes, JSON otherwise). */
  show?: (input: I) => string;
  /** A floor for the slow-input limit (targets that write files or open workbooks). */
  slowMs?: number;
}

type ParserSpec = FuzzTarget<Uint8Array | string>;

const isTlv = (e: unknown): boolean => e instanceof TlvError;
const isIcao = (e: unknown): boolean => e instanceof IcaoError;

/** Walks every constructed TLV down to 32 levels, checking lengths add up. */
function walkTlv(list: Tlv[], total: number, depth: number): void {
  let sum = 0;
  for (const t of list) {
    sum += t.length;
    if (t.value.length > t.length) throw new Error('TLV value longer than its encoding');
    if (t.constructed && depth < 32) walkTlv(decodeAll(t.value), t.value.length, depth + 1);
  }
  if (sum !== total) throw new Error(`TLV lengths add up to ${sum}, not ${total}`);
}

class InvariantError extends Error {
  override name = 'InvariantError';
}

function specs(samples: ChipSamples): Record<ChipParserName, ParserSpec> {
  const all = [
    ...samples.cardAccess,
    ...samples.com,
    ...samples.dg1,
    ...samples.dg13,
    ...samples.dg14,
    ...samples.dg15,
    ...samples.sod,
  ];
  const bytes = (list: Uint8Array[]) => (rng: Rng) => mutateBytes(rng, list);
  return {
    tlv: {
      next: bytes(all),
      run: (b) => {
        const input = b as Uint8Array;
        try {
          walkTlv(decodeAll(input), input.length, 0);
        } catch (e) {
          if (e instanceof TlvError) {
            findDeep(input, 0x5f1f);
            throw e;
          }
          throw new InvariantError((e as Error).message);
        }
      },
      own: isTlv,
      allowed: ['TlvError'],
    },
    'card-access': {
      next: bytes([...samples.cardAccess, ...samples.dg14]),
      run: (b) => void parseCardAccess(b as Uint8Array),
      own: isIcao,
      allowed: ['IcaoError'],
    },
    mrz: {
      next: (rng) => mutateText(rng, samples.mrz),
      run: (s) => {
        const r = parseMrz(s as string);
        if (!r.ok && (!r.reason || !r.reason.vi || !r.reason.en))
          throw new InvariantError('MRZ failure without reason');
      },
      own: () => false,
      allowed: [],
    },
    dg1: {
      next: bytes(samples.dg1),
      run: (b) => void parseDg1(b as Uint8Array),
      own: isIcao,
      allowed: ['IcaoError'],
    },
    dg2: {
      next: bytes(samples.dg2),
      run: (b) => void parseDg2(b as Uint8Array),
      own: isIcao,
      allowed: ['IcaoError'],
    },
    dg13: {
      next: bytes(samples.dg13),
      run: (b) => void parseDg13(b as Uint8Array),
      own: isIcao,
      allowed: ['IcaoError'],
    },
    sod: {
      next: bytes(samples.sod),
      run: (b) => void parseSod(b as Uint8Array),
      own: isIcao,
      allowed: ['IcaoError'],
    },
  };
}

let cachedSamples: ChipSamples | undefined;
let cachedTargets: Record<ParserName, FuzzTarget> | undefined;

/** Every target by name (built once per process from the fixed samples). */
export function fuzzTargets(): Record<ParserName, FuzzTarget> {
  cachedSamples ??= loadChipSamples();
  cachedTargets ??= {
    ...(specs(cachedSamples) as Record<ChipParserName, FuzzTarget>),
    ...outsideTargets({ samples: cachedSamples, mutateBytes, mutateText, InvariantError }),
  };
  return cachedTargets;
}

export interface FuzzOptions {
  /** Replaces the parser call (self-tests of the harness); the inputs stay the parser's. */
  run?: (input: Uint8Array | string) => void;
  /** An input slower than this is a finding (default 250 ms). */
  slowMs?: number;
  /** Called every `progressEvery` inputs (default 2000). */
  onProgress?: (done: number) => void;
  progressEvery?: number;
  /** Where a finding's input is saved (default $FUZZ_FINDINGS_DIR, else test-artifacts/fuzz-findings); false = not saved. */
  saveDir?: string | false;
}

export interface FuzzFinding {
  parser: ParserName;
  seed: number;
  /** 0-based index of the input in the run. */
  iteration: number;
  kind: 'unexpected_error' | 'slow';
  error?: string;
  ms?: number;
  /** The input (fictional sample data), hex or JSON string. */
  input: string;
  /** The input as hex: the bytes, or the UTF-8 of the JSON/text form for structured inputs. */
  inputHex?: string;
  /** The file the input was saved to (.bin for bytes, .json otherwise). */
  file?: string;
}

export interface FuzzStats {
  parser: ParserName;
  seed: number;
  count: number;
  parsed: number;
  rejected: number;
  /** Rejections by error class name (the parser's own errors only). */
  errorTypes: Record<string, number>;
  maxMs: number;
  totalMs: number;
  finding?: FuzzFinding;
}

const ROOT_DIR = path.resolve(import.meta.dirname, '../..');
export const FINDINGS_DIR =
  process.env.FUZZ_FINDINGS_DIR ?? path.join(ROOT_DIR, 'test-artifacts', 'fuzz-findings');

function showInput(target: FuzzTarget, input: unknown): string {
  // Never let showing a finding take the run down (an input can be an exotic object).
  try {
    if (target.show) return target.show(input);
    if (input instanceof Uint8Array) return hex(input);
    return JSON.stringify(input) ?? String(input);
  } catch (e) {
    return `(input not showable: ${(e as Error)?.message ?? String(e)})`;
  }
}

/** Saves a finding's input (raw bytes as .bin, anything else as .json) and returns the path. */
function saveFinding(dir: string, f: FuzzFinding, input: unknown): string | undefined {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const base = path.join(dir, `${f.parser}-seed${f.seed}-${f.iteration}`);
    if (input instanceof Uint8Array) {
      fs.writeFileSync(`${base}.bin`, input);
      return `${base}.bin`;
    }
    fs.writeFileSync(`${base}.json`, f.input + '\n');
    return `${base}.json`;
  } catch {
    return undefined;
  }
}

/** One run's bookkeeping, shared by the synchronous and the asynchronous loop. */
class FuzzRun {
  readonly stats: FuzzStats;
  readonly rng: Rng;
  readonly target: FuzzTarget;
  private readonly slowMs: number;
  private readonly every: number;
  private readonly start = performance.now();

  constructor(
    parser: ParserName,
    seed: number,
    private readonly options: FuzzOptions,
  ) {
    const base = fuzzTargets()[parser];
    if (!base) throw new Error(`unknown fuzz target: ${parser}`);
    this.target = options.run ? { ...base, run: options.run as (input: unknown) => void } : base;
    this.rng = mulberry32(seed);
    this.slowMs = Math.max(options.slowMs ?? 250, this.target.slowMs ?? 0);
    this.every = options.progressEvery ?? 2000;
    this.stats = { parser, seed, count: 0, parsed: 0, rejected: 0, errorTypes: {}, maxMs: 0, totalMs: 0 };
  }

  /** Records one input's outcome; returns true when the run must stop (a finding). */
  record(i: number, input: unknown, ms: number, threw: boolean, error: unknown, result?: unknown): boolean {
    const stats = this.stats;
    stats.count++;
    if (ms > stats.maxMs) stats.maxMs = ms;
    if (threw && !this.target.own(error)) {
      const e = error as Error;
      this.find(i, input, {
        kind: 'unexpected_error',
        error: `${e?.name ?? typeof error}: ${e?.message ?? String(error)}`,
      });
      return true;
    }
    if (threw || result === false) {
      stats.rejected++;
      const name = threw ? (error as Error).name : 'refused';
      stats.errorTypes[name] = (stats.errorTypes[name] ?? 0) + 1;
    } else stats.parsed++;
    if (ms > this.slowMs) {
      this.find(i, input, { kind: 'slow', ms });
      return true;
    }
    if ((i + 1) % this.every === 0) this.options.onProgress?.(i + 1);
    return false;
  }

  private find(i: number, input: unknown, what: Pick<FuzzFinding, 'kind' | 'error' | 'ms'>): void {
    const shown = showInput(this.target, input);
    const finding: FuzzFinding = {
      parser: this.stats.parser,
      seed: this.stats.seed,
      iteration: i,
      ...what,
      input: shown,
      inputHex:
        input instanceof Uint8Array ? shown : Buffer.from(shown, 'utf8').toString('hex').toUpperCase(),
    };
    const dir = this.options.saveDir ?? FINDINGS_DIR;
    if (dir !== false) {
      const file = saveFinding(dir, finding, input);
      if (file) finding.file = file;
    }
    this.stats.finding = finding;
  }

  finish(): FuzzStats {
    this.stats.totalMs = performance.now() - this.start;
    return this.stats;
  }
}

function isPromise(x: unknown): x is Promise<unknown> {
  return typeof (x as Promise<unknown> | undefined)?.then === 'function';
}

/** Runs `count` inputs through `parser` in this process; stops at the first finding. Synchronous targets only. */
export function runFuzz(
  parser: ParserName,
  seed: number,
  count: number,
  options: FuzzOptions = {},
): FuzzStats {
  const run = new FuzzRun(parser, seed, options);
  const { target, rng } = run;
  for (let i = 0; i < count; i++) {
    const input = target.next(rng);
    const t0 = performance.now();
    let error: unknown;
    let threw = false;
    let result: unknown;
    try {
      result = target.run(input);
      if (isPromise(result)) {
        result.catch(() => undefined);
        throw new Error(`fuzz target ${parser} is asynchronous: use runFuzzAsync`);
      }
    } catch (e) {
      threw = true;
      error = e;
    }
    if (run.record(i, input, performance.now() - t0, threw, error, result)) break;
  }
  return run.finish();
}

/** Like runFuzz, for every target (awaits the asynchronous ones: files, the database). */
export async function runFuzzAsync(
  parser: ParserName,
  seed: number,
  count: number,
  options: FuzzOptions = {},
): Promise<FuzzStats> {
  const run = new FuzzRun(parser, seed, options);
  const { target, rng } = run;
  for (let i = 0; i < count; i++) {
    const input = target.next(rng);
    const t0 = performance.now();
    let error: unknown;
    let threw = false;
    let result: unknown;
    try {
      result = target.run(input);
      if (isPromise(result)) result = await result;
    } catch (e) {
      threw = true;
      error = e;
    }
    if (run.record(i, input, performance.now() - t0, threw, error, result)) break;
  }
  return run.finish();
}

/** A readable failure message with everything needed to reproduce. */
export function describeFinding(f: FuzzFinding): string {
  const what = f.kind === 'slow' ? `took ${f.ms?.toFixed(0)} ms` : `threw ${f.error}`;
  const hexText = f.inputHex ?? f.input;
  const shown = f.inputHex && f.inputHex !== f.input ? ` = ${cut(f.input)}` : '';
  return (
    `fuzz ${f.parser}: input #${f.iteration} of seed ${f.seed} ${what} ` +
    `(reproduce: FUZZ_SEED=${f.seed}; input hex ${cut(hexText)}${shown}` +
    `${f.file ? `; saved to ${f.file}` : ''})`
  );
}

function cut(text: string): string {
  return text.length > 400 ? `${text.slice(0, 400)}...` : text;
}

// ---------------------------------------------------------------------------------------------
// Isolated runs with a watchdog

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface IsolatedOptions {
  /** Kill the child when it reports no progress for this long (default 10 s). */
  stallMs?: number;
  slowMs?: number;
  /** Extra environment for the child (self-tests). */
  env?: Record<string, string>;
}

export interface FuzzShard {
  parser: ParserName;
  seed: number;
  count: number;
}

export interface IsolatedResult {
  /** One entry per shard that finished (in order); a finding stops the run. */
  stats: FuzzStats[];
  /** Set when the child stopped reporting progress and was killed. */
  hang?: { parser: ParserName; seed: number; afterIteration: number };
}

/**
 * Runs shards one after the other in a child process (`test/support/fuzz-worker.ts`). If a parser
 * stops making progress for `stallMs` the child is killed and the result names the shard and the
 * last input index reached. A finding ends the run early.
 */
export function runFuzzIsolated(shards: FuzzShard[], options: IsolatedOptions = {}): Promise<IsolatedResult> {
  const stallMs = options.stallMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const child = fork(
      path.join(ROOT, 'bin/run-ts.js'),
      [path.join(ROOT, 'test/support/fuzz-worker.ts'), JSON.stringify(shards), String(options.slowMs ?? 250)],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, ...options.env } },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const done: FuzzStats[] = [];
    let current = 0;
    let last = 0;
    let settled = false;
    const onStall = (): void => {
      settled = true;
      child.kill('SIGKILL');
      const shard = shards[current] ?? shards[shards.length - 1]!;
      resolve({ stats: done, hang: { parser: shard.parser, seed: shard.seed, afterIteration: last } });
    };
    // Re-armed by every progress message (the first one also covers loading TypeScript and ASN.1).
    let timer = setTimeout(onStall, stallMs);
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(onStall, stallMs);
    };
    child.on('message', (m: { type: string; shard?: number; done?: number; stats?: FuzzStats }) => {
      arm();
      if (m.type === 'progress') {
        current = m.shard ?? current;
        last = m.done ?? last;
      } else if (m.type === 'shard' && m.stats) {
        done.push(m.stats);
        last = 0;
      } else if (m.type === 'end') {
        settled = true;
        clearTimeout(timer);
        resolve({ stats: done });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) removeScratchOf(child.pid);
      if (!settled) reject(new Error(`fuzz worker exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}
