import { defineConfig } from 'vitest/config';

/** Browser end-to-end tests (real Chromium through playwright-core): `npm run test:e2e`. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // The default output, then one block naming the groups skipped for a missing system part.
    reporters: ['default', './test/support/skip-reporter.ts'],
    fileParallelism: false,
  },
});
