/**
 * Decide one comment (table 10-1): adopted, partially adopted or not adopted, the rationale (required
 * unless adopted), and where the change was made: rows of a section of a document's current version
 * (one choice names both, `doc:section`) with an optional quotation. A draft until published.
 */
import { z } from 'zod';
import { DisposeCommentRequest, type AnchorDraft } from '../../domain/disposition.js';
import { coded } from '../../domain/messages.js';
import { Decision } from '../../domain/records.js';
import type { RoundStatus } from '../../domain/round.js';
import { latestSections } from '../../domain/sections.js';
import { allComments } from '../../workflows/stages/disposition/rules.js';
import {
  dotted,
  FORM_ERROR,
  formValues,
  optionalText,
  requestIdField,
  type CommentRows,
  type CoordinatorAction,
  type FormContext,
} from '../coordinatorForms.js';

/** How many "where changed" rows the form shows. */
export const ANCHOR_ROWS = 3;
const MAX_ANCHOR_ROWS = 20;

/** The value of a "where changed" choice: the document's key and the section's id. */
export const anchorValue = (doc: string, section: string) => `${doc}:${section}`;

/** `doc:section` → the anchor it names, when the document's current version has that section. */
function anchorOf(round: RoundStatus, value: string): { doc: string; section: string } | undefined {
  const i = value.indexOf(':');
  if (i < 1) return undefined;
  const doc = value.slice(0, i);
  const section = value.slice(i + 1);
  return latestSections(round, doc).some((s) => s.id === section) ? { doc, section } : undefined;
}

const head = (round: RoundStatus) =>
  z.object({
    requestId: requestIdField('dispose'),
    commentId: z
      .string({ error: () => coded('chooseComment').message })
      .min(1, coded('chooseComment'))
      .refine((id) => allComments(round).includes(id), coded('noSuchComment')),
    decision: z.enum(Decision.options, { error: () => coded('chooseDecision').message }),
    rationale: optionalText(20000),
  });

function disposeForm(ctx: FormContext) {
  const { round, actor } = ctx;
  const rowsOf: CommentRows = (ctx.rowsOf ??= {});
  return z
    .unknown()
    .transform((body, zctx) => {
      const values = formValues(body);
      const issue = (field: string, options: { message: string; params?: Record<string, unknown> }) =>
        zctx.addIssue({ code: 'custom', path: [field], ...options });
      const parsed = head(round).safeParse(values, { reportInput: true });
      if (!parsed.success) zctx.issues.push(...parsed.error.issues.map((i) => ({ ...i, input: undefined })));

      // The request's own rule, checked here too so that it is shown with the form's other problems.
      let failed = !parsed.success;
      if (parsed.success && parsed.data.decision !== 'adopted' && !parsed.data.rationale) {
        issue('rationale', coded('rationaleRequired'));
        failed = true;
      }

      const changedAt: AnchorDraft[] = [];
      const rowOf: number[] = (rowsOf.at = []);
      for (let i = 0; i < MAX_ANCHOR_ROWS; i++) {
        const place = (values[`at.${i}.section`] ?? '').trim();
        const quote = (values[`at.${i}.quote`] ?? '').trim();
        if (place === '' && quote === '') continue;
        if (place === '') {
          issue(`at.${i}.quote`, coded('quoteWithoutSection'));
          failed = true;
          continue;
        }
        const anchor = anchorOf(round, place);
        if (!anchor) {
          issue(`at.${i}.section`, coded('chooseAnchorSection'));
          failed = true;
          continue;
        }
        changedAt.push({ ...anchor, ...(quote ? { quote } : {}) });
        rowOf.push(i);
      }
      if (failed || !parsed.success) return z.NEVER;
      const { requestId, commentId, decision, rationale } = parsed.data;
      return {
        requestId,
        actor,
        disposition: { commentId, decision, ...(rationale ? { rationale } : {}), changedAt },
      };
    })
    .pipe(DisposeCommentRequest);
}

const HEAD_FIELDS = ['commentId', 'decision', 'rationale'];

export const dispose: CoordinatorAction<'disposeComment'> = {
  name: 'dispose',
  update: 'disposeComment',
  title: '处理一条意见 Decide a comment',
  flash: () => '已保存该意见的处理结果（发布前可修改）。The decision is saved (it may change until published).',
  form: disposeForm,
  fieldOf(path, rowsOf = {}) {
    const p = dotted(path);
    if (HEAD_FIELDS.includes(p) || /^at\.\d+\.(section|quote)$/.test(p)) return p;
    const d = /^disposition\.(commentId|decision|rationale)$/.exec(p);
    if (d) return d[1]!;
    const a = /^disposition\.changedAt\.(\d+)\.(doc|section|quote)/.exec(p);
    if (a) return `at.${rowsOf.at?.[Number(a[1])] ?? a[1]}.${a[2] === 'quote' ? 'quote' : 'section'}`;
    return FORM_ERROR;
  },
};
