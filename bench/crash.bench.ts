/**
 * Crash safety under SIGKILL (issue 6): a child process logs checks through the real services and
 * acknowledges each commit; it is killed at random moments, 100 times by default (`CRASH_KILLS=<n>`),
 * on the same database. A kill is survived when the database then opens, passes SQLite's integrity
 * check, its chain verifies and no acknowledged check is lost or changed. Also: a full disk and a
 * read-only mount give their clear errors without damage. See test/support/crash.ts.
 */
import { canMountTmpfs, runCrashLoop, runDiskFull, runReadOnlyMount } from '../test/support/crash';
import { round, type Figure } from './lib';

export async function benchCrash(): Promise<Figure[]> {
  const kills = Number(process.env.CRASH_KILLS ?? 100);
  const seed = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);
  const r = await runCrashLoop({
    kills,
    seed,
    onKill: (k) => {
      if (k.kill % 10 === 0 || k.lost.length || k.integrity !== 'ok' || !k.chainOk) {
        process.stdout.write(
          `  kill ${k.kill}/${kills}: ${k.acks} acks, lost ${k.lost.length}, integrity ${k.integrity}, chain ${k.chainOk ? 'ok' : 'BROKEN'}\n`,
        );
      }
    },
  });
  const lost = r.records.reduce((a, k) => a + k.lost.length, 0);
  const whileOpening = r.records.filter((k) => k.whileOpening).length;
  const figures: Figure[] = [
    {
      name: 'SIGKILL during checks: kills survived with no acknowledged check lost',
      value: r.survived,
      unit: `of ${r.kills}`,
      goal: `all, ≥ 50 kills`,
      pass: r.kills >= 50 && r.survived === r.kills,
      note:
        `${r.acked} checks acknowledged, ${r.entries} log entries at the end, ${lost} lost; ` +
        `${whileOpening} kills while opening the database; seed ${seed}; ${round(r.ms / 1000, 1)} s`,
    },
  ];
  if (canMountTmpfs()) {
    const d = runDiskFull(1024);
    const dfOk =
      d.firstError?.code === 'disk_full' &&
      d.laterErrors.every((c) => c === 'disk_full') &&
      d.afterFree.ok &&
      d.final.integrity === 'ok' &&
      d.final.chainOk &&
      d.final.missing.length === 0;
    figures.push({
      name: 'full disk (1 MiB tmpfs filled): clear error, no damage, works again when freed',
      value: dfOk ? 1 : 0,
      unit: 'pass',
      goal: '1',
      pass: dfOk,
      note: `${d.ackedBefore + d.ackedWhileFilling} checks before the disk was full, then ${d.firstError?.code}; after freeing: ${d.afterFree.ok ? 'ok' : d.afterFree.code}`,
    });
    const ro = runReadOnlyMount();
    const roOk =
      !ro.open.ok &&
      ro.open.code === 'read_only' &&
      ro.after.integrity === 'ok' &&
      ro.after.chainOk &&
      ro.after.entries === ro.entriesBefore;
    figures.push({
      name: 'read-only mount: clear error, nothing changed',
      value: roOk ? 1 : 0,
      unit: 'pass',
      goal: '1',
      pass: roOk,
      note: `open: ${ro.open.code}`,
    });
  }
  return figures;
}
