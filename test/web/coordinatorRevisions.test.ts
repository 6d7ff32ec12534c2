/**
 * After the dispositions are published, on the coordinator's page over the typed fake rounds: a
 * revised version uploaded as a Markdown file (its outline read as the round reads it), a change
 * re-anchored in the new version, a bureau's objection resolved; and the round's overview (web/app.ts)
 * showing the versions with their hashes, the expert review, the objections and what blocks approval.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.js';
import { storeReplyDraft } from '../../infra/replyStore.js';
import { MemoryContentStore, sha256Hex } from '../../infra/store.js';
import { Templates } from '../../infra/templates.js';
import { hashPassword, staticUserDirectory } from '../../infra/users.js';
import { createApp } from '../../web/app.js';
import { approvalBlockers } from '../../workflows/stages/approval/rules.js';
import { coordinatorApp, CoordinatorPage, formHtml, lastFormAction } from '../support/coordinatorApp.js';
import {
  DISPOSITION_ROUND_ID as ROUND_ID,
  publishedRound,
  FINANCE,
  FORESTRY,
  HOSTILE,
  NONE,
} from '../support/dispositionRound.js';
import { FakeRounds } from '../support/fakeRounds.js';
import { TestBrowser } from '../support/testBrowser.js';

const by = { name: '李协调', role: 'coordinator' as const };

/** Version 2 of the plan: 1.1 became 1.2 (finance-1-2's anchor no longer resolves). */
const REVISED = '# 第一章 区域概况\n\n## 1.2 自然概况与范围\n\n## 3.7 规划目标和指标\n';
const markdown = (text: string, name = 'plan-v2.md') => new File([text], name, { type: 'text/markdown' });

let store: MemoryContentStore;
let rounds: FakeRounds;
let coordinator: () => Promise<CoordinatorPage>;

beforeEach(async () => {
  store = new MemoryContentStore();
  for (const d of [FINANCE, FORESTRY, NONE]) await storeReplyDraft(store, d);
  rounds = new FakeRounds(store, publishedRound(), () => new Date('2030-01-20T02:00:00.000Z'));
  const app = await coordinatorApp(rounds, store);
  coordinator = () => new CoordinatorPage(app, ROUND_ID).login('li', 'coordinator-pw');
});

const lastSent = () => lastFormAction(rounds);

describe('a revised version', () => {
  it('uploads the Markdown file; the page shows version 2 with its hash, and the change whose section it dropped', async () => {
    const b = await coordinator();
    let html = await b.page();
    expect(formHtml(html, ROUND_ID, 'add-version')).toContain('enctype="multipart/form-data"');
    await b.act('add-version', { docKey: 'plan', note: '根据意见修改' }, { file: markdown(REVISED) });
    expect(lastSent()).toEqual({
      name: 'addDocumentVersion',
      rest: { docKey: 'plan', sha256: sha256Hex(REVISED), note: '根据意见修改' },
    });
    expect((await store.get(sha256Hex(REVISED))).toString('utf8')).toBe(REVISED);
    html = await b.page();
    expect(html).toContain('修订版已加入');
    const versions = html.slice(
      html.indexOf('id="document-plan"'),
      html.indexOf('</tbody>', html.indexOf('id="document-plan"')),
    );
    expect(versions).toContain('第 1 版 <span class="en" lang="en">v1</span>');
    expect(versions).toMatch(
      new RegExp(
        `第 2 版 <span class="en" lang="en">v2</span> · 当前 <span class="en" lang="en">current</span></td><td>3</td><td><time [^>]+>2030-01-20 10:00:00 北京时间 \\(UTC\\+8\\)</time> · 李协调</td><td><code>${sha256Hex(REVISED)}</code>`,
      ),
    );
    expect(formHtml(html, ROUND_ID, 'reanchor')).toContain(
      '<option value="finance-1-2">finance-1-2 · 部分采纳 · 修改位置已失效 (broken anchor)</option>',
    );
  });

  it('refuses a missing file, a file not in the document format, or the current version again; nothing is added', async () => {
    const b = await coordinator();
    let form = await b.refused('add-version', { docKey: 'plan' });
    expect(form).toMatch(
      /name="file"[^>]*>\s*<span class="field-error" role="alert">请上传修订后的文件（Markdown，.md）。<span class="en" lang="en">Upload/,
    );
    form = await b.refused(
      'add-version',
      { docKey: 'plan' },
      { file: markdown('# 第一章 区域概况\n\n## 1.1 自然概况\n\n## 1.1 自然概况\n') },
    );
    expect(form).toContain(
      '文件不符合文件格式（docs/document-format.md）：line 5: duplicate section &quot;1.1&quot; (first at line 3)。<span class="en" lang="en">The file is not',
    );
    form = await b.refused(
      'add-version',
      { docKey: 'plan' },
      { file: new File([new Uint8Array([0xff, 0xfe, 0x00])], 'x.md') },
    );
    expect(form).toContain('该文件不是 UTF-8 编码的文本');
    expect(rounds.calls).toHaveLength(0);

    // Refused by the round: the file is the current version already (the fixture's plan is the text "plan").
    form = await b.refused('add-version', { docKey: 'plan' }, { file: markdown('plan') });
    expect(form).toContain('该文件与《测试规划（征求意见稿）》当前版本相同');
    expect(rounds.current.documents[0]!.versions).toHaveLength(1);
  });

  it('keeps an uploaded file by its hash when the form is shown again', async () => {
    const b = await coordinator();
    const form = await b.refused('add-version', { docKey: '' }, { file: markdown(REVISED) });
    expect(form).toContain('请选择文件。<span class="en" lang="en">Choose a document.');
    expect(form).toContain(`name="fileSha256" value="${sha256Hex(REVISED)}"`);
    expect(form).toContain('已上传 <span class="en" lang="en">uploaded</span>: plan-v2.md');
    await b.act('add-version', { docKey: 'plan', fileSha256: sha256Hex(REVISED), fileName: 'plan-v2.md' });
    expect(lastSent().rest).toEqual({ docKey: 'plan', sha256: sha256Hex(REVISED) });
  });
});

describe('re-anchoring a change', () => {
  it('points a broken change at a section of the current version; the decision stands', async () => {
    const b = await coordinator();
    await b.act('add-version', { docKey: 'plan' }, { file: markdown(REVISED) });
    let form = await b.refused('reanchor', { commentId: 'finance-1-2', anchors: '' });
    expect(form).toContain('请至少填写一处修改位置。<span class="en" lang="en">Give at least one place.');
    form = await b.refused('reanchor', { commentId: 'finance-1-2', anchors: 'plan#1.1' });
    expect(form).toContain('第 1 行：《测试规划（征求意见稿）》的当前版本中没有章节“1.1”。');
    form = await b.refused('reanchor', { commentId: 'science-9-1', anchors: 'plan#1.2' });
    expect(form).toMatch(/<\/select>\s*<span class="field-error" role="alert">意见“science-9-1”尚无处理结果/);
    expect(rounds.updates).toHaveLength(1);

    await b.act('reanchor', { commentId: 'finance-1-2', anchors: 'plan#1.2 自然概况与范围 | 新荣区位于大同市北部' });
    expect(lastSent()).toEqual({
      name: 'reanchorDisposition',
      rest: { commentId: 'finance-1-2', changedAt: [{ doc: 'plan', section: '1.2', quote: '新荣区位于大同市北部' }] },
    });
    expect(rounds.current.dispositions[1]).toMatchObject({
      decision: 'partial',
      changedAt: [{ doc: 'plan', version: 2, section: '1.2', quote: '新荣区位于大同市北部' }],
    });
    expect(await b.page()).toContain('修改位置已更新（处理结果不变）');
  });
});

describe('resolving an objection', () => {
  it('lists the open objection, takes a note (required), then shows it resolved', async () => {
    const b = await coordinator();
    let html = await b.page();
    const objection = html.slice(
      html.indexOf('id="objection-forestry"'),
      html.indexOf('</li>', html.indexOf('id="objection-forestry"')),
    );
    expect(objection).toContain('区林业局');
    expect(objection).toContain('森林覆盖率应采用 2021 年数据。&lt;script&gt;');
    expect(objection).toContain('待处理 <span class="en" lang="en">Open</span>');
    const form = formHtml(html, ROUND_ID, 'resolve-objection');
    expect(form).toContain('<option value="forestry">区林业局 forestry · 森林覆盖率应采用 2021 年数据。');
    expect(form).not.toContain('value="finance"');
    expect(html).not.toContain(HOSTILE);

    expect(await b.refused('resolve-objection', { bureauId: 'forestry', note: ' ' })).toContain(
      '请填写处理说明。<span class="en" lang="en">Write how the objection was resolved.',
    );
    expect(await b.refused('resolve-objection', { bureauId: 'finance', note: '已沟通' })).toMatch(
      /<\/select>\s*<span class="field-error" role="alert">该单位没有待处理的异议 <span class="en" lang="en">this bureau has no open objection/,
    );
    expect(await b.refused('resolve-objection', { bureauId: 'nobody', note: '已沟通' })).toContain(
      '本轮没有这个单位。<span class="en" lang="en">This round has no such bureau.',
    );
    expect(rounds.updates).toHaveLength(0);

    await b.act('resolve-objection', { bureauId: 'forestry', note: '已与林业局沟通，采用 2021 年数据。' });
    expect(lastSent()).toEqual({
      name: 'resolveObjection',
      rest: { bureauId: 'forestry', note: '已与林业局沟通，采用 2021 年数据。' },
    });
    html = await b.page();
    expect(html).toContain('已处理区林业局的异议。The objection of Forestry Bureau is resolved.');
    expect(html).toMatch(
      /已处理 <span class="en" lang="en">Resolved<\/span> · 李协调 <time [^>]+>2030-01-20 10:00:00 北京时间 \(UTC\+8\)<\/time>：已与林业局沟通/,
    );
    expect(html).not.toContain('/actions/resolve-objection"');
  });
});

describe('the round overview', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-overview-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the versions with their hashes, the expert review, the objections and what blocks approval, in both languages', async () => {
    const round = rounds.current;
    round.stage = 'approval';
    round.documents[0]!.versions.push({
      n: 2,
      sha256: sha256Hex(REVISED),
      createdAt: '2030-01-19T02:00:00.000Z',
      createdBy: by,
      sections: [{ id: '1.2', number: '1.2', title: '自然概况与范围', level: 2 }],
    });
    round.expertReview = {
      meeting: {
        start: '2030-01-10T01:00:00.000Z',
        end: '2030-01-10T04:00:00.000Z',
        tz: 'Asia/Shanghai',
        url: 'https://meet.example.org/review',
        organiser: '新荣分局',
        uid: 'round-dispo-plan-1.expert-meeting-2@plan-review.test',
        sequence: 3,
        held: true,
      },
      experts: [{ name: '李华', title: '教授', organisation: '山西大学' }],
      meetings: 2,
      scheduled: { by, at: '2030-01-05T02:00:00.000Z' },
      cancelled: null,
      reminderDueAt: null,
      reminders: [],
      opinions: [
        {
          n: 1,
          text: '进一步明确编制背景。',
          revisionNote: {
            text: '已补充。',
            changedAt: [{ doc: 'plan', version: 2, section: '1.2', quote: '大同市北部' }],
          },
        },
        { n: 2, text: `补充基础资料。${HOSTILE}` },
      ],
      signed: { on: '2030-01-10', by: '专家组组长 李华' },
      opinionsRecorded: { by, at: '2030-01-11T02:00:00.000Z' },
    };
    round.approval.blockers = approvalBlockers(round);

    const config = loadConfig({ PLAN_REVIEW_DATA_DIR: dir }, dir);
    const app = createApp({
      rounds,
      config,
      templates: new Templates(),
      secret: Buffer.alloc(32, 5),
      store,
      users: staticUserDirectory([
        {
          username: 'zhou',
          name: '周审计',
          roles: ['auditor'],
          passwordHash: await hashPassword('auditor-pw', { N: 1024, r: 8, p: 1 }),
        },
      ]),
    });
    const auditor = await new TestBrowser(app).login('zhou', 'auditor-pw');
    const res = await auditor.fetch(`/rounds/${ROUND_ID}`);
    expect(res.status).toBe(200);
    const html = await res.text();

    expect(html).toMatch(
      new RegExp(
        `第 2 版 <span class="en" lang="en">v2</span> · 当前 <span class="en" lang="en">current</span></td><td>1</td><td><time [^>]+>2030-01-19 10:00:00 北京时间 \\(UTC\\+8\\)</time> · 李协调</td><td><code>${sha256Hex(REVISED)}</code>`,
      ),
    );
    expect(html).toContain(`<code>${sha256Hex('plan')}</code>`);

    expect(html).toContain('2030-01-10 09:00–12:00 北京时间 (UTC+8) · 已召开 <span class="en" lang="en">Held</span>');
    expect(html).toContain(
      'UID <code>round-dispo-plan-1.expert-meeting-2@plan-review.test</code> · SEQUENCE <code>3</code>',
    );
    expect(html).toContain('<a href="https://meet.example.org/review" rel="noopener noreferrer">');
    expect(html).toContain('李华 · 教授 · 山西大学');
    expect(html).toContain('专家组组长 李华 · 2030-01-10');
    expect(html).toContain(
      '已补充。</td><td><ul class="coord-list"><li>测试规划（征求意见稿） 第 2 版 <span class="en" lang="en">v2</span> · 1.2 自然概况与范围<blockquote>大同市北部</blockquote>',
    );
    expect(html).toContain('补充基础资料。&lt;script&gt;');
    expect(html).not.toContain(HOSTILE);

    expect(html).toContain('森林覆盖率应采用 2021 年数据。');
    expect(html).toContain('待处理 <span class="en" lang="en">Open</span>');

    const blockers = html.slice(html.indexOf('id="blockers"'), html.indexOf('</ul>', html.indexOf('id="blockers"')));
    expect(blockers).toContain(
      '尚有 1 项异议未处理：区林业局。 <span class="en" lang="en">1 objections are not resolved: 区林业局</span>',
    );
    expect(blockers).toContain('专家评审尚未完成（意见未记录，或第 2 条意见尚无修改说明）');
    expect(blockers).toContain('the expert review is not complete');
    expect(blockers).toContain(
      '2 处修改位置已失效，请重新指定。 <span class="en" lang="en">2 anchors of changes no longer resolve: re-anchor them</span>',
    );
    expect(blockers).not.toContain('brokenAnchors');
  });
});
