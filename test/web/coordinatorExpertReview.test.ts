/**
 * The expert review on the coordinator's page, in-process over the typed fake rounds
 * (test/support/fakeRounds.ts), which refuse and apply the expert review's actions by the round's
 * own rules on the fake's clock: schedule, reschedule and cancel the meeting, record the opinions,
 * write the revision notes. Each form: what it sends as the signed-in user, and what a mistake
 * shows beside its field (Chinese and English) while nothing is sent or changed.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { storeReplyDraft } from '../../infra/replyStore.js';
import { MemoryContentStore } from '../../infra/store.js';
import { coordinatorApp, CoordinatorPage, formHtml, lastFormAction } from '../support/coordinatorApp.js';
import {
  DISPOSITION_ROUND_ID as ROUND_ID,
  expertReviewRound,
  FINANCE,
  FORESTRY,
  HOSTILE,
  NONE,
} from '../support/dispositionRound.js';
import { FakeRounds } from '../support/fakeRounds.js';
import { meetingOn } from '../support/rounds.js';

const UID = 'round-dispo-plan-1.expert-meeting-1@plan-review.test';

let now: Date;
let rounds: FakeRounds;
let coordinator: () => Promise<CoordinatorPage>;

beforeEach(async () => {
  const store = new MemoryContentStore();
  for (const d of [FINANCE, FORESTRY, NONE]) await storeReplyDraft(store, d);
  now = new Date('2030-01-20T02:00:00.000Z');
  rounds = new FakeRounds(store, expertReviewRound(), () => now);
  const app = await coordinatorApp(rounds, store);
  coordinator = () => new CoordinatorPage(app, ROUND_ID).login('li', 'coordinator-pw');
});

const MEETING = { ...meetingOn('2030-02-01'), url: '' };
const EXPERTS = '李华 | 教授 | 山西大学 | lihua@expert.example.org\n赵敏 | 高级工程师 | | zhaomin@expert.example.org\n';

const lastSent = () => lastFormAction(rounds);

async function scheduled(b: CoordinatorPage) {
  await b.act('schedule-meeting', { ...MEETING, experts: EXPERTS });
}

/** Past the meeting's end, by the fake's clock. */
const afterMeeting = () => (now = new Date('2030-02-02T02:00:00.000Z'));

describe('scheduling the expert meeting', () => {
  it('sends the meeting and the experts as the signed-in user; the page then shows it with its calendar UID and SEQUENCE', async () => {
    const b = await coordinator();
    let html = await b.page();
    expect(html).toContain('尚未安排专家评审会');
    expect(formHtml(html, ROUND_ID, 'schedule-meeting')).toContain('name="timeZone" value="Asia/Shanghai"');
    expect(html).not.toContain('/actions/reschedule-meeting"');

    await b.act('schedule-meeting', { ...MEETING, experts: EXPERTS, actor: 'forged by the form' });
    expect(lastSent()).toEqual({
      name: 'scheduleMeeting',
      rest: {
        meeting: meetingOn('2030-02-01'),
        experts: [
          { name: '李华', title: '教授', organisation: '山西大学', email: 'lihua@expert.example.org' },
          { name: '赵敏', title: '高级工程师', email: 'zhaomin@expert.example.org' },
        ],
      },
    });
    html = await b.page();
    expect(html).toContain('专家评审会已记录');
    expect(html).toContain('2030-02-01 09:00–12:00 北京时间 (UTC+8)');
    expect(html).toContain(`UID <code>${UID}</code> · SEQUENCE <code>0</code>`);
    expect(html).toContain('李华 · 教授 · 山西大学 · <code>lihua@expert.example.org</code>');
    expect(html).not.toContain('/actions/schedule-meeting"');
    // Moving it starts from the meeting as it stands.
    const move = formHtml(html, ROUND_ID, 'reschedule-meeting');
    expect(move).toContain('name="date" type="date" value="2030-02-01"');
    expect(move).toContain('name="start" type="time" value="09:00"');
    expect(move).toContain('name="place" value="新荣区政府三楼会议室"');
    formHtml(html, ROUND_ID, 'cancel-meeting');
    formHtml(html, ROUND_ID, 'record-opinions');
  });

  it('shows each mistake beside its field, in Chinese and English, and sends nothing', async () => {
    const b = await coordinator();
    let form = await b.refused('schedule-meeting', {
      ...MEETING,
      date: '',
      url: 'ftp://meet.example.org/1',
      organiser: ' ',
      experts: `李华 | 教授 | 山西大学 | lihua@expert.example.org\n赵敏 | 高工 | 环科所 | zhaomin-at-example\n${HOSTILE}`,
    });
    expect(form).toMatch(
      /name="date"[^>]*>\s*<span class="field-error" role="alert">请填写会议日期。<span class="en" lang="en">Enter the date/,
    );
    expect(form).toContain(
      '线上链接应以 http:// 或 https:// 开头。<span class="en" lang="en">The online link must start with http:// or https://.',
    );
    expect(form).toContain('请填写组织单位。<span class="en" lang="en">Enter the organiser.');
    expect(form).toContain(
      '第 2 行的电子邮箱无效：zhaomin-at-example。<span class="en" lang="en">Line 2: not a valid email address',
    );
    expect(form).toContain('&lt;script&gt;'); // what was typed is kept, escaped
    expect(form).not.toContain(HOSTILE);

    // The request's own rules: the end after the start, a place or a link.
    form = await b.refused('schedule-meeting', {
      ...MEETING,
      place: '',
      start: '14:00',
      end: '12:00',
      experts: EXPERTS,
    });
    expect(form).toMatch(
      /name="end"[^>]*>\s*<span class="field-error" role="alert">会议结束时间应晚于开始时间 <span class="en" lang="en">the meeting must end/,
    );
    expect(form).toMatch(
      /name="place"[^>]*>\s*<span class="field-error" role="alert">请填写会议地点或线上链接 <span class="en" lang="en">give a place/,
    );

    form = await b.refused('schedule-meeting', { ...MEETING, experts: '' });
    expect(form).toContain('请至少填写一位专家。<span class="en" lang="en">Enter at least one expert.');
    form = await b.refused('schedule-meeting', { ...MEETING, experts: '李华 | 教授 | 山西大学 | a@b.org | 多余' });
    expect(form).toContain('第 1 行应写作“姓名 | 职称 | 单位 | 电子邮箱”');
    expect(rounds.calls).toHaveLength(0);

    // Refused by the round: a meeting in the past, an expert to invite without an address.
    form = await b.refused('schedule-meeting', { ...MEETING, date: '2030-01-10', experts: EXPERTS });
    expect(form).toMatch(
      /name="date"[^>]*>\s*<span class="field-error" role="alert">会议时间（2030-01-10 09:00 北京时间 \(UTC\+8\)）已过；如会议已召开，请记录为“已召开”<span class="en" lang="en">the meeting time/,
    );
    form = await b.refused('schedule-meeting', { ...MEETING, experts: `${EXPERTS}钱七 | 研究员` });
    expect(form).toContain('专家“钱七”没有电子邮箱，无法发送会议邀请');
    expect(rounds.updates).toHaveLength(0);
    expect(rounds.current.expertReview!.meeting).toBeNull();
  });

  it('records a meeting already held, without addresses; a held meeting still to come is refused', async () => {
    const b = await coordinator();
    const form = await b.refused('schedule-meeting', { ...MEETING, experts: '钱七', held: 'yes' });
    expect(form).toContain('尚未到，不能记录为已召开');
    expect(form).toMatch(/name="held" value="yes" checked/);
    await b.act('schedule-meeting', { ...MEETING, date: '2030-01-15', experts: '钱七 | 研究员', held: 'yes' });
    expect(lastSent().rest).toMatchObject({ held: true, experts: [{ name: '钱七', title: '研究员' }] });
    const html = await b.page();
    expect(html).toContain('已召开 <span class="en" lang="en">Held</span>');
    expect(html).not.toContain('/actions/reschedule-meeting"');
    formHtml(html, ROUND_ID, 'record-opinions');
  });
});

describe('moving and cancelling the meeting', () => {
  it('reschedules with a reason: the same UID, the next SEQUENCE', async () => {
    const b = await coordinator();
    await scheduled(b);
    const form = await b.refused('reschedule-meeting', { ...MEETING, date: '2030-02-03', organiser: '' });
    expect(form).toContain('请填写组织单位。<span class="en" lang="en">Enter the organiser.');
    expect(form).toContain('value="2030-02-03"');
    await b.act('reschedule-meeting', {
      ...MEETING,
      date: '2030-02-03',
      start: '14:00',
      end: '17:30',
      reason: '专家行程调整',
    });
    expect(lastSent()).toEqual({
      name: 'rescheduleMeeting',
      rest: {
        meeting: { ...MEETING, url: undefined, date: '2030-02-03', start: '14:00', end: '17:30' },
        reason: '专家行程调整',
      },
    });
    const html = await b.page();
    expect(html).toContain('专家评审会已改期');
    expect(html).toContain('2030-02-03 14:00–17:30 北京时间 (UTC+8)');
    expect(html).toContain(`UID <code>${UID}</code> · SEQUENCE <code>1</code>`);
  });

  it('cancels with a reason (required), after which a new meeting may be scheduled', async () => {
    const b = await coordinator();
    await scheduled(b);
    expect(await b.refused('cancel-meeting', { reason: '' })).toContain(
      '请填写理由。<span class="en" lang="en">Give a reason.',
    );
    expect(rounds.updates).toHaveLength(1);
    await b.act('cancel-meeting', { reason: '会议推迟至下月' });
    expect(lastSent()).toEqual({ name: 'cancelMeeting', rest: { reason: '会议推迟至下月' } });
    const html = await b.page();
    expect(html).toContain('已取消 <span class="en" lang="en">Cancelled</span>');
    expect(html).toContain('会议推迟至下月');
    expect(html).toContain('SEQUENCE <code>1</code>');
    formHtml(html, ROUND_ID, 'schedule-meeting');
    expect(html).not.toContain('/actions/cancel-meeting"');
  });

  it("shows the round's refusal to move a meeting that took place", async () => {
    const b = await coordinator();
    await scheduled(b);
    afterMeeting();
    const form = await b.refused('cancel-meeting', { reason: '太迟了' });
    expect(form).toContain('<p class="error" role="alert">专家评审会已召开，不能改期或取消');
    expect(rounds.current.expertReview!.cancelled).toBeNull();
  });
});

describe('the opinions and their revision notes', () => {
  const OPINIONS = '1. 进一步明确发展规划编制背景。\n2. 补充完善基础资料及现状调查，\n3.7 节的指标应与上级规划衔接。';

  it('records the opinions after the meeting (numbers typed before them dropped), with the report', async () => {
    const b = await coordinator();
    await scheduled(b);
    let form = await b.refused('record-opinions', { opinions: OPINIONS, signedOn: '2030-02-01', signedBy: '李华' });
    expect(form).toContain('专家评审会（2030-02-01 12:00 北京时间 (UTC+8) 结束）尚未结束，会后再记录专家意见');
    afterMeeting();
    form = await b.refused('record-opinions', {
      reportTitle: '评审意见',
      opinions: ' ',
      signedOn: '',
      signedBy: '李华',
    });
    expect(form).toMatch(
      /name="reportIntro"[^>]*>[^<]*<\/textarea>\s*<span class="field-error" role="alert">评审报告须有标题和会议情况/,
    );
    expect(form).toContain('请至少填写一条专家意见。<span class="en" lang="en">Enter at least one expert opinion.');
    expect(form).toContain('请填写专家组签字日期。<span class="en" lang="en">Enter the date the experts signed.');
    form = await b.refused('record-opinions', { opinions: OPINIONS, signedOn: '2030-02-30', signedBy: '李华' });
    expect(form).toContain('不是有效的日期 <span class="en" lang="en">must be a real date');
    expect(rounds.updates).toHaveLength(1);

    // The signature date starts as the meeting's.
    expect(formHtml(await b.page(), ROUND_ID, 'record-opinions')).toContain(
      'name="signedOn" type="date" value="2030-02-01"',
    );
    await b.act('record-opinions', {
      reportTitle: '《新荣区生态环境保护规划》专家评审意见',
      reportIntro: '2030 年 2 月 1 日，专家组召开评审会。',
      assessment: '规划内容全面。\n\n目标基本可行。',
      opinions: OPINIONS,
      signedOn: '2030-02-01',
      signedBy: '专家组组长 李华',
    });
    expect(lastSent()).toEqual({
      name: 'recordOpinions',
      rest: {
        opinions: ['进一步明确发展规划编制背景。', '补充完善基础资料及现状调查，', '3.7 节的指标应与上级规划衔接。'],
        signedOn: '2030-02-01',
        signedBy: '专家组组长 李华',
        report: {
          title: '《新荣区生态环境保护规划》专家评审意见',
          intro: '2030 年 2 月 1 日，专家组召开评审会。',
          assessment: ['规划内容全面。', '目标基本可行。'],
        },
      },
    });
    const html = await b.page();
    expect(html).toContain('专家意见已记录');
    expect(html).toContain('尚有 3 条意见未填写修改说明');
    expect(html).toMatch(/id="opinion-3"><td>3<\/td><td>3\.7 节的指标应与上级规划衔接。<\/td>/);
    expect(html).not.toContain('/actions/record-opinions"');
    expect(formHtml(html, ROUND_ID, 'revision-note')).toContain(
      '<option value="1" selected>1. 进一步明确发展规划编制背景。</option>',
    );
  });

  it('takes opinions one a block when blank lines separate them', async () => {
    const b = await coordinator();
    await scheduled(b);
    afterMeeting();
    await b.act('record-opinions', {
      opinions: '（1）进一步明确\n编制背景。\n\n（2）补充基础资料。\n',
      signedOn: '2030-02-01',
      signedBy: '李华',
    });
    expect(lastSent().rest).toMatchObject({ opinions: ['进一步明确\n编制背景。', '补充基础资料。'] });
  });

  it('writes a revision note with its places; a place not in the current version is refused', async () => {
    const b = await coordinator();
    await scheduled(b);
    afterMeeting();
    await b.act('record-opinions', { opinions: OPINIONS, signedOn: '2030-02-01', signedBy: '李华' });

    let form = await b.refused('revision-note', { n: '1', text: '已补充。', anchors: 'plan#9.9' });
    expect(form).toContain(
      '第 1 行：《测试规划（征求意见稿）》的当前版本中没有章节“9.9”。<span class="en" lang="en">Line 1: the current version',
    );
    expect(form).toContain('plan#9.9</textarea>');
    form = await b.refused('revision-note', { n: '1', text: '', anchors: 'plan 3.7\nnowhere#3.7' });
    expect(form).toContain('请填写修改说明。<span class="en" lang="en">Write the revision note.');
    expect(form).toContain('第 1 行应写作“文件#章节”');
    form = await b.refused('revision-note', { n: '1', text: '已补充。', anchors: 'nowhere#3.7' });
    expect(form).toContain('第 1 行：本轮没有文件“nowhere”（有：plan, annex）');
    form = await b.refused('revision-note', { n: '', text: '已补充。' });
    expect(form).toContain('请选择专家意见。<span class="en" lang="en">Choose an opinion.');
    // Refused by the round, beside the opinion.
    form = await b.refused('revision-note', { n: '7', text: '已补充。' });
    expect(form).toMatch(
      /<\/select>\s*<span class="field-error" role="alert">没有第 7 条专家意见 <span class="en" lang="en">there is no expert opinion 7/,
    );
    expect(rounds.updates.map((u) => u.name)).toEqual(['scheduleMeeting', 'recordOpinions']);

    await b.act('revision-note', {
      n: '1',
      text: '已在第一章补充编制背景。',
      anchors: 'plan#3.7 | 资金来源\nplan#自然概况\n',
    });
    expect(lastSent()).toEqual({
      name: 'writeRevisionNote',
      rest: {
        n: 1,
        note: {
          text: '已在第一章补充编制背景。',
          changedAt: [
            { doc: 'plan', section: '3.7', quote: '资金来源' },
            { doc: 'plan', section: '1.1' },
          ],
        },
      },
    });
    const html = await b.page();
    expect(html).toContain('修改说明已保存。The revision note is saved.');
    const row = html.slice(html.indexOf('id="opinion-1"'), html.indexOf('</tr>', html.indexOf('id="opinion-1"')));
    expect(row).toContain('已在第一章补充编制背景。');
    expect(row).toContain(
      '测试规划（征求意见稿） 第 1 版 <span class="en" lang="en">v1</span> · 3.7 规划目标和指标<blockquote>资金来源</blockquote>',
    );
    expect(row).toContain('· 1.1 自然概况');
    expect(html).toContain('尚有 2 条意见未填写修改说明');
    // The next opinion without a note is chosen.
    expect(formHtml(html, ROUND_ID, 'revision-note')).toContain('<option value="2" selected>');
  });
});
