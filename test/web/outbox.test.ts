/**
 * The outbox (web/outboxRoutes.ts) over real emails in the project's own mail sink
 * (test/support/outboxMail.ts): each message listed with its kind in words and its time in the
 * viewer's zone, named; filtered by round; opened rendered, its HTML in a frame that runs and loads
 * nothing, its source one link away; never cached.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { loadConfig } from '../../infra/config.js';
import { Templates } from '../../infra/templates.js';
import { hashPassword, staticUserDirectory } from '../../infra/users.js';
import { createApp } from '../../web/app.js';
import { OTHER_ROUND, outboxWithMail, SEED_ROUND, type OutboxMail } from '../support/outboxMail.js';
import { replyFixture } from '../support/replyFixture.js';
import { TestBrowser } from '../support/testBrowser.js';

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');

let mail: OutboxMail;
let app: Hono;

beforeAll(async () => {
  mail = await outboxWithMail();
  const fx = await replyFixture();
  const config = loadConfig({ PUBLIC_URL: 'http://localhost/', PLAN_REVIEW_DATA_DIR: mail.dir }, mail.dir);
  const passwordHash = await hashPassword('coordinator-pw', { N: 1024, r: 8, p: 1 });
  app = createApp({
    rounds: fx.fake,
    config,
    templates: new Templates(),
    secret: fx.secret,
    store: fx.store,
    users: staticUserDirectory([{ username: 'li', name: '李协调', roles: ['coordinator'], passwordHash }]),
    outboxDir: mail.dir,
  });
});

afterAll(async () => {
  if (mail) await rm(mail.dir, { recursive: true, force: true });
});

describe('the outbox', () => {
  it('lists each message with its kind in words and its time in the viewer’s zone, named, filtered by round', async () => {
    const li = await new TestBrowser(app).login('li', 'coordinator-pw');
    const res = await li.fetch('/outbox');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const list = await res.text();
    expect(mail.names).toHaveLength(3);
    for (const name of mail.names) expect(list).toContain(`href="/outbox/${name}"`);
    expect(text(list)).toContain('时间为 北京时间 (UTC+8)');
    expect(list).toMatch(
      /<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z" title="Asia\/Shanghai">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 北京时间 \(UTC\+8\)<\/time>/,
    );
    expect(list).not.toMatch(/\d\d:\d\d:\d\d(\.\d+)?Z</);
    expect(text(list)).toContain('征求意见邀请 Invitation');
    expect(text(list)).toContain('回复提醒 Reminder');

    const seed = await (await li.fetch(`/outbox?round=${encodeURIComponent(SEED_ROUND)}`)).text();
    expect(seed).toContain(`<option value="${SEED_ROUND}" selected>`);
    expect(seed).toContain(`href="/outbox/${mail.names[0]}"`);
    expect(seed).toContain(`href="/outbox/${mail.names[1]}"`);
    expect(seed).not.toContain(`href="/outbox/${mail.names[2]}"`);
    const other = await (await li.fetch(`/outbox?round=${encodeURIComponent(OTHER_ROUND)}`)).text();
    expect(other).toContain(`href="/outbox/${mail.names[2]}"`);
    expect(other).not.toContain(`href="/outbox/${mail.names[0]}"`);
    // Not a round id: the whole outbox.
    expect(await (await li.fetch('/outbox?round=%3Cscript%3E')).text()).toContain(`href="/outbox/${mail.names[2]}"`);
  });

  it('opens a message rendered: headers, the HTML in a sandboxed frame, the plain text, the source a link away', async () => {
    const li = await new TestBrowser(app).login('li', 'coordinator-pw');
    const name = mail.names[0]!;
    const res = await li.fetch(`/outbox/${name}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("frame-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const page = await res.text();
    expect(page).toContain(`<iframe class="outbox-body" src="/outbox/${name}/html" sandbox`);
    expect(text(page)).toContain('征求意见邀请 Invitation');
    expect(text(page)).toMatch(/发出 Sent ?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 北京时间 \(UTC\+8\)/);
    expect(page).not.toContain('Content-Transfer-Encoding');
    expect(page).toContain(`.${'forestry'}.invitation.1@plan-review.test`);

    const body = await li.fetch(`/outbox/${name}/html`);
    expect(body.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = body.headers.get('content-security-policy')!;
    expect(csp).toContain('sandbox');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(body.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(body.headers.get('cache-control')).toBe('no-store');
    expect(await body.text()).toContain('立即回复');

    const source = await li.fetch(`/outbox/${name}/source`);
    expect(source.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await source.text()).toMatch(/^Message-ID:\s+<round:xinrong-eco-plan:2\.forestry\.invitation\.1@/im);

    for (const bad of [
      '/outbox/..%2Fusers.yaml',
      '/outbox/nope.eml',
      '/outbox/nope.eml/html',
      '/outbox/nope.eml/source',
    ])
      expect((await li.fetch(bad)).status, bad).toBe(404);
  });
});
