/**
 * The whole web app in-process (web/app.ts): who may read the outbox, the default body limit and
 * the larger limits of the routes that carry a scan, and the reply form behind a TLS proxy.
 * The round behind it is the reply tests' fake (test/support/replyFixture.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.js';
import { Templates } from '../../infra/templates.js';
import { hashPassword, staticUserDirectory, type User } from '../../infra/users.js';
import { createApp, DEFAULT_BODY_LIMIT } from '../../web/app.js';
import { glanceRound } from '../support/glanceRound.js';
import { ROUND_ID, replyFixture, type ReplyFixture } from '../support/replyFixture.js';
import { TestBrowser } from '../support/testBrowser.js';

const PUBLIC_ORIGIN = 'https://review.example.org';
const LOCAL_ORIGIN = 'http://localhost';
const MESSAGE = '2030-01-01T00-00-00-000Z-1.eml';

let dir: string;
let users: User[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-app-test-'));
  await writeFile(
    path.join(dir, MESSAGE),
    'To: finance@bureaus.example.org\r\nSubject: invitation\r\n\r\nhttps://review.example.org/r/secret-link\r\n',
  );
  const cheap = { N: 1024, r: 8, p: 1 };
  users = [
    {
      username: 'li',
      name: '李协调',
      roles: ['coordinator'],
      passwordHash: await hashPassword('coordinator-pw', cheap),
    },
    { username: 'zhou', name: '周审计', roles: ['auditor'], passwordHash: await hashPassword('auditor-pw', cheap) },
  ];
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function appFor(fx: ReplyFixture): Promise<Hono> {
  const config = loadConfig(
    { PUBLIC_URL: `${PUBLIC_ORIGIN}/`, PLAN_REVIEW_DATA_DIR: dir, ATTACHMENT_MAX_BYTES: String(512 * 1024) },
    dir,
  );
  return createApp({
    rounds: fx.fake,
    config,
    templates: new Templates(),
    secret: fx.secret,
    store: fx.store,
    users: staticUserDirectory(users),
    outboxDir: dir,
  });
}

describe('the round overview', () => {
  it('names stages and outcomes in words from the catalog, never as enum names', async () => {
    const fx = await replyFixture();
    fx.fake.current.bureaus[1]!.outcome = 'deemedNoComments';
    const app = await appFor(fx);
    const auditor = await new TestBrowser(app, LOCAL_ORIGIN).login('zhou', 'auditor-pw');
    const page = await (await auditor.fetch(`/rounds/${ROUND_ID}`)).text();
    const visible = page.replace(/<[^>]+>/g, '');
    expect(visible).toContain('征求意见 Consultation');
    expect(visible).toContain('逾期未回复，视为无意见 No reply: deemed no comments');
    expect(visible).toContain('待回复 Pending');
    expect(page).not.toMatch(/>(consultation|deemedNoComments|pending)</);
    expect(page).toContain(
      `<a href="/rounds/${ROUND_ID}/approval">审批 <span class="en" lang="en">Approval</span></a>`,
    );
  });
});

describe('the round overview at a glance', () => {
  it("shows a coordinator what needs them with the forms' links, and a reader the table without them", async () => {
    const fx = await glanceRound();
    const app = await appFor(fx);
    const coordinator = await new TestBrowser(app, LOCAL_ORIGIN).login('li', 'coordinator-pw');
    // Handlebars writes '=' in attributes as &#x3D;.
    const page = (await (await coordinator.fetch(`/rounds/${ROUND_ID}`)).text()).replace(/&#x3D;/g, '=');
    const visible = page.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
    expect(visible).toContain('已回复 5/7 · 待回复 1 · 已豁免 1 · 逾期 1 · 需处理 2');
    expect(visible).toContain('区林业局已过截止时间仍未回复');
    expect(page).toContain(`href="/rounds/${ROUND_ID}/manage?form=extend&amp;bureau=forestry#form-extend"`);
    expect(page).toContain(`href="/rounds/${ROUND_ID}/manage#bureau-forestry"`);
    expect(page).toContain('<span class="status status-waived">已豁免 <span class="en" lang="en">Waived</span></span>');

    const auditor = await new TestBrowser(app, LOCAL_ORIGIN).login('zhou', 'auditor-pw');
    const read = await (await auditor.fetch(`/rounds/${ROUND_ID}`)).text();
    expect(read).toContain('已回复 5/7');
    expect(read).toContain('id="row-forestry"');
    expect(read).not.toContain('/manage');
    expect(read).not.toContain('id="attention-title"');
  });
});

describe('the outbox', () => {
  it("holds every bureau's live link, so only coordinators may read it", async () => {
    const app = await appFor(await replyFixture());
    const auditor = await new TestBrowser(app, LOCAL_ORIGIN).login('zhou', 'auditor-pw');
    for (const url of ['/outbox', `/outbox/${MESSAGE}`]) {
      const res = await auditor.fetch(url);
      expect(res.status, url).toBe(403);
      expect(await res.text()).not.toContain('secret-link');
    }
    const coordinator = await new TestBrowser(app, LOCAL_ORIGIN).login('li', 'coordinator-pw');
    expect((await coordinator.fetch('/outbox')).status).toBe(200);
    const message = await coordinator.fetch(`/outbox/${MESSAGE}`);
    expect(message.status).toBe(200);
    expect(await message.text()).toContain('secret-link');
    expect((await new TestBrowser(app, LOCAL_ORIGIN).fetch('/outbox')).status).toBe(302);
  });
});

describe('body limits', () => {
  it('reads at most 64 KiB on a route without a limit of its own (413 page), by length or as it streams', async () => {
    const app = await appFor(await replyFixture());
    const b = new TestBrowser(app, LOCAL_ORIGIN);
    const big = 'x'.repeat(DEFAULT_BODY_LIMIT + 1);
    const res = await b.fetch('/healthz', { method: 'POST', body: big });
    expect(res.status).toBe(413);
    const html = await res.text();
    expect(html).toContain('提交的内容过大');
    expect(html).toContain('too large');
    const streamed = await b.fetch('/outbox', {
      method: 'POST',
      body: new ReadableStream({
        start: (ctl) => {
          ctl.enqueue(new TextEncoder().encode(big));
          ctl.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    // /login has its own, smaller limit.
    expect(
      (await b.fetch('/login', { method: 'POST', body: new URLSearchParams({ pad: 'x'.repeat(20 * 1024) }) })).status,
    ).toBe(413);
  });

  it('keeps the larger limits of the reply form and the coordinator actions', async () => {
    const fx = await replyFixture();
    // The app reads the real clock: move the fixture's deadlines well into the future.
    for (const b of fx.fake.current.bureaus) b.deadline = '2100-01-01T00:00:00.000Z';
    const app = await appFor(fx);
    const token = fx.tokenFor('finance');
    const b = new TestBrowser(app, LOCAL_ORIGIN);
    const page = await (await b.fetch(`/r/${token}`)).text();
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page)![1]!;
    const reply = new FormData();
    for (const [k, v] of Object.entries({
      requestId: field('requestId'),
      csrf: field('csrf'),
      action: 'submit',
      'doc.protection.answer': 'noComments',
      'doc.eco-plan.answer': 'noComments',
      'responder.name': '王明',
      'responder.position': '办公室主任',
    })) {
      reply.append(k, v);
    }
    const scan = new Uint8Array(200 * 1024).fill(0x20);
    scan.set(new TextEncoder().encode('%PDF-1.4\n'));
    reply.append('attachment', new File([scan], 'card.pdf', { type: 'application/pdf' }));
    // Posted from PUBLIC_URL's origin (a TLS proxy in front), without Sec-Fetch-Site.
    const sent = await b.fetch(`/r/${token}`, { method: 'POST', body: reply, headers: { origin: PUBLIC_ORIGIN } });
    expect(sent.status).toBe(303);
    expect(fx.fake.updates).toHaveLength(1);

    const li = await new TestBrowser(app, LOCAL_ORIGIN).login('li', 'coordinator-pw');
    const manage = await (await li.fetch(`/rounds/${ROUND_ID}/manage`)).text();
    const start = manage.indexOf(`action="/rounds/${ROUND_ID}/actions/waive"`);
    const form = manage.slice(start, manage.indexOf('</form>', start));
    const hidden = Object.fromEntries(
      [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1]!,
        m[2]!.replace(/&#x3D;/g, '='),
      ]),
    );
    const waive = await li.fetch(`/rounds/${ROUND_ID}/actions/waive`, {
      method: 'POST',
      body: new URLSearchParams({ ...hidden, bureauId: 'science', reason: 'x'.repeat(100 * 1024) }),
    });
    expect(waive.status).toBe(422); // read and checked (the reason is too long), not refused as too large
    expect(await waive.text()).toContain(
      '不能超过 2000 个字符 <span class="en" lang="en">must be at most 2000 characters',
    );
  });
});

describe('security headers', () => {
  it('refuses framing and sniffing on every page and file, and lets nothing with a link or personal data be cached', async () => {
    const fx = await replyFixture();
    const app = await appFor(fx);
    const li = await new TestBrowser(app, LOCAL_ORIGIN).login('li', 'coordinator-pw');
    const visitor = new TestBrowser(app, LOCAL_ORIGIN);
    const pages: Array<[TestBrowser, string]> = [
      [visitor, '/login'],
      [visitor, `/r/${fx.tokenFor('finance')}`],
      [visitor, '/no-such-page'],
      [visitor, '/outbox'],
      [li, '/'],
      [li, `/rounds/${ROUND_ID}`],
      [li, `/rounds/${ROUND_ID}/manage`],
      [li, '/rounds/not-a-round'],
      [li, '/outbox'],
      [li, `/outbox/${MESSAGE}`],
    ];
    for (const [browser, url] of pages) {
      const res = await browser.fetch(url);
      expect(res.headers.get('content-security-policy'), url).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), url).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), url).toBe('same-origin');
      expect(res.headers.get('cache-control'), url).toBe('no-store');
    }
    const style = await visitor.fetch('/static/style.css');
    expect(style.headers.get('x-content-type-options')).toBe('nosniff');
    expect(style.headers.get('cache-control')).toMatch(/max-age/);
  });
});

describe('a wrong address on a staff page', () => {
  it('gets the bilingual error page, never a raw schema error', async () => {
    const app = await appFor(await replyFixture());
    const li = await new TestBrowser(app, LOCAL_ORIGIN).login('li', 'coordinator-pw');
    for (const url of ['/rounds/not-a-round', '/rounds/not-a-round/manage', '/rounds/round:x:0']) {
      const res = await li.fetch(url);
      expect(res.status, url).toBe(400);
      expect(res.headers.get('content-type'), url).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html, url).toContain('网址中的审查轮次编号无效');
      expect(html, url).toContain('The round in this address is not valid');
      expect(html, url).toContain('Not a round id (round:&lt;plan&gt;:&lt;n&gt;).');
    }
    for (const url of ['/rounds/round:no-such-plan:1', '/rounds/round:no-such-plan:1/manage']) {
      const res = await li.fetch(url);
      expect(res.status, url).toBe(404);
      expect(await res.text(), url).toContain('There is no such review round');
    }
    const message = await li.fetch('/outbox/..%2Fusers.yaml');
    expect(message.status).toBe(404);
    expect(await message.text()).toContain('There is no such message in the outbox');
  });
});

describe('a signed-in staff member on a bureau’s link', () => {
  it('is told so, and the reply records who submitted it on the bureau’s behalf', async () => {
    const fx = await replyFixture();
    for (const b of fx.fake.current.bureaus) b.deadline = '2100-01-01T00:00:00.000Z';
    const app = await appFor(fx);
    const token = fx.tokenFor('finance');
    const li = await new TestBrowser(app, LOCAL_ORIGIN).login('li', 'coordinator-pw');
    const page = await (await li.fetch(`/r/${token}`)).text();
    expect(page).toContain("recorded as submitted by you on the bureau's behalf");
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page)![1]!;
    const reply = new URLSearchParams({
      requestId: field('requestId'),
      csrf: field('csrf'),
      action: 'submit',
      'doc.protection.answer': 'noComments',
      'doc.eco-plan.answer': 'noComments',
      'responder.name': '王明',
      'responder.position': '办公室主任',
    });
    const sent = await li.fetch(`/r/${token}`, { method: 'POST', body: reply });
    expect(sent.status).toBe(303);
    expect(fx.fake.updates[0]!.request).toMatchObject({
      actor: { name: '王明', role: 'bureau' },
      submittedBy: { name: '李协调', role: 'coordinator', username: 'li' },
    });
    const receipt = await (await li.fetch(sent.headers.get('location')!)).text();
    expect(receipt).toContain('Submitted for the bureau by');
    expect(receipt).toContain('李协调（li）');

    // The bureau itself (no staff session) is not told anything of the kind.
    const bureau = await (await new TestBrowser(app, LOCAL_ORIGIN).fetch(`/r/${token}`)).text();
    expect(bureau).not.toContain('signed in as staff');
  });
});

describe('mail not sent yet', () => {
  it('is listed per bureau on the coordinator’s page, with since when, the attempt and the last error, and becomes a problem after 15 minutes', async () => {
    const fx = await replyFixture();
    const waiting = (minutes: number, recipient: string, kind: string) => ({
      messageId: `<${recipient}.${kind}.1@plan-review.test>`,
      kind,
      recipient,
      to: [`${recipient}@bureaus.example.org`],
      since: new Date(Date.now() - minutes * 60_000).toISOString(),
      attempts: 7,
      lastError: 'connect ECONNREFUSED 10.0.0.25:25',
    });
    fx.fake.current.mailInFlight = [waiting(40, 'finance', 'invitation'), waiting(2, 'science', 'reminder')];
    const app = await appFor(fx);
    const li = await new TestBrowser(app, LOCAL_ORIGIN).login('li', 'coordinator-pw');
    const html = await (await li.fetch(`/rounds/${ROUND_ID}/manage`)).text();
    const finance = html.slice(html.indexOf('id="bureau-finance"'), html.indexOf('id="bureau-science"'));
    expect(finance).toContain('Mail not sent yet');
    expect(finance).toContain(
      '征求意见邀请 <span class="en" lang="en">Invitation</span> → finance@bureaus.example.org',
    );
    expect(finance).toContain('attempt 7');
    expect(finance).toContain('connect ECONNREFUSED 10.0.0.25:25');
    const science = html.slice(html.indexOf('id="bureau-science"'));
    expect(science).toContain('<span class="en" lang="en">Reminder</span> → science@bureaus.example.org');
    // Only the one that has waited 15 minutes or more is a problem.
    const problems = html.slice(html.indexOf('class="error"'), html.indexOf('</ul>', html.indexOf('class="error"')));
    expect(problems).toContain('Mail not sent yet: invitation → finance@bureaus.example.org');
    expect(problems).not.toContain('reminder');
    // The round's overview shows the problem too.
    expect(await (await li.fetch(`/rounds/${ROUND_ID}`)).text()).toContain(
      'Mail not sent yet: invitation → finance@bureaus.example.org；已尝试 7 次 7 attempts',
    );
  });
});

describe('a staff page while the rounds cannot be reached', () => {
  it('says so on a bilingual page (503), not as an internal error', async () => {
    const fx = await replyFixture();
    const app = await appFor(fx);
    const li = await new TestBrowser(app, LOCAL_ORIGIN).login('li', 'coordinator-pw');
    fx.fake.unavailable = true;
    for (const url of ['/', `/rounds/${ROUND_ID}`, `/rounds/${ROUND_ID}/manage`]) {
      const res = await li.fetch(url);
      expect(res.status, url).toBe(503);
      const html = await res.text();
      expect(html, url).toContain('系统暂时无法访问');
      expect(html, url).toContain('The service is temporarily unavailable');
    }
  });
});
