/**
 * The coordinator's page in the disposition stage (table 10-1), in-process over the typed fake
 * rounds (test/support/fakeRounds.ts), which checks and keeps dispositions by the stage's rules:
 * the table by bureau, and the forms to decide a comment, adopt all of a bureau's comments and publish.
 */
import { Hono } from 'hono';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeRefusal } from '../../domain/refusals.js';
import { storeReplyDraft } from '../../infra/replyStore.js';
import { MemoryContentStore } from '../../infra/store.js';
import { Templates } from '../../infra/templates.js';
import { hashPassword, staticUserDirectory, type User } from '../../infra/users.js';
import { createCoordinatorRoutes } from '../../web/coordinatorRoutes.js';
import { FakeRounds } from '../support/fakeRounds.js';
import {
  DISPOSITION_ROUND_ID as ROUND_ID,
  dispositionRound as fixture,
  FINANCE,
  FORESTRY,
  HOSTILE,
  NONE,
} from '../support/dispositionRound.js';
import { TestBrowser } from '../support/testBrowser.js';

const MANAGE = `/rounds/${ROUND_ID}/manage`;
const li = { name: '李协调', role: 'coordinator', username: 'li', email: 'li@example.org' };

let users: User[];
const templates = new Templates();
let rounds: FakeRounds;
let app: Hono;

beforeAll(async () => {
  users = [
    {
      username: 'li',
      name: '李协调',
      email: 'li@example.org',
      roles: ['coordinator'],
      passwordHash: await hashPassword('coordinator-pw', { N: 1024, r: 8, p: 1 }),
    },
  ];
});

beforeEach(async () => {
  const store = new MemoryContentStore();
  for (const d of [FINANCE, FORESTRY, NONE]) await storeReplyDraft(store, d);
  rounds = new FakeRounds(store, fixture(), () => new Date('2030-01-20T02:00:00.000Z'));
  app = new Hono();
  app.onError((_err, c) => c.text('internal error', 500));
  app.route(
    '/',
    createCoordinatorRoutes({
      rounds,
      store,
      templates,
      secret: Buffer.alloc(32, 3),
      users: staticUserDirectory(users),
      attachmentMaxBytes: 64 * 1024,
    }),
  );
});

class Browser extends TestBrowser {
  constructor() {
    super(app, 'http://localhost');
  }
  async page(path = MANAGE): Promise<string> {
    const res = await this.fetch(path);
    expect(res.status).toBe(200);
    return res.text();
  }
  async post(action: string, fields: Record<string, string>): Promise<Response> {
    const hidden = hiddenFields(await this.page(), action);
    return this.fetch(`/rounds/${ROUND_ID}/actions/${action}`, {
      method: 'POST',
      body: new URLSearchParams({ ...hidden, ...fields }),
    });
  }
}

function formHtml(html: string, action: string): string {
  const start = html.indexOf(`action="/rounds/${ROUND_ID}/actions/${action}"`);
  expect(start, `the ${action} form`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</form>', start));
}

function hiddenFields(html: string, action: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of formHtml(html, action).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[m[1]!] = m[2]!.replace(/&#x3D;/g, '=');
  return fields;
}

/** One bureau's rows of the table. */
const group = (html: string, bureauId: string) => {
  const start = html.indexOf(`id="dispositions-${bureauId}"`);
  expect(start, bureauId).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</tbody>', start));
};
const row = (html: string, commentId: string) => {
  const start = html.indexOf(`id="comment-${commentId}"`);
  expect(start, commentId).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</tr>', start));
};

const signIn = () => new Browser().login('li', 'coordinator-pw');

describe('the disposition table', () => {
  it("shows each bureau's outcome and each comment's text, decision, rationale, anchors, who decided and whether published", async () => {
    rounds.current.dispositions = [
      {
        commentId: 'finance-1-2',
        decision: 'partial',
        rationale: `部分数据暂无来源${HOSTILE}`,
        changedAt: [{ doc: 'plan', version: 1, section: '3.7', quote: '森林覆盖率' }],
        decidedBy: { name: '李协调', role: 'coordinator' },
        decidedAt: '2030-01-16T02:00:00.000Z',
        published: false,
      },
    ];
    const b = await signIn();
    const html = await b.page();
    expect(html).toContain('意见处理（表 10-1）');
    expect(html).toContain('已处理 1 / 3 条，待处理 2 条');

    const finance = group(html, 'finance');
    expect(finance).toContain('区财政局');
    expect(finance).toContain('已回复（有意见）');
    const first = row(html, 'finance-1-1');
    expect(first).toContain('建议补充资金来源。&lt;script&gt;');
    expect(first).toContain('3.7 规划目标和指标');
    expect(first).toContain('待处理</strong> <span class="en" lang="en">Undecided</span>');
    const second = row(html, 'finance-1-2');
    expect(second).toContain('自然概况的数据应更新。');
    expect(second).toContain('部分采纳</strong> <span class="en" lang="en">Partially adopted</span>');
    expect(second).toContain('部分数据暂无来源&lt;script&gt;');
    expect(second).toContain(
      '测试规划（征求意见稿） 第 1 版 <span class="en" lang="en">v1</span> · 3.7 规划目标和指标',
    );
    expect(second).toContain('<blockquote>森林覆盖率</blockquote>');
    expect(second).toMatch(
      /李协调（协调人 <span class="en" lang="en">Coordinator<\/span>）<br><time [^>]+>2030-01-16 10:00:00 北京时间 \(UTC\+8\)<\/time>/,
    );
    expect(second).toContain('草稿，未发布 <span class="en" lang="en">Draft, not published</span>');
    expect(row(html, 'forestry-2-1')).toContain('森林覆盖率应为 27.04%');

    // Bureaus without comments show their outcome, never an adoption.
    const science = group(html, 'science');
    expect(science).toContain('逾期未回复，视为无意见');
    expect(science).toContain('No reply: deemed no comments');
    expect(group(html, 'water')).toContain('无意见</span> <span class="en" lang="en">No comments</span>');
    expect(group(html, 'energy')).toContain('已豁免');
    for (const id of ['science', 'water', 'energy']) {
      expect(group(html, id)).not.toContain('采纳');
      expect(group(html, id)).not.toContain('Adopted');
    }
    expect(html).not.toContain(HOSTILE);

    // In this stage the forms are the disposition's (and the paper reply and cancel), not the consultation's.
    for (const action of ['dispose', 'adopt-all', 'publish', 'paper', 'cancel']) formHtml(html, action);
    for (const action of ['extend', 'waive', 'contact', 'resend', 'add-bureau', 'close'])
      expect(html).not.toContain(`/actions/${action}"`);
  });

  it('offers the comments, the decisions and the sections of the current versions; a chosen comment opens its form', async () => {
    const b = await signIn();
    const html = await b.page(`${MANAGE}?comment=forestry-2-1`);
    const form = formHtml(html, 'dispose');
    expect(form).toMatch(/<option value="forestry-2-1" selected>forestry-2-1 · 区林业局 · 待处理 · 森林覆盖率/);
    expect(form).toContain('<option value="notAdopted">不采纳 Not adopted</option>');
    expect(form).toContain('<optgroup label="测试规划（征求意见稿）">');
    expect(form).toContain('<option value="plan:3.7">3.7 规划目标和指标</option>');
    expect(form).not.toContain('附件（仅标题）'); // a document without sections offers no place
    expect(html).toContain('id="form-dispose" open');
    expect(formHtml(html, 'adopt-all')).toContain('区财政局 finance · 待处理 2 / 2 条');
    expect(formHtml(html, 'adopt-all')).not.toContain('value="science"');
  });

  it('shows published dispositions, with who published them, and no forms', async () => {
    const b = await signIn();
    await b.post('adopt-all', { bureauId: 'finance' });
    await b.post('adopt-all', { bureauId: 'forestry' });
    expect((await b.post('publish', { note: '处理完毕' })).status).toBe(303);
    rounds.current.stage = 'completed';
    const html = await b.page();
    expect(html).toContain('由 李协调 发布：处理完毕');
    expect(row(html, 'finance-1-1')).toContain('已发布 <span class="en" lang="en">Published</span>');
    expect(html).not.toContain('/actions/dispose"');
    expect(html).not.toContain('/actions/publish"');
  });
});

describe('the disposition forms', () => {
  it('decide one comment: the decision, rationale and places sent as the signed-in user, then shown in the table', async () => {
    const b = await signIn();
    const res = await b.post('dispose', {
      commentId: 'finance-1-1',
      decision: 'partial',
      rationale: '资金来源另行说明',
      'at.0.section': '',
      'at.0.quote': '',
      'at.1.section': 'plan:3.7',
      'at.1.quote': '资金来源',
      'at.2.section': 'plan:1.1',
      actor: 'forged by the form',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(MANAGE);
    const [sent, ...more] = rounds.sent('disposeComment');
    expect(more).toEqual([]);
    const { requestId, actor, ...rest } = sent!.request;
    expect(actor).toEqual(li);
    expect(requestId).toMatch(/^dispose:/);
    expect(rest).toEqual({
      disposition: {
        commentId: 'finance-1-1',
        decision: 'partial',
        rationale: '资金来源另行说明',
        changedAt: [
          { doc: 'plan', section: '3.7', quote: '资金来源' },
          { doc: 'plan', section: '1.1' },
        ],
      },
    });
    const html = await b.page();
    expect(html).toContain('已保存该意见的处理结果');
    const r = row(html, 'finance-1-1');
    expect(r).toContain('部分采纳');
    expect(r).toContain('资金来源另行说明');
    expect(r).toContain('· 1.1 自然概况');
  });

  it('keeps what was typed and shows each problem beside its field (422), sending nothing', async () => {
    const b = await signIn();
    const res = await b.post('dispose', {
      commentId: 'finance-1-1',
      decision: 'notAdopted',
      rationale: '',
      'at.0.quote': '只有引用',
      'at.1.section': 'plan:9.9',
    });
    expect(res.status).toBe(422);
    const form = formHtml(await res.text(), 'dispose');
    expect(form).toMatch(/<\/textarea>\s*<span class="field-error" role="alert">未完全采纳的意见须说明理由/);
    expect(form).toMatch(
      /value="只有引用"[^>]*>\s*<span class="field-error" role="alert">填写了原文引用，请同时选择所在章节/,
    );
    expect(form).toMatch(/<\/select>\s*<span class="field-error" role="alert">请从当前版本的章节中选择修改位置/);
    expect(form).toMatch(/<option value="notAdopted" selected>/);
    expect(rounds.calls).toHaveLength(0);

    const none = await b.post('dispose', { commentId: '', decision: '' });
    expect(none.status).toBe(422);
    const noneForm = formHtml(await none.text(), 'dispose');
    expect(noneForm).toContain('请选择意见。<span class="en" lang="en">Choose a comment.');
    expect(noneForm).toContain('请选择处理结果');
  });

  it("shows the round's refusal of a place beside that place's field", async () => {
    const b = await signIn();
    rounds.refuseWith = makeRefusal('disposition.changedAt.0.section', 'unknownAnchorSection', {
      section: '3.7',
      title: '测试规划（征求意见稿）',
    });
    const res = await b.post('dispose', {
      commentId: 'forestry-2-1',
      decision: 'adopted',
      'at.2.section': 'plan:3.7',
    });
    expect(res.status).toBe(422);
    const form = formHtml(await res.text(), 'dispose');
    // Request anchor 0 is form row 3: rows 1 and 2 were left empty.
    const place3 = form.slice(form.indexOf('name="at.2.section"'), form.indexOf('name="at.2.quote"'));
    expect(place3).toContain('<option value="plan:3.7" selected>');
    expect(place3).toContain(
      '<span class="field-error" role="alert">《测试规划（征求意见稿）》的当前版本中没有章节“3.7”<span class="en" lang="en">no section &quot;3.7&quot; in the current version',
    );
    expect(rounds.updates).toHaveLength(0);
  });

  it("adopt all of one bureau's comments: the undecided ones, leaving a decided one as it is", async () => {
    const b = await signIn();
    await b.post('dispose', { commentId: 'finance-1-2', decision: 'notAdopted', rationale: '不符合上级要求' });
    const res = await b.post('adopt-all', { bureauId: 'finance' });
    expect(res.status).toBe(303);
    const [sent] = rounds.sent('adoptAllComments');
    expect(sent!.request).toMatchObject({ bureauId: 'finance', actor: li });
    const html = await b.page();
    expect(html).toContain('已采纳区财政局全部待处理的意见');
    expect(row(html, 'finance-1-1')).toContain('采纳</strong> <span class="en" lang="en">Adopted</span>');
    expect(row(html, 'finance-1-2')).toContain('不采纳');
    expect(row(html, 'forestry-2-1')).toContain('待处理');
  });

  it("shows the round's refusal to adopt a bureau's comments beside the bureau", async () => {
    const b = await signIn();
    const res = await b.post('adopt-all', { bureauId: 'science' });
    expect(res.status).toBe(422);
    expect(formHtml(await res.text(), 'adopt-all')).toMatch(
      /<\/select>\s*<span class="field-error" role="alert">该单位没有需要处理的意见 <span class="en" lang="en">this bureau has no comments to dispose of/,
    );
    expect(rounds.updates).toHaveLength(0);
  });

  it('publish: refused while a comment is undecided, then sent with its note', async () => {
    const b = await signIn();
    const early = await b.post('publish', { note: '' });
    expect(early.status).toBe(422);
    expect(formHtml(await early.text(), 'publish')).toContain(
      '<p class="error" role="alert">还有 3 条意见未处理：finance-1-1, finance-1-2, forestry-2-1。<span class="en" lang="en">3 comments still have no disposition',
    );
    await b.post('adopt-all', { bureauId: 'finance' });
    await b.post('adopt-all', { bureauId: 'forestry' });
    const res = await b.post('publish', { note: '意见处理完毕' });
    expect(res.status).toBe(303);
    expect(rounds.sent('publishDispositions')[0]!.request).toMatchObject({ note: '意见处理完毕', actor: li });
    expect(await b.page()).toContain('意见处理结果已发布。The dispositions are published.');
    expect(rounds.current.dispositions.every((d) => d.published)).toBe(true);
  });
});
