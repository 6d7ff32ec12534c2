/**
 * A round's status read through the gateway asks the round's worker (a query) only when the round's
 * history has grown since the gateway last read it: reading again an unchanged round costs a
 * describe, and what it answers is the status a query would give, never one from before a change.
 */
import { QueryNotRegisteredError, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { linkView } from '../../domain/linkView.js';
import { PATIENT_TIMEOUTS, RoundGateway } from '../../infra/roundGateway.js';
import { linkViewQuery, statusQuery } from '../../workflows/messages.js';
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

  it('give a bureau link its own view of the round, made by the round’s worker', async () => {
    const driver = roundCalls(env.client, store, TASK_QUEUE);
    const id = await driver.start(await smallRoundInput(store));
    const invited = await driver.until(id, (s) => s.bureaus.every((b) => b.invitation?.sentAt !== undefined));
    await driver.replyAs(invited, 'finance', replyOnPlan('请补充区位图。'));
    await driver.replyAs(invited, 'forestry', replyOnPlan('请核对林地面积。'));
    const rounds = roundCalls(env.client, store, TASK_QUEUE).gateway;
    const view = unwrapped(await rounds.linkView(id, 'finance'));
    expect(rounds.reads).toEqual({ queries: 1, reused: 0 });
    const status = await env.client.workflow.getHandle(id).query(statusQuery);
    expect(view).toEqual(linkView(status, 'finance'));
    // Finance's reply is there; forestry's never left the worker.
    expect(view.bureaus.map((b) => b.bureau.id)).toEqual(['finance']);
    expect(view.bureaus[0]!.replies).toHaveLength(1);
    const forestryReply = status.bureaus.find((b) => b.bureau.id === 'forestry')!.replies[0]!;
    expect(JSON.stringify(status)).toContain(forestryReply.contentSha256);
    expect(JSON.stringify(view)).not.toContain(forestryReply.contentSha256);
    expect(JSON.stringify(view).length).toBeLessThan(JSON.stringify(status).length);
    // A bureau the round does not have: a view without bureaus, which the page refuses.
    expect(unwrapped(await rounds.linkView(id, 'no-such-bureau')).bureaus).toEqual([]);
    expect(await rounds.linkView('no-such-round', 'finance')).toEqual({ kind: 'notFound', roundId: 'no-such-round' });
  });

  it('make a link’s view from the status when the round’s worker has no view query (a release before it)', async () => {
    const driver = roundCalls(env.client, store, TASK_QUEUE);
    const id = await driver.start(await smallRoundInput(store));
    await driver.until(id, (s) => s.bureaus.every((b) => b.invitation?.sentAt !== undefined));
    const asked: string[] = [];
    // The real client, except that its worker answers the view query as a worker without it does.
    const olderWorker = {
      withDeadline: (deadline: number, fn: () => Promise<unknown>) => env.client.withDeadline(deadline, fn),
      workflow: {
        getHandle: (roundId: string) => ({
          async query(def: { name: string }, ...args: unknown[]) {
            asked.push(def.name);
            if (def.name === linkViewQuery.name)
              throw new QueryNotRegisteredError('Workflow did not register a handler for linkView', 3);
            return env.client.workflow.getHandle(roundId).query(def as typeof statusQuery, ...(args as []));
          },
        }),
      },
    } as unknown as Client;
    const rounds = new RoundGateway(olderWorker, store, TASK_QUEUE, PATIENT_TIMEOUTS);
    const view = unwrapped(await rounds.linkView(id, 'finance'));
    expect(asked).toEqual(['linkView', 'status']);
    expect(view).toEqual(linkView(await env.client.workflow.getHandle(id).query(statusQuery), 'finance'));
  });
});
