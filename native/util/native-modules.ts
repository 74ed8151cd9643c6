/**
 * What state each native module is in, in words an IT person can act on: loaded, never built (an
 * optional dependency whose build failed is left out by npm), built for the other runtime (Node vs
 * Electron ABI), or a system library missing at run time. Used by the PC/SC and HID loaders, by
 * `kiosk readers` and by `kiosk doctor` / the Settings screen.
 *
 * `KIOSK_NATIVE_ABSENT=pcsclite,node-hid` makes the loaders treat those modules as never built
 * (MODULE_NOT_FOUND), to try the messages on a machine where they are installed.
 */

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Bilingual } from '../domain/vocabulary';

export type NativeModuleState = 'loaded' | 'not_built' | 'abi_mismatch' | 'library_missing' | 'load_failed';

export interface NativeModuleStatus {
  id: string;
  state: NativeModuleState;
  /** 'napi' for Node-API modules (load in Node and Electron alike), else the V8 ABI it was built for. */
  builtFor?: string;
  /** This runtime's V8 ABI (process.versions.modules). */
  runtimeAbi: string;
  runtime: 'node' | 'electron';
  optional: boolean;
  /** Technical detail (the loader's error), never personal data. */
  detail?: string;
  /** What to do, when not loaded. */
  fix?: Bilingual;
}

export interface NativeModuleSpec {
  id: string;
  /** Short name used by KIOSK_NATIVE_ABSENT. */
  alias: string;
  napi: boolean;
  optional: boolean;
  /** Linux package with the headers to build it, and the one it needs at run time. */
  buildDeps?: string;
  runtimeDeps?: string;
  /** Loads the module AND its binary (some load the binary lazily). */
  probe(require: NodeJS.Require): void;
}

export const NATIVE_MODULES: readonly NativeModuleSpec[] = [
  {
    id: 'better-sqlite3',
    alias: 'better-sqlite3',
    napi: false,
    optional: false,
    probe: (req) => {
      const Database = req('better-sqlite3') as new (p: string) => { close(): void };
      new Database(':memory:').close();
    },
  },
  {
    id: '@pokusew/pcsclite',
    alias: 'pcsclite',
    napi: false,
    optional: true,
    buildDeps: 'libpcsclite-dev',
    runtimeDeps: 'libpcsclite1 pcscd',
    probe: (req) => void req('@pokusew/pcsclite'),
  },
  {
    id: 'node-hid',
    alias: 'node-hid',
    napi: true,
    optional: true,
    buildDeps: 'libusb-1.0-0-dev libudev-dev',
    runtimeDeps: 'libusb-1.0-0',
    probe: (req) => void (req('node-hid') as { devices(): unknown }).devices(),
  },
  {
    id: 'serialport',
    alias: 'serialport',
    napi: true,
    optional: false,
    runtimeDeps: 'udev',
    probe: (req) => void req('@serialport/bindings-cpp'),
  },
];

const requireHere = createRequire(import.meta.url);

/** True when KIOSK_NATIVE_ABSENT names this module (simulated "never built"). */
export function simulatedAbsent(idOrAlias: string): boolean {
  const list = (process.env.KIOSK_NATIVE_ABSENT ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const spec = NATIVE_MODULES.find((m) => m.id === idOrAlias || m.alias === idOrAlias);
  return list.some((x) => x === idOrAlias || (spec && (x === spec.id || x === spec.alias)));
}

/** A MODULE_NOT_FOUND error like Node's, for a module simulated as absent. */
export function moduleNotFound(id: string): Error {
  const e = new Error(`Cannot find module '${id}' (KIOSK_NATIVE_ABSENT)`) as Error & { code: string };
  e.code = 'MODULE_NOT_FOUND';
  return e;
}

function packageDir(id: string): string | undefined {
  try {
    return path.dirname(requireHere.resolve(`${id}/package.json`));
  } catch {
    return undefined;
  }
}

function runtime(): 'node' | 'electron' {
  return process.versions.electron ? 'electron' : 'node';
}

/** Classifies a loader error (the module's own require, or its binary's). */
export function classifyLoadError(
  spec: Pick<NativeModuleSpec, 'id' | 'napi' | 'buildDeps' | 'runtimeDeps'>,
  err: unknown,
): Omit<NativeModuleStatus, 'id' | 'runtimeAbi' | 'runtime' | 'optional'> {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  const detail = msg.split('\n')[0]!.slice(0, 300);
  const abi = /NODE_MODULE_VERSION (\d+)\. This version of \S+ requires\s+NODE_MODULE_VERSION (\d+)/.exec(
    msg,
  );
  if (abi) {
    return {
      state: 'abi_mismatch',
      builtFor: abi[1],
      detail,
      fix: {
        vi:
          `${spec.id} được biên dịch cho môi trường khác (ABI ${abi[1]}, cần ${abi[2]}). ` +
          'Chạy `node scripts/native-abi.mjs node` cho CLI và kiểm thử, hoặc `npm start` cho ứng dụng (tự biên dịch lại cho Electron).',
        en:
          `${spec.id} was built for another runtime (ABI ${abi[1]}, this one needs ${abi[2]}). ` +
          'Run `node scripts/native-abi.mjs node` for the CLI and tests, or `npm start` for the app (it rebuilds for Electron).',
      },
    };
  }
  const missingLib = /(lib[\w.+-]+\.so[.\d]*): cannot open shared object file/.exec(msg);
  if (missingLib) {
    const pkg = spec.runtimeDeps ?? 'the library';
    return {
      state: 'library_missing',
      detail,
      fix: {
        vi: `Thiếu thư viện hệ thống ${missingLib[1]}: \`sudo apt-get install ${pkg}\`.`,
        en: `The system library ${missingLib[1]} is missing: \`sudo apt-get install ${pkg}\`.`,
      },
    };
  }
  const notFound =
    code === 'MODULE_NOT_FOUND' || /Could not locate the bindings file|Cannot find module/.test(msg);
  if (notFound) {
    const present = packageDir(spec.id) !== undefined && !simulatedAbsent(spec.id);
    const build =
      process.platform === 'linux' && spec.buildDeps ? `sudo apt-get install ${spec.buildDeps} && ` : '';
    const cmd = present ? `${build}npm rebuild ${spec.id}` : `${build}npm install`;
    return {
      state: 'not_built',
      detail,
      fix: {
        vi:
          `${spec.id} chưa được biên dịch` +
          (spec.buildDeps ? ` (thiếu ${spec.buildDeps} lúc cài đặt nên npm đã bỏ qua)` : '') +
          `. Chạy: \`${cmd}\`.`,
        en:
          `${spec.id} was never built` +
          (spec.buildDeps ? ` (${spec.buildDeps} was missing at install time, so npm left it out)` : '') +
          `. Run: \`${cmd}\`.`,
      },
    };
  }
  return {
    state: 'load_failed',
    ...(spec.napi ? { builtFor: 'napi' } : {}),
    detail,
    fix: {
      vi: `Không nạp được ${spec.id}: chạy \`npm rebuild ${spec.id}\`.`,
      en: `${spec.id} does not load: run \`npm rebuild ${spec.id}\`.`,
    },
  };
}

/** Loads one native module and says what state it is in. Never throws. */
export function nativeModuleStatus(spec: NativeModuleSpec): NativeModuleStatus {
  const base = {
    id: spec.id,
    runtimeAbi: process.versions.modules,
    runtime: runtime(),
    optional: spec.optional,
  };
  try {
    if (simulatedAbsent(spec.id)) throw moduleNotFound(spec.id);
    spec.probe(requireHere);
    return { ...base, state: 'loaded', builtFor: spec.napi ? 'napi' : process.versions.modules };
  } catch (e) {
    return { ...base, ...classifyLoadError(spec, e) };
  }
}

export function nativeModuleSpec(id: string): NativeModuleSpec {
  const spec = NATIVE_MODULES.find((m) => m.id === id || m.alias === id);
  if (!spec) throw new Error(`unknown native module ${id}`);
  return spec;
}

/** The stamp scripts/native-abi.mjs writes: which runtime node_modules' ABI-bound modules are built for. */
export function nativeAbiStamp(
  root = process.cwd(),
): { runtime: string; version: string; abi?: string } | undefined {
  try {
    return JSON.parse(
      fs.readFileSync(path.join(root, 'node_modules', '.cccd-kiosk-native-abi.json'), 'utf8'),
    ) as { runtime: string; version: string; abi?: string };
  } catch {
    return undefined;
  }
}
