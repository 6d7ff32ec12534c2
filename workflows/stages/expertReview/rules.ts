/**
 * The expert review's rules, as plain functions over the round's status and the time: the meeting
 * made from the coordinator's draft, when the experts are reminded, who gets the meeting's emails,
 * what refuses each of the coordinator's actions and what each does to the stage's state, and when
 * the stage is over (opinions recorded, each with its revision note). The round's action table
 * (actions.ts) and the edges' typed fake rounds apply the same functions.
 */
import {
  meetingInstants,
  meetingUid,
  REMINDER_BEFORE_MS,
  type ExpertReviewState,
  type MeetingDraft,
  type RecordOpinionsRequest,
  type RescheduleMeetingRequest,
  type ScheduleMeetingRequest,
  type WriteRevisionNoteRequest,
} from '../../../domain/expertReview.js';
import type { Actor, Expert, Meeting } from '../../../domain/records.js';
import { makeRefusal, type Refusal } from '../../../domain/refusals.js';
import type { RoundStatus } from '../../../domain/round.js';
import { instantToLocal, iso, zoneLabel } from '../../../domain/time.js';
import { anchorRefusal, pinAnchors } from '../disposition/rules.js';

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

// ---------------------------------------------------------------------------------------------
// The coordinator's actions: what refuses each (null: it may be taken now), and its effect

const local = (instant: number | string, tz: string) =>
  `${instantToLocal(typeof instant === 'number' ? iso(instant) : instant, tz).replace('T', ' ')} ${zoneLabel(tz)}`;

function pastRefusal(draft: MeetingDraft, now: number): Refusal | null {
  const { start } = meetingInstants(draft);
  return start <= now ? makeRefusal('meeting.date', 'meetingInPast', { start: local(start, draft.timeZone) }) : null;
}

/** The meeting that may still be moved or cancelled, or why there is none. */
function movableRefusal(state: ExpertReviewState): Refusal | null {
  const meeting = liveMeeting(state);
  if (!meeting) return makeRefusal('round', 'noMeeting');
  if (meeting.held || state.opinionsRecorded) return makeRefusal('round', 'meetingHeld');
  return null;
}

export function scheduleRefusal(state: ExpertReviewState, req: ScheduleMeetingRequest, now: number): Refusal | null {
  if (liveMeeting(state)) return makeRefusal('round', 'meetingAlreadyScheduled');
  if (state.opinionsRecorded) return makeRefusal('round', 'opinionsAlreadyRecorded');
  if (req.held) {
    const { start, end } = meetingInstants(req.meeting);
    return end > now ? makeRefusal('held', 'meetingNotYetHeld', { start: local(start, req.meeting.timeZone) }) : null;
  }
  const missing = req.experts.findIndex((e) => e.email === undefined);
  return (
    pastRefusal(req.meeting, now) ??
    (missing >= 0
      ? makeRefusal(`experts.${missing}.email`, 'expertEmailMissing', { name: req.experts[missing]!.name })
      : null)
  );
}

export function rescheduleRefusal(state: ExpertReviewState, req: RescheduleMeetingRequest, now: number) {
  return movableRefusal(state) ?? pastRefusal(req.meeting, now);
}

export function cancelRefusal(state: ExpertReviewState, now: number): Refusal | null {
  const refusal = movableRefusal(state);
  if (refusal) return refusal;
  return Date.parse(state.meeting!.end) <= now ? makeRefusal('round', 'meetingHeld') : null;
}

export function recordOpinionsRefusal(state: ExpertReviewState, now: number): Refusal | null {
  const meeting = liveMeeting(state);
  if (!meeting) return makeRefusal('round', 'noMeeting');
  if (state.opinionsRecorded) return makeRefusal('round', 'opinionsAlreadyRecorded');
  if (Date.parse(meeting.end) > now)
    return makeRefusal('round', 'meetingNotOver', { end: local(meeting.end, meeting.tz) });
  return null;
}

export function revisionNoteRefusal(status: RoundStatus, req: WriteRevisionNoteRequest): Refusal | null {
  const state = status.expertReview!;
  if (!state.opinionsRecorded) return makeRefusal('round', 'opinionsNotRecorded');
  if (!state.opinions.some((o) => o.n === req.n)) return makeRefusal('n', 'unknownOpinion', { n: req.n });
  return anchorRefusal(status, req.note.changedAt, 'note.changedAt');
}

/** A new meeting (its own calendar UID, the round's `meetings`-th), or one already held (no reminder). */
export function scheduleMeeting(
  state: ExpertReviewState,
  req: ScheduleMeetingRequest,
  ids: { roundId: string; domain: string },
  now: number,
): void {
  state.meetings++;
  const meeting = meetingFrom(req.meeting, meetingUid(ids.roundId, state.meetings, ids.domain), 0);
  state.meeting = req.held ? { ...meeting, held: true } : meeting;
  state.experts = req.experts;
  state.scheduled = { by: req.actor, at: iso(now) };
  state.cancelled = null;
  state.reminderDueAt = req.held ? null : reminderDue(meeting, now);
}

/** The meeting moved: the same UID, the next SEQUENCE, the reminder moved with it. */
export function rescheduleMeeting(state: ExpertReviewState, req: RescheduleMeetingRequest, now: number): void {
  const before = state.meeting!;
  state.meeting = meetingFrom(req.meeting, before.uid, before.sequence + 1);
  state.reminderDueAt = reminderDue(state.meeting, now);
}

export function cancelMeeting(state: ExpertReviewState, req: { actor: Actor; reason: string }, now: number): void {
  state.meeting = { ...state.meeting!, sequence: state.meeting!.sequence + 1 };
  state.cancelled = { by: req.actor, at: iso(now), reason: req.reason };
  state.reminderDueAt = null;
}

export function recordOpinions(state: ExpertReviewState, req: RecordOpinionsRequest, now: number): void {
  state.meeting = { ...state.meeting!, held: true };
  state.reminderDueAt = null;
  state.opinions = req.opinions.map((text, i) => ({ n: i + 1, text }));
  state.signed = { on: req.signedOn, by: req.signedBy };
  state.opinionsRecorded = { by: req.actor, at: iso(now) };
  if (req.report) state.report = req.report;
}

/** The opinion's note, its anchors pinned to the current versions. */
export function writeRevisionNote(status: RoundStatus, req: WriteRevisionNoteRequest): void {
  const opinion = status.expertReview!.opinions.find((o) => o.n === req.n)!;
  opinion.revisionNote = { text: req.note.text, changedAt: pinAnchors(status, req.note.changedAt) };
}
