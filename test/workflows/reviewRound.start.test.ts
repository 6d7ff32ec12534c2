/** The round starts, records its documents, answers its query and refuses a second start (time-skipping server). */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { temporalTestServer } from '../../infra/tools.js';
import { inProcessActivityDeps } from '../../bench/support/activityDeps.js';
import { RecordingTransport } from '../support/mail.js';
import { MemoryContentStore } from '../../infra/store.js';
import { smallRoundInput } from '../support/rounds.js';

const TASK_QUEUE = 'test-start';
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const store = new MemoryContentStore();

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServer(process.env.TEMPORAL_TEST_SERVER_PATH) } },
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: { code: inject('workflowBundleCode') },
    activities: createActivities(inProcessActivityDeps(store, new RecordingTransport().asTransporter())),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

describe('reviewRound on the time-skipping server', () => {
  it('records document hashes and sections, answers status, refuses a duplicate start', async () => {
    const input = await smallRoundInput(store);
    const rounds = roundCalls(env.client, store, TASK_QUEUE);
    const id = await rounds.start(input);
    expect(id).toBe(`round:${input.planId}:1`);

    await expect.poll(async () => (await rounds.status(id)).documents.length, { timeout: 20_000 }).toBe(1);
    const status = await rounds.status(id);
    expect(status.title).toBe('测试规划');
    expect(status.documents[0]!.versions[0]!.sha256).toBe(input.documents[0]!.sha256);
    expect(status.documents[0]!.versions[0]!.sections.map((s) => s.number)).toEqual(['第一章', '1.1', '1.1.1', '1.2', '第二章', '2.1']);

    await expect(rounds.gateway.start(input)).resolves.toEqual({ kind: 'exists', roundId: id });
  });
});
