/**
 * Add a revised version of a circulated document: which document, its Markdown file (checked and
 * put in the store by the route before the form is read, so a re-shown form keeps it by hash), and
 * an optional note. The round reads its outline again; anchors its sections dropped are reported.
 */
import { z } from 'zod';
import { AddDocumentVersionRequest } from '../../domain/disposition.js';
import { coded, say } from '../../domain/messages.js';
import {
  fieldOfForm,
  FORM_ERROR,
  formValues,
  optionalText,
  requestIdField,
  whenMissing,
  type CoordinatorAction,
  type FormContext,
} from '../coordinatorForms.js';

function addVersionForm({ round, actor, documentSha256, documentError }: FormContext) {
  const head = z.object({
    requestId: requestIdField('add-version'),
    docKey: z
      .string(whenMissing('chooseDocument'))
      .min(1, say('chooseDocument'))
      .refine((key) => round.documents.some((d) => d.key === key), coded('noSuchDocument')),
    note: optionalText(2000),
  });
  return z
    .unknown()
    .transform((body, zctx) => {
      const parsed = head.safeParse(formValues(body), { reportInput: true });
      if (!parsed.success) zctx.issues.push(...parsed.error.issues.map((i) => ({ ...i, input: undefined })));
      const file = documentError ? { message: documentError } : documentSha256 ? undefined : coded('attachDocument');
      if (file) zctx.addIssue({ code: 'custom', path: ['file'], ...file });
      if (!parsed.success || file) return z.NEVER;
      const { requestId, docKey, note } = parsed.data;
      return { requestId, actor, docKey, sha256: documentSha256!, ...(note ? { note } : {}) };
    })
    .pipe(AddDocumentVersionRequest);
}

export const addVersion: CoordinatorAction<'addDocumentVersion'> = {
  name: 'add-version',
  update: 'addDocumentVersion',
  title: '增加文件修订版 Add a revised version',
  flash: () =>
    '修订版已加入；如有修改位置在新版本中已不存在，请重新指定。The revised version is added; re-anchor any change whose section it dropped.',
  form: addVersionForm,
  fieldOf: fieldOfForm(['docKey', 'note', 'file'], (p) => (p === 'sha256' ? 'file' : FORM_ERROR)),
};
