/**
 * Guards shared by the web layer: the security headers of every response, the origin check every
 * form POST passes (the request's own origin, or one of the trusted origins such as PUBLIC_URL's
 * behind a TLS proxy), body limits that answer with a readable page, and reading a form body
 * without a 500 when it is malformed.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { RoundGatewayError } from '../infra/roundGateway.js';
import type { Templates } from '../infra/templates.js';

export const KIB = 1024;

/**
 * The headers of every page and file: no framing (CSP frame-ancestors, and X-Frame-Options for
 * older browsers), no type sniffing, scripts and styles from this site only, and no referrer to
 * other sites; scripts may send requests to this site only (the reply page sends a reply with a file
 * through XMLHttpRequest, to show its progress). The referrer policy is `same-origin` rather than `no-referrer`: a browser sends
 * `Origin: null` on a POST from a no-referrer page, which the origin check of every form would
 * refuse; same-origin never sends a page's address (a reply link's token) to another site either.
 * Nothing is stored by caches (`no-store`): the pages hold reply links, names and replies; only
 * static files (styles, the reply page's script) set a cache policy of their own.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Adds SECURITY_HEADERS to every response, keeping any a route set itself (a scan's sandbox CSP). */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (!c.res.headers.has(name)) c.res.headers.set(name, value);
  }
};

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
export function messagePage(
  c: Context,
  templates: Templates,
  status: 400 | 404 | 413 | 429 | 503,
  message: Message,
): Response {
  c.header('cache-control', 'no-store');
  return c.html(templates.render('pages/message', { message }), status);
}

/** Said when the rounds cannot be reached (no worker answers, Temporal is down). */
export const unavailableMessage: Message = {
  zh: '系统暂时无法访问，请稍后再试',
  en: 'The service is temporarily unavailable; please try again later',
  detailZh: '审查轮次服务没有响应（可能没有运行中的 worker）。',
  detailEn: 'The round service did not answer (perhaps no worker is running).',
};

/**
 * The error handler of pages: the rounds unavailable is a 503 page that says so (at once: the
 * gateway waits seconds, not the RPC's default, for a worker); a form check's refusal is its own
 * response; anything else is a 500.
 */
export function errorPage(templates: Templates) {
  return (err: Error, c: Context): Response => {
    if (err instanceof HTTPException) return err.getResponse();
    console.error(`web: ${c.req.method} ${c.req.path}:`, err);
    if (err instanceof RoundGatewayError && err.outcome.kind === 'unavailable')
      return messagePage(c, templates, 503, unavailableMessage);
    return c.text('internal error', 500);
  };
}

/** The page of a round that does not exist (404). */
export function noRoundPage(c: Context, templates: Templates, roundId: string): Response {
  return messagePage(c, templates, 404, {
    zh: '未找到此审查轮次',
    en: 'There is no such review round',
    detailZh: `没有编号为 ${roundId} 的审查轮次。`,
    detailEn: `No round has the id ${roundId}.`,
  });
}

/** An address the app has no page for. */
export function noPage(c: Context, templates: Templates): Response {
  return messagePage(c, templates, 404, {
    zh: '找不到此页面',
    en: 'There is no such page',
    detailZh: '请检查网址，或从首页或邀请邮件中的链接进入。',
    detailEn: 'Check the address, or start from the home page or the link in your email.',
  });
}

/** A file of a round that the round does not reference (or the store no longer has), or a malformed file name. */
export function noFilePage(c: Context, templates: Templates): Response {
  return messagePage(c, templates, 404, {
    zh: '此审查轮次中没有这个文件',
    en: 'This round has no such file',
    detailZh: '请从审查轮次页面上的链接打开文件。',
    detailEn: "Open the file from the link on the round's page.",
  });
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
