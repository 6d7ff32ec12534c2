import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Worker threads break the Temporal worker's native bridge; forks is vitest's default, kept on purpose.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/support/plainSummaryReporter.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    setupFiles: ['test/support/quietRuntime.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
  },
});
