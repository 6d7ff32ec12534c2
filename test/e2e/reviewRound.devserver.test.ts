/**
 * The same round on the real dev server (started by the global setup): it starts from the seed's
 * round file, answers its query, is listed through visibility, and a second start is refused.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { roundCalls } from '../support/roundCalls.js';
import { loadRoundFile } from '../../infra/roundFile.js';
import { LocalContentStore } from '../../infra/store.js';
import { RecordingTransport, testActivityDeps } from '../support/mail.js';
import { coordinator, uniquePlanId } from '../support/rounds.js';
import { writeSeedRoundFile } from '../support/seedRound.js';

const TASK_QUEUE = `test-e2e-${process.pid}`;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let store: LocalContentStore;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-e2e-'));
  store = new LocalContentStore(path.join(dir, 'store'));
  const address = inject('temporalAddress');
  client = new Client({ connection: await Connection.connect({ address }) });
  worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue: TASK_QUEUE,
    workflowBundle: { code: inject('workflowBundleCode') },
    activities: createActivities(testActivityDeps(store, new RecordingTransport().asTransporter())),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await client?.connection.close();
});

describe('reviewRound on the real dev server', () => {
  it('starts the seed round, answers status, lists it, refuses a duplicate start', async () => {
    const planId = uniquePlanId('xinrong');
    const file = await writeSeedRoundFile(dir, planId);
    const { input } = await loadRoundFile(file, store, { startedBy: coordinator, messageIdDomain: 'plan-review.test' });
    const rounds = roundCalls(client, store, TASK_QUEUE);
    const id = await rounds.start(input);

    await expect.poll(async () => (await rounds.status(id)).documents.length, { timeout: 30_000 }).toBe(2);
    const status = await rounds.status(id);
    const plan = status.documents.find((d) => d.key === 'xinrong-eco-plan')!;
    const numbers = plan.versions[0]!.sections.map((s) => s.number);
    for (const cited of ['1.1.7', '2.2', '3.7', '4.2.1', '4.2.2', '5.1.3', '7.7']) expect(numbers).toContain(cited);
    expect(status.documents.find((d) => d.key === 'eco-protection-plan')!.standIn).toBe(true);

    await expect(rounds.gateway.start(input)).resolves.toEqual({ kind: 'exists', roundId: id });
    await expect.poll(async () => (await rounds.gateway.list().then((o) => (o.kind === 'done' ? o.value : []))).map((r) => r.id), { timeout: 30_000 }).toContain(`round:${planId}:1`);
  });
});
