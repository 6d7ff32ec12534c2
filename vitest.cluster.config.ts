import { defineConfig } from 'vitest/config';

/**
 * The cluster's end-to-end test (`npm run test:cluster`), outside `npm test`: it brings up
 * scripts/cluster.sh (the first run builds the Temporal server, about a quarter of an hour).
 */
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/cluster/**/*.test.ts'],
    reporters: ['default', './test/support/plainSummaryReporter.ts'],
    setupFiles: ['test/support/quietRuntime.ts'],
    // The test brings the cluster up itself (a quarter of an hour when the server must be built) and runs a round.
    testTimeout: 45 * 60_000,
    hookTimeout: 5 * 60_000,
    teardownTimeout: 120_000,
  },
});
