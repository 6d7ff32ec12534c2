/**
 * The coordinator's action forms: what each form posts (flat strings, as typed), how it becomes
 * the round's request (zod, with bilingual messages next to the field), and how a field named in a
 * request or by the workflow's validator maps back to the form field it came from.
 *
 * The actor never comes from a form: it is the signed-in user. The requestId comes from a hidden
 * field written when the page was rendered, so a double submit is one action.
 */
import { randomUUID } from 'node:crypto';
import { instantToLocal, parseInstantInput } from '../domain/time.js';
import { z } from 'zod';
import {
  AddBureauRequest,
  CancelRoundRequest,
  ChangeContactRequest,
  CloseConsultationRequest,
  ExtendDeadlineRequest,
  RecordPaperReplyRequest,
  ResendInvitationRequest,
  WaiveBureauRequest,
  type CommentDraft,
  type DocumentAnswerDraft,
} from '../domain/consultation.js';
import { CARD_FIELDS, readCommentCard } from '../domain/commentCard.js';
import { parseContactLines } from '../domain/contactLines.js';
import { IanaTimeZone, Slug, type Actor } from '../domain/records.js';
import type { RoundStatus } from '../domain/round.js';
import { latestSections } from '../domain/sections.js';

export const ACTIONS = ['extend', 'paper', 'waive', 'contact', 'resend', 'add-bureau', 'close', 'cancel'] as const;
export type ActionName = (typeof ACTIONS)[number];

/** The form as typed: field name → value. */
export type FormValues = Record<string, string>;
/** Field name → message; FORM_ERROR for a message about the whole form. */
export type FieldErrors = Record<string, string>;
export const FORM_ERROR = '_form';

export type Parsed<T> = { ok: true; request: T } | { ok: false; errors: FieldErrors };

export function newRequestId(action: ActionName): string {
  return `${action}:${randomUUID()}`;
}

// ---------------------------------------------------------------------------------------------
// Fields

const REQUIRED = (zh: string, en: string) => `${zh} ${en}`;

const requiredText = (max: number, zh: string, en: string) =>
  z
    .string({ message: REQUIRED(zh, en) })
    .trim()
    .min(1, REQUIRED(zh, en))
    .max(max, `最多 ${max} 个字符 At most ${max} characters`);

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `最多 ${max} 个字符 At most ${max} characters`)
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v));

const REASON = requiredText(2000, '请填写理由。', 'Give a reason.');

function requestIdField(action: ActionName) {
  return z
    .string({ message: '表单缺少请求编号，请刷新页面。The form has no request id; reload the page.' })
    .refine(
      (v) => new RegExp(`^${action}:[0-9a-f-]{36}$`).test(v),
      '表单的请求编号无效，请刷新页面。The form request id is not valid; reload the page.',
    );
}

function bureauField(round: RoundStatus) {
  return z
    .string({ message: '请选择单位。Choose a bureau.' })
    .min(1, '请选择单位。Choose a bureau.')
    .refine((id) => round.bureaus.some((b) => b.bureau.id === id), '本轮没有这个单位。This round has no such bureau.');
}

/**
 * A date and time typed in a datetime-local input (2022-02-17T18:00), read in the given time zone,
 * as an ISO instant; undefined when it is not a real date and time.
 */
export const localToInstant = parseInstantInput;
export { instantToLocal };

const dateTimeMessage = (tz: string) =>
  `不是有效的日期时间，请按 ${tz} 时间填写，如 2022-02-17T18:00。Not a date and time; enter it in ${tz} time, e.g. 2022-02-17T18:00.`;

function localDateTime(timeZone: string) {
  return z.string({ message: dateTimeMessage(timeZone) }).transform((v, ctx) => {
    const at = localToInstant(v, timeZone);
    if (at === undefined) {
      ctx.addIssue({ code: 'custom', message: dateTimeMessage(timeZone) });
      return z.NEVER;
    }
    return at;
  });
}

function optionalLocalDateTime(timeZone: string) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const at = localToInstant(v, timeZone);
      if (at === undefined) {
        ctx.addIssue({ code: 'custom', message: dateTimeMessage(timeZone) });
        return z.NEVER;
      }
      return at;
    });
}

const contactLines = z
  .string({ message: '请至少填写一个电子邮件地址。Enter at least one email address.' })
  .transform((v, ctx) => {
    const { contacts, error } = parseContactLines(v);
    if (error) {
      ctx.addIssue({ code: 'custom', message: error });
      return z.NEVER;
    }
    return contacts;
  });

function collect(err: z.ZodError, fieldOf: (path: string) => string = (p) => p): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of err.issues) {
    const key = fieldOf(issue.path.map(String).join('.')) || FORM_ERROR;
    errors[key] ??=
      key === FORM_ERROR && issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
  }
  return errors;
}

/** Form values through a form schema, then the domain request schema (the same one the workflow uses). */
function build<F extends z.ZodType, R extends z.ZodType>(
  action: ActionName,
  form: F,
  values: FormValues,
  toRequest: (f: z.infer<F>) => unknown,
  request: R,
): Parsed<z.infer<R>> {
  const f = form.safeParse(values);
  if (!f.success) return { ok: false, errors: collect(f.error) };
  const r = request.safeParse(toRequest(f.data));
  if (!r.success) return { ok: false, errors: collect(r.error, (p) => formFieldOf(action, p)) };
  return { ok: true, request: r.data };
}

export interface ParseContext {
  round: RoundStatus;
  actor: Actor;
}

// ---------------------------------------------------------------------------------------------
// The simple actions

export function parseExtend(values: FormValues, { round, actor }: ParseContext): Parsed<ExtendDeadlineRequest> {
  const form = z.object({
    requestId: requestIdField('extend'),
    bureauId: bureauField(round),
    deadline: localDateTime(round.timeZone),
    reason: REASON,
  });
  return build('extend', form, values, (f) => ({ ...f, actor }), ExtendDeadlineRequest);
}

export function parseWaive(values: FormValues, { round, actor }: ParseContext): Parsed<WaiveBureauRequest> {
  const form = z.object({ requestId: requestIdField('waive'), bureauId: bureauField(round), reason: REASON });
  return build('waive', form, values, (f) => ({ ...f, actor }), WaiveBureauRequest);
}

export function parseContact(values: FormValues, { round, actor }: ParseContext): Parsed<ChangeContactRequest> {
  const form = z.object({
    requestId: requestIdField('contact'),
    bureauId: bureauField(round),
    emails: contactLines,
    contactPerson: optionalText(200),
    reason: REASON,
  });
  return build(
    'contact',
    form,
    values,
    ({ emails, ...f }) => ({ ...f, contacts: emails, actor }),
    ChangeContactRequest,
  );
}

export function parseResend(values: FormValues, { round, actor }: ParseContext): Parsed<ResendInvitationRequest> {
  const form = z.object({ requestId: requestIdField('resend'), bureauId: bureauField(round) });
  return build('resend', form, values, (f) => ({ ...f, actor }), ResendInvitationRequest);
}

export function parseAddBureau(values: FormValues, { round, actor }: ParseContext): Parsed<AddBureauRequest> {
  const form = z.object({
    requestId: requestIdField('add-bureau'),
    id: z
      .string()
      .trim()
      .pipe(Slug)
      .refine(
        (id) => !round.bureaus.some((b) => b.bureau.id === id),
        '本轮已有这个单位。This round has this bureau already.',
      ),
    nameZh: requiredText(200, '请填写单位中文名称。', 'Enter the bureau name in Chinese.'),
    shortNameZh: optionalText(100),
    nameEn: requiredText(200, '请填写单位英文名称。', 'Enter the bureau name in English.'),
    emails: contactLines,
    contactPerson: requiredText(200, '请填写联系人。', 'Enter the contact person.'),
    timeZone: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v : undefined))
      .pipe(IanaTimeZone.optional()),
    deadline: optionalLocalDateTime(round.timeZone),
  });
  return build(
    'add-bureau',
    form,
    values,
    (f) => ({
      requestId: f.requestId,
      actor,
      bureau: {
        id: f.id,
        nameZh: f.nameZh,
        ...(f.shortNameZh ? { shortNameZh: f.shortNameZh } : {}),
        nameEn: f.nameEn,
        contacts: f.emails,
        contactPerson: f.contactPerson,
        ...(f.timeZone ? { timeZone: f.timeZone } : {}),
      },
      ...(f.deadline ? { deadline: f.deadline } : {}),
    }),
    AddBureauRequest,
  );
}

export function parseClose(values: FormValues, { actor }: ParseContext): Parsed<CloseConsultationRequest> {
  const form = z.object({ requestId: requestIdField('close'), reason: optionalText(2000) });
  return build(
    'close',
    form,
    values,
    (f) => ({ requestId: f.requestId, actor, ...(f.reason ? { reason: f.reason } : {}) }),
    CloseConsultationRequest,
  );
}

export function parseCancel(values: FormValues, { actor }: ParseContext): Parsed<CancelRoundRequest> {
  const form = z.object({
    requestId: requestIdField('cancel'),
    reason: REASON,
    confirm: z.literal('yes', {
      message: '请勾选确认：取消后本轮不可恢复。Tick the box: a cancelled round cannot be resumed.',
    }),
  });
  return build(
    'cancel',
    form,
    values,
    (f) => ({ requestId: f.requestId, actor, reason: f.reason }),
    CancelRoundRequest,
  );
}

// ---------------------------------------------------------------------------------------------
// The paper reply

export const DEFAULT_COMMENT_ROWS = 3;
export const MAX_COMMENT_ROWS = 200;

/** How many comment rows the form shows for a document: what it had, and at least every row typed in. */
export function commentRows(values: FormValues, docKey: string): number {
  let rows = Number.parseInt(values[`doc.${docKey}.rows`] ?? '', 10);
  if (!Number.isFinite(rows) || rows < 1) rows = DEFAULT_COMMENT_ROWS;
  for (const name of Object.keys(values)) {
    const m = /^doc\.([a-z0-9-]+)\.(\d+)\.[a-zA-Z]+$/.exec(name);
    if (m && m[1] === docKey && values[name]!.trim() !== '') rows = Math.max(rows, Number(m[2]) + 1);
  }
  return Math.min(rows, MAX_COMMENT_ROWS);
}

export interface PaperContext extends ParseContext {
  /** The scan's SHA-256 once it is in the store (from this post, or kept from an earlier one). */
  scanSha256?: string;
  /** Set when the scan could not be taken (wrong type, too large, missing). */
  scanError?: string;
}

/** Per document, the form row of each comment sent (blank rows are skipped), to map errors back. */
export type CommentRows = Record<string, number[]>;

export function parsePaper(
  values: FormValues,
  { round, actor, scanSha256, scanError }: PaperContext,
): { ok: true; request: RecordPaperReplyRequest; rowsOf: CommentRows } | { ok: false; errors: FieldErrors } {
  const rowsOf: CommentRows = {};
  const head = z
    .object({
      requestId: requestIdField('paper'),
      bureauId: bureauField(round),
      responderName: requiredText(
        200,
        '请填写答复人姓名（未署名可填“未署名”）。',
        'Enter who signed the reply (or 未署名 if unsigned).',
      ),
      responderPosition: requiredText(200, '请填写答复人职务或单位。', 'Enter their position or office.'),
      receivedAt: optionalLocalDateTime(round.timeZone),
    })
    .safeParse(values);
  const errors: FieldErrors = head.success ? {} : collect(head.error);
  if (scanError) errors.scan = scanError;
  else if (!scanSha256)
    errors.scan = '请附上纸质回复的扫描件（PDF、PNG 或 JPEG）。Attach the scan of the paper reply (PDF, PNG or JPEG).';

  const perDocument: Record<string, DocumentAnswerDraft> = {};
  for (const doc of round.documents) {
    const prefix = `doc.${doc.key}`;
    const kind = values[`${prefix}.kind`];
    const sections = latestSections(round, doc.key);
    const comments: CommentDraft[] = [];
    const rowOf: number[] = (rowsOf[doc.key] = []);
    const rows = commentRows(values, doc.key);
    for (let i = 0; i < rows; i++) {
      const get = (f: string) => (values[`${prefix}.${i}.${f}`] ?? '').trim();
      if (CARD_FIELDS.every((f) => get(f) === '')) continue;
      const card = readCommentCard(
        {
          page: get('page'),
          section: get('section'),
          quote: get('quote'),
          text: get('text'),
          suggestedChange: get('suggestedChange'),
        },
        sections,
      );
      if (!card.ok) {
        for (const [field, message] of Object.entries(card.errors)) errors[`${prefix}.${i}.${field}`] = message;
        continue;
      }
      comments.push(card.comment);
      rowOf.push(i);
    }
    const typedRows = Array.from({ length: rows }, (_, i) => i).some((i) =>
      CARD_FIELDS.some((f) => (values[`${prefix}.${i}.${f}`] ?? '').trim() !== ''),
    );
    if (kind === 'noComments') {
      if (typedRows)
        errors[prefix] =
          '选择了“无意见”，但填写了意见：请清空意见或选择“有意见”。You chose "no comments" but typed comments: clear them or choose "comments".';
      else perDocument[doc.key] = { kind: 'noComments' };
    } else if (kind === 'comments') {
      if (!typedRows)
        errors[prefix] = '请至少填写一条意见，或选择“无意见”。Add at least one comment, or choose "no comments".';
      else perDocument[doc.key] = { kind: 'comments', comments };
    } else {
      errors[prefix] = '请选择“无意见”或“有意见”。Choose "no comments" or "comments".';
    }
  }
  if (!head.success || Object.keys(errors).length > 0) return { ok: false, errors };

  const r = RecordPaperReplyRequest.safeParse({
    requestId: head.data.requestId,
    actor,
    bureauId: head.data.bureauId,
    reply: { responder: { name: head.data.responderName, position: head.data.responderPosition }, perDocument },
    scanSha256,
    ...(head.data.receivedAt ? { receivedAt: head.data.receivedAt } : {}),
  });
  if (!r.success) return { ok: false, errors: collect(r.error, (p) => formFieldOf('paper', p, rowsOf)) };
  return { ok: true, request: r.data, rowsOf };
}

// ---------------------------------------------------------------------------------------------
// Field paths → form fields

const COMMENT_FIELD_OF: Record<string, string> = {
  draftPage: 'page',
  section: 'section',
  quote: 'quote',
  text: 'text',
  suggestedChange: 'suggestedChange',
};

/**
 * The form field a request path belongs to (for a zod issue or the workflow's RoundRequestRejected
 * field), or FORM_ERROR when the message is about the whole form.
 */
export function formFieldOf(action: ActionName, path: string, rowsOf: CommentRows = {}): string {
  const p = path.replace(/\[(\d+)\]/g, '.$1');
  if (p === 'bureauId' && action !== 'close' && action !== 'cancel' && action !== 'add-bureau') return 'bureauId';
  switch (action) {
    case 'extend':
      return ['deadline', 'reason'].includes(p) ? p : FORM_ERROR;
    case 'waive':
    case 'cancel':
    case 'close':
      return p === 'reason' ? 'reason' : FORM_ERROR;
    case 'resend':
      return FORM_ERROR;
    case 'contact':
      if (p === 'contacts' || p.startsWith('contacts.')) return 'emails';
      return ['contactPerson', 'reason'].includes(p) ? p : FORM_ERROR;
    case 'add-bureau': {
      if (p === 'deadline') return 'deadline';
      const m = /^bureau\.([a-zA-Z]+)/.exec(p);
      if (!m) return p === 'bureau' ? 'id' : FORM_ERROR;
      if (m[1] === 'contacts') return 'emails';
      return ['id', 'nameZh', 'shortNameZh', 'nameEn', 'contactPerson', 'timeZone'].includes(m[1]!)
        ? m[1]!
        : FORM_ERROR;
    }
    case 'paper': {
      if (p === 'receivedAt') return 'receivedAt';
      if (p === 'scanSha256' || p === 'reply.attachmentSha256' || p === 'scan') return 'scan';
      if (p === 'reply.responder.name') return 'responderName';
      if (p === 'reply.responder.position') return 'responderPosition';
      const c = /^reply\.perDocument\.([a-z0-9-]+)\.comments\.(\d+)\.([a-zA-Z]+)/.exec(p);
      if (c && COMMENT_FIELD_OF[c[3]!])
        return `doc.${c[1]}.${rowsOf[c[1]!]?.[Number(c[2])] ?? c[2]}.${COMMENT_FIELD_OF[c[3]!]}`;
      const d = /^reply\.perDocument\.([a-z0-9-]+)/.exec(p);
      if (d) return `doc.${d[1]}`;
      return FORM_ERROR;
    }
  }
}
