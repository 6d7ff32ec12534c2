/**
 * The CLI's expert review and later-stage commands (cli/reviewCommands.ts) over the typed fake rounds,
 * which refuse and apply them by the round's rules: options and files checked with messages in both
 * languages naming the option or the file and field, nothing sent when they are wrong; the round's
 * refusal as one line; the status with the meeting, the opinions and notes, objections and blockers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatRoundStatus } from '../../cli/format.js';
import {
  describeReviewError,
  REVIEW_USAGE,
  reviewCommands,
  ReviewUsageError,
  RoundRefusedError,
} from '../../cli/reviewCommands.js';
import type { ActionContext } from '../../cli/users.js';
import type { RoundStatus } from '../../domain/round.js';
import { FileProblemsError } from '../../infra/structuredFile.js';
import { storeReplyDraft } from '../../infra/replyStore.js';
import { MemoryContentStore, sha256Hex } from '../../infra/store.js';
import { approvalBlockers } from '../../workflows/stages/approval/rules.js';
import {
  DISPOSITION_ROUND_ID as ROUND_ID,
  expertReviewRound,
  FINANCE,
  FORESTRY,
  NONE,
  publishedRound,
} from '../support/dispositionRound.js';
import { FakeRounds } from '../support/fakeRounds.js';
import { meetingOn } from '../support/rounds.js';

const actor = { name: '李协调', role: 'coordinator' as const, email: 'li@example.org' };
const {
  'schedule-meeting': schedule,
  'reschedule-meeting': reschedule,
  'cancel-meeting': cancelMeeting,
  'record-opinions': recordOpinions,
  'revision-note': revisionNote,
  'add-version': addVersion,
  reanchor,
  'resolve-objection': resolveObjection,
} = reviewCommands;

const MEETING = [
  '--date',
  '2030-02-01',
  '--start',
  '09:00',
  '--end',
  '12:00',
  '--place',
  '新荣区政府三楼会议室',
  '--organiser',
  '大同市生态环境局新荣分局',
];
const EXPERT = ['--expert', '李华 | 教授 | 山西大学 | lihua@expert.example.org'];

let dir: string;
let now: Date;
let rounds: FakeRounds;
let ctx: ActionContext;

async function fakeRounds(round: RoundStatus) {
  const store = new MemoryContentStore();
  for (const d of [FINANCE, FORESTRY, NONE]) await storeReplyDraft(store, d);
  now = new Date('2030-01-20T02:00:00.000Z');
  rounds = new FakeRounds(store, round, () => now);
  ctx = { rounds, actor, store, attachmentMaxBytes: 1024 * 1024 };
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-review-cli-'));
  await fakeRounds(expertReviewRound());
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A file in the test's folder. */
async function file(name: string, content: string | Uint8Array): Promise<string> {
  const f = path.join(dir, name);
  await writeFile(f, content);
  return f;
}

/** The last action taken, as PLAN_REVIEW_USER, with a request id of its own. */
function lastSent() {
  const { name, rest, actor: a, requestId, updateId } = rounds.lastSent();
  expect(a).toEqual(actor);
  expect(requestId).toBe(updateId);
  return { name, rest };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('expected a failure'),
    (err: unknown) => err,
  );

describe('the expert meeting from the CLI', () => {
  it("schedules it with experts from --expert lines and a file, in the round's time zone", async () => {
    const experts = await file(
      'experts.yaml',
      '- { name: 赵敏, title: 高级工程师, organisation: 大同市环境科学研究所, email: zhaomin@expert.example.org }\n',
    );
    const out = await schedule(ctx, [ROUND_ID, ...MEETING, ...EXPERT, '--experts', experts]);
    expect(lastSent()).toEqual({
      name: 'scheduleMeeting',
      rest: {
        meeting: meetingOn('2030-02-01'),
        experts: [
          { name: '李华', title: '教授', organisation: '山西大学', email: 'lihua@expert.example.org' },
          {
            name: '赵敏',
            title: '高级工程师',
            organisation: '大同市环境科学研究所',
            email: 'zhaomin@expert.example.org',
          },
        ],
      },
    });
    expect(out.message).toContain('已安排专家评审会：2030-02-01 09:00–12:00 北京时间 (UTC+8)，将邀请 2 位专家');
    const status = formatRoundStatus(out.status);
    expect(status).toContain('expert meeting: 2030-02-01 09:00–12:00 北京时间 (UTC+8) · 新荣区政府三楼会议室');
    expect(status).toContain('UID round-dispo-plan-1.expert-meeting-1@plan-review.test  SEQUENCE 0');
    expect(status).toContain('李华, 教授, 山西大学 <lihua@expert.example.org>');
  });

  it('checks the options and the experts before asking the round, in both languages', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[ROUND_ID, ...MEETING.slice(2), ...EXPERT], /^--date: 请填写此项。Fill this in\.$/],
      [[ROUND_ID, ...MEETING, '--end', '08:00', ...EXPERT], /^--end: 会议结束时间应晚于开始时间 the meeting must end/],
      [[ROUND_ID, ...MEETING, '--start', '9am', ...EXPERT], /^--start: 应为时刻，如 09:00。must be a time of day/],
      [[ROUND_ID, ...MEETING, '--url', 'ftp://x', ...EXPERT], /^--url: 线上链接应以 http:\/\/ 或 https:\/\/ 开头/],
      [[ROUND_ID, ...MEETING, '--time-zone', 'Mars/Base', ...EXPERT], /^--time-zone: 请填写时区，如 Asia\/Shanghai/],
      [[ROUND_ID, ...MEETING], /^--expert: 请至少填写一位专家。Enter at least one expert\.$/],
      [[ROUND_ID, ...MEETING, '--expert', '李华 | 教授 | 山西大学 | not-an-email'], /第 1 行的电子邮箱无效/],
      [['round-1', ...MEETING, ...EXPERT], /^round id: 不是有效的审查轮次编号/],
      [[ROUND_ID, ROUND_ID, ...MEETING, ...EXPERT], /^round schedule-meeting takes <id>$/],
    ];
    for (const [argv, message] of cases) {
      const err = await failure(schedule(ctx, argv));
      expect(err, argv.join(' ')).toBeInstanceOf(ReviewUsageError);
      expect((err as Error).message).toMatch(message);
    }
    const experts = await file(
      'experts.yaml',
      '- { name: 赵敏, mail: zhaomin@expert.example.org }\n- { title: 教授 }\n',
    );
    const err = await failure(schedule(ctx, [ROUND_ID, ...MEETING, '--experts', experts]));
    expect(err).toBeInstanceOf(FileProblemsError);
    expect(String(err)).toContain(experts);
    expect(String(err)).toContain('- 0: 没有栏目 mail（只有 name, title, organisation, email）。');
    expect(String(err)).toContain('- 1.name: 请填写此项。Fill this in.');
    expect(rounds.calls).toHaveLength(0);
  });

  it("gives the round's refusal as one line in both languages, and changes nothing", async () => {
    const err = await failure(schedule(ctx, [ROUND_ID, ...MEETING, '--date', '2030-01-10', ...EXPERT]));
    expect(err).toBeInstanceOf(RoundRefusedError);
    expect((err as RoundRefusedError).refusal).toMatchObject({ field: 'meeting.date', code: 'meetingInPast' });
    expect((err as Error).message).toBe(
      '本轮审查未接受 the round refused (meeting.date): 会议时间（2030-01-10 09:00 北京时间 (UTC+8)）已过；如会议已召开，请记录为“已召开”the meeting time (2030-01-10 09:00 北京时间 (UTC+8)) has passed; if the meeting took place, record it as held',
    );
    expect((err as Error).message).not.toContain('\n');
    expect(rounds.updates).toHaveLength(0);
    expect(rounds.current.expertReview!.meeting).toBeNull();
  });

  it('records a meeting already held; reschedules (next SEQUENCE) and cancels a meeting to come', async () => {
    const held = await schedule(ctx, [ROUND_ID, ...MEETING, '--date', '2030-01-15', '--expert', '钱七', '--held']);
    expect(lastSent().rest).toMatchObject({ held: true, experts: [{ name: '钱七' }] });
    expect(held.message).toContain('已记录已召开的专家评审会');
    expect(formatRoundStatus(held.status)).toContain('· held');

    await fakeRounds(expertReviewRound());
    await schedule(ctx, [ROUND_ID, ...MEETING, ...EXPERT]);
    await expect(reschedule(ctx, [ROUND_ID, ...MEETING, '--organiser', ''])).rejects.toThrow(
      /^--organiser: 不能为空 must not be empty$/,
    );
    const moved = await reschedule(ctx, [
      ROUND_ID,
      ...MEETING,
      '--date',
      '2030-02-03',
      '--url',
      'https://meet.example.org/r',
      '--reason',
      '专家行程调整',
    ]);
    expect(lastSent()).toMatchObject({
      name: 'rescheduleMeeting',
      rest: { meeting: { date: '2030-02-03', url: 'https://meet.example.org/r' }, reason: '专家行程调整' },
    });
    expect(moved.message).toContain('专家评审会已改期至 2030-02-03 09:00–12:00 北京时间 (UTC+8)（SEQUENCE 1）');

    await expect(cancelMeeting(ctx, [ROUND_ID])).rejects.toThrow(/^--reason: 请填写此项。Fill this in\.$/);
    const cancelled = await cancelMeeting(ctx, [ROUND_ID, '--reason', '会议推迟']);
    expect(lastSent()).toEqual({ name: 'cancelMeeting', rest: { reason: '会议推迟' } });
    expect(formatRoundStatus(cancelled.status)).toContain('· cancelled: 会议推迟');
    expect(cancelled.status.expertReview!.meeting!.sequence).toBe(2);
  });
});

describe('the opinions and revision notes from the CLI', () => {
  const OPINIONS =
    'opinions:\n  - 进一步明确发展规划编制背景。\n  - 补充完善基础资料及现状调查。\nsignedOn: 2030-02-01\nsignedBy: 专家组组长 李华\nreport:\n  title: 专家评审意见\n  intro: 2030 年 2 月 1 日，专家组召开评审会。\n';

  beforeEach(async () => {
    await schedule(ctx, [ROUND_ID, ...MEETING, ...EXPERT]);
    now = new Date('2030-02-02T02:00:00.000Z');
  });

  it('records the opinions from a YAML file', async () => {
    const out = await recordOpinions(ctx, [ROUND_ID, await file('opinions.yaml', OPINIONS)]);
    expect(lastSent()).toEqual({
      name: 'recordOpinions',
      rest: {
        opinions: ['进一步明确发展规划编制背景。', '补充完善基础资料及现状调查。'],
        signedOn: '2030-02-01',
        signedBy: '专家组组长 李华',
        report: { title: '专家评审意见', intro: '2030 年 2 月 1 日，专家组召开评审会。', assessment: [] },
      },
    });
    expect(out.message).toContain('已记录 2 条专家意见');
    expect(formatRoundStatus(out.status)).toMatch(/expert opinions: signed 2030-02-01 by 专家组组长 李华/);
    expect(formatRoundStatus(out.status)).toMatch(/1\s+进一步明确发展规划编制背景。\s+\(none yet\)/);
  });

  it('names the file and each field that is wrong, in both languages, and sends nothing', async () => {
    const bad = await file(
      'opinions.yaml',
      'opinions: []\nsignedOn: 2030-02-30\nreport:\n  title: 专家评审意见\n  intro: ""\n  summary: x\n',
    );
    const err = await failure(recordOpinions(ctx, [ROUND_ID, bad]));
    expect(err).toBeInstanceOf(FileProblemsError);
    const text = String(err);
    expect(text).toContain(bad);
    expect(text).toContain('- opinions: 请至少填写一项。Give at least one.');
    expect(text).toContain('- signedOn: 不是有效的日期 must be a real date');
    expect(text).toContain('- signedBy: 请填写此项。Fill this in.');
    expect(text).toContain('- report.intro: 不能为空 must not be empty');
    expect(text).toContain('- report: 没有栏目 summary（只有 title, intro, assessment）。');
    await expect(recordOpinions(ctx, [ROUND_ID, path.join(dir, 'missing.yaml')])).rejects.toThrow(/cannot read/);
    await expect(recordOpinions(ctx, [ROUND_ID])).rejects.toThrow(ReviewUsageError);
    expect(rounds.updates.map((u) => u.name)).toEqual(['scheduleMeeting']);
  });

  it('writes a revision note with its places; the round refuses an opinion it does not have', async () => {
    await recordOpinions(ctx, [ROUND_ID, await file('opinions.yaml', OPINIONS)]);
    await expect(revisionNote(ctx, [ROUND_ID, 'one', '--text', '已补充'])).rejects.toThrow(
      /^opinion number: 专家意见的序号应为正整数，如 1。/,
    );
    await expect(revisionNote(ctx, [ROUND_ID, '1'])).rejects.toThrow(/^--text: 请填写此项。/);
    const err = await failure(revisionNote(ctx, [ROUND_ID, '3', '--text', '已补充']));
    expect((err as Error).message).toBe(
      '本轮审查未接受 the round refused (n): 没有第 3 条专家意见 there is no expert opinion 3',
    );
    const refused = await failure(revisionNote(ctx, [ROUND_ID, '1', '--text', '已补充', '--at', 'plan:9.9']));
    expect((refused as RoundRefusedError).refusal).toMatchObject({
      field: 'note.changedAt.0.section',
      code: 'unknownAnchorSection',
    });
    expect(rounds.updates.map((u) => u.name)).toEqual(['scheduleMeeting', 'recordOpinions']);

    const out = await revisionNote(ctx, [
      ROUND_ID,
      '1',
      '--text',
      '已补充编制背景。',
      '--at',
      'plan:3.7:资金来源',
      '--at',
      'plan:自然概况',
    ]);
    expect(lastSent()).toEqual({
      name: 'writeRevisionNote',
      rest: {
        n: 1,
        note: {
          text: '已补充编制背景。',
          changedAt: [
            { doc: 'plan', section: '3.7', quote: '资金来源' },
            { doc: 'plan', section: '1.1' },
          ],
        },
      },
    });
    expect(out.message).toContain('第 1 条专家意见的修改说明已保存（尚有 1 条待填写）');
    expect(formatRoundStatus(out.status)).toMatch(
      /1\s+进一步明确发展规划编制背景。\s+已补充编制背景。\s+plan v1 3\.7; plan v1 1\.1/,
    );
  });
});

describe('revised versions, re-anchoring and objections from the CLI', () => {
  const REVISED = '# 第一章 区域概况\n\n## 1.2 自然概况与范围\n\n## 3.7 规划目标和指标\n';

  beforeEach(async () => {
    await fakeRounds(publishedRound());
  });

  it('adds a revised version from a Markdown file, and says how many anchors it broke', async () => {
    const out = await addVersion(ctx, [ROUND_ID, 'plan', await file('plan-v2.md', REVISED), '--note', '根据意见修改']);
    expect(lastSent()).toEqual({
      name: 'addDocumentVersion',
      rest: { docKey: 'plan', sha256: sha256Hex(REVISED), note: '根据意见修改' },
    });
    expect(out.message).toBe(
      `《测试规划（征求意见稿）》第 2 版已加入（SHA-256 ${sha256Hex(REVISED)}）；1 处修改位置需重新指定。Version 2 of 《测试规划（征求意见稿）》 is added (SHA-256 ${sha256Hex(REVISED)}); 1 anchors must be re-anchored.`,
    );
    expect(formatRoundStatus(out.status)).toMatch(new RegExp(`plan\\s+2\\s+3\\s+${sha256Hex(REVISED).slice(0, 16)}`));
  });

  it('refuses a file that is not a document, a document the round does not circulate, or the current version', async () => {
    const malformed = await file('bad.md', '# 第一章 区域概况\n\n## 1.1 自然概况\n\n## 1.1 自然概况\n');
    const err = await failure(addVersion(ctx, [ROUND_ID, 'plan', malformed]));
    expect(err).toBeInstanceOf(FileProblemsError);
    expect((err as Error).message).toBe(
      `${malformed}:\n  - 文件不符合文件格式（docs/document-format.md）：line 5: duplicate section "1.1" (first at line 3)。The file is not in the document format (docs/document-format.md): line 5: duplicate section "1.1" (first at line 3)`,
    );
    await expect(addVersion(ctx, [ROUND_ID, 'plan', path.join(dir, 'none.md')])).rejects.toThrow(
      /none\.md:\n {2}- cannot read/,
    );
    await expect(addVersion(ctx, [ROUND_ID, 'report', malformed])).rejects.toThrow(
      /^document: 本轮没有分发这个文件。This round circulates no such document\. \(plan, annex\)$/,
    );
    expect(rounds.calls).toHaveLength(0);
    const same = await failure(addVersion(ctx, [ROUND_ID, 'plan', await file('plan.md', 'plan')]));
    expect((same as RoundRefusedError).refusal).toMatchObject({ field: 'sha256', code: 'versionUnchanged' });
    expect(rounds.current.documents[0]!.versions).toHaveLength(1);
  });

  it('re-anchors a change (at least one --at), then resolves the objection with a note', async () => {
    await addVersion(ctx, [ROUND_ID, 'plan', await file('plan-v2.md', REVISED)]);
    await expect(reanchor(ctx, [ROUND_ID, 'finance-1-2'])).rejects.toThrow(
      /^--at: 请至少填写一处修改位置。Give at least one place\.$/,
    );
    const out = await reanchor(ctx, [ROUND_ID, 'finance-1-2', '--at', 'plan:1.2:新荣区位于大同市北部']);
    expect(lastSent()).toEqual({
      name: 'reanchorDisposition',
      rest: { commentId: 'finance-1-2', changedAt: [{ doc: 'plan', section: '1.2', quote: '新荣区位于大同市北部' }] },
    });
    expect(out.message).toContain('意见 finance-1-2 的修改位置已更新');
    expect(out.status.dispositions[1]!.changedAt).toEqual([
      { doc: 'plan', version: 2, section: '1.2', quote: '新荣区位于大同市北部' },
    ]);

    const before = structuredClone(rounds.current);
    before.approval.blockers = approvalBlockers(before);
    expect(formatRoundStatus(before)).toContain(
      'approval blocked: 尚有 1 项异议未处理：区林业局。1 objections are not resolved: 区林业局',
    );
    expect(formatRoundStatus(before)).toMatch(/forestry\s+森林覆盖率应采用 2021 年数据。.*\s+open/);
    await expect(resolveObjection(ctx, [ROUND_ID, 'forestry'])).rejects.toThrow(/^--note: 请填写此项。/);
    const refused = await failure(resolveObjection(ctx, [ROUND_ID, 'finance', '--note', '已沟通']));
    expect((refused as Error).message).toBe(
      '本轮审查未接受 the round refused (bureauId): 该单位没有待处理的异议 this bureau has no open objection',
    );
    const resolved = await resolveObjection(ctx, [ROUND_ID, 'forestry', '--note', '已沟通，采用 2021 年数据']);
    expect(lastSent()).toEqual({
      name: 'resolveObjection',
      rest: { bureauId: 'forestry', note: '已沟通，采用 2021 年数据' },
    });
    expect(resolved.message).toBe('已处理区林业局的异议。The objection of Forestry Bureau is resolved.');
    expect(formatRoundStatus(resolved.status)).toMatch(/forestry\s+.*李协调: 已沟通，采用 2021 年数据/);
  });
});

describe('the usage', () => {
  it('lists every command, and shows with a wrong argument', () => {
    for (const command of Object.keys(reviewCommands))
      expect(REVIEW_USAGE).toContain(`plan-review round ${command} <id>`);
    expect(describeReviewError(new ReviewUsageError('--date: x'))).toEqual({
      message: `--date: x\n\n${REVIEW_USAGE}`,
      exitCode: 2,
    });
    expect(describeReviewError(new Error('other'))).toBeUndefined();
  });
});
