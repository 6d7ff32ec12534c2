/**
 * What people do during consultation, as a table (workflows/round/actions.ts): for each action,
 * the stages it may be taken in, the refusals that depend on the round's state, and its effect.
 * A bureau's reply arrives as `submitReply`: checked by `replyLinkRefusal` and
 * `replyDraftRefusal`, recorded by `buildReply` (rules.ts) and `Consultation.recordReply` (run.ts).
 */
import { patched } from '@temporalio/workflow';
import { Stage } from '../../../domain/round.js';
import { PATCHES } from '../../patches.js';
import { ROUND_LIMITS } from '../../../domain/limits.js';
import type { Bureau } from '../../../domain/records.js';
import type { Refusal } from '../../../domain/refusals.js';
import { iso } from '../../../domain/time.js';
import { newBureauStatus, type BureauStatus } from '../../../domain/round.js';
import type { ActionTable } from '../../round/actions.js';
import { refuse } from '../../round/refuse.js';
import { buildReply, consultationOver, isLate, linkReplyMeta, replyDraftRefusal, replyLinkRefusal } from './rules.js';
import type { Consultation } from './run.js';

/** Workflow time is the start of the current task: allow a few minutes of skew with a person's clock. */
const CLOCK_SKEW_MS = 5 * 60_000;

const raise = (r: Refusal | null) => {
  if (r) refuse(r.field, r.code, r.params);
};

function stillConsulting(c: Consultation): void {
  if (c.status.consultation.closed) refuse('round', 'consultationAlreadyClosed');
  if (consultationOver(c.status, Date.now())) refuse('round', 'consultationEnded');
}

function notWaived(b: BureauStatus): void {
  if (b.waived) refuse('bureauId', 'bureauWaived');
}

function withinActionLimit(count: number, action: string): void {
  if (count >= ROUND_LIMITS.coordinatorActionsPerBureau)
    refuse('bureauId', 'tooManyActions', { action, max: ROUND_LIMITS.coordinatorActionsPerBureau });
}

export const consultationActions: ActionTable<Consultation> = {
  submitReply: {
    // Every stage: the link rule says precisely why a link no longer acts.
    stages: Stage.options,
    check(c, req) {
      const b = c.round.bureau(req.bureauId);
      raise(replyLinkRefusal(c.status, b, req.linkId, Date.now()));
      raise(replyDraftRefusal(c.status, b, req.reply));
    },
    apply(c, req) {
      const b = c.round.bureau(req.bureauId);
      return c.recordReply(b, buildReply(c.status, b, req.reply, linkReplyMeta(b, req, Date.now())));
    },
  },

  recordPaperReply: {
    // A card received on time may be typed in after consultation ended: it still counts.
    stages: ['consultation', 'disposition'],
    check(c, req) {
      const b = c.round.bureau(req.bureauId);
      const at = req.receivedAt ? Date.parse(req.receivedAt) : Date.now();
      if (at > Date.now() + CLOCK_SKEW_MS) refuse('receivedAt', 'receivedInFuture');
      if (b.waived) refuse('bureauId', 'bureauWaived');
      if (at > Date.parse(b.deadline) + c.status.graceMs) refuse('receivedAt', 'receivedAfterDeadline');
      raise(replyDraftRefusal(c.status, b, req.reply));
    },
    apply(c, req) {
      const b = c.round.bureau(req.bureauId);
      const at = req.receivedAt ? Date.parse(req.receivedAt) : Date.now();
      return c.recordReply(
        b,
        buildReply(c.status, b, req.reply, {
          at,
          channel: 'paper',
          recordedBy: req.actor,
          scanSha256: req.scanSha256,
          late: isLate(b, at),
        }),
      );
    },
  },

  extendDeadline: {
    stages: ['consultation'],
    check(c, req) {
      stillConsulting(c);
      const b = c.round.bureau(req.bureauId);
      notWaived(b);
      withinActionLimit(b.extensions.length, '延期 extend');
      if (Date.parse(req.deadline) <= Date.now()) refuse('deadline', 'deadlineNotFuture');
      if (Date.parse(req.deadline) <= Date.parse(b.deadline)) refuse('deadline', 'deadlineNotLater');
    },
    apply(c, req) {
      const b = c.round.bureau(req.bureauId);
      b.deadline = req.deadline;
      b.extensions.push({ by: req.actor, at: iso(Date.now()), reason: req.reason, deadline: req.deadline });
      if (b.invitation) b.invitation.deadline = req.deadline;
      c.extend(b);
      return c.round.ack();
    },
  },

  waiveBureau: {
    stages: ['consultation'],
    check(c, req) {
      stillConsulting(c);
      const b = c.round.bureau(req.bureauId);
      if (b.waived) refuse('bureauId', 'bureauAlreadyWaived');
      if (b.replies.length > 0) refuse('bureauId', 'bureauHasReplied');
    },
    apply(c, req) {
      const b = c.round.bureau(req.bureauId);
      b.waived = { by: req.actor, at: iso(Date.now()), reason: req.reason };
      c.waive(b);
      return c.round.ack();
    },
  },

  changeContact: {
    stages: ['consultation'],
    check(c, req) {
      stillConsulting(c);
      const b = c.round.bureau(req.bureauId);
      notWaived(b);
      withinActionLimit(b.previousInvitations.length, '更换联系人 change contact');
    },
    apply(c, req) {
      const b = c.round.bureau(req.bureauId);
      b.bureau = {
        ...b.bureau,
        contacts: req.contacts,
        ...(req.contactPerson && { contactPerson: req.contactPerson }),
      };
      if (b.invitation) {
        b.revokedLinkIds.push(b.invitation.linkId);
        b.previousInvitations.push(b.invitation);
        b.invitation = null;
      }
      c.invite(b, 'new-link');
      return c.round.ack();
    },
  },

  resendInvitation: {
    stages: ['consultation'],
    check(c, req) {
      stillConsulting(c);
      const b = c.round.bureau(req.bureauId);
      notWaived(b);
      withinActionLimit(b.invitation?.messages.length ?? 0, '重发邀请 resend');
      if (Date.now() > Date.parse(b.deadline) + c.status.graceMs) refuse('bureauId', 'deadlinePassedExtendFirst');
    },
    apply(c, req) {
      c.invite(c.round.bureau(req.bureauId), 'resend');
      return c.round.ack();
    },
  },

  addBureau: {
    stages: ['consultation'],
    check(c, req) {
      stillConsulting(c);
      if (c.status.bureaus.some((b) => b.bureau.id === req.bureau.id))
        refuse('bureau.id', 'bureauExists', { bureauId: req.bureau.id });
      if (c.status.bureaus.length >= ROUND_LIMITS.bureausPerRound)
        refuse('bureau.id', 'tooManyBureaus', { max: ROUND_LIMITS.bureausPerRound });
      // Validators never replay: this checks today's rule, the round's own deadline as the default.
      if (req.deadline === undefined && Date.parse(c.round.roundDeadline) <= Date.now())
        refuse('deadline', 'roundDeadlinePassed');
      if (req.deadline !== undefined && Date.parse(req.deadline) <= Date.now())
        refuse('deadline', 'addedDeadlineNotFuture');
    },
    apply(c, req) {
      const bureau: Bureau = { ...req.bureau, timeZone: req.bureau.timeZone ?? c.status.timeZone };
      let deadline = req.deadline ?? c.round.roundDeadline;
      if (req.deadline === undefined && !patched(PATCHES.addBureauRoundDeadline)) {
        // Rounds started before the fix: the latest deadline of any bureau, extensions included.
        deadline = iso(
          Math.max(Date.parse(c.round.roundDeadline), ...c.status.bureaus.map((x) => Date.parse(x.deadline))),
        );
      }
      c.addBureau(newBureauStatus(bureau, deadline));
      return c.round.ack();
    },
  },

  closeConsultation: {
    stages: ['consultation'],
    check(c) {
      stillConsulting(c);
      const waiting = c.status.bureaus.filter((b) => b.outcome === 'pending').map((b) => b.bureau.nameZh);
      if (waiting.length > 0) refuse('round', 'notEveryoneAnswered', { names: waiting.join('、') });
    },
    apply(c, req) {
      c.status.consultation.closed = { by: req.actor, at: iso(Date.now()), ...(req.reason && { reason: req.reason }) };
      return c.round.ack();
    },
  },
};
