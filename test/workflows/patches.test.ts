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
import { PATCHES } from '../../workflows/patches.js';
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
      let fresh = '';
      await after.runUntil(async () => {
        const s = await rounds().status(id);
        expect(s.bureaus.find((b) => b.bureau.id === 'water')!.deadline).toBe(old.extended);
        await rounds().act(id, 'addBureau', asCoordinator({ bureau: newBureau('culture') }));
        expect((await rounds().status(id)).bureaus.find((b) => b.bureau.id === 'culture')!.deadline).toBe(old.round);

        // A round started after the upgrade has the new behaviour throughout.
        fresh = await rounds().start(await smallRoundInput(store));
        const now = await extendThenAdd(fresh, 'water');
        expect(now.added).toBe(now.round);
        expect(now.added).not.toBe(now.extended);
      });
      // Their reminders and deadlines are not this test's: no worker would run them when a later test skips time.
      for (const round of [id, fresh]) await env.client.workflow.getHandle(round).terminate('test finished');
    },
  );
});

describe('the stage loop waking on counters (PATCHES.wakeOnCounters)', () => {
  /** The workflows before the change: the loop always races the due timer's promise with a condition. */
  const bundleBeforeCounters = () => bundleVariant(/round[\\/]round\.ts$/, '!patched(PATCHES.wakeOnCounters)', 'true');

  /** The patches a round's history has recorded, in order (the SDK's patch markers). */
  async function patchesRecorded(id: string): Promise<string[]> {
    const history = await env.client.workflow.getHandle(id).fetchHistory();
    return (history.events ?? []).flatMap((e) => {
      const marker = e.markerRecordedEventAttributes;
      const data = marker?.details?.['patch-data']?.payloads?.[0]?.data;
      if (marker?.markerName !== 'core_patch' || !data) return [];
      return [(JSON.parse(new TextDecoder().decode(data)) as { id: string }).id];
    });
  }

  it(
    'wakes a round that waited the old way, after the upgrade, on its reminders, a reply and its deadline',
    { timeout: 120_000 },
    async () => {
      const before = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: TASK_QUEUE,
        workflowBundle: await bundleBeforeCounters(),
        activities: activities(),
        maxCachedWorkflows: 0,
      });
      const id = await before.runUntil(async () => {
        const id = await rounds().start(await smallRoundInput(store));
        const invited = await rounds().until(id, (s) => s.bureaus.every((b) => b.invitation?.sentAt !== undefined));
        await rounds().replyAs(invited, 'finance', {
          responder: { name: '王明', position: '办公室主任' },
          perDocument: { plan: { kind: 'noComments' } },
        });
        await rounds().until(id, (s) => s.bureaus[0]!.outcome === 'noComments');
        return id;
      });
      expect(await patchesRecorded(id)).not.toContain(PATCHES.wakeOnCounters);

      const after = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: TASK_QUEUE,
        workflowBundle: { code: inject('workflowBundleCode') },
        activities: activities(),
      });
      await after.runUntil(async () => {
        const remindersOf = (s: Awaited<ReturnType<ReturnType<typeof rounds>['status']>>) =>
          s.bureaus.map((b) => b.invitation!.remindersSent.length);
        await env.sleep(7 * DAY + 60_000); // the first reminder, due on the timer armed before the upgrade
        expect(remindersOf(await rounds().until(id, (s) => remindersOf(s)[1] === 1))).toEqual([0, 1, 1]);

        const s = await rounds().status(id);
        await rounds().replyAs(s, 'science', {
          responder: { name: '李华', position: '科长' },
          perDocument: { plan: { kind: 'noComments' } },
        });
        await rounds().until(id, (x) => x.bureaus[1]!.outcome === 'noComments');

        await env.sleep(7 * DAY); // past the deadline: forestry is deemed to have no comments
        const done = await rounds().until(id, (x) => x.stage === 'completed');
        expect(done.bureaus.map((b) => b.outcome)).toEqual(['noComments', 'noComments', 'deemedNoComments']);
        expect(remindersOf(done)).toEqual([0, 1, 3]);
      });
      // The waits after the upgrade were the new ones: the round recorded the patch then, once.
      expect((await patchesRecorded(id)).filter((p) => p === PATCHES.wakeOnCounters)).toHaveLength(1);
      // The replay suite keeps this round, waits of both kinds in one history, replaying with today's code.
      await recordHistory(env.client.workflow.getHandle(id), 'wake-on-counters-upgrade');
    },
  );
});
