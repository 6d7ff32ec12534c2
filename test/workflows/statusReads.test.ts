/**
 * A round's status read through the gateway asks the round's worker (a query) only when the round's
 * history has grown since the gateway last read it: reading again an unchanged round costs a
 * describe, and what it answers is the status a query would give, never one from before a change.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { statusQuery } from '../../workflows/messages.js';
import { MemoryContentStore } from '../../infra/store.js';
import { replyOnPlan, smallRoundInput } from '../support/rounds.js';
import { timeSkippingWorker } from '../support/testWorker.js';

const TASK_QUEUE = 'test-status-reads';
const store = new MemoryContentStore();
let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ env, stop } = await timeSkippingWorker({ taskQueue: TASK_QUEUE, store }));
});

afterAll(async () => {
  await stop?.();
});

const unwrapped = <T>(o: { kind: string; value?: T }): T => {
  expect(o.kind).toBe('done');
  return o.value!;
};

describe('status reads through the gateway', () => {
  it('query the round once while its history stays the same, and again once it has changed', async () => {
    const driver = roundCalls(env.client, store, TASK_QUEUE);
    const id = await driver.start(await smallRoundInput(store));
    const invited = await driver.until(id, (s) => s.bureaus.every((b) => b.invitation?.sentAt !== undefined));
    // Let the round finish the workflow task that recorded the sends: the history then stays as it is.
    await driver.until(id, (s) => s.mailInFlight.length === 0);

    const rounds = roundCalls(env.client, store, TASK_QUEUE).gateway;
    const first = unwrapped(await rounds.status(id));
    const second = unwrapped(await rounds.status(id));
    expect(rounds.reads).toEqual({ queries: 1, reused: 1 });
    expect(second).toEqual(first);
    // What a query answers now is what the second read gave.
    expect(second).toEqual(await env.client.workflow.getHandle(id).query(statusQuery));

    // Each read is the caller's own copy: changing one changes no later read.
    second.title = 'changed by the caller';
    second.bureaus[0]!.replies.push({} as never);
    const third = unwrapped(await rounds.status(id));
    expect(third).toEqual(first);
    expect(rounds.reads).toEqual({ queries: 1, reused: 2 });

    // A reply grows the history: the next read asks the round, and shows the reply.
    await driver.replyAs(invited, 'finance', replyOnPlan('请补充区位图。'));
    const after = unwrapped(await rounds.status(id));
    expect(rounds.reads.queries).toBe(2);
    expect(after.bureaus.find((b) => b.bureau.id === 'finance')!.replies).toHaveLength(1);
    expect(first.bureaus.find((b) => b.bureau.id === 'finance')!.replies).toHaveLength(0);
  });

  it('say that a round does not exist without asking a worker', async () => {
    const rounds = roundCalls(env.client, store, TASK_QUEUE).gateway;
    expect(await rounds.status('no-such-round')).toEqual({ kind: 'notFound', roundId: 'no-such-round' });
    expect(rounds.reads.queries).toBe(0);
  });

  it('leave a bureau link’s reads to the page (a query each, no describe)', async () => {
    const driver = roundCalls(env.client, store, TASK_QUEUE);
    const id = await driver.start(await smallRoundInput(store));
    const rounds = roundCalls(env.client, store, TASK_QUEUE).gateway;
    unwrapped(await rounds.status(id, { mailAttempts: false }));
    unwrapped(await rounds.status(id, { mailAttempts: false }));
    expect(rounds.reads).toEqual({ queries: 2, reused: 0 });
  });
});
