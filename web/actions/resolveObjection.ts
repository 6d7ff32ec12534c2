/** Resolve a bureau's objection to its outcome notice, with a note (approval waits for it). */
import { z } from 'zod';
import { ResolveObjectionRequest } from '../../domain/disposition.js';
import { bureauField, fieldOfForm, requestIdField, requiredText, type CoordinatorAction } from '../coordinatorForms.js';

export const resolveObjection: CoordinatorAction<'resolveObjection'> = {
  name: 'resolve-objection',
  update: 'resolveObjection',
  title: '处理异议 Resolve an objection',
  flash: (b) => `已处理${b.zh}的异议。The objection of ${b.en} is resolved.`,
  form: ({ round, actor }) =>
    z
      .object({
        requestId: requestIdField('resolve-objection'),
        bureauId: bureauField(round),
        note: requiredText(5000, 'resolutionNote'),
      })
      .transform((f) => ({ ...f, actor }))
      .pipe(ResolveObjectionRequest),
  fieldOf: fieldOfForm(['bureauId', 'note']),
  bureauOf: (r) => r.bureauId,
};
