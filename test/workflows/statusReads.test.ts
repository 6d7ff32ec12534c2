/**
 * A round's status read through the gateway asks the round's worker (a query) only when the round's
 * history has grown since the gateway last read it: reading again an unchanged round costs a
 * describe, and what it answers is the status a query would give, never one from before a change.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { LINK_VIEWS_MEMO_KEY, linkView, linkViewFingerprints } from '../../domain/linkView.js';
import { statusQuery } from '../../workflows/messages.js';
import { MemoryContentStore } from '../../infra/store.js';
import { recordHistory } from '../support/recordHistory.js';
import { coordinator, replyOnPlan, smallRoundInput } from '../support/rounds.js';
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

/** The events a workflow task's commands record, right after the task's completion. */
const FROM_COMMANDS = new Set([
  'markerRecordedEventAttributes',
  'upsertWorkflowSearchAttributesEventAttributes',
  'activityTaskScheduledEventAttributes',
  'timerStartedEventAttributes',
  'timerCanceledEventAttributes',
  'workflowPropertiesModifiedEventAttributes',
  'workflowExecutionUpdateAcceptedEventAttributes',
  'workflowExecutionUpdateCompletedEventAttributes',
  'workflowExecutionCompletedEventAttributes',
]);

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

  it('publish in the memo, as of each workflow task, the fingerprint of what each bureau’s link shows', async () => {
    const driver = roundCalls(env.client, store, TASK_QUEUE);
    const id = await driver.start(await smallRoundInput(store));
    const handle = env.client.workflow.getHandle(id);
    const published = async () => (await handle.describe()).memo?.[LINK_VIEWS_MEMO_KEY] as Record<string, string>;
    const settled = async () => driver.until(id, (s) => s.mailInFlight.length === 0);

    const invited = await driver.until(id, (s) => s.bureaus.every((b) => b.invitation?.sentAt !== undefined));
    const before = linkViewFingerprints(await settled());
    expect(Object.keys(before)).toEqual(['finance', 'science', 'forestry']);
    expect(await published()).toEqual(before);
    // The memo the round started with is still there.
    expect((await handle.describe()).memo).toMatchObject({ title: invited.title, n: 1 });

    // Finance's reply moves finance's fingerprint alone, once its emails are sent as well.
    await driver.replyAs(invited, 'finance', replyOnPlan('请补充区位图。'));
    const after = linkViewFingerprints(await settled());
    expect(await published()).toEqual(after);
    expect(after.finance).not.toBe(before.finance);
    expect({ ...after, finance: '' }).toEqual({ ...before, finance: '' });

    // A change to the round as a whole (its consultation closed) moves every bureau's.
    await driver.replyAs(invited, 'science', replyOnPlan());
    await driver.replyAs(invited, 'forestry', replyOnPlan());
    const answered = linkViewFingerprints(await settled());
    expect(await published()).toEqual(answered);
    await driver.act(id, 'closeConsultation', { requestId: randomUUID(), actor: coordinator });
    const closed = linkViewFingerprints(await settled());
    expect(await published()).toEqual(closed);
    for (const b of ['finance', 'science', 'forestry']) expect(closed[b]).not.toBe(answered[b]);

    const ended = await driver.until(id, (s) => s.stage === 'completed');
    await handle.result();
    expect(await published()).toEqual(linkViewFingerprints(ended));
    // Each workflow task that did anything published, once; one that only answered a query did nothing.
    const events = (await handle.fetchHistory()).events ?? [];
    const kinds = events.map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes'))!);
    const tasks: string[][] = [];
    let task: string[] | null = null;
    for (const k of kinds) {
      if (k === 'workflowTaskCompletedEventAttributes') tasks.push((task = []));
      else if (task && FROM_COMMANDS.has(k)) task.push(k);
      else task = null;
    }
    const acting = tasks.filter((t) => t.length > 0);
    expect(acting.length).toBeGreaterThan(8);
    for (const t of acting) expect(t.filter((k) => k === 'workflowPropertiesModifiedEventAttributes')).toHaveLength(1);
    await recordHistory(handle, 'link-views-memo');
  });

  it('answer a bureau link from the status read before while that bureau’s part is unchanged', async () => {
    const driver = roundCalls(env.client, store, TASK_QUEUE);
    const id = await driver.start(await smallRoundInput(store));
    const invited = await driver.until(id, (s) => s.bureaus.every((b) => b.invitation?.sentAt !== undefined));
    await driver.until(id, (s) => s.mailInFlight.length === 0);
    const rounds = roundCalls(env.client, store, TASK_QUEUE).gateway;

    const forestry = unwrapped(await rounds.status(id, { forBureau: 'forestry' }));
    expect(forestry.bureaus.map((b) => b.bureau.id)).toEqual(['forestry']);
    expect(rounds.reads).toEqual({ queries: 1, reused: 0 });

    // Another bureau replies: forestry's link is shown what it was shown, without a query…
    await driver.replyAs(invited, 'finance', replyOnPlan('请补充区位图。'));
    await driver.until(id, (s) => s.mailInFlight.length === 0);
    expect(unwrapped(await rounds.status(id, { forBureau: 'forestry' }))).toEqual(forestry);
    expect(rounds.reads).toEqual({ queries: 1, reused: 1 });
    // …and it is what a query shows forestry now.
    expect(linkView(await env.client.workflow.getHandle(id).query(statusQuery), 'forestry')).toEqual(forestry);

    // Finance's own link, read from the same kept status, would miss the reply: it asks the round.
    const finance = unwrapped(await rounds.status(id, { forBureau: 'finance' }));
    expect(rounds.reads).toEqual({ queries: 2, reused: 1 });
    expect(finance.bureaus.map((b) => [b.bureau.id, b.replies.length])).toEqual([['finance', 1]]);
    expect(finance.notices).toEqual([]);
  });
});
