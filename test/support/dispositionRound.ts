/**
 * A round in the disposition stage for the edges' tests (web pages, CLI): finance replied with two
 * comments, forestry with one, water with none, science is deemed to have none, energy is waived.
 * The replies' texts go in the store with `storeReplyDraft` (FINANCE, FORESTRY, NONE). The same
 * round later: its dispositions published and one bureau objecting (`publishedRound`), or in the
 * expert review with no meeting yet (`expertReviewRound`).
 */
import type { ReplyDraft } from '../../domain/consultation.js';
import { summarizeReply } from '../../domain/replies.js';
import { freshRoundRecords, RoundStatus } from '../../domain/round.js';
import { sha256Hex } from '../../infra/store.js';
import { newExpertReview } from '../../workflows/stages/expertReview/rules.js';

export const DISPOSITION_ROUND_ID = 'round:dispo-plan:1';
const ROUND_ID = DISPOSITION_ROUND_ID;
export const HOSTILE = '<script>alert(1)</script>';
const coordinatorActor = { name: '起草人', role: 'coordinator' as const };

/** Finance's reply: two comments on the plan, none on the annex. */
export const FINANCE: ReplyDraft = {
  responder: { name: '王五', position: '办公室主任' },
  perDocument: {
    plan: {
      kind: 'comments',
      comments: [
        { section: '3.7', text: `建议补充资金来源。${HOSTILE}`, suggestedChange: '增加一段' },
        { section: '1.1', text: '自然概况的数据应更新。' },
      ],
    },
    annex: { kind: 'noComments' },
  },
};
/** Forestry's reply: one comment. */
export const FORESTRY: ReplyDraft = {
  responder: { name: '赵六', position: '局长' },
  perDocument: { plan: { kind: 'comments', comments: [{ text: '森林覆盖率应为 27.04%' }] } },
};
export const NONE: ReplyDraft = {
  responder: { name: '钱七', position: '科长' },
  perDocument: { plan: { kind: 'noComments' }, annex: { kind: 'noComments' } },
};

export function dispositionRound(): RoundStatus {
  const version = (sha: string, sections: object[]) => ({
    n: 1,
    sha256: sha256Hex(sha),
    createdAt: '2030-01-01T00:00:00.000Z',
    createdBy: coordinatorActor,
    sections,
  });
  const plan = {
    key: 'plan',
    title: '测试规划（征求意见稿）',
    standIn: false,
    versions: [
      version('plan', [
        { id: '第一章', number: '第一章', title: '区域概况', level: 1 },
        { id: '1.1', number: '1.1', title: '自然概况', level: 2 },
        { id: '3.7', number: '3.7', title: '规划目标和指标', level: 2 },
      ]),
    ],
  };
  const annex = { key: 'annex', title: '附件（仅标题）', standIn: true, versions: [version('annex', [])] };
  const docs = [
    { key: 'plan', version: 1 },
    { key: 'annex', version: 1 },
  ];
  const reply = (n: number, bureauId: string, draft: ReplyDraft) =>
    summarizeReply(
      {
        n,
        bureauId,
        version: 1,
        submittedAt: '2030-01-05T02:00:00.000Z',
        channel: 'link',
        responder: draft.responder,
      },
      draft,
      docs,
    );
  const bureau = (id: string, nameZh: string, nameEn: string, outcome: string, replies: object[] = []) => ({
    bureau: { id, nameZh, nameEn, contacts: [{ email: `${id}@bureaus.example.org` }], contactPerson: '办公室' },
    outcome,
    deadline: '2030-01-15T10:00:00.000Z',
    invitation: null,
    replies,
    extensions: [],
    waived: outcome === 'waived' ? { by: coordinatorActor, at: '2030-01-02T00:00:00.000Z', reason: '机构撤并' } : null,
    previousInvitations: [],
    revokedLinkIds: [],
  });
  return RoundStatus.parse({
    id: ROUND_ID,
    planId: 'dispo-plan',
    n: 1,
    title: '测试规划第一轮',
    timeZone: 'Asia/Shanghai',
    stage: 'disposition',
    coordinator: coordinatorActor,
    startedAt: '2030-01-01T00:00:00.000Z',
    startedBy: coordinatorActor,
    graceMs: 0,
    reminderOffsetsMs: [],
    consultationEndsAt: '2030-01-15T10:00:00.000Z',
    documents: [plan, annex],
    bureaus: [
      bureau('finance', '区财政局', 'Finance Bureau', 'replied', [reply(1, 'finance', FINANCE)]),
      bureau('science', '区科技局', 'Science Bureau', 'deemedNoComments'),
      bureau('forestry', '区林业局', 'Forestry Bureau', 'replied', [reply(2, 'forestry', FORESTRY)]),
      bureau('water', '区水务局', 'Water Bureau', 'noComments', [reply(3, 'water', NONE)]),
      bureau('energy', '区能源局', 'Energy Bureau', 'waived'),
    ],
    consultation: { closed: null, endedAt: '2030-01-15T10:00:00.000Z' },
    ...freshRoundRecords(),
  });
}

const by = { name: '李协调', role: 'coordinator' as const };
const at = '2030-01-16T02:00:00.000Z';

/** The disposition fixture published: finance acknowledged its notice, forestry objected. */
export function publishedRound(): RoundStatus {
  const round = dispositionRound();
  round.dispositions = [
    {
      commentId: 'finance-1-1',
      decision: 'adopted',
      changedAt: [{ doc: 'plan', version: 1, section: '3.7' }],
      decidedBy: by,
      decidedAt: at,
      published: true,
    },
    {
      commentId: 'finance-1-2',
      decision: 'partial',
      rationale: '部分数据暂无来源',
      changedAt: [{ doc: 'plan', version: 1, section: '1.1' }],
      decidedBy: by,
      decidedAt: at,
      published: true,
    },
    {
      commentId: 'forestry-2-1',
      decision: 'notAdopted',
      rationale: '以上级下达指标为准',
      changedAt: [],
      decidedBy: by,
      decidedAt: at,
      published: true,
    },
  ];
  round.dispositionsPublished = { by, at };
  const notice = { messageId: '<notice@plan-review.test>', sentAt: at, respondBy: '2030-01-21T02:00:00.000Z' };
  round.notices = [
    { bureauId: 'finance', ...notice, response: 'acknowledged', respondedAt: '2030-01-17T02:00:00.000Z' },
    {
      bureauId: 'forestry',
      ...notice,
      response: 'objected',
      respondedAt: '2030-01-18T03:00:00.000Z',
      respondedBy: { name: '赵六', role: 'bureau' },
      objection: `森林覆盖率应采用 2021 年数据。${HOSTILE}`,
    },
  ];
  return round;
}

/** The disposition fixture's round, now in the expert review with no meeting yet. */
export function expertReviewRound(): RoundStatus {
  const round = dispositionRound();
  round.stage = 'expertReview';
  round.expertReview = newExpertReview();
  return round;
}
