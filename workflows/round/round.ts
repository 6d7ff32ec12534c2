/**
 * The state of one review round and what every stage shares: the status (the one query's answer),
 * the outbox, the due timer, the idempotency of human actions, problems and the coordinator's
 * notices. Stages (workflows/stages/) hold their own rules and act on this.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { ActionAck } from '../../domain/consultation.js';
import { ROUND_LIMITS } from '../../domain/limits.js';
import type { MailKind, MailRequest, MailRound } from '../../domain/mail.js';
import type { Actor } from '../../domain/records.js';
import {
  freshRoundRecords,
  newBureauStatus,
  type BureauStatus,
  type RoundInput,
  type RoundResult,
  type RoundStatus,
  type Stage,
} from '../../domain/round.js';
import { reviewRoundId } from '../../domain/ids.js';
import { iso } from '../../domain/time.js';
import { DueTimer } from './dueTimer.js';
import { Outbox } from './outbox.js';
import { PATCHES } from '../patches.js';
import { refuse } from './refuse.js';

const documents = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});

/**
 * How many handled requests are remembered for idempotency. A repeat arrives within seconds or
 * minutes of the first (a second click, a retried POST or CLI call), long before this many other
 * actions; and the edges send each request's id as its Update ID, which Temporal itself
 * deduplicates. So older keys can be forgotten, and the map stays small for a months-long round.
 */
export const IDEMPOTENCY_KEYS_KEPT = 500;

/** What a stage's loop needs to know: what is due, when next, and when the stage is over. */
export interface DueSchedule {
  applyDue(now: number): void;
  nextDue(): number | null;
  isOver(): boolean;
}

export class Round {
  readonly status: RoundStatus;
  readonly outbox: Outbox;
  readonly timer = new DueTimer();
  /**
   * The deadline the round file gave (resolved at the round's start, or at the consultation's start
   * when another stage runs first), the default for a bureau added later.
   */
  roundDeadline: string;
  private readonly handled = new Map<string, unknown>();
  private changes = 0;

  constructor(readonly input: RoundInput) {
    const start = workflowInfo().startTime.getTime();
    this.roundDeadline = 'at' in input.deadline ? input.deadline.at : iso(start + input.deadline.afterMs);
    this.status = {
      id: reviewRoundId(input.planId, input.n),
      planId: input.planId,
      n: input.n,
      title: input.title,
      timeZone: input.timeZone,
      stage: 'drafting',
      coordinator: input.coordinator,
      startedAt: iso(start),
      startedBy: input.startedBy,
      graceMs: input.graceMs,
      reminderOffsetsMs: input.reminderOffsetsMs,
      consultationEndsAt: null,
      documents: [],
      bureaus: input.bureaus.map((b) => newBureauStatus(b, this.roundDeadline)),
      consultation: { closed: null, endedAt: null },
      ...freshRoundRecords(),
      mailInFlight: [],
    };
    this.outbox = new Outbox({
      roundId: this.status.id,
      messageIdDomain: input.messageIdDomain,
      inFlight: this.status.mailInFlight,
      mailRound: () => this.mailRound(),
      onFailure: (request, error, to) => this.deliveryFailed(request, error, to),
      poke: () => this.poke(),
    });
  }

  get id(): string {
    return this.status.id;
  }

  get cancelled(): boolean {
    return this.status.stage === 'cancelled';
  }

  /** Wakes the loop of the running stage. */
  poke(): void {
    this.changes++;
  }

  /** Resolves at the next change to the round (an action, a finished send). */
  async waitForChange(): Promise<void> {
    const seen = this.changes;
    await condition(() => this.changes !== seen);
  }

  /**
   * Resolves at the next change to the round or when the due timer fires: one condition on both
   * counters, where the rounds before PATCHES.wakeOnCounters raced the timer's promise with the
   * condition (`old`). A round's workflow code makes fewer promises this way, and the worker
   * captures a stack trace for each promise.
   */
  changeOrDue(old: () => Promise<void>): Promise<void> {
    if (!patched(PATCHES.wakeOnCounters)) return old();
    const seen = this.changes;
    const fires = this.timer.fires;
    return condition(() => this.changes !== seen || this.timer.fires !== fires);
  }

  enter(stage: Stage): void {
    this.status.stage = stage;
    this.poke();
  }

  // --- human actions ------------------------------------------------------------------------------

  hasHandled(requestId: unknown): boolean {
    return typeof requestId === 'string' && this.handled.has(requestId);
  }

  /** Runs an action once per idempotency key: a repeated request gets the first result. */
  once<T>(requestId: string, act: () => T): T {
    if (this.handled.has(requestId)) return this.handled.get(requestId) as T;
    const result = act();
    this.handled.set(requestId, result);
    if (this.handled.size > IDEMPOTENCY_KEYS_KEPT) this.handled.delete(this.handled.keys().next().value!);
    this.poke();
    return result;
  }

  ack(): ActionAck {
    return { roundId: this.id, stage: this.status.stage, at: iso(Date.now()) };
  }

  bureau(bureauId: string): BureauStatus {
    const b = this.status.bureaus.find((x) => x.bureau.id === bureauId);
    if (!b) refuse('bureauId', 'unknownBureau', { bureauId });
    return b;
  }

  // --- mail and problems ------------------------------------------------------------------------------

  mailRound(): MailRound {
    return {
      id: this.id,
      title: this.status.title,
      timeZone: this.status.timeZone,
      coordinator: this.status.coordinator,
      documents: this.status.documents.map((d) => ({
        key: d.key,
        title: d.title,
        sha256: d.versions[d.versions.length - 1]!.sha256,
        standIn: d.standIn,
      })),
    };
  }

  notifyCoordinator(kind: MailKind, extra: Partial<MailRequest>): void {
    if (this.status.coordinator.email) this.outbox.enqueue(kind, 'coordinator', [this.status.coordinator.email], extra);
  }

  recordProblem(message: string): void {
    this.status.problems.push({ at: iso(Date.now()), message });
    this.status.problems.splice(0, Math.max(0, this.status.problems.length - ROUND_LIMITS.problemsKept));
  }

  private deliveryFailed(request: MailRequest, error: string, to: string[]): void {
    const bureauId = request.bureau?.id;
    const failure = { at: iso(Date.now()), kind: request.kind, messageId: request.messageId, to, error };
    const b = this.status.bureaus.find((x) => x.bureau.id === bureauId);
    // Filed under the invitation whose link the message carried (a revoked one keeps its record).
    const invitation = [b?.invitation, ...(b?.previousInvitations ?? [])].find(
      (i) => i && (!request.linkId || i.linkId === request.linkId),
    );
    if (invitation) {
      invitation.failures.push(failure);
      invitation.failures.splice(0, Math.max(0, invitation.failures.length - ROUND_LIMITS.failuresKept));
    }
    this.recordProblem(`邮件未能送达 Delivery failed: ${request.kind} → ${to.join(', ')}: ${error}`);
    if (request.kind !== 'deliveryFailure' && !to.includes(this.status.coordinator.email ?? '')) {
      this.notifyCoordinator('deliveryFailure', {
        ...(request.bureau && { bureau: request.bureau }),
        failure: { kind: request.kind, to, error, ...(bureauId && { bureauId }) },
      });
    }
  }

  // --- the round's life --------------------------------------------------------------------------------

  /** Reads the circulated documents' outlines (one activity for all of them). */
  async describeDocuments(): Promise<void> {
    const described = await documents.describeDocuments(this.input.documents.map((d) => d.sha256));
    this.input.documents.forEach((doc, i) => {
      this.status.documents.push({
        key: doc.key,
        title: doc.title,
        standIn: described[i]!.standIn,
        versions: [
          {
            n: 1,
            sha256: doc.sha256,
            createdAt: this.status.startedAt,
            createdBy: this.input.startedBy,
            sections: described[i]!.sections,
          },
        ],
      });
    });
  }

  /**
   * Adds a revised version of a circulated document: its outline is read by an activity, and a
   * file that is not a document in the format is refused (nothing changes).
   */
  async addVersion(docKey: string, sha256: string, by: Actor): Promise<void> {
    let described: Awaited<ReturnType<typeof documents.describeDocuments>>;
    try {
      described = await documents.describeDocuments([sha256]);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      refuse('sha256', 'documentUnreadable', { detail: err.cause?.message ?? err.message });
    }
    const doc = this.status.documents.find((d) => d.key === docKey)!;
    doc.versions.push({
      n: doc.versions.length + 1,
      sha256,
      createdAt: iso(Date.now()),
      createdBy: by,
      sections: described[0]!.sections,
    });
    this.poke();
  }

  /**
   * Runs a stage's loop until the stage is over or the round is cancelled: applies what is due,
   * starts queued mail, then sleeps until the next due moment or until someone acts.
   */
  async runUntilOver(schedule: DueSchedule): Promise<void> {
    for (;;) {
      if (!this.cancelled) schedule.applyDue(Date.now());
      this.outbox.startSends();
      if (this.cancelled || schedule.isOver()) break;
      this.timer.arm(schedule.nextDue());
      await this.changeOrDue(() => {
        const seen = this.changes;
        return Promise.race([this.timer.fired, condition(() => this.changes !== seen)]);
      });
    }
    this.timer.arm(null);
  }

  cancel(by: Actor, reason: string): void {
    this.status.cancelled = { by, at: iso(Date.now()), reason };
    this.enter('cancelled');
    for (const b of this.status.bureaus) {
      if (b.invitation)
        this.outbox.enqueue(
          'cancellation',
          b.bureau.id,
          b.bureau.contacts.map((c) => c.email),
          { bureau: b.bureau, reason },
        );
    }
  }

  /** Sends what is left, lets running handlers finish, and returns a small result. */
  async finish(): Promise<RoundResult> {
    await this.drain();
    await condition(allHandlersFinished);
    return {
      id: this.id,
      stage: this.status.stage,
      outcomes: Object.fromEntries(this.status.bureaus.map((b) => [b.bureau.id, b.outcome])),
    };
  }

  /** Sends until nothing is queued or in flight (a failed send may queue a notice to the coordinator). */
  async drain(): Promise<void> {
    while (!this.outbox.idle) {
      this.outbox.startSends();
      await condition(() => this.outbox.idle || this.outbox.pending > 0);
    }
  }
}
