import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  // Main process: ESM, dependencies (better-sqlite3, exceljs, pdfkit, the reader stacks) stay in
  // node_modules so the native ones are the Electron-rebuilt builds.
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      lib: {
        entry: {
          index: resolve(root, 'electron/main/index.ts'),
          // The report worker thread (electron/core/reports/runner.ts loads it from beside index.js).
          'report-worker': resolve(root, 'electron/core/reports/worker.ts'),
        },
        formats: ['es'],
      },
    },
  },
  // Preload: sandboxed, so one self-contained CommonJS file with zod bundled in (a sandboxed
  // preload cannot require node_modules).
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      externalizeDeps: false,
      lib: { entry: resolve(root, 'electron/preload/index.ts'), formats: ['cjs'] },
      rolldownOptions: { output: { entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: resolve(root, 'renderer/index.html') },
      // Fonts and images are files, never inlined as data: URLs (the CSP allows data: only for photos).
      assetsInlineLimit: 0,
    },
  },
});
