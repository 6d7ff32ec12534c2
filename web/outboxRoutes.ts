/**
 * The outbox of the local mail sink (coordinators only: it holds every bureau's live reply link).
 * The list shows each message as a person reads it (received time in the viewer's zone, named; the
 * round; the kind in words) and filters by round; a message opens rendered: its headers, its HTML in
 * a sandboxed frame that runs nothing and loads nothing, its plain-text part, its attachments, and
 * its source one link away.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono, type Context } from 'hono';
import { simpleParser, type ParsedMail } from 'mailparser';
import { z } from 'zod';
import { parseReviewRoundId } from '../domain/ids.js';
import { MAIL_KIND_LABELS } from '../domain/labels.js';
import type { MailKind } from '../domain/mail.js';
import { listOutbox, readOutboxMessage } from '../infra/smtpSink.js';
import { pageTime, type Templates } from '../infra/templates.js';
import { messagePage, SECURITY_HEADERS } from './guards.js';

export interface OutboxDeps {
  templates: Templates;
  /** The mail sink's folder; absent when mail goes to a real SMTP server. */
  outboxDir?: string;
  /** The zone the viewer reads times in. */
  timeZone: string;
  /** What the signed-in user's navigation offers (web/viewer.ts). */
  viewer?: (c: Context) => object;
}

/** How many of the newest messages the list reads. */
const LISTED = 500;

const MessageParam = z.object({ name: z.string().regex(/^[\w-]+\.eml$/, 'not a message name') });
const RoundFilter = z
  .string()
  .refine((id) => parseReviewRoundId(id) !== null)
  .optional()
  .catch(undefined);

const NO_MESSAGE = { zh: '发件箱中没有这封邮件', en: 'There is no such message in the outbox' };

/** The page that frames a message: its own CSP, which lets it frame this site's message body only. */
const PAGE_CSP = SECURITY_HEADERS['content-security-policy']!.replace(
  "default-src 'none';",
  "default-src 'none'; frame-src 'self';",
);

/**
 * A message's HTML, framed by its page: sandboxed (no script, no form, no plugin, an origin of its
 * own), nothing fetched (its styles are inline; images only as data), framed by this site alone.
 */
const BODY_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox";

/** The sink names each file by its arrival: 2030-01-01T00-00-00-000Z-000001.eml. */
function receivedAt(name: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z/.exec(name);
  return m ? `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z` : undefined;
}

const header = (mail: ParsedMail, name: string): string | undefined => {
  const v = mail.headers.get(name);
  return typeof v === 'string' ? v : undefined;
};

const addresses = (a: ParsedMail['to']): string =>
  a === undefined ? '' : Array.isArray(a) ? a.map((x) => x.text).join(', ') : a.text;

function kindOf(mail: ParsedMail) {
  const kind = header(mail, 'x-plan-review-kind');
  return kind && Object.hasOwn(MAIL_KIND_LABELS, kind) ? MAIL_KIND_LABELS[kind as MailKind] : undefined;
}

async function parse(outboxDir: string, name: string): Promise<ParsedMail> {
  return simpleParser(await readOutboxMessage(outboxDir, name), { skipTextToHtml: true });
}

export function createOutboxRoutes(deps: OutboxDeps) {
  const { templates, outboxDir, timeZone } = deps;
  const app = new Hono();
  const viewer = (c: Context) => deps.viewer?.(c) ?? {};
  const when = (iso: string | undefined) => (iso ? pageTime(iso, timeZone, { seconds: true }) : undefined);

  app.get('/outbox', async (c) => {
    if (!outboxDir) return c.html(templates.render('pages/outbox', { sink: false, ...viewer(c) }));
    const round = RoundFilter.parse(c.req.query('round') || undefined);
    const names = (await listOutbox(outboxDir)).reverse().slice(0, LISTED);
    const all = await Promise.all(
      names.map(async (name) => {
        const mail = await simpleParser(await readOutboxMessage(outboxDir, name), {
          skipHtmlToText: true,
          skipTextToHtml: true,
        });
        return {
          name,
          round: header(mail, 'x-plan-review-round'),
          kind: kindOf(mail),
          to: addresses(mail.to),
          subject: mail.subject ?? '',
          received: when(receivedAt(name)),
        };
      }),
    );
    const rounds = [...new Set(all.map((m) => m.round).filter((r): r is string => r !== undefined))].sort();
    return c.html(
      templates.render('pages/outbox', {
        sink: true,
        messages: round ? all.filter((m) => m.round === round) : all,
        total: all.length,
        filtered: round !== undefined,
        rounds: rounds.map((r) => ({ value: r, selected: r === round })),
        timeZone,
        ...viewer(c),
      }),
    );
  });

  const message = zValidator('param', MessageParam, (result, c) => {
    if (!result.success) return messagePage(c, templates, 404, NO_MESSAGE);
  });

  app.get('/outbox/:name', message, async (c) => {
    if (!outboxDir) return messagePage(c, templates, 404, NO_MESSAGE);
    const { name } = c.req.valid('param');
    let mail: ParsedMail;
    try {
      mail = await parse(outboxDir, name);
    } catch {
      return messagePage(c, templates, 404, NO_MESSAGE);
    }
    c.header('content-security-policy', PAGE_CSP);
    return c.html(
      templates.render('pages/outbox-message', {
        name,
        subject: mail.subject ?? '',
        from: addresses(mail.from),
        to: addresses(mail.to),
        cc: addresses(mail.cc),
        date: when(mail.date?.toISOString()),
        received: when(receivedAt(name)),
        messageId: mail.messageId,
        round: header(mail, 'x-plan-review-round'),
        kind: kindOf(mail),
        html: typeof mail.html === 'string',
        text: mail.text,
        attachments: mail.attachments.map((a) => ({
          filename: a.filename ?? '',
          contentType: a.contentType,
          kib: Math.max(1, Math.round(a.size / 1024)),
        })),
        timeZone,
        ...viewer(c),
      }),
    );
  });

  app.get('/outbox/:name/html', message, async (c) => {
    if (!outboxDir) return messagePage(c, templates, 404, NO_MESSAGE);
    let mail: ParsedMail;
    try {
      mail = await parse(outboxDir, c.req.valid('param').name);
    } catch {
      return messagePage(c, templates, 404, NO_MESSAGE);
    }
    if (typeof mail.html !== 'string') return messagePage(c, templates, 404, NO_MESSAGE);
    return c.body(mail.html, 200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': BODY_CSP,
      'x-frame-options': 'SAMEORIGIN',
    });
  });

  app.get('/outbox/:name/source', message, async (c) => {
    if (!outboxDir) return messagePage(c, templates, 404, NO_MESSAGE);
    try {
      const raw = await readOutboxMessage(outboxDir, c.req.valid('param').name);
      return c.body(new Uint8Array(raw), 200, { 'content-type': 'text/plain; charset=utf-8' });
    } catch {
      return messagePage(c, templates, 404, NO_MESSAGE);
    }
  });

  return app;
}
