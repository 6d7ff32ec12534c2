/** The email activity with nodemailer's JSON transport: templates, escaping, links, failure kinds. */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { describe, expect, it, vi } from 'vitest';
import { createEmailActivities, isPermanentSmtpError } from '../../activities/email.js';
import { messageIdFor, type MailBatchOutcome, type MailRequest, type MailResult } from '../../domain/mail.js';
import type { ReplyDraft } from '../../domain/consultation.js';
import type { ReplySummary } from '../../domain/records.js';
import { summarizeReply } from '../../domain/replies.js';
import { storeReplyDraft } from '../../infra/replyStore.js';
import { verifyLink } from '../../infra/linkTokens.js';
import { IN_PROCESS_SECRET, inProcessActivityDeps } from '../../bench/support/activityDeps.js';
import { RecordingTransport } from '../support/mail.js';
import { MemoryContentStore } from '../../infra/store.js';
import { SEED_BUREAUS } from '../support/rounds.js';

const XSS = '<script>alert("x")</script>';
const store = new MemoryContentStore();

async function setup() {
  const mail = new RecordingTransport();
  const { sha256 } = await store.put(Buffer.from('# 第一章 总则\n'));
  const acts = createEmailActivities(inProcessActivityDeps(store, mail.asTransporter()));
  const round: MailRequest['round'] = {
    id: 'round:plan-x:1',
    title: `规划${XSS}`,
    timeZone: 'Asia/Shanghai',
    coordinator: { name: `协调人${XSS}`, email: 'c@example.org', phone: '0352-1234567' },
    documents: [{ key: 'plan', title: `文件${XSS}`, sha256, standIn: false }],
  };
  const bureau = { ...SEED_BUREAUS[0]!, nameZh: `财政局${XSS}` };
  return { mail, acts, round, bureau };
}

const run = <T>(fn: () => Promise<T>): Promise<T> => new MockActivityEnvironment().run(fn) as Promise<T>;

/** A finance bureau's link reply to the plan, its texts in the store as the gateway keeps them. */
async function storedLinkReply(
  draft: ReplyDraft,
  at: { n: number; version: number; submittedAt: string; late?: true },
): Promise<ReplySummary> {
  await storeReplyDraft(store, draft);
  return summarizeReply({ ...at, bureauId: 'finance', channel: 'link', responder: draft.responder }, draft, [
    { key: 'plan', version: 1 },
  ]);
}

describe('sendEmail', () => {
  it('renders an invitation with the signed link, the deadline in the bureau’s zone, the draft attached, everything escaped', async () => {
    const { mail, acts, round, bureau } = await setup();
    const messageId = messageIdFor(round.id, bureau.id, 'invitation', 1, 'plan-review.test');
    const result = await run(() =>
      acts.sendEmail({
        kind: 'invitation',
        messageId,
        to: ['finance@bureaus.example.org'],
        round,
        bureau,
        linkId: 'link-1',
        deadline: '2022-02-17T10:00:00Z',
      }),
    );
    expect(result.messageId).toBe('<round-plan-x-1.finance.invitation.1@plan-review.test>');
    const [sent] = mail.sent;
    expect(sent!.messageId).toBe(messageId);
    expect(sent!.html).not.toContain('<script>');
    expect(sent!.html).toContain('&lt;script&gt;');
    expect(sent!.html).toContain('2022-02-17 18:00 北京时间 (UTC+8)');
    const token = /http:\/\/plan-review\.test\/r\/([^"<\s]+)/.exec(sent!.html)![1]!;
    expect(verifyLink(IN_PROCESS_SECRET, token)).toEqual({ roundId: round.id, bureauId: 'finance', linkId: 'link-1' });
    expect(sent!.attachments).toHaveLength(1);
  });

  it('gives the invitation a "Reply now" button with the link as text below, a plain-text part, the round number in the subject and the coordinator’s phone and email', async () => {
    const { mail, acts, round, bureau } = await setup();
    await run(() =>
      acts.sendEmail({
        kind: 'invitation',
        messageId: '<i@y>',
        to: ['finance@bureaus.example.org'],
        round,
        bureau,
        linkId: 'link-1',
        deadline: '2022-02-17T10:00:00Z',
      }),
    );
    const [sent] = mail.sent;
    expect(sent!.subject).toBe(`征求意见：规划${XSS}（第 1 轮） / Request for comments, round 1`);
    const link = /href="(http:\/\/plan-review\.test\/r\/[^"]+)"/.exec(sent!.html)![1]!;
    // The button, then the same link written out for a reader whose client hides buttons.
    expect(sent!.html).toMatch(new RegExp(`<a href="${link}"[^>]*>立即回复 <span lang="en">Reply now</span></a>`));
    expect(sent!.html).toContain(`>${link}</a>`);
    expect(sent!.html).toContain('<a href="tel:03521234567">0352-1234567</a>');
    expect(sent!.html).toContain('<a href="mailto:c@example.org">c@example.org</a>');
    // The plain-text part says what the HTML says, with the link written out and nothing escaped for HTML.
    expect(sent!.text).toContain(`立即回复 Reply now: ${link}`);
    expect(sent!.text).toContain('2022-02-17 18:00');
    expect(sent!.text).toContain('0352-1234567');
    expect(sent!.text).toContain('c@example.org');
    expect(sent!.text).toContain(`财政局${XSS}：`);
    expect(sent!.text).not.toMatch(/<(?!script)[a-z]|&lt;|&amp;/);
  });

  it('writes its HTML and text parts in base64, which a mail client reads back as they were rendered', async () => {
    const { round, bureau } = await setup();
    const stream = createTransport({ streamTransport: true, buffer: true });
    const raws: Buffer[] = [];
    const transport = {
      async sendMail(m: Parameters<typeof stream.sendMail>[0]) {
        const info = await stream.sendMail(m);
        raws.push(info.message as Buffer);
        return { ...info, accepted: ([] as string[]).concat((m.to as string[]) ?? []), rejected: [] };
      },
    } as unknown as Parameters<typeof inProcessActivityDeps>[1];
    const mail = new RecordingTransport();
    const acts = createEmailActivities(inProcessActivityDeps(store, transport));
    const recorded = createEmailActivities(inProcessActivityDeps(store, mail.asTransporter()));
    const request: MailRequest = {
      kind: 'invitation',
      messageId: '<b64@y>',
      to: ['finance@bureaus.example.org'],
      round,
      bureau,
      linkId: 'link-1',
      deadline: '2022-02-17T10:00:00Z',
    };
    await run(() => acts.sendEmail(request));
    await run(() => recorded.sendEmail(request));
    const raw = raws[0]!.toString('latin1');
    const encodings = [...raw.matchAll(/Content-Type: text\/(html|plain)[^]*?Content-Transfer-Encoding: ([\w-]+)/g)];
    // The message's two alternatives come first, before its attachments.
    expect(encodings.slice(0, 2).map((m) => [m[1], m[2]])).toEqual([
      ['plain', 'base64'],
      ['html', 'base64'],
    ]);
    const parsed = await simpleParser(raws[0]!);
    expect(parsed.html).toBe(mail.sent[0]!.html);
    expect(parsed.text?.trim()).toBe(mail.sent[0]!.text.trim());
  });

  it('marks a late reply late in the coordinator’s notice and the summary, and gives the reply’s time to the second', async () => {
    const { mail, acts, round, bureau } = await setup();
    const draft: ReplyDraft = {
      responder: { name: '王明', position: '主任' },
      perDocument: { plan: { kind: 'noComments' } },
    };
    const reply = await storedLinkReply(draft, {
      n: 2,
      version: 1,
      submittedAt: '2022-02-17T12:00:05.000Z',
      late: true,
    });
    await run(() =>
      acts.sendEmail({
        kind: 'replyNotice',
        messageId: '<n@y>',
        to: ['c@example.org'],
        round,
        bureau,
        reply,
        late: true,
      }),
    );
    await run(() =>
      acts.sendEmail({
        kind: 'deadlineSummary',
        messageId: '<s@y>',
        to: ['c@example.org'],
        round,
        summary: [
          { bureau, outcome: 'noComments', replies: 1, comments: 0, late: true },
          { bureau: SEED_BUREAUS[1]!, outcome: 'deemedNoComments', replies: 0, comments: 0 },
        ],
      }),
    );
    const [notice, summary] = mail.sent;
    expect(notice!.subject).toMatch(/^收到回复（逾期）：.* Late reply received/);
    expect(notice!.text).toContain('逾期');
    expect(notice!.text).toContain('2022-02-17 20:00:05 北京时间 (UTC+8)');
    const lines = summary!.text.split('\n');
    expect(lines.find((l) => l.includes(bureau.nameEn))).toContain('无意见 No comments · 逾期 late');
    expect(lines.find((l) => l.includes(SEED_BUREAUS[1]!.nameEn))).not.toContain('逾期 late');
  });

  it('links the confirmation to the receipt of the reply', async () => {
    const { mail, acts, round, bureau } = await setup();
    const draft: ReplyDraft = {
      responder: { name: '王明', position: '主任' },
      perDocument: { plan: { kind: 'noComments' } },
    };
    const reply = await storedLinkReply(draft, { n: 3, version: 2, submittedAt: '2022-02-17T02:00:00.000Z' });
    await run(() =>
      acts.sendEmail({
        kind: 'replyConfirmation',
        messageId: '<c@y>',
        to: ['a@example.org'],
        round,
        bureau,
        reply,
        late: true,
        linkId: 'link-1',
      }),
    );
    const [sent] = mail.sent;
    expect(sent!.subject).toContain('回复回执 第3号');
    expect(sent!.subject).toContain('（第 1 轮）');
    const receipt = /href="(http:\/\/plan-review\.test\/r\/[^"]+\/receipt\/3)"/.exec(sent!.html)?.[1];
    expect(receipt).toBeDefined();
    expect(sent!.text).toContain(`查看回执 See the receipt: ${receipt}`);
    expect(sent!.text).toContain('逾期');
  });

  it('escapes a hostile reply in the confirmation', async () => {
    const { mail, acts, round, bureau } = await setup();
    const draft: ReplyDraft = {
      responder: { name: XSS, position: XSS },
      perDocument: { plan: { kind: 'comments', comments: [{ quote: XSS, text: XSS, suggestedChange: XSS }] } },
    };
    const reply = await storedLinkReply(draft, { n: 1, version: 1, submittedAt: '2022-02-17T02:00:00.000Z' });
    await run(() =>
      acts.sendEmail({ kind: 'replyConfirmation', messageId: '<x@y>', to: ['a@example.org'], round, bureau, reply }),
    );
    expect(mail.sent[0]!.html).not.toMatch(/<script>/);
    expect(mail.sent[0]!.html.split('&lt;script&gt;').length - 1).toBeGreaterThanOrEqual(5);
  });

  it('makes a 550 permanent (not retried) and a dropped connection transient (retried)', async () => {
    const { mail, acts, round, bureau } = await setup();
    mail.rejectAddresses.add('bad@example.org');
    const err = await run(() =>
      acts.sendEmail({
        kind: 'reminder',
        messageId: '<r@y>',
        to: ['bad@example.org'],
        round,
        bureau,
        linkId: 'l',
        deadline: '2030-01-01T00:00:00Z',
      }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err.nonRetryable).toBe(true);
    expect(err.type).toBe('PermanentDeliveryFailure');

    mail.transientFailures = 1;
    const transient = await run(() =>
      acts.sendEmail({
        kind: 'reminder',
        messageId: '<r2@y>',
        to: ['ok@example.org'],
        round,
        bureau,
        linkId: 'l',
        deadline: '2030-01-01T00:00:00Z',
      }),
    ).catch((e) => e);
    expect(transient).not.toBeInstanceOf(ApplicationFailure);
    expect(isPermanentSmtpError(transient)).toBe(false);
    expect(isPermanentSmtpError({ responseCode: 451 })).toBe(false);
    expect(isPermanentSmtpError({ responseCode: 554 })).toBe(true);
  });

  it('retries only the recipients that refused for now, with the same Message-ID, carrying progress across attempts', async () => {
    const { mail, acts, round, bureau } = await setup();
    mail.greylisted.add('second@example.org');
    const request: MailRequest = {
      kind: 'reminder',
      messageId: '<g@y>',
      to: ['first@example.org', 'second@example.org'],
      round,
      bureau,
      linkId: 'l',
      deadline: '2030-01-01T00:00:00Z',
    };
    const first = new MockActivityEnvironment();
    let progress: unknown;
    first.on('heartbeat', (d: unknown) => (progress = d));
    await expect(first.run(() => acts.sendEmail(request))).rejects.toThrow(
      /temporarily refused for second@example.org/,
    );
    expect(progress).toEqual({ delivered: ['first@example.org'], refused: [] });

    mail.greylisted.clear();
    const result = (await new MockActivityEnvironment({ heartbeatDetails: progress }).run(() =>
      acts.sendEmail(request),
    )) as MailResult;
    expect(mail.sent.map((m) => [m.to, m.messageId])).toEqual([
      [['first@example.org'], '<g@y>'],
      [['second@example.org'], '<g@y>'],
    ]);
    expect(result.accepted).toEqual(['first@example.org', 'second@example.org']);
    expect(result.rejected).toEqual([]);
  });

  it('heartbeats while it sends, carrying what earlier attempts delivered', async () => {
    const store2 = new MemoryContentStore();
    const { sha256 } = await store2.put(Buffer.from('# 第一章 总则\n'));
    // A mail server that takes a while to accept.
    const slow = createTransport({
      name: 'slow',
      version: '1',
      send: (mail, callback) => {
        setTimeout(
          () =>
            callback(null, {
              envelope: mail.message.getEnvelope(),
              messageId: mail.message.messageId(),
              accepted: ['b@example.org'],
              rejected: [],
            }),
          200,
        );
      },
    });
    const acts = createEmailActivities({ ...inProcessActivityDeps(store2, slow), heartbeatEveryMs: 20 });
    const env = new MockActivityEnvironment({ heartbeatDetails: { delivered: ['a@example.org'], refused: [] } });
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const round: MailRequest['round'] = {
      id: 'round:plan-x:1',
      title: '规划',
      timeZone: 'Asia/Shanghai',
      coordinator: { name: '协调人' },
      documents: [{ key: 'plan', title: '文件', sha256, standIn: false }],
    };
    const result = (await env.run(() =>
      acts.sendEmail({
        kind: 'reminder',
        messageId: '<h@y>',
        to: ['a@example.org', 'b@example.org'],
        round,
        bureau: SEED_BUREAUS[0]!,
        linkId: 'l',
        deadline: '2030-01-01T00:00:00Z',
      }),
    )) as MailResult;
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(
      beats.every((b) => JSON.stringify(b) === JSON.stringify({ delivered: ['a@example.org'], refused: [] })),
    ).toBe(true);
    expect(result.accepted).toEqual(['a@example.org', 'b@example.org']);
    const count = beats.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(beats.length).toBe(count); // no heartbeat after the send is done
  });
});

describe('the outcome notice', () => {
  it("shows each comment's decision and the changed text, removed and added characters marked", async () => {
    const { mail, acts, round, bureau } = await setup();
    const before = (
      await store.put(Buffer.from('# 第七章 保障措施\n\n## 7.7 全民行动\n\n大、中、小学定期组织生态文明主题活动。\n'))
    ).sha256;
    const after = (
      await store.put(Buffer.from('# 第七章 保障措施\n\n## 7.7 全民行动\n\n中、小学定期组织生态文明主题活动。\n'))
    ).sha256;
    const draft: ReplyDraft = {
      responder: { name: '教育局', position: '办公室' },
      perDocument: {
        plan: {
          kind: 'comments',
          comments: [{ section: '7.7', text: '我区无大学，删去“大”字。' }, { text: `另一条意见${XSS}` }],
        },
      },
    };
    const reply = await storedLinkReply(draft, { n: 5, version: 1, submittedAt: '2022-02-17T02:00:00.000Z' });
    await run(() =>
      acts.sendEmail({
        kind: 'outcomeNotice',
        messageId: '<o@y>',
        to: ['a@example.org'],
        round,
        bureau,
        linkId: 'l',
        outcome: {
          respondBy: '2022-02-25T10:00:00.000Z',
          items: [
            {
              commentId: 'finance-5-1',
              reply,
              decision: 'adopted',
              changes: [{ doc: 'plan', section: '7.7', beforeSha256: before, afterSha256: after }],
            },
            { commentId: 'finance-5-2', reply, decision: 'notAdopted', rationale: `理由${XSS}`, changes: [] },
          ],
        },
      }),
    );
    const html = mail.sent[0]!.html;
    expect(html).toContain('我区无大学，删去“大”字。');
    expect(html).toContain('采纳 <span lang="en">Adopted</span>');
    expect(html).toContain('不采纳 <span lang="en">Not adopted</span>');
    expect(html).toMatch(/<del[^>]*>大、<\/del>中、小学定期组织/);
    expect(html).toContain('2022-02-25 18:00');
    expect(html).not.toMatch(/<script>/);
  });
});

describe('sendEmails', () => {
  /** A reply's confirmation to the bureau and its notice to the coordinator, as a round queues them together. */
  async function replyPair(to = { bureau: 'finance@example.org', coordinator: 'c@example.org' }) {
    const { mail, acts, round, bureau } = await setup();
    const reply = await storedLinkReply(
      {
        responder: { name: '王五', position: '科长' },
        perDocument: { plan: { kind: 'comments', comments: [{ section: '1', text: '建议补充。' }] } },
      },
      { n: 1, version: 1, submittedAt: '2030-01-02T03:04:05.000Z' },
    );
    const requests: MailRequest[] = [
      { kind: 'replyConfirmation', messageId: '<conf@y>', to: [to.bureau], round, bureau, reply },
      { kind: 'replyNotice', messageId: '<note@y>', to: [to.coordinator], round, bureau, reply },
    ];
    return { mail, acts, requests };
  }

  it('sends each message once, reading the reply’s texts once, and answers for each', async () => {
    const { mail, acts, requests } = await replyPair();
    const reads = vi.spyOn(store, 'get');
    const outcomes = (await run(() => acts.sendEmails(requests))) as MailBatchOutcome[];
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
    expect(mail.sent.map((m) => [m.kind, m.to, m.messageId])).toEqual([
      ['replyConfirmation', ['finance@example.org'], '<conf@y>'],
      ['replyNotice', ['c@example.org'], '<note@y>'],
    ]);
    expect(outcomes.map((o) => [o.messageId, o.result?.accepted, o.error])).toEqual([
      ['<conf@y>', ['finance@example.org'], undefined],
      ['<note@y>', ['c@example.org'], undefined],
    ]);
  });

  it('answers a message refused for good as not delivered, and sends the others', async () => {
    const { mail, acts, requests } = await replyPair();
    mail.rejectAddresses.add('finance@example.org');
    const outcomes = (await run(() => acts.sendEmails(requests))) as MailBatchOutcome[];
    expect(outcomes[0]!.result).toBeUndefined();
    expect(outcomes[0]!.error).toMatch(/^PermanentDeliveryFailure: .*550/);
    expect(outcomes[1]!.result?.accepted).toEqual(['c@example.org']);
    expect(mail.sent.map((m) => m.messageId)).toEqual(['<note@y>']);
  });

  it('retries only the messages that failed for now, carrying what went across attempts', async () => {
    const { mail, acts, requests } = await replyPair();
    mail.unreachableAddresses.add('finance@example.org');
    // Scheduled now, with a day of retries ahead.
    const attempt = { scheduledTimestampMs: Date.now(), scheduleToCloseTimeoutMs: 24 * 3600_000 };
    const first = new MockActivityEnvironment(attempt);
    let progress: unknown;
    first.on('heartbeat', (d: unknown) => (progress = d));
    await expect(first.run(() => acts.sendEmails(requests))).rejects.toThrow(/not sent yet.*<conf@y>/);
    expect(mail.sent.map((m) => m.messageId)).toEqual(['<note@y>']);

    mail.unreachableAddresses.clear();
    const outcomes = (await new MockActivityEnvironment({ ...attempt, heartbeatDetails: progress }).run(() =>
      acts.sendEmails(requests),
    )) as MailBatchOutcome[];
    expect(mail.sent.map((m) => m.messageId)).toEqual(['<note@y>', '<conf@y>']);
    expect(outcomes.map((o) => o.result?.accepted)).toEqual([['finance@example.org'], ['c@example.org']]);
  });

  it('in the last attempt its retries allow, answers a message still failing as not delivered', async () => {
    const { mail, acts, requests } = await replyPair();
    mail.unreachableAddresses.add('finance@example.org');
    const day = 24 * 3600_000;
    const last = new MockActivityEnvironment({
      scheduledTimestampMs: Date.now() - day + 2 * 60_000,
      scheduleToCloseTimeoutMs: day,
      startToCloseTimeoutMs: 5 * 60_000,
    });
    const outcomes = (await last.run(() => acts.sendEmails(requests))) as MailBatchOutcome[];
    expect(outcomes[0]!.error).toMatch(/ECONNREFUSED.*retries ran out/);
    expect(outcomes[1]!.result?.accepted).toEqual(['c@example.org']);
  });
});
