/**
 * Vitest reporter that ends the run with ONE block listing the test groups skipped for lack of a
 * system part (pcscd + vpcd, socat, poppler, Chromium), why, and how to enable each. The test workers
 * write their notes (test/support/system-parts.ts) into a folder this reporter creates before they start.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Reporter } from 'vitest/reporters';
import { NOTES_ENV, skipBlock, type SkipNote } from './system-parts';

export default class SkipReporter implements Reporter {
  private dir: string | undefined;

  onInit(): void {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-skips-'));
    process.env[NOTES_ENV] = this.dir;
  }

  onTestRunEnd(): void {
    const dir = this.dir;
    if (!dir) return;
    const notes: SkipNote[] = [];
    for (const f of fs.readdirSync(dir)) {
      try {
        notes.push(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as SkipNote);
      } catch {
        // a half-written note: ignore
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    this.dir = undefined;
    const block = skipBlock(notes);
    if (block) process.stdout.write(`\n${block}\n`);
  }
}
