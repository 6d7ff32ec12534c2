/**
 * reviewRound: one review round of one plan, from the first invitation to approval. Per-bureau
 * state lives here (a handful of bureaus), so one query returns the whole picture.
 *
 * Billing-aware shape: one activity per email, and one timer for the next due moment of any
 * bureau (a reminder, a deadline, the end of consultation), re-armed only when that moment
 * changes. Human actions wake the main loop through a condition without a timeout.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { MAX_REPLY_JSON_BYTES, type ActionAck, type ReplyReceipt } from '../domain/consultation.js';
import { reviewRoundId } from '../domain/ids.js';
import { messageIdFor, type MailKind, type MailRequest, type MailResult } from '../domain/mail.js';
import { canonicalJson } from '../domain/replyHash.js';
import type { Reply } from '../domain/records.js';
import { RoundInput, type BureauStatus, type RoundStatus } from '../domain/round.js';
import { consultationEnd, countComments, newBureauStatus, outcomeOf, reminderMoments } from './consultation.js';
import { statusQuery } from './messages.js';
import { rejectInvalid } from './validation.js';
import { registerConsultationHandlers } from './consultationHandlers.js';
import { z } from 'zod';

const documents = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});

/** Transient SMTP trouble is retried with backoff for up to a day; permanent failures are not retried. */
const mail = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

const iso = (t: number) => new Date(t).toISOString();

interface QueuedMail {
  request: MailRequest;
  onSent?: (result: MailResult) => void;
}

export async function reviewRound(rawInput: RoundInput): Promise<RoundStatus> {
  const parsedInput = RoundInput.safeParse(rawInput);
  if (!parsedInput.success) {
    // A plain error would fail the workflow task and retry forever; bad input fails the round at once.
    throw ApplicationFailure.create({ type: 'InvalidRoundInput', message: z.prettifyError(parsedInput.error), nonRetryable: true });
  }
  const input = parsedInput.data;
  const roundId = reviewRoundId(input.planId, input.n);
  const startedAt = iso(workflowInfo().startTime.getTime());
  const roundDeadline = 'at' in input.deadline ? input.deadline.at : iso(workflowInfo().startTime.getTime() + input.deadline.afterMs);

  const status: RoundStatus = {
    id: roundId,
    planId: input.planId,
    n: input.n,
    title: input.title,
    timeZone: input.timeZone,
    stage: 'drafting',
    coordinator: input.coordinator,
    startedAt,
    startedBy: input.startedBy,
    graceMs: input.graceMs,
    reminderOffsetsMs: input.reminderOffsetsMs,
    consultationEndsAt: null,
    documents: [],
    bureaus: input.bureaus.map((b) => newBureauStatus(b, roundDeadline)),
    consultation: { closed: null, endedAt: null },
    cancelled: null,
    problems: [],
  };

  // --- internal state (not shown; rebuilt on replay) ------------------------------------------
  /** Results of handled requests by idempotency key: a repeated request gets the first answer. */
  const handled = new Map<string, unknown>();
  /** Reminder moments still to come, per bureau. */
  const pendingReminders = new Map<string, number[]>();
  /** Bureaus whose deadline has been processed (deemed no comments if silent). */
  const deadlinePassed = new Set<string>();
  const mailSeq = new Map<string, number>();
  const outbox: QueuedMail[] = [];
  let inFlight = 0;
  let changes = 0;
  const poke = () => void changes++;

  const recordProblem = (message: string) => status.problems.push({ at: iso(Date.now()), message });

  const mailRound = () => ({
    id: roundId,
    title: status.title,
    timeZone: status.timeZone,
    coordinator: status.coordinator,
    documents: status.documents.map((d) => ({ key: d.key, title: d.title, sha256: d.versions[d.versions.length - 1]!.sha256, standIn: d.standIn })),
  });

  function enqueue(kind: MailKind, recipient: string, to: string[], extra: Partial<MailRequest>, onSent?: (r: MailResult) => void) {
    const key = `${recipient}.${kind}`;
    const seq = (mailSeq.get(key) ?? 0) + 1;
    mailSeq.set(key, seq);
    outbox.push({ request: { kind, messageId: messageIdFor(roundId, recipient, kind, seq, input.messageIdDomain), to, round: mailRound(), ...extra }, onSent });
    poke();
  }

  function inviteBureau(b: BureauStatus, variant?: MailRequest['variant']) {
    if (!b.invitation) {
      b.invitation = { bureauId: b.bureau.id, messageId: '', linkId: uuid4(), deadline: b.deadline, messages: [], remindersSent: [], failures: [] };
    }
    const invitation = b.invitation;
    enqueue(
      'invitation',
      b.bureau.id,
      b.bureau.contacts.map((c) => c.email),
      { bureau: b.bureau, linkId: invitation.linkId, deadline: b.deadline, variant },
      (r) => {
        invitation.messageId = r.messageId;
        invitation.sentAt ??= r.sentAt;
        invitation.messages.push({ at: r.sentAt, messageId: r.messageId });
      },
    );
    pendingReminders.set(b.bureau.id, reminderMoments(b.deadline, status.reminderOffsetsMs, Date.now()));
  }

  function notifyCoordinator(kind: MailKind, extra: Partial<MailRequest>) {
    if (status.coordinator.email) enqueue(kind, 'coordinator', [status.coordinator.email], extra);
  }

  /**
   * Runs a handler once per idempotency key (a repeat returns the first result), on the request as
   * its schema parsed it: trimmed, unknown keys refused, exactly what the validator accepted.
   */
  function once<S extends z.ZodType<{ requestId: string }>, T>(schema: S, raw: unknown, act: (req: z.infer<S>) => T): T {
    const req = schema.parse(raw);
    if (handled.has(req.requestId)) return handled.get(req.requestId) as T;
    const result = act(req);
    handled.set(req.requestId, result);
    poke();
    return result;
  }

  const consultationOver = () => {
    const end = consultationEnd(status);
    return status.consultation.closed !== null || end === null || Date.now() >= end;
  };
  const inConsultation = () => {
    if (status.stage !== 'consultation') rejectInvalid('round', `the round is in stage "${status.stage}", not consultation`);
    if (consultationOver()) rejectInvalid('round', 'consultation has ended');
  };
  const replyWithinLimit = (reply: unknown) => {
    if (canonicalJson(reply).length > MAX_REPLY_JSON_BYTES) rejectInvalid('reply', `the reply is larger than ${MAX_REPLY_JSON_BYTES / 1024} KiB; attach long material as a file`);
  };

  const ack = (): ActionAck => ({ roundId, stage: status.stage, at: iso(Date.now()) });

  function cancelRound(by: RoundStatus['startedBy'], reason: string) {
    status.cancelled = { by, at: iso(Date.now()), reason };
    status.stage = 'cancelled';
    for (const b of status.bureaus) {
      if (b.invitation) enqueue('cancellation', b.bureau.id, b.bureau.contacts.map((c) => c.email), { bureau: b.bureau, reason });
    }
  }

  // --- handlers (registered before the first await) --------------------------------------------
  setHandler(statusQuery, () => status);

  function recordReply(b: BureauStatus, reply: Reply, late: boolean): ReplyReceipt {
    b.replies.push(reply);
    b.outcome = outcomeOf(b, deadlinePassed.has(b.bureau.id));
    const to = b.bureau.contacts.map((c) => c.email);
    enqueue('replyConfirmation', b.bureau.id, to, { bureau: b.bureau, reply, late });
    notifyCoordinator('replyNotice', { bureau: b.bureau, reply, late });
    return { roundId, bureauId: b.bureau.id, n: reply.n, version: reply.version, submittedAt: reply.submittedAt, contentSha256: reply.contentSha256, late };
  }

  registerConsultationHandlers({
    status,
    roundDeadline,
    handled,
    pendingReminders,
    deadlinePassed,
    once,
    inConsultation,
    replyWithinLimit,
    recordReply,
    ack,
    inviteBureau,
    cancelRound,
  });

  // --- the stage loop ---------------------------------------------------------------------------
  async function deliver(item: QueuedMail): Promise<void> {
    try {
      const result = await mail.sendEmail(item.request);
      item.onSent?.(result);
      if (result.rejected.length > 0) deliveryFailed(item.request, result.rejected.map((r) => `${r.address}: ${r.error}`).join('; '), result.rejected.map((r) => r.address));
    } catch (err) {
      // A send stopped because the round itself was cancelled is not a delivery failure.
      if (isCancellation(err)) return;
      if (!(err instanceof ActivityFailure)) throw err;
      const cause = err.cause instanceof ApplicationFailure ? `${err.cause.type ?? 'Error'}: ${err.cause.message}` : String(err.cause?.message ?? err.message);
      deliveryFailed(item.request, cause, item.request.to);
    }
  }

  function deliveryFailed(request: MailRequest, error: string, to: string[]) {
    const bureauId = request.bureau?.id;
    const failure = { at: iso(Date.now()), kind: request.kind, messageId: request.messageId, to, error };
    const b = status.bureaus.find((x) => x.bureau.id === bureauId);
    // File it under the invitation whose link the message carried (a revoked one keeps its record).
    const invitation = [b?.invitation, ...(b?.previousInvitations ?? [])].find((i) => i && (!request.linkId || i.linkId === request.linkId));
    invitation?.failures.push(failure);
    recordProblem(`${request.kind} to ${to.join(', ')} failed: ${error}`);
    if (request.kind !== 'deliveryFailure' && !to.includes(status.coordinator.email ?? '')) {
      notifyCoordinator('deliveryFailure', { ...(request.bureau && { bureau: request.bureau }), failure: { kind: request.kind, to, error, ...(bureauId && { bureauId }) } });
    }
  }

  /**
   * Starts every queued email without waiting for it: a send that is retrying (SMTP down for hours)
   * must not hold up reminders, deadlines or the end of consultation. Each finished send wakes the loop.
   */
  function startSends(): void {
    for (const item of outbox.splice(0)) {
      inFlight++;
      void deliver(item).finally(() => {
        inFlight--;
        poke();
      });
    }
  }

  /** Sends reminders, deems silent bureaus, ends consultation: whatever is due at `now`. */
  function applyDue(now: number): void {
    for (const b of status.bureaus) {
      const id = b.bureau.id;
      const moments = pendingReminders.get(id) ?? [];
      while (moments.length > 0 && moments[0]! <= now) {
        moments.shift();
        if (b.outcome === 'pending' && b.invitation) {
          const invitation = b.invitation;
          enqueue('reminder', id, b.bureau.contacts.map((c) => c.email), { bureau: b.bureau, linkId: invitation.linkId, deadline: b.deadline }, (r) =>
            invitation.remindersSent.push({ at: r.sentAt, messageId: r.messageId }),
          );
        }
      }
      if (!deadlinePassed.has(id) && b.waived === null && Date.parse(b.deadline) <= now) {
        deadlinePassed.add(id);
        pendingReminders.delete(id);
        b.outcome = outcomeOf(b, true);
      }
    }
    const end = consultationEnd(status);
    if (status.consultation.closed || end === null || end <= now) {
      status.consultation.endedAt = iso(now);
      status.stage = 'disposition';
      for (const b of status.bureaus) if (b.outcome === 'pending') b.outcome = 'deemedNoComments';
      notifyCoordinator('deadlineSummary', {
        summary: status.bureaus.map((b) => ({
          bureau: { id: b.bureau.id, nameZh: b.bureau.nameZh, nameEn: b.bureau.nameEn },
          outcome: b.outcome,
          replies: b.replies.length,
          comments: countComments(b),
        })),
        ...(status.consultation.closed?.reason && { reason: status.consultation.closed.reason }),
      });
    }
  }

  function nextDueMoment(): number | null {
    const moments: number[] = [];
    for (const b of status.bureaus) {
      if (b.outcome === 'pending' && b.waived === null) moments.push(...(pendingReminders.get(b.bureau.id) ?? []).slice(0, 1));
      if (!deadlinePassed.has(b.bureau.id) && b.waived === null && b.outcome === 'pending') moments.push(Date.parse(b.deadline));
    }
    const end = consultationEnd(status);
    if (end !== null) moments.push(end);
    return moments.length > 0 ? Math.min(...moments) : null;
  }

  // One timer for the next due moment, replaced only when that moment changes.
  let timer: { at: number; scope: CancellationScope; fired: Promise<void> } | null = null;
  function armTimer(at: number | null): void {
    if (timer && timer.at === at) return;
    timer?.scope.cancel();
    timer = null;
    if (at === null) return;
    const scope = new CancellationScope();
    const armed: { at: number; scope: CancellationScope; fired: Promise<void> } = {
      at,
      scope,
      fired: scope
        .run(() => sleep(Math.max(at - Date.now(), 1)))
        .then(
          () => {
            if (timer === armed) timer = null;
          },
          (err: unknown) => {
            if (!isCancellation(err)) throw err;
          },
        ),
    };
    timer = armed;
  }

  // --- run ----------------------------------------------------------------------------------------
  const described = await documents.describeDocuments(input.documents.map((d) => d.sha256));
  input.documents.forEach((doc, i) => {
    status.documents.push({
      key: doc.key,
      title: doc.title,
      standIn: described[i]!.standIn,
      versions: [{ n: 1, sha256: doc.sha256, createdAt: startedAt, createdBy: input.startedBy, sections: described[i]!.sections }],
    });
  });

  if (status.stage === 'drafting') {
    status.stage = 'consultation';
    status.consultationEndsAt = iso(consultationEnd(status) ?? Date.now());
    for (const b of status.bureaus) inviteBureau(b);
  }

  try {
    while (status.stage === 'consultation') {
      applyDue(Date.now());
      startSends();
      if (status.stage !== 'consultation') break;
      armTimer(nextDueMoment());
      const seen = changes;
      await Promise.race([timer ? (timer as { fired: Promise<void> }).fired : new Promise<void>(() => undefined), condition(() => changes !== seen)]);
    }
    armTimer(null);

    // Later stages (disposition, expert review, approval) continue here; until then the round waits.
    while (status.stage !== 'cancelled') {
      startSends();
      await condition(() => status.stage === 'cancelled' || outbox.length > 0);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled from Temporal itself (not through cancelRound): still stamp it and tell the bureaus.
    await CancellationScope.nonCancellable(async () => {
      cancelRound({ name: 'Temporal', role: 'system' }, 'the workflow was cancelled in Temporal');
      startSends();
      await condition(() => inFlight === 0 && outbox.length === 0);
    });
    throw err;
  }
  startSends();
  await condition(() => inFlight === 0 && outbox.length === 0);
  await condition(allHandlersFinished);
  return status;
}
