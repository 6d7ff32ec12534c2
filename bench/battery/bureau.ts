/**
 * A bureau answering through its personal link over HTTP, as a person at a browser would: open the
 * page, fill the form, press Submit; when the answer is an error page, read it, and press Submit
 * again on the form it gives back; when the server does not answer at all, press Submit again on
 * the form still on the screen. Every failed attempt is kept, with whether its page was clear.
 */
import { fieldNames } from '../../domain/replyFormFields.js';
import { replyContentSha256 } from '../../domain/replyHash.js';
import type { Reply } from '../../domain/records.js';

export interface BureauAnswer {
  /** What the bureau types, by field (without requestId and csrf, which the page gives). */
  fields: URLSearchParams;
  /** A piece of what it typed that a page giving the form back must still show. */
  typed: string;
}

export interface ReplyOutcome {
  link: string;
  n: number;
  contentSha256: string;
  /** Milliseconds from the first Submit to the receipt. */
  ms: number;
  /** Submits that did not end in a receipt: an error page, or no answer. */
  failedPosts: number;
  /** Failed submits answered by the bilingual "could not be sent, what you typed is kept" page with the typed text in it. */
  clearErrors: number;
  /** Failed submits answered by a page that was not clear (wrong status, no bilingual message, typed text lost). */
  unclearErrors: string[];
  /** Submits that got no answer (the web server went away mid-request). */
  noAnswer: number;
  /** Page loads that failed before the form was shown (retried). */
  failedLoads: number;
  /** Times the bureau had to open its link again and enter what it typed (the page could not give the form back). */
  reopened: number;
}

/** How many Submits are waiting for their answer right now: a fault is timed on it. */
export class Traffic {
  posting = 0;
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  submitting(delta: 1 | -1): void {
    this.posting += delta;
    this.waiters = this.waiters.filter((w) => (this.posting >= w.n ? (w.resolve(), false) : true));
  }
  /** Resolves once `n` Submits are waiting for their answer at the same time. */
  atLeast(n: number): Promise<void> {
    return this.posting >= n ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function replyThroughLinkPatiently(
  link: string,
  answer: BureauAnswer,
  opts: {
    giveUpAfterMs: number;
    retryMs?: number;
    traffic?: Traffic;
    /** Awaited once the page is open, before the first Submit (bureaus that submit together). */
    beforeSubmit?: () => Promise<void>;
  },
): Promise<ReplyOutcome> {
  const retryMs = opts.retryMs ?? 1_000;
  const until = Date.now() + opts.giveUpAfterMs;
  const origin = new URL(link).origin;
  const outcome = {
    failedPosts: 0,
    clearErrors: 0,
    unclearErrors: [] as string[],
    noAnswer: 0,
    failedLoads: 0,
    reopened: 0,
  };
  const open = async (): Promise<string> => {
    for (;;) {
      try {
        const res = await fetch(link);
        const html = await res.text();
        if (res.status === 200 && hidden(html, fieldNames.requestId)) return html;
      } catch {
        // The web server is not there: the bureau reloads a moment later.
      }
      outcome.failedLoads++;
      if (Date.now() > until) throw new Error(`${link}: the reply page did not open for ${opts.giveUpAfterMs} ms`);
      await sleep(retryMs);
    }
  };
  let page = await open();
  await opts.beforeSubmit?.();
  const started = Date.now();
  for (;;) {
    const form = new URLSearchParams(answer.fields);
    form.set(fieldNames.requestId, hidden(page, fieldNames.requestId)!);
    form.set(fieldNames.csrf, hidden(page, fieldNames.csrf)!);
    form.set(fieldNames.action, 'submit');
    let res: Response | undefined;
    opts.traffic?.submitting(1);
    try {
      res = await fetch(link, { method: 'POST', body: form, redirect: 'manual', headers: { origin } });
    } catch {
      outcome.noAnswer++;
    } finally {
      opts.traffic?.submitting(-1);
    }
    if (res?.status === 303) {
      const receiptUrl = new URL(res.headers.get('location')!, link).toString();
      const record = (await (await fetch(`${receiptUrl}/record.json`)).json()) as Reply;
      if (replyContentSha256(record) !== record.contentSha256)
        throw new Error(`${receiptUrl}: the record does not hash to its SHA-256`);
      return { link, n: record.n, contentSha256: record.contentSha256, ms: Date.now() - started, ...outcome };
    }
    outcome.failedPosts++;
    if (res) {
      const body = await res.text();
      const formKept =
        res.status === 503 &&
        body.includes('暂时无法提交') &&
        body.includes('The reply could not be sent just now') &&
        body.includes(answer.typed) &&
        hidden(body, fieldNames.requestId) === form.get(fieldNames.requestId);
      // Without a worker the link itself cannot be checked: the page says so and shows what was typed.
      const typedShown =
        res.status === 503 &&
        body.includes('系统暂时无法访问') &&
        body.includes('temporarily unavailable') &&
        body.includes('What you typed (not sent)') &&
        body.includes(answer.typed);
      // The round could not be read: the page offers the same request again ("Submit again").
      const resendOffered =
        typedShown &&
        body.includes('class="reply-resend"') &&
        hidden(body, fieldNames.requestId) === form.get(fieldNames.requestId);
      if (formKept || resendOffered) {
        outcome.clearErrors++;
        // The page gives the form back as typed, with the same request: Submit again on it.
        page = body;
      } else if (typedShown) {
        outcome.clearErrors++;
        // The bureau opens its link again a moment later and enters what the page showed it.
        await sleep(retryMs);
        page = await open();
        outcome.reopened++;
        continue;
      } else outcome.unclearErrors.push(`HTTP ${res.status}: ${body.replace(/\s+/g, ' ').slice(0, 200)}`);
    }
    if (Date.now() > until)
      throw new Error(`${link}: no receipt after ${opts.giveUpAfterMs} ms (${JSON.stringify(outcome)})`);
    await sleep(retryMs);
  }
}

/** One comment on the stand-in plan's section 1.1.1, written so it can be found again. */
export function commentAnswer(docKeys: string[], text: string): BureauAnswer {
  const fields = new URLSearchParams();
  docKeys.forEach((key, i) => {
    if (i > 0) {
      fields.set(fieldNames.answer(key), 'noComments');
      fields.set(fieldNames.rows(key), '1');
      return;
    }
    fields.set(fieldNames.answer(key), 'comments');
    fields.set(fieldNames.rows(key), '1');
    fields.set(fieldNames.row(key, 0, 'page'), '');
    fields.set(fieldNames.row(key, 0, 'section'), '1.1.1');
    fields.set(fieldNames.row(key, 0, 'quote'), '');
    fields.set(fieldNames.row(key, 0, 'text'), text);
    fields.set(fieldNames.row(key, 0, 'change'), '');
  });
  fields.set(fieldNames.responderName, '王明');
  fields.set(fieldNames.responderPosition, '办公室主任');
  return { fields, typed: text };
}

/** "No comments" on every document. */
export function noCommentsAnswer(docKeys: string[]): BureauAnswer {
  const fields = new URLSearchParams();
  for (const key of docKeys) {
    fields.set(fieldNames.answer(key), 'noComments');
    fields.set(fieldNames.rows(key), '1');
  }
  fields.set(fieldNames.responderName, '李华');
  fields.set(fieldNames.responderPosition, '科员');
  return { fields, typed: '李华' };
}
