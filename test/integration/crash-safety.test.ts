/**
 * Nothing acknowledged is ever lost, and storage trouble gives clear bilingual errors without damage:
 * - a child process logging checks through the real services is killed with SIGKILL at random moments
 *   (some while it is still opening the database): after every kill the database opens, passes the
 *   integrity check, its chain verifies and every acknowledged check is there unchanged;
 * - a full disk (a small tmpfs in a private mount namespace): `disk_full` in Vietnamese and English,
 *   earlier data intact, checks work again once space is freed;
 * - a read-only database (read-only mount; file and folder not writable): `read_only`, nothing changed.
 *
 * More kills (≥ 50): `npm run bench -- crash` (bench/crash.bench.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  canMountTmpfs,
  runCrashLoop,
  runDiskFull,
  runReadOnlyFile,
  runReadOnlyMount,
  type ReadOnlyReport,
} from '../support/crash';

const mounts = canMountTmpfs();

function expectReadOnlyError(e: { code?: string; vi?: string; en?: string } | undefined): void {
  expect(e?.code).toBe('read_only');
  expect(e?.vi).toMatch(/chỉ đọc|không có quyền/);
  expect(e?.en).toMatch(/read-only|permission/);
}

function expectUntouched(r: ReadOnlyReport): void {
  expect(r.after.integrity).toBe('ok');
  expect(r.after.chainOk).toBe(true);
  expect(r.after.missing).toEqual([]);
  expect(r.after.entries).toBe(r.entriesBefore);
}

describe('crash safety and storage trouble', () => {
  it('SIGKILL at random moments: every acknowledged check survives, the database stays sound', async () => {
    const r = await runCrashLoop({ kills: 10, seed: 7, whileOpeningShare: 0.25 });
    const bad = r.records.filter((x) => !x.opened || x.lost.length || x.integrity !== 'ok' || !x.chainOk);
    expect(bad).toEqual([]);
    expect(r.survived).toBe(10);
    // Kills landed both while checking (many acknowledged checks) and while opening.
    expect(r.records.some((x) => x.whileOpening)).toBe(true);
    expect(r.records.filter((x) => x.acks > 0).length).toBeGreaterThanOrEqual(5);
    expect(r.acked).toBeGreaterThan(50);
    // Committed but unacknowledged checks may exist (killed between commit and print), never the reverse.
    expect(r.entries).toBeGreaterThanOrEqual(r.acked);
  }, 120_000);

  it.skipIf(!mounts)(
    'full disk: disk_full in both languages, no damage, checks work again once space is freed',
    () => {
      const r = runDiskFull(1024);
      expect(r.filled).toBeGreaterThan(500_000);
      // Checks went on until the disk was really full, then each one failed the same clear way.
      expect(r.ackedWhileFilling).toBeGreaterThan(0);
      expect(r.firstError?.code).toBe('disk_full');
      expect(r.firstError?.vi).toContain('Ổ đĩa đã đầy');
      expect(r.firstError?.en).toContain('The disk is full');
      expect(r.laterErrors).toEqual(Array(5).fill('disk_full'));
      expect(r.whileFull).toEqual({ integrity: 'ok', chainOk: true });
      expect(r.afterFree.ok).toBe(true);
      // Every check acknowledged before, while filling and after freeing is there; the chain verifies.
      expect(r.final).toMatchObject({ integrity: 'ok', chainOk: true, missing: [] });
      expect(r.final.entries).toBe(2 + r.ackedBefore + r.ackedWhileFilling + 2);
    },
    60_000,
  );

  it.skipIf(!mounts)(
    'read-only mount: opening says read_only in both languages; nothing changes',
    () => {
      const r = runReadOnlyMount();
      expect(r.open.ok).toBe(false);
      expectReadOnlyError(r.open);
      expectUntouched(r);
    },
    60_000,
  );

  it('database file and folder not writable: read_only in both languages; nothing changes', (ctx) => {
    const r = runReadOnlyFile();
    if (!r) return ctx.skip();
    // SQLite may open the file read-only; then the first write says read_only.
    expectReadOnlyError(r.open.ok ? r.check : r.open);
    expectUntouched(r);
  }, 60_000);
});
