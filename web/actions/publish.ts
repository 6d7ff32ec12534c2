/** Publish every disposition at once (refused while a comment is undecided); a note is optional. */
import { z } from 'zod';
import { PublishDispositionsRequest } from '../../domain/disposition.js';
import { fieldOfForm, optionalText, requestIdField, type CoordinatorAction } from '../coordinatorForms.js';

export const publish: CoordinatorAction<'publishDispositions'> = {
  name: 'publish',
  update: 'publishDispositions',
  title: '发布意见处理结果 Publish the dispositions',
  flash: () => '意见处理结果已发布。The dispositions are published.',
  form: ({ actor }) =>
    z
      .object({ requestId: requestIdField('publish'), note: optionalText(2000) })
      .transform((f) => ({ requestId: f.requestId, actor, ...(f.note ? { note: f.note } : {}) }))
      .pipe(PublishDispositionsRequest),
  fieldOf: fieldOfForm(['note']),
};
