/** Waive a bureau: it need not reply in this round. */
import { z } from 'zod';
import { WaiveBureauRequest } from '../../domain/consultation.js';
import { bureauField, fieldOfForm, reasonField, requestIdField, type CoordinatorAction } from '../coordinatorForms.js';

export const waive: CoordinatorAction<'waiveBureau'> = {
  name: 'waive',
  update: 'waiveBureau',
  title: '豁免单位 Waive a bureau',
  flash: (b) => `已豁免${b.zh}。${b.en} is waived.`,
  form: ({ round, actor }) =>
    z
      .object({ requestId: requestIdField('waive'), bureauId: bureauField(round), reason: reasonField() })
      .transform((f) => ({ ...f, actor }))
      .pipe(WaiveBureauRequest),
  fieldOf: fieldOfForm(['bureauId', 'reason']),
  bureauOf: (r) => r.bureauId,
};
