/**
 * One bureau must never be able to break a round: a bureau floods its own valid link with the
 * largest replies the limits allow, and every other bureau can still reply, the coordinator can
 * still act, the status stays far below Temporal's payload limit, and the round completes (or is
 * cancelled). Default limits (domain/limits.ts), the seed round's seven bureaus and two documents.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplyDraft } from '../../domain/consultation.js';
import { ROUND_LIMITS } from '../../domain/limits.js';
import { draftBytes } from '../../domain/replies.js';
import type { RoundStatus } from '../../domain/round.js';
import { loadRoundFile } from '../../infra/roundFile.js';
import { RoundGatewayError } from '../../infra/roundGateway.js';
import { MemoryContentStore } from '../../infra/store.js';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { timeSkippingWorker } from '../support/testWorker.js';
import { uniquePlanId } from '../support/rounds.js';
import { SEED_ROUND_FILE, seedCoordinator } from '../../bench/support/seedRound.js';

const TASK_QUEUE = 'test-flood';
const DAY = 24 * 3600 * 1000;
const STATUS_BUDGET = 256 * 1024;
let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;
const store = new MemoryContentStore();
const rounds = () => roundCalls(env.client, store, TASK_QUEUE);

beforeAll(async () => {
  ({ env, stop } = await timeSkippingWorker({ taskQueue: TASK_QUEUE, store }));
});

afterAll(async () => {
  await stop?.();
});

/** The largest reply the limit takes: comments of the longest allowed text, filled to just under the byte limit. */
function maximalReply(version: number): ReplyDraft {
  const draft = (chars: number): ReplyDraft => {
    const comments = [];
    for (let left = chars; left > 0; left -= 20000)
      comments.push({ text: `第${version}版`.padEnd(Math.min(20000, left), '意') });
    return {
      responder: { name: '王明', position: '办公室主任' },
      perDocument: { 'xinrong-eco-plan': { kind: 'comments', comments } },
    };
  };
  let lo = 1;
  let hi = ROUND_LIMITS.replyBytes; // a Chinese character is three bytes: the answer lies far below
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (draftBytes(draft(mid)).byteLength <= ROUND_LIMITS.replyBytes) lo = mid;
    else hi = mid - 1;
  }
  return draft(lo);
}

async function startSeedRound(): Promise<RoundStatus> {
  const { input } = await loadRoundFile(SEED_ROUND_FILE, store, {
    startedBy: seedCoordinator,
    messageIdDomain: 'plan-review.test',
  });
  const id = await rounds().start({ ...input, planId: uniquePlanId('flood') });
  await expect
    .poll(async () => (await rounds().status(id)).bureaus.every((b) => b.invitation?.sentAt), { timeout: 30_000 })
    .toBe(true);
  return rounds().status(id);
}

function reply(s: RoundStatus, bureauId: string, draft: ReplyDraft) {
  const b = s.bureaus.find((x) => x.bureau.id === bureauId)!;
  return rounds().act(s.id, 'submitReply', {
    requestId: randomUUID(),
    actor: { name: '王明', role: 'bureau' },
    bureauId,
    linkId: b.invitation!.linkId,
    reply: draft,
  });
}

/** Floods a bureau's link with maximal replies until the round refuses one; returns how many it took. */
async function flood(s: RoundStatus, bureauId: string): Promise<{ accepted: number; refusal: string }> {
  for (let version = 1; ; version++) {
    try {
      await reply(s, bureauId, maximalReply(version));
    } catch (err) {
      if (!(err instanceof RoundGatewayError) || err.outcome.kind !== 'refused') throw err;
      return { accepted: version - 1, refusal: err.outcome.refusal.code };
    }
  }
}

const statusBytes = async (id: string) => Buffer.byteLength(JSON.stringify(await rounds().status(id)));

describe('a bureau flooding its own link', () => {
  it('is stopped by its own limits, leaves every other bureau and the coordinator able to act, and the round completes', async () => {
    const s = await startSeedRound();
    expect(draftBytes(maximalReply(1)).byteLength).toBeGreaterThan(ROUND_LIMITS.replyBytes - 64);

    const finance = await flood(s, 'finance');
    // A maximal reply fits eight times in the bureau's 2 MiB, so a bureau can revise a maximal reply several times.
    expect(finance).toEqual({
      accepted: Math.floor(ROUND_LIMITS.replyBytesPerBureau / ROUND_LIMITS.replyBytes),
      refusal: 'bureauReplyQuota',
    });
    await expect(
      reply(s, 'finance', {
        responder: { name: '王明', position: '主任' },
        perDocument: { 'xinrong-eco-plan': { kind: 'noComments' } },
      }),
    ).rejects.toThrow(/this bureau’s replies together exceed 2 MiB/);

    // Every other bureau floods too: each is stopped by its own limit, none by another's.
    for (const b of s.bureaus.slice(1, -1)) expect((await flood(s, b.bureau.id)).refusal).toBe('bureauReplyQuota');
    const last = s.bureaus[s.bureaus.length - 1]!.bureau.id;
    await reply(s, last, {
      responder: { name: '李华', position: '科长' },
      perDocument: { 'xinrong-eco-plan': { kind: 'noComments' } },
    });

    const size = await statusBytes(s.id);
    expect(size).toBeLessThan(STATUS_BUDGET);
    console.log(`status of a flooded seed round: ${size} bytes`);

    // The coordinator still acts, and the round runs to its end.
    const deadline = new Date(Date.parse(s.bureaus[0]!.deadline) + DAY).toISOString();
    await rounds().act(s.id, 'extendDeadline', {
      requestId: randomUUID(),
      actor: seedCoordinator,
      bureauId: last,
      deadline,
      reason: '测试延期',
    });
    await rounds().act(s.id, 'closeConsultation', {
      requestId: randomUUID(),
      actor: seedCoordinator,
      reason: '各单位均已答复',
    });
    const result = await env.client.workflow.getHandle(s.id).result();
    expect(result.stage).toBe('completed');
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(4096);
    expect(
      (await rounds().status(s.id)).bureaus.every((b) => b.outcome === 'replied' || b.outcome === 'noComments'),
    ).toBe(true);
    // About 60 maximal replies of 256 KiB through the round: over a minute when the machine is busy.
  }, 240_000);

  it('can still be cancelled after a flood', async () => {
    const s = await startSeedRound();
    await flood(s, 'energy');
    await rounds().act(s.id, 'cancelRound', { requestId: randomUUID(), actor: seedCoordinator, reason: '测试取消' });
    const result = await env.client.workflow.getHandle(s.id).result();
    expect(result.stage).toBe('cancelled');
    expect(await statusBytes(s.id)).toBeLessThan(STATUS_BUDGET);
  });
});
