/**
 * The auditor's page (web/auditRoutes.ts) in the whole app, over recorded histories of real rounds
 * served as Temporal would serve them: who may read it, "was every bureau heard" at the top with the
 * evidence, the timeline with its filters, links to the Temporal Web UI when configured, and the raw
 * history one link away.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.js';
import { buildTimeline } from '../../infra/timeline.js';
import { buildTrail, type Trail } from '../../infra/trail.js';
import { MemoryContentStore } from '../../infra/store.js';
import { Templates } from '../../infra/templates.js';
import { staticUserDirectory } from '../../infra/users.js';
import { createApp } from '../../web/app.js';
import { approvalUsers } from '../support/approvalApp.js';
import { FakeRounds } from '../support/fakeRounds.js';
import { APPROVED_ROUND, RecordedHistories, SILENT_ROUND } from '../support/recordedHistories.js';
import { TestBrowser } from '../support/testBrowser.js';

let dir: string;
let histories: RecordedHistories;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-audit-test-'));
  histories = new RecordedHistories({ [APPROVED_ROUND]: 'approval', [SILENT_ROUND]: 'silent-bureau-deadline' });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function app(env: Record<string, string> = {}): Promise<Hono> {
  const store = new MemoryContentStore();
  return createApp({
    rounds: new FakeRounds(store),
    histories,
    config: loadConfig({ PLAN_REVIEW_DATA_DIR: dir, ...env }, dir),
    templates: new Templates(),
    secret: Buffer.alloc(32, 9),
    store,
    users: staticUserDirectory(await approvalUsers()),
  });
}

const PASSWORDS: Record<string, string> = { zhou: 'auditor-pw', li: 'coordinator-pw', wang: 'approver-pw' };
const signIn = async (a: Hono, user = 'zhou') => new TestBrowser(a).login(user, PASSWORDS[user]!);
const auditPath = (id: string, query = '') => `/rounds/${id}/audit${query}`;

async function page(b: TestBrowser, url: string): Promise<string> {
  const res = await b.fetch(url);
  expect(res.status, url).toBe(200);
  return res.text();
}

/** The event ids of the timeline's rows, in order. */
const rows = (html: string) => [...html.matchAll(/<tr id="event-(\d+)"/g)].map((m) => Number(m[1]));

describe('who may read the audit page', () => {
  it('auditors, coordinators and approvers; a visitor is sent to sign in', async () => {
    const a = await app();
    for (const user of ['zhou', 'li', 'wang']) {
      const html = await page(await signIn(a, user), auditPath(APPROVED_ROUND));
      expect(html).toContain('审计记录 <span class="en" lang="en">Audit trail</span>');
    }
    const visitor = await new TestBrowser(a).fetch(auditPath(APPROVED_ROUND));
    expect(visitor.status).toBe(302);
    expect(visitor.headers.get('location')).toMatch(/^\/login\?next=/);
  });

  it('answers 404 for a round Temporal does not have and 400 for an address that names no round', async () => {
    const b = await signIn(await app());
    expect((await b.fetch(auditPath('round:nobody:1'))).status).toBe(404);
    expect((await b.fetch(auditPath('round:nobody:1', '/history.json'))).status).toBe(404);
    expect((await b.fetch('/rounds/not-a-round/audit')).status).toBe(400);
  });
});

describe('the audit page of an approved round', () => {
  it('answers "was every bureau heard" first, with each bureau’s outcome and its evidence', async () => {
    const html = await page(await signIn(await app()), auditPath(APPROVED_ROUND));
    const heard = html.indexOf('是否听取了每个单位的意见');
    expect(heard).toBeGreaterThan(-1);
    expect(heard).toBeLessThan(html.indexOf('id="timeline"'));
    expect(html).toContain('是：每个单位都有结果。<span class="en" lang="en">Yes: every bureau has an outcome.</span>');
    expect(html).toContain(
      '大同市新荣区财政局 <span class="en" lang="en">Xinrong District Finance Bureau</span></td><td>无意见',
    );
    expect(html).toContain('回执摘要 6b77106b4618f77b1606f9a01213f3573212235f568abe9994267b562ffb6445');
    expect(html).toContain('已豁免 <span class="en" lang="en">Waived</span>');
    expect(html).toContain(
      '批准稿 <span class="en" lang="en">Approved PDF</span></dt><dd><code class="audit-sha">7efbee8d577c8cfe72b687353498ac441d9b62c5cb5029024dda79c60ade0d72</code>',
    );
  });

  it('lists every entry with who, when (the round’s time zone), what and the hashes', async () => {
    const html = await page(await signIn(await app()), auditPath(APPROVED_ROUND));
    expect(rows(html)).toHaveLength(19);
    const reply = html.slice(
      html.indexOf('<tr id="event-36"'),
      html.indexOf('</tr>', html.indexOf('<tr id="event-36"')),
    );
    expect(reply).toMatch(/2026-11-30 23:07:\d\d 北京时间 \(UTC\+8\)/);
    expect(reply).toContain('王明（征求意见单位）');
    expect(reply).toContain('大同市新荣区科学技术局：回复 第1号（第1版），通过链接，1 条意见');
    expect(reply).toContain(
      '<code>replyContent</code> <code>f3161aac438be9853e144e6dff472312c3c03cc4f6c41fb535469568d608590c</code>',
    );
    expect(reply).toMatch(/提交内容 <span class="en" lang="en">submitted<\/span> <code>[0-9a-f]{64}<\/code>/);
    expect(html).toContain(
      'Message-ID <code>&lt;round-test-04b45af3-1.finance.invitation.1@plan-review.test&gt;</code>',
    );
    // No Web UI configured: event numbers, no links.
    expect(html).toContain('<td>#36</td>');
  });

  it('filters by bureau, person, kind and time span, and names a filter it cannot apply', async () => {
    const b = await signIn(await app());
    expect(rows(await page(b, auditPath(APPROVED_ROUND, '?bureau=forestry')))).toEqual([1, 27, 61]);
    expect(rows(await page(b, auditPath(APPROVED_ROUND, '?person=%E5%AE%A1%E6%89%B9')))).toEqual([105]);
    expect(rows(await page(b, auditPath(APPROVED_ROUND, '?kind=pdf')))).toEqual([89]);
    expect(rows(await page(b, auditPath(APPROVED_ROUND, '?kind=submitReply')))).toEqual([36, 43]);
    const span = await page(b, auditPath(APPROVED_ROUND, '?since=2026-11-30T23:07:12.5&until=2026-11-30T23:07:12.6'));
    expect(rows(span)).toEqual([61, 68, 73]);
    const bad = await page(b, auditPath(APPROVED_ROUND, '?bureau=nobody&since=yesterday'));
    expect(bad).toContain('本轮没有单位“nobody”');
    expect(bad).toContain('Not a date or a date and time; give it in Asia/Shanghai time');
    expect(rows(bad)).toHaveLength(19);
  });

  it('links each entry to its event in the Temporal Web UI when one is configured', async () => {
    const b = await signIn(await app({ TEMPORAL_UI_URL: 'https://temporal.example.org' }));
    const html = await page(b, auditPath(APPROVED_ROUND));
    expect(html).toContain(
      '<a href="https://temporal.example.org/namespaces/default/workflows/round%3Atest-04b45af3%3A1/8faf6584-c6da-4b8f-8ceb-c76a933bea53/history/events/36" rel="noopener">#36</a>',
    );
  });

  it('gives the raw history one link away, as JSON the SDK reads back', async () => {
    const b = await signIn(await app());
    const html = await page(b, auditPath(APPROVED_ROUND));
    expect(html).toContain(`href="/rounds/${APPROVED_ROUND}/audit/history.json" download`);
    const res = await b.fetch(auditPath(APPROVED_ROUND, '/history.json'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="round-test-04b45af3-1-history.json"');
    const h = historyFromJSON(JSON.parse(await res.text()));
    expect(h.events).toHaveLength(histories.byRound.get(APPROVED_ROUND)!.events!.length);
  });
});

describe('the exports', () => {
  it('the whole trail as hash-chained JSON, and the entries shown as CSV with a byte-order mark', async () => {
    const b = await signIn(await app());
    const html = await page(b, auditPath(APPROVED_ROUND, '?bureau=forestry'));
    expect(html).toContain(`href="/rounds/${APPROVED_ROUND}/audit/trail.json" download`);
    expect(html).toContain(`href="/rounds/${APPROVED_ROUND}/audit/trail.csv?bureau&#x3D;forestry" download`);

    const json = await b.fetch(auditPath(APPROVED_ROUND, '/trail.json'));
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toBe('attachment; filename="round-test-04b45af3-1-trail.json"');
    const trail = JSON.parse(await json.text()) as Trail;
    expect(trail.entries).toHaveLength(19);
    expect(trail.head).toBe(trail.entries.at(-1)!.sha256);
    expect(trail.entries.map((e) => e.sha256)).toEqual(
      buildTrail(buildTimeline(APPROVED_ROUND, histories.byRound.get(APPROVED_ROUND)!)).entries.map((e) => e.sha256),
    );

    const csv = await b.fetch(auditPath(APPROVED_ROUND, '/trail.csv?bureau=forestry'));
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = bytes.toString('utf8').slice(1).trim().split('\r\n');
    expect(rows.slice(1).map((r) => r.split(',')[1])).toEqual(['1', '27', '61']);
    expect(rows[3]).toContain('大同市新荣区林业局：免于征求意见；理由：机构调整');
  });

  it('the audit certificate as PDF, linked from the page', async () => {
    const b = await signIn(await app());
    const html = await page(b, auditPath(APPROVED_ROUND));
    expect(html).toContain(`href="/rounds/${APPROVED_ROUND}/audit/certificate.pdf" download`);
    expect(html).toContain('审计证明书 PDF <span class="en" lang="en">Audit certificate (PDF)</span>');
    const res = await b.fetch(auditPath(APPROVED_ROUND, '/certificate.pdf'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="round-test-04b45af3-1-certificate.pdf"');
    const pdf = Buffer.from(await res.arrayBuffer());
    const text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', '-', '-'], { input: pdf, encoding: 'utf8' });
    const trail = buildTrail(buildTimeline(APPROVED_ROUND, histories.byRound.get(APPROVED_ROUND)!));
    expect(text.replace(/\s+/g, '')).toContain(trail.head);
    expect(text.replace(/\s+/g, '')).toContain('CertificateofCompletionoftheReview');
  });
});

describe('a silent bureau', () => {
  it('shows the deadline event that deemed it, never as "no comments"', async () => {
    const html = await page(await signIn(await app()), auditPath(SILENT_ROUND));
    const row = html.slice(html.indexOf('大同市新荣区林业局 <span class="en" lang="en">'));
    expect(row).toMatch(
      /^[^]*?<td>逾期未回复，视为无意见 <span class="en" lang="en">No reply: deemed no comments<\/span><\/td>/,
    );
    expect(row).toContain(
      '#94 2026-12-27 21:54:58 北京时间 (UTC+8) 截止时间 2026-12-27 21:54 北京时间 (UTC+8) 已到，未回复，视为无意见',
    );
  });
});
