/**
 * Global setup of the projects whose tests talk to a real Temporal: one dev server (headless, on a
 * free port, on a temporary SQLite file) for the whole run, so no test file waits for its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../infra/devServer.js';
import { temporalCli } from '../../infra/tools.js';
import { freePort } from '../../infra/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-test-'));
  const server = await startDevServer({
    cli: temporalCli(process.env.TEMPORAL_CLI_PATH),
    dbFile: path.join(dir, 'temporal.sqlite'),
    port: await freePort(),
    namespace: 'default',
    retention: '30d',
    logFile: path.join(dir, 'temporal.log'),
  });
  project.provide('temporalAddress', server.address);
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
