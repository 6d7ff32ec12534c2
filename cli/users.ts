/**
 * The CLI's side of named users and coordinator actions:
 *   plan-review user add <username> --name N --role R [--role R2] [--email E]
 *   plan-review round extend|waive|contact|resend|add-bureau|close|cancel|paper ...
 * The CLI acts as the user named by PLAN_REVIEW_USER (looked up in the users file); every action
 * records that user as its actor. Wired into cli/run.ts.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseInstantInput } from '../domain/time.js';
import { FileProblemsError, readCheckedFile, readStructuredFile } from '../infra/structuredFile.js';
import { z } from 'zod';
import type { CommentDraft, DocumentAnswerDraft, ReplyReceipt } from '../domain/consultation.js';
import { parseReviewRoundId } from '../domain/ids.js';
import { Bureau, Responder, Slug, line, text, type Actor } from '../domain/records.js';
import type { RoundStatus } from '../domain/round.js';
import type { Config } from '../infra/config.js';
import { RoundGatewayError, unwrap, type RoundService } from '../infra/roundGateway.js';
import type { ContentStore } from '../infra/store.js';
import { formatInstant } from '../infra/templates.js';
import {
  actorOf,
  addUser,
  loadUsers,
  Password,
  UserRole,
  UsersFileError,
  type UserRole as Role,
} from '../infra/users.js';
import { CommentCardEntry, readCommentCard } from '../domain/commentCard.js';
import { parseContactLines } from '../domain/contactLines.js';
import { checkScan } from '../infra/scans.js';
import { latestSections, resolveSection } from '../domain/sections.js';
import type { AnchorDraft } from '../domain/disposition.js';
import { DECISION_LABELS, ROLE_LABELS } from '../domain/labels.js';
import type { Decision } from '../domain/records.js';
import { undisposed } from '../workflows/stages/disposition/rules.js';

/** A message for the person at the terminal (exit 1). */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Wrong arguments (exit 2, with the usage). */
export class CliUsageError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export const USERS_USAGE = `  plan-review user add <username> --name N --role coordinator|approver|auditor [--role R2] [--email E]
                                       the password comes from PLAN_REVIEW_PASSWORD or one line on stdin;
                                       for an existing user: its new password, name and roles (its sessions end)
  plan-review round extend <id> <bureau> <deadline> --reason R
                                       deadline: 2030-03-01T18:00 (the round's time zone) or with an offset
  plan-review round waive <id> <bureau> --reason R
  plan-review round contact <id> <bureau> --email E [--email E2] [--person P] --reason R
  plan-review round resend <id> <bureau>
  plan-review round add-bureau <id> <bureau.yaml> [--deadline D]
  plan-review round close <id> [--reason R]
  plan-review round cancel <id> --reason R
  plan-review round paper <id> <bureau> <reply.yaml> <scan.pdf|png|jpg>
  plan-review round dispose <id> <comment-id> --decision adopted|partial|not-adopted [--rationale R]
                           [--at <doc>:<section>[:<quote>]]...
                                       decide one comment (a rationale unless adopted); --at names where the
                                       change is made: a section of the document's current version
  plan-review round adopt-all <id> <bureau>
                                       adopt every undecided comment of one bureau
  plan-review round publish <id> [--note N]
                                       publish every disposition (refused while a comment is undecided)
  (round actions act as PLAN_REVIEW_USER; --request-id X makes a retry the same action)`;

/** How cli/run.ts reports these errors: the message and the exit code, or undefined for others. */
export function describeCliError(err: unknown): { message: string; exitCode: number } | undefined {
  if (err instanceof CliUsageError) return { message: `${err.message}\n\n${USERS_USAGE}`, exitCode: 2 };
  if (err instanceof CliError || err instanceof UsersFileError || err instanceof FileProblemsError)
    return { message: err.message, exitCode: 1 };
  if (err instanceof RoundGatewayError)
    return { message: err.outcome.kind === 'refused' ? `the round refused: ${err.message}` : err.message, exitCode: 1 };
  return undefined;
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
}

export function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CliUsageError(`${what}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Users

export interface UserAddOptions {
  usersFile: string;
  /** PLAN_REVIEW_PASSWORD is read from here (default process.env). */
  env?: Record<string, string | undefined>;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
}

async function readLine(
  stdin: NodeJS.ReadableStream & { isTTY?: boolean },
  stderr: NodeJS.WritableStream,
): Promise<string> {
  if (stdin.isTTY) stderr.write('password (shown as you type; one line): ');
  const rl = createInterface({ input: stdin, terminal: false });
  try {
    for await (const line of rl) return line;
    throw new CliError('no password: set PLAN_REVIEW_PASSWORD or give it as one line on stdin');
  } finally {
    rl.close();
  }
}

/** `plan-review user add <username> --name N --role R [--role R2] [--email E]`; returns what to print. */
export async function userAddCommand(argv: string[], opts: UserAddOptions): Promise<string> {
  const { values, positionals } = parse(argv, {
    name: { type: 'string' },
    role: { type: 'string', multiple: true },
    email: { type: 'string' },
  });
  if (positionals.length !== 1) throw new CliUsageError('user add takes one username');
  const username = positionals[0]!;
  const name = check(line(200), values.name, '--name (the name recorded on every action)');
  const roles = check(
    z.array(UserRole).min(1, 'give at least one --role'),
    values.role ?? [],
    '--role (coordinator, approver or auditor)',
  );
  const email = values.email === undefined ? undefined : check(z.email(), values.email, '--email');
  const env = opts.env ?? process.env;
  const password =
    env.PLAN_REVIEW_PASSWORD ?? (await readLine(opts.stdin ?? process.stdin, opts.stderr ?? process.stderr));
  check(Password, password, 'password');
  const { user, replaced } = await addUser(
    opts.usersFile,
    { username, name, roles: [...new Set(roles)], ...(email ? { email } : {}) },
    password,
  );
  const roleText = `role${user.roles.length > 1 ? 's' : ''} ${user.roles.join(', ')}`;
  return replaced
    ? `updated ${user.username} (${user.name}) with ${roleText} in ${opts.usersFile}: a new password, and every session of ${user.username} has ended`
    : `added ${user.username} (${user.name}) with ${roleText} to ${opts.usersFile}`;
}

/**
 * Why the CLI does not act as this user, Chinese then English; an auditor (who holds no role that
 * acts) also learns what its account is for, so the refusal is not mistaken for a fault.
 */
function withoutRole(username: string, role: Role, has: Role[]): string {
  const zhRoles = has.map((r) => `${ROLE_LABELS[r].zh}（${r}）`).join('、');
  const readsOnly = !has.includes('coordinator') && !has.includes('approver');
  return [
    `PLAN_REVIEW_USER=${username} 没有${ROLE_LABELS[role].zh}（${role}）角色（现有角色：${zhRoles}），命令行不以该用户执行此操作，审查轮次未作任何更改。`,
    ...(readsOnly ? ['审计人只能查阅：round status、round records、audit、verify 等。'] : []),
    `PLAN_REVIEW_USER=${username}: this user does not have the role ${role} (has: ${has.join(', ')}), so the CLI does not act as them; nothing on the round changed.`,
    ...(readsOnly ? ['An auditor only reads: round status, round records, audit, verify and the like.'] : []),
  ].join(' ');
}

/** The Actor the CLI acts as: PLAN_REVIEW_USER, looked up in the users file, in the given role. */
export async function cliActor(
  config: Pick<Config, 'PLAN_REVIEW_USER' | 'paths'>,
  role: Role = 'coordinator',
): Promise<Actor> {
  const username = config.PLAN_REVIEW_USER;
  if (!username) {
    throw new CliError(
      `PLAN_REVIEW_USER is not set: set it to your username in ${config.paths.users}, so that what the CLI does records who did it`,
    );
  }
  const user = (await loadUsers(config.paths.users)).find((u) => u.username === username);
  if (!user)
    throw new CliError(
      `PLAN_REVIEW_USER=${username}: no such user in ${config.paths.users} (add one with plan-review user add)`,
    );
  if (!user.roles.includes(role)) throw new CliError(withoutRole(username, role, user.roles));
  return actorOf(user, role);
}

// ---------------------------------------------------------------------------------------------
// Coordinator actions

export interface ActionContext {
  rounds: RoundService;
  /** From cliActor(config). */
  actor: Actor;
  store: ContentStore;
  attachmentMaxBytes: number;
}

export interface ActionOutcome {
  /** One line saying what was done. */
  message: string;
  /** The round after the action. */
  status: RoundStatus;
  receipt?: ReplyReceipt;
}

export const RoundIdArg = z
  .string({ message: 'a round id is required, e.g. round:xinrong-eco-plan:1' })
  .refine(
    (id) => parseReviewRoundId(id) !== null,
    'not a round id: expected round:<plan id>:<round number>, e.g. round:xinrong-eco-plan:1',
  );
const BureauArg = z.string({ message: 'a bureau id is required, e.g. finance' }).pipe(Slug);
const ReasonOption = text(2000);
export const RequestIdOption = z.string().min(8, 'at least 8 characters').max(200);

/** A date-time typed at the terminal: local to the round's zone, or with an offset (Z, +08:00) or [zone]. */
export function parseCliInstant(value: string, timeZone: string): string {
  const at = parseInstantInput(value, timeZone);
  if (at !== undefined) return at;
  throw new CliUsageError(
    `not a date and time: ${JSON.stringify(value)}; write 2030-03-01T18:00 (in ${timeZone}) or 2030-03-01T18:00+08:00`,
  );
}

function bureauOf(status: RoundStatus, bureauId: string) {
  const b = status.bureaus.find((x) => x.bureau.id === bureauId);
  if (!b)
    throw new CliUsageError(
      `round ${status.id} has no bureau ${bureauId} (it has: ${status.bureaus.map((x) => x.bureau.id).join(', ')})`,
    );
  return b;
}

/** A reply that came on paper, as a coordinator types it into a YAML file; each comment is a card (domain/commentCard.ts). */
export const PaperReplyFile = z
  .object({
    responder: Responder,
    /** When it was received: local to the round's time zone unless it carries an offset; default: now. */
    receivedAt: line(64).optional(),
    perDocument: z.record(
      Slug,
      z.union([
        z.literal('noComments'),
        z.array(CommentCardEntry).min(1, 'list at least one comment, or write noComments'),
      ]),
    ),
  })
  .strict();

type Command = (ctx: ActionContext, argv: string[]) => Promise<ActionOutcome>;

export function ids(ctx: ActionContext, requestId: string | undefined) {
  return {
    requestId: requestId === undefined ? `cli:${randomUUID()}` : check(RequestIdOption, requestId, '--request-id'),
    actor: ctx.actor,
  };
}

export const requestIdOption = { 'request-id': { type: 'string' } } as const;

const DECISION_ARGS: Record<string, Decision> = { adopted: 'adopted', partial: 'partial', 'not-adopted': 'notAdopted' };

/**
 * `--at <doc>:<section>[:<quote>]` → an anchor: the section as typed (its number, label, title or id)
 * is told back to its id in the document's current version; one the round does not know is sent as
 * typed, and the round refuses it by name.
 */
export function parseAnchorArg(value: string, status: RoundStatus): AnchorDraft {
  const m = /^([^:]+):([^:]+)(?::([\s\S]*))?$/.exec(value);
  if (!m)
    throw new CliUsageError(
      `--at ${JSON.stringify(value)}：应写作 <文件>:<章节>[:<原文引用>]。Write it as <doc>:<section>[:<quote>], e.g. plan:3.7`,
    );
  const doc = m[1]!.trim();
  const typed = m[2]!.trim();
  const quote = m[3]?.trim();
  const section = resolveSection(latestSections(status, doc), typed) ?? typed;
  return { doc, section, ...(quote ? { quote } : {}) };
}

const decisionWords = (d: Decision) => `${DECISION_LABELS[d].zh} ${DECISION_LABELS[d].en.toLowerCase()}`;

/** The disposition stage's commands: decide a comment, adopt all of a bureau's, publish. */
const dispositionCommands: Record<'dispose' | 'adopt-all' | 'publish', Command> = {
  async dispose(ctx, argv) {
    const { values, positionals } = parse(argv, {
      decision: { type: 'string' },
      rationale: { type: 'string' },
      at: { type: 'string', multiple: true },
      ...requestIdOption,
    });
    if (positionals.length !== 2) throw new CliUsageError('round dispose takes <id> <comment-id>');
    const roundId = check(RoundIdArg, positionals[0], 'round id');
    const commentId = check(text(200), positionals[1], 'comment id');
    const decision = DECISION_ARGS[values.decision ?? ''];
    if (!decision)
      throw new CliUsageError(
        '--decision：请写 adopted（采纳）、partial（部分采纳）或 not-adopted（不采纳）。Give --decision adopted, partial or not-adopted',
      );
    const rationale = values.rationale === undefined ? undefined : check(text(20000), values.rationale, '--rationale');
    if (decision !== 'adopted' && !rationale)
      throw new CliUsageError(
        '--rationale：未完全采纳的意见须说明理由。A comment not fully adopted needs a rationale: give --rationale',
      );
    const before = unwrap(await ctx.rounds.status(roundId));
    const changedAt = (values.at ?? []).map((a) => parseAnchorArg(a, before));
    unwrap(
      await ctx.rounds.act(roundId, 'disposeComment', {
        ...ids(ctx, values['request-id']),
        disposition: { commentId, decision, ...(rationale ? { rationale } : {}), changedAt },
      }),
    );
    const status = unwrap(await ctx.rounds.status(roundId));
    const left = undisposed(status).length;
    return {
      status,
      message: `意见 ${commentId}：${decisionWords(decision)}（草稿，发布前可修改；尚有 ${left} 条待处理）。Comment ${commentId} is ${DECISION_LABELS[decision].en.toLowerCase()} (a draft until published; ${left} still undecided).`,
    };
  },

  async 'adopt-all'(ctx, argv) {
    const { values, positionals } = parse(argv, { ...requestIdOption });
    if (positionals.length !== 2) throw new CliUsageError('round adopt-all takes <id> <bureau>');
    const roundId = check(RoundIdArg, positionals[0], 'round id');
    const bureauId = check(BureauArg, positionals[1], 'bureau');
    const before = unwrap(await ctx.rounds.status(roundId));
    const b = bureauOf(before, bureauId);
    const open = undisposed(before).length;
    unwrap(await ctx.rounds.act(roundId, 'adoptAllComments', { ...ids(ctx, values['request-id']), bureauId }));
    const status = unwrap(await ctx.rounds.status(roundId));
    const left = undisposed(status).length;
    return {
      status,
      message: `已采纳${b.bureau.nameZh}的 ${open - left} 条待处理意见（尚有 ${left} 条待处理）。Adopted ${open - left} undecided comments of ${bureauId} (${left} still undecided).`,
    };
  },

  async publish(ctx, argv) {
    const { values, positionals } = parse(argv, { note: { type: 'string' }, ...requestIdOption });
    if (positionals.length !== 1) throw new CliUsageError('round publish takes <id>');
    const roundId = check(RoundIdArg, positionals[0], 'round id');
    const note = values.note === undefined ? undefined : check(text(2000), values.note, '--note');
    unwrap(
      await ctx.rounds.act(roundId, 'publishDispositions', {
        ...ids(ctx, values['request-id']),
        ...(note ? { note } : {}),
      }),
    );
    const status = unwrap(await ctx.rounds.status(roundId));
    return {
      status,
      message: `已发布 ${status.dispositions.length} 条意见的处理结果。Published the dispositions of ${status.dispositions.length} comments.`,
    };
  },
};

export const coordinatorActionCommands: Record<
  | 'extend'
  | 'waive'
  | 'contact'
  | 'resend'
  | 'add-bureau'
  | 'close'
  | 'cancel'
  | 'paper'
  | 'dispose'
  | 'adopt-all'
  | 'publish',
  Command
> = {
  async extend(ctx, argv) {
    const { values, positionals } = parse(argv, { reason: { type: 'string' }, ...requestIdOption });
    if (positionals.length !== 3) throw new CliUsageError('round extend takes <id> <bureau> <deadline>');
    const roundId = check(RoundIdArg, positionals[0], 'round id');
    const bureauId = check(BureauArg, positionals[1], 'bureau');
    const reason = check(ReasonOption, values.reason, '--reason (why the deadline moves)');
    const before = unwrap(await ctx.rounds.status(roundId));
    const b = bureauOf(before, bureauId);
    const deadline = parseCliInstant(positionals[2]!, before.timeZone);
    unwrap(
      await ctx.rounds.act(roundId, 'extendDeadline', {
        ...ids(ctx, values['request-id']),
        bureauId,
        deadline,
        reason,
      }),
    );
    const status = unwrap(await ctx.rounds.status(roundId));
    return {
      status,
      message: `extended ${bureauId}'s deadline to ${formatInstant(deadline, b.bureau.timeZone ?? before.timeZone)}`,
    };
  },

  async waive(ctx, argv) {
    const { values, positionals } = parse(argv, { reason: { type: 'string' }, ...requestIdOption });
    if (positionals.length !== 2) throw new CliUsageError('round waive takes <id> <bureau>');
    const roundId = check(RoundIdArg, positionals[0], 'round id');
    const bureauId = check(BureauArg, positionals[1], 'bureau');
    const reason = check(ReasonOption, values.reason, '--reason (why the bureau is waived)');
    unwrap(await ctx.rounds.act(roundId, 'waiveBureau', { ...ids(ctx, values['request-id']), bureauId, reason }));
    const status = unwrap(await ctx.rounds.status(roundId));
    return { status, message: `waived ${bureauId}` };
  },

  async contact(ctx, argv) {
    const { values, positionals } = parse(argv, {
      email: { type: 'string', multiple: true },
      person: { type: 'string' },
      reason: { type: 'string' },
      ...requestIdOption,
    });
    if (positionals.length !== 2) throw new CliUsageError('round contact takes <id> <bureau>');
    const roundId = check(RoundIdArg, positionals[0], 'round id');
    const bureauId = check(BureauArg, positionals[1], 'bureau');
    const { contacts, error } = parseContactLines((values.email ?? []).join('\n'));
    if (error) throw new CliUsageError(`--email: ${error}`);
    const contactPerson = values.person === undefined ? undefined : check(line(200), values.person, '--person');
    const reason = check(ReasonOption, values.reason, '--reason (why the contact changes)');
    unwrap(
      await ctx.rounds.act(roundId, 'changeContact', {
        ...ids(ctx, values['request-id']),
        bureauId,
        contacts,
        ...(contactPerson ? { contactPerson } : {}),
        reason,
      }),
    );
    const status = unwrap(await ctx.rounds.status(roundId));
    return {
      status,
      message: `changed ${bureauId}'s contact to ${contacts.map((c) => c.email).join(', ')}: the old link is revoked and a new invitation is sent`,
    };
  },

  async resend(ctx, argv) {
    const { values, positionals } = parse(argv, { ...requestIdOption });
    if (positionals.length !== 2) throw new CliUsageError('round resend takes <id> <bureau>');
    const roundId = check(RoundIdArg, positionals[0], 'round id');
    const bureauId = check(BureauArg, positionals[1], 'bureau');
    unwrap(await ctx.rounds.act(roundId, 'resendInvitation', { ...ids(ctx, values['request-id']), bureauId }));
    const status = unwrap(await ctx.rounds.status(roundId));
    return { status, message: `the invitation to ${bureauId} is being resent` };
  },

  async 'add-bureau'(ctx, argv) {
    const { values, positionals } = parse(argv, { deadline: { type: 'string' }, ...requestIdOption });
    if (positionals.length !== 2) throw new CliUsageError('round add-bureau takes <id> <bureau.yaml>');
    const roundId = check(RoundIdArg, positionals[0], 'round id');
    const file = path.resolve(positionals[1]!);
    const bureau = await readStructuredFile(file, Bureau);
    let deadline: string | undefined;
    if (values.deadline !== undefined)
      deadline = parseCliInstant(values.deadline, unwrap(await ctx.rounds.status(roundId)).timeZone);
    unwrap(
      await ctx.rounds.act(roundId, 'addBureau', {
        ...ids(ctx, values['request-id']),
        bureau: bureau,
        ...(deadline ? { deadline } : {}),
      }),
    );
    const status = unwrap(await ctx.rounds.status(roundId));
    return { status, message: `added ${bureau.id} (${bureau.nameZh}); its invitation is being sent` };
  },

  async close(ctx, argv) {
    const { values, positionals } = parse(argv, { reason: { type: 'string' }, ...requestIdOption });
    if (positionals.length !== 1) throw new CliUsageError('round close takes <id>');
    const roundId = check(RoundIdArg, positionals[0], 'round id');
    const reason = values.reason === undefined ? undefined : check(ReasonOption, values.reason, '--reason');
    unwrap(
      await ctx.rounds.act(roundId, 'closeConsultation', {
        ...ids(ctx, values['request-id']),
        ...(reason ? { reason } : {}),
      }),
    );
    const status = unwrap(await ctx.rounds.status(roundId));
    return { status, message: `closed the consultation of ${roundId}` };
  },

  async cancel(ctx, argv) {
    const { values, positionals } = parse(argv, { reason: { type: 'string' }, ...requestIdOption });
    if (positionals.length !== 1) throw new CliUsageError('round cancel takes <id>');
    const roundId = check(RoundIdArg, positionals[0], 'round id');
    const reason = check(ReasonOption, values.reason, '--reason (why the round is cancelled)');
    unwrap(await ctx.rounds.act(roundId, 'cancelRound', { ...ids(ctx, values['request-id']), reason }));
    const status = unwrap(await ctx.rounds.status(roundId));
    return { status, message: `cancelled ${roundId}` };
  },

  async paper(ctx, argv) {
    const { values, positionals } = parse(argv, { ...requestIdOption });
    if (positionals.length !== 4) throw new CliUsageError('round paper takes <id> <bureau> <reply.yaml> <scan file>');
    const roundId = check(RoundIdArg, positionals[0], 'round id');
    const bureauId = check(BureauArg, positionals[1], 'bureau');
    const replyFile = path.resolve(positionals[2]!);
    const scanFile = path.resolve(positionals[3]!);
    const paper = await readStructuredFile(replyFile, PaperReplyFile);
    const before = unwrap(await ctx.rounds.status(roundId));
    bureauOf(before, bureauId);

    const problems: string[] = [];
    const perDocument: Record<string, DocumentAnswerDraft> = {};
    for (const key of Object.keys(paper.perDocument)) {
      if (!before.documents.some((d) => d.key === key))
        problems.push(
          `perDocument.${key}: this round circulates no document ${key} (it has: ${before.documents.map((d) => d.key).join(', ')})`,
        );
    }
    for (const doc of before.documents) {
      const answer = paper.perDocument[doc.key];
      if (answer === undefined) {
        problems.push(`perDocument.${doc.key}: missing: write noComments or list the comments on ${doc.title}`);
        continue;
      }
      if (answer === 'noComments') {
        perDocument[doc.key] = { kind: 'noComments' };
        continue;
      }
      const sections = latestSections(before, doc.key);
      const comments: CommentDraft[] = [];
      for (const [i, entry] of answer.entries()) {
        const card = readCommentCard(entry, sections);
        if (card.ok) comments.push(card.comment);
        else
          for (const [field, message] of Object.entries(card.errors))
            problems.push(`perDocument.${doc.key}.${i}.${field}: ${message}`);
      }
      perDocument[doc.key] = { kind: 'comments', comments };
    }
    let receivedAt: string | undefined;
    if (paper.receivedAt !== undefined) {
      try {
        receivedAt = parseCliInstant(paper.receivedAt, before.timeZone);
      } catch (err) {
        problems.push(`receivedAt: ${(err as Error).message}`);
      }
    }
    if (problems.length > 0) throw new CliError(`${replyFile}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);

    const bytes = await readCheckedFile(scanFile, (b) => checkScan(b, ctx.attachmentMaxBytes));
    const { sha256: scanSha256 } = await ctx.store.put(bytes);

    const receipt = unwrap(
      await ctx.rounds.act(roundId, 'recordPaperReply', {
        ...ids(ctx, values['request-id']),
        bureauId,
        reply: { responder: paper.responder, perDocument },
        scanSha256,
        ...(receivedAt ? { receivedAt } : {}),
      }),
    );
    const status = unwrap(await ctx.rounds.status(roundId));
    return {
      status,
      receipt,
      message: `recorded ${bureauId}'s paper reply: receipt no. ${receipt.n}, version ${receipt.version}, SHA-256 ${receipt.contentSha256}${receipt.late ? ' (late)' : ''}; scan ${scanSha256}`,
    };
  },
  ...dispositionCommands,
};

export type CoordinatorActionName = keyof typeof coordinatorActionCommands;
