/**
 * What the coordinator's action forms share (each action's form is in web/actions/): the flat
 * strings a form posts, the fields several forms have (request id, bureau, reason, dates, contacts),
 * and turning a form's zod issues into a message per form field (domain/messages.ts words them).
 *
 * The actor never comes from a form: it is the signed-in user. The requestId comes from a hidden
 * field written when the page was rendered, so a double submit is one action.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ActionName as RoundAction } from '../domain/actions.js';
import { parseContactLines } from '../domain/contactLines.js';
import { coded, issueMessage, say, type MessageCode, type MessageParams } from '../domain/messages.js';
import type { Actor } from '../domain/records.js';
import type { RoundStatus } from '../domain/round.js';
import { instantToLocal, parseInstantInput } from '../domain/time.js';
import type { ActionRequest } from '../infra/roundGateway.js';
import { CSRF_FIELD } from './auth.js';

export const ACTIONS = [
  'extend',
  'paper',
  'waive',
  'contact',
  'resend',
  'add-bureau',
  'close',
  'cancel',
  'dispose',
  'adopt-all',
  'publish',
] as const;
export type ActionName = (typeof ACTIONS)[number];

/** The form as typed: field name → value. */
export type FormValues = Record<string, string>;
/** Field name → message; FORM_ERROR for a message about the whole form. */
export type FieldErrors = Record<string, string>;
export const FORM_ERROR = '_form';

/** A fresh request id for a form (an action's name, or another page's form such as the approver's). */
export function newRequestId(action: string): string {
  return `${action}:${randomUUID()}`;
}

/** Form fields as typed (the first value of each; files are handled apart, the form token is not a field). */
export function formValues(body: unknown): FormValues {
  const values: FormValues = {};
  if (typeof body !== 'object' || body === null) return values;
  for (const [k, raw] of Object.entries(body)) {
    if (k === CSRF_FIELD) continue;
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (typeof v === 'string') values[k] = v;
  }
  return values;
}

/** What a form is read against: the round as it stands, and who is acting. */
export interface FormContext {
  round: RoundStatus;
  actor: Actor;
  /** The paper reply's scan, once it is in the store (from this post, or kept from an earlier one). */
  scanSha256?: string;
  /** Set when the scan could not be taken (wrong type, too large). */
  scanError?: string;
  /** Filled by the paper reply's form: the form row of each comment it sends. */
  rowsOf?: CommentRows;
}

/** Per document, the form row of each comment sent (blank rows are skipped), to map errors back. */
export type CommentRows = Record<string, number[]>;

/** One coordinator action: its form, the round Update it sends, and what the page says about it. */
export interface CoordinatorAction<K extends RoundAction = RoundAction> {
  name: ActionName;
  update: K;
  /** The form's heading, Chinese then English. */
  title: string;
  /** The message once it is taken: `bureau` names the bureau it concerned, `n` the receipt. */
  flash(bureau: { zh: string; en: string }, n?: number): string;
  /** The form fields as posted → the round's request (through the action's domain schema). */
  form(ctx: FormContext): z.ZodType<ActionRequest<K>>;
  /** The form field a path names: a form field's own, or one of the request (a zod issue, the round's refusal). */
  fieldOf(path: string, rowsOf?: CommentRows): string;
  /** The bureau a request concerns, for the flash. */
  bureauOf?(request: ActionRequest<K>): string | undefined;
}

/** A path as the form names it: `a[1].b` → `a.1.b`. */
export const dotted = (path: string) => path.replace(/\[(\d+)\]/g, '.$1');

/** The form field of a path: its own when the form has that field, else what `ofRequest` maps it to. */
export function fieldOfForm(fields: readonly string[], ofRequest: (path: string) => string = () => FORM_ERROR) {
  return (path: string) => {
    const p = dotted(path);
    return fields.includes(p) ? p : ofRequest(p);
  };
}

/** A form's issues as one message per form field (the first), Chinese first. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], fieldOf: (path: string) => string): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    const key = (path && fieldOf(path)) || FORM_ERROR;
    const message = issueMessage(issue);
    errors[key] ??= key === FORM_ERROR && path && path !== 'requestId' ? `${path}: ${message}` : message;
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Fields

/**
 * The message of a field that is missing (or not a string): a schema's `error` would also word its
 * checks, so it answers for invalid_type only and leaves the rest to the catalog.
 */
const whenMissing = (code: MessageCode, params: MessageParams = {}) => ({
  error: (iss: { code: string }) => (iss.code === 'invalid_type' ? say(code, params) : undefined),
});

export const requiredText = (max: number, code: MessageCode) =>
  z.string(whenMissing(code)).trim().min(1, say(code)).max(max);

export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v));

export const reasonField = () => requiredText(2000, 'giveReason');

export function requestIdField(action: string) {
  return z
    .string(whenMissing('requestIdMissing'))
    .refine((v) => new RegExp(`^${action}:[0-9a-f-]{36}$`).test(v), coded('requestIdInvalid'));
}

export function bureauField(round: RoundStatus) {
  return z
    .string(whenMissing('chooseBureau'))
    .min(1, say('chooseBureau'))
    .refine((id) => round.bureaus.some((b) => b.bureau.id === id), coded('noSuchBureau'));
}

/**
 * A date and time typed in a datetime-local input (2022-02-17T18:00), read in the given time zone,
 * as an ISO instant; undefined when it is not a real date and time.
 */
export const localToInstant = parseInstantInput;
export { instantToLocal };

export function localDateTime(timeZone: string) {
  return z.string(whenMissing('dateTime', { tz: timeZone })).transform((v, ctx) => {
    const at = localToInstant(v, timeZone);
    if (at === undefined) {
      ctx.addIssue({ code: 'custom', ...coded('dateTime', { tz: timeZone }) });
      return z.NEVER;
    }
    return at;
  });
}

export function optionalLocalDateTime(timeZone: string) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const at = localToInstant(v, timeZone);
      if (at === undefined) {
        ctx.addIssue({ code: 'custom', ...coded('dateTime', { tz: timeZone }) });
        return z.NEVER;
      }
      return at;
    });
}

export const contactLinesField = () =>
  z.string(whenMissing('enterEmail')).transform((v, ctx) => {
    const { contacts, error } = parseContactLines(v);
    if (error) {
      ctx.addIssue({ code: 'custom', message: error });
      return z.NEVER;
    }
    return contacts;
  });

// ---------------------------------------------------------------------------------------------
// Comment rows of the paper reply

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
