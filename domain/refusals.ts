/**
 * Why a round refuses a request: one code per reason, its Chinese and English wording, and the
 * parameters the wording names. The round's validators refuse with a code; pages, emails and the
 * CLI show the catalog's words (never a schema's), so every edge says the same thing.
 * Imported by workflow code: no Node built-ins, no I/O.
 */
export const REFUSALS = {
  invalidField: { zh: '内容不符合要求：{detail}。', en: 'Not accepted: {detail}' },
  notCanonical: {
    zh: '请求未按规范格式发送（请由网页或命令行提交）',
    en: 'the request was not sent in its canonical form (send it through the web pages or the CLI)',
  },
  roleNotAllowed: {
    zh: '{role} 角色不能进行此操作（允许：{allowed}）',
    en: 'a {role} may not do this (allowed: {allowed})',
  },
  wrongStage: {
    zh: '本轮审查处于“{stageZh}”阶段，不能进行此操作',
    en: 'the round is in stage "{stage}", not {expected}',
  },
  roundFinished: { zh: '本轮审查已{stageZh}', en: 'the round is already {stage}' },
  consultationEnded: { zh: '征求意见已结束', en: 'consultation has ended' },
  consultationAlreadyClosed: { zh: '征求意见已提前结束', en: 'consultation is already closed' },
  notEveryoneAnswered: { zh: '尚有单位未答复：{names}。', en: 'not every bureau has answered yet: {names}' },
  unknownBureau: { zh: '本轮审查没有单位“{bureauId}”', en: 'no bureau "{bureauId}" in this round' },
  bureauExists: { zh: '本轮审查已有单位“{bureauId}”', en: 'a bureau "{bureauId}" is already in this round' },
  tooManyBureaus: { zh: '一轮审查最多征求 {max} 个单位的意见', en: 'a round consults at most {max} bureaus' },
  bureauWaived: { zh: '协调人已免除该单位本轮的回复', en: 'the coordinator has waived this bureau’s reply' },
  bureauAlreadyWaived: { zh: '该单位已被免于回复', en: 'this bureau is already waived' },
  bureauHasReplied: { zh: '该单位已回复，其回复有效', en: 'this bureau has replied; its reply stands' },
  linkReplaced: {
    zh: '此链接已被新链接取代，请使用最新一封邮件中的链接',
    en: 'this link has been replaced by a newer one; use the link in the latest email',
  },
  deadlinePassed: { zh: '回复期限已过', en: 'the deadline for replies has passed' },
  consultationClosed: { zh: '征求意见已结束', en: 'consultation is closed' },
  deadlinePassedExtendFirst: {
    zh: '该单位的期限已过，请先延期',
    en: 'the bureau’s deadline has passed; extend it first',
  },
  deadlineNotFuture: { zh: '新的截止时间必须晚于现在', en: 'the new deadline must be in the future' },
  deadlineNotLater: { zh: '新的截止时间必须晚于原截止时间', en: 'the new deadline must be later than the current one' },
  addedDeadlineNotFuture: { zh: '截止时间必须晚于现在', en: 'the deadline must be in the future' },
  roundDeadlinePassed: {
    zh: '本轮的截止时间已过，请为新增单位指定截止时间',
    en: 'the round’s deadline has passed: give the new bureau a deadline',
  },
  receivedInFuture: { zh: '收到时间不能晚于现在', en: 'cannot be in the future' },
  receivedAfterDeadline: {
    zh: '收到时间晚于该单位的截止时间（如应计入，请先延期）',
    en: 'received after the bureau’s deadline (extend the deadline first if it should count)',
  },
  unknownDocument: { zh: '本轮审查没有分发文件“{doc}”', en: 'no document "{doc}" circulates in this round' },
  noDocumentAnswered: {
    zh: '请至少对一份文件作答：“无意见”或填写意见',
    en: 'answer at least one document: "no comments" or comments',
  },
  unknownSection: { zh: '《{title}》中没有章节“{section}”', en: 'no section "{section}" in 《{title}》' },
  replyTooLarge: {
    zh: '回复内容超过 {limit}，较长的材料请作为附件上传',
    en: 'the reply is larger than {limit}; attach long material as a file',
  },
  tooManyReplies: {
    zh: '该单位已提交 {max} 个版本的回复，不能再修改；如需更正请联系协调人',
    en: 'this bureau has submitted {max} versions of its reply and cannot revise it again; contact the coordinator to correct it',
  },
  bureauReplyQuota: {
    zh: '该单位各版本回复合计超过 {limit}，不能再修改；如需更正请联系协调人',
    en: 'this bureau’s replies together exceed {limit}; it cannot revise again: contact the coordinator to correct it',
  },
  roundReplyQuota: {
    zh: '本轮审查收到的回复合计已达上限 {limit}，请联系协调人',
    en: 'the replies of this round together reach the limit of {limit}; contact the coordinator',
  },
  tooManyActions: {
    zh: '对该单位的“{action}”操作已达上限 {max} 次',
    en: 'the limit of {max} “{action}” actions for this bureau is reached',
  },
  unknownComment: {
    zh: '本轮没有编号为“{commentId}”的待处理意见',
    en: 'no comment "{commentId}" awaits a disposition in this round',
  },
  unknownAnchorSection: {
    zh: '《{title}》的当前版本中没有章节“{section}”',
    en: 'no section "{section}" in the current version of 《{title}》',
  },
  bureauHasNoComments: { zh: '该单位没有需要处理的意见', en: 'this bureau has no comments to dispose of' },
  dispositionsIncomplete: {
    zh: '还有 {count} 条意见未处理：{ids}。',
    en: '{count} comments still have no disposition: {ids}',
  },
  unknownDisposition: { zh: '意见“{commentId}”尚无处理结果', en: 'comment "{commentId}" has no disposition yet' },
  tooManyVersions: { zh: '《{title}》最多保留 {max} 个版本', en: 'at most {max} versions of 《{title}》 are kept' },
  tooManyDecisions: { zh: '本轮审批决定已达上限 {max} 次', en: 'the limit of {max} approval decisions is reached' },
  documentUnreadable: { zh: '无法读取该文件：{detail}。', en: 'the file cannot be read: {detail}' },
  versionUnchanged: {
    zh: '该文件与《{title}》当前版本相同',
    en: 'this file is the current version of 《{title}》 already',
  },
  approvalBlocked: { zh: '尚不能批准：{items}。', en: 'approval is not possible yet: {items}' },
  noCandidate: { zh: '尚无待批准的 PDF，请稍候', en: 'there is no candidate PDF to approve yet; please wait' },
  notTheCandidate: {
    zh: '该 PDF 不是当前待批准的版本（记录已变更，请阅读新的 PDF）',
    en: 'this PDF is not the current candidate (the records changed: read the new PDF)',
  },
  candidateOutdated: {
    zh: '该 PDF 的签发日期为 {issueDate}，早于今天；新的 PDF 正在生成，请阅读后再批准',
    en: 'this PDF is dated {issueDate}, before today; a new one is being rendered: read it, then approve',
  },
  pendingBureaus: { zh: '尚未答复的单位：{names}。', en: 'bureaus that have not answered: {names}' },
  dispositionsUnpublished: { zh: '意见处理结果尚未发布', en: 'the dispositions are not published' },
  brokenAnchors: {
    zh: '{count} 处修改位置已失效，请重新指定。',
    en: '{count} anchors of changes no longer resolve: re-anchor them',
  },
  noOutcomeNotice: { zh: '贵单位没有需要答复的意见处理结果', en: 'your bureau has no outcome notice to answer' },
  outcomeWindowClosed: {
    zh: '答复期限已过或已答复（逾期未答复视为认可）',
    en: 'the time to answer has passed or you have answered (no answer counts as acknowledged)',
  },
  noOpenObjection: { zh: '该单位没有待处理的异议', en: 'this bureau has no open objection' },
  openObjections: { zh: '尚有 {count} 项异议未处理：{names}。', en: '{count} objections are not resolved: {names}' },
  expertReviewIncomplete: {
    zh: '专家评审尚未完成（意见未记录，或第 {opinions} 条意见尚无修改说明）',
    en: 'the expert review is not complete (opinions not recorded, or opinions {opinions} have no revision note)',
  },
  dispositionsAlreadyPublished: { zh: '意见处理结果已发布', en: 'the dispositions are already published' },
  meetingInPast: {
    zh: '会议时间（{start}）已过；如会议已召开，请记录为“已召开”',
    en: 'the meeting time ({start}) has passed; if the meeting took place, record it as held',
  },
  meetingNotYetHeld: {
    zh: '会议时间（{start}）尚未到，不能记录为已召开',
    en: 'the meeting ({start}) is still to come; it cannot be recorded as held',
  },
  meetingAlreadyScheduled: {
    zh: '专家评审会已安排，请改期或取消',
    en: 'the expert meeting is already scheduled; reschedule or cancel it',
  },
  noMeeting: { zh: '尚未安排专家评审会', en: 'no expert meeting is scheduled' },
  meetingHeld: {
    zh: '专家评审会已召开，不能改期或取消',
    en: 'the expert meeting took place; it cannot be moved or cancelled',
  },
  expertEmailMissing: {
    zh: '专家“{name}”没有电子邮箱，无法发送会议邀请',
    en: 'the expert "{name}" has no email address to invite',
  },
  meetingNotOver: {
    zh: '专家评审会（{end} 结束）尚未结束，会后再记录专家意见',
    en: 'the expert meeting (ending {end}) is not over; record the opinions after it',
  },
  opinionsAlreadyRecorded: { zh: '专家意见已记录', en: 'the experts’ opinions are already recorded' },
  opinionsNotRecorded: { zh: '尚未记录专家意见', en: 'the experts’ opinions are not recorded yet' },
  unknownOpinion: { zh: '没有第 {n} 条专家意见', en: 'there is no expert opinion {n}' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type RefusalCode = keyof typeof REFUSALS;
export type RefusalParams = Record<string, string | number>;

/** What a refused request carries back to the edge. */
export interface Refusal {
  field: string;
  code: RefusalCode;
  params: RefusalParams;
  /** The English wording, for logs and for clients that do not know the catalog. */
  message: string;
}

const fill = (template: string, params: RefusalParams) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => (params[k] === undefined ? `{${k}}` : String(params[k])));

export function refusalText(code: RefusalCode, params: RefusalParams = {}): { zh: string; en: string } {
  const t = REFUSALS[code];
  return { zh: fill(t.zh, params), en: fill(t.en, params) };
}

export function makeRefusal(field: string, code: RefusalCode, params: RefusalParams = {}): Refusal {
  return { field, code, params, message: refusalText(code, params).en };
}
