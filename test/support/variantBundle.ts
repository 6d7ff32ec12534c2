/** The workflows bundled as another release would have them: one exact replacement in one source file. */
import { fileURLToPath } from 'node:url';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleRoundWorkflows } from '../../worker/bundleOptions.js';

const LOADER = fileURLToPath(new URL('./replaceLoader.cjs', import.meta.url));
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

export function bundleVariant(file: RegExp, from: string, to: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleRoundWorkflows({
    logger: quiet,
    webpackConfigHook: (config) => {
      config.module?.rules?.push({ test: file, enforce: 'pre', use: [{ loader: LOADER, options: { from, to } }] });
      return config;
    },
  });
}
