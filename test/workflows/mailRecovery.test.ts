/**
 * Mail after a fault, on the time-skipping server: a send whose worker died (it no longer
 * heartbeats) is tried again within seconds, not after the send's whole timeout; after a long
 * outage of the mail server the next attempt comes within a minute of its return; and while it is
 * down, the round's status lists the email (since when, attempts, last error) and shows a problem.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAIL_DELAY_PROBLEM_MS, problemsWithMailDelays } from '../../domain/mail.js';
import type { RoundStatus } from '../../domain/round.js';
import { MemoryContentStore } from '../../infra/store.js';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { RecordingTransport } from '../support/mail.js';
import { recordHistory } from '../support/recordHistory.js';
import { smallRoundInput } from '../support/rounds.js';
import { timeSkippingWorker } from '../support/testWorker.js';

const TASK_QUEUE = 'test-mail-recovery';
const HOUR = 3600_000;
let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;
const store = new MemoryContentStore();
const mail = new RecordingTransport();

beforeAll(async () => {
  // A send on this worker never heartbeats, as a send on a killed worker does not.
  ({ env, stop } = await timeSkippingWorker({
    taskQueue: TASK_QUEUE,
    store,
    transport: mail.asTransporter(),
    activityDeps: { heartbeatEveryMs: HOUR },
  }));
});

afterAll(async () => {
  mail.releaseHung();
  await stop?.();
});

beforeEach(() => {
  mail.sent.length = 0;
  mail.hangNext = 0;
  mail.unreachableAddresses.clear();
});

const rounds = () => roundCalls(env.client, store, TASK_QUEUE);
const sent = (s: RoundStatus) => s.bureaus[0]!.invitation?.sentAt !== undefined;

async function oneBureauRound() {
  const input = await smallRoundInput(store, { bureaus: (await smallRoundInput(store)).bureaus.slice(0, 1) });
  return { id: await rounds().start(input), address: input.bureaus[0]!.contacts[0]!.email };
}

describe('mail after a fault', () => {
  it('sends again within seconds when the worker sending a message died', async () => {
    mail.hangNext = 1;
    const { id } = await oneBureauRound();
    // The server does not skip time while a send is outstanding: this waits out the heartbeat timeout (30 s).
    await env.sleep(45_000);
    const s = await rounds().until(id, sent, 10_000);
    expect(mail.ofKind('invitation', id)).toHaveLength(1);
    expect(s.bureaus[0]!.invitation!.failures).toEqual([]);
  });

  it('sends within a minute of the mail server coming back after hours', async () => {
    const { id, address } = await oneBureauRound();
    mail.unreachableAddresses.add(address);
    // Three hours and two minutes: with retries 10 minutes apart, the next one would still be 9 minutes away.
    await env.sleep(3 * HOUR + 2 * 60_000);
    expect(sent(await rounds().status(id))).toBe(false);
    mail.unreachableAddresses.delete(address);
    await env.sleep(65_000);
    await rounds().until(id, sent, 10_000);
    expect(mail.ofKind('invitation', id)).toHaveLength(1);
  });

  it('lists an email the mail server has not taken, with since when, its attempts and last error, and makes it a problem after a while', async () => {
    const { id, address } = await oneBureauRound();
    mail.unreachableAddresses.add(address);
    await env.sleep(5 * 60_000);
    let s = await rounds().until(id, (x) => (x.mailInFlight[0]?.attempts ?? 0) > 1, 10_000);
    expect(s.mailInFlight).toEqual([
      {
        messageId: expect.stringMatching(/\.invitation\.1@/),
        kind: 'invitation',
        recipient: s.bureaus[0]!.bureau.id,
        to: [address],
        since: expect.any(String),
        attempts: expect.any(Number),
        lastError: expect.stringContaining('ECONNREFUSED'),
        lastAttemptAt: expect.any(String),
      },
    ]);
    // Since the round asked for it, when it started.
    expect(Date.parse(s.mailInFlight[0]!.since) - Date.parse(s.startedAt)).toBeLessThan(5_000);
    expect(s.problems).toEqual([]);
    expect(problemsWithMailDelays(s, await env.currentTimeMs())).toEqual([]);

    await env.sleep(MAIL_DELAY_PROBLEM_MS);
    s = await rounds().status(id);
    const [problem] = problemsWithMailDelays(s, await env.currentTimeMs());
    expect(problem).toEqual({
      at: s.mailInFlight[0]!.since,
      message: expect.stringContaining(`invitation → ${address}`),
    });
    expect(problem!.message).toContain('ECONNREFUSED');

    mail.unreachableAddresses.delete(address);
    await env.sleep(65_000);
    s = await rounds().until(id, (x) => sent(x) && x.mailInFlight.length === 0, 10_000);
    expect(problemsWithMailDelays(s, await env.currentTimeMs())).toEqual([]);
    await recordHistory(env.client.workflow.getHandle(id), 'mail-delayed');
  });
});
