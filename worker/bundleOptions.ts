/**
 * How the workflow code is bundled, the same for the deployed worker, the tests and the benchmarks.
 */
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type BundleOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Modules evaluated once per worker and shared by every cached round, instead of once per round:
 * the workflow modules, the domain modules (workflows/sharedModules.ts says why that is safe) and
 * the libraries they import (zod, the Temporal polyfill, the hash functions). Without it, each
 * cached round held its own copy of them: about 3.5 MB a round.
 */
const SHARED_WORKFLOW_MODULES: readonly string[] = [
  fileURLToPath(new URL('../workflows/sharedModules.ts', import.meta.url)),
];

/** The workflows bundled, with every character beyond Latin-1 written as an escape (oneBytePerChar). */
export async function bundleRoundWorkflows(
  extra: Omit<BundleOptions, 'workflowsPath' | 'preloadModules'> = {},
): Promise<WorkflowBundleWithSourceMap> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: [...SHARED_WORKFLOW_MODULES],
    ...extra,
  });
  return { ...bundle, code: oneBytePerChar(bundle.code) };
}

/**
 * The bundle's code with each character beyond Latin-1 (the Chinese of the messages and labels,
 * about 3,000 of its 4 million) written as a \uXXXX escape. V8 stores a string with even one such
 * character at two bytes per character, and the worker holds the bundle's code in both of its
 * threads: about 8 MB saved. The characters only occur in string, template and regex literals and
 * in comments, where the escape means the same character; a character already escaped by a
 * backslash (an identity escape) has that backslash replaced, not doubled.
 */
export function oneBytePerChar(code: string): string {
  return code.replace(/(\\*)([^\u0000-\u00ff])/g, (_, slashes: string, ch: string) => {
    const escaped = `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    return (slashes.length % 2 === 1 ? slashes.slice(1) : slashes) + escaped;
  });
}
