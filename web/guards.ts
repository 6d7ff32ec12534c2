/**
 * Guards shared by the web layer: the origin check every form POST passes (the request's own
 * origin, or one of the trusted origins such as PUBLIC_URL's behind a TLS proxy), body limits that
 * answer with a readable page, and reading a form body without a 500 when it is malformed.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import type { Templates } from '../infra/templates.js';

export const KIB = 1024;

/** hono's csrf() with the request's own origin and the trusted ones accepted (a browser without Sec-Fetch-Site sends Origin). */
export function originCheck(trustedOrigins: readonly string[] = []): MiddlewareHandler {
  const trusted = new Set(trustedOrigins);
  return csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || trusted.has(origin) });
}

export interface Message {
  zh: string;
  en: string;
  detailZh?: string;
  detailEn?: string;
}

/** A short bilingual page (no staff navigation: it may be shown to anyone). */
export function messagePage(c: Context, templates: Templates, status: 400 | 413 | 429, message: Message): Response {
  c.header('cache-control', 'no-store');
  return c.html(templates.render('pages/message', { message }), status);
}

export const tooLargeMessage = (maxBytes: number): Message => ({
  zh: '提交的内容过大，未予受理',
  en: 'What was sent is too large and was not accepted',
  detailZh: `此处提交的内容不得超过 ${Math.round(maxBytes / KIB)} KB。请返回上一页检查后再提交。`,
  detailEn: `At most ${Math.round(maxBytes / KIB)} KB may be sent here. Go back, check what you entered and submit again.`,
});

export const unreadableFormMessage: Message = {
  zh: '无法读取提交的表单',
  en: 'The form that was sent could not be read',
  detailZh: '请返回上一页，刷新后重新提交。',
  detailEn: 'Go back, reload the page and submit it again.',
};

/** hono's bodyLimit (Content-Length or the streamed size) answering with a bilingual 413 page. */
export function limitBody(maxSize: number, templates: Templates): MiddlewareHandler {
  return bodyLimit({ maxSize, onError: (c) => messagePage(c, templates, 413, tooLargeMessage(maxSize)) });
}

export type FormBody = Record<string, string | File | (string | File)[]>;

/**
 * The posted form, or undefined when the body is not a readable form (malformed multipart).
 * `all`: every value of a repeated field (else the last one).
 */
export async function readFormBody(c: Context, { all = true }: { all?: boolean } = {}): Promise<FormBody | undefined> {
  try {
    return (await c.req.parseBody({ all })) as FormBody;
  } catch {
    return undefined;
  }
}

/** The first string value of a field. */
export function firstString(body: FormBody, name: string): string | undefined {
  const v = body[name];
  const first = Array.isArray(v) ? v.find((x) => typeof x === 'string') : v;
  return typeof first === 'string' ? first : undefined;
}
