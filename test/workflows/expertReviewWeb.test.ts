/**
 * The expert review from the coordinator's page, on a real round on the time-skipping server: the
 * coordinator's routes over the real RoundGateway, a signed-in coordinator scheduling the experts'
 * meeting, moving it, recording the opinions after it and writing each revision note through the
 * page's forms (the round's refusals shown beside their fields); the round's status and the
 * meeting's emails are read back.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { PATIENT_TIMEOUTS, RoundGateway } from '../../infra/roundGateway.js';
import { MemoryContentStore } from '../../infra/store.js';
import { coordinatorApp, CoordinatorPage, LI_ACTOR } from '../support/coordinatorApp.js';
import { RecordingTransport } from '../support/mail.js';
import { dayAfter, meetingOn, smallRoundInput } from '../support/rounds.js';
import { timeSkippingWorker } from '../support/testWorker.js';

const TASK_QUEUE = 'test-expert-review-web';
const DAY = 24 * 3600 * 1000;

let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;
const store = new MemoryContentStore();
const mail = new RecordingTransport();
let app: Hono;
const rounds = () => roundCalls(env.client, store, TASK_QUEUE);

beforeAll(async () => {
  ({ env, stop } = await timeSkippingWorker({ taskQueue: TASK_QUEUE, store, transport: mail.asTransporter() }));
  app = await coordinatorApp(new RoundGateway(env.client, store, TASK_QUEUE, PATIENT_TIMEOUTS), store);
});

afterAll(async () => {
  await stop?.();
});

describe('the expert review from the web, on a real round', () => {
  it('schedules and moves the meeting, records the opinions and writes each revision note through the forms', async () => {
    const id = await rounds().start(await smallRoundInput(store, { stages: ['expertReview'] }));
    const { startedAt } = await rounds().until(id, (x) => x.stage === 'expertReview');
    const b = await new CoordinatorPage(app, id).login('li', 'coordinator-pw');
    const experts =
      '李华 | 教授 | 山西大学 | lihua@expert.example.org\n赵敏 | 高级工程师 | 大同市环境科学研究所 | zhaomin@expert.example.org';

    // Refused by the round: a meeting in the past, shown beside the date.
    let form = await b.refused('schedule-meeting', { ...meetingOn(dayAfter(startedAt, -2)), experts });
    expect(form).toMatch(/name="date"[^>]*>\s*<span class="field-error" role="alert">会议时间（.*）已过/);

    const first = dayAfter(startedAt, 10);
    await b.act('schedule-meeting', { ...meetingOn(first), experts });
    let status = await rounds().until(id, () => mail.ofKind('meetingInvitation', id).length === 3);
    const { uid } = status.expertReview!.meeting!;
    expect(status.expertReview!.scheduled!.by).toEqual(LI_ACTOR);
    expect(status.expertReview!.experts.map((e) => e.email)).toEqual([
      'lihua@expert.example.org',
      'zhaomin@expert.example.org',
    ]);
    expect(mail.ofKind('meetingInvitation', id)[0]!.html).toContain(`${first} 09:00–12:00 北京时间 (UTC+8)`);
    let html = await b.page();
    expect(html).toContain(`UID <code>${uid}</code> · SEQUENCE <code>0</code>`);

    const moved = dayAfter(startedAt, 12);
    await b.act('reschedule-meeting', { ...meetingOn(moved), start: '14:00', end: '17:00', reason: '专家行程调整' });
    status = await rounds().until(id, () => mail.ofKind('meetingUpdate', id).length === 3);
    expect(status.expertReview!.meeting).toMatchObject({ uid, sequence: 1 });
    const update = mail.ofKind('meetingUpdate', id)[0]!;
    expect(update.html).toContain(`${moved} 14:00–17:00 北京时间 (UTC+8)`);
    expect(update.html).toContain('专家行程调整');
    expect(update.attachments.find((a) => a.filename === 'meeting.ics')?.content).toMatch(/SEQUENCE:1\r?\n/);
    html = await b.page();
    expect(html).toContain(`${moved} 14:00–17:00 北京时间 (UTC+8)`);
    expect(html).toContain(`UID <code>${uid}</code> · SEQUENCE <code>1</code>`);

    // Before the meeting is over, the round refuses the opinions.
    const opinions = '1. 进一步明确发展规划编制背景。\n2. 补充完善基础资料及现状调查。';
    const recorded = { opinions, signedOn: moved, signedBy: '专家组组长 李华' };
    form = await b.refused('record-opinions', recorded);
    expect(form).toContain('尚未结束，会后再记录专家意见');
    await env.sleep(Date.parse(status.expertReview!.meeting!.end) - Date.parse(startedAt) + DAY);
    await b.act('record-opinions', {
      ...recorded,
      reportTitle: '《测试规划》专家评审意见',
      reportIntro: '专家组召开评审会，审阅了规划文本。',
      assessment: '规划内容全面。',
    });
    status = await rounds().status(id);
    expect(status.expertReview!.opinions.map((o) => [o.n, o.text])).toEqual([
      [1, '进一步明确发展规划编制背景。'],
      [2, '补充完善基础资料及现状调查。'],
    ]);
    expect(status.expertReview!.report).toEqual({
      title: '《测试规划》专家评审意见',
      intro: '专家组召开评审会，审阅了规划文本。',
      assessment: ['规划内容全面。'],
    });
    expect(status.expertReview!.meeting!.held).toBe(true);

    // The form checks the places against the current version; the round refuses an opinion it does not have.
    form = await b.refused('revision-note', { n: '1', text: '已补充编制背景。', anchors: 'plan#9.9' });
    expect(form).toContain('第 1 行：《测试规划（征求意见稿）》的当前版本中没有章节“9.9”');
    form = await b.refused('revision-note', { n: '3', text: '已补充。' });
    expect(form).toContain('没有第 3 条专家意见 <span class="en" lang="en">there is no expert opinion 3');

    await b.act('revision-note', { n: '1', text: '已补充编制背景。', anchors: 'plan#1.1.1 | 新荣区位于大同市北部' });
    status = await rounds().status(id);
    expect(status.stage).toBe('expertReview');
    expect(status.expertReview!.opinions[0]!.revisionNote).toEqual({
      text: '已补充编制背景。',
      changedAt: [{ doc: 'plan', version: 1, section: '1.1.1', quote: '新荣区位于大同市北部' }],
    });
    html = await b.page();
    expect(html).toContain('1.1.1 地理位置<blockquote>新荣区位于大同市北部</blockquote>');
    expect(html).toContain('尚有 1 条意见未填写修改说明');

    await b.act('revision-note', { n: '2', text: '已补充现状调查。', anchors: 'plan#2.1' });
    expect((await env.client.workflow.getHandle(id).result()).stage).toBe('completed');
    status = await rounds().status(id);
    expect(status.expertReview!.opinions.every((o) => o.revisionNote?.text)).toBe(true);
    html = await b.page();
    expect(html).toContain('已补充现状调查。');
    expect(html).not.toContain('/actions/revision-note"');
  });
});
