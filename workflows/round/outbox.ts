/**
 * The round's outgoing email: every stage queues messages here and the round's loop starts them.
 * Sends run without holding the round's clock (a send retrying for hours while the SMTP server is
 * down must not delay reminders or deadlines); each finished send wakes the loop. Message-IDs are
 * deterministic per recipient, kind and sequence, so a retried send reuses its Message-ID.
 * Messages queued together (a reply's confirmation and the coordinator's notice, the seven
 * invitations) go in one activity: one task for Temporal and the worker instead of one each.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  patched,
  proxyActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { MailInFlight } from '../../domain/round.js';
import { iso } from '../../domain/time.js';
import { PATCHES } from '../patches.js';
import {
  MAIL_RETRY_MAX_INTERVAL_MS,
  messageIdFor,
  type MailBatchOutcome,
  type MailKind,
  type MailRequest,
  type MailResult,
  type MailRound,
} from '../../domain/mail.js';

/**
 * Transient SMTP trouble is retried with backoff for up to a day; permanent failures are not retried.
 * A send heartbeats every few seconds (activities/email.ts), so a send whose worker died is noticed
 * by its missing heartbeats and tried again on another worker within half a minute, not after its
 * whole start-to-close timeout. Retries come at least once a minute, so mail goes out within a
 * minute of a long SMTP outage ending. (Activity options are not part of a history's determinism:
 * rounds started before keep replaying.)
 */
const MAIL_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: MAIL_RETRY_MAX_INTERVAL_MS },
} as const satisfies ActivityOptions;

/** At most this many messages in one activity, so that one attempt stays well inside its five minutes. */
export const MAIL_BATCH_MAX = 10;

const mail = proxyActivities<Activities>(MAIL_ACTIVITY_OPTIONS);

interface Queued {
  request: MailRequest;
  onSent?: (result: MailResult) => void;
}

export interface OutboxDeps {
  roundId: string;
  messageIdDomain: string;
  /** The status's list of emails not sent yet: the outbox adds each message it queues and removes it once its send ends. */
  inFlight: MailInFlight[];
  /** The round as the email templates show it, read when a message is queued. */
  mailRound(): MailRound;
  /** A message that could not be delivered (permanently, or after retries ran out). */
  onFailure(request: MailRequest, error: string, to: string[]): void;
  /** Wakes the round's loop. */
  poke(): void;
}

export class Outbox {
  private readonly queue: Queued[] = [];
  private readonly seq = new Map<string, number>();
  private inFlight = 0;

  constructor(private readonly deps: OutboxDeps) {}

  /** Queues one message; `recipient` is the bureau id or 'coordinator' (part of the Message-ID). */
  enqueue(
    kind: MailKind,
    recipient: string,
    to: string[],
    extra: Partial<MailRequest>,
    onSent?: (r: MailResult) => void,
  ): void {
    const key = `${recipient}.${kind}`;
    const seq = (this.seq.get(key) ?? 0) + 1;
    this.seq.set(key, seq);
    const messageId = messageIdFor(this.deps.roundId, recipient, kind, seq, this.deps.messageIdDomain);
    this.queue.push({ request: { kind, messageId, to, round: this.deps.mailRound(), ...extra }, onSent });
    this.deps.inFlight.push({ messageId, kind, recipient, to, since: iso(Date.now()) });
    this.deps.poke();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** True when nothing is queued or being sent. */
  get idle(): boolean {
    return this.queue.length === 0 && this.inFlight === 0;
  }

  /** Starts every queued message without waiting for it. */
  startSends(): void {
    const items = this.queue.splice(0);
    // Rounds started before messages went together send one per activity, as they did.
    if (items.length > 1 && patched(PATCHES.mailBatches)) {
      for (let i = 0; i < items.length; i += MAIL_BATCH_MAX) {
        const batch = items.slice(i, i + MAIL_BATCH_MAX);
        // The batch's activity ID is its first Message-ID: the edges find each message's attempts under it.
        const activityId = batch[0]!.request.messageId;
        for (const m of this.deps.inFlight)
          if (batch.some((b) => b.request.messageId === m.messageId)) m.activityId = activityId;
        this.track(batch, this.deliverBatch(batch, activityId));
      }
    } else {
      for (const item of items) this.track([item], this.deliver(item));
    }
  }

  private track(items: Queued[], sending: Promise<void>): void {
    this.inFlight += items.length;
    void sending.finally(() => {
      this.inFlight -= items.length;
      for (const item of items) {
        const at = this.deps.inFlight.findIndex((m) => m.messageId === item.request.messageId);
        if (at >= 0) this.deps.inFlight.splice(at, 1);
      }
      this.deps.poke();
    });
  }

  private async deliver(item: Queued): Promise<void> {
    try {
      // Each send's activity ID is its Message-ID, so the edges can tell its attempts and last error
      // (Temporal's pending activities) by message. Rounds that started before send as they did.
      const send = patched(PATCHES.mailActivityIds)
        ? proxyActivities<Activities>({ ...MAIL_ACTIVITY_OPTIONS, activityId: item.request.messageId })
        : mail;
      this.delivered(item, await send.sendEmail(item.request));
    } catch (err) {
      // A send stopped because the round itself was cancelled is not a delivery failure.
      if (isCancellation(err)) return;
      if (!(err instanceof ActivityFailure)) throw err;
      this.deps.onFailure(item.request, failureCause(err), item.request.to);
    }
  }

  private async deliverBatch(items: Queued[], activityId: string): Promise<void> {
    let outcomes: MailBatchOutcome[];
    try {
      const send = proxyActivities<Activities>({ ...MAIL_ACTIVITY_OPTIONS, activityId });
      outcomes = await send.sendEmails(items.map((i) => i.request));
    } catch (err) {
      if (isCancellation(err)) return;
      if (!(err instanceof ActivityFailure)) throw err;
      // The activity itself failed (its retries ran out with a worker gone): none of its messages is known sent.
      const cause = failureCause(err);
      for (const item of items) this.deps.onFailure(item.request, cause, item.request.to);
      return;
    }
    for (const item of items) {
      const outcome = outcomes.find((o) => o.messageId === item.request.messageId);
      if (outcome?.result) this.delivered(item, outcome.result);
      else
        this.deps.onFailure(
          item.request,
          outcome?.error ?? 'the send gave no answer for this message',
          item.request.to,
        );
    }
  }

  private delivered(item: Queued, result: MailResult): void {
    item.onSent?.(result);
    if (result.rejected.length > 0) {
      this.deps.onFailure(
        item.request,
        result.rejected.map((r) => `${r.address}: ${r.error}`).join('; '),
        result.rejected.map((r) => r.address),
      );
    }
  }
}

/** How a failed send reads in the round's records: `Type: message`. */
function failureCause(err: ActivityFailure): string {
  return err.cause instanceof ApplicationFailure
    ? `${err.cause.type ?? 'Error'}: ${err.cause.message}`
    : String(err.cause?.message ?? err.message);
}
