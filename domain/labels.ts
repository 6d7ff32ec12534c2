/**
 * How stages and outcomes read to people, Chinese and English: one catalog for pages, emails, the
 * CLI and the PDF. "Deemed no comments" is never shown as "no comments".
 * Imported by workflow code: no Node built-ins, no I/O.
 */
import type { ActionName } from './actions.js';
import type { MailKind } from './mail.js';
import type { BureauOutcome, Decision, Role } from './records.js';
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

/** Who acted, by role (the audit trail's "who"). */
export const ROLE_LABELS: Record<Role, Label> = {
  coordinator: { zh: '协调人', en: 'Coordinator' },
  approver: { zh: '审批人', en: 'Approver' },
  auditor: { zh: '审计人', en: 'Auditor' },
  bureau: { zh: '征求意见单位', en: 'Bureau' },
  expert: { zh: '专家', en: 'Expert' },
  system: { zh: '系统', en: 'System' },
};

/** Each human action on a round, as the audit trail names it. */
export const ACTION_LABELS: Record<ActionName, Label> = {
  submitReply: { zh: '通过链接提交回复', en: 'Reply submitted through the link' },
  recordPaperReply: { zh: '录入纸质回复', en: 'Paper reply recorded' },
  extendDeadline: { zh: '延长截止时间', en: 'Deadline extended' },
  waiveBureau: { zh: '免于征求意见', en: 'Bureau waived' },
  changeContact: { zh: '更换联系人', en: 'Contact changed' },
  resendInvitation: { zh: '重发邀请', en: 'Invitation resent' },
  addBureau: { zh: '增加征求意见单位', en: 'Bureau added' },
  closeConsultation: { zh: '结束征求意见', en: 'Consultation closed' },
  cancelRound: { zh: '取消本轮审查', en: 'Round cancelled' },
  disposeComment: { zh: '处理意见（草稿）', en: 'Comment disposed (draft)' },
  adoptAllComments: { zh: '全部采纳该单位意见', en: "All of a bureau's comments adopted" },
  publishDispositions: { zh: '公布意见处理结果', en: 'Dispositions published' },
  addDocumentVersion: { zh: '增加文件修订版', en: 'Revised version added' },
  reanchorDisposition: { zh: '重新指定修改位置', en: 'Change re-anchored' },
  respondToOutcome: { zh: '答复处理结果', en: 'Outcome notice answered' },
  resolveObjection: { zh: '处理异议', en: 'Objection resolved' },
  approveCandidate: { zh: '批准候选 PDF', en: 'Candidate PDF approved' },
  rejectCandidate: { zh: '退回候选 PDF', en: 'Candidate PDF returned for revision' },
  scheduleMeeting: { zh: '安排专家评审会', en: 'Expert meeting scheduled' },
  rescheduleMeeting: { zh: '变更专家评审会', en: 'Expert meeting moved' },
  cancelMeeting: { zh: '取消专家评审会', en: 'Expert meeting cancelled' },
  recordOpinions: { zh: '录入专家意见', en: 'Expert opinions recorded' },
  writeRevisionNote: { zh: '填写修改说明', en: 'Revision note written' },
};

/** Each email a round sends, by kind. */
export const MAIL_KIND_LABELS: Record<MailKind, Label> = {
  invitation: { zh: '征求意见邀请', en: 'Invitation' },
  reminder: { zh: '回复提醒', en: 'Reminder' },
  replyConfirmation: { zh: '回复回执', en: 'Receipt of a reply' },
  replyNotice: { zh: '收到回复通知', en: 'Reply notice' },
  deliveryFailure: { zh: '投递失败通知', en: 'Delivery failure notice' },
  deadlineSummary: { zh: '征求意见结束汇总', en: 'Consultation summary' },
  cancellation: { zh: '取消通知', en: 'Cancellation notice' },
  outcomeNotice: { zh: '意见处理结果通知', en: 'Outcome notice' },
  objectionNotice: { zh: '收到异议通知', en: 'Objection notice' },
  meetingInvitation: { zh: '专家评审会邀请', en: 'Meeting invitation' },
  meetingUpdate: { zh: '专家评审会变更', en: 'Meeting update' },
  meetingCancellation: { zh: '专家评审会取消', en: 'Meeting cancellation' },
  meetingReminder: { zh: '专家评审会提醒', en: 'Meeting reminder' },
};
