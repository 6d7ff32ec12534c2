/**
 * The consultation stage's Updates: one validator and one handler per human action. Validators
 * are synchronous and never mutate (a rejected Update leaves no trace in the history); handlers
 * run once per idempotency key on the request as its schema parsed it.
 */
import { setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import {
  AddBureauRequest,
  CancelRoundRequest,
  ChangeContactRequest,
  CloseConsultationRequest,
  ExtendDeadlineRequest,
  RecordPaperReplyRequest,
  ResendInvitationRequest,
  SubmitReplyRequest,
  WaiveBureauRequest,
  type ActionAck,
  type ReplyReceipt,
} from '../domain/consultation.js';
import type { MailRequest } from '../domain/mail.js';
import type { Actor, Bureau, Reply } from '../domain/records.js';
import type { BureauStatus, RoundStatus } from '../domain/round.js';
import { acceptsReplies, buildReply, consultationEnd, findBureau, newBureauStatus, outcomeOf, reminderMoments, validateReplyDraft } from './consultation.js';
import {
  addBureauUpdate,
  cancelRoundUpdate,
  changeContactUpdate,
  closeConsultationUpdate,
  extendDeadlineUpdate,
  recordPaperReplyUpdate,
  resendInvitationUpdate,
  submitReplyUpdate,
  waiveBureauUpdate,
} from './messages.js';
import { parseOrReject, rejectInvalid, requireActor } from './validation.js';

const iso = (t: number) => new Date(t).toISOString();
/** Workflow time is the start of the current task: allow a few minutes of skew with a person's clock. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** What the handlers need of the running round (state and the round's own steps). */
export interface RoundRuntime {
  status: RoundStatus;
  roundDeadline: string;
  handled: Map<string, unknown>;
  pendingReminders: Map<string, number[]>;
  deadlinePassed: Set<string>;
  once<S extends z.ZodType<{ requestId: string }>, T>(schema: S, raw: unknown, act: (req: z.infer<S>) => T): T;
  inConsultation(): void;
  replyWithinLimit(reply: unknown): void;
  recordReply(b: BureauStatus, reply: Reply, late: boolean): ReplyReceipt;
  ack(): ActionAck;
  inviteBureau(b: BureauStatus, variant?: MailRequest['variant']): void;
  cancelRound(by: Actor, reason: string): void;
}

export function registerConsultationHandlers(rt: RoundRuntime): void {
  const { status, roundDeadline, handled, pendingReminders, deadlinePassed, once, inConsultation, replyWithinLimit, recordReply, ack, inviteBureau, cancelRound } = rt;

  setHandler(
    submitReplyUpdate,
    (raw) =>
      once(SubmitReplyRequest, raw, (req) => {
        const b = findBureau(status, req.bureauId);
        const now = Date.now();
        const reply = buildReply(status, b, req.reply, { at: now, channel: 'link', late: now > Date.parse(b.deadline) });
        return recordReply(b, reply, reply.late === true);
      }),
    {
      validator: (req) => {
        if (handled.has(req?.requestId)) return;
        parseOrReject(SubmitReplyRequest, req);
        requireActor(req, ['bureau']);
        const b = findBureau(status, req.bureauId);
        if (!b.invitation || b.invitation.linkId !== req.linkId) rejectInvalid('link', 'this link has been replaced by a newer one; use the link in the latest email');
        if (b.waived) rejectInvalid('link', 'the coordinator has waived this bureau’s reply');
        if (!acceptsReplies(status, b, Date.now())) rejectInvalid('link', status.stage === 'consultation' ? 'the deadline for replies has passed' : 'consultation is closed');
        replyWithinLimit(req.reply);
        validateReplyDraft(status, req.reply);
      },
    },
  );

  setHandler(
    recordPaperReplyUpdate,
    (raw) =>
      once(RecordPaperReplyRequest, raw, (req) => {
        const b = findBureau(status, req.bureauId);
        const at = req.receivedAt ? Date.parse(req.receivedAt) : Date.now();
        const reply = buildReply(status, b, req.reply, { at, channel: 'paper', recordedBy: req.actor, scanSha256: req.scanSha256, late: at > Date.parse(b.deadline) });
        return recordReply(b, reply, reply.late === true);
      }),
    {
      validator: (req) => {
        if (handled.has(req?.requestId)) return;
        parseOrReject(RecordPaperReplyRequest, req);
        requireActor(req, ['coordinator']);
        // A card received on time may be typed in after consultation ended: it still counts.
        if (status.stage !== 'consultation' && status.stage !== 'disposition') rejectInvalid('round', `the round is in stage "${status.stage}"`);
        const b = findBureau(status, req.bureauId);
        const at = req.receivedAt ? Date.parse(req.receivedAt) : Date.now();
        // Workflow time is the start of this task: allow a few minutes of clock skew with the coordinator's machine.
        if (at > Date.now() + CLOCK_SKEW_MS) rejectInvalid('receivedAt', 'cannot be in the future');
        if (b.waived) rejectInvalid('bureauId', 'this bureau was waived');
        if (at > Date.parse(b.deadline) + status.graceMs) rejectInvalid('receivedAt', 'received after the bureau’s deadline (extend the deadline first if it should count)');
        replyWithinLimit(req.reply);
        validateReplyDraft(status, req.reply);
      },
    },
  );

  setHandler(
    extendDeadlineUpdate,
    (raw) =>
      once(ExtendDeadlineRequest, raw, (req) => {
        const b = findBureau(status, req.bureauId);
        b.deadline = req.deadline;
        b.extensions.push({ by: req.actor, at: iso(Date.now()), reason: req.reason, deadline: req.deadline });
        if (b.invitation) b.invitation.deadline = req.deadline;
        deadlinePassed.delete(b.bureau.id);
        b.outcome = outcomeOf(b, false);
        pendingReminders.set(b.bureau.id, reminderMoments(b.deadline, status.reminderOffsetsMs, Date.now()));
        status.consultationEndsAt = iso(consultationEnd(status) ?? Date.now());
        return ack();
      }),
    {
      validator: (req) => {
        if (handled.has(req?.requestId)) return;
        parseOrReject(ExtendDeadlineRequest, req);
        requireActor(req, ['coordinator']);
        inConsultation();
        const b = findBureau(status, req.bureauId);
        if (b.waived) rejectInvalid('bureauId', 'this bureau was waived');
        if (Date.parse(req.deadline) <= Date.now()) rejectInvalid('deadline', 'the new deadline must be in the future');
        if (Date.parse(req.deadline) <= Date.parse(b.deadline)) rejectInvalid('deadline', 'the new deadline must be later than the current one');
      },
    },
  );

  setHandler(
    waiveBureauUpdate,
    (raw) =>
      once(WaiveBureauRequest, raw, (req) => {
        const b = findBureau(status, req.bureauId);
        b.waived = { by: req.actor, at: iso(Date.now()), reason: req.reason };
        b.outcome = 'waived';
        pendingReminders.delete(b.bureau.id);
        status.consultationEndsAt = iso(consultationEnd(status) ?? Date.now());
        return ack();
      }),
    {
      validator: (req) => {
        if (handled.has(req?.requestId)) return;
        parseOrReject(WaiveBureauRequest, req);
        requireActor(req, ['coordinator']);
        inConsultation();
        const b = findBureau(status, req.bureauId);
        if (b.waived) rejectInvalid('bureauId', 'this bureau is already waived');
        if (b.replies.length > 0) rejectInvalid('bureauId', 'this bureau has replied; its reply stands');
      },
    },
  );

  setHandler(
    changeContactUpdate,
    (raw) =>
      once(ChangeContactRequest, raw, (req) => {
        const b = findBureau(status, req.bureauId);
        b.bureau = { ...b.bureau, contacts: req.contacts, ...(req.contactPerson && { contactPerson: req.contactPerson }) };
        if (b.invitation) {
          b.revokedLinkIds.push(b.invitation.linkId);
          b.previousInvitations.push(b.invitation);
          b.invitation = null;
        }
        inviteBureau(b, 'new-link');
        return ack();
      }),
    {
      validator: (req) => {
        if (handled.has(req?.requestId)) return;
        parseOrReject(ChangeContactRequest, req);
        requireActor(req, ['coordinator']);
        inConsultation();
        const b = findBureau(status, req.bureauId);
        if (b.waived) rejectInvalid('bureauId', 'this bureau was waived');
      },
    },
  );

  setHandler(
    resendInvitationUpdate,
    (raw) =>
      once(ResendInvitationRequest, raw, (req) => {
        inviteBureau(findBureau(status, req.bureauId), 'resend');
        return ack();
      }),
    {
      validator: (req) => {
        if (handled.has(req?.requestId)) return;
        parseOrReject(ResendInvitationRequest, req);
        requireActor(req, ['coordinator']);
        inConsultation();
        const b = findBureau(status, req.bureauId);
        if (b.waived) rejectInvalid('bureauId', 'this bureau was waived');
        if (!acceptsReplies(status, b, Date.now())) rejectInvalid('bureauId', 'the bureau’s deadline has passed; extend it first');
      },
    },
  );

  setHandler(
    addBureauUpdate,
    (raw) =>
      once(AddBureauRequest, raw, (req) => {
        const bureau: Bureau = { ...req.bureau, timeZone: req.bureau.timeZone ?? status.timeZone };
        const b = newBureauStatus(bureau, req.deadline ?? iso(Math.max(Date.parse(roundDeadline), ...status.bureaus.map((x) => Date.parse(x.deadline)))));
        status.bureaus.push(b);
        inviteBureau(b);
        status.consultationEndsAt = iso(consultationEnd(status) ?? Date.now());
        return ack();
      }),
    {
      validator: (req) => {
        if (handled.has(req?.requestId)) return;
        parseOrReject(AddBureauRequest, req);
        requireActor(req, ['coordinator']);
        inConsultation();
        if (status.bureaus.some((b) => b.bureau.id === req.bureau.id)) rejectInvalid('bureau.id', `a bureau "${req.bureau.id}" is already in this round`);
        const deadline = req.deadline ? Date.parse(req.deadline) : Math.max(...status.bureaus.map((x) => Date.parse(x.deadline)));
        if (deadline <= Date.now()) rejectInvalid('deadline', 'the deadline must be in the future');
      },
    },
  );

  setHandler(
    closeConsultationUpdate,
    (raw) =>
      once(CloseConsultationRequest, raw, (req) => {
        status.consultation.closed = { by: req.actor, at: iso(Date.now()), ...(req.reason && { reason: req.reason }) };
        return ack();
      }),
    {
      validator: (req) => {
        if (handled.has(req?.requestId)) return;
        parseOrReject(CloseConsultationRequest, req);
        requireActor(req, ['coordinator']);
        if (status.consultation.closed) rejectInvalid('round', 'consultation is already closed');
        inConsultation();
        const waiting = status.bureaus.filter((b) => b.outcome === 'pending').map((b) => b.bureau.nameZh);
        if (waiting.length > 0) rejectInvalid('round', `not every bureau has answered yet: ${waiting.join('、')}`);
      },
    },
  );

  setHandler(
    cancelRoundUpdate,
    (raw) =>
      once(CancelRoundRequest, raw, (req) => {
        cancelRound(req.actor, req.reason);
        return ack();
      }),
    {
      validator: (req) => {
        if (handled.has(req?.requestId)) return;
        parseOrReject(CancelRoundRequest, req);
        requireActor(req, ['coordinator']);
        if (status.stage === 'cancelled' || status.stage === 'approved') rejectInvalid('round', `the round is already ${status.stage}`);
      },
    },
  );
}
