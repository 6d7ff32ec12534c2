/**
 * How a field's problem reads to the person who typed it: Chinese first, English beside it.
 *
 * The project's own messages have a code in MESSAGES (a check names it by its English wording, by its
 * joined wording, or by `params.code` on a custom issue). zod's own issues about what people type
 * (empty, too long, missing, wrong type, not one of the choices, not an email...) read from the
 * catalog too, because zod's built-in wording names the schema ("Invalid input: expected string,
 * received undefined"); an issue the catalog has no words for reads as "this is not valid".
 * Imported by workflow code: no Node built-ins, no I/O.
 */
import { z } from 'zod';
import { makeRefusal, refusalText, type Refusal } from './refusals.js';

export const MESSAGES = {
  // zod's issues about typed fields
  required: { zh: '请填写此项。', en: 'Fill this in.' },
  wrongType: { zh: '应为{whatZh}。', en: 'This must be {what}.' },
  empty: { zh: '不能为空', en: 'must not be empty' },
  tooLong: { zh: '不能超过 {max} 个字符', en: 'must be at most {max} characters' },
  atLeastOne: { zh: '请至少填写一项。', en: 'Give at least one.' },
  tooMany: { zh: '最多 {max} 项。', en: 'At most {max} entries.' },
  numberTooSmall: { zh: '不能小于 {min}。', en: 'It must be {min} or more.' },
  numberTooBig: { zh: '不能大于 {max}。', en: 'It must be {max} or less.' },
  invalidChoice: { zh: '请从给出的选项中选择。', en: 'Choose one of the options given.' },
  emailFormat: {
    zh: '电子邮件地址无效，应写作 name@example.org。',
    en: 'Not an email address: write it as name@example.org.',
  },
  urlFormat: { zh: '链接无效，应以 http:// 或 https:// 开头。', en: 'Not a link: it starts with http:// or https://.' },
  invalidValue: { zh: '此项填写有误，请检查后重新填写。', en: 'This is not valid: check it and enter it again.' },

  // domain/records.ts and domain/consultation.ts
  brokenText: {
    zh: '含有控制字符或损坏的文字（不是有效的 UTF-8），请重新输入',
    en: 'contains control characters or broken (non-UTF-8) text: please type it again',
  },
  lineBreak: { zh: '此项只能填写一行，不能换行', en: 'must be one line, without line breaks' },
  bidiControl: {
    zh: '含有改变文字显示方向的隐藏字符（如 U+202E），会使文字看起来与实际内容不同，请删除后重新输入',
    en: 'contains hidden characters that change the direction of text (such as U+202E), which can make it read other than it is: remove them and type it again',
  },
  slug: {
    zh: '只能使用小写字母、数字和连字符（最多 63 个），并以字母或数字开头',
    en: 'must be lowercase letters, digits and dashes (max 63), starting with a letter or digit',
  },
  sha256: {
    zh: '不是有效的 SHA-256 摘要（应为 64 位小写十六进制数字）',
    en: 'not a SHA-256 digest (64 lowercase hexadecimal digits)',
  },
  timeZone: {
    zh: '请填写时区，如 Asia/Shanghai（北京时间）',
    en: 'enter a time zone such as Asia/Shanghai (Beijing time)',
  },
  phone: {
    zh: '电话号码只能包含数字、空格、加号、连字符和括号，如 0352-1234567 或 +86 352 123 4567。',
    en: 'a phone number is digits, spaces, +, - and brackets, such as 0352-1234567 or +86 352 123 4567',
  },
  rationaleRequired: { zh: '未完全采纳的意见须说明理由', en: 'a rationale is required unless the comment is adopted' },
  objectionRequired: { zh: '提出异议时请写明异议内容', en: 'write what you object to' },

  // a round file (infra/roundFile.ts), from the CLI or uploaded on the web
  roundFileUnreadable: { zh: '无法读取轮次文件“{name}”。', en: 'the round file {name} cannot be read' },
  roundFileSyntax: {
    zh: '不是有效的 {format} 文件，请检查缩进、冒号和引号',
    en: 'is not valid {format}: check the indentation, colons and quotes',
  },
  roundFileMissing: {
    zh: '缺少文件 {name}：请与轮次文件一起上传（按文件名对应）',
    en: 'the file {name} is missing: upload it with the round file (matched by its name)',
  },
  roundFileDocument: {
    zh: '文件“{name}”的格式不符合要求（见 docs/document-format.md）：{detail}。',
    en: 'the document {name} is not in the format plan-review reads (see docs/document-format.md): {detail}',
  },
  roundFileDeadline: {
    zh: '截止时间应为时长（如 P14D）或日期时间（如 2022-02-17T18:00）',
    en: 'the deadline must be a duration (such as P14D) or a date and time (such as 2022-02-17T18:00)',
  },

  // domain/expertReview.ts
  meetingDate: { zh: '应为日期，如 2030-03-01。', en: 'must be a date such as 2030-03-01' },
  realDate: { zh: '不是有效的日期', en: 'must be a real date' },
  clockTime: { zh: '应为时刻，如 09:00。', en: 'must be a time of day such as 09:00' },
  meetingEndsAfterStart: { zh: '会议结束时间应晚于开始时间', en: 'the meeting must end after it starts' },
  placeOrUrl: { zh: '请填写会议地点或线上链接', en: 'give a place or an online link' },
  addComment: {
    zh: '请至少填写一条意见，或选择“无意见”',
    en: 'add at least one comment, or choose "no comments"',
  },

  // domain/commentCard.ts
  cardPage: {
    zh: '页码应为正整数，如 33、P33 或 第33页。',
    en: 'The page is a whole number, such as 33, P33 or 第33页.',
  },
  cardPageTooLarge: { zh: '页码过大（最大 {max}）。', en: 'The page number is too large (at most {max}).' },
  cardSectionType: {
    zh: '章节应写编号或标题，如 3.7。',
    en: 'Give the section by its number or title, such as 3.7.',
  },
  cardNoSections: {
    zh: '该文件没有章节目录，请改填页码和原文。',
    en: 'This document has no sections; give the page and a quotation instead.',
  },
  cardUnknownSection: {
    zh: '找不到这个章节，请从本文件的章节中选择，或留空。',
    en: 'This is not a section of this document: pick one of its sections, or leave it empty.',
  },
  cardTextType: { zh: '{whatZh}应为文字。', en: 'The {what} must be text.' },
  cardTextEmpty: { zh: '请填写{whatZh}。', en: 'The {what} must not be empty.' },
  cardTextTooLong: { zh: '{whatZh}不能超过 {max} 个字符。', en: 'The {what} must be at most {max} characters.' },
  cardTextBroken: {
    zh: '{whatZh}含有控制字符或损坏的文字（不是有效的 UTF-8），请重新输入。',
    en: 'The {what} contains control characters or broken (non-UTF-8) text: please type it again.',
  },
  cardTextBidi: {
    zh: '{whatZh}含有改变文字显示方向的隐藏字符（如 U+202E），请删除后重新输入。',
    en: 'The {what} contains hidden characters that change the direction of text (such as U+202E): remove them and type it again.',
  },
  cardUnknownFields: {
    zh: '意见卡没有这些栏目：{keysZh}（只有 {fieldsZh}）。',
    en: 'A comment card has no field {keys} (only {fields}).',
  },
  cardShape: {
    zh: '每条意见应写成 page、section、quote、text、suggestedChange 等栏目。',
    en: 'Write each comment as fields: page, section, quote, text, suggestedChange.',
  },

  // the coordinator's action forms (web/actions)
  giveReason: { zh: '请填写理由。', en: 'Give a reason.' },
  chooseBureau: { zh: '请选择单位。', en: 'Choose a bureau.' },
  noSuchBureau: { zh: '本轮没有这个单位。', en: 'This round has no such bureau.' },
  bureauAlreadyIn: { zh: '本轮已有这个单位。', en: 'This round has this bureau already.' },
  requestIdMissing: { zh: '表单缺少请求编号，请刷新页面。', en: 'The form has no request id; reload the page.' },
  requestIdInvalid: {
    zh: '表单的请求编号无效，请刷新页面。',
    en: 'The form request id is not valid; reload the page.',
  },
  dateTime: {
    zh: '不是有效的日期时间，请按 {tz} 时间填写，如 2022-02-17T18:00。',
    en: 'Not a date and time; enter it in {tz} time, e.g. 2022-02-17T18:00.',
  },
  enterEmail: { zh: '请至少填写一个电子邮件地址。', en: 'Enter at least one email address.' },
  bureauNameZh: { zh: '请填写单位中文名称。', en: 'Enter the bureau name in Chinese.' },
  bureauNameEn: { zh: '请填写单位英文名称。', en: 'Enter the bureau name in English.' },
  contactPerson: { zh: '请填写联系人。', en: 'Enter the contact person.' },
  confirmCancel: {
    zh: '请勾选确认：取消后本轮不可恢复。',
    en: 'Tick the box: a cancelled round cannot be resumed.',
  },
  responderName: {
    zh: '请填写答复人姓名（未署名可填“未署名”）。',
    en: 'Enter who signed the reply (or 未署名 if unsigned).',
  },
  responderPosition: { zh: '请填写答复人职务或单位。', en: 'Enter their position or office.' },
  attachScan: {
    zh: '请附上纸质回复的扫描件（PDF、PNG 或 JPEG）。',
    en: 'Attach the scan of the paper reply (PDF, PNG or JPEG).',
  },
  scanNotFromForm: {
    zh: '之前的扫描件不是在此表单中上传的，请重新选择文件。',
    en: 'The earlier scan was not uploaded in this form: choose the file again.',
  },
  paperNoCommentsButTyped: {
    zh: '选择了“无意见”，但填写了意见：请清空意见或选择“有意见”。',
    en: 'You chose "no comments" but typed comments: clear them or choose "comments".',
  },
  paperAddComment: {
    zh: '请至少填写一条意见，或选择“无意见”。',
    en: 'Add at least one comment, or choose "no comments".',
  },
  paperChooseAnswer: {
    zh: '请选择“无意见”、“有意见”或“不作答复”。',
    en: 'Choose "no comments", "comments" or "not addressed".',
  },
  paperNotAddressedButTyped: {
    zh: '选择了“不作答复”，但填写了意见：请清空意见或选择“有意见”。',
    en: 'You chose "not addressed" but typed comments: clear them or choose "comments".',
  },
  paperAnswerOne: {
    zh: '纸质回复至少应对一份文件作答。',
    en: 'A paper reply answers at least one document.',
  },
  chooseComment: { zh: '请选择意见。', en: 'Choose a comment.' },
  noSuchComment: { zh: '本轮没有这条待处理的意见。', en: 'No such comment awaits a disposition in this round.' },
  chooseDecision: {
    zh: '请选择处理结果：采纳、部分采纳或不采纳。',
    en: 'Choose a decision: adopted, partially adopted or not adopted.',
  },
  chooseAnchorSection: {
    zh: '请从当前版本的章节中选择修改位置。',
    en: 'Choose where the change is from the sections of the current version.',
  },
  quoteWithoutSection: {
    zh: '填写了原文引用，请同时选择所在章节。',
    en: 'You gave a quotation: choose the section it is in as well.',
  },
  roundId: { zh: '不是有效的审查轮次编号（round:<规划>:<轮次>）。', en: 'Not a round id (round:<plan>:<n>).' },

  // the expert review's and the revised versions' forms (web/actions, cli/reviewCommands.ts)
  meetingDateMissing: { zh: '请填写会议日期。', en: 'Enter the date of the meeting.' },
  meetingTimeMissing: { zh: '请填写会议的开始和结束时间。', en: 'Enter when the meeting starts and ends.' },
  meetingUrl: {
    zh: '线上链接应以 http:// 或 https:// 开头。',
    en: 'The online link must start with http:// or https://.',
  },
  organiserMissing: { zh: '请填写组织单位。', en: 'Enter the organiser.' },
  expertsMissing: { zh: '请至少填写一位专家。', en: 'Enter at least one expert.' },
  expertLine: {
    zh: '第 {line} 行应写作“姓名 | 职称 | 单位 | 电子邮箱”（后几项可留空）。',
    en: 'Line {line}: write "name | title | organisation | email" (the later ones may be empty).',
  },
  expertLineTooLong: {
    zh: '第 {line} 行的“{whatZh}”过长（最多 {max} 个字符）。',
    en: 'Line {line}: the {what} is too long (at most {max} characters).',
  },
  expertEmail: {
    zh: '第 {line} 行的电子邮箱无效：{email}。',
    en: 'Line {line}: not a valid email address: {email}',
  },
  opinionsMissing: { zh: '请至少填写一条专家意见。', en: 'Enter at least one expert opinion.' },
  signedOnMissing: { zh: '请填写专家组签字日期。', en: 'Enter the date the experts signed.' },
  signedByMissing: { zh: '请填写签字人。', en: 'Enter who signed.' },
  reportIncomplete: {
    zh: '评审报告须有标题和会议情况（或全部留空）。',
    en: 'A report needs its title and its meeting paragraph (or leave the report empty).',
  },
  unknownFields: { zh: '没有栏目 {keys}（只有 {fields}）。', en: 'There is no field {keys} here (only {fields}).' },
  chooseOpinion: { zh: '请选择专家意见。', en: 'Choose an opinion.' },
  opinionNumber: { zh: '专家意见的序号应为正整数，如 1。', en: 'An opinion is named by its number, such as 1.' },
  revisionNoteText: { zh: '请填写修改说明。', en: 'Write the revision note.' },
  anchorLine: {
    zh: '第 {line} 行应写作“文件#章节”，可加“ | 原文引用”，如 plan#3.7。',
    en: 'Line {line}: write doc#section, optionally followed by " | quotation", e.g. plan#3.7.',
  },
  anchorLineDocument: {
    zh: '第 {line} 行：本轮没有文件“{doc}”（有：{docs}）。',
    en: 'Line {line}: this round has no document "{doc}" (it has: {docs}).',
  },
  anchorLineSection: {
    zh: '第 {line} 行：《{title}》的当前版本中没有章节“{section}”。',
    en: 'Line {line}: the current version of 《{title}》 has no section "{section}".',
  },
  anchorsMissing: { zh: '请至少填写一处修改位置。', en: 'Give at least one place.' },
  chooseDisposition: { zh: '请选择已处理的意见。', en: 'Choose a decided comment.' },
  chooseDocument: { zh: '请选择文件。', en: 'Choose a document.' },
  noSuchDocument: { zh: '本轮没有分发这个文件。', en: 'This round circulates no such document.' },
  attachDocument: {
    zh: '请上传修订后的文件（Markdown，.md）。',
    en: 'Upload the revised document (Markdown, .md).',
  },
  documentTooLarge: { zh: '文件过大（上限 {max}）。', en: 'The file is too large (at most {max}).' },
  documentNotText: {
    zh: '该文件不是 UTF-8 编码的文本，请上传 Markdown 文件。',
    en: 'The file is not UTF-8 text: upload a Markdown file.',
  },
  documentMalformed: {
    zh: '文件不符合文件格式（docs/document-format.md）：{detail}。',
    en: 'The file is not in the document format (docs/document-format.md): {detail}',
  },
  chooseObjection: { zh: '请选择有待处理异议的单位。', en: 'Choose a bureau with an open objection.' },
  resolutionNote: { zh: '请填写处理说明。', en: 'Write how the objection was resolved.' },
  // the approver's forms (web/approvalRoutes.ts)
  confirmApproval: {
    zh: '请勾选确认：您已阅读上面的 PDF 并批准它。',
    en: 'Tick the box: you have read the PDF above and approve it.',
  },
  giveRejectReason: { zh: '请填写退回理由。', en: 'Give the reason for returning it.' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type MessageCode = keyof typeof MESSAGES;
export type MessageParams = Record<string, string | number>;
export interface Text {
  zh: string;
  en: string;
}

const fill = (template: string, params: MessageParams) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => (params[k] === undefined ? `{${k}}` : String(params[k])));

/** Chinese then English: no space after a full-width stop, which carries its own. */
export function joined({ zh, en }: Text): string {
  if (!zh || !en) return zh || en;
  return /[。！？）」”]$/.test(zh) ? `${zh}${en}` : `${zh} ${en}`;
}

export function messageText(code: MessageCode, params: MessageParams = {}): Text {
  const t = MESSAGES[code];
  return { zh: fill(t.zh, params), en: fill(t.en, params) };
}

/** The joined wording of a code: what a check gives as its message (the code is found again from it). */
export function say(code: MessageCode, params: MessageParams = {}): string {
  return joined(messageText(code, params));
}

/** A custom issue's options carrying a code: its English wording for logs, its code for the edge. */
export function coded(code: MessageCode, params: MessageParams = {}) {
  return { message: say(code, params), params: { code, ...params } };
}

/** Fixed wordings (no parameters) → their code: a check's message names its code. */
const BY_WORDING: ReadonlyMap<string, MessageCode> = new Map(
  (Object.keys(MESSAGES) as MessageCode[])
    .filter((code) => !/\{\w+\}/.test(MESSAGES[code].zh + MESSAGES[code].en))
    .flatMap((code) => [MESSAGES[code].en, joined(MESSAGES[code]), code].map((wording) => [wording, code] as const)),
);

const TYPE_WORDS: Record<string, Text> = {
  string: { zh: '文字', en: 'text' },
  number: { zh: '数字', en: 'a number' },
  int: { zh: '整数', en: 'a whole number' },
  boolean: { zh: '是或否', en: 'yes or no' },
  array: { zh: '列表', en: 'a list' },
  object: { zh: '一组栏目', en: 'a set of fields' },
};

const en = z.locales.en().localeError;

type Issue = z.core.$ZodIssue & { params?: Record<string, unknown> };

/** zod's own wording of an issue in a locale (a locale answers with a string or with { message }). */
function localeText(locale: typeof en, issue: Issue): string {
  const r = locale(issue as never);
  return typeof r === 'string' ? r : (r?.message ?? '');
}

/** An issue as Chinese and English. */
export function issueText(issue: Issue): Text {
  const code = issue.params?.code;
  if (typeof code === 'string' && code in MESSAGES) {
    return messageText(code as MessageCode, issue.params as MessageParams);
  }
  const named = BY_WORDING.get(issue.message);
  if (named) return messageText(named);

  switch (issue.code) {
    case 'invalid_type': {
      // zod's wording names the input's type: it is reproduced only for a missing field, or when the
      // parse reported its input (the edge's forms do, with reportInput).
      if (issue.message !== localeText(en, issue)) break;
      if (!('input' in issue) || issue.input === undefined) return messageText('required');
      const what = TYPE_WORDS[issue.expected];
      if (what) return messageText('wrongType', { whatZh: what.zh, what: what.en });
      break;
    }
    case 'custom':
      // A wording of its own without a code (e.g. a bilingual message from elsewhere): as it is.
      return { zh: '', en: issue.message };
  }
  // Empty and too long, as every typed field says it (text() in domain/records.ts words them the same).
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) <= 1) return messageText('empty');
      if (issue.origin === 'array' && Number(issue.minimum) <= 1) return messageText('atLeastOne');
      break;
    case 'too_big':
      if (issue.origin === 'string') return messageText('tooLong', { max: Number(issue.maximum) });
      if (issue.origin === 'array') return messageText('tooMany', { max: Number(issue.maximum) });
      break;
  }
  // A check with a wording of its own that the catalog does not know: as it is.
  if (issue.message !== localeText(en, issue)) return { zh: '', en: issue.message };
  // zod's own wording names the schema ("Invalid option: expected one of …"): the catalog's instead.
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint')
        return messageText('numberTooSmall', { min: Number(issue.minimum) });
      break;
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint')
        return messageText('numberTooBig', { max: Number(issue.maximum) });
      break;
    case 'invalid_value':
    case 'invalid_union':
      return messageText('invalidChoice');
    case 'invalid_format':
      if (issue.format === 'email') return messageText('emailFormat');
      if (issue.format === 'url') return messageText('urlFormat');
      break;
  }
  return messageText('invalidValue');
}

/** An issue as one line beside its field, Chinese first. */
export function issueMessage(issue: Issue): string {
  return joined(issueText(issue));
}

/** A request refused by its schema: the catalog's words of the first issue, on the field it names. */
export function invalidFieldRefusal(issue: Issue, whole: string): Refusal {
  const t = issueText(issue);
  return makeRefusal(issue.path.join('.') || whole, 'invalidField', {
    detail: t.en,
    ...(t.zh ? { detailZh: t.zh } : {}),
  });
}

/**
 * How a round's refusal reads beside a field: the catalog's words, Chinese then English. A field the
 * request's schema refused reads as the issue did (issueText), without the catalog's preamble.
 */
export function refusalMessage(r: Refusal): string {
  if (r.code === 'invalidField') {
    const en = String(r.params.detail ?? r.message);
    return joined({ zh: typeof r.params.detailZh === 'string' ? r.params.detailZh : '', en });
  }
  return joined(refusalText(r.code, r.params));
}
