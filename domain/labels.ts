/**
 * How stages and outcomes read to people, Chinese and English: one catalog for pages, emails, the
 * CLI and the PDF. "Deemed no comments" is never shown as "no comments".
 * Imported by workflow code: no Node built-ins, no I/O.
 */
import type { BureauOutcome, Decision } from './records.js';
import type { Stage } from './round.js';

export interface Label {
  zh: string;
  en: string;
}

/** `printed`: the wording of the plan's own tables (table 10-1, appendix 3), formal and Chinese only. */
export const OUTCOME_LABELS: Record<BureauOutcome, Label & { printed: string }> = {
  pending: { zh: '待回复', en: 'Pending', printed: '未回复' },
  replied: { zh: '已回复（有意见）', en: 'Replied with comments', printed: '有意见' },
  noComments: { zh: '无意见', en: 'No comments', printed: '无意见' },
  deemedNoComments: {
    zh: '逾期未回复，视为无意见',
    en: 'No reply: deemed no comments',
    printed: '逾期未回复，视为无意见',
  },
  waived: { zh: '已豁免', en: 'Waived', printed: '免于征求意见' },
};

export const STAGE_LABELS: Record<Stage, Label> = {
  drafting: { zh: '起草', en: 'Drafting' },
  consultation: { zh: '征求意见', en: 'Consultation' },
  disposition: { zh: '意见处理', en: 'Disposition of comments' },
  expertReview: { zh: '专家评审', en: 'Expert review' },
  revision: { zh: '修改完善', en: 'Revision' },
  approval: { zh: '审批', en: 'Approval' },
  approved: { zh: '已批准', en: 'Approved' },
  completed: { zh: '已结束', en: 'Completed' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
};

/** How a comment was decided (table 10-1); `undecided` while it has no disposition. */
export const DECISION_LABELS: Record<Decision | 'undecided', Label> = {
  adopted: { zh: '采纳', en: 'Adopted' },
  partial: { zh: '部分采纳', en: 'Partially adopted' },
  notAdopted: { zh: '不采纳', en: 'Not adopted' },
  undecided: { zh: '待处理', en: 'Undecided' },
};

/** The approver's decision on a candidate PDF. */
export const APPROVAL_DECISION_LABELS: Record<'approved' | 'rejected', Label> = {
  approved: { zh: '批准', en: 'Approved' },
  rejected: { zh: '退回修改', en: 'Returned for revision' },
};

export const REPLY_CHANNEL_LABELS: Record<'link' | 'paper', Label> = {
  link: { zh: '链接', en: 'Link' },
  paper: { zh: '纸质', en: 'Paper' },
};

/** A reply received in the grace period after its deadline. */
export const LATE_LABEL: Label = { zh: '逾期', en: 'Late' };

/** "中文 English", the way every label is shown in one line. */
export const both = (l: Label) => `${l.zh} ${l.en}`;
export const outcomeText = (o: BureauOutcome) => both(OUTCOME_LABELS[o]);
export const stageText = (s: Stage) => both(STAGE_LABELS[s]);

/** A round's workflow as Temporal reports it (the round list). */
export const WORKFLOW_STATUS_LABELS: Record<string, Label> = {
  RUNNING: { zh: '进行中', en: 'Running' },
  COMPLETED: { zh: '已结束', en: 'Completed' },
  FAILED: { zh: '失败', en: 'Failed' },
  CANCELLED: { zh: '已取消', en: 'Cancelled' },
  TERMINATED: { zh: '已终止', en: 'Terminated' },
  CONTINUED_AS_NEW: { zh: '已接续', en: 'Continued' },
  TIMED_OUT: { zh: '已超时', en: 'Timed out' },
};
export const workflowStatusText = (w: string) => (WORKFLOW_STATUS_LABELS[w] ? both(WORKFLOW_STATUS_LABELS[w]) : w);

/** A bureau's answer to its outcome notice. */
export const OUTCOME_RESPONSE_LABELS: Record<'pending' | 'acknowledged' | 'objected' | 'silent', Label> = {
  pending: { zh: '待答复', en: 'Awaiting your answer' },
  acknowledged: { zh: '已认可', en: 'Acknowledged' },
  objected: { zh: '已提出异议', en: 'Objected' },
  silent: { zh: '逾期未答复，视为认可', en: 'No answer: deemed acknowledged' },
};
