/**
 * The expert review stage on the time-skipping server: the meeting's invitation with its calendar
 * object (read back with ical.js), a reschedule and a cancellation under the same UID, the reminder
 * the day before, a meeting recorded as already held, the opinions and their revision notes.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { RoundGatewayError } from '../../infra/roundGateway.js';
import { MemoryContentStore } from '../../infra/store.js';
import { RecordingTransport, type SentMail } from '../support/mail.js';
import { recordHistory } from '../support/recordHistory.js';
import { coordinator, dayAfter, meetingOn, smallRoundInput } from '../support/rounds.js';
import { timeSkippingWorker } from '../support/testWorker.js';

const TASK_QUEUE = 'test-expert-review';
const DAY = 24 * 3600 * 1000;
const TZ = 'Asia/Shanghai';
let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;
const store = new MemoryContentStore();
const mail = new RecordingTransport();
const rounds = () => roundCalls(env.client, store, TASK_QUEUE);
const by = <T extends object>(req: T) => ({ requestId: randomUUID(), actor: coordinator, ...req });
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => (err instanceof RoundGatewayError && err.outcome.kind === 'refused' ? err.outcome.refusal : err),
  );

const experts = [
  { name: '李华', title: '教授', organisation: '山西大学', email: 'lihua@expert.example.org' },
  { name: '赵敏', title: '高级工程师', organisation: '大同市环境科学研究所', email: 'zhaomin@expert.example.org' },
];

beforeAll(async () => {
  ({ env, stop } = await timeSkippingWorker({ taskQueue: TASK_QUEUE, store, transport: mail.asTransporter() }));
});

afterAll(async () => {
  await stop?.();
});

function calendarOf(m: SentMail) {
  const ics = m.attachments.find((a) => a.filename === 'meeting.ics')?.content;
  expect(ics).toBeDefined();
  const cal = new ICAL.Component(ICAL.parse(ics!));
  for (const vtz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtz);
  const event = cal.getFirstSubcomponent('vevent')!;
  const start = event.getFirstProperty('dtstart')!;
  return {
    method: cal.getFirstPropertyValue('method'),
    uid: event.getFirstPropertyValue('uid'),
    sequence: event.getFirstPropertyValue('sequence'),
    status: event.getFirstPropertyValue('status'),
    tzid: start.getParameter('tzid'),
    start: (start.getFirstValue() as ICAL.Time).toJSDate().toISOString(),
    local: (start.getFirstValue() as ICAL.Time).toString(),
    attendees: event.getAllProperties('attendee').map((a) => String(a.getFirstValue()).toLowerCase()),
  };
}

async function startRound(): Promise<{ id: string; startedAt: string }> {
  const id = await rounds().start(await smallRoundInput(store, { stages: ['expertReview'] }));
  const s = await rounds().until(id, (x) => x.stage === 'expertReview');
  return { id, startedAt: s.startedAt };
}

describe('expert review', () => {
  it('invites with a calendar request, moves the meeting under the same UID, reminds the day before, and ends with every revision note', async () => {
    const { id, startedAt } = await startRound();
    const roundId = (await rounds().status(id)).id;
    const first = dayAfter(startedAt, 10);

    expect(
      await refusal(rounds().act(id, 'scheduleMeeting', by({ meeting: meetingOn(dayAfter(startedAt, -1)), experts }))),
    ).toMatchObject({ field: 'meeting.date', code: 'meetingInPast' });
    expect(
      await refusal(
        rounds().act(id, 'scheduleMeeting', by({ meeting: meetingOn(first), experts: [{ name: '王五' }] })),
      ),
    ).toMatchObject({ code: 'expertEmailMissing' });

    await rounds().act(id, 'scheduleMeeting', by({ meeting: meetingOn(first), experts }));
    let s = await rounds().until(id, () => mail.ofKind('meetingInvitation', roundId).length === 3);
    const invitations = mail.ofKind('meetingInvitation', roundId);
    expect(invitations.map((m) => m.to[0]).sort()).toEqual([coordinator.email, ...experts.map((e) => e.email)].sort());
    expect(invitations[0]!.subject).toContain('专家评审会邀请');
    expect(invitations[0]!.html).toContain('新荣区政府三楼会议室');
    const invite = calendarOf(invitations[0]!);
    expect(invite).toMatchObject({ method: 'REQUEST', sequence: 0, tzid: TZ, local: `${first}T09:00:00` });
    expect(invite.start).toBe(new Date(`${first}T09:00:00+08:00`).toISOString());
    expect(invite.uid).toBe(s.expertReview!.meeting!.uid);
    expect(invite.attendees).toEqual(experts.map((e) => `mailto:${e.email}`));
    expect(
      await refusal(rounds().act(id, 'scheduleMeeting', by({ meeting: meetingOn(first), experts }))),
    ).toMatchObject({ code: 'meetingAlreadyScheduled' });

    // Moved two days later: the same UID, SEQUENCE 1, and the reminder moves with it.
    const moved = dayAfter(startedAt, 12);
    await rounds().act(id, 'rescheduleMeeting', by({ meeting: meetingOn(moved), reason: '专家行程调整' }));
    await rounds().until(id, () => mail.ofKind('meetingUpdate', roundId).length === 3);
    const update = calendarOf(mail.ofKind('meetingUpdate', roundId)[0]!);
    expect(update).toMatchObject({ method: 'REQUEST', uid: invite.uid, sequence: 1, local: `${moved}T09:00:00` });
    s = await rounds().status(id);
    const reminderAt = Date.parse(s.expertReview!.reminderDueAt!);
    expect(reminderAt).toBe(Date.parse(`${moved}T09:00:00+08:00`) - DAY);

    // Past the first meeting's reminder moment, and up to a minute before the new one: no reminder.
    await env.sleep(reminderAt - Date.parse(startedAt) - 60_000);
    expect(mail.ofKind('meetingReminder', roundId)).toHaveLength(0);
    await env.sleep(2 * 60_000);
    await rounds().until(id, () => mail.ofKind('meetingReminder', roundId).length === 2);
    expect(
      mail
        .ofKind('meetingReminder', roundId)
        .map((m) => m.to[0])
        .sort(),
    ).toEqual(experts.map((e) => e.email).sort());
    s = await rounds().status(id);
    expect(s.expertReview!.reminders).toEqual([expect.objectContaining({ sequence: 1 })]);
    expect(s.expertReview!.reminderDueAt).toBeNull();

    const opinions = ['进一步明确发展规划编制背景。', '补充完善基础资料及现状调查。'];
    expect(
      await refusal(rounds().act(id, 'recordOpinions', by({ opinions, signedOn: moved, signedBy: '专家组组长 李华' }))),
    ).toMatchObject({ code: 'meetingNotOver' });
    await env.sleep(DAY + 4 * 3600 * 1000);
    await rounds().act(id, 'recordOpinions', by({ opinions, signedOn: moved, signedBy: '专家组组长 李华' }));
    s = await rounds().status(id);
    expect(s.expertReview!.opinions.map((o) => [o.n, o.text])).toEqual([
      [1, opinions[0]],
      [2, opinions[1]],
    ]);
    expect(s.expertReview!.meeting!.held).toBe(true);
    expect(
      await refusal(rounds().act(id, 'rescheduleMeeting', by({ meeting: meetingOn(dayAfter(startedAt, 20)) }))),
    ).toMatchObject({ code: 'meetingHeld' });

    expect(
      await refusal(
        rounds().act(
          id,
          'writeRevisionNote',
          by({ n: 1, note: { text: '已补充编制背景。', changedAt: [{ doc: 'plan', section: '9.9' }] } }),
        ),
      ),
    ).toMatchObject({ field: 'note.changedAt.0.section', code: 'unknownAnchorSection' });
    expect(
      await refusal(rounds().act(id, 'writeRevisionNote', by({ n: 3, note: { text: '无', changedAt: [] } }))),
    ).toMatchObject({ field: 'n', code: 'unknownOpinion' });
    await rounds().act(
      id,
      'writeRevisionNote',
      by({ n: 1, note: { text: '已补充编制背景。', changedAt: [{ doc: 'plan', section: '1.1.1' }] } }),
    );
    s = await rounds().status(id);
    expect(s.stage).toBe('expertReview');
    expect(s.expertReview!.opinions[0]!.revisionNote).toEqual({
      text: '已补充编制背景。',
      changedAt: [{ doc: 'plan', version: 1, section: '1.1.1' }],
    });
    await rounds().act(
      id,
      'writeRevisionNote',
      by({ n: 2, note: { text: '已补充现状调查。', changedAt: [{ doc: 'plan', section: '2.1' }] } }),
    );
    expect((await env.client.workflow.getHandle(id).result()).stage).toBe('completed');
    await recordHistory(env.client.workflow.getHandle(id), 'expert-review');
  });

  it('cancels with METHOD:CANCEL, records a meeting already held without invitations, and refuses a held meeting still to come', async () => {
    const { id, startedAt } = await startRound();
    const roundId = (await rounds().status(id)).id;
    await rounds().act(id, 'scheduleMeeting', by({ meeting: meetingOn(dayAfter(startedAt, 5)), experts }));
    await rounds().until(id, () => mail.ofKind('meetingInvitation', roundId).length === 3);
    const uid = calendarOf(mail.ofKind('meetingInvitation', roundId)[0]!).uid;
    await rounds().act(id, 'cancelMeeting', by({ reason: '会议推迟至下月' }));
    await rounds().until(id, () => mail.ofKind('meetingCancellation', roundId).length === 3);
    const cancel = mail.ofKind('meetingCancellation', roundId)[0]!;
    expect(cancel.html).toContain('会议推迟至下月');
    expect(calendarOf(cancel)).toMatchObject({ method: 'CANCEL', status: 'CANCELLED', uid, sequence: 1 });
    let s = await rounds().status(id);
    expect(s.expertReview!.reminderDueAt).toBeNull();
    expect(await refusal(rounds().act(id, 'cancelMeeting', by({ reason: '再次取消' })))).toMatchObject({
      code: 'noMeeting',
    });

    // The meeting took place elsewhere and is recorded afterwards: no invitations, no reminder.
    await env.sleep(3 * DAY);
    const ofRound = () => mail.sent.filter((m) => m.round === roundId).length;
    const sent = ofRound();
    expect(
      await refusal(
        rounds().act(id, 'scheduleMeeting', by({ meeting: meetingOn(dayAfter(startedAt, 6)), experts, held: true })),
      ),
    ).toMatchObject({ field: 'held', code: 'meetingNotYetHeld' });
    await rounds().act(
      id,
      'scheduleMeeting',
      by({ meeting: meetingOn(dayAfter(startedAt, 1)), experts: [{ name: '钱七' }], held: true }),
    );
    s = await rounds().status(id);
    expect(s.expertReview!.meeting).toMatchObject({ held: true, sequence: 0 });
    expect(s.expertReview!.meeting!.uid).not.toBe(uid);
    expect(s.expertReview!.reminderDueAt).toBeNull();
    await rounds().act(
      id,
      'recordOpinions',
      by({ opinions: ['完善保障措施。'], signedOn: dayAfter(startedAt, 1), signedBy: '钱七' }),
    );
    await rounds().act(id, 'writeRevisionNote', by({ n: 1, note: { text: '已完善保障措施。', changedAt: [] } }));
    expect((await env.client.workflow.getHandle(id).result()).stage).toBe('completed');
    expect(ofRound()).toBe(sent);
    await recordHistory(env.client.workflow.getHandle(id), 'expert-review-held');
  });

  it("runs the seed's order: the expert review first, then the consultation, whose deadline counts from its own start", async () => {
    const id = await rounds().start(await smallRoundInput(store, { stages: ['expertReview', 'consultation'] }));
    const { startedAt } = await rounds().until(id, (x) => x.stage === 'expertReview');
    const roundId = (await rounds().status(id)).id;
    // The seed's experts met in November; the bureaus were consulted three months later.
    await env.sleep(20 * DAY);
    expect(mail.sent.filter((m) => m.round === roundId && m.kind === 'invitation')).toHaveLength(0);
    await rounds().act(
      id,
      'scheduleMeeting',
      by({ meeting: meetingOn(dayAfter(startedAt, 1)), experts: [{ name: '钱七' }], held: true }),
    );
    await rounds().act(
      id,
      'recordOpinions',
      by({ opinions: ['补充完善附图、附件。'], signedOn: dayAfter(startedAt, 1), signedBy: '专家组' }),
    );
    await rounds().act(
      id,
      'writeRevisionNote',
      by({ n: 1, note: { text: '已补充完善附图、附件。', changedAt: [{ doc: 'plan', section: '1.1' }] } }),
    );
    const s = await rounds().until(
      id,
      (x) => x.stage === 'consultation' && x.bureaus.every((b) => b.invitation?.sentAt),
    );
    const now = await env.currentTimeMs();
    for (const b of s.bureaus) expect(Date.parse(b.deadline) - now).toBeGreaterThan(13 * DAY);
    expect(s.expertReview!.opinions[0]!.revisionNote!.changedAt[0]).toMatchObject({ doc: 'plan', section: '1.1' });
    await env.sleep(15 * DAY);
    const done = await env.client.workflow.getHandle(id).result();
    expect(done.stage).toBe('completed');
    expect(Object.values(done.outcomes)).toEqual(['deemedNoComments', 'deemedNoComments', 'deemedNoComments']);
    await recordHistory(env.client.workflow.getHandle(id), 'seed-stage-order');
  });
});
