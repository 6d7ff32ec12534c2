/**
 * The invariants every scenario is held to, read from the round itself (its status and its
 * Temporal history) and from what the mail server accepted:
 * - no reply lost: every receipt a bureau was given is a reply the round recorded, once;
 * - every email the round sent went out at least once (unless its recipient was refused for good);
 * - a copy (same Message-ID) only when its send took more than one attempt and its first copy was
 *   accepted before a fault, the next after it: the fault fell between the server's acceptance and
 *   the activity's completion. Such copies are counted; any other copy breaks the invariant.
 */
import { buildTimeline, type EmailFacts } from '../../infra/timeline.js';
import { unwrap } from '../../infra/roundGateway.js';
import type { RoundStatus } from '../../domain/round.js';
import type { ReplyOutcome } from './bureau.js';
import type { BatteryStack } from './stack.js';
import { sleep } from './rounds.js';

export interface Checked {
  figures: Record<string, number>;
  broken: string[];
}

/** Waits until no round has an email waiting (or the timeout passes: what is still waiting is then reported). */
export async function settleMail(stack: BatteryStack, ids: string[], timeoutMs: number): Promise<RoundStatus[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const statuses: RoundStatus[] = [];
    for (const id of ids) statuses.push(unwrap(await stack.rounds.status(id)));
    if (statuses.every((s) => s.mailInFlight.length === 0) || Date.now() > until) return statuses;
    await sleep(500);
  }
}

export async function checkRounds(
  stack: BatteryStack,
  ids: string[],
  receipts: Map<string, Map<string, ReplyOutcome>>,
  opts: { settleMs: number; refused?: string[] },
): Promise<Checked> {
  const broken: string[] = [];
  const statuses = await settleMail(stack, ids, opts.settleMs);
  const mail = await stack.accepted();
  const copies = new Map<string, number>();
  const firstAt = new Map<string, number[]>();
  for (const m of mail) {
    copies.set(m.messageId, (copies.get(m.messageId) ?? 0) + 1);
    firstAt.set(m.messageId, [...(firstAt.get(m.messageId) ?? []), m.acceptedAt]);
  }
  const f = {
    rounds: ids.length,
    repliesReceipted: 0,
    repliesRecorded: 0,
    repliesLost: 0,
    repliesRecordedTwice: 0,
    emailsSent: 0,
    emailsDelivered: 0,
    emailsUndelivered: 0,
    emailsStillWaiting: 0,
    emailsRefusedForGood: 0,
    duplicateEmails: 0,
    duplicatesUnexplained: 0,
  };
  for (const s of statuses) {
    const given = receipts.get(s.id) ?? new Map<string, ReplyOutcome>();
    for (const b of s.bureaus) {
      f.repliesRecorded += b.replies.length;
      const r = given.get(b.bureau.id);
      if (b.replies.length > 1) {
        f.repliesRecordedTwice += b.replies.length - 1;
        broken.push(`${s.id}: ${b.bureau.id} has ${b.replies.length} replies recorded for one reply`);
      }
      if (!r) continue;
      f.repliesReceipted++;
      if (!b.replies.some((x) => x.n === r.n && x.contentSha256 === r.contentSha256)) {
        f.repliesLost++;
        broken.push(`${s.id}: ${b.bureau.id}'s reply (receipt ${r.n}, ${r.contentSha256}) is not in the round`);
      }
    }
    f.emailsStillWaiting += s.mailInFlight.length;
    for (const m of s.mailInFlight) broken.push(`${s.id}: ${m.kind} to ${m.to.join(', ')} still waiting`);

    const history = await stack.client.workflow.getHandle(s.id).fetchHistory();
    const emails = buildTimeline(s.id, history)
      .entries.map((e) => e.email)
      .filter((e): e is EmailFacts => e !== undefined && !!e.messageId);
    const seen = new Set<string>();
    for (const e of emails) {
      if (seen.has(e.messageId)) continue;
      seen.add(e.messageId);
      f.emailsSent++;
      const n = copies.get(e.messageId) ?? 0;
      const refusedForGood = e.to.some((a) => opts.refused?.includes(a));
      if (refusedForGood) {
        f.emailsRefusedForGood++;
        if (n > 0) broken.push(`${e.messageId} to a refused address was delivered`);
        if (e.attempts > 1) broken.push(`${e.messageId} to a refused address was tried ${e.attempts} times`);
        continue;
      }
      if (n === 0) {
        f.emailsUndelivered++;
        broken.push(`${s.id}: ${e.kind} ${e.messageId} to ${e.to.join(', ')} never reached the mail server`);
        continue;
      }
      f.emailsDelivered++;
      if (n === 1) continue;
      f.duplicateEmails += n - 1;
      const [first, ...later] = firstAt.get(e.messageId)!.sort((a, b) => a - b);
      const faultBetween = stack.faults.some((x) => x.at >= first! && x.at <= later[0]!);
      if (e.attempts < n || !faultBetween) {
        f.duplicatesUnexplained += n - 1;
        broken.push(
          `${e.messageId}: ${n} copies, ${e.attempts} attempt(s), ${faultBetween ? '' : 'no fault between the first copy and the next'}`,
        );
      }
    }
  }
  return { figures: f, broken };
}

/** What the bureaus' clients saw, summed. */
export function clientFigures(outcomes: ReplyOutcome[]): { figures: Record<string, number>; broken: string[] } {
  const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const q = (p: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]! : 0);
  const unclear = outcomes.flatMap((o) => o.unclearErrors);
  return {
    figures: {
      replyPosts: outcomes.reduce((n, o) => n + o.failedPosts + 1, 0),
      failedPosts: outcomes.reduce((n, o) => n + o.failedPosts, 0),
      clearErrorPages: outcomes.reduce((n, o) => n + o.clearErrors, 0),
      unclearErrorPages: unclear.length,
      postsUnanswered: outcomes.reduce((n, o) => n + o.noAnswer, 0),
      resubmittedReplies: outcomes.filter((o) => o.failedPosts > 0).length,
      linksReopened: outcomes.reduce((n, o) => n + o.reopened, 0),
      pageLoadRetries: outcomes.reduce((n, o) => n + o.failedLoads, 0),
      replyMsP50: q(0.5),
      replyMsP95: q(0.95),
      replyMsMax: q(1),
    },
    broken: unclear.map((u) => `a failed POST did not give a clear page back: ${u}`),
  };
}
