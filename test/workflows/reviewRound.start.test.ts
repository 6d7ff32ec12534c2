/** The round starts, records its documents, answers its query and refuses a second start (time-skipping server). */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { MemoryContentStore } from '../../infra/store.js';
import { smallRoundInput } from '../support/rounds.js';
import { timeSkippingWorker } from '../support/testWorker.js';

const TASK_QUEUE = 'test-start';
let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;
const store = new MemoryContentStore();

beforeAll(async () => {
  ({ env, stop } = await timeSkippingWorker({ taskQueue: TASK_QUEUE, store }));
});

afterAll(async () => {
  await stop?.();
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
    expect(status.documents[0]!.versions[0]!.sections.map((s) => s.number)).toEqual([
      '第一章',
      '1.1',
      '1.1.1',
      '1.2',
      '第二章',
      '2.1',
    ]);

    await expect(rounds.gateway.start(input)).resolves.toEqual({ kind: 'exists', roundId: id });
  });

  it('refuses a bad input before it uses up the round id: the workflow never parses it again', async () => {
    const rounds = roundCalls(env.client, store, TASK_QUEUE);
    const input = await smallRoundInput(store);
    const refused = await rounds.gateway.start({ ...input, bureaus: [] });
    expect(refused).toMatchObject({ kind: 'refused', refusal: { field: 'bureaus', code: 'invalidField' } });
    await expect(rounds.gateway.status(`round:${input.planId}:1`)).resolves.toEqual({
      kind: 'notFound',
      roundId: `round:${input.planId}:1`,
    });
    await expect(rounds.start(input)).resolves.toBe(`round:${input.planId}:1`);
  });
});
