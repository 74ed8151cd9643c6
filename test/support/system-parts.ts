/**
 * Tests that need a part of the system that `npm install` cannot provide (pcscd + vpcd, socat, poppler,
 * Chromium) are skipped when it is missing, so `npm install && npm test` passes on a fresh machine with
 * only Node and a C/C++ toolchain. Each skip is recorded, and the run ends with one block naming every
 * skipped group, why, and the command that enables it (test/support/skip-reporter.ts prints it).
 *
 * With CI=true a missing part is a failure instead: `.ci/run` installs everything and must run everything.
 *
 * To see what a fresh machine sees, hide parts: `KIOSK_TEST_HIDE=pcscd,socat,poppler,chromium npm test`
 * (aliases: vpcd = pcscd, pdftoppm = poppler, vpicc = vicc). Native modules are hidden the product's way:
 * `KIOSK_NATIVE_ABSENT=pcsclite` makes the loader treat @pokusew/pcsclite as never built.
 *
 * Usage, in a test file:
 *   const pcsc = needsPart('pcsc', 'PC/SC with pcscd + vpcd');
 *   describe.skipIf(pcsc.skip)('PC/SC with pcscd + vpcd', () => { ... });
 */

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NATIVE_MODULES, nativeModuleStatus } from '../../native/util/native-modules';

export type SystemPart =
  'pcsc' | 'pcsclite' | 'node-hid' | 'socat' | 'poppler' | 'chromium' | 'python3' | 'vicc' | 'postgres';

/** Where Debian's `postgresql` package puts the server binaries (initdb, pg_ctl). */
export const PG_BIN_DIRS = [
  '/usr/lib/postgresql/17/bin',
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/15/bin',
];

/** The first PostgreSQL (15 or newer) server binary folder on this machine, if any. */
export function pgBinDir(): string | undefined {
  return PG_BIN_DIRS.find(
    (d) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl')),
  );
}

export const VPCD_DRIVER_PATH = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Starts Debian's vicc as an ePass (test/support/vicc-epass.py says what it has to fix to run). */
export const VICC_LAUNCHER = path.join(import.meta.dirname, 'vicc-epass.py');

interface PartInfo {
  /** What it is, for the block. */
  title: string;
  /** Command that enables the group. */
  enable: string;
  /** Why it is missing, or undefined when present. */
  probe(hidden: Set<string>): string | undefined;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Parts hidden by KIOSK_TEST_HIDE (simulates a machine without them). */
export function hiddenParts(): Set<string> {
  const alias: Record<string, string> = {
    vpcd: 'pcscd',
    pdftoppm: 'poppler',
    'poppler-utils': 'poppler',
    vpicc: 'vicc',
    'vsmartcard-vpicc': 'vicc',
    postgresql: 'postgres',
    pg: 'postgres',
  };
  return new Set(
    (process.env.KIOSK_TEST_HIDE ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean)
      .map((s) => alias[s] ?? s),
  );
}

export const PARTS: Record<SystemPart, PartInfo> = {
  pcsc: {
    title: 'PC/SC: pcscd + vsmartcard-vpcd (virtual reader) + the @pokusew/pcsclite module',
    enable:
      'sudo apt-get install pcscd vsmartcard-vpcd libpcsclite-dev && npm rebuild @pokusew/pcsclite  (npm install if the module folder is absent)',
    probe(hidden) {
      if (hidden.has('pcscd')) return 'pcscd hidden by KIOSK_TEST_HIDE';
      if (!onPath('pcscd') && !fs.existsSync('/usr/sbin/pcscd')) return 'pcscd is not installed';
      if (!fs.existsSync(VPCD_DRIVER_PATH)) return `the vpcd driver (${VPCD_DRIVER_PATH}) is not installed`;
      return moduleMissing('@pokusew/pcsclite');
    },
  },
  pcsclite: {
    title: 'the @pokusew/pcsclite module (built only when libpcsclite-dev is there at npm install)',
    enable: 'sudo apt-get install libpcsclite-dev && npm install',
    probe: () => moduleMissing('@pokusew/pcsclite'),
  },
  'node-hid': {
    title: 'the node-hid module (bundled prebuilds; needs libusb-1.0-0 at run time)',
    enable: 'sudo apt-get install libusb-1.0-0 && npm rebuild node-hid',
    probe: () => moduleMissing('node-hid'),
  },
  socat: {
    title: 'socat (pseudo-terminal pairs for the serial reader and scanner tests)',
    enable: 'sudo apt-get install socat',
    probe(hidden) {
      if (hidden.has('socat')) return 'socat hidden by KIOSK_TEST_HIDE';
      return onPath('socat') ? undefined : 'socat is not installed';
    },
  },
  poppler: {
    title: 'poppler-utils (pdftoppm: PDF pages to images; PDF text is read with pdfjs-dist)',
    enable: 'sudo apt-get install poppler-utils',
    probe(hidden) {
      if (hidden.has('poppler')) return 'poppler hidden by KIOSK_TEST_HIDE';
      return onPath('pdftoppm') ? undefined : 'pdftoppm is not installed';
    },
  },
  python3: {
    title: 'python3 (the independent audit-log verifier, test/support/python/verify_log.py)',
    enable: 'sudo apt-get install python3',
    probe(hidden) {
      if (hidden.has('python3')) return 'python3 hidden by KIOSK_TEST_HIDE';
      return onPath('python3') ? undefined : 'python3 is not installed';
    },
  },
  vicc: {
    title: 'vsmartcard-vpicc (vicc, an independent ICAO ePassport chip in Python) and what its ePass needs',
    enable: 'sudo apt-get install vsmartcard-vpicc python3-virtualsmartcard python3-pycryptodome python3-pil',
    probe(hidden) {
      if (hidden.has('vicc')) return 'vicc hidden by KIOSK_TEST_HIDE';
      if (!fs.existsSync('/usr/bin/vicc')) return 'vsmartcard-vpicc is not installed (/usr/bin/vicc)';
      const r = spawnSync('/usr/bin/python3', [VICC_LAUNCHER, '--check'], { encoding: 'utf8' });
      if (r.error) return `/usr/bin/python3: ${r.error.message}`;
      return r.status === 0
        ? undefined
        : `vicc cannot start: ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
    },
  },
  postgres: {
    title:
      'PostgreSQL 15+ server binaries (initdb, pg_ctl): the council server the sync tests start in a temp folder',
    enable: 'sudo apt-get install postgresql',
    probe(hidden) {
      if (hidden.has('postgres')) return 'postgres hidden by KIOSK_TEST_HIDE';
      return pgBinDir() ? undefined : `initdb/pg_ctl not found in ${PG_BIN_DIRS.join(', ')}`;
    },
  },
  chromium: {
    title: 'Chromium (the UI end-to-end tests drive it through playwright-core)',
    enable: 'sudo apt-get install chromium xvfb',
    probe(hidden) {
      if (hidden.has('chromium')) return 'chromium hidden by KIOSK_TEST_HIDE';
      return fs.existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} is not installed`;
    },
  },
};

function moduleMissing(id: string): string | undefined {
  const m = nativeModuleStatus(NATIVE_MODULES.find((x) => x.id === id)!);
  return m.state === 'loaded' ? undefined : `${id}: ${m.state}${m.fix ? ` (${m.fix.en})` : ''}`;
}

const cache = new Map<SystemPart, string | undefined>();

/** Why the part is missing, or undefined when it is there (probed once per process). */
export function missingPart(part: SystemPart): string | undefined {
  if (!cache.has(part)) cache.set(part, PARTS[part].probe(hiddenParts()));
  return cache.get(part);
}

export function isCi(): boolean {
  const ci = (process.env.CI ?? '').toLowerCase();
  return ci !== '' && ci !== '0' && ci !== 'false';
}

/** Where workers drop their skip notes (set by the skip reporter before the workers start). */
export const NOTES_ENV = 'KIOSK_SKIP_NOTES_DIR';

export interface SkipNote {
  part: SystemPart;
  reason: string;
  file: string;
  group: string;
}

function callerFile(): string {
  const stack = new Error().stack ?? '';
  for (const l of stack.split('\n').slice(1)) {
    const m = /((?:file:\/\/)?\/[^\s()]+\.test\.ts)/.exec(l);
    if (m) return path.relative(process.cwd(), m[1]!.replace(/^file:\/\//, ''));
  }
  return '(unknown file)';
}

/**
 * Declares that a group of tests needs a system part. Returns `{ skip: true }` when it is missing (and
 * records a note for the end-of-run block); with CI=true a missing part throws, failing the test file.
 */
export function needsPart(
  parts: SystemPart | SystemPart[],
  group: string,
): { skip: boolean; reason?: string } {
  const file = callerFile();
  const reasons: string[] = [];
  for (const part of Array.isArray(parts) ? parts : [parts]) {
    const reason = missingPart(part);
    if (!reason) continue;
    if (isCi()) {
      throw new Error(
        `CI=true: "${group}" needs ${PARTS[part].title}, which is missing (${reason}). Enable it: ${PARTS[part].enable}`,
      );
    }
    record({ part, reason, file, group });
    reasons.push(reason);
  }
  return reasons.length ? { skip: true, reason: reasons.join('; ') } : { skip: false };
}

function record(note: SkipNote): void {
  const { part, reason, group } = note;
  const dir = process.env[NOTES_ENV];
  if (dir && fs.existsSync(dir)) {
    fs.writeFileSync(
      path.join(dir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`),
      JSON.stringify(note),
    );
  } else {
    console.warn(`skipped "${group}": ${reason}. Enable: ${PARTS[part].enable}`);
  }
}

/** The end-of-run block: each part, why it is missing, the groups skipped, the command that enables them. */
export function skipBlock(notes: SkipNote[]): string {
  if (!notes.length) return '';
  const byPart = new Map<SystemPart, SkipNote[]>();
  for (const n of notes) byPart.set(n.part, [...(byPart.get(n.part) ?? []), n]);
  const out: string[] = [];
  const bar = '─'.repeat(78);
  out.push(
    bar,
    `Skipped: tests that need a system part that is not on this machine (${notes.length} groups)`,
  );
  for (const [part, list] of byPart) {
    const info = PARTS[part];
    out.push('', `● ${info.title}`, `  why:    ${list[0]!.reason}`, '  groups:');
    const seen = new Set<string>();
    for (const n of list.sort((a, b) => a.file.localeCompare(b.file))) {
      const key = `${n.file} › ${n.group}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(`    - ${key}`);
    }
    out.push(`  enable: ${info.enable}`);
  }
  out.push('', 'With CI=true these are failures (.ci/run installs every part).', bar);
  return out.join('\n');
}
