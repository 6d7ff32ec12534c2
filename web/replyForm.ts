/**
 * The reply form of a bureau's link: reading a posted body back into what was typed, and turning it
 * into a ReplyDraft (domain/consultation.ts) with a message per bad field. Its field names are in
 * domain/replyFormFields.ts.
 */
import { z } from 'zod';
import { readCommentCard, type CardField } from '../domain/commentCard.js';
import { ReplyDraft, type CommentDraft, type DocumentAnswerDraft } from '../domain/consultation.js';
import { Sha256, type Reply, type Section } from '../domain/records.js';
import { issueMessage } from '../domain/messages.js';
import { fieldNames, ROW_FIELDS, type RowField } from '../domain/replyFormFields.js';

export const MAX_ROWS = 200;

/** `notAddressed`: the reply says nothing about this document (as many of the seed's cards did). */
export type Answer = '' | 'noComments' | 'comments' | 'notAddressed';
export type CommentRow = Record<RowField, string>;

export interface DocFormState {
  answer: Answer;
  rows: CommentRow[];
}

export interface ReplyFormState {
  requestId: string;
  responderName: string;
  responderPosition: string;
  /** Keyed by document key, for the documents the round circulates (other keys are ignored). */
  docs: Record<string, DocFormState>;
  /** A scan already in the store (uploaded earlier in this form, or with the previous reply). */
  attachmentKeep: string;
}

export type FormAction = { kind: 'submit' } | { kind: 'add'; doc: string };

/** What the form needs to know about a circulated document: its key and its latest sections. */
export interface FormDocument {
  key: string;
  sections: Section[];
}

/** Form field name → message (Chinese first, English beside it). `form` is the whole form. */
export type FieldErrors = Record<string, string>;

/** The card's fields as this form names them (the form calls the suggested change `change`). */
const rowFieldOf: Record<CardField, RowField> = {
  page: 'page',
  section: 'section',
  quote: 'quote',
  text: 'text',
  suggestedChange: 'change',
};

export const emptyRow = (): CommentRow => ({ page: '', section: '', quote: '', text: '', change: '' });

/** A row the bureau left alone: nothing typed (a preselected section alone does not count). */
export const isBlankRow = (row: CommentRow): boolean =>
  !row.page.trim() && !row.quote.trim() && !row.text.trim() && !row.change.trim();

// ---------------------------------------------------------------------------------------------
// Reading a posted body

export type BodyValue = string | File | (string | File)[];
export type Body = Record<string, BodyValue | undefined>;

/** The first string value of a field; files and absent fields read as ''. */
export function str(body: Body, name: string, max = 100_000): string {
  const v = body[name];
  const first = Array.isArray(v) ? v.find((x) => typeof x === 'string') : v;
  return typeof first === 'string' ? first.slice(0, max) : '';
}

/** The uploaded file of a field, when one was chosen (an empty file input posts a 0-byte file). */
export function fileField(body: Body, name: string): File | null {
  const v = body[name];
  const first = Array.isArray(v) ? v.find((x) => typeof x !== 'string') : v;
  return first && typeof first !== 'string' && first.size > 0 ? first : null;
}

const RowCount = z.coerce.number().int().min(1).max(MAX_ROWS).catch(1);

export function readAction(body: Body, docs: FormDocument[]): FormAction {
  const action = str(body, fieldNames.action, 300);
  if (action.startsWith('add:')) {
    const doc = action.slice(4);
    if (docs.some((d) => d.key === doc)) return { kind: 'add', doc };
  }
  return { kind: 'submit' };
}

/** Everything typed, exactly as typed, so a re-rendered form shows it back. */
export function readForm(body: Body, docs: FormDocument[]): ReplyFormState {
  const state: ReplyFormState = {
    requestId: str(body, fieldNames.requestId, 200),
    responderName: str(body, fieldNames.responderName),
    responderPosition: str(body, fieldNames.responderPosition),
    docs: {},
    attachmentKeep: str(body, fieldNames.attachmentKeep, 64),
  };
  for (const doc of docs) {
    const answer = str(body, fieldNames.answer(doc.key));
    let count = RowCount.parse(str(body, fieldNames.rows(doc.key), 10) || '1');
    // A row typed beyond the announced count (a hand-made body) is still read, within the cap.
    const rowPattern = new RegExp(`^doc\\.${doc.key.replace(/-/g, '\\-')}\\.c\\.(\\d{1,3})\\.`);
    for (const name of Object.keys(body)) {
      const m = rowPattern.exec(name);
      if (m) count = Math.max(count, Math.min(MAX_ROWS, Number(m[1]) + 1));
    }
    const rows: CommentRow[] = [];
    for (let i = 0; i < count; i++) {
      const row = emptyRow();
      for (const f of ROW_FIELDS) row[f] = str(body, fieldNames.row(doc.key, i, f));
      rows.push(row);
    }
    state.docs[doc.key] = {
      answer: answer === 'noComments' || answer === 'comments' || answer === 'notAddressed' ? answer : '',
      rows,
    };
  }
  return state;
}

/**
 * The documents a posted body answers, told from its field names alone (doc.<key>.…), for when the
 * round's status cannot be read: what was typed can still be shown back.
 */
export function documentsInBody(body: Body): FormDocument[] {
  const keys = new Set<string>();
  for (const name of Object.keys(body)) {
    const m = /^doc\.([a-z0-9][a-z0-9-]{0,62})\.(?:answer|rows|c\.\d{1,3}\.\w+)$/.exec(name);
    if (m && keys.size < 100) keys.add(m[1]!);
  }
  return [...keys].map((key) => ({ key, sections: [] }));
}

/** A fresh form: nothing chosen, one empty comment row per document. */
export function emptyForm(docs: FormDocument[], requestId: string): ReplyFormState {
  return {
    requestId,
    responderName: '',
    responderPosition: '',
    docs: Object.fromEntries(docs.map((d) => [d.key, { answer: '' as Answer, rows: [emptyRow()] }])),
    attachmentKeep: '',
  };
}

/** The form pre-filled from the bureau's latest reply, to revise it. */
export function formFromReply(reply: Reply, docs: FormDocument[], requestId: string): ReplyFormState {
  const state = emptyForm(docs, requestId);
  state.responderName = reply.responder.name;
  state.responderPosition = reply.responder.position;
  state.attachmentKeep = reply.scanSha256 ?? '';
  for (const doc of docs) {
    const answer = reply.perDocument[doc.key];
    if (answer === undefined) state.docs[doc.key] = { answer: 'notAddressed', rows: [emptyRow()] };
    else if (answer === 'noComments') state.docs[doc.key] = { answer: 'noComments', rows: [emptyRow()] };
    else if (Array.isArray(answer) && answer.length > 0) {
      state.docs[doc.key] = {
        answer: 'comments',
        rows: answer.map((c) => ({
          page: c.anchor.draftPage !== undefined ? String(c.anchor.draftPage) : '',
          section: c.anchor.section ?? '',
          quote: c.anchor.quote ?? '',
          text: c.text,
          change: c.suggestedChange ?? '',
        })),
      };
    }
  }
  return state;
}

/** Adds one empty comment row to a document (the "add a comment" button) and chooses "comments". */
export function addRow(state: ReplyFormState, doc: string): number {
  const d = state.docs[doc];
  if (!d) return 0;
  if (d.rows.length < MAX_ROWS) d.rows.push(emptyRow());
  d.answer = 'comments';
  return d.rows.length - 1;
}

// ---------------------------------------------------------------------------------------------
// Validation: the form → a ReplyDraft, or a message per field

/** How a round's refusal reads beside a field (domain/messages.ts). */
export { refusalMessage } from '../domain/messages.js';

export type DraftResult = { ok: true; draft: ReplyDraft } | { ok: false; errors: FieldErrors };

/**
 * Builds the ReplyDraft from what was typed and validates it with the domain schema; every problem
 * is reported on the form field it concerns.
 */
export function toReplyDraft(
  state: ReplyFormState,
  docs: FormDocument[],
  attachmentSha256: string | undefined,
): DraftResult {
  const errors: FieldErrors = {};
  const perDocument: Record<string, DocumentAnswerDraft> = {};
  /** For each document, comment index in the draft → row index in the form. */
  const rowOf: Record<string, number[]> = {};

  for (const doc of docs) {
    const d = state.docs[doc.key] ?? { answer: '' as Answer, rows: [] };
    const typed = d.rows.map((row, i) => ({ row, i })).filter(({ row }) => !isBlankRow(row));
    if (d.answer === '') {
      errors[fieldNames.answer(doc.key)] =
        '请选择“无意见”“有意见”或“不作答复” choose "no comments", "comments" or "not addressed"';
      continue;
    }
    if (d.answer === 'notAddressed') {
      if (typed.length > 0) {
        errors[fieldNames.answer(doc.key)] =
          '您选择了“不作答复”，但填写了意见：请改选“有意见”，或清空这些意见 you chose "not addressed" but typed comments: choose "comments", or clear them';
      }
      continue;
    }
    if (d.answer === 'noComments') {
      if (typed.length > 0) {
        errors[fieldNames.answer(doc.key)] =
          '您选择了“无意见”，但填写了意见：请改选“有意见”，或清空这些意见 you chose "no comments" but typed comments: choose "comments", or clear them';
      }
      perDocument[doc.key] = { kind: 'noComments' };
      continue;
    }
    const comments: CommentDraft[] = [];
    rowOf[doc.key] = [];
    let rowErrors = false;
    for (const { row, i } of typed) {
      const card = readCommentCard(
        { page: row.page, section: row.section, quote: row.quote, text: row.text, suggestedChange: row.change },
        doc.sections,
      );
      if (!card.ok) {
        rowErrors = true;
        for (const [field, message] of Object.entries(card.errors))
          errors[fieldNames.row(doc.key, i, rowFieldOf[field as CardField])] = message;
        continue;
      }
      comments.push(card.comment);
      rowOf[doc.key]!.push(i);
    }
    // A document whose cards are wrong is left out of the draft: its messages are beside the cards,
    // and the schema's "at least one comment" would only add a wrong one beside the choice.
    if (rowErrors) continue;
    // No comment typed: the schema's "at least one comment" lands beside the choice.
    perDocument[doc.key] = { kind: 'comments', comments };
  }

  if (docs.length > 0 && docs.every((doc) => state.docs[doc.key]?.answer === 'notAddressed')) {
    errors[fieldNames.answer(docs[0]!.key)] = '请至少对一份文件作答 answer at least one document';
  }

  const candidate = {
    responder: { name: state.responderName, position: state.responderPosition },
    perDocument,
    ...(attachmentSha256 ? { attachmentSha256 } : {}),
  };
  const parsed = ReplyDraft.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = formFieldOf(issue.path.map(String), rowOf);
      errors[name] ??= issueMessage(issue);
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, draft: parsed.data };
}

/**
 * The form field a path of the draft (or of the SubmitReplyRequest, `reply.` first) names, so a
 * message from the schema or from the round's validator lands beside the right field.
 * `rowOf` maps a draft's comment index back to the form's row index (blank rows are skipped).
 */
export function formFieldOf(path: string[], rowOf: Record<string, number[]> = {}): string {
  const p = path[0] === 'reply' ? path.slice(1) : path;
  if (p[0] === 'responder' && (p[1] === 'name' || p[1] === 'position')) {
    return p[1] === 'name' ? fieldNames.responderName : fieldNames.responderPosition;
  }
  if (p[0] === 'attachmentSha256' || p[0] === 'scanSha256') return fieldNames.attachment;
  if (p[0] === 'perDocument' && p[1]) {
    const doc = p[1];
    if (p[2] === 'comments' && p[3] !== undefined && /^\d+$/.test(p[3])) {
      const i = rowOf[doc]?.[Number(p[3])] ?? Number(p[3]);
      const field = (
        { section: 'section', quote: 'quote', draftPage: 'page', text: 'text', suggestedChange: 'change' } as const
      )[p[4] as 'section' | 'quote' | 'draftPage' | 'text' | 'suggestedChange'];
      return fieldNames.row(doc, i, field ?? 'text');
    }
    return fieldNames.answer(doc);
  }
  return fieldNames.form;
}

/** The comment rows of the draft, in order, for mapping a rejection back (blank rows skipped). */
export function rowIndexes(state: ReplyFormState): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [key, d] of Object.entries(state.docs)) {
    out[key] = d.rows.flatMap((row, i) => (isBlankRow(row) ? [] : [i]));
  }
  return out;
}

/** A kept attachment hash is only ever a SHA-256 (it names bytes in the store). */
export function keptAttachment(state: ReplyFormState): string | undefined {
  return Sha256.safeParse(state.attachmentKeep).success ? state.attachmentKeep : undefined;
}
