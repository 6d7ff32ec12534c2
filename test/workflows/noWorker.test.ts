/**
 * With no worker running: a recorded reply's receipt still shows (from the round's history, which
 * Temporal's server gives without a worker, and the document store), and a page that needs the
 * worker says at once that the service is unavailable, instead of waiting for the RPC's deadline.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_PROCESS_SECRET } from '../../bench/support/activityDeps.js';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { canonicalJson, replyContentSha256 } from '../../domain/replyHash.js';
import type { Reply } from '../../domain/records.js';
import { signLink } from '../../infra/linkTokens.js';
import { RoundGateway } from '../../infra/roundGateway.js';
import { MemoryContentStore } from '../../infra/store.js';
import { Templates } from '../../infra/templates.js';
import { createReplyRoutes } from '../../web/replyRoutes.js';
import { smallRoundInput, TEST_RESPONDER } from '../support/rounds.js';
import { timeSkippingWorker } from '../support/testWorker.js';

const TASK_QUEUE = 'test-no-worker';
const store = new MemoryContentStore();
let env: TestWorkflowEnvironment;
let stopWorker: () => Promise<void>;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ env, stop, stopWorker } = await timeSkippingWorker({ taskQueue: TASK_QUEUE, store }));
});

afterAll(async () => {
  await stop?.();
});

describe('with no worker running', () => {
  it('shows a recorded reply’s receipt from the history, and says at once that a page needing the worker is unavailable', async () => {
    const rounds = roundCalls(env.client, store, TASK_QUEUE);
    const id = await rounds.start(await smallRoundInput(store));
    const s = await rounds.until(id, (x) => x.bureaus.every((b) => b.invitation?.sentAt !== undefined));
    const comment = { section: '1.1.1', quote: '新荣区位于大同市北部', draftPage: 3, text: '请补充\n区位图。' };
    const receipt = await rounds.replyAs(s, 'finance', {
      responder: TEST_RESPONDER,
      perDocument: { plan: { kind: 'comments', comments: [comment] } },
    });
    await stopWorker();

    const app = new Hono().route(
      '/r',
      createReplyRoutes({
        rounds: new RoundGateway(env.client, store, TASK_QUEUE, { queryMs: 2_000, updateMs: 2_000 }),
        secret: IN_PROCESS_SECRET,
        store,
        templates: new Templates(),
        attachmentMaxBytes: 1024 * 1024,
      }),
    );
    const finance = s.bureaus.find((b) => b.bureau.id === 'finance')!;
    const token = signLink(IN_PROCESS_SECRET, { roundId: id, bureauId: 'finance', linkId: finance.invitation!.linkId });

    let started = Date.now();
    const page = await app.request(`/r/${token}/receipt/${receipt.n}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(receipt.contentSha256);
    expect(html).toContain(finance.bureau.nameZh);
    expect(html).toContain('请补充\n区位图。');
    const record = await app.request(`/r/${token}/receipt/${receipt.n}/record.json`);
    const reply = JSON.parse(await record.text()) as Reply;
    expect(canonicalJson(reply)).toBeTruthy();
    expect(replyContentSha256(reply)).toBe(receipt.contentSha256);
    // Only this link's own replies: another bureau's link finds none.
    const other = signLink(IN_PROCESS_SECRET, {
      roundId: id,
      bureauId: 'science',
      linkId: s.bureaus[1]!.invitation!.linkId,
    });
    expect((await app.request(`/r/${other}/receipt/${receipt.n}`)).status).toBe(503);

    started = Date.now();
    const form = await app.request(`/r/${token}`);
    expect(form.status).toBe(503);
    expect(await form.text()).toContain('The service is temporarily unavailable');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
