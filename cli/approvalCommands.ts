/**
 * The CLI's approval commands:
 *   plan-review round candidate <id> [--out file.pdf]
 *   plan-review round approve <id> <sha256>
 *   plan-review round reject <id> <sha256> --reason R
 *   plan-review round pdf <id> --out file.pdf
 * approve and reject act as PLAN_REVIEW_USER, who must hold the approver role; candidate and pdf
 * only read (the round's status, and the PDF from the document store, checked against its hash).
 * Each command checks its arguments before it asks for the user or connects.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { approvedPdf, blockerText } from '../domain/approval.js';
import { stageText } from '../domain/labels.js';
import { text, type Actor } from '../domain/records.js';
import type { RoundStatus } from '../domain/round.js';
import { RoundGatewayError, type ActionRequest, type RoundService } from '../infra/roundGateway.js';
import { ContentNotFoundError, type ContentStore } from '../infra/store.js';
import { formatInstant } from '../infra/templates.js';
import { joined, refusalMessage } from '../domain/messages.js';
import { approvalBlockers } from '../workflows/stages/approval/rules.js';
import { check, CliError, CliUsageError, parse, RequestIdOption, requestIdOption, RoundIdArg } from './users.js';

export const APPROVAL_USAGE = `  plan-review round candidate <id> [--out file.pdf]
                                       the candidate PDF: its SHA-256 and pages (the file to --out),
                                       or what blocks approval while there is none
  plan-review round approve <id> <sha256>
                                       approve the candidate PDF by its SHA-256: that very file is approved
  plan-review round reject <id> <sha256> --reason R
                                       return the candidate PDF for revision
  plan-review round pdf <id> --out file.pdf
                                       write the approved PDF
  (approve and reject act as PLAN_REVIEW_USER, an approver; --request-id X makes a retry the same action)`;

/** Wrong arguments to an approval command (exit 2, with the approval commands' usage). */
export class ApprovalUsageError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalUsageError';
  }
}

/** How cli/run.ts reports a usage error of these commands; undefined for any other error. */
export function describeApprovalError(err: unknown): { message: string; exitCode: number } | undefined {
  if (err instanceof ApprovalUsageError) return { message: `${err.message}\n\n${APPROVAL_USAGE}`, exitCode: 2 };
  return undefined;
}

export interface ApprovalContext {
  /** Connects, hands the rounds to `fn`, and closes the connection (cli/run.ts withRounds). */
  withRounds<T>(fn: (rounds: RoundService) => Promise<T>): Promise<T>;
  /** The document store the workers keep the PDFs in. */
  store: ContentStore;
  /** Who approves or rejects: PLAN_REVIEW_USER in the approver role (cliActor(config, 'approver')). */
  approver(): Promise<Actor>;
}

/** The arguments, checked: a usage error names the approval commands' usage. */
function args<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof CliUsageError) throw new ApprovalUsageError(err.message);
    throw err;
  }
}

const Sha256Arg = z
  .string({ message: 'the SHA-256 of the candidate PDF is required (plan-review round candidate <id> prints it)' })
  .trim()
  .toLowerCase()
  .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256 (64 hexadecimal digits)'));
const OutFile = z.string().min(1, 'name the file to write');

async function statusOf(rounds: RoundService, roundId: string): Promise<RoundStatus> {
  const status = await rounds.status(roundId);
  if (status.kind !== 'done') throw new RoundGatewayError(status);
  return status.value;
}

/** The bytes of a PDF of the round from the store (its hash checked there), written to `out`. */
async function writePdf(store: ContentStore, sha256: string, out: string): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await store.get(sha256);
  } catch (err) {
    if (err instanceof ContentNotFoundError)
      throw new CliError(
        `the PDF ${sha256} is not in the document store here (PLAN_REVIEW_DATA_DIR: the store the workers share)`,
      );
    throw err;
  }
  try {
    await writeFile(out, bytes);
  } catch (err) {
    throw new CliError(`${out}: cannot write: ${(err as Error).message}`);
  }
}

/** Why a round has no candidate PDF now, in one line, Chinese then English. */
function noCandidate(status: RoundStatus): string {
  const blockers = approvalBlockers(status).map((b) => joined(blockerText(b)));
  const head = `${status.id} 没有候选 PDF has no candidate PDF (${stageText(status.stage)})`;
  if (blockers.length > 0) return `${head}: 尚不能批准 what blocks approval: ${blockers.join('; ')}`;
  if (status.stage === 'revision')
    return `${head}: 已退回修改，记录变更后将生成新的候选 PDF。Returned for revision: a new candidate is rendered once the records change`;
  if (status.stage === 'approval') return `${head}: 正在生成，请稍后再试。It is being rendered: try again in a moment`;
  return head;
}

/** Sends the approver's decision; a refusal is one line in the catalog's words. */
async function decide<K extends 'approveCandidate' | 'rejectCandidate'>(
  ctx: ApprovalContext,
  roundId: string,
  name: K,
  request: ActionRequest<K>,
): Promise<RoundStatus> {
  return ctx.withRounds(async (rounds) => {
    const sent = await rounds.act(roundId, name, request);
    if (sent.kind === 'refused') throw new CliError(`the round refused: ${refusalMessage(sent.refusal)}`);
    if (sent.kind !== 'done') throw new RoundGatewayError(sent);
    return statusOf(rounds, roundId);
  });
}

const requestIdOf = (given: string | undefined) =>
  given === undefined ? `cli:${randomUUID()}` : check(RequestIdOption, given, '--request-id');

/** `<id> [--out file.pdf]`, the arguments of candidate and pdf (whose --out is required). */
function idAndOut(argv: string[], usage: string): { roundId: string; out?: string };
function idAndOut(argv: string[], usage: string, outRequired: true): { roundId: string; out: string };
function idAndOut(argv: string[], usage: string, outRequired = false) {
  return args(() => {
    const { values, positionals } = parse(argv, { out: { type: 'string' } });
    if (positionals.length !== 1) throw new CliUsageError(usage);
    return {
      roundId: check(RoundIdArg, positionals[0], 'round id'),
      out:
        values.out === undefined && !outRequired
          ? undefined
          : check(OutFile, values.out ?? '', '--out (the file to write)'),
    };
  });
}

type Command = (ctx: ApprovalContext, argv: string[]) => Promise<string>;

export const approvalCommands: Record<'candidate' | 'approve' | 'reject' | 'pdf', Command> = {
  async candidate(ctx, argv) {
    const { roundId, out } = idAndOut(argv, 'round candidate takes <id>');
    const status = await ctx.withRounds((rounds) => statusOf(rounds, roundId));
    const candidate = status.approval.candidate;
    if (!candidate) throw new CliError(noCandidate(status));
    if (out) await writePdf(ctx.store, candidate.pdfSha256, out);
    const approved = approvedPdf(status.approval) === candidate.pdfSha256;
    return [
      `${roundId} 的候选 PDF The candidate PDF${approved ? '（已批准 approved）' : ''}`,
      `SHA-256:        ${candidate.pdfSha256}`,
      `pages:          ${candidate.pages}`,
      `rendered at:    ${formatInstant(candidate.renderedAt, status.timeZone, { seconds: true })}`,
      ...(candidate.issueDate ? [`issue date:     ${candidate.issueDate}`] : []),
      `record SHA-256: ${candidate.recordSha256}`,
      ...(out ? [`written to:     ${out}`] : []),
      ...(approved ? [] : ['', `approve it with: plan-review round approve ${roundId} ${candidate.pdfSha256}`]),
    ].join('\n');
  },

  async approve(ctx, argv) {
    const { roundId, pdfSha256, requestId } = args(() => {
      const { values, positionals } = parse(argv, { ...requestIdOption });
      if (positionals.length !== 2) throw new CliUsageError('round approve takes <id> <sha256>');
      return {
        roundId: check(RoundIdArg, positionals[0], 'round id'),
        pdfSha256: check(Sha256Arg, positionals[1], 'sha256'),
        requestId: requestIdOf(values['request-id']),
      };
    });
    const actor = await ctx.approver();
    await decide(ctx, roundId, 'approveCandidate', { requestId, actor, pdfSha256 });
    return `已批准 ${roundId} 的候选 PDF，该文件即批准稿。Approved the candidate PDF of ${roundId}: SHA-256 ${pdfSha256} is the approved PDF (plan-review round pdf ${roundId} --out plan.pdf writes it).`;
  },

  async reject(ctx, argv) {
    const { roundId, pdfSha256, reason, requestId } = args(() => {
      const { values, positionals } = parse(argv, { reason: { type: 'string' }, ...requestIdOption });
      if (positionals.length !== 2) throw new CliUsageError('round reject takes <id> <sha256> --reason R');
      return {
        roundId: check(RoundIdArg, positionals[0], 'round id'),
        pdfSha256: check(Sha256Arg, positionals[1], 'sha256'),
        reason: check(text(5000), values.reason, '--reason (why the candidate returns for revision)'),
        requestId: requestIdOf(values['request-id']),
      };
    });
    const actor = await ctx.approver();
    const status = await decide(ctx, roundId, 'rejectCandidate', { requestId, actor, pdfSha256, reason });
    return `已退回 ${roundId} 的候选 PDF 修改。Returned the candidate PDF ${pdfSha256} of ${roundId} for revision (stage: ${stageText(status.stage)}).`;
  },

  async pdf(ctx, argv) {
    const { roundId, out } = idAndOut(argv, 'round pdf takes <id> --out file.pdf', true);
    const status = await ctx.withRounds((rounds) => statusOf(rounds, roundId));
    const sha256 = approvedPdf(status.approval);
    if (!sha256)
      throw new CliError(
        `${roundId} 尚无批准稿 has no approved PDF yet (${stageText(status.stage)}): plan-review round candidate ${roundId} shows the candidate`,
      );
    await writePdf(ctx.store, sha256, out);
    return `${out}: ${roundId} 的批准稿 the approved PDF, SHA-256 ${sha256}`;
  },
};

export type ApprovalCommandName = keyof typeof approvalCommands;

/** The role each approval command acts in (PLAN_REVIEW_USER must hold it), or null for those that only read. */
export const APPROVAL_COMMAND_ROLES: Record<ApprovalCommandName, 'approver' | null> = {
  candidate: null,
  approve: 'approver',
  reject: 'approver',
  pdf: null,
};

export function isApprovalCommand(name: string | undefined): name is ApprovalCommandName {
  return name !== undefined && Object.hasOwn(approvalCommands, name);
}
