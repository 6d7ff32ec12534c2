/**
 * Record a paper reply: who signed it, when it came, the scan, and per document "no comments" or
 * comment cards (domain/commentCard.ts, the grammar the reply form and the CLI share).
 */
import { z } from 'zod';
import { CARD_FIELDS, readCommentCard } from '../../domain/commentCard.js';
import { RecordPaperReplyRequest, type CommentDraft, type DocumentAnswerDraft } from '../../domain/consultation.js';
import { coded } from '../../domain/messages.js';
import { latestSections } from '../../domain/sections.js';
import {
  bureauField,
  commentRows,
  FORM_ERROR,
  formValues,
  optionalLocalDateTime,
  requestIdField,
  requiredText,
  type CommentRows,
  type CoordinatorAction,
  type FormContext,
} from '../coordinatorForms.js';

const COMMENT_FIELD_OF: Record<string, string> = {
  draftPage: 'page',
  section: 'section',
  quote: 'quote',
  text: 'text',
  suggestedChange: 'suggestedChange',
};

const HEAD_FIELDS = ['bureauId', 'responderName', 'responderPosition', 'receivedAt', 'scan'];

function head({ round }: FormContext) {
  return z.object({
    requestId: requestIdField('paper'),
    bureauId: bureauField(round),
    responderName: requiredText(200, 'responderName'),
    responderPosition: requiredText(200, 'responderPosition'),
    receivedAt: optionalLocalDateTime(round.timeZone),
  });
}

/** The form → the request: every problem is an issue on the form field it concerns (doc.<key>.<row>.<field>). */
function paperForm(ctx: FormContext) {
  const { round, actor, scanSha256, scanError } = ctx;
  const rowsOf: CommentRows = (ctx.rowsOf ??= {});
  return z
    .unknown()
    .transform((body, zctx) => {
      const values = formValues(body);
      const issue = (field: string, options: { message: string; params?: Record<string, unknown> }) =>
        zctx.addIssue({ code: 'custom', path: [field], ...options });
      const parsedHead = head(ctx).safeParse(values, { reportInput: true });
      if (!parsedHead.success) zctx.issues.push(...parsedHead.error.issues.map((i) => ({ ...i, input: undefined })));
      if (scanError) issue('scan', { message: scanError });
      else if (!scanSha256) issue('scan', coded('attachScan'));

      const perDocument: Record<string, DocumentAnswerDraft> = {};
      let failed = !parsedHead.success || !!scanError || !scanSha256;
      for (const doc of round.documents) {
        const prefix = `doc.${doc.key}`;
        const kind = values[`${prefix}.kind`];
        const sections = latestSections(round, doc.key);
        const comments: CommentDraft[] = [];
        const rowOf: number[] = (rowsOf[doc.key] = []);
        const rows = commentRows(values, doc.key);
        const get = (i: number, f: string) => (values[`${prefix}.${i}.${f}`] ?? '').trim();
        let typedRows = false;
        for (let i = 0; i < rows; i++) {
          if (CARD_FIELDS.every((f) => get(i, f) === '')) continue;
          typedRows = true;
          const card = readCommentCard(
            {
              page: get(i, 'page'),
              section: get(i, 'section'),
              quote: get(i, 'quote'),
              text: get(i, 'text'),
              suggestedChange: get(i, 'suggestedChange'),
            },
            sections,
          );
          if (!card.ok) {
            failed = true;
            for (const [field, message] of Object.entries(card.errors)) issue(`${prefix}.${i}.${field}`, { message });
            continue;
          }
          comments.push(card.comment);
          rowOf.push(i);
        }
        if (kind === 'noComments') {
          if (typedRows) issue(prefix, coded('paperNoCommentsButTyped'));
          else perDocument[doc.key] = { kind: 'noComments' };
        } else if (kind === 'comments') {
          if (!typedRows) issue(prefix, coded('paperAddComment'));
          else perDocument[doc.key] = { kind: 'comments', comments };
        } else if (kind === 'notAddressed') {
          // The card says nothing about this document, as the reply page allows: it stays out of the reply.
          if (typedRows) {
            issue(prefix, coded('paperNotAddressedButTyped'));
            failed = true;
          }
          continue;
        } else {
          issue(prefix, coded('paperChooseAnswer'));
        }
        if (!perDocument[doc.key]) failed = true;
      }
      if (round.documents.length > 0 && Object.keys(perDocument).length === 0 && !failed) {
        issue(`doc.${round.documents[0]!.key}`, coded('paperAnswerOne'));
        failed = true;
      }
      if (failed || !parsedHead.success) return z.NEVER;
      const f = parsedHead.data;
      return {
        requestId: f.requestId,
        actor,
        bureauId: f.bureauId,
        reply: { responder: { name: f.responderName, position: f.responderPosition }, perDocument },
        scanSha256,
        ...(f.receivedAt ? { receivedAt: f.receivedAt } : {}),
      };
    })
    .pipe(RecordPaperReplyRequest);
}

export const paper: CoordinatorAction<'recordPaperReply'> = {
  name: 'paper',
  update: 'recordPaperReply',
  title: '登记纸质回复 Record a paper reply',
  flash: (b, n) =>
    `已登记${b.zh}的纸质回复${n ? `（回执第 ${n} 号）` : ''}。Paper reply recorded for ${b.en}${n ? ` (receipt no. ${n})` : ''}.`,
  form: paperForm,
  fieldOf(path, rowsOf = {}) {
    const p = path.replace(/\[(\d+)\]/g, '.$1');
    if (HEAD_FIELDS.includes(p) || /^doc\./.test(p)) return p;
    if (p === 'scanSha256' || p === 'reply.attachmentSha256') return 'scan';
    if (p === 'reply.responder.name') return 'responderName';
    if (p === 'reply.responder.position') return 'responderPosition';
    const c = /^reply\.perDocument\.([a-z0-9-]+)\.comments\.(\d+)\.([a-zA-Z]+)/.exec(p);
    if (c && COMMENT_FIELD_OF[c[3]!])
      return `doc.${c[1]}.${rowsOf[c[1]!]?.[Number(c[2])] ?? c[2]}.${COMMENT_FIELD_OF[c[3]!]}`;
    const d = /^reply\.perDocument\.([a-z0-9-]+)/.exec(p);
    if (d) return `doc.${d[1]}`;
    return FORM_ERROR;
  },
  bureauOf: (r) => r.bureauId,
};
