/** Move the experts' meeting: the same fields as scheduling it, and why (sent with the update). */
import { z } from 'zod';
import { RescheduleMeetingRequest } from '../../domain/expertReview.js';
import {
  fieldOfForm,
  MEETING_FIELDS,
  meetingFieldOf,
  meetingFields,
  meetingOf,
  optionalText,
  requestIdField,
  type CoordinatorAction,
} from '../coordinatorForms.js';

export const rescheduleMeeting: CoordinatorAction<'rescheduleMeeting'> = {
  name: 'reschedule-meeting',
  update: 'rescheduleMeeting',
  title: '专家评审会改期 Reschedule the expert meeting',
  flash: () =>
    '专家评审会已改期，变更通知（同一日历项）将发给各位专家。The expert meeting is moved; the experts are being sent the update (the same calendar entry).',
  form: ({ round, actor }) =>
    z
      .object({ requestId: requestIdField('reschedule-meeting'), ...meetingFields(round), reason: optionalText(2000) })
      .transform((f) => ({
        requestId: f.requestId,
        actor,
        meeting: meetingOf(f),
        ...(f.reason ? { reason: f.reason } : {}),
      }))
      .pipe(RescheduleMeetingRequest),
  fieldOf: fieldOfForm([...MEETING_FIELDS, 'reason'], meetingFieldOf),
};
