#!/usr/bin/env node
// Entry point of the `kiosk` command. Runs the built CLI (out/cli/kiosk.mjs, `npm run build` or
// `node scripts/build-cli.mjs`) when it is there and newer than every source file, so the command starts
// without compiling TypeScript. In a development checkout whose sources changed since the build, it falls
// back to the TypeScript sources through tsx (the same sources the tests and the app use).
// KIOSK_CLI_FROM=src|built forces one or the other.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'out', 'cli', 'kiosk.mjs');

/** Newest modification time of the CLI's sources; 0 when there are none (an installed copy). */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const d of ['electron/cli', 'electron/core', 'electron/shared', 'native']) walk(path.join(root, d));
  return newest;
}

function useBuilt() {
  const from = process.env.KIOSK_CLI_FROM;
  if (from === 'src') return false;
  let builtAt;
  try {
    builtAt = fs.statSync(built).mtimeMs;
  } catch {
    return false;
  }
  return from === 'built' || builtAt >= newestSource();
}

if (useBuilt()) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../electron/cli/main.ts');
}
