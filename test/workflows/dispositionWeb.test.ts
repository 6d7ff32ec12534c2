/**
 * The disposition stage from the coordinator's page, on a real round on the time-skipping server:
 * the coordinator's routes (web/coordinatorRoutes.ts) over the real RoundGateway, a signed-in
 * coordinator closing the consultation, then deciding the comments through the page's forms
 * (a refusal shown beside its field), and publishing; the round's status is read back.
 */
import { describe, expect, it } from 'vitest';
import type { ReplyDraft } from '../../domain/consultation.js';
import type { RoundResult, RoundStatus } from '../../domain/round.js';
import { smallRoundInput } from '../support/rounds.js';
import { replyOnPlan, TEST_RESPONDER } from '../support/rounds.js';
import { TestBrowser } from '../support/testBrowser.js';
import { coordinatorApp } from '../support/coordinatorApp.js';
import { pagesOnRealRounds } from '../support/pagesOnRealRounds.js';

const TASK_QUEUE = 'test-disposition-web';
const li = { name: '李协调', role: 'coordinator', username: 'li', email: 'li@example.org' };

const real = pagesOnRealRounds(TASK_QUEUE, coordinatorApp);
const { store } = real;
const rounds = () => real.rounds();

function formHtml(html: string, roundId: string, action: string): string {
  const start = html.indexOf(`action="/rounds/${roundId}/actions/${action}"`);
  expect(start, `the ${action} form`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</form>', start));
}

class Coordinator extends TestBrowser {
  constructor(private readonly roundId: string) {
    super(real.app, 'http://localhost');
  }
  get manage() {
    return `/rounds/${this.roundId}/manage`;
  }
  async page(): Promise<string> {
    const res = await this.fetch(this.manage);
    expect(res.status).toBe(200);
    return res.text();
  }
  async post(action: string, fields: Record<string, string>): Promise<Response> {
    const hidden: Record<string, string> = {};
    for (const m of formHtml(await this.page(), this.roundId, action).matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
    ))
      hidden[m[1]!] = m[2]!.replace(/&#x3D;/g, '=');
    return this.fetch(`/rounds/${this.roundId}/actions/${action}`, {
      method: 'POST',
      body: new URLSearchParams({ ...hidden, ...fields }),
    });
  }
  async act(action: string, fields: Record<string, string>): Promise<void> {
    const res = await this.post(action, fields);
    const text = res.status === 303 ? '' : await res.text();
    expect(res.status, `${action}: ${text.slice(0, 2000)}`).toBe(303);
    expect(res.headers.get('location')).toBe(this.manage);
  }
}

const responder = TEST_RESPONDER;
const comments = replyOnPlan;
const reply = (s: RoundStatus, bureauId: string, draft: ReplyDraft) => rounds().replyAs(s, bureauId, draft);

describe('disposition from the web, on a real round', () => {
  it("decides every comment through the page's forms and publishes them", async () => {
    const id = await rounds().start(await smallRoundInput(store, { stages: ['consultation', 'disposition'] }));
    const s = await rounds().until(id, (x) => x.bureaus.every((b) => b.invitation?.sentAt));
    const [first, second, third] = s.bureaus.map((b) => b.bureau.id) as [string, string, string];
    await reply(s, first, { responder, perDocument: { plan: { kind: 'noComments' } } });
    const r2 = await reply(s, second, comments('请补充数据来源', '请核对表格'));
    const r3 = await reply(s, third, comments('森林覆盖率应为 27.04%'));
    const b = await new Coordinator(id).login('li', 'coordinator-pw');
    await b.act('close', { reason: '各单位均已答复' });
    await rounds().until(id, (x) => x.stage === 'disposition');

    const [c21, c22, c31] = [`${second}-${r2.n}-1`, `${second}-${r2.n}-2`, `${third}-${r3.n}-1`];
    let html = await b.page();
    expect(html).toContain('意见处理（表 10-1）');
    expect(html).toContain('已处理 0 / 3 条');
    expect(html).toContain('请补充数据来源'); // the text, from the store
    expect(html).toContain('森林覆盖率应为 27.04%');
    const none = html.slice(
      html.indexOf(`id="dispositions-${first}"`),
      html.indexOf('</tbody>', html.indexOf(`id="dispositions-${first}"`)),
    );
    expect(none).toContain('无意见');
    expect(none).not.toContain('采纳');

    // Refused by the round: publishing while comments are undecided, shown on the form.
    const early = await b.post('publish', { note: '' });
    expect(early.status).toBe(422);
    expect(formHtml(await early.text(), id, 'publish')).toContain('还有 3 条意见未处理');

    // Refused by the round: a bureau without comments, shown beside the bureau.
    const noComments = await b.post('adopt-all', { bureauId: first });
    expect(noComments.status).toBe(422);
    expect(formHtml(await noComments.text(), id, 'adopt-all')).toMatch(
      /<\/select>\s*<span class="field-error" role="alert">该单位没有需要处理的意见/,
    );

    await b.act('adopt-all', { bureauId: second });
    await b.act('dispose', {
      commentId: c22,
      decision: 'partial',
      rationale: '部分数据暂无来源',
      'at.0.section': 'plan:1.1.1',
      'at.0.quote': '新荣区位于大同市北部',
    });
    await b.act('dispose', { commentId: c31, decision: 'notAdopted', rationale: '规划目标以上级下达指标为准' });

    let status = await rounds().status(id);
    expect(status.dispositions.map((d) => [d.commentId, d.decision, d.published])).toEqual([
      [c21, 'adopted', false],
      [c22, 'partial', false],
      [c31, 'notAdopted', false],
    ]);
    expect(status.dispositions[1]!.changedAt).toEqual([
      { doc: 'plan', version: 1, section: '1.1.1', quote: '新荣区位于大同市北部' },
    ]);
    expect(status.dispositions.every((d) => d.decidedBy.name === li.name && d.decidedBy.role === 'coordinator')).toBe(
      true,
    );
    html = await b.page();
    expect(html).toContain('已处理 3 / 3 条');
    expect(html).toContain('1.1.1 地理位置');

    await b.act('publish', { note: '意见处理完毕' });
    const result: RoundResult = await real.env.client.workflow.getHandle(id).result();
    expect(result.stage).toBe('completed');
    status = await rounds().status(id);
    expect(status.dispositions.every((d) => d.published)).toBe(true);
    expect(status.dispositionsPublished).toMatchObject({ by: li, reason: '意见处理完毕' });
    html = await b.page();
    expect(html).toContain('由 李协调 发布：意见处理完毕');
    expect(html).not.toContain('/actions/dispose"');
  });
});
