/**
 * Load: many stand-in rounds of seven bureaus at once, every bureau answering through its emailed
 * link over HTTP from a pool of concurrent clients. Every reply must be recorded exactly once
 * (no Update lost), every email delivered, and no process may die.
 */
import type { ReplyOutcome } from './bureau.js';
import { commentAnswer, replyThroughLinkPatiently } from './bureau.js';
import { checkRounds, clientFigures } from './checks.js';
import type { ScenarioOutcome } from './faults.js';
import { seedBureaus, startRounds, waitForLinks } from './rounds.js';
import type { BatteryStack } from './stack.js';

const MINUTE = 60_000;

export async function load(stack: BatteryStack, rounds: number, clients: number): Promise<ScenarioOutcome> {
  const crashesBefore = stack.crashes.length;
  const t0 = Date.now();
  const ids = await startRounds(stack, 'load', rounds, { parallel: 10 });
  const started = Date.now();
  const links = await waitForLinks(stack, ids, Math.max(5, rounds) * MINUTE);
  const invited = Date.now();

  const bureaus = await seedBureaus();
  const jobs = ids.flatMap((id) =>
    bureaus.map((b) => ({ id, bureau: b.id, link: links.get(id)!.get(b.contacts[0]!.email)! })),
  );
  const receipts = new Map<string, Map<string, ReplyOutcome>>(ids.map((id) => [id, new Map()]));
  const outcomes: ReplyOutcome[] = [];
  const errors: string[] = [];
  let next = 0;
  const client = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      try {
        const o = await replyThroughLinkPatiently(
          job.link,
          commentAnswer(['plan'], `${job.id} ${job.bureau}：负载测试意见`),
          {
            giveUpAfterMs: 5 * MINUTE,
          },
        );
        receipts.get(job.id)!.set(job.bureau, o);
        outcomes.push(o);
      } catch (err) {
        errors.push(`${job.id} ${job.bureau}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const replied = Date.now();

  const checked = await checkRounds(stack, ids, receipts, { settleMs: Math.max(3, rounds / 10) * MINUTE });
  const settled = Date.now();
  const c = clientFigures(outcomes);
  const crashes = stack.crashes.slice(crashesBefore);
  return {
    name: 'load: rounds of 7 bureaus at once, replies from concurrent clients',
    figures: {
      ...checked.figures,
      ...c.figures,
      clients,
      repliesNotReceipted: errors.length,
      updatesAccepted: checked.figures.repliesRecorded!,
      secondsToStartRounds: Math.round((started - t0) / 1000),
      secondsToInviteAll: Math.round((invited - t0) / 1000),
      secondsForReplies: Math.round((replied - invited) / 1000),
      repliesPerSecond: Math.round((outcomes.length / Math.max(1, (replied - invited) / 1000)) * 10) / 10,
      secondsToDeliverAllMail: Math.round((settled - t0) / 1000),
      crashes: crashes.length,
    },
    broken: [
      ...checked.broken,
      ...c.broken,
      ...errors,
      ...crashes,
      ...(checked.figures.repliesRecorded === jobs.length
        ? []
        : [`${checked.figures.repliesRecorded} replies recorded for ${jobs.length} given`]),
    ],
  };
}
