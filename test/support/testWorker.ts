/**
 * A worker on the run's shared workflow bundle for one test file, against the time-skipping server
 * (workflow tests) or the run's dev server (e2e tests), with real activities over the given store
 * and mail transport. `stop()` shuts the worker down and closes what it opened.
 */
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import { inject } from 'vitest';
import { createActivities, type ActivityDeps } from '../../activities/index.js';
import type { ContentStore } from '../../infra/store.js';
import { temporalTestServer } from '../../infra/tools.js';
import { inProcessActivityDeps } from '../../bench/support/activityDeps.js';
import { RecordingTransport } from './mail.js';

interface WorkerOptions {
  taskQueue: string;
  store: ContentStore;
  /** Defaults to a recording transport whose messages nobody reads. */
  transport?: Transporter;
  /** Other activity dependencies (e.g. how often a send heartbeats). */
  activityDeps?: Partial<ActivityDeps>;
}

function createWorker(
  connection: NativeConnection,
  { taskQueue, store, transport, activityDeps }: WorkerOptions,
): Promise<Worker> {
  return Worker.create({
    connection,
    taskQueue,
    workflowBundle: { code: inject('workflowBundleCode') },
    activities: createActivities(
      inProcessActivityDeps(store, transport ?? new RecordingTransport().asTransporter(), activityDeps),
    ),
  });
}

export async function timeSkippingWorker(
  opts: WorkerOptions,
): Promise<{ env: TestWorkflowEnvironment; stopWorker(): Promise<void>; stop(): Promise<void> }> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServer(process.env.TEMPORAL_TEST_SERVER_PATH) } },
  });
  const worker = await createWorker(env.nativeConnection, opts);
  const running = worker.run();
  const stopWorker = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
  return {
    env,
    /** Stops the worker only: the server keeps the rounds (and answers for their histories). */
    stopWorker,
    async stop() {
      await stopWorker();
      await env.teardown();
    },
  };
}

export async function devServerWorker(opts: WorkerOptions): Promise<{ client: Client; stop(): Promise<void> }> {
  const address = inject('temporalAddress');
  const client = new Client({ connection: await Connection.connect({ address }) });
  const worker = await createWorker(await NativeConnection.connect({ address }), opts);
  const running = worker.run();
  return {
    client,
    async stop() {
      worker.shutdown();
      await running;
      await client.connection.close();
    },
  };
}
