#!/usr/bin/env node
/**
 * Keeps the ABI-bound native modules (better-sqlite3 and @pokusew/pcsclite, which use the V8 API) built
 * for the runtime about to use them. Node and Electron have different ABIs: the tests and the CLI need
 * the Node build, `npm start` needs the Electron build. Only the modules whose ABI differs are rebuilt,
 * and only those: node-hid and serialport are Node-API modules with prebuilt binaries that load in both
 * (rebuilding node-hid from source would need libudev-dev), so they are never touched.
 *
 *   node scripts/native-abi.mjs electron   # prestart / predev: rebuild for Electron (@electron/rebuild --only)
 *   node scripts/native-abi.mjs node       # pretest: back to Node if `npm start` switched them
 *   add --dry-run to print the plan (JSON with --json) without rebuilding anything
 *
 * A stamp (node_modules/.cccd-kiosk-native-abi.json) records the ABI each module was last built for.
 * For Node the truth is checked by loading the module; Electron cannot be run here, so for Electron the
 * stamp decides (a module that loads in Node is known to be built for Node's ABI, not Electron's).
 * npm may point node-gyp at Node's headers (npm_config_nodedir): that variable is removed for the
 * Electron rebuild, or it would silently produce modules that do not load in Electron.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const ABI_BOUND = ['better-sqlite3', '@pokusew/pcsclite'];

/**
 * The decision, as a pure function (tested in plain Node).
 * @param {{ target: 'node'|'electron', targetAbi: string, targetVersion: string,
 *   modules: { id: string, present: boolean, builtFor?: string }[] }} input
 *   builtFor: the ABI the module's binary is known to be built for (undefined = unknown).
 * @returns {{ target: string, targetAbi: string, rebuild: string[], skip: { id: string, why: string }[] }}
 */
export function plan({ target, targetAbi, modules }) {
  const rebuild = [];
  const skip = [];
  for (const m of modules) {
    if (!m.present) skip.push({ id: m.id, why: 'not installed (optional module never built)' });
    else if (m.builtFor === targetAbi) skip.push({ id: m.id, why: `already built for ABI ${targetAbi}` });
    else rebuild.push(m.id);
  }
  return { target, targetAbi, rebuild, skip };
}

/** The command that carries out a plan; env without npm_config_nodedir for Electron. */
export function commandFor(p, { electronVersion, root, env = process.env }) {
  if (!p.rebuild.length) return undefined;
  if (p.target === 'electron') {
    const clean = { ...env };
    for (const k of Object.keys(clean)) if (/^npm_config_nodedir$/i.test(k)) delete clean[k];
    return {
      cmd: process.execPath,
      args: [
        path.join(root, 'node_modules', '@electron', 'rebuild', 'lib', 'cli.js'),
        '--version',
        electronVersion,
        '--module-dir',
        root,
        '--only',
        p.rebuild.join(','),
        '--force',
      ],
      env: clean,
    };
  }
  return { cmd: 'npm', args: ['rebuild', ...p.rebuild], env };
}

function readStamp(file) {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8'));
    return s && typeof s.modules === 'object' ? s : { modules: {} };
  } catch {
    return { modules: {} };
  }
}

/** The ABI a module's binary is built for: Node's when it loads here, else what the stamp says. */
function builtFor(id, require, stamp) {
  try {
    if (id === 'better-sqlite3') new (require('better-sqlite3'))(':memory:').close();
    else require(id);
    return process.versions.modules;
  } catch (e) {
    const m = /NODE_MODULE_VERSION (\d+)\. This version/.exec(String(e?.message));
    if (m) return m[1];
    return stamp.modules[id]?.abi;
  }
}

function electronTarget(require) {
  const version = require('electron/package.json').version;
  let abi;
  try {
    abi = require('node-abi').getAbi(version, 'electron');
  } catch {
    abi = undefined;
  }
  return { version, abi: String(abi ?? `electron-${version}`) };
}

function main(argv) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const require = createRequire(path.join(root, 'package.json'));
  const target = argv.find((a) => !a.startsWith('-'));
  const dry = argv.includes('--dry-run');
  const json = argv.includes('--json');
  if (target !== 'node' && target !== 'electron') {
    console.error('usage: native-abi.mjs node|electron [--dry-run] [--json]');
    return 2;
  }
  const stampFile = path.join(root, 'node_modules', '.cccd-kiosk-native-abi.json');
  const stamp = readStamp(stampFile);
  let t;
  if (target === 'electron') {
    try {
      t = electronTarget(require);
    } catch {
      console.error('Electron is not installed: run `npm install` first.');
      return 1;
    }
  } else {
    t = { version: process.versions.node, abi: process.versions.modules };
  }
  const modules = ABI_BOUND.map((id) => {
    const present = fs.existsSync(path.join(root, 'node_modules', id, 'package.json'));
    return { id, present, ...(present ? { builtFor: builtFor(id, require, stamp) } : {}) };
  });
  const p = plan({ target, targetAbi: t.abi, targetVersion: t.version, modules });
  const command = commandFor(p, { electronVersion: t.version, root });
  if (dry || json) {
    const out = {
      ...p,
      targetVersion: t.version,
      modules,
      command: command ? [command.cmd, ...command.args].join(' ') : null,
      nodedirCleared: target === 'electron',
    };
    if (json) console.log(JSON.stringify(out, null, 2));
    else {
      console.log(`target ${target} ${t.version} (ABI ${t.abi})`);
      for (const s of p.skip) console.log(`  keep    ${s.id}: ${s.why}`);
      for (const id of p.rebuild) console.log(`  rebuild ${id}`);
      if (command) console.log(`> ${out.command}`);
    }
    if (dry) return 0;
  }
  if (!command) return 0;
  console.log(`Rebuilding ${p.rebuild.join(', ')} for ${target} ${t.version} (ABI ${t.abi}) ...`);
  console.log(`> ${[command.cmd, ...command.args].join(' ')}`);
  const r = spawnSync(command.cmd, command.args, {
    stdio: 'inherit',
    cwd: root,
    env: command.env,
    shell: process.platform === 'win32',
  });
  if (r.status !== 0) return r.status ?? 1;
  for (const id of p.rebuild) stamp.modules[id] = { runtime: target, version: t.version, abi: t.abi };
  fs.writeFileSync(stampFile, JSON.stringify(stamp, null, 2) + '\n');
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
