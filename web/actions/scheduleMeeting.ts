/**
 * Schedule the experts' meeting: its day, hours and zone, a place or an online link, the organiser,
 * and the experts one a line (`name | title | organisation | email`); or record a meeting that
 * already took place ("already held": no invitations).
 */
import { z } from 'zod';
import { ScheduleMeetingRequest } from '../../domain/expertReview.js';
import {
  expertLinesField,
  fieldOfForm,
  MEETING_FIELDS,
  meetingFieldOf,
  meetingFields,
  meetingOf,
  requestIdField,
  type CoordinatorAction,
} from '../coordinatorForms.js';

export const scheduleMeeting: CoordinatorAction<'scheduleMeeting'> = {
  name: 'schedule-meeting',
  update: 'scheduleMeeting',
  title: '安排专家评审会 Schedule the expert meeting',
  flash: () =>
    '专家评审会已记录；会议尚未召开的，邀请（附日历）将发给各位专家。The expert meeting is recorded; unless it was already held, the experts are being invited (with a calendar entry).',
  form: ({ round, actor }) =>
    z
      .object({
        requestId: requestIdField('schedule-meeting'),
        ...meetingFields(round),
        experts: expertLinesField(),
        held: z
          .string()
          .optional()
          .transform((v) => v === 'yes'),
      })
      .transform((f) => ({
        requestId: f.requestId,
        actor,
        meeting: meetingOf(f),
        experts: f.experts,
        ...(f.held ? { held: true } : {}),
      }))
      .pipe(ScheduleMeetingRequest),
  fieldOf: fieldOfForm([...MEETING_FIELDS, 'experts', 'held'], (p) =>
    p.startsWith('experts') ? 'experts' : meetingFieldOf(p),
  ),
};
