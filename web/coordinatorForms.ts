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
import { parseAnchorLines, parseExpertLines } from '../domain/reviewLines.js';
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
  'schedule-meeting',
  'reschedule-meeting',
  'cancel-meeting',
  'record-opinions',
  'revision-note',
  'add-version',
  'reanchor',
  'resolve-objection',
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
  /** A revised version's file, once it is in the store (from this post, or kept from an earlier one). */
  documentSha256?: string;
  /** Set when the file could not be taken (too large, not UTF-8 text, not in the document format). */
  documentError?: string;
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
export const whenMissing = (code: MessageCode, params: MessageParams = {}) => ({
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

/** A field of lines read by `parse`, which answers with what it read or the first problem; `missing` when it must be there. */
function linesField<T>(missing: MessageCode | undefined, parse: (value: string) => { value: T; error?: string }) {
  const field = missing ? z.string(whenMissing(missing)) : z.string().default('');
  return field.transform((v, ctx) => {
    const { value, error } = parse(v);
    if (error) {
      ctx.addIssue({ code: 'custom', message: error });
      return z.NEVER;
    }
    return value;
  });
}

/** Experts one a line: `name | title | organisation | email` (domain/reviewLines.ts). */
export const expertLinesField = () =>
  linesField('expertsMissing', (v) => {
    const { experts, error } = parseExpertLines(v);
    return { value: experts, error };
  });

/** Places one a line: `doc#section | quotation`, in the documents' current versions; `required`: at least one. */
export const anchorLinesField = (round: RoundStatus, required = false) =>
  linesField(required ? 'anchorsMissing' : undefined, (v) => {
    const { anchors, error } = parseAnchorLines(v, round);
    return { value: anchors, error: error ?? (required && anchors.length === 0 ? say('anchorsMissing') : undefined) };
  });

// ---------------------------------------------------------------------------------------------
// The expert meeting's fields (scheduled and rescheduled alike)

export const MEETING_FIELDS = ['date', 'start', 'end', 'timeZone', 'place', 'url', 'organiser'] as const;

/** The meeting's day, hours, zone (the round's unless another is given), place or online link, organiser. */
export function meetingFields(round: RoundStatus) {
  return {
    date: requiredText(20, 'meetingDateMissing'),
    start: requiredText(20, 'meetingTimeMissing'),
    end: requiredText(20, 'meetingTimeMissing'),
    timeZone: optionalText(64).transform((v) => v ?? round.timeZone),
    place: optionalText(300),
    url: optionalText(2000).refine((v) => v === undefined || /^https?:\/\/\S+$/i.test(v), coded('meetingUrl')),
    organiser: requiredText(200, 'organiserMissing'),
  };
}

type MeetingForm = { [K in (typeof MEETING_FIELDS)[number]]: string | undefined };

/** The meeting's fields as the request's meeting draft. */
export function meetingOf(f: MeetingForm) {
  return {
    date: f.date!,
    start: f.start!,
    end: f.end!,
    timeZone: f.timeZone!,
    ...(f.place ? { place: f.place } : {}),
    ...(f.url ? { url: f.url } : {}),
    organiser: f.organiser!,
  };
}

/** A request's path in the meeting (`meeting.date`) → its form field. */
export function meetingFieldOf(path: string): string {
  const m = /^meeting\.([a-zA-Z]+)/.exec(path);
  return m && (MEETING_FIELDS as readonly string[]).includes(m[1]!) ? m[1]! : FORM_ERROR;
}

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
