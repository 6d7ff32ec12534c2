/**
 * Starts what the test tiers share: one real Temporal dev server (headless, on a free port, on a
 * temporary SQLite file) and one workflow bundle, so each test file neither waits for a server nor
 * bundles again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../infra/devServer.js';
import { temporalCli } from '../../infra/tools.js';
import { WORKFLOWS_PATH } from '../../worker/createWorker.js';
import { freePort } from './ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundleCode: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-test-'));
  const [server, bundle] = await Promise.all([
    startDevServer({
      cli: temporalCli(process.env.TEMPORAL_CLI_PATH),
      dbFile: path.join(dir, 'temporal.sqlite'),
      port: await freePort(),
      namespace: 'default',
      retention: '30d',
      logFile: path.join(dir, 'temporal.log'),
    }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
  ]);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundleCode', bundle.code);
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
