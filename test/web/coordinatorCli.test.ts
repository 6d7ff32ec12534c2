/** The CLI's coordinator actions (cli/users.ts) over the typed fake rounds (test/support/fakeRounds.ts): arguments, files, actor. */
import { FileProblemsError } from '../../infra/structuredFile.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliUsageError, coordinatorActionCommands, parseCliInstant, type ActionContext } from '../../cli/users.js';
import { freshRoundRecords, RoundStatus } from '../../domain/round.js';
import { sha256Hex } from '../../infra/store.js';
import { FakeRounds } from '../support/fakeRounds.js';
import { MemoryContentStore } from '../../infra/store.js';

const ROUND_ID = 'round:cli-plan:1';
const actor = { name: '李协调', role: 'coordinator' as const, email: 'li@example.org' };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n');

function status(): RoundStatus {
  const doc = {
    key: 'plan',
    title: '测试规划',
    standIn: false,
    versions: [
      {
        n: 1,
        sha256: sha256Hex('plan'),
        createdAt: '2030-01-01T00:00:00.000Z',
        createdBy: actor,
        sections: [{ id: '3.7', number: '3.7', title: '规划目标和指标', level: 2 }],
      },
    ],
  };
  const bureau = (id: string) => ({
    bureau: {
      id,
      nameZh: `区${id}局`,
      nameEn: `${id} bureau`,
      contacts: [{ email: `${id}@example.org` }],
      contactPerson: '办公室',
    },
    outcome: 'pending' as const,
    deadline: '2030-01-15T10:00:00.000Z',
    invitation: null,
    replies: [],
    extensions: [],
    waived: null,
    previousInvitations: [],
    revokedLinkIds: [],
  });
  return RoundStatus.parse({
    id: ROUND_ID,
    planId: 'cli-plan',
    n: 1,
    title: '测试',
    timeZone: 'Asia/Shanghai',
    stage: 'consultation',
    coordinator: actor,
    startedAt: '2030-01-01T00:00:00.000Z',
    startedBy: actor,
    graceMs: 0,
    reminderOffsetsMs: [],
    consultationEndsAt: '2030-01-15T10:00:00.000Z',
    documents: [doc],
    bureaus: [bureau('finance'), bureau('forestry')],
    consultation: { closed: null, endedAt: null },
    ...freshRoundRecords(),
  });
}

let dir: string;
let rounds: FakeRounds;
let ctx: ActionContext;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-cli-'));
  const store = new MemoryContentStore();
  rounds = new FakeRounds(store, status());
  ctx = { rounds, actor, store, attachmentMaxBytes: 1024 * 1024 };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const last = () => {
  const u = rounds.updates.at(-1)!;
  const { requestId, actor: a, ...rest } = u.request;
  expect(a).toEqual(actor);
  expect(requestId).toBe(u.updateId);
  return { name: u.name, requestId, rest };
};

describe('coordinator actions from the CLI', () => {
  it("extends a deadline, read in the round's time zone", async () => {
    const out = await coordinatorActionCommands.extend(ctx, [
      ROUND_ID,
      'forestry',
      '2030-03-01T18:00',
      '--reason',
      '请假',
    ]);
    expect(out.message).toContain('2030-03-01 18:00 北京时间 (UTC+8)');
    expect(out.status.id).toBe(ROUND_ID);
    expect(last()).toMatchObject({
      name: 'extendDeadline',
      rest: { bureauId: 'forestry', deadline: '2030-03-01T10:00:00.000Z', reason: '请假' },
    });
  });

  it('sends waive, contact, resend, close and cancel', async () => {
    await coordinatorActionCommands.waive(ctx, [ROUND_ID, 'finance', '--reason', '撤并']);
    expect(last()).toMatchObject({ name: 'waiveBureau', rest: { bureauId: 'finance', reason: '撤并' } });
    await coordinatorActionCommands.contact(ctx, [
      ROUND_ID,
      'finance',
      '--email',
      'a@example.org',
      '--email',
      '张三 <b@example.org>',
      '--person',
      '张三',
      '--reason',
      '调岗',
    ]);
    expect(last().rest).toEqual({
      bureauId: 'finance',
      contacts: [{ email: 'a@example.org' }, { email: 'b@example.org', name: '张三' }],
      contactPerson: '张三',
      reason: '调岗',
    });
    await coordinatorActionCommands.resend(ctx, [ROUND_ID, 'finance']);
    expect(last()).toMatchObject({ name: 'resendInvitation', rest: { bureauId: 'finance' } });
    await coordinatorActionCommands.close(ctx, [ROUND_ID]);
    expect(last()).toMatchObject({ name: 'closeConsultation', rest: {} });
    await coordinatorActionCommands.cancel(ctx, [ROUND_ID, '--reason', '撤回']);
    expect(last()).toMatchObject({ name: 'cancelRound', rest: { reason: '撤回' } });
  });

  it('makes a retry with the same --request-id the same action', async () => {
    await coordinatorActionCommands.resend(ctx, [ROUND_ID, 'finance', '--request-id', 'resend-finance-1']);
    await coordinatorActionCommands.resend(ctx, [ROUND_ID, 'finance', '--request-id', 'resend-finance-1']);
    expect(rounds.updates).toHaveLength(1);
    expect(rounds.updates[0]!.updateId).toBe('resend-finance-1');
  });

  it('adds a bureau from a YAML file, naming the file and field when it is wrong', async () => {
    const file = path.join(dir, 'water.yaml');
    await writeFile(
      file,
      'id: water\nnameZh: 区水务局\nnameEn: Water Bureau\ncontacts: [{ email: water@example.org }]\ncontactPerson: 水务局办公室\n',
    );
    await coordinatorActionCommands['add-bureau'](ctx, [ROUND_ID, file, '--deadline', '2030-02-01T12:00+08:00']);
    expect(last().rest).toEqual({
      bureau: {
        id: 'water',
        nameZh: '区水务局',
        nameEn: 'Water Bureau',
        contacts: [{ email: 'water@example.org' }],
        contactPerson: '水务局办公室',
      },
      deadline: '2030-02-01T04:00:00.000Z',
    });
    await writeFile(file, 'id: Water\nnameZh: 区水务局\n');
    const err = await coordinatorActionCommands['add-bureau'](ctx, [ROUND_ID, file]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileProblemsError);
    expect(String(err)).toContain(file);
    expect(String(err)).toMatch(/- id: must be lowercase/);
    expect(String(err)).toMatch(/- nameEn:/);
  });

  it('records a paper reply from a YAML file and a scan', async () => {
    const reply = path.join(dir, 'reply.yaml');
    const scan = path.join(dir, 'card.pdf');
    await writeFile(
      reply,
      'responder: { name: 赵六, position: 局长 }\nreceivedAt: 2030-01-12T09:30\nperDocument:\n  plan:\n    - { page: 36, section: "3.7", text: 数据应更新, suggestedChange: 改为 23.5% }\n',
    );
    await writeFile(scan, PDF);
    const out = await coordinatorActionCommands.paper(ctx, [ROUND_ID, 'finance', reply, scan]);
    expect(out.receipt?.n).toBe(1); // the round's first reply
    expect(out.message).toContain('receipt no. 1');
    expect(last()).toMatchObject({
      name: 'recordPaperReply',
      rest: {
        bureauId: 'finance',
        scanSha256: sha256Hex(PDF),
        receivedAt: '2030-01-12T01:30:00.000Z',
        reply: {
          responder: { name: '赵六', position: '局长' },
          perDocument: {
            plan: {
              kind: 'comments',
              comments: [{ text: '数据应更新', section: '3.7', draftPage: 36, suggestedChange: '改为 23.5%' }],
            },
          },
        },
      },
    });
    expect(await ctx.store.has(sha256Hex(PDF))).toBe(true);
  });

  it('refuses a bad reply file or scan before sending anything', async () => {
    const reply = path.join(dir, 'reply.yaml');
    const scan = path.join(dir, 'card.txt');
    await writeFile(scan, 'not a scan');
    await writeFile(
      reply,
      'responder: { name: 赵六, position: 局长 }\nperDocument:\n  annex: noComments\n  plan:\n    - { section: "9.9", text: x }\n',
    );
    const err = await coordinatorActionCommands.paper(ctx, [ROUND_ID, 'finance', reply, scan]).catch((e: unknown) => e);
    expect(String(err)).toMatch(/perDocument\.annex: this round circulates no document annex/);
    expect(String(err)).toMatch(/perDocument\.plan\.0\.section: 找不到这个章节.*not a section of this document/);
    await writeFile(reply, 'responder: { name: 赵六, position: 局长 }\nperDocument: { plan: noComments }\n');
    await expect(coordinatorActionCommands.paper(ctx, [ROUND_ID, 'finance', reply, scan])).rejects.toThrow(
      /must be a PDF, PNG or JPEG/,
    );
    expect(rounds.updates).toHaveLength(0);
  });

  it('explains wrong arguments', async () => {
    await expect(
      coordinatorActionCommands.extend(ctx, [ROUND_ID, 'forestry', 'next friday', '--reason', 'x']),
    ).rejects.toThrow(/not a date and time/);
    await expect(coordinatorActionCommands.extend(ctx, [ROUND_ID, 'forestry', '2030-03-01T18:00'])).rejects.toThrow(
      /--reason/,
    );
    await expect(coordinatorActionCommands.waive(ctx, ['round-1', 'finance', '--reason', 'x'])).rejects.toThrow(
      /not a round id/,
    );
    await expect(
      coordinatorActionCommands.extend(ctx, [ROUND_ID, 'nobody', '2030-03-01T18:00', '--reason', 'x']),
    ).rejects.toThrow(/has no bureau nobody/);
    await expect(
      coordinatorActionCommands.contact(ctx, [ROUND_ID, 'finance', '--email', 'nope', '--reason', 'x']),
    ).rejects.toThrow(/not a valid email/);
    await expect(coordinatorActionCommands.cancel(ctx, [ROUND_ID, '--force'])).rejects.toThrow(CliUsageError);
    expect(rounds.updates).toHaveLength(0);
  });

  it('reads date-times with an offset, a zone, or local to the round', () => {
    expect(parseCliInstant('2030-03-01T18:00', 'Asia/Shanghai')).toBe('2030-03-01T10:00:00.000Z');
    expect(parseCliInstant('2030-03-01T18:00Z', 'Asia/Shanghai')).toBe('2030-03-01T18:00:00.000Z');
    expect(parseCliInstant('2030-03-01T18:00[Europe/Paris]', 'Asia/Shanghai')).toBe('2030-03-01T17:00:00.000Z');
    expect(() => parseCliInstant('2030-02-30T18:00', 'Asia/Shanghai')).toThrow(/not a date and time/);
  });
});
