/**
 * The patched() convention (workflows/patches.ts), shown on a real fix: a bureau added without a
 * deadline now gets the round's deadline; before the fix it got the latest deadline of any bureau,
 * extensions included. A round started under the old code keeps what it recorded when a new worker
 * replays it, and a bureau it adds after the upgrade gets the new rule.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { Bureau } from '../../domain/records.js';
import { temporalTestServer } from '../../infra/tools.js';
import { inProcessActivityDeps } from '../../bench/support/activityDeps.js';
import { RecordingTransport } from '../support/mail.js';
import { MemoryContentStore } from '../../infra/store.js';
import { recordHistory } from '../support/recordHistory.js';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { bundleVariant } from '../support/variantBundle.js';
import { coordinator, smallRoundInput } from '../support/rounds.js';

const TASK_QUEUE = 'test-patches';
const DAY = 24 * 3600 * 1000;
let env: TestWorkflowEnvironment;
const store = new MemoryContentStore();
const activities = () => createActivities(inProcessActivityDeps(store, new RecordingTransport().asTransporter()));
const rounds = () => roundCalls(env.client, store, TASK_QUEUE);

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServer(process.env.TEMPORAL_TEST_SERVER_PATH) } },
  });
});

afterAll(async () => {
  await env?.teardown();
});

/** The workflows as they were before the fix: the patched() branch taken out. */
const bundleBeforeFix = () =>
  bundleVariant(/stages[\\/]consultation[\\/]actions\.ts$/, '!patched(PATCHES.addBureauRoundDeadline)', 'true');

const newBureau = (id: string): Bureau => ({
  id,
  nameZh: `新增${id}局`,
  nameEn: `Added ${id} bureau`,
  contacts: [{ email: `${id}@bureaus.example.org` }],
  contactPerson: `${id}办公室`,
});
const asCoordinator = <T extends object>(req: T) => ({ requestId: randomUUID(), actor: coordinator, ...req });

/** Extends finance by three days, then adds a bureau without a deadline; returns the added bureau's deadline. */
async function extendThenAdd(
  id: string,
  bureauId: string,
): Promise<{ added: string; round: string; extended: string }> {
  // A round just started is still reading its documents (stage drafting): act once it consults.
  const s = await rounds().until(id, (x) => x.stage === 'consultation');
  const extended = new Date(Date.parse(s.bureaus[0]!.deadline) + 3 * DAY).toISOString();
  if (s.bureaus[0]!.deadline !== extended && s.bureaus[0]!.extensions.length === 0) {
    await rounds().act(
      id,
      'extendDeadline',
      asCoordinator({ bureauId: 'finance', deadline: extended, reason: '财政局申请延期' }),
    );
  }
  await rounds().act(id, 'addBureau', asCoordinator({ bureau: newBureau(bureauId) }));
  const after = await rounds().status(id);
  return {
    added: after.bureaus.find((b) => b.bureau.id === bureauId)!.deadline,
    round: s.bureaus[1]!.deadline,
    extended: after.bureaus[0]!.deadline,
  };
}

describe('a behaviour change behind patched()', () => {
  it(
    'keeps the old behaviour for a round recorded before it and applies the new one after the upgrade',
    { timeout: 120_000 },
    async () => {
      // Before the fix (no workflow cache, so the round's next task goes to whichever worker runs next).
      const before = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: TASK_QUEUE,
        workflowBundle: await bundleBeforeFix(),
        activities: activities(),
        maxCachedWorkflows: 0,
      });
      const { id, old } = await before.runUntil(async () => {
        const id = await rounds().start(await smallRoundInput(store));
        const old = await extendThenAdd(id, 'water');
        return { id, old };
      });
      expect(old.added).toBe(old.extended); // the old behaviour: the extended deadline was inherited
      // The replay suite keeps a round from before the fix replaying with today's code.
      await recordHistory(env.client.workflow.getHandle(id), 'add-bureau-before-patch');

      // After the upgrade: the running round replays with its recorded behaviour, and new additions follow the fix.
      const after = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: TASK_QUEUE,
        workflowBundle: { code: inject('workflowBundleCode') },
        activities: activities(),
      });
      await after.runUntil(async () => {
        const s = await rounds().status(id);
        expect(s.bureaus.find((b) => b.bureau.id === 'water')!.deadline).toBe(old.extended);
        await rounds().act(id, 'addBureau', asCoordinator({ bureau: newBureau('culture') }));
        expect((await rounds().status(id)).bureaus.find((b) => b.bureau.id === 'culture')!.deadline).toBe(old.round);

        // A round started after the upgrade has the new behaviour throughout.
        const fresh = await rounds().start(await smallRoundInput(store));
        const now = await extendThenAdd(fresh, 'water');
        expect(now.added).toBe(now.round);
        expect(now.added).not.toBe(now.extended);
      });
    },
  );
});
