/** Close the consultation before its deadline (a reason is optional). */
import { z } from 'zod';
import { CloseConsultationRequest } from '../../domain/consultation.js';
import { fieldOfForm, optionalText, requestIdField, type CoordinatorAction } from '../coordinatorForms.js';

export const close: CoordinatorAction<'closeConsultation'> = {
  name: 'close',
  update: 'closeConsultation',
  title: '提前结束征求意见 Close the consultation',
  flash: () => '征求意见已结束。The consultation is closed.',
  form: ({ actor }) =>
    z
      .object({ requestId: requestIdField('close'), reason: optionalText(2000) })
      .transform((f) => ({ requestId: f.requestId, actor, ...(f.reason ? { reason: f.reason } : {}) }))
      .pipe(CloseConsultationRequest),
  fieldOf: fieldOfForm(['reason']),
};
