import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { replyContentSha256 } from '../../domain/replyHash.js';
import type { Reply } from '../../domain/records.js';
import { makeRefusal } from '../../domain/refusals.js';
import { scanProofFor, signLink } from '../../infra/linkTokens.js';
import { DAY, ROUND_ID, replyFixture, type ReplyFixture } from '../support/replyFixture.js';
import { STATUS_REUSE_MS } from '../../web/recentStatuses.js';

const ORIGIN = 'http://localhost';
const XSS = '<script>alert(1)</script>';

/** The hidden fields of the form a GET rendered. */
function hidden(html: string): { requestId: string; csrf: string } {
  const requestId = /name="requestId" value="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!requestId || !csrf) throw new Error('form has no requestId/csrf');
  return { requestId, csrf };
}

async function openForm(fx: ReplyFixture, token: string) {
  const res = await fx.app.request(`/r/${token}`);
  expect(res.status).toBe(200);
  return hidden(await res.text());
}

function post(
  fx: ReplyFixture,
  token: string,
  fields: Record<string, string> | FormData,
  headers: Record<string, string> = {},
) {
  let body: FormData | URLSearchParams;
  if (fields instanceof FormData) body = fields;
  else body = new URLSearchParams(fields);
  return fx.app.request(`/r/${token}`, { method: 'POST', body, headers: { origin: ORIGIN, ...headers } });
}

/** A complete reply: no comments on the first document, two comments on the second. */
function fullReply(base: { requestId: string; csrf: string }): Record<string, string> {
  return {
    ...base,
    action: 'submit',
    'doc.protection.answer': 'noComments',
    'doc.protection.rows': '1',
    'doc.eco-plan.answer': 'comments',
    'doc.eco-plan.rows': '2',
    'doc.eco-plan.c.0.page': '33',
    'doc.eco-plan.c.0.section': '1.1.1',
    'doc.eco-plan.c.0.quote': '新荣区位于大同市北部。',
    'doc.eco-plan.c.0.text': '森林覆盖率目标应与林业规划一致。',
    'doc.eco-plan.c.0.change': '改为 27.04%',
    'doc.eco-plan.c.1.page': '',
    'doc.eco-plan.c.1.section': '2.1',
    'doc.eco-plan.c.1.quote': '',
    'doc.eco-plan.c.1.text': '请补充煤改电工程的售后服务要求。',
    'doc.eco-plan.c.1.change': '',
    'responder.name': '王明',
    'responder.position': '办公室主任',
  };
}

/** The text of a textarea or the value of an input named `name` in a rendered page. */
function valueOf(html: string, name: string): string | undefined {
  const esc = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  if (new RegExp(`<input type="radio" name="${esc}"`).test(html)) {
    return new RegExp(`<input type="radio" name="${esc}" value="([^"]*)" checked[ >]`).exec(html)?.[1] ?? '';
  }
  const input = new RegExp(`<input[^>]*name="${esc}"[^>]*value="([^"]*)"`).exec(html);
  if (input) return input[1];
  const area = new RegExp(`<textarea[^>]*name="${esc}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  if (area) return area[1];
  const select = new RegExp(`<select[^>]*name="${esc}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  if (select) return /<option value="([^"]*)" selected>/.exec(select[1]!)?.[1] ?? '';
  return undefined;
}

/** The message shown beside a form field. */
function errorOf(html: string, name: string): string | undefined {
  const id = `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}-error`;
  // As read: the message without the markup of its English.
  return new RegExp(`<p class="field-error" id="${id}">(.*?)</p>`).exec(html)?.[1]?.replace(/<[^>]+>/g, '');
}

describe('GET /r/:token', () => {
  it('shows the comment card, the documents and the form, and never acts', async () => {
    const fx = await replyFixture();
    const res = await fx.app.request(`/r/${fx.tokenFor('finance')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    const html = await res.text();
    // The card, modelled on the seed's 征求意见卡.
    expect(html).toContain('征求意见卡');
    expect(html).toContain('请根据实际情况提出宝贵意见');
    expect(html).toContain(
      '《测试区“十四五”生态环境保护规划（征求意见稿）》、《测试区“十四五”生态保护和生态文明建设规划（征求意见稿）》',
    );
    expect(html).toContain('大同市新荣区财政局');
    expect(html).toContain('2022-02-17 10:00 北京时间 (UTC+8)'); // the deadline, in the bureau's zone
    // The documents, readable, with their numbered sections and comment links.
    expect(html).toMatch(/<details class="reply-doc" id="doc-eco-plan">/);
    // Under the page's h2 and the document: the plan's ### heads an h5.
    expect(html).toContain('<h5 id="sec-1.1.1">1.1.1 地理位置');
    expect(html).toContain('href="?doc=eco-plan&#x26;section=1.1.1#form"');
    expect(html).toContain('<th rowspan="2">指标</th>');
    expect(html).toContain('图 1-1 新荣区地理位置图（图片未提供 image not supplied）');
    // The form.
    expect(html).toContain('name="doc.protection.answer" value="noComments"');
    expect(html).toContain('name="doc.eco-plan.answer" value="comments"');
    expect(html).toMatch(/<select id="f-doc-eco-plan-c-0-section" name="doc.eco-plan.c.0.section">/);
    expect(html).toContain('<option value="1.1.1">\u3000\u30001.1.1 地理位置</option>');
    expect(html).toContain('增加一条意见');
    expect(html).toContain('name="responder.name"');
    expect(html).toContain('type="file"');
    const { requestId } = hidden(html);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fx.fake.calls).toEqual([]);
  });

  it('a section link pre-selects that section (a GET that only pre-fills)', async () => {
    const fx = await replyFixture();
    const html = await (await fx.app.request(`/r/${fx.tokenFor('finance')}?doc=eco-plan&section=2.1`)).text();
    expect(valueOf(html, 'doc.eco-plan.c.0.section')).toBe('2.1');
    expect(valueOf(html, 'doc.eco-plan.answer')).toBe('comments');
    expect(fx.fake.calls).toEqual([]);
  });
});

describe('POST /r/:token', () => {
  it('sends the SubmitReplyRequest and redirects to the receipt', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('forestry');
    const form = await openForm(fx, token);
    const res = await post(fx, token, fullReply(form));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/r/${token}/receipt/1`);
    expect(fx.fake.updates).toHaveLength(1);
    expect(fx.fake.updates[0]).toEqual({
      name: 'submitReply',
      updateId: form.requestId,
      request: {
        requestId: form.requestId,
        actor: { name: '王明', role: 'bureau' },
        bureauId: 'forestry',
        linkId: 'forestry-link-2',
        reply: {
          responder: { name: '王明', position: '办公室主任' },
          perDocument: {
            protection: { kind: 'noComments' },
            'eco-plan': {
              kind: 'comments',
              comments: [
                {
                  section: '1.1.1',
                  quote: '新荣区位于大同市北部。',
                  draftPage: 33,
                  text: '森林覆盖率目标应与林业规划一致。',
                  suggestedChange: '改为 27.04%',
                },
                { section: '2.1', text: '请补充煤改电工程的售后服务要求。' },
              ],
            },
          },
        },
      },
    });

    const receipt = await fx.app.request(res.headers.get('location')!);
    expect(receipt.status).toBe(200);
    const html = await receipt.text();
    const reply = fx.fake.current.bureaus.find((b) => b.bureau.id === 'forestry')!.replies[0]!;
    expect(html).toContain('<dd class="receipt-n">1</dd>');
    expect(html).toContain(reply.contentSha256);
    expect(html).toContain('RFC 8785');
    expect(html).toContain('大同市新荣区林业局');
    expect(html).toContain('2022-02-04 10:00:00 北京时间 (UTC+8)'); // submitted, in the bureau's zone
    expect(html).toContain('1.1.1 地理位置');
    expect(html).toContain('第 33 页');
    expect(html).toContain('无意见');

    // The record behind the receipt: its SHA-256 recomputes from the canonical JSON without the hash.
    const record = (await (await fx.app.request(`/r/${token}/receipt/1/record.json`)).json()) as Reply;
    const { contentSha256, ...rest } = record;
    expect(replyContentSha256(rest)).toBe(contentSha256);
    expect(contentSha256).toBe(reply.contentSha256);
  });

  it("answers the receipt Submit leads to from the round's answer, without reading the round again", async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('forestry');
    const res = await post(fx, token, fullReply(await openForm(fx, token)));
    const statusReads = vi.spyOn(fx.fake, 'status');

    const first = await (await fx.app.request(res.headers.get('location')!)).text();
    expect(statusReads).not.toHaveBeenCalled();
    // The same page as one read from the round: a reload reads the round.
    const reloaded = await (await fx.app.request(res.headers.get('location')!)).text();
    expect(statusReads).toHaveBeenCalledTimes(1);
    const strip = (html: string) => html.replace(/name="csrf" value="[^"]*"/g, '');
    expect(strip(first)).toBe(strip(reloaded));
    const reply = fx.fake.current.bureaus.find((b) => b.bureau.id === 'forestry')!.replies[0]!;
    expect(first).toContain(reply.contentSha256);
  });

  it('lets a document be left unaddressed, but not every document', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('forestry');
    const form = await openForm(fx, token);
    const res = await post(fx, token, { ...fullReply(form), 'doc.protection.answer': 'notAddressed' });
    expect(res.status).toBe(303);
    expect(Object.keys(fx.fake.sent('submitReply')[0]!.request.reply.perDocument)).toEqual(['eco-plan']);

    const again = await openForm(fx, token);
    const none = await post(fx, token, {
      ...fullReply(again),
      'doc.protection.answer': 'notAddressed',
      'doc.eco-plan.answer': 'notAddressed',
      'doc.eco-plan.c.0.text': '',
      'doc.eco-plan.c.1.text': '',
      'doc.eco-plan.c.0.quote': '',
      'doc.eco-plan.c.0.change': '',
      'doc.eco-plan.c.0.page': '',
    });
    expect(none.status).toBe(422);
    expect(errorOf(await none.text(), 'doc.protection.answer')).toContain('请至少对一份文件作答');
    expect(fx.fake.updates).toHaveLength(1);
  });

  it('"add a comment" re-renders with one more row and everything typed kept, sending nothing', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const typed = {
      ...fullReply(form),
      'doc.protection.answer': 'comments',
      'doc.protection.c.0.text': '第一份文件的意见',
      action: 'add:eco-plan',
    };
    const res = await post(fx, token, typed);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const [name, value] of Object.entries(typed)) {
      if (name === 'action' || name === 'csrf' || name.endsWith('.rows')) continue;
      expect(valueOf(html, name), name).toBe(value);
    }
    expect(valueOf(html, 'doc.eco-plan.rows')).toBe('3');
    expect(valueOf(html, 'doc.eco-plan.c.2.text')).toBe('');
    expect(html).toContain('id="doc-eco-plan-c-2"');
    expect(html).toContain(`formaction="/r/${token}#doc-eco-plan-c-3"`);
    expect(fx.fake.calls).toEqual([]);
  });

  it('shows every bad field next to it with status 422, keeping the input', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const res = await post(fx, token, {
      ...fullReply(form),
      'doc.protection.answer': '',
      'doc.eco-plan.c.0.page': 'abc',
      'doc.eco-plan.c.1.text': '',
      'doc.eco-plan.c.1.quote': '某段原文',
      'doc.eco-plan.c.1.section': '9.9',
      'responder.position': '   ',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(errorOf(html, 'doc.protection.answer')).toContain('choose');
    expect(errorOf(html, 'doc.eco-plan.c.0.page')).toContain('页码');
    expect(errorOf(html, 'doc.eco-plan.c.1.section')).toContain('not a section');
    expect(errorOf(html, 'doc.eco-plan.c.1.text')).toContain('must not be empty');
    expect(valueOf(html, 'doc.eco-plan.c.1.quote')).toBe('某段原文');
    expect(errorOf(html, 'responder.position')).toContain('不能为空');
    expect(valueOf(html, 'doc.eco-plan.c.0.page')).toBe('abc');
    expect(valueOf(html, 'responder.name')).toBe('王明');
    expect(valueOf(html, 'requestId')).toBe(form.requestId);
    expect(fx.fake.calls).toEqual([]);
  });

  it('refuses broken UTF-8 in a field with a clear message, keeping the input', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const fields = new URLSearchParams(fullReply(form))
      .toString()
      .replace(
        /doc\.eco-plan\.c\.0\.text=[^&]*/,
        `doc.eco-plan.c.0.text=${encodeURIComponent('意见').slice(0, 9)}%FF%FE${encodeURIComponent('文字')}`,
      );
    const res = await fx.app.request(`/r/${token}`, {
      method: 'POST',
      body: fields,
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(errorOf(html, 'doc.eco-plan.c.0.text')).toContain('UTF-8');
    expect(valueOf(html, 'doc.eco-plan.c.0.text')).toContain('\ufffd');
    expect(valueOf(html, 'doc.eco-plan.c.1.text')).toBe('请补充煤改电工程的售后服务要求。');
    expect(valueOf(html, 'responder.name')).toBe('王明');
    expect(fx.fake.calls).toEqual([]);
  });

  it('refuses a line break in a name or position, and characters that turn text around anywhere, saying why', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const res = await post(fx, token, {
      ...fullReply(form),
      'responder.name': '王明\n（代签）',
      'responder.position': '办公室\u2028主任',
      'doc.eco-plan.c.0.text': '同意\u202e。意见无',
      'doc.eco-plan.c.0.change': '改为\u2066 27.04%\u2069',
      // A line break is fine in a comment.
      'doc.eco-plan.c.1.text': '请补充：\n一、售后服务要求；\n二、维修网点。',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    for (const name of ['responder.name', 'responder.position'])
      expect(errorOf(html, name), name).toBe('此项只能填写一行，不能换行 must be one line, without line breaks');
    for (const name of ['doc.eco-plan.c.0.text', 'doc.eco-plan.c.0.change']) {
      expect(errorOf(html, name), name).toContain('改变文字显示方向的隐藏字符');
      expect(errorOf(html, name), name).toContain('change the direction of text');
    }
    expect(errorOf(html, 'doc.eco-plan.c.1.text')).toBeUndefined();
    expect(fx.fake.calls).toEqual([]);
  });

  it('escapes HTML typed in every field, in the re-rendered form and in the receipt', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const fields = fullReply(form);
    const textFields = Object.keys(fields).filter((name) => /\.(quote|text|change)$|^responder\./.test(name));
    for (const name of textFields) fields[name] = `${XSS} ${name}`;
    expect(textFields).toHaveLength(8);
    const again = await post(fx, token, { ...fields, action: 'add:protection' });
    const html = await again.text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html.split('&lt;script&gt;alert(1)&lt;/script&gt;').length - 1).toBe(textFields.length);

    // Hand-made bodies too: a page number and a section that are markup.
    const bad = await post(fx, token, { ...fields, 'doc.eco-plan.c.0.page': XSS, 'doc.eco-plan.c.0.section': XSS });
    expect(bad.status).toBe(422);
    expect(await bad.text()).not.toContain('<script>alert(1)');

    const res = await post(fx, token, fields);
    expect(res.status).toBe(303);
    const receipt = await (await fx.app.request(res.headers.get('location')!)).text();
    expect(receipt).not.toContain('<script>alert(1)');
    expect(receipt.split('&lt;script&gt;alert(1)&lt;/script&gt;').length - 1).toBe(textFields.length);
  });

  it('a double submit of the same form is one reply', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const first = await post(fx, token, fullReply(form));
    const second = await post(fx, token, fullReply(form));
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(fx.fake.calls).toHaveLength(2);
    expect(fx.fake.updates).toHaveLength(1);
    expect(fx.fake.current.bureaus[0]!.replies).toHaveLength(1);
  });

  it("shows the round's rejection beside its field, keeping the input", async () => {
    const fx = await replyFixture();
    fx.fake.refuseWith = makeRefusal('reply.perDocument.eco-plan.comments.1.section', 'invalidField', {
      detail: 'this section was removed in version 2',
    });
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const res = await post(fx, token, fullReply(form));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(errorOf(html, 'doc.eco-plan.c.1.section')).toBe('this section was removed in version 2');
    expect(valueOf(html, 'doc.eco-plan.c.1.text')).toBe('请补充煤改电工程的售后服务要求。');
    expect(valueOf(html, 'requestId')).not.toBe(form.requestId); // not recorded: a corrected form is a new request
    expect(fx.fake.updates).toEqual([]);
  });

  it('refuses an attachment whose bytes are not PDF/PNG/JPEG, and stores a PDF by hash', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const withFile = (bytes: Uint8Array, name: string, type: string) => {
      const fd = new FormData();
      for (const [k, v] of Object.entries(fullReply(form))) fd.append(k, v);
      fd.append('attachment', new File([bytes], name, { type }));
      return fd;
    };
    const fake = await post(
      fx,
      token,
      withFile(new TextEncoder().encode('MZ\x90\x00 not a pdf'), 'card.pdf', 'application/pdf'),
    );
    expect(fake.status).toBe(422);
    expect(errorOf(await fake.text(), 'attachment')).toContain('PDF');
    expect(fx.fake.calls).toEqual([]);
    expect(fx.store.blobs.size).toBe(2); // the two documents only

    const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const sha = createHash('sha256').update(pdf).digest('hex');
    const res = await post(fx, token, withFile(pdf, 'card.pdf', 'application/pdf'));
    expect(res.status).toBe(303);
    expect(await fx.store.has(sha)).toBe(true);
    expect(fx.fake.sent('submitReply')[0]!.request.reply.attachmentSha256).toBe(sha);
    const receipt = await (await fx.app.request(res.headers.get('location')!)).text();
    expect(receipt).toContain(sha);
  });

  it('keeps an uploaded attachment across a re-render without asking for the file again', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const sha = createHash('sha256').update(png).digest('hex');
    const fd = new FormData();
    for (const [k, v] of Object.entries({ ...fullReply(form), action: 'add:eco-plan' })) fd.append(k, v);
    fd.append('attachment', new File([png], 'card.png', { type: 'image/png' }));
    const html = await (await post(fx, token, fd)).text();
    expect(valueOf(html, 'attachment.keep')).toBe(sha);
    // The re-rendered form carries the hash with its proof (a hidden field), as the browser posts it back.
    const proof = valueOf(html, 'attachment.proof')!;
    expect(proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const res = await post(fx, token, { ...fullReply(form), 'attachment.keep': sha, 'attachment.proof': proof });
    expect(res.status).toBe(303);
    expect(fx.fake.sent('submitReply')[0]!.request.reply.attachmentSha256).toBe(sha);
  });

  it('refuses a body over the limit with a clear 413 page', async () => {
    const fx = await replyFixture({ attachmentMaxBytes: 64 * 1024 });
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const fd = new FormData();
    for (const [k, v] of Object.entries(fullReply(form))) fd.append(k, v);
    fd.append(
      'attachment',
      new File([new Uint8Array(2 * 1024 * 1024).fill(0x25)], 'big.pdf', { type: 'application/pdf' }),
    );
    const res = await post(fx, token, fd);
    expect(res.status).toBe(413);
    const html = await res.text();
    expect(html).toContain('提交的内容过大');
    expect(html).toContain('too large');
    expect(fx.fake.calls).toEqual([]);
  });

  it('refuses a missing or wrong CSRF token, and a cross-site post, sending nothing', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const { csrf: _csrf, ...noCsrf } = fullReply(form);
    const missing = await post(fx, token, noCsrf);
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('not accepted');
    const wrong = await post(fx, token, { ...fullReply(form), csrf: fx.tokenFor('science') });
    expect(wrong.status).toBe(403);
    const otherLinkCsrf = await post(fx, token, {
      ...fullReply(form),
      csrf: hidden(await (await fx.app.request(`/r/${fx.tokenFor('science')}`)).text()).csrf,
    });
    expect(otherLinkCsrf.status).toBe(403);
    const crossSite = await post(fx, token, fullReply(form), {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toContain('did not come from this site');
    expect(fx.fake.calls).toEqual([]);
  });
});

describe('links that may not act', () => {
  async function expectRefused(fx: ReplyFixture, token: string, status: number, text: string) {
    const get = await fx.app.request(`/r/${token}`);
    expect(get.status).toBe(status);
    const html = await get.text();
    expect(html).toContain(text);
    expect(html).not.toMatch(/at .*\.ts:\d+/); // never a stack trace
    const res = await post(fx, token, { action: 'submit', csrf: 'x', 'responder.name': 'x' });
    expect(res.status).toBe(status);
    expect(fx.fake.calls).toEqual([]);
  }

  it('refuses a forged token', async () => {
    const fx = await replyFixture();
    const good = fx.tokenFor('finance');
    const [payload] = good.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ r: ROUND_ID, b: 'science', l: 'science-link-2' })).toString(
      'base64url',
    );
    await expectRefused(fx, `${forgedPayload}.${good.split('.')[1]}`, 403, '此链接无效');
    await expectRefused(fx, `${payload}.${'A'.repeat(43)}`, 403, 'This link is not valid');
    await expectRefused(fx, 'not-a-token', 403, '此链接无效');
    await expectRefused(
      fx,
      signLink(Buffer.alloc(32, 7), { roundId: ROUND_ID, bureauId: 'finance', linkId: 'finance-link-2' }),
      403,
      '此链接无效',
    );
  });

  it('refuses a valid token whose bureau is not in the round, or whose round does not exist', async () => {
    const fx = await replyFixture();
    await expectRefused(fx, fx.tokenFor('energy'), 404, 'does not belong to a bureau of this round');
    await expectRefused(
      fx,
      signLink(fx.secret, { roundId: 'round:other:1', bureauId: 'finance', linkId: 'finance-link-2' }),
      404,
      'not found',
    );
  });

  it('refuses a revoked link', async () => {
    const fx = await replyFixture();
    await expectRefused(fx, fx.tokenFor('finance', 'finance-link-1'), 410, '此链接已失效');
    await expectRefused(fx, fx.tokenFor('finance', 'finance-link-9'), 410, 'withdrawn');
  });

  it('refuses a link used after the deadline plus grace, and accepts it (marked late) within the grace', async () => {
    const fx = await replyFixture({ graceMs: DAY });
    const token = fx.tokenFor('finance');
    fx.clock.now = new Date(fx.deadline.getTime() + DAY / 2);
    const within = await fx.app.request(`/r/${token}`);
    expect(within.status).toBe(200);
    expect(await within.text()).toContain('marked late');
    fx.clock.now = new Date(fx.deadline.getTime() + DAY + 1);
    await expectRefused(fx, token, 410, '2022-02-17 10:00 北京时间 (UTC+8)');
  });

  it('keeps a late reply late on its receipt when the deadline is extended afterwards (as recorded)', async () => {
    const fx = await replyFixture({ graceMs: DAY });
    const token = fx.tokenFor('finance');
    fx.clock.now = new Date(fx.deadline.getTime() + DAY / 2);
    const res = await post(fx, token, fullReply(await openForm(fx, token)));
    expect(res.status).toBe(303);
    const lateMark = '晚于截止时间';
    expect(await (await fx.app.request(res.headers.get('location')!)).text()).toContain(lateMark);
    const finance = fx.fake.current.bureaus[0]!;
    finance.deadline = new Date(fx.deadline.getTime() + 5 * DAY).toISOString();
    expect(await (await fx.app.request(res.headers.get('location')!)).text()).toContain(lateMark);
    // A reply within an extended deadline is on time.
    fx.fake.current.bureaus[1]!.deadline = finance.deadline;
    const science = fx.tokenFor('science');
    const onTime = await post(fx, science, fullReply(await openForm(fx, science)));
    expect(await (await fx.app.request(onTime.headers.get('location')!)).text()).not.toContain(lateMark);
  });

  it('refuses a waived bureau, a closed consultation and a cancelled round', async () => {
    const stamp = {
      by: { name: '协调人', role: 'coordinator' as const },
      at: '2022-02-05T00:00:00.000Z',
      reason: 'test',
    };
    let fx = await replyFixture();
    fx.fake.current.bureaus[0]!.waived = stamp;
    await expectRefused(fx, fx.tokenFor('finance'), 410, 'excused');
    fx = await replyFixture();
    fx.fake.current.consultation.closed = stamp;
    await expectRefused(fx, fx.tokenFor('finance'), 410, '征求意见已结束');
    fx = await replyFixture();
    fx.fake.current.cancelled = stamp;
    fx.fake.current.stage = 'cancelled';
    await expectRefused(fx, fx.tokenFor('finance'), 410, 'cancelled');
  });
});

describe('revisions and receipts', () => {
  it('shows previous replies and pre-fills the form from the latest one', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    expect((await post(fx, token, fullReply(await openForm(fx, token)))).status).toBe(303);
    const html = await (await fx.app.request(`/r/${token}`)).text();
    const reply = fx.fake.current.bureaus[0]!.replies[0]!;
    // To the second, with the zone's IANA name on hover.
    const at =
      '<time datetime="2022-02-04T02:00:00.000Z" title="Asia/Shanghai">2022-02-04 10:00:00 北京时间 (UTC+8)</time>';
    expect(html).toContain(`第 1 号回复，第 1 版，提交于 ${at}`);
    expect(html).toContain(`your reply 1, version 1, submitted at ${at}`);
    expect(html).toContain(reply.contentSha256);
    expect(valueOf(html, 'doc.protection.answer')).toBe('noComments');
    expect(valueOf(html, 'doc.eco-plan.c.0.page')).toBe('33');
    expect(valueOf(html, 'doc.eco-plan.c.0.section')).toBe('1.1.1');
    expect(valueOf(html, 'doc.eco-plan.c.1.text')).toBe('请补充煤改电工程的售后服务要求。');
    expect(valueOf(html, 'responder.position')).toBe('办公室主任');

    // A revision is version 2, with a new receipt number.
    const res = await post(fx, token, { ...fullReply(hidden(html)), 'doc.eco-plan.c.1.text': '修改后的意见' });
    expect(res.headers.get('location')).toBe(`/r/${token}/receipt/2`);
    const receipt = await (await fx.app.request(`/r/${token}/receipt/2`)).text();
    expect(receipt).toContain('第 2 版');
    const old = await (await fx.app.request(`/r/${token}/receipt/1`)).text();
    expect(old).toContain('superseded by version 2');
  });

  it("shows only the link's own bureau's replies", async () => {
    const fx = await replyFixture();
    const science = fx.tokenFor('science');
    expect((await post(fx, science, fullReply(await openForm(fx, science)))).status).toBe(303);
    const res = await fx.app.request(`/r/${fx.tokenFor('finance')}/receipt/1`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('王明');
    expect((await fx.app.request(`/r/${fx.tokenFor('finance')}/receipt/1/record.json`)).status).toBe(404);
    expect((await fx.app.request(`/r/${science}/receipt/1`)).status).toBe(200);
    expect((await fx.app.request(`/r/${science}/receipt/abc`)).status).toBe(404);
  });
});

/** The form was read long enough ago that its Submit reads the round again. */
function pageReadOverAMinuteAgo(fx: ReplyFixture): void {
  fx.clock.now = new Date(fx.clock.now.getTime() + STATUS_REUSE_MS + 1);
}

describe('a refused submission keeps what was typed', () => {
  it('shows the typed reply back, read-only and escaped, when the round status cannot be read (503)', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    fx.fake.unavailable = true;
    pageReadOverAMinuteAgo(fx);
    const res = await post(fx, token, { ...fullReply(form), 'doc.eco-plan.c.1.change': `${XSS} 改` });
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).toContain('系统暂时无法访问');
    expect(html).toContain('What you typed (not sent)');
    for (const typed of [
      '王明',
      '办公室主任',
      '新荣区位于大同市北部。',
      '森林覆盖率目标应与林业规划一致。',
      '改为 27.04%',
      '请补充煤改电工程的售后服务要求。',
    ]) {
      expect(html).toContain(typed);
    }
    expect(html).toContain('无意见 <span class="en" lang="en">No comments');
    expect(html).toContain('有意见 <span class="en" lang="en">Comments');
    expect(html).toContain('《eco-plan》'); // without the status, a document is named by its key
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; 改');
    expect(fx.fake.calls).toEqual([]);
  });

  it('offers to send the same request again after a 503, so a reply that reached the round meanwhile is recorded once', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const posted = fullReply(form);
    fx.fake.unavailable = true;
    pageReadOverAMinuteAgo(fx);
    const html = await (await post(fx, token, posted)).text();
    expect(html).toContain('重新提交 <span class="en" lang="en">Submit again</span>');
    const resend = html.slice(html.indexOf('<form method="post" class="reply-resend">'), html.indexOf('</form>'));
    const hidden = Object.fromEntries(
      [...resend.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1]!,
        m[2]!
          .replace(/&#x3D;/g, '=')
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, '&'),
      ]),
    );
    expect(hidden.requestId).toBe(posted.requestId);
    expect(hidden['doc.eco-plan.c.1.text']).toBe(posted['doc.eco-plan.c.1.text']);
    fx.fake.unavailable = false;
    expect((await post(fx, token, hidden)).status).toBe(303);
    expect((await post(fx, token, hidden)).status).toBe(303);
    const replies = fx.fake.updates.filter((u) => u.name === 'submitReply');
    expect(new Set(replies.map((u) => u.updateId))).toEqual(new Set([posted.requestId]));
    expect(fx.fake.current.bureaus.find((b) => b.bureau.id === 'finance')!.replies).toHaveLength(1);
  });

  it('shows the typed reply back with the document titles when the deadline passed while typing (410)', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    fx.clock.now = new Date(fx.deadline.getTime() + 1);
    const res = await post(fx, token, fullReply(form));
    expect(res.status).toBe(410);
    const html = await res.text();
    expect(html).toContain('回复期限已过');
    expect(html).toContain('您填写的内容（未提交）');
    expect(html).toContain('《测试区“十四五”生态保护和生态文明建设规划（征求意见稿）》');
    expect(html).toContain('1.1.1 地理位置');
    expect(html).toContain('森林覆盖率目标应与林业规划一致。');
    expect(html).toContain('王明');
    expect(fx.fake.calls).toEqual([]);
  });

  it('shows nothing back for a body without the form token of this link', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    fx.fake.unavailable = true;
    pageReadOverAMinuteAgo(fx);
    const res = await post(fx, token, { ...fullReply(form), csrf: 'x'.repeat(43), 'responder.name': '伪造的文字' });
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).not.toContain('伪造的文字');
    expect(html).not.toContain('What you typed');
  });
});

describe('the origin check behind a TLS proxy', () => {
  it("accepts a post whose Origin is PUBLIC_URL's (no Sec-Fetch-Site), and still refuses other origins", async () => {
    const fx = await replyFixture({ trustedOrigins: ['https://review.example.org'] });
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    // The app sees http://localhost (the proxy forwards plain HTTP); the browser sends the public origin.
    const proxied = await post(fx, token, fullReply(form), { origin: 'https://review.example.org' });
    expect(proxied.status).toBe(303);
    const other = await post(fx, token, fullReply(form), { origin: 'https://evil.example' });
    expect(other.status).toBe(403);
    expect(fx.fake.updates).toHaveLength(1);
  });
});

describe('a kept attachment', () => {
  const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

  it("is not a circulated document's hash, nor a hash with a forged or another link's proof", async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const docSha = fx.status.documents[0]!.versions[0]!.sha256;
    for (const proof of [undefined, 'A'.repeat(43), scanProofFor(fx.secret, fx.tokenFor('science'), docSha)]) {
      const res = await post(fx, token, {
        ...fullReply(form),
        'attachment.keep': docSha,
        ...(proof ? { 'attachment.proof': proof } : {}),
      });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(errorOf(html, 'attachment')).toContain('not uploaded through this link');
      expect(valueOf(html, 'attachment.keep')).toBeUndefined();
      expect(valueOf(html, 'responder.name')).toBe('王明');
    }
    expect(fx.fake.calls).toEqual([]);
  });

  it('must be a scan by its stored bytes, even with a valid proof', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    const { sha256 } = await fx.store.put(Buffer.from('<html>not a scan</html>'));
    const res = await post(fx, token, {
      ...fullReply(form),
      'attachment.keep': sha256,
      'attachment.proof': scanProofFor(fx.secret, token, sha256),
    });
    expect(res.status).toBe(422);
    expect(errorOf(await res.text(), 'attachment')).toContain('PDF');
    expect(fx.fake.calls).toEqual([]);
  });

  it("may be the bureau's latest reply's scan when revising, without a proof", async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const fd = new FormData();
    for (const [k, v] of Object.entries(fullReply(await openForm(fx, token)))) fd.append(k, v);
    fd.append('attachment', new File([PDF], 'card.pdf', { type: 'application/pdf' }));
    expect((await post(fx, token, fd)).status).toBe(303);
    const sha = createHash('sha256').update(PDF).digest('hex');
    const html = await (await fx.app.request(`/r/${token}`)).text();
    expect(valueOf(html, 'attachment.keep')).toBe(sha);
    const res = await post(fx, token, { ...fullReply(hidden(html)), 'attachment.keep': sha });
    expect(res.status).toBe(303);
    expect(fx.fake.sent('submitReply')[1]!.request.reply.attachmentSha256).toBe(sha);
  });
});

describe('the upload quota of a link', () => {
  const png = (i: number) => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, i]);

  async function upload(fx: ReplyFixture, token: string, i: number) {
    const fd = new FormData();
    for (const [k, v] of Object.entries({ ...fullReply(await openForm(fx, token)), action: 'add:eco-plan' }))
      fd.append(k, v);
    fd.append('attachment', new File([png(i)], `card-${i}.png`, { type: 'image/png' }));
    return post(fx, token, fd);
  }

  it('stores at most 10 uploads per link per hour, then says so beside the file field, keeping the input', async () => {
    const fx = await replyFixture();
    // The quota reads the system clock (rate-limiter-flexible has no clock option): it moves with the fixture's clock.
    vi.useFakeTimers({ toFake: ['Date'], now: fx.clock.now });
    try {
      const token = fx.tokenFor('finance');
      for (let i = 0; i < 10; i++) expect((await upload(fx, token, i)).status).toBe(200);
      expect(fx.store.blobs.size).toBe(2 + 10);

      const refused = await upload(fx, token, 10);
      expect(refused.status).toBe(429);
      const html = await refused.text();
      expect(errorOf(html, 'attachment')).toContain('Too many uploads through this link');
      expect(errorOf(html, 'attachment')).toContain('上传文件过于频繁');
      expect(valueOf(html, 'responder.name')).toBe('王明');
      expect(valueOf(html, 'doc.eco-plan.c.0.text')).toBe('森林覆盖率目标应与林业规划一致。');
      expect(fx.store.blobs.size).toBe(2 + 10);

      // Another link has its own quota; this one's comes back after the hour.
      expect((await upload(fx, fx.tokenFor('science'), 11)).status).toBe(200);
      fx.clock.now = new Date(fx.clock.now.getTime() + 3600_000 + 1);
      vi.setSystemTime(fx.clock.now);
      expect((await upload(fx, token, 12)).status).toBe(200);
      expect(fx.fake.calls).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the outcome notice behind the same link', () => {
  it('shows how each comment was handled and takes an acknowledgement or an objection (with its text) until the deadline', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    expect((await post(fx, token, fullReply(await openForm(fx, token)))).status).toBe(303);
    const round = fx.fake.current;
    const reply = round.bureaus[0]!.replies[0]!;
    round.stage = 'disposition';
    round.consultation.closed = { by: { name: '协调人', role: 'coordinator' }, at: fx.clock.now.toISOString() };
    const decidedBy = { name: '协调人', role: 'coordinator' as const };
    round.dispositions = [
      {
        commentId: `finance-${reply.n}-1`,
        decision: 'adopted',
        changedAt: [],
        decidedBy,
        decidedAt: fx.clock.now.toISOString(),
        published: true,
      },
      {
        commentId: `finance-${reply.n}-2`,
        decision: 'notAdopted',
        rationale: `以上位规划为准${XSS}`,
        changedAt: [],
        decidedBy,
        decidedAt: fx.clock.now.toISOString(),
        published: true,
      },
    ];
    round.notices = [
      {
        bureauId: 'finance',
        messageId: '<n@test>',
        respondBy: new Date(fx.clock.now.getTime() + 5 * DAY).toISOString(),
        response: 'pending',
      },
    ];

    const page = await (await fx.app.request(`/r/${token}`)).text();
    expect(page).toContain('意见处理结果');
    expect(page).toContain('请补充煤改电工程的售后服务要求。');
    expect(page).toContain('不采纳');
    expect(page).not.toContain('<script>alert(1)');
    const form = hidden(page);
    const readsForPage = fx.fake.statusReads;
    const answer = (fields: Record<string, string>) =>
      fx.app.request(`/r/${token}/outcome`, {
        method: 'POST',
        body: new URLSearchParams({ ...form, ...fields }),
        headers: { origin: ORIGIN },
      });

    // An objection needs its text: refused beside it, nothing sent.
    const empty = await answer({ response: 'object', objection: '' });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('提出异议时请写明异议内容');
    expect(fx.fake.sent('respondToOutcome')).toHaveLength(0);
    // Answered within a minute of the page: the page's status did (the refusal was the round's own).
    expect(fx.fake.statusReads).toBe(readsForPage);

    const objected = await answer({ response: 'object', objection: '不采纳理由不充分' });
    expect(objected.status).toBe(303);
    expect(fx.fake.sent('respondToOutcome')).toEqual([
      expect.objectContaining({
        request: expect.objectContaining({
          bureauId: 'finance',
          response: 'object',
          objection: '不采纳理由不充分',
          linkId: 'finance-link-2',
        }),
      }),
    ]);
    // A forged form is refused.
    expect((await answer({ csrf: 'x'.repeat(43), response: 'acknowledge' })).status).toBe(403);
  });
});

describe('how often a link reads its round (each read is a query its worker answers)', () => {
  it('reads the round once for the page, and not again for a Submit within a minute', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    expect(fx.fake.statusReads).toBe(1);
    const res = await post(fx, token, fullReply(form));
    expect(res.status).toBe(303);
    expect(await (await fx.app.request(res.headers.get('location')!)).text()).toContain('王明');
    expect(fx.fake.statusReads).toBe(1);
    expect(fx.fake.sent('submitReply')).toHaveLength(1);
    // The Submit changed the round: its page reads it again and shows the reply.
    const html = await (await fx.app.request(`/r/${token}`)).text();
    expect(fx.fake.statusReads).toBe(2);
    expect(html).toContain('第 1 号回复');
  });

  it("reads the round once for each bureau's page and Submit, whatever the other bureaus send meanwhile", async () => {
    const fx = await replyFixture();
    const finance = fx.tokenFor('finance');
    const science = fx.tokenFor('science');
    const financeForm = await openForm(fx, finance);
    const scienceForm = await openForm(fx, science);
    expect(fx.fake.statusReads).toBe(2);
    expect((await post(fx, finance, fullReply(financeForm))).status).toBe(303);
    // Finance's reply changed nothing science's link decides: its Submit uses the view its page was built from.
    expect((await post(fx, science, fullReply(scienceForm))).status).toBe(303);
    expect(fx.fake.statusReads).toBe(2);
    expect(fx.fake.sent('submitReply').map((s) => s.request.bureauId)).toEqual(['finance', 'science']);
    // Each link that acted reads the round again for its next page, and sees its own reply.
    expect(await (await fx.app.request(`/r/${science}`)).text()).toMatch(/第 \d+ 号回复，第 1 版/);
    expect(fx.fake.statusReads).toBe(3);
  });

  it('reads the round again for a Submit more than a minute after its page', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    pageReadOverAMinuteAgo(fx);
    expect((await post(fx, token, fullReply(form))).status).toBe(303);
    expect(fx.fake.statusReads).toBe(2);
  });

  it('shows the withdrawn-link page when the link was replaced after its page was read', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    const form = await openForm(fx, token);
    fx.fake.current.bureaus[0]!.invitation!.linkId = 'finance-link-3';
    // The kept status lets the Submit through; the round refuses it, and a fresh read says why.
    const res = await post(fx, token, fullReply(form));
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('此链接已失效');
    expect(fx.fake.statusReads).toBe(2);
    expect(fx.fake.calls).toHaveLength(1);
    expect(fx.fake.updates).toEqual([]);
  });

  it('reads the round again when the status it kept would refuse the Submit', async () => {
    const fx = await replyFixture();
    const token = fx.tokenFor('finance');
    fx.fake.current.bureaus[0]!.invitation!.linkId = 'finance-link-3';
    expect((await fx.app.request(`/r/${token}`)).status).toBe(410);
    // The link is valid again (a test's shortcut for a round whose state moved the other way).
    fx.fake.current.bureaus[0]!.invitation!.linkId = 'finance-link-2';
    const form = await openForm(fx, token);
    fx.fake.current.bureaus[0]!.invitation!.linkId = 'finance-link-3';
    await fx.app.request(`/r/${token}`);
    fx.fake.current.bureaus[0]!.invitation!.linkId = 'finance-link-2';
    const reads = fx.fake.statusReads;
    const res = await post(fx, token, fullReply(form));
    expect(res.status).toBe(303);
    expect(fx.fake.statusReads).toBe(reads + 1);
    expect(fx.fake.sent('submitReply')).toHaveLength(1);
  });
});
