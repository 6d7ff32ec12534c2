/**
 * What the coordinator does in the expert review, as rows of the action table: schedule the meeting
 * (or record one already held), move or cancel it (each an update with the same calendar UID and a
 * higher SEQUENCE), record the experts' opinions after it, and write each opinion's revision note.
 */
import type { ExpertReviewState } from '../../../domain/expertReview.js';
import type { MailKind } from '../../../domain/mail.js';
import type { Refusal } from '../../../domain/refusals.js';
import type { ActionTable } from '../../round/actions.js';
import { refuse } from '../../round/refuse.js';
import type { Round } from '../../round/round.js';
import {
  cancelMeeting,
  cancelRefusal,
  meetingRecipients,
  recordOpinions,
  recordOpinionsRefusal,
  rescheduleMeeting,
  rescheduleRefusal,
  revisionNoteRefusal,
  scheduleMeeting,
  scheduleRefusal,
  writeRevisionNote,
} from './rules.js';

const raise = (r: Refusal | null) => {
  if (r) refuse(r.field, r.code, r.params);
};

const state = (round: Round): ExpertReviewState => round.status.expertReview!;

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
    check: (round, req) => raise(scheduleRefusal(state(round), req, Date.now())),
    apply(round, req) {
      scheduleMeeting(state(round), req, { roundId: round.id, domain: round.input.messageIdDomain }, Date.now());
      if (!req.held) sendMeetingMail(round, 'meetingInvitation', true);
      return round.ack();
    },
  },

  rescheduleMeeting: {
    stages: ['expertReview'],
    check: (round, req) => raise(rescheduleRefusal(state(round), req, Date.now())),
    apply(round, req) {
      rescheduleMeeting(state(round), req, Date.now());
      sendMeetingMail(round, 'meetingUpdate', true, req.reason);
      return round.ack();
    },
  },

  cancelMeeting: {
    stages: ['expertReview'],
    check: (round) => raise(cancelRefusal(state(round), Date.now())),
    apply(round, req) {
      cancelMeeting(state(round), req, Date.now());
      sendMeetingMail(round, 'meetingCancellation', true, req.reason);
      return round.ack();
    },
  },

  recordOpinions: {
    stages: ['expertReview'],
    check: (round) => raise(recordOpinionsRefusal(state(round), Date.now())),
    apply(round, req) {
      recordOpinions(state(round), req, Date.now());
      return round.ack();
    },
  },

  writeRevisionNote: {
    stages: ['expertReview'],
    check: (round, req) => raise(revisionNoteRefusal(round.status, req)),
    apply(round, req) {
      writeRevisionNote(round.status, req);
      return round.ack();
    },
  },
};
