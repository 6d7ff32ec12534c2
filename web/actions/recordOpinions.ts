/**
 * Record the experts' opinions after the meeting: the review report (title, the meeting paragraph,
 * the overall assessment one paragraph a line; optional, all or nothing), the numbered opinions (one
 * a line, or one a block when blank lines separate them), the date signed and who signed.
 */
import { z } from 'zod';
import { RecordOpinionsRequest } from '../../domain/expertReview.js';
import { coded } from '../../domain/messages.js';
import { paragraphLines, splitOpinions } from '../../domain/reviewLines.js';
import {
  fieldOfForm,
  FORM_ERROR,
  optionalText,
  requestIdField,
  requiredText,
  type CoordinatorAction,
} from '../coordinatorForms.js';

const REPORT_FIELD_OF: Record<string, string> = {
  title: 'reportTitle',
  intro: 'reportIntro',
  assessment: 'assessment',
};

export const recordOpinions: CoordinatorAction<'recordOpinions'> = {
  name: 'record-opinions',
  update: 'recordOpinions',
  title: '记录专家意见 Record the experts’ opinions',
  flash: () =>
    '专家意见已记录，请逐条填写修改说明。The experts’ opinions are recorded; write a revision note for each.',
  form: ({ actor }) =>
    z
      .object({
        requestId: requestIdField('record-opinions'),
        reportTitle: optionalText(500),
        reportIntro: optionalText(5000),
        assessment: z
          .string()
          .optional()
          .transform((v) => paragraphLines(v ?? '')),
        opinions: requiredText(2_000_000, 'opinionsMissing').transform(splitOpinions),
        signedOn: requiredText(20, 'signedOnMissing'),
        signedBy: requiredText(300, 'signedByMissing'),
      })
      .superRefine((f, ctx) => {
        const report = f.reportTitle || f.reportIntro || f.assessment.length > 0;
        for (const field of ['reportTitle', 'reportIntro'] as const)
          if (report && !f[field]) ctx.addIssue({ code: 'custom', path: [field], ...coded('reportIncomplete') });
      })
      .transform((f) => ({
        requestId: f.requestId,
        actor,
        opinions: f.opinions,
        signedOn: f.signedOn,
        signedBy: f.signedBy,
        ...(f.reportTitle && f.reportIntro
          ? { report: { title: f.reportTitle, intro: f.reportIntro, assessment: f.assessment } }
          : {}),
      }))
      .pipe(RecordOpinionsRequest),
  fieldOf: fieldOfForm(['reportTitle', 'reportIntro', 'assessment', 'opinions', 'signedOn', 'signedBy'], (p) => {
    if (p.startsWith('opinions')) return 'opinions';
    const r = /^report\.([a-z]+)/.exec(p);
    return (r && REPORT_FIELD_OF[r[1]!]) ?? FORM_ERROR;
  }),
};
