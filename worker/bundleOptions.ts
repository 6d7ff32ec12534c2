/**
 * How the workflow code is bundled, the same for the deployed worker, the tests and the benchmarks.
 */
import { fileURLToPath } from 'node:url';
import type { BundleOptions } from '@temporalio/worker';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Modules evaluated once per worker and shared by every cached round, instead of once per round:
 * the domain modules (workflows/sharedModules.ts says why that is safe) and the libraries they
 * import (zod, the Temporal polyfill, the hash functions). Without it, each cached round held its
 * own copy of them: about 3.5 MB a round.
 */
export const SHARED_WORKFLOW_MODULES: readonly string[] = [
  fileURLToPath(new URL('../workflows/sharedModules.ts', import.meta.url)),
];

export function workflowBundleOptions(
  extra: Omit<BundleOptions, 'workflowsPath' | 'preloadModules'> = {},
): BundleOptions {
  return { workflowsPath: WORKFLOWS_PATH, preloadModules: [...SHARED_WORKFLOW_MODULES], ...extra };
}
