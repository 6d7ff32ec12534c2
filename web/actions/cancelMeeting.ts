/** Cancel the experts' meeting, with the reason the cancellation carries. */
import { z } from 'zod';
import { CancelMeetingRequest } from '../../domain/expertReview.js';
import { fieldOfForm, reasonField, requestIdField, type CoordinatorAction } from '../coordinatorForms.js';

export const cancelMeeting: CoordinatorAction<'cancelMeeting'> = {
  name: 'cancel-meeting',
  update: 'cancelMeeting',
  title: '取消专家评审会 Cancel the expert meeting',
  flash: () => '专家评审会已取消，取消通知将发给各位专家。The expert meeting is cancelled; the experts are being told.',
  form: ({ actor }) =>
    z
      .object({ requestId: requestIdField('cancel-meeting'), reason: reasonField() })
      .transform((f) => ({ ...f, actor }))
      .pipe(CancelMeetingRequest),
  fieldOf: fieldOfForm(['reason']),
};
