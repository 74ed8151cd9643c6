#!/usr/bin/env node
/**
 * Builds the `kiosk` command to JavaScript (out/cli/kiosk.mjs) with vite, so it starts without compiling
 * TypeScript (tsx took ~0.4 s per `kiosk check`). One entry file; the commands that pull in heavy
 * libraries (chip reading, reports, readers, doctor) stay in lazily loaded chunks next to it, so a
 * `kiosk check` loads only what it runs. Every package in node_modules stays external (native modules
 * must be the ones built for this runtime; pdfkit reads its data files relative to itself).
 *
 * bin/kiosk.js runs this file when it is newer than the sources, else falls back to tsx.
 *   node scripts/build-cli.mjs        # part of `npm run build`; pretest runs it too
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'out', 'cli');
const started = Date.now();
fs.rmSync(outDir, { recursive: true, force: true });

await build({
  configFile: false,
  root,
  logLevel: 'warn',
  build: {
    ssr: path.join(root, 'electron/cli/main.ts'),
    outDir,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: {
      // Only our own sources are bundled: a bare specifier (a package) or a node: builtin stays external.
      external: (id) =>
        id.startsWith('node:') ||
        builtinModules.includes(id) ||
        (!id.startsWith('.') && !path.isAbsolute(id)),
      output: { format: 'es', entryFileNames: 'kiosk.mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
    },
  },
});
fs.writeFileSync(path.join(outDir, 'package.json'), JSON.stringify({ type: 'module', private: true }) + '\n');
console.log(`built out/cli/kiosk.mjs in ${Date.now() - started} ms`);
