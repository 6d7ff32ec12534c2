import { defineConfig } from 'vitest/config';

const DEV_SERVER = 'test/support/temporalDevServer.ts';
const WORKFLOW_BUNDLE = 'test/support/workflowBundle.ts';

export default defineConfig({
  test: {
    // Worker threads break the Temporal worker's native bridge; forks is vitest's default, kept on purpose.
    pool: 'forks',
    maxWorkers: 2,
    // Reporters belong to the run, not to a project: one summary line for all projects together.
    reporters: ['default', './test/support/plainSummaryReporter.ts'],
    setupFiles: ['test/support/quietRuntime.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    // Each project starts only what its tests inject, so `--project unit` starts no server.
    // `include` and `globalSetup` stay out of the shared options above: `extends` concatenates arrays.
    projects: [
      {
        extends: true,
        // The PDF tests are pure code too: the renderer in-process, read back with poppler's tools.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/pdf/**/*.test.ts'] },
      },
      {
        extends: true,
        // Each file starts its own time-skipping server; what they share is the bundle.
        test: { name: 'workflow', include: ['test/workflows/**/*.test.ts'], globalSetup: [WORKFLOW_BUNDLE] },
      },
      {
        extends: true,
        // In-process pages and the reply page in Chromium, all over a fake round: no Temporal.
        test: { name: 'web', include: ['test/web/**/*.test.ts', 'test/browser/**/*.test.ts'] },
      },
      {
        extends: true,
        // The real dev server, a worker on the shared bundle, the stack, and the machine's setup.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/setup/**/*.test.ts'],
          globalSetup: [DEV_SERVER, WORKFLOW_BUNDLE],
        },
      },
      {
        extends: true,
        // The battery's sample starts its own stack as separate processes (it kills them), so no global setup.
        test: { name: 'battery', include: ['test/battery/**/*.test.ts'] },
      },
    ],
  },
});
