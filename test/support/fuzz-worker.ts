/**
 * Child process for `runFuzzIsolated` (./fuzz.ts): runs fuzz shards one after the other (synchronous and
 * asynchronous targets alike) and reports progress over IPC so the parent's watchdog can kill it if a
 * parser hangs.
 * Arguments: a JSON list of shards ({ parser, seed, count }) and the slow-input limit in ms.
 */
import { runFuzzAsync, type FuzzShard } from './fuzz';
import { ASYNC_PARSERS, type OutsideParserName } from './fuzz-targets';

// Stack traces are not needed for the verdict and cost more than most parses.
Error.stackTraceLimit = 0;
const shards = JSON.parse(process.argv[2] ?? '[]') as FuzzShard[];
const slowMs = Number(process.argv[3] ?? 250);
const send = (m: unknown): void => {
  process.send?.(m);
};
for (let i = 0; i < shards.length; i++) {
  const s = shards[i]!;
  send({ type: 'progress', shard: i, done: 0 });
  const stats = await runFuzzAsync(s.parser, s.seed, s.count, {
    slowMs,
    // The watchdog's self-test: a "parser" that never returns after a while.
    ...(process.env.FUZZ_SELFTEST_HANG_AT
      ? {
          run: (() => {
            let n = 0;
            const at = Number(process.env.FUZZ_SELFTEST_HANG_AT);
            return () => {
              if (++n >= at) for (;;);
            };
          })(),
        }
      : {}),
    // Targets with file or database I/O run ~100 inputs/s: report often enough for the watchdog.
    progressEvery: ASYNC_PARSERS.has(s.parser as OutsideParserName) ? 20 : 1000,
    onProgress: (done) => send({ type: 'progress', shard: i, done }),
  });
  send({ type: 'shard', shard: i, stats });
  if (stats.finding) break;
}
// Async targets keep handles open (a database, temp files): leave once the parent has the result.
if (process.send) process.send({ type: 'end' }, () => process.exit(0));
else process.exit(0);
