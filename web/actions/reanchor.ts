/** Point a disposition's change at sections of the current versions again (its decision stands). */
import { z } from 'zod';
import { ReanchorDispositionRequest } from '../../domain/disposition.js';
import { say } from '../../domain/messages.js';
import {
  anchorLinesField,
  fieldOfForm,
  FORM_ERROR,
  requestIdField,
  whenMissing,
  type CoordinatorAction,
} from '../coordinatorForms.js';

export const reanchor: CoordinatorAction<'reanchorDisposition'> = {
  name: 'reanchor',
  update: 'reanchorDisposition',
  title: '重新指定修改位置 Re-anchor a change',
  flash: () => '修改位置已更新（处理结果不变）。The places of the change are updated (the decision stands).',
  form: ({ round, actor }) =>
    z
      .object({
        requestId: requestIdField('reanchor'),
        commentId: z.string(whenMissing('chooseDisposition')).min(1, say('chooseDisposition')).max(200),
        anchors: anchorLinesField(round, true),
      })
      .transform((f) => ({ requestId: f.requestId, actor, commentId: f.commentId, changedAt: f.anchors }))
      .pipe(ReanchorDispositionRequest),
  fieldOf: fieldOfForm(['commentId', 'anchors'], (p) => (p.startsWith('changedAt') ? 'anchors' : FORM_ERROR)),
};
