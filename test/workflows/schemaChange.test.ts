/**
 * A running round survives a stricter schema: a reply recorded under today's schema is replayed by
 * a worker whose schema no longer accepts it (a comment limited to 100 characters). Update handlers
 * apply the payload as recorded and validators do not run on replay, so the round replays, and the
 * reply keeps its recorded contentSha256; only new requests meet the stricter schema.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { ReplyDraft } from '../../domain/consultation.js';
import { temporalTestServer } from '../../infra/tools.js';
import { inProcessActivityDeps } from '../../bench/support/activityDeps.js';
import { RecordingTransport } from '../support/mail.js';
import { MemoryContentStore } from '../../infra/store.js';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { bundleVariant } from '../support/variantBundle.js';
import { smallRoundInput } from '../support/rounds.js';

const TASK_QUEUE = 'test-schema-change';
let env: TestWorkflowEnvironment;
const store = new MemoryContentStore();
const activities = () => createActivities(inProcessActivityDeps(store, new RecordingTransport().asTransporter()));

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServer(process.env.TEMPORAL_TEST_SERVER_PATH) } },
  });
});

afterAll(async () => {
  await env?.teardown();
});

const longComment: ReplyDraft = {
  responder: { name: '王明', position: '办公室主任' },
  perDocument: {
    plan: { kind: 'comments', comments: [{ section: '1.1.1', text: '建议补充森林覆盖率的统计口径。'.repeat(20) }] },
  },
};

describe('a schema tightened after a reply was recorded', () => {
  it(
    'replays the running round, keeps the reply and its hash, and applies only to new requests',
    { timeout: 120_000 },
    async () => {
      const rounds = roundCalls(env.client, store, TASK_QUEUE);
      // No workflow cache, so no sticky queue: once this worker stops, the round's tasks go to the next one at once.
      const today = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: TASK_QUEUE,
        workflowBundle: { code: inject('workflowBundleCode') },
        activities: activities(),
        maxCachedWorkflows: 0,
      });
      const { id, receipt, before } = await today.runUntil(async () => {
        const id = await rounds.start(await smallRoundInput(store));
        await expect
          .poll(async () => (await rounds.status(id)).bureaus.every((b) => b.invitation?.sentAt), { timeout: 20_000 })
          .toBe(true);
        const s = await rounds.status(id);
        const receipt = await rounds.act(id, 'submitReply', {
          requestId: randomUUID(),
          actor: { name: '王明', role: 'bureau' },
          bureauId: 'finance',
          linkId: s.bureaus[0]!.invitation!.linkId,
          reply: longComment,
        });
        // Once its emails are sent, the round holds still until the next request.
        return { id, receipt, before: await rounds.until(id, (x) => x.mailInFlight.length === 0) };
      });

      // The next release: the same workflows, with a comment limited to 100 characters.
      const tightened = await bundleVariant(/domain[\\/]consultation\.ts$/, 'text: text(20000),', 'text: text(100),');
      const next = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: TASK_QUEUE,
        workflowBundle: tightened,
        activities: activities(),
      });
      await next.runUntil(async () => {
        // ... and a worker with the new schema, which has no cached state, replays it to answer this query.
        const after = await rounds.status(id);
        expect(after).toEqual(before);
        const finance = after.bureaus.find((b) => b.bureau.id === 'finance')!;
        expect(finance.replies.map((r) => r.contentSha256)).toEqual([receipt.contentSha256]);
        expect((await rounds.gateway.loadReply(finance.replies[0]!)).contentSha256).toBe(receipt.contentSha256);

        // The round runs on under the new code: new requests meet the stricter schema, in the round's validator.
        const refused = await env.client.workflow
          .getHandle(id)
          .executeUpdate('submitReply', {
            args: [
              {
                requestId: randomUUID(),
                actor: { name: '李华', role: 'bureau' },
                bureauId: 'science',
                linkId: after.bureaus[1]!.invitation!.linkId,
                reply: longComment,
              },
            ],
          })
          .catch((err: unknown) => err);
        expect(String((refused as Error).cause ?? refused)).toMatch(/at most 100 characters/);
        await rounds.act(id, 'submitReply', {
          requestId: randomUUID(),
          actor: { name: '李华', role: 'bureau' },
          bureauId: 'science',
          linkId: after.bureaus[1]!.invitation!.linkId,
          reply: { responder: { name: '李华', position: '科长' }, perDocument: { plan: { kind: 'noComments' } } },
        });
        expect((await rounds.status(id)).bureaus[1]!.outcome).toBe('noComments');
      });
    },
  );
});
