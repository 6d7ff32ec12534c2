/**
 * Answers a round's invitations the way the bureaus would: read each invitation from the mail
 * sink, follow the personal link in it over HTTP, fill the reply form and submit it, then read
 * the receipt. The demo (`plan-review up --demo`) replays the seed's replies this way, and the
 * end-to-end test does the same against a real SMTP server, web server and Temporal server.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { ReplyDraft } from '../domain/consultation.js';
import type { Reply } from '../domain/records.js';
import { replyContentSha256 } from '../domain/replyHash.js';
import { listOutbox } from '../infra/smtpSink.js';
import { fieldNames } from '../domain/replyFormFields.js';

export interface ReceivedMail {
  file: string;
  to: string[];
  subject: string;
  messageId: string;
  round: string;
  kind: string;
  html: string;
  /** The plain-text part. */
  text: string;
  attachments: Array<{ filename: string; contentType: string; size: number }>;
}

/** Every message in the sink, parsed. */
export async function readOutbox(dir: string): Promise<ReceivedMail[]> {
  const mails: ReceivedMail[] = [];
  for (const file of await listOutbox(dir)) {
    const m = await simpleParser(await readFile(path.join(dir, file)));
    const to = (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
    mails.push({
      file,
      to,
      subject: m.subject ?? '',
      messageId: m.messageId ?? '',
      round: String(m.headers.get('x-plan-review-round') ?? ''),
      kind: String(m.headers.get('x-plan-review-kind') ?? ''),
      html: typeof m.html === 'string' ? m.html : '',
      text: m.text ?? '',
      attachments: m.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, size: a.size })),
    });
  }
  return mails;
}

/** Waits until the sink holds `count` messages of a kind for a round (mail is asynchronous). */
export async function waitForMail(
  dir: string,
  round: string,
  kind: string,
  count: number,
  timeoutMs = 60_000,
): Promise<ReceivedMail[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = (await readOutbox(dir)).filter((m) => m.round === round && m.kind === kind);
    if (found.length >= count) return found;
    if (Date.now() > until)
      throw new Error(`expected ${count} ${kind} message(s) for ${round} in ${dir}, found ${found.length}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The personal reply link in an invitation. */
export function replyLinkIn(mail: ReceivedMail): string {
  const link = /href="(https?:\/\/[^"]+\/r\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"/.exec(mail.html)?.[1];
  if (!link) throw new Error(`no reply link in ${mail.file} (${mail.subject})`);
  return link;
}

export function hiddenField(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  if (value === undefined) throw new Error(`the reply page has no ${name} field`);
  return value;
}

/** The form fields that submit a reply: its answer per document, its comments, its responder. */
export function replyFormFields(reply: ReplyDraft, documentKeys: string[]): URLSearchParams {
  const form = new URLSearchParams();
  for (const key of documentKeys) {
    const answer = reply.perDocument[key];
    if (answer?.kind !== 'comments') {
      form.set(fieldNames.answer(key), answer ? 'noComments' : 'notAddressed');
      form.set(fieldNames.rows(key), '1');
      continue;
    }
    form.set(fieldNames.answer(key), 'comments');
    form.set(fieldNames.rows(key), String(answer.comments.length));
    answer.comments.forEach((c, i) => {
      form.set(fieldNames.row(key, i, 'page'), c.draftPage !== undefined ? String(c.draftPage) : '');
      form.set(fieldNames.row(key, i, 'section'), c.section ?? '');
      form.set(fieldNames.row(key, i, 'quote'), c.quote ?? '');
      form.set(fieldNames.row(key, i, 'text'), c.text);
      form.set(fieldNames.row(key, i, 'change'), c.suggestedChange ?? '');
    });
  }
  form.set(fieldNames.responderName, reply.responder.name);
  form.set(fieldNames.responderPosition, reply.responder.position);
  return form;
}

export interface LinkReceipt {
  link: string;
  n: number;
  contentSha256: string;
  /** The reply record as the receipt page publishes it; its hash recomputes to contentSha256. */
  record: Reply;
}

/** Opens a reply link, submits the reply through its form, and returns the receipt. */
export async function replyThroughLink(link: string, reply: ReplyDraft, documentKeys: string[]): Promise<LinkReceipt> {
  const page = await fetch(link);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`GET ${link}: ${page.status}`);
  const form = replyFormFields(reply, documentKeys);
  form.set(fieldNames.requestId, hiddenField(html, fieldNames.requestId));
  form.set(fieldNames.csrf, hiddenField(html, fieldNames.csrf));
  form.set(fieldNames.action, 'submit');
  const posted = await fetch(link, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { origin: new URL(link).origin },
  });
  if (posted.status !== 303) {
    const body = await posted.text();
    const problems = [...body.matchAll(/<p class="field-error" id="([^"]+)">([^<]*)<\/p>/g)].map(
      (m) => `${m[1]}: ${m[2]}`,
    );
    throw new Error(
      `the reply form refused the reply (HTTP ${posted.status}): ${problems.join('; ') || body.slice(0, 500)}`,
    );
  }
  const receiptUrl = new URL(posted.headers.get('location')!, link).toString();
  const record = (await (await fetch(`${receiptUrl}/record.json`)).json()) as Reply;
  if (replyContentSha256(record) !== record.contentSha256)
    throw new Error(`receipt ${receiptUrl}: the record does not hash to its SHA-256`);
  return { link, n: record.n, contentSha256: record.contentSha256, record };
}

/** Opens the link of an outcome notice and acknowledges the outcome through its form. */
export async function acknowledgeThroughLink(link: string): Promise<void> {
  const page = await fetch(link);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`GET ${link}: ${page.status}`);
  const form = new URLSearchParams({
    csrf: hiddenField(html, 'csrf'),
    requestId: hiddenField(html, 'requestId'),
    response: 'acknowledge',
  });
  const posted = await fetch(`${link}/outcome`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { origin: new URL(link).origin },
  });
  if (posted.status !== 303)
    throw new Error(
      `the outcome form refused the acknowledgement (HTTP ${posted.status}): ${(await posted.text()).slice(0, 500)}`,
    );
}
