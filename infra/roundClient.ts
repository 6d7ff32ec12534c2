/** Client-side round operations shared by the CLI and the web server. */
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { REVIEW_ROUND_WORKFLOW_TYPE, reviewRoundId } from '../domain/ids.js';
import { RoundInput, type RoundStatus } from '../domain/round.js';
import { statusQuery } from '../workflows/messages.js';

export class RoundExistsError extends Error {
  constructor(readonly roundId: string) {
    super(`round ${roundId} already exists: a round is started once (use a new round number for a new round)`);
    this.name = 'RoundExistsError';
  }
}

export async function startRound(client: Client, taskQueue: string, unchecked: RoundInput): Promise<string> {
  // Checked here too, so a bad input is refused before it uses up the round's ID.
  const input = RoundInput.parse(unchecked);
  const workflowId = reviewRoundId(input.planId, input.n);
  try {
    await client.workflow.start(REVIEW_ROUND_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [input],
      // A round ID names one round: a second start is refused while it runs and after it completed or
      // was cancelled; only a round that failed (e.g. on a document that could not be read) may start again.
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      memo: { planId: input.planId, n: input.n, title: input.title },
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new RoundExistsError(workflowId);
    throw err;
  }
  return workflowId;
}

export async function roundStatus(client: Client, roundId: string): Promise<RoundStatus> {
  return client.workflow.getHandle(roundId).query(statusQuery);
}

export interface RoundListing {
  id: string;
  title: string;
  status: string;
  startTime: string;
}

export async function listRounds(client: Client, limit = 200): Promise<RoundListing[]> {
  const rounds: RoundListing[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowType = '${REVIEW_ROUND_WORKFLOW_TYPE}'`, pageSize: 100 })) {
    rounds.push({
      id: wf.workflowId,
      title: typeof wf.memo?.title === 'string' ? wf.memo.title : '',
      status: wf.status.name,
      startTime: wf.startTime.toISOString(),
    });
    if (rounds.length >= limit) break;
  }
  return rounds;
}

/** An update the round refused, with the field it concerns, so a page can show it beside that field. */
export class RoundRequestRejected extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'RoundRequestRejected';
  }
}

/**
 * Sends a human action to a round as an Update. The request's idempotency key is the Update ID,
 * so a double submit (a second click, a retried POST) is answered with the first result.
 */
export async function executeRoundUpdate<Ret, Req extends { requestId: string }>(
  client: Client,
  roundId: string,
  update: UpdateDefinition<Ret, [Req]>,
  request: Req,
): Promise<Ret> {
  try {
    return await client.workflow.getHandle(roundId).executeUpdate(update, { args: [request], updateId: request.requestId });
  } catch (err) {
    const failure = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
    if (failure instanceof ApplicationFailure && failure.type === 'InvalidRequest') {
      const detail = failure.details?.[0] as { field?: string; message?: string } | undefined;
      throw new RoundRequestRejected(detail?.field ?? 'request', detail?.message ?? failure.message);
    }
    throw err;
  }
}
