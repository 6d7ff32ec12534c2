/**
 * The coordinator's glance at a round (web/roundGlance.ts), the top of the round's page and the round
 * list, over the seed's seven bureaus two hours past the deadline: five replied, culture waived,
 * forestry silent with a bounced reminder.
 */
import { describe, expect, it } from 'vitest';
import { roundGlance } from '../../web/roundGlance.js';
import { CoordinatorPage } from '../support/coordinatorApp.js';
import { glanceRound, OTHER_ROUND_ID } from '../support/glanceRound.js';
import { ROUND_ID, START, DAY } from '../support/replyFixture.js';

/** Visible text: tags dropped, entities of the pages' own text left as they are. */
const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');

describe('a round at a glance', () => {
  it('counts replies out of invited, pending, waived, late, and lists what needs the coordinator', async () => {
    const fx = await glanceRound();
    const glance = roundGlance(fx.fake.current, fx.clock.now.getTime());
    expect(glance).toMatchObject({ invited: 7, replied: 5, pending: 1, waived: 1, deemed: 0, late: 1 });
    expect(glance.nextDeadline).toBeUndefined();
    expect(glance.attention.map((a) => [a.kind, a.bureauId, a.forms])).toEqual([
      ['overdue', 'forestry', ['paper', 'extend']],
      ['deliveryFailed', 'forestry', ['contact', 'resend']],
    ]);
    expect(glance.attention[0]!.text.zh).toBe('区林业局已过截止时间仍未回复：如收到纸质回复请登记，或延期');

    // Before the deadline: nobody late, the deadline ahead; the bounce still needs the coordinator.
    const before = roundGlance(fx.fake.current, START.getTime() + 2 * DAY);
    expect(before).toMatchObject({ late: 0, nextDeadline: fx.deadline.toISOString() });
    expect(before.attention.map((a) => a.kind)).toEqual(['deliveryFailed']);
    // A resend that went through after the bounce settles it.
    fx.fake.current.bureaus
      .find((b) => b.bureau.id === 'forestry')!
      .invitation!.messages.push({ at: new Date(START.getTime() + 3 * DAY).toISOString(), messageId: '<again@test>' });
    expect(roundGlance(fx.fake.current, START.getTime() + 3 * DAY + 1).attention).toEqual([]);
  });

  it('names an email still not sent after 15 minutes, and in approval what else blocks it', async () => {
    const fx = await glanceRound();
    const now = fx.clock.now.getTime();
    const since = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    fx.fake.current.mailInFlight = [
      {
        messageId: '<r.science.reminder.1@test>',
        kind: 'reminder',
        recipient: 'science',
        to: ['science@bureaus.example.org'],
        since: since(20),
        attempts: 4,
        lastError: 'connect ECONNREFUSED',
      },
      // Waiting, but not yet long enough to be a problem.
      {
        messageId: '<r.energy.reminder.1@test>',
        kind: 'reminder',
        recipient: 'energy',
        to: ['e@x.org'],
        since: since(5),
      },
    ];
    const delayed = roundGlance(fx.fake.current, now).attention.filter((a) => a.kind === 'mailDelayed');
    expect(delayed.map((a) => [a.bureauId, a.text.zh])).toEqual([
      ['science', '发给区科技局的回复提醒已等待 20 分钟仍未发出（最近的错误：connect ECONNREFUSED）'],
    ]);
    expect(delayed[0]!.text.en).toContain('has waited 20 minutes and is not sent yet');

    fx.fake.current.stage = 'approval';
    fx.fake.current.approval.blockers = [
      { code: 'pendingBureaus', params: { names: '区林业局' } },
      { code: 'dispositionsUnpublished', params: {} },
    ];
    const blocked = roundGlance(fx.fake.current, now).attention.filter((a) => a.kind === 'approvalBlocked');
    // Pending bureaus are named one by one already; the rest is said as the approval page says it.
    expect(blocked).toHaveLength(1);
    expect(blocked[0]!.text.zh).toMatch(/^尚不能批准：/);
    expect(blocked[0]!.text.zh).not.toContain('dispositionsUnpublished');
  });

  it("opens the round's page with the summary line, what needs the coordinator, and a row per bureau with its actions", async () => {
    const fx = await glanceRound();
    const li = await new CoordinatorPage(fx.app, ROUND_ID).login('li', 'coordinator-pw');
    const html = (await li.page()).replace(/&#x3D;/g, '=');
    const top = html.slice(html.indexOf('<h1>'), html.indexOf('</table>'));
    expect(text(top)).toContain('已回复 5/7 · 待回复 1 · 已豁免 1 · 逾期 1 · 需处理 2');
    expect(text(top)).toContain('replied 5/7 · pending 1 · waived 1 · late 1 · needs attention 2');
    expect(text(top)).toContain('区林业局已过截止时间仍未回复');
    expect(text(top)).toContain('发给区林业局的邮件投递失败');
    // Status labels in words, never enum names; IDs are further down, in each bureau's details.
    const table = top.slice(top.indexOf('<table'));
    for (const word of ['noComments', 'deemedNoComments', 'pending', 'replied', 'waived'])
      expect(text(table)).not.toMatch(new RegExp(`\\b${word}\\b`));
    expect(text(table)).toContain('无意见 No comments');
    expect(text(table)).toContain('已豁免 Waived');
    expect(top).not.toContain('.invitation.1@test');
    expect(html).toMatch(/<details class="coord-bureau-details"><summary>[^]*?id="bureau-forestry"/);
    // Forestry's row offers its actions, each opening its form with the bureau chosen.
    const row = table.slice(
      table.indexOf('id="row-forestry"'),
      table.indexOf('</tr>', table.indexOf('id="row-forestry"')),
    );
    for (const form of ['paper', 'extend', 'resend', 'contact', 'waive'])
      expect(row).toContain(`href="/rounds/${ROUND_ID}/manage?form=${form}&amp;bureau=forestry#form-${form}"`);
    const waived = table.slice(
      table.indexOf('id="row-culture"'),
      table.indexOf('</tr>', table.indexOf('id="row-culture"')),
    );
    expect(waived).not.toContain('manage?form=');

    const extend = await li.page(`/rounds/${ROUND_ID}/manage?form=extend&bureau=forestry`);
    expect(extend).toContain('<details class="coord-action" id="form-extend" open>');
    expect(extend).toMatch(/<select id="extend-bureau"[^]*?<option value="forestry" selected>/);
    expect(extend).not.toContain('<details class="coord-action" id="form-waive" open>');
    // Only the forms a row offers, and only the round's bureaus.
    for (const bad of ['form=toString&bureau=forestry', 'form=extend&bureau=nobody'])
      expect(await li.page(`/rounds/${ROUND_ID}/manage?${bad}`)).not.toMatch(/id="form-[a-z-]+" open>/);
  });

  it('lists each round with its stage in words, replies, next deadline, late and needs-attention, filtered by plan and stage', async () => {
    const fx = await glanceRound();
    const list = text(await (await fx.app.request('/')).text());
    expect(list).toContain('test-plan');
    expect(list).toMatch(/test-plan.*第 1 轮 round 1.* 征求意见 Consultation 5\/7 — 1 需处理 2 needs attention/);
    expect(list).toMatch(/other-plan.*第 2 轮 round 2.* 审批 Approval 0\/3 2022-02-18 10:00 北京时间 \(UTC\+8\) 0 —/);

    const byPlan = text(await (await fx.app.request('/?plan=other-plan')).text());
    expect(byPlan).toContain('第 2 轮');
    expect(byPlan).not.toContain('第 1 轮');
    const byStage = text(await (await fx.app.request('/?stage=consultation')).text());
    expect(byStage).toContain('第 1 轮');
    expect(byStage).not.toContain('第 2 轮');
    const none = text(await (await fx.app.request('/?plan=test-plan&stage=approval')).text());
    expect(none).toContain('没有符合条件的审查轮次');
    // A filter that is not a plan id or a stage is ignored.
    expect(text(await (await fx.app.request('/?stage=<b>&plan=../x')).text())).toContain('第 2 轮');
    expect(OTHER_ROUND_ID).toBe('round:other-plan:2');
  });
});
