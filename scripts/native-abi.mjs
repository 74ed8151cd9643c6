#!/usr/bin/env node
/**
 * Keeps the native modules (better-sqlite3, @pokusew/pcsclite) built for the runtime about to use
 * them. Node and Electron have different ABIs: tests and the CLI need the Node build, `npm start`
 * needs the Electron build. A stamp file records which one is in node_modules, so switching only
 * rebuilds when needed.
 *
 *   node scripts/native-abi.mjs electron   # before `npm start` / `npm run dev` (prestart)
 *   node scripts/native-abi.mjs node       # before `npm test` (pretest)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
const stampFile = path.join(root, 'node_modules', '.cccd-kiosk-native-abi.json');
const MODULES = ['better-sqlite3', '@pokusew/pcsclite'];

const target = process.argv[2];
if (target !== 'node' && target !== 'electron') {
  console.error('usage: native-abi.mjs node|electron');
  process.exit(2);
}

function readStamp() {
  try {
    return JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  } catch {
    return { runtime: 'node', version: process.versions.node }; // a fresh `npm install` builds for Node
  }
}

function run(cmd, args, env) {
  console.log(`> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env, shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const stamp = readStamp();
// npm may point node-gyp at Node's headers (npm_config_nodedir); an Electron rebuild must not use them.
const env = { ...process.env };
for (const k of Object.keys(env)) if (/^npm_config_nodedir$/i.test(k)) delete env[k];

if (target === 'electron') {
  let electronVersion;
  try {
    electronVersion = require('electron/package.json').version;
  } catch {
    console.error('Electron is not installed: run `npm install` first.');
    process.exit(1);
  }
  if (stamp.runtime === 'electron' && stamp.version === electronVersion) process.exit(0);
  console.log(`Rebuilding native modules for Electron ${electronVersion} ...`);
  run('npx', ['electron-builder', 'install-app-deps'], env);
  fs.writeFileSync(stampFile, JSON.stringify({ runtime: 'electron', version: electronVersion }) + '\n');
} else {
  if (stamp.runtime === 'node' && stamp.version === process.versions.node) process.exit(0);
  console.log(`Rebuilding native modules for Node ${process.versions.node} ...`);
  const present = MODULES.filter((m) => fs.existsSync(path.join(root, 'node_modules', m)));
  run('npm', ['rebuild', ...present], process.env);
  fs.writeFileSync(stampFile, JSON.stringify({ runtime: 'node', version: process.versions.node }) + '\n');
}
