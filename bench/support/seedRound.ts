/**
 * Drives the seed's consultation round through a round's Updates, as the bureaus did in February
 * 2022 (seeds/review/replies.yaml: the replies of appendix 3, and table 10-1's lines for water and culture and tourism):
 * used by the billable-actions benchmark and to record the replay-test history; the tests start
 * the same round from SEED_ROUND_FILE.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Actor } from '../../domain/records.js';
import type { RoundStatus } from '../../domain/round.js';
import { loadRoundFile } from '../../infra/roundFile.js';
import { loadSeedReview, replyDraftOf } from '../../infra/seedReview.js';
import { roundCalls } from './roundCalls.js';
import type { ContentStore } from '../../infra/store.js';

export const SEED_ROUND_FILE = fileURLToPath(new URL('../../seeds/rounds/xinrong-round-1.yaml', import.meta.url));

export const seedCoordinator: Actor = {
  name: '规划编制组',
  role: 'coordinator',
  email: 'coordinator@xinrong.example.org',
};

export interface SeedRun {
  id: string;
  queries: number;
}

/** Starts the seed round (plan id overridable so runs never collide) and answers for every bureau through its link. */
export async function runSeedConsultation(
  client: Client,
  taskQueue: string,
  store: ContentStore,
  planId: string,
): Promise<SeedRun> {
  const { input } = await loadRoundFile(SEED_ROUND_FILE, store, {
    startedBy: seedCoordinator,
    messageIdDomain: 'plan-review.test',
  });
  const rounds = roundCalls(client, store, taskQueue);
  const id = await rounds.start({ ...input, planId });
  let queries = 0;
  const poll = async (pred: (s: RoundStatus) => boolean): Promise<RoundStatus> => {
    for (let i = 0; i < 400; i++) {
      queries++;
      const s = await rounds.status(id);
      if (pred(s)) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`round ${id} did not reach the expected state`);
  };
  const invited = await poll((s) => s.bureaus.every((b) => b.invitation?.sentAt !== undefined));
  for (const reply of (await loadSeedReview()).replies) {
    const b = invited.bureaus.find((x) => x.bureau.id === reply.bureau)!;
    await rounds.act(id, 'submitReply', {
      requestId: randomUUID(),
      actor: { name: reply.responder.name, role: 'bureau' },
      bureauId: b.bureau.id,
      linkId: b.invitation!.linkId,
      reply: replyDraftOf(reply),
    });
  }
  return { id, queries };
}

/** Billable actions by the Temporal Cloud rules, counted from a history. */
export function countBillableActions(history: temporal.api.history.v1.IHistory): Record<string, number> {
  const counts: Record<string, number> = {
    workflowStarted: 0,
    activities: 0,
    activityRetries: 0,
    timers: 0,
    signals: 0,
    updatesAccepted: 0,
  };
  for (const e of history.events ?? []) {
    if (e.workflowExecutionStartedEventAttributes) counts.workflowStarted!++;
    if (e.activityTaskScheduledEventAttributes) counts.activities!++;
    if (e.activityTaskStartedEventAttributes)
      counts.activityRetries! += Math.max(0, (e.activityTaskStartedEventAttributes.attempt ?? 1) - 1);
    if (e.timerStartedEventAttributes) counts.timers!++;
    if (e.workflowExecutionSignaledEventAttributes) counts.signals!++;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) counts.updatesAccepted!++;
  }
  counts.total = Object.values(counts).reduce((a, b) => a + b, 0);
  return counts;
}
