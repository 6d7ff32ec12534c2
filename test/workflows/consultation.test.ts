/**
 * The consultation stage on the time-skipping server: invitations, replies and their versions,
 * reminders only to silent bureaus, deadlines and extensions, paper replies, contact changes,
 * delivery failures. Time moves only when a test skips it, so each test asserts at known moments.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReplyDraft, StaffActor } from '../../domain/consultation.js';
import type { Actor } from '../../domain/records.js';
import type { MailRequest } from '../../domain/mail.js';
import type { RoundInput, RoundResult, RoundStatus } from '../../domain/round.js';
import { replyContentSha256 } from '../../domain/replyHash.js';
import { RoundGatewayError } from '../../infra/roundGateway.js';
import { recordHistory } from '../support/recordHistory.js';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { RecordingTransport } from '../support/mail.js';
import { MemoryContentStore } from '../../infra/store.js';
import { coordinator, smallRoundInput } from '../support/rounds.js';
import { timeSkippingWorker } from '../support/testWorker.js';

const DAY = 24 * 3600 * 1000;
const TASK_QUEUE = 'test-consultation';
let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;
const store = new MemoryContentStore();
const mail = new RecordingTransport();

beforeAll(async () => {
  ({ env, stop } = await timeSkippingWorker({ taskQueue: TASK_QUEUE, store, transport: mail.asTransporter() }));
});

afterAll(async () => {
  await stop?.();
});

const rounds = () => roundCalls(env.client, store, TASK_QUEUE);
// Every scenario ends by recording its round for the replay suite (written only with RECORD_HISTORIES=1).
const record = (id: string, name: string) => recordHistory(env.client.workflow.getHandle(id), name);

beforeEach(() => {
  mail.sent.length = 0;
  mail.rejectAddresses.clear();
  mail.transientFailures = 0;
  mail.failAfterAccepting = 0;
  mail.unreachableAddresses.clear();
});

const responder = { name: '王明', position: '办公室主任' };
const noComments: ReplyDraft = { responder, perDocument: { plan: { kind: 'noComments' } } };
const withComment = (text: string, section = '1.1.1'): ReplyDraft => ({
  responder,
  perDocument: {
    plan: { kind: 'comments', comments: [{ section, quote: '新荣区位于大同市北部', draftPage: 3, text }] },
  },
});

async function start(overrides: Partial<RoundInput> = {}): Promise<{ id: string; input: RoundInput }> {
  const input = await smallRoundInput(store, overrides);
  const id = await rounds().start(input);
  await waitFor(id, (s) => s.bureaus.every((b) => b.invitation?.sentAt !== undefined) || s.problems.length > 0);
  return { id, input };
}

const waitFor = (id: string, pred: (s: RoundStatus) => boolean) => rounds().until(id, pred);

const status = (id: string) => rounds().status(id);
const bureau = (s: RoundStatus, id: string) => s.bureaus.find((b) => b.bureau.id === id)!;

async function reply(id: string, bureauId: string, draft: ReplyDraft, requestId = randomUUID()) {
  const s = await status(id);
  return rounds().act(id, 'submitReply', {
    requestId,
    actor: { name: draft.responder.name, role: 'bureau' },
    bureauId,
    linkId: bureau(s, bureauId).invitation!.linkId,
    reply: draft,
  });
}

function asCoordinator<T extends object>(req: T): T & { requestId: string; actor: Actor } {
  return { requestId: randomUUID(), actor: coordinator, ...req };
}

describe('consultation', () => {
  it('invites every bureau once with a personal link, the drafts attached and a stable Message-ID', async () => {
    const { id, input } = await start();
    const invitations = mail.ofKind('invitation', id);
    expect(invitations).toHaveLength(3);
    expect(new Set(invitations.map((m) => m.to[0]))).toEqual(new Set(input.bureaus.map((b) => b.contacts[0]!.email)));
    for (const m of invitations) {
      expect(m.messageId).toMatch(
        new RegExp(`^<round-${input.planId}-1\\.[a-z]+\\.invitation\\.1@plan-review\\.test>$`),
      );
      expect(m.html).toMatch(/http:\/\/plan-review\.test\/r\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}/);
      expect(m.attachments.map((a) => a.filename)).toEqual(['测试规划（征求意见稿）.html']);
    }
    const s = await status(id);
    expect(s.stage).toBe('consultation');
    expect(s.bureaus.map((b) => b.outcome)).toEqual(['pending', 'pending', 'pending']);
    expect(bureau(s, 'finance').invitation!.messageId).toBe(
      mail.ofKind('invitation', id).find((m) => m.to[0] === 'finance@bureaus.example.org')!.messageId,
    );
    await record(id, 'invitation');
  });

  it('sends reminders at 7, 2 and 1 days before the deadline, only to bureaus that have not replied', async () => {
    const { id } = await start();
    await reply(id, 'finance', noComments);
    await env.sleep(7 * DAY - 60_000); // just before the first reminder
    expect(mail.ofKind('reminder', id)).toHaveLength(0);
    await env.sleep(2 * 60_000);
    await waitFor(id, (s) => bureau(s, 'science').invitation!.remindersSent.length === 1);
    expect(
      mail
        .ofKind('reminder', id)
        .map((m) => m.to[0])
        .sort(),
    ).toEqual(['forestry@bureaus.example.org', 'science@bureaus.example.org']);

    await reply(id, 'science', withComment('请补充数据'));
    await env.sleep(5 * DAY); // past the 2-day reminder
    await waitFor(id, (s) => bureau(s, 'forestry').invitation!.remindersSent.length === 2);
    await env.sleep(1 * DAY); // past the 1-day reminder
    const s = await waitFor(id, (x) => bureau(x, 'forestry').invitation!.remindersSent.length === 3);
    expect(bureau(s, 'finance').invitation!.remindersSent).toHaveLength(0);
    expect(bureau(s, 'science').invitation!.remindersSent).toHaveLength(1);
    expect(mail.ofKind('reminder', id)).toHaveLength(4); // science once, forestry three times
    expect(new Set(mail.ofKind('reminder', id).map((m) => m.messageId)).size).toBe(4);
    await record(id, 'reminders');
  });

  it('deems a silent bureau at its deadline, apart from explicit no comments, and summarises to the coordinator', async () => {
    const { id } = await start();
    await reply(id, 'finance', noComments);
    await reply(id, 'science', withComment('请补充数据'));
    await env.sleep(14 * DAY + 60_000);
    const s = await waitFor(id, (x) => x.stage === 'completed');
    expect(s.bureaus.map((b) => [b.bureau.id, b.outcome])).toEqual([
      ['finance', 'noComments'],
      ['science', 'replied'],
      ['forestry', 'deemedNoComments'],
    ]);
    expect(s.consultation.endedAt).not.toBeNull();
    await expect.poll(() => mail.ofKind('deadlineSummary', id).length).toBe(1);
    const summary = mail.ofKind('deadlineSummary', id)[0]!;
    expect(summary.to).toEqual([coordinator.email]);
    expect(summary.html).toContain('逾期未回复，视为无意见');
    await expect(reply(id, 'forestry', noComments)).rejects.toThrow(RoundGatewayError);
    await record(id, 'silent-bureau-deadline');
  });

  it('moves one bureau’s deadline on extension, recording who and why', async () => {
    const { id } = await start();
    const s0 = await status(id);
    const newDeadline = new Date(Date.parse(bureau(s0, 'forestry').deadline) + 3 * DAY).toISOString();
    await rounds().act(
      id,
      'extendDeadline',
      asCoordinator({ bureauId: 'forestry', deadline: newDeadline, reason: '林业局申请延期' }),
    );
    await env.sleep(14 * DAY + 60_000);
    let s = await waitFor(id, (x) => bureau(x, 'finance').outcome === 'deemedNoComments');
    expect(bureau(s, 'forestry').outcome).toBe('pending');
    expect(s.stage).toBe('consultation');
    expect(bureau(s, 'forestry').extensions).toEqual([
      expect.objectContaining({ by: coordinator, reason: '林业局申请延期', deadline: newDeadline }),
    ]);
    await reply(id, 'forestry', withComment('森林覆盖率应为 27.04%'));
    await env.sleep(3 * DAY);
    s = await waitFor(id, (x) => x.stage === 'completed');
    expect(bureau(s, 'forestry').outcome).toBe('replied');
    await record(id, 'extension');
  });

  it('keeps every version of a revised reply; the latest counts', async () => {
    const { id } = await start();
    const first = await reply(id, 'science', noComments);
    const second = await reply(id, 'science', withComment('第二版意见'));
    expect([first.version, second.version]).toEqual([1, 2]);
    const s = await status(id);
    const replies = bureau(s, 'science').replies;
    expect(replies.map((r) => r.version)).toEqual([1, 2]);
    expect(bureau(s, 'science').outcome).toBe('replied');
    const latest = await rounds().gateway.loadReply(replies[1]!);
    expect(latest.perDocument.plan).toEqual([
      {
        id: `science-${latest.n}-1`,
        anchor: { doc: 'plan', version: 1, section: '1.1.1', quote: '新荣区位于大同市北部', draftPage: 3 },
        text: '第二版意见',
      },
    ]);
    expect(replyContentSha256(latest)).toBe(latest.contentSha256);
    expect(second.contentSha256).toBe(latest.contentSha256);
    await record(id, 'reply-versions');
  });

  it('treats a double submit as one reply', async () => {
    const { id } = await start();
    const requestId = randomUUID();
    const a = await reply(id, 'finance', noComments, requestId);
    const b = await reply(id, 'finance', noComments, requestId);
    expect(b).toEqual(a);
    expect(bureau(await status(id), 'finance').replies).toHaveLength(1);
    await record(id, 'double-submit');
  });

  it('records the staff member who submitted through a bureau’s link, and takes no bureau for one', async () => {
    const { id } = await start();
    const s = await status(id);
    const through = (submittedBy: unknown) =>
      rounds().act(id, 'submitReply', {
        requestId: randomUUID(),
        actor: { name: responder.name, role: 'bureau' },
        bureauId: 'finance',
        linkId: bureau(s, 'finance').invitation!.linkId,
        reply: noComments,
        submittedBy: submittedBy as StaffActor,
      });
    await expect(through({ name: '王明', role: 'bureau' })).rejects.toThrow(RoundGatewayError);
    const receipt = await through({ ...coordinator, username: 'li' });
    const r = bureau(await status(id), 'finance').replies[0]!;
    expect(r).toMatchObject({
      n: receipt.n,
      channel: 'link',
      responder,
      recordedBy: { ...coordinator, username: 'li' },
    });
    expect(r.contentSha256).toBe(receipt.contentSha256);
  });

  it('records a paper reply with the scan, who recorded it and when it was received', async () => {
    const { id } = await start();
    const { sha256: scanSha256 } = await store.put(Buffer.from('%PDF-1.4 scan'));
    const receivedAt = (await status(id)).startedAt;
    const receipt = await rounds().act(
      id,
      'recordPaperReply',
      asCoordinator({ bureauId: 'forestry', reply: withComment('纸质意见'), scanSha256, receivedAt }),
    );
    const r = bureau(await status(id), 'forestry').replies[0]!;
    expect(r).toMatchObject({
      channel: 'paper',
      recordedBy: coordinator,
      scanSha256,
      submittedAt: receivedAt,
      n: receipt.n,
      responder,
    });
    await record(id, 'paper-reply');
  });

  it('refuses invalid replies without recording anything', async () => {
    const { id } = await start();
    await expect(reply(id, 'finance', withComment('x', '9.9.9'))).rejects.toThrow(
      /reply\.perDocument\.plan\.comments\.0\.section: no section "9\.9\.9"/,
    );
    await expect(reply(id, 'finance', { responder, perDocument: {} })).rejects.toThrow(
      /reply\.perDocument: answer at least one document/,
    );
    await expect(reply(id, 'finance', { responder, perDocument: { other: { kind: 'noComments' } } })).rejects.toThrow(
      /no document "other"/,
    );
    const s = await status(id);
    await expect(
      rounds().act(id, 'submitReply', {
        requestId: randomUUID(),
        actor: { name: 'x', role: 'bureau' },
        bureauId: 'finance',
        linkId: bureau(s, 'science').invitation!.linkId,
        reply: noComments,
      }),
    ).rejects.toThrow(/link: this link has been replaced/);
    expect((await status(id)).bureaus.flatMap((b) => b.replies)).toEqual([]);
    await record(id, 'invalid-replies');
  });

  it('revokes the old link on a contact change and sends a new one', async () => {
    const { id } = await start();
    const oldLink = bureau(await status(id), 'forestry').invitation!.linkId;
    await rounds().act(
      id,
      'changeContact',
      asCoordinator({
        bureauId: 'forestry',
        contacts: [{ email: 'new-forestry@bureaus.example.org' }],
        reason: '联系人调岗',
      }),
    );
    const s = await waitFor(id, (x) => (bureau(x, 'forestry').invitation?.sentAt ?? '') !== '');
    const b = bureau(s, 'forestry');
    expect(b.revokedLinkIds).toEqual([oldLink]);
    expect(b.invitation!.linkId).not.toBe(oldLink);
    const newInvitation = mail.ofKind('invitation', id).find((m) => m.to[0] === 'new-forestry@bureaus.example.org')!;
    expect(newInvitation.html).toContain('旧链接已失效');
    await expect(
      rounds().act(id, 'submitReply', {
        requestId: randomUUID(),
        actor: { name: 'x', role: 'bureau' },
        bureauId: 'forestry',
        linkId: oldLink,
        reply: noComments,
      }),
    ).rejects.toThrow(RoundGatewayError);
    await reply(id, 'forestry', noComments);
    expect(bureau(await status(id), 'forestry').outcome).toBe('noComments');
    await record(id, 'contact-change');
  });

  it('surfaces a permanent delivery failure on the status and tells the coordinator', async () => {
    mail.rejectAddresses.add('forestry@bureaus.example.org');
    const { id } = await start();
    const s = await waitFor(id, (x) => bureau(x, 'forestry').invitation!.failures.length === 1);
    expect(bureau(s, 'forestry').invitation!.failures[0]).toMatchObject({
      kind: 'invitation',
      to: ['forestry@bureaus.example.org'],
      error: expect.stringContaining('550'),
    });
    expect(s.problems[0]!.message).toContain('forestry@bureaus.example.org');
    await expect.poll(() => mail.ofKind('deliveryFailure', id).length).toBe(1);
    expect(mail.ofKind('deliveryFailure', id)[0]!.to).toEqual([coordinator.email]);
    await record(id, 'permanent-smtp-failure');
  });

  it('retries a transient failure with the same Message-ID', async () => {
    mail.transientFailures = 2;
    const input = await smallRoundInput(store, { bureaus: (await smallRoundInput(store)).bureaus.slice(0, 1) });
    const id = await rounds().start(input);
    await env.sleep(60_000);
    await waitFor(id, (s) => s.bureaus[0]!.invitation?.sentAt !== undefined);
    expect(mail.ofKind('invitation', id)).toHaveLength(1);
    expect((await status(id)).bureaus[0]!.invitation!.failures).toEqual([]);
    await record(id, 'transient-smtp-failure');
  });

  it('sends a copy with the same Message-ID when the activity fails after the server accepted (at-least-once)', async () => {
    mail.failAfterAccepting = 1;
    const input = await smallRoundInput(store, { bureaus: (await smallRoundInput(store)).bureaus.slice(0, 1) });
    const id = await rounds().start(input);
    await env.sleep(60_000);
    const s = await waitFor(id, (x) => x.bureaus[0]!.invitation?.sentAt !== undefined);
    const copies = mail.ofKind('invitation', id);
    expect(copies).toHaveLength(2);
    expect(copies[1]!.messageId).toBe(copies[0]!.messageId);
    expect(s.bureaus[0]!.invitation!.messages).toEqual([{ at: expect.any(String), messageId: copies[0]!.messageId }]);
    await record(id, 'smtp-accepted-then-failed');
  });

  it('closes early only once every bureau has answered, and waives, adds and cancels', async () => {
    const { id } = await start();
    await expect(rounds().act(id, 'closeConsultation', asCoordinator({}))).rejects.toThrow(
      /not every bureau has answered/,
    );
    await reply(id, 'finance', noComments);
    await reply(id, 'science', noComments);
    await rounds().act(id, 'waiveBureau', asCoordinator({ bureauId: 'forestry', reason: '机构调整' }));
    await rounds().act(
      id,
      'addBureau',
      asCoordinator({
        bureau: {
          id: 'water',
          nameZh: '大同市新荣区水利局',
          nameEn: 'Water Resources Bureau',
          contacts: [{ email: 'water@bureaus.example.org' }],
          contactPerson: '水利局办公室',
        },
      }),
    );
    await waitFor(id, (x) => bureau(x, 'water').invitation?.sentAt !== undefined);
    await reply(id, 'water', withComment('把县级水源地改为城镇集中式饮用水水源地'));
    await rounds().act(id, 'closeConsultation', asCoordinator({ reason: '各单位均已回复' }));
    const s = await waitFor(id, (x) => x.stage === 'completed');
    expect(s.bureaus.map((b) => b.outcome)).toEqual(['noComments', 'noComments', 'waived', 'replied']);
    expect(s.consultation.closed).toMatchObject({ by: coordinator, reason: '各单位均已回复' });

    // Consultation was the round's only stage: the round is complete, and nothing more can be done to it.
    const result: RoundResult = await env.client.workflow.getHandle(id).result();
    expect(result).toEqual({
      id,
      stage: 'completed',
      outcomes: { finance: 'noComments', science: 'noComments', forestry: 'waived', water: 'replied' },
    });
    await expect(rounds().act(id, 'cancelRound', asCoordinator({ reason: '规划调整，重新征求意见' }))).rejects.toThrow(
      RoundGatewayError,
    );
    await record(id, 'waive-add-close');
  });

  it('refuses actions from the wrong role', async () => {
    const { id } = await start();
    await expect(
      rounds().act(id, 'waiveBureau', {
        requestId: randomUUID(),
        actor: { name: '某局', role: 'bureau' },
        bureauId: 'finance',
        reason: 'x',
      }),
    ).rejects.toThrow(/actor\.role: a bureau may not do this/);
    await record(id, 'wrong-role');
  });

  it('keeps its clock while an email is being retried: the deadline passes on time', async () => {
    // A short deadline, so the coordinator's mail is still being retried (about once a minute) when
    // it passes; the mail goes out once the server is back, and the round then ends: nothing of it
    // is left retrying while later tests skip days.
    mail.unreachableAddresses.add(coordinator.email!);
    const { id } = await start({ deadline: { afterMs: 30 * 60_000 }, reminderOffsetsMs: [] });
    await reply(id, 'finance', noComments);
    await env.sleep(31 * 60_000);
    const s = await waitFor(id, (x) => x.stage === 'completed');
    expect(bureau(s, 'forestry').outcome).toBe('deemedNoComments');
    expect(mail.sent.filter((m) => m.to.includes(coordinator.email!))).toHaveLength(0);
    await expect(
      rounds().act(
        id,
        'extendDeadline',
        asCoordinator({
          bureauId: 'forestry',
          deadline: new Date(Date.parse(s.consultation.endedAt!) + DAY).toISOString(),
          reason: 'x',
        }),
      ),
    ).rejects.toThrow(RoundGatewayError);
    mail.unreachableAddresses.clear();
    await env.sleep(2 * 60_000);
    await env.client.workflow.getHandle(id).result();
    expect(mail.sent.filter((m) => m.to.includes(coordinator.email!)).length).toBeGreaterThan(0);
  });

  it('takes a late reply within the grace period, marked late, and refuses one after it', async () => {
    const { id } = await start({ graceMs: DAY });
    await env.sleep(14 * DAY + 60_000);
    let s = await waitFor(id, (x) => bureau(x, 'finance').outcome === 'deemedNoComments');
    expect(s.stage).toBe('consultation');
    const receipt = await reply(id, 'finance', withComment('逾期意见'));
    expect(receipt.late).toBe(true);
    s = await status(id);
    expect(bureau(s, 'finance').outcome).toBe('replied');
    expect(bureau(s, 'finance').replies[0]!.late).toBe(true);
    await env.sleep(DAY);
    s = await waitFor(id, (x) => x.stage === 'completed');
    await expect(reply(id, 'science', noComments)).rejects.toThrow(RoundGatewayError);
    expect(bureau(s, 'science').outcome).toBe('deemedNoComments');
    await record(id, 'late-reply-grace');
  });

  it('revives a deemed bureau when its deadline is extended, and reminds it again', async () => {
    const { id } = await start();
    const s0 = await status(id);
    const later = (d: number) => new Date(Date.parse(bureau(s0, 'finance').deadline) + d * DAY).toISOString();
    await rounds().act(
      id,
      'extendDeadline',
      asCoordinator({ bureauId: 'finance', deadline: later(10), reason: '财政局申请延期' }),
    );
    await env.sleep(14 * DAY + 60_000);
    await waitFor(id, (x) => bureau(x, 'science').outcome === 'deemedNoComments');
    await rounds().act(
      id,
      'extendDeadline',
      asCoordinator({ bureauId: 'science', deadline: later(8), reason: '补充延期' }),
    );
    let s = await status(id);
    expect(bureau(s, 'science').outcome).toBe('pending');
    const before = bureau(s, 'science').invitation!.remindersSent.length;
    await env.sleep(7 * DAY); // 1 day before science's new deadline: the 2-day reminder has gone
    s = await waitFor(id, (x) => bureau(x, 'science').invitation!.remindersSent.length > before);
    await reply(id, 'science', noComments);
    expect(bureau(await status(id), 'science').outcome).toBe('noComments');
    await record(id, 'extension-revives-deemed');
  });

  it('lets a paper reply received earlier not displace a newer link reply', async () => {
    const { id } = await start();
    const s0 = await status(id);
    await env.sleep(DAY);
    await reply(id, 'forestry', withComment('链接意见'));
    await rounds().act(
      id,
      'recordPaperReply',
      asCoordinator({
        bureauId: 'forestry',
        reply: noComments,
        scanSha256: (await store.put(Buffer.from('%PDF-1.4 card'))).sha256,
        receivedAt: s0.startedAt,
      }),
    );
    const b = bureau(await status(id), 'forestry');
    expect(b.replies.map((r) => [r.version, r.channel])).toEqual([
      [1, 'link'],
      [2, 'paper'],
    ]);
    expect(b.outcome).toBe('replied');
    await record(id, 'paper-reply-before-link-reply');
  });

  it('refuses a paper reply dated in the future or after the deadline', async () => {
    const { id } = await start();
    const s0 = await status(id);
    const scanSha256 = (await store.put(Buffer.from('%PDF-1.4 card'))).sha256;
    const at = (ms: number) => new Date(Date.parse(s0.startedAt) + ms).toISOString();
    await expect(
      rounds().act(
        id,
        'recordPaperReply',
        asCoordinator({ bureauId: 'finance', reply: noComments, scanSha256, receivedAt: at(2 * DAY) }),
      ),
    ).rejects.toThrow(/receivedAt: cannot be in the future/);
    // Science's later deadline keeps consultation open after finance's has passed.
    await rounds().act(
      id,
      'extendDeadline',
      asCoordinator({ bureauId: 'science', deadline: at(20 * DAY), reason: '科技局申请延期' }),
    );
    await env.sleep(15 * DAY);
    await waitFor(id, (x) => bureau(x, 'finance').outcome === 'deemedNoComments');
    await expect(
      rounds().act(
        id,
        'recordPaperReply',
        asCoordinator({ bureauId: 'finance', reply: noComments, scanSha256, receivedAt: at(14 * DAY + 3600_000) }),
      ),
    ).rejects.toThrow(/receivedAt: received after the bureau’s deadline/);
    const onTime = await rounds().act(
      id,
      'recordPaperReply',
      asCoordinator({ bureauId: 'finance', reply: noComments, scanSha256, receivedAt: at(13 * DAY) }),
    );
    expect(onTime.late).toBe(false);
    expect(bureau(await status(id), 'finance').outcome).toBe('noComments');
    await record(id, 'paper-reply-dates');
  });

  it('stores the request as its schema parsed it, and refuses unknown fields', async () => {
    const { id } = await start();
    await reply(id, 'finance', {
      responder: { name: '  王明  ', position: '主任' },
      perDocument: { plan: { kind: 'comments', comments: [{ text: '  请补充  ' }] } },
    });
    const r = await rounds().gateway.loadReply(bureau(await status(id), 'finance').replies[0]!);
    expect(r.responder.name).toBe('王明');
    expect((r.perDocument.plan as { text: string }[])[0]!.text).toBe('请补充');
    expect(replyContentSha256(r)).toBe(r.contentSha256);
    const s = await status(id);
    await expect(
      rounds().act(id, 'submitReply', {
        requestId: randomUUID(),
        actor: { name: 'x', role: 'bureau' },
        bureauId: 'science',
        linkId: bureau(s, 'science').invitation!.linkId,
        reply: { ...noComments, injected: '<script>' } as never,
      }),
    ).rejects.toThrow(/reply: .*This is not valid/);
    await record(id, 'schema-parsed-request');
  });

  it('cancelled during consultation, or from Temporal itself, tells the bureaus', async () => {
    const { id } = await start();
    await rounds().act(id, 'cancelRound', asCoordinator({ reason: '规划调整' }));
    const result: RoundResult = await env.client.workflow.getHandle(id).result();
    expect(result.stage).toBe('cancelled');
    expect((await status(id)).cancelled).toMatchObject({ by: coordinator, reason: '规划调整' });
    expect(mail.ofKind('cancellation', id)).toHaveLength(3);

    const second = await start();
    await env.client.workflow.getHandle(second.id).cancel();
    await expect(env.client.workflow.getHandle(second.id).result()).rejects.toThrow();
    expect(mail.ofKind('cancellation', second.id)).toHaveLength(3);
    await record(id, 'cancel');
    await record(second.id, 'cancel-from-temporal');
  });

  it('sends the messages it queues together in one activity: the invitations, a reply’s confirmation and notice', async () => {
    const { id, input } = await start();
    await reply(id, 'finance', withComment('建议补充。'));
    await waitFor(id, (x) => x.mailInFlight.length === 0 && mail.ofKind('replyNotice', id).length === 1);
    const history = await env.client.workflow.getHandle(id).fetchHistory();
    const sends = history.events!.flatMap((e) => {
      const a = e.activityTaskScheduledEventAttributes;
      if (!a?.activityType?.name?.startsWith('sendEmail')) return [];
      const input = JSON.parse(Buffer.from(a.input!.payloads![0]!.data!).toString('utf8')) as
        MailRequest | MailRequest[];
      return [[a.activityType.name, [input].flat().map((r) => `${r.kind}:${r.to.join(',')}`)]];
    });
    expect(sends).toEqual([
      ['sendEmails', input.bureaus.map((b) => `invitation:${b.contacts.map((c) => c.email).join(',')}`)],
      ['sendEmails', ['replyConfirmation:finance@bureaus.example.org', `replyNotice:${coordinator.email}`]],
    ]);
    // Each message is still its own email, with its own Message-ID.
    expect(mail.ofKind('replyConfirmation', id)).toHaveLength(1);
    expect(mail.ofKind('replyNotice', id)).toHaveLength(1);
    expect(new Set(mail.sent.filter((m) => m.round === id).map((m) => m.messageId)).size).toBe(5);
    await record(id, 'mail-batches');
  });

  it('arms one timer for the next due moment, not one per reply', async () => {
    const { id } = await start({ reminderOffsetsMs: [] });
    await reply(id, 'finance', noComments);
    await reply(id, 'science', noComments);
    await reply(id, 'forestry', noComments);
    await env.sleep(14 * DAY + 60_000);
    await waitFor(id, (x) => x.stage === 'completed');
    const history = await env.client.workflow.getHandle(id).fetchHistory();
    expect(history.events!.filter((e) => e.timerStartedEventAttributes).length).toBe(1);
    await record(id, 'single-timer');
  });
});
