/** Write one opinion's revision note: what was changed, and where (places one a line, `doc#section | quotation`). */
import { z } from 'zod';
import { WriteRevisionNoteRequest } from '../../domain/expertReview.js';
import { say } from '../../domain/messages.js';
import {
  anchorLinesField,
  fieldOfForm,
  FORM_ERROR,
  requestIdField,
  requiredText,
  whenMissing,
  type CoordinatorAction,
} from '../coordinatorForms.js';

export const revisionNote: CoordinatorAction<'writeRevisionNote'> = {
  name: 'revision-note',
  update: 'writeRevisionNote',
  title: '填写修改说明 Write a revision note',
  flash: () => '修改说明已保存。The revision note is saved.',
  form: ({ round, actor }) =>
    z
      .object({
        requestId: requestIdField('revision-note'),
        n: z
          .string(whenMissing('chooseOpinion'))
          .regex(/^\d{1,4}$/, say('chooseOpinion'))
          .transform(Number),
        text: requiredText(20000, 'revisionNoteText'),
        anchors: anchorLinesField(round),
      })
      .transform((f) => ({ requestId: f.requestId, actor, n: f.n, note: { text: f.text, changedAt: f.anchors } }))
      .pipe(WriteRevisionNoteRequest),
  fieldOf: fieldOfForm(['n', 'text', 'anchors'], (p) => {
    if (p === 'note.text') return 'text';
    return p.startsWith('note.changedAt') ? 'anchors' : FORM_ERROR;
  }),
};
