/** Cancel the round: it cannot be resumed, so the form asks for a reason and a ticked box. */
import { z } from 'zod';
import { CancelRoundRequest } from '../../domain/consultation.js';
import { say } from '../../domain/messages.js';
import { fieldOfForm, reasonField, requestIdField, type CoordinatorAction } from '../coordinatorForms.js';

export const cancel: CoordinatorAction<'cancelRound'> = {
  name: 'cancel',
  update: 'cancelRound',
  title: '取消本轮 Cancel the round',
  flash: () => '本轮已取消。The round is cancelled.',
  form: ({ actor }) =>
    z
      .object({
        requestId: requestIdField('cancel'),
        reason: reasonField(),
        confirm: z.literal('yes', { error: say('confirmCancel') }),
      })
      .transform((f) => ({ requestId: f.requestId, actor, reason: f.reason }))
      .pipe(CancelRoundRequest),
  fieldOf: fieldOfForm(['reason', 'confirm']),
};
