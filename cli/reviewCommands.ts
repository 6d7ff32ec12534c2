/**
 * The CLI's commands for the expert review and what follows the dispositions:
 *   plan-review round schedule-meeting|reschedule-meeting|cancel-meeting <id> ...
 *   plan-review round record-opinions <id> <opinions.yaml>
 *   plan-review round revision-note <id> <n> --text T [--at <doc>:<section>[:<quote>]]...
 *   plan-review round add-version <id> <doc> <file.md> [--note N]
 *   plan-review round reanchor <id> <comment-id> --at <doc>:<section>[:<quote>]...
 *   plan-review round resolve-objection <id> <bureau> --note N
 * Arguments and files are checked here (the catalog's words, Chinese then English, naming the option
 * or the file and field); the round has the last word, and its refusal is one line in both languages.
 * They act as PLAN_REVIEW_USER, as the other coordinator actions do (cli/users.ts registers them).
 */
import path from 'node:path';
import { z } from 'zod';
import type { ActionName } from '../domain/actions.js';
import { ExpertDraft, ExpertReport, MeetingDraft, RecordOpinionsRequest } from '../domain/expertReview.js';
import { parseReviewRoundId } from '../domain/ids.js';
import { coded, issueMessage, refusalMessage, say } from '../domain/messages.js';
import { Slug, text } from '../domain/records.js';
import type { Refusal } from '../domain/refusals.js';
import { parseExpertLines } from '../domain/reviewLines.js';
import type { RoundStatus } from '../domain/round.js';
import { documentFileProblem } from '../infra/documents.js';
import { unwrap, type ActionRequest } from '../infra/roundGateway.js';
import { readCheckedFile, readStructuredFile } from '../infra/structuredFile.js';
import { formatMeetingTime } from '../infra/templates.js';
import { brokenAnchors } from '../workflows/stages/disposition/rules.js';
import {
  CliError,
  CliUsageError,
  ids,
  parse,
  parseAnchorArg,
  requestIdOption,
  type ActionContext,
  type ActionOutcome,
} from './users.js';

export const REVIEW_USAGE = `  plan-review round schedule-meeting <id> --date 2030-03-01 --start 09:00 --end 12:00 [--time-zone Z]
                           (--place P | --url U) --organiser O
                           (--expert "name | title | organisation | email")... [--experts experts.yaml] [--held]
                                       schedule the experts' meeting: each expert and the coordinator get an
                                       invitation with a calendar entry; --held records a meeting already held
                                       (no invitations, addresses optional); experts.yaml lists
                                       { name, title, organisation, email }
  plan-review round reschedule-meeting <id> --date D --start T --end T [--time-zone Z] (--place P | --url U)
                           --organiser O [--reason R]
                                       move it (the same calendar UID, the next SEQUENCE)
  plan-review round cancel-meeting <id> --reason R
  plan-review round record-opinions <id> <opinions.yaml>
                                       after the meeting: opinions (a list, numbered in order), signedOn
                                       (2030-03-01), signedBy, and optionally report { title, intro, assessment }
  plan-review round revision-note <id> <n> --text T [--at <doc>:<section>[:<quote>]]...
                                       opinion n's revision note and where the plan was changed
  plan-review round add-version <id> <doc> <file.md> [--note N]
                                       a revised version of a circulated document (Markdown, docs/document-format.md)
  plan-review round reanchor <id> <comment-id> --at <doc>:<section>[:<quote>]...
                                       point a disposition's change at sections of the current version again
  plan-review round resolve-objection <id> <bureau> --note N
                                       resolve a bureau's objection to its outcome notice`;

/** Wrong arguments to one of these commands (exit 2, with their usage). */
export class ReviewUsageError extends CliUsageError {
  constructor(message: string) {
    super(message);
    this.name = 'ReviewUsageError';
  }
}

/** How cli/run.ts reports these commands' wrong arguments: the message and their usage; undefined for others. */
export function describeReviewError(err: unknown): { message: string; exitCode: number } | undefined {
  return err instanceof ReviewUsageError ? { message: `${err.message}\n\n${REVIEW_USAGE}`, exitCode: 2 } : undefined;
}

/** The round's refusal, as one line in both languages; `refusal` for callers that look closer. */
export class RoundRefusedError extends CliError {
  constructor(readonly refusal: Refusal) {
    super(`本轮审查未接受 the round refused (${refusal.field}): ${refusalMessage(refusal)}`);
    this.name = 'RoundRefusedError';
  }
}

/** A value checked with `schema`; a problem names `what` (the argument or option) in the catalog's words. */
function arg<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw new ReviewUsageError(`${what}: ${issueMessage(parsed.error.issues[0]!)}`);
  return parsed.data;
}

const RoundIdArg = z.string().refine((id) => parseReviewRoundId(id) !== null, coded('roundId'));

/** The positionals a command takes, or its usage line. */
function positionals(given: string[], count: number, usage: string): string[] {
  if (given.length !== count) throw new ReviewUsageError(`round ${usage}`);
  return given;
}

/** Takes the action; the round's refusal becomes one line. Answers the round's status after it. */
async function act<K extends ActionName>(
  ctx: ActionContext,
  roundId: string,
  name: K,
  request: ActionRequest<K>,
): Promise<RoundStatus> {
  const sent = await ctx.rounds.act(roundId, name, request);
  if (sent.kind === 'refused') throw new RoundRefusedError(sent.refusal);
  unwrap(sent);
  return unwrap(await ctx.rounds.status(roundId));
}

// ---------------------------------------------------------------------------------------------
// The meeting

const MEETING_OPTIONS = {
  date: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  'time-zone': { type: 'string' },
  place: { type: 'string' },
  url: { type: 'string' },
  organiser: { type: 'string' },
} as const;

const OPTION_OF: Record<string, string> = { timeZone: 'time-zone' };

type MeetingValues = { [K in keyof typeof MEETING_OPTIONS]?: string };

/** The meeting from its options, checked as the request checks it; the zone is the round's unless given. */
function meetingArg(values: MeetingValues, timeZone: string): MeetingDraft {
  if (values.url !== undefined && !/^https?:\/\/\S+$/i.test(values.url))
    throw new ReviewUsageError(`--url: ${say('meetingUrl')}`);
  const draft = {
    date: values.date,
    start: values.start,
    end: values.end,
    timeZone: values['time-zone'] ?? timeZone,
    ...(values.place !== undefined && { place: values.place }),
    ...(values.url !== undefined && { url: values.url }),
    organiser: values.organiser,
  };
  const parsed = MeetingDraft.safeParse(draft, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? 'date');
    throw new ReviewUsageError(`--${OPTION_OF[field] ?? field}: ${issueMessage(issue)}`);
  }
  return parsed.data;
}

/** The experts of `--expert` lines, then those of an `--experts` file. */
async function expertsArg(lines: string[], file: string | undefined) {
  const fromLines = lines.length > 0 ? parseExpertLines(lines.join('\n')) : { experts: [] };
  if (fromLines.error) throw new ReviewUsageError(`--expert: ${fromLines.error}`);
  const fromFile = file
    ? await readStructuredFile(path.resolve(file), z.array(fileObject(ExpertDraft.shape)).min(1), issueMessage)
    : [];
  const experts = [...fromLines.experts, ...fromFile];
  if (experts.length === 0) throw new ReviewUsageError(`--expert: ${say('expertsMissing')}`);
  return experts;
}

const when = (s: RoundStatus) => {
  const m = s.expertReview?.meeting;
  return m ? formatMeetingTime(m.start, m.end, m.tz) : '';
};

/** An object of a file people write: a field it does not have is named, with those it has. */
function fileObject<S extends z.ZodRawShape>(shape: S) {
  const fields = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys' ? say('unknownFields', { keys: iss.keys.join(', '), fields }) : undefined,
  });
}

/** The experts' opinions as a coordinator types them into a YAML (or JSON) file. */
export const OpinionsFile = fileObject({
  opinions: RecordOpinionsRequest.shape.opinions,
  signedOn: RecordOpinionsRequest.shape.signedOn,
  signedBy: RecordOpinionsRequest.shape.signedBy,
  report: fileObject({ ...ExpertReport.shape, assessment: ExpertReport.shape.assessment.default([]) }).optional(),
});

type Command = (ctx: ActionContext, argv: string[]) => Promise<ActionOutcome>;

export const reviewCommands = {
  async 'schedule-meeting'(ctx, argv) {
    const { values, positionals: given } = parse(argv, {
      ...MEETING_OPTIONS,
      expert: { type: 'string', multiple: true },
      experts: { type: 'string' },
      held: { type: 'boolean' },
      ...requestIdOption,
    });
    const [id] = positionals(given, 1, 'schedule-meeting takes <id>');
    const roundId = arg(RoundIdArg, id, 'round id');
    const before = unwrap(await ctx.rounds.status(roundId));
    const meeting = meetingArg(values, before.timeZone);
    const experts = await expertsArg(values.expert ?? [], values.experts);
    const status = await act(ctx, roundId, 'scheduleMeeting', {
      ...ids(ctx, values['request-id']),
      meeting,
      experts,
      ...(values.held ? { held: true } : {}),
    });
    const uid = status.expertReview?.meeting?.uid ?? '';
    return {
      status,
      message: values.held
        ? `已记录已召开的专家评审会：${when(status)}，${experts.length} 位专家。Recorded the expert meeting held ${when(status)}, with ${experts.length} experts (UID ${uid}).`
        : `已安排专家评审会：${when(status)}，将邀请 ${experts.length} 位专家。Scheduled the expert meeting ${when(status)}; ${experts.length} experts are being invited (UID ${uid}).`,
    };
  },

  async 'reschedule-meeting'(ctx, argv) {
    const { values, positionals: given } = parse(argv, {
      ...MEETING_OPTIONS,
      reason: { type: 'string' },
      ...requestIdOption,
    });
    const [id] = positionals(given, 1, 'reschedule-meeting takes <id>');
    const roundId = arg(RoundIdArg, id, 'round id');
    const before = unwrap(await ctx.rounds.status(roundId));
    const meeting = meetingArg(values, before.expertReview?.meeting?.tz ?? before.timeZone);
    const reason = values.reason === undefined ? undefined : arg(text(2000), values.reason, '--reason');
    const status = await act(ctx, roundId, 'rescheduleMeeting', {
      ...ids(ctx, values['request-id']),
      meeting,
      ...(reason ? { reason } : {}),
    });
    const sequence = status.expertReview?.meeting?.sequence;
    return {
      status,
      message: `专家评审会已改期至 ${when(status)}（SEQUENCE ${sequence}）。The expert meeting is moved to ${when(status)} (SEQUENCE ${sequence}); the experts are being sent the update.`,
    };
  },

  async 'cancel-meeting'(ctx, argv) {
    const { values, positionals: given } = parse(argv, { reason: { type: 'string' }, ...requestIdOption });
    const [id] = positionals(given, 1, 'cancel-meeting takes <id>');
    const roundId = arg(RoundIdArg, id, 'round id');
    const reason = arg(text(2000), values.reason, '--reason');
    const status = await act(ctx, roundId, 'cancelMeeting', { ...ids(ctx, values['request-id']), reason });
    return {
      status,
      message: '专家评审会已取消，取消通知将发给各位专家。The expert meeting is cancelled; the experts are being told.',
    };
  },

  async 'record-opinions'(ctx, argv) {
    const { values, positionals: given } = parse(argv, { ...requestIdOption });
    const [id, file] = positionals(given, 2, 'record-opinions takes <id> <opinions.yaml>');
    const roundId = arg(RoundIdArg, id, 'round id');
    const recorded = await readStructuredFile(path.resolve(file!), OpinionsFile, issueMessage);
    const status = await act(ctx, roundId, 'recordOpinions', { ...ids(ctx, values['request-id']), ...recorded });
    const n = recorded.opinions.length;
    return {
      status,
      message: `已记录 ${n} 条专家意见，请逐条填写修改说明。Recorded ${n} expert opinions; write a revision note for each.`,
    };
  },

  async 'revision-note'(ctx, argv) {
    const { values, positionals: given } = parse(argv, {
      text: { type: 'string' },
      at: { type: 'string', multiple: true },
      ...requestIdOption,
    });
    const [id, number] = positionals(given, 2, 'revision-note takes <id> <opinion number>');
    const roundId = arg(RoundIdArg, id, 'round id');
    const n = Number(arg(z.string().regex(/^[1-9]\d{0,3}$/, say('opinionNumber')), number, 'opinion number'));
    const note = arg(text(20000), values.text, '--text');
    const before = unwrap(await ctx.rounds.status(roundId));
    const changedAt = (values.at ?? []).map((a) => parseAnchorArg(a, before));
    const status = await act(ctx, roundId, 'writeRevisionNote', {
      ...ids(ctx, values['request-id']),
      n,
      note: { text: note, changedAt },
    });
    const left = status.expertReview?.opinions.filter((o) => !o.revisionNote).length ?? 0;
    return {
      status,
      message: `第 ${n} 条专家意见的修改说明已保存（尚有 ${left} 条待填写）。The revision note of opinion ${n} is saved (${left} still without one).`,
    };
  },

  async 'add-version'(ctx, argv) {
    const { values, positionals: given } = parse(argv, { note: { type: 'string' }, ...requestIdOption });
    const [id, doc, source] = positionals(given, 3, 'add-version takes <id> <doc> <file.md>');
    const roundId = arg(RoundIdArg, id, 'round id');
    const docKey = arg(Slug, doc, 'document');
    const note = values.note === undefined ? undefined : arg(text(2000), values.note, '--note');
    const before = unwrap(await ctx.rounds.status(roundId));
    if (!before.documents.some((d) => d.key === docKey))
      throw new ReviewUsageError(
        `document: ${say('noSuchDocument')} (${before.documents.map((d) => d.key).join(', ')})`,
      );
    const bytes = await readCheckedFile(path.resolve(source!), (b) => documentFileProblem(b, ctx.attachmentMaxBytes));
    const { sha256 } = await ctx.store.put(bytes);
    const status = await act(ctx, roundId, 'addDocumentVersion', {
      ...ids(ctx, values['request-id']),
      docKey,
      sha256,
      ...(note ? { note } : {}),
    });
    const d = status.documents.find((x) => x.key === docKey)!;
    const broken = brokenAnchors(status).length;
    return {
      status,
      message:
        `《${d.title}》第 ${d.versions.length} 版已加入（SHA-256 ${sha256}）${broken ? `；${broken} 处修改位置需重新指定` : ''}。` +
        `Version ${d.versions.length} of 《${d.title}》 is added (SHA-256 ${sha256})${broken ? `; ${broken} anchors must be re-anchored` : ''}.`,
    };
  },

  async reanchor(ctx, argv) {
    const { values, positionals: given } = parse(argv, { at: { type: 'string', multiple: true }, ...requestIdOption });
    const [id, commentId] = positionals(given, 2, 'reanchor takes <id> <comment-id> --at <doc>:<section>');
    const roundId = arg(RoundIdArg, id, 'round id');
    if (!values.at?.length) throw new ReviewUsageError(`--at: ${say('anchorsMissing')}`);
    const before = unwrap(await ctx.rounds.status(roundId));
    const changedAt = values.at.map((a) => parseAnchorArg(a, before));
    const status = await act(ctx, roundId, 'reanchorDisposition', {
      ...ids(ctx, values['request-id']),
      commentId: arg(text(200), commentId, 'comment id'),
      changedAt,
    });
    return {
      status,
      message: `意见 ${commentId} 的修改位置已更新（处理结果不变）。The places of comment ${commentId}'s change are updated (the decision stands).`,
    };
  },

  async 'resolve-objection'(ctx, argv) {
    const { values, positionals: given } = parse(argv, { note: { type: 'string' }, ...requestIdOption });
    const [id, bureau] = positionals(given, 2, 'resolve-objection takes <id> <bureau> --note N');
    const roundId = arg(RoundIdArg, id, 'round id');
    const bureauId = arg(Slug, bureau, 'bureau');
    const note = arg(text(5000), values.note, '--note');
    const status = await act(ctx, roundId, 'resolveObjection', { ...ids(ctx, values['request-id']), bureauId, note });
    const b = status.bureaus.find((x) => x.bureau.id === bureauId)?.bureau;
    return {
      status,
      message: `已处理${b?.nameZh ?? bureauId}的异议。The objection of ${b?.nameEn ?? bureauId} is resolved.`,
    };
  },
} satisfies Record<string, Command>;
