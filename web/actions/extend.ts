/** Extend a bureau's deadline: a new date and time in the round's zone, and why. */
import { z } from 'zod';
import { ExtendDeadlineRequest } from '../../domain/consultation.js';
import {
  bureauField,
  fieldOfForm,
  localDateTime,
  reasonField,
  requestIdField,
  type CoordinatorAction,
} from '../coordinatorForms.js';

export const extend: CoordinatorAction<'extendDeadline'> = {
  name: 'extend',
  update: 'extendDeadline',
  title: '延长截止时间 Extend a deadline',
  flash: (b) => `已延长${b.zh}的截止时间。Deadline extended for ${b.en}.`,
  form: ({ round, actor }) =>
    z
      .object({
        requestId: requestIdField('extend'),
        bureauId: bureauField(round),
        deadline: localDateTime(round.timeZone),
        reason: reasonField(),
      })
      .transform((f) => ({ ...f, actor }))
      .pipe(ExtendDeadlineRequest),
  fieldOf: fieldOfForm(['bureauId', 'deadline', 'reason']),
  bureauOf: (r) => r.bureauId,
};
