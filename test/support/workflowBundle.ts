/**
 * Global setup of the projects whose tests run a worker: the workflows bundled once, so each test
 * file neither bundles again nor pays the seconds it takes.
 */
import type { TestProject } from 'vitest/node';
import { bundleRoundWorkflows } from '../../worker/bundleOptions.js';

declare module 'vitest' {
  export interface ProvidedContext {
    workflowBundleCode: string;
  }
}

// Vitest loads a project's global setup in that project's own module runner, so a module-level
// variable would be one per project; the process is what the projects of one run share.
const SHARED = Symbol.for('plan-review.test.workflowBundle');
type Shared = typeof globalThis & { [SHARED]?: Promise<string> };

export default async function setup(project: TestProject) {
  const shared = globalThis as Shared;
  shared[SHARED] ??= bundleRoundWorkflows({ logger: quietLogger }).then((b) => b.code);
  project.provide('workflowBundleCode', await shared[SHARED]);
  return () => {
    // Forget it at the end of the run, so a watch-mode restart bundles the edited workflows.
    delete shared[SHARED];
  };
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
