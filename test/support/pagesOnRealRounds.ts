/**
 * Web pages over real rounds on the time-skipping server, for one test file: a worker on the file's
 * own task queue (started before its tests, stopped after them), the round calls, and the pages
 * built over the real RoundGateway by `build` (test/support/coordinatorApp.ts, approvalApp.ts).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Hono } from 'hono';
import { afterAll, beforeAll } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { PATIENT_TIMEOUTS, RoundGateway, type RoundService } from '../../infra/roundGateway.js';
import { MemoryContentStore, type ContentStore } from '../../infra/store.js';
import { timeSkippingWorker } from './testWorker.js';

export interface PagesOnRealRounds {
  readonly store: MemoryContentStore;
  /** The test environment (its client), once the worker runs. */
  readonly env: TestWorkflowEnvironment;
  /** The pages, once the worker runs. */
  readonly app: Hono;
  rounds(): ReturnType<typeof roundCalls>;
}

export function pagesOnRealRounds(
  taskQueue: string,
  build: (rounds: RoundService, store: ContentStore) => Promise<Hono>,
): PagesOnRealRounds {
  const store = new MemoryContentStore();
  let env: TestWorkflowEnvironment | undefined;
  let app: Hono | undefined;
  let stop: (() => Promise<void>) | undefined;
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the worker is not started yet: use it inside a test');
    return v;
  };

  beforeAll(async () => {
    ({ env, stop } = await timeSkippingWorker({ taskQueue, store }));
    app = await build(new RoundGateway(env.client, store, taskQueue, PATIENT_TIMEOUTS), store);
  });

  afterAll(async () => {
    await stop?.();
  });

  return {
    store,
    get env() {
      return started(env);
    },
    get app() {
      return started(app);
    },
    rounds: () => roundCalls(started(env).client, store, taskQueue),
  };
}
