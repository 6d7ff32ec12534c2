/**
 * The expert review's rules, as plain functions over the round's status: the meeting made from the
 * coordinator's draft, when the experts are reminded, who gets the meeting's emails, and when the
 * stage is over (opinions recorded, each with its revision note).
 */
import {
  meetingInstants,
  REMINDER_BEFORE_MS,
  type ExpertReviewState,
  type MeetingDraft,
} from '../../../domain/expertReview.js';
import type { Expert, Meeting } from '../../../domain/records.js';
import { iso } from '../../../domain/time.js';

export function newExpertReview(): ExpertReviewState {
  return {
    meeting: null,
    experts: [],
    meetings: 0,
    scheduled: null,
    cancelled: null,
    reminderDueAt: null,
    reminders: [],
    opinions: [],
    signed: null,
    opinionsRecorded: null,
  };
}

/** The meeting record for a draft: its instants, and the calendar identity it keeps. */
export function meetingFrom(draft: MeetingDraft, uid: string, sequence: number): Meeting {
  const { start, end } = meetingInstants(draft);
  return {
    start: iso(start),
    end: iso(end),
    tz: draft.timeZone,
    ...(draft.place !== undefined && { place: draft.place }),
    ...(draft.url !== undefined && { url: draft.url }),
    organiser: draft.organiser,
    uid,
    sequence,
  };
}

/** A day before the meeting, unless that moment has already passed (the invitation is then fresh enough). */
export function reminderDue(meeting: Meeting, now: number): string | null {
  const at = Date.parse(meeting.start) - REMINDER_BEFORE_MS;
  return at > now ? iso(at) : null;
}

/** The meeting is current: scheduled, not cancelled. */
export function liveMeeting(state: ExpertReviewState): Meeting | null {
  return state.meeting && !state.cancelled ? state.meeting : null;
}

/** Who gets the meeting's emails: each expert with an address (by position), and the coordinator. */
export function meetingRecipients(experts: Expert[]): Array<{ recipient: string; expert: Expert; email: string }> {
  return experts.flatMap((expert, i) =>
    expert.email ? [{ recipient: `expert-${i + 1}`, expert, email: expert.email }] : [],
  );
}

export function expertReviewOver(state: ExpertReviewState | null): boolean {
  return !!state?.opinionsRecorded && state.opinions.every((o) => o.revisionNote !== undefined);
}
