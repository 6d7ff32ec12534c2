/**
 * What the coordinator does in the expert review, as rows of the action table: schedule the meeting
 * (or record one already held), move or cancel it (each an update with the same calendar UID and a
 * higher SEQUENCE), record the experts' opinions after it, and write each opinion's revision note.
 */
import {
  meetingInstants,
  meetingUid,
  type ExpertReviewState,
  type MeetingDraft,
} from '../../../domain/expertReview.js';
import type { MailKind } from '../../../domain/mail.js';
import type { Refusal } from '../../../domain/refusals.js';
import { instantToLocal, iso } from '../../../domain/time.js';
import type { ActionTable } from '../../round/actions.js';
import { refuse } from '../../round/refuse.js';
import type { Round } from '../../round/round.js';
import { anchorRefusal, pinAnchors } from '../disposition/rules.js';
import { liveMeeting, meetingFrom, meetingRecipients, reminderDue } from './rules.js';

const raise = (r: Refusal | null) => {
  if (r) refuse(r.field, r.code, r.params);
};

const state = (round: Round): ExpertReviewState => round.status.expertReview!;
const local = (instant: number | string, tz: string) =>
  `${instantToLocal(typeof instant === 'number' ? iso(instant) : instant, tz).replace('T', ' ')} (${tz})`;

function inFuture(draft: MeetingDraft): void {
  const { start } = meetingInstants(draft);
  if (start <= Date.now()) refuse('meeting.date', 'meetingInPast', { start: local(start, draft.timeZone) });
}

/** The meeting that may still be moved or cancelled. */
function movable(round: Round) {
  const meeting = liveMeeting(state(round));
  if (!meeting) refuse('round', 'noMeeting');
  if (meeting.held || state(round).opinionsRecorded) refuse('round', 'meetingHeld');
  return meeting;
}

/** Queues the meeting's message of `kind` to every expert with an address (and the coordinator when asked). */
export function sendMeetingMail(round: Round, kind: MailKind, toCoordinator: boolean, reason?: string): void {
  const { meeting, experts } = state(round);
  if (!meeting) return;
  const extra = (addressee: string) => ({ meeting: { meeting, experts, addressee }, ...(reason && { reason }) });
  for (const r of meetingRecipients(experts)) round.outbox.enqueue(kind, r.recipient, [r.email], extra(r.expert.name));
  const { coordinator } = round.status;
  if (toCoordinator && coordinator.email)
    round.outbox.enqueue(kind, 'coordinator', [coordinator.email], extra(coordinator.name));
}

export const expertReviewActions: ActionTable<Round> = {
  scheduleMeeting: {
    stages: ['expertReview'],
    check(round, req) {
      if (liveMeeting(state(round))) refuse('round', 'meetingAlreadyScheduled');
      if (state(round).opinionsRecorded) refuse('round', 'opinionsAlreadyRecorded');
      if (req.held) {
        const { start, end } = meetingInstants(req.meeting);
        if (end > Date.now()) refuse('held', 'meetingNotYetHeld', { start: local(start, req.meeting.timeZone) });
        return;
      }
      inFuture(req.meeting);
      const missing = req.experts.findIndex((e) => e.email === undefined);
      if (missing >= 0) refuse(`experts.${missing}.email`, 'expertEmailMissing', { name: req.experts[missing]!.name });
    },
    apply(round, req) {
      const s = state(round);
      s.meetings++;
      const meeting = meetingFrom(req.meeting, meetingUid(round.id, s.meetings, round.input.messageIdDomain), 0);
      s.meeting = req.held ? { ...meeting, held: true } : meeting;
      s.experts = req.experts;
      s.scheduled = { by: req.actor, at: iso(Date.now()) };
      s.cancelled = null;
      s.reminderDueAt = req.held ? null : reminderDue(meeting, Date.now());
      if (!req.held) sendMeetingMail(round, 'meetingInvitation', true);
      return round.ack();
    },
  },

  rescheduleMeeting: {
    stages: ['expertReview'],
    check(round, req) {
      movable(round);
      inFuture(req.meeting);
    },
    apply(round, req) {
      const s = state(round);
      const before = s.meeting!;
      s.meeting = meetingFrom(req.meeting, before.uid, before.sequence + 1);
      s.reminderDueAt = reminderDue(s.meeting, Date.now());
      sendMeetingMail(round, 'meetingUpdate', true, req.reason);
      return round.ack();
    },
  },

  cancelMeeting: {
    stages: ['expertReview'],
    check(round) {
      const meeting = movable(round);
      if (Date.parse(meeting.end) <= Date.now()) refuse('round', 'meetingHeld');
    },
    apply(round, req) {
      const s = state(round);
      s.meeting = { ...s.meeting!, sequence: s.meeting!.sequence + 1 };
      s.cancelled = { by: req.actor, at: iso(Date.now()), reason: req.reason };
      s.reminderDueAt = null;
      sendMeetingMail(round, 'meetingCancellation', true, req.reason);
      return round.ack();
    },
  },

  recordOpinions: {
    stages: ['expertReview'],
    check(round) {
      const meeting = liveMeeting(state(round));
      if (!meeting) refuse('round', 'noMeeting');
      if (state(round).opinionsRecorded) refuse('round', 'opinionsAlreadyRecorded');
      if (Date.parse(meeting.end) > Date.now())
        refuse('round', 'meetingNotOver', { end: local(meeting.end, meeting.tz) });
    },
    apply(round, req) {
      const s = state(round);
      s.meeting = { ...s.meeting!, held: true };
      s.reminderDueAt = null;
      s.opinions = req.opinions.map((text, i) => ({ n: i + 1, text }));
      s.signed = { on: req.signedOn, by: req.signedBy };
      s.opinionsRecorded = { by: req.actor, at: iso(Date.now()) };
      if (req.report) s.report = req.report;
      return round.ack();
    },
  },

  writeRevisionNote: {
    stages: ['expertReview'],
    check(round, req) {
      if (!state(round).opinionsRecorded) refuse('round', 'opinionsNotRecorded');
      if (!state(round).opinions.some((o) => o.n === req.n)) refuse('n', 'unknownOpinion', { n: req.n });
      raise(anchorRefusal(round.status, req.note.changedAt, 'note.changedAt'));
    },
    apply(round, req) {
      const opinion = state(round).opinions.find((o) => o.n === req.n)!;
      opinion.revisionNote = { text: req.note.text, changedAt: pinAnchors(round.status, req.note.changedAt) };
      return round.ack();
    },
  },
};
