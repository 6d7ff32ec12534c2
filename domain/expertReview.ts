/**
 * The expert review (appendix 4 of the seed plan and its revision-notes table): the coordinator
 * schedules the experts' meeting (invitations with an iCalendar request), reschedules or cancels it,
 * records the experts' numbered opinions after it, and writes one revision note per opinion.
 * Imported by workflow code: no Node built-ins, no I/O.
 */
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { ActionEnvelope } from './consultation.js';
import { AnchorDraft } from './disposition.js';
import { MESSAGES } from './messages.js';
import { Actor, Expert, IanaTimeZone, Instant, Meeting, Opinion, line, text } from './records.js';

/**
 * A calendar date (2030-03-01). Checked here rather than with zod's ISO date, which refuses every
 * string inside the workflow sandbox.
 */
const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, MESSAGES.meetingDate.en)
  .refine(
    (d) => {
      try {
        Temporal.PlainDate.from(d, { overflow: 'reject' });
        return true;
      } catch {
        return false;
      }
    },
    { message: MESSAGES.realDate.en },
  );

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, MESSAGES.clockTime.en);

/** The meeting as the coordinator types it: a day, a start and an end in a time zone, a place or a link. */
export const MeetingDraft = z
  .strictObject({
    date: IsoDate,
    start: ClockTime,
    end: ClockTime,
    timeZone: IanaTimeZone,
    place: line(300).optional(),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    organiser: line(200),
  })
  .refine((m) => m.end > m.start, { message: MESSAGES.meetingEndsAfterStart.en, path: ['end'] })
  .refine((m) => m.place !== undefined || m.url !== undefined, {
    message: MESSAGES.placeOrUrl.en,
    path: ['place'],
  });
export type MeetingDraft = z.infer<typeof MeetingDraft>;

export const ExpertDraft = z.strictObject({
  name: line(200),
  title: line(200).optional(),
  organisation: line(300).optional(),
  email: z.email().optional(),
});

export const ScheduleMeetingRequest = ActionEnvelope.extend({
  meeting: MeetingDraft,
  experts: z.array(ExpertDraft).min(1).max(50),
  /** A meeting that already took place, recorded afterwards: no invitations are sent. */
  held: z.boolean().optional(),
});
export type ScheduleMeetingRequest = z.infer<typeof ScheduleMeetingRequest>;

export const RescheduleMeetingRequest = ActionEnvelope.extend({ meeting: MeetingDraft, reason: text(2000).optional() });
export type RescheduleMeetingRequest = z.infer<typeof RescheduleMeetingRequest>;

export const CancelMeetingRequest = ActionEnvelope.extend({ reason: text(2000) });
export type CancelMeetingRequest = z.infer<typeof CancelMeetingRequest>;

/** The experts' opinions, numbered in the order given, with the date of the signed report and who signed it. */
/** The review report as the experts wrote it (appendix 4): its title, the meeting paragraph, the overall assessment. */
export const ExpertReport = z.strictObject({
  title: line(500),
  intro: text(5000),
  assessment: z.array(text(5000)).max(50),
});
export type ExpertReport = z.infer<typeof ExpertReport>;

export const RecordOpinionsRequest = ActionEnvelope.extend({
  opinions: z.array(text(20000)).min(1).max(100),
  signedOn: IsoDate,
  signedBy: line(300),
  /** The report the opinions belong to; the approved PDF prints it as appendix 4. */
  report: ExpertReport.optional(),
});
export type RecordOpinionsRequest = z.infer<typeof RecordOpinionsRequest>;

/** The revision note of one opinion: what was changed and where (anchors in the current versions). */
export const WriteRevisionNoteRequest = ActionEnvelope.extend({
  n: z.number().int().positive(),
  note: z.strictObject({ text: text(20000), changedAt: z.array(AnchorDraft).max(20) }),
});
export type WriteRevisionNoteRequest = z.infer<typeof WriteRevisionNoteRequest>;

const Stamp = z.object({ by: Actor, at: Instant, reason: z.string().optional() });

/** What the round's status shows of the expert review. */
export const ExpertReviewState = z.object({
  /** The current meeting (a cancelled one stays until another is scheduled). */
  meeting: Meeting.nullable(),
  experts: z.array(Expert),
  /** How many meetings were scheduled: each has its own calendar UID. */
  meetings: z.number().int().nonnegative(),
  scheduled: Stamp.nullable(),
  cancelled: Stamp.nullable(),
  /** When the experts are reminded (a day before the meeting); null once sent or when none is due. */
  reminderDueAt: Instant.nullable(),
  reminders: z.array(z.object({ at: Instant, sequence: z.number().int().nonnegative() })),
  opinions: z.array(Opinion),
  signed: z.object({ on: IsoDate, by: line(300) }).nullable(),
  opinionsRecorded: Stamp.nullable(),
  /** Absent in rounds recorded before reports were taken. */
  report: ExpertReport.nullable().optional(),
});
export type ExpertReviewState = z.infer<typeof ExpertReviewState>;

export const REMINDER_BEFORE_MS = 24 * 3600 * 1000;

/** The meeting's start and end as instants (a local time skipped by a clock change moves forward). */
export function meetingInstants(m: MeetingDraft): { start: number; end: number } {
  const at = (time: string) =>
    Temporal.PlainDateTime.from(`${m.date}T${time}`).toZonedDateTime(m.timeZone, { disambiguation: 'compatible' })
      .epochMilliseconds;
  return { start: at(m.start), end: at(m.end) };
}

/** One calendar UID per round and meeting: updates and a cancellation carry the same one. */
export function meetingUid(roundId: string, meetingNo: number, domain: string): string {
  return `${roundId.replace(/[^A-Za-z0-9-]/g, '-')}.expert-meeting-${meetingNo}@${domain}`;
}
