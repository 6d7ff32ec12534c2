/**
 * The one way the edges (web routes, the CLI, the demo) talk to rounds. Every call returns a typed
 * outcome: done, not found, refused (with the field, the refusal code and its parameters), or
 * unavailable; no caller catches Temporal SDK errors itself. Requests are parsed with the action's
 * schema here and sent in canonical form (the round applies them exactly as recorded), and a
 * reply's texts are put in the document store before the round is asked to record it.
 */
import {
  QueryNotRegisteredError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import {
  ApplicationFailure,
  NamespaceNotFoundError,
  WorkflowNotFoundError,
  type UpdateDefinition,
} from '@temporalio/common';
import { LRUCache } from 'lru-cache';
import type { z } from 'zod';
import { ACTIONS, type ActionName } from '../domain/actions.js';
import { REVIEW_ROUND_WORKFLOW_TYPE, reviewRoundId } from '../domain/ids.js';
import type { Reply, ReplySummary } from '../domain/records.js';
import { linkView } from '../domain/linkView.js';
import { invalidFieldRefusal } from '../domain/messages.js';
import { makeRefusal, type Refusal } from '../domain/refusals.js';
import { RoundInput, type RoundStatus } from '../domain/round.js';
import { linkViewQuery, statusQuery, UPDATES, type Updates } from '../workflows/messages.js';
import { loadReply, storeReplyDraft } from './replyStore.js';
import { recordedRound, type RecordedRound } from './recordedReplies.js';
import { TemporalHistories } from './roundHistory.js';
import type { ContentStore } from './store.js';

export type Outcome<T> =
  | { kind: 'done'; value: T }
  | { kind: 'notFound'; roundId: string }
  | { kind: 'exists'; roundId: string }
  | { kind: 'refused'; refusal: Refusal }
  /** `error`: what the client library threw, for a `--debug` trace; the cause says it in a line. */
  | { kind: 'unavailable'; cause: string; error?: unknown };

export type ActionRequest<K extends ActionName> = z.input<(typeof ACTIONS)[K]['request']>;
export type ActionResult<K extends ActionName> =
  Updates[K] extends UpdateDefinition<infer R, infer _A, infer _N> ? R : never;

export interface RoundListing {
  id: string;
  title: string;
  status: string;
  startTime: string;
  /**
   * The SHA-256 of each document the round was started with, from its start (the memo): a round
   * refers to them before its status has described them. Empty for rounds started without it.
   */
  documents: string[];
}

/** An outcome that was not `done`, as an error for callers that stop on the first problem (the CLI). */
export class RoundGatewayError extends Error {
  constructor(readonly outcome: Exclude<Outcome<unknown>, { kind: 'done' }>) {
    super(describeOutcome(outcome), outcome.kind === 'unavailable' ? { cause: outcome.error } : undefined);
    this.name = 'RoundGatewayError';
  }
}

export function describeOutcome(o: Exclude<Outcome<unknown>, { kind: 'done' }>): string {
  switch (o.kind) {
    case 'notFound':
      return `no round ${o.roundId}`;
    case 'exists':
      return `round ${o.roundId} already exists: a round is started once (use a new round number for a new round)`;
    case 'refused':
      return `${o.refusal.field}: ${o.refusal.message}`;
    case 'unavailable':
      return `the round service is unavailable: ${o.cause}`;
  }
}

export function unwrap<T>(o: Outcome<T>): T {
  if (o.kind === 'done') return o.value;
  throw new RoundGatewayError(o);
}

/**
 * How long a call that needs a worker may take. A round's query and its Updates are answered by a
 * worker: with none running, Temporal holds the call until its deadline, so the edge waits no
 * longer than this before it says the service is unavailable.
 */
export interface GatewayTimeouts {
  /** A round's status (a query). */
  queryMs: number;
  /** An action (an Update). */
  updateMs: number;
}

/** The web server's: a page that needs a worker says within seconds that none answers. */
export const PAGE_TIMEOUTS: GatewayTimeouts = { queryMs: 5_000, updateMs: 15_000 };
/**
 * The CLI's and scripts': a person at a terminal or a script can wait (a completed round with a
 * large history is replayed in full to answer a query).
 */
export const PATIENT_TIMEOUTS: GatewayTimeouts = { queryMs: 60_000, updateMs: 60_000 };

/** gRPC's DEADLINE_EXCEEDED, anywhere in an error's causes. */
function deadlineExceeded(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError || e.code === 4) return true;
  }
  return false;
}

function unavailable(err: unknown, waitedMs?: number): Outcome<never> {
  if (waitedMs !== undefined && deadlineExceeded(err))
    return {
      kind: 'unavailable',
      cause: `no worker answered within ${waitedMs / 1000} s: is a worker running (plan-review worker)?`,
      error: err,
    };
  if (err instanceof NamespaceNotFoundError)
    return { kind: 'unavailable', cause: `${err.message}: is TEMPORAL_NAMESPACE right?`, error: err };
  return { kind: 'unavailable', cause: err instanceof Error ? err.message : String(err), error: err };
}

/** What the edges need of rounds; RoundGateway is the real one, tests may give a typed fake. */
export interface RoundService {
  start(input: z.input<typeof RoundInput>): Promise<Outcome<string>>;
  /**
   * `mailAttempts: false` leaves out what Temporal knows of emails still being sent (attempts, last
   * error): one call fewer, for pages that do not show the round's mail (a bureau's link).
   */
  status(roundId: string, opts?: { mailAttempts?: boolean }): Promise<Outcome<RoundStatus>>;
  /**
   * What one bureau's link may show of its round (domain/linkView.ts), without the round's mail
   * attempts. Optional: without it, a link's page reads the status and keeps that bureau's view of it.
   */
  linkView?(roundId: string, bureauId: string): Promise<Outcome<RoundStatus>>;
  list(limit?: number): Promise<Outcome<RoundListing[]>>;
  act<K extends ActionName>(roundId: string, name: K, request: ActionRequest<K>): Promise<Outcome<ActionResult<K>>>;
  loadReply(summary: ReplySummary): Promise<Reply>;
  /**
   * The round's recorded replies from its history, which Temporal's server gives without a worker
   * (a receipt shows while no worker runs). Optional: a service without histories has none.
   */
  recordedRound?(roundId: string): Promise<Outcome<RecordedRound>>;
}

/**
 * How long a status read may answer for its round while the round's history has not grown. A round
 * changes only in workflow tasks, each of which adds to its history, so the bound is only there for
 * a worker deployed since the read (which might describe the same history differently).
 */
export const STATUS_KEPT_MS = 10 * 60_000;

/** A status this gateway read, with the run and the length of its history when it was read. */
interface KnownStatus {
  runId: string;
  historyLength: number;
  status: RoundStatus;
}

export class RoundGateway implements RoundService {
  /**
   * Status reads that describe the round first (every read but a bureau link's): the status last
   * read for each round answers again while the round's history has not grown since, so a page
   * looked at again, or a script waiting for the round to act, costs the round's worker nothing
   * (and Temporal Cloud no query). The same describe gives the mail attempts.
   */
  private readonly known = new LRUCache<string, KnownStatus>({ max: 500, ttl: STATUS_KEPT_MS });
  /** Status queries sent, and status reads answered by a status read before (the benchmarks report them). */
  readonly reads = { queries: 0, reused: 0 };

  constructor(
    private readonly client: Client,
    private readonly store: ContentStore,
    private readonly taskQueue: string,
    private readonly timeouts: GatewayTimeouts = PAGE_TIMEOUTS,
  ) {}

  /** Runs a call that a worker answers, under the gateway's deadline for it. */
  private needsWorker<T>(ms: number, call: () => Promise<T>): Promise<T> {
    return this.client.withDeadline(Date.now() + ms, call);
  }

  async start(unchecked: z.input<typeof RoundInput>): Promise<Outcome<string>> {
    // Parsed here, so a bad input is refused before it uses up the round's ID.
    const parsed = RoundInput.safeParse(unchecked, { reportInput: true });
    if (!parsed.success) {
      return { kind: 'refused', refusal: invalidFieldRefusal(parsed.error.issues[0]!, 'input') };
    }
    const input = parsed.data;
    const workflowId = reviewRoundId(input.planId, input.n);
    try {
      await this.client.workflow.start(REVIEW_ROUND_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: this.taskQueue,
        args: [input],
        // A round ID names one round: a second start is refused while it runs and after it completed or
        // was cancelled; only a round that failed (e.g. on a document that could not be read) may start again.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        memo: { planId: input.planId, n: input.n, title: input.title, documents: input.documents.map((d) => d.sha256) },
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { kind: 'exists', roundId: workflowId };
      return unavailable(err);
    }
    return { kind: 'done', value: workflowId };
  }

  async status(roundId: string, opts: { mailAttempts?: boolean } = {}): Promise<Outcome<RoundStatus>> {
    if (opts.mailAttempts === false) return this.query(roundId);
    let described: WorkflowExecutionDescription;
    try {
      described = await this.client.workflow.getHandle(roundId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { kind: 'notFound', roundId };
      return unavailable(err);
    }
    const { runId, historyLength } = described;
    const kept = this.known.get(roundId);
    let status: RoundStatus;
    if (kept && historyLength > 0 && kept.runId === runId && kept.historyLength === historyLength) {
      this.reads.reused++;
      status = kept.status;
    } else {
      const found = await this.query(roundId);
      if (found.kind !== 'done') return found;
      status = found.value;
      this.known.set(roundId, { runId, historyLength, status });
    }
    // A copy: the caller's status gets this read's mail attempts, and may be changed, while the kept one stays as read.
    const copy = structuredClone(status);
    addMailAttempts(copy, described.raw.pendingActivities ?? []);
    return { kind: 'done', value: copy };
  }

  /**
   * One bureau's view, made by the round's worker, so the payload carries that bureau's part only (a
   * round's status holds every bureau's replies; the view is a fraction of it). A worker of a release
   * before the view query answers it as an unknown query: then the status, and the view of it here.
   */
  async linkView(roundId: string, bureauId: string): Promise<Outcome<RoundStatus>> {
    this.reads.queries++;
    const handle = this.client.workflow.getHandle(roundId);
    try {
      return {
        kind: 'done',
        value: await this.needsWorker(this.timeouts.queryMs, () => handle.query(linkViewQuery, bureauId)),
      };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { kind: 'notFound', roundId };
      if (!(err instanceof QueryNotRegisteredError)) return unavailable(err, this.timeouts.queryMs);
    }
    const found = await this.query(roundId);
    return found.kind === 'done' ? { kind: 'done', value: linkView(found.value, bureauId) } : found;
  }

  /** The round's status as its worker answers it (a query). */
  private async query(roundId: string): Promise<Outcome<RoundStatus>> {
    this.reads.queries++;
    try {
      const handle = this.client.workflow.getHandle(roundId);
      return { kind: 'done', value: await this.needsWorker(this.timeouts.queryMs, () => handle.query(statusQuery)) };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { kind: 'notFound', roundId };
      return unavailable(err, this.timeouts.queryMs);
    }
  }

  async list(limit = 200): Promise<Outcome<RoundListing[]>> {
    const rounds: RoundListing[] = [];
    try {
      for await (const wf of this.client.workflow.list({
        query: `WorkflowType = '${REVIEW_ROUND_WORKFLOW_TYPE}'`,
        pageSize: 100,
      })) {
        rounds.push({
          id: wf.workflowId,
          title: typeof wf.memo?.title === 'string' ? wf.memo.title : '',
          status: wf.status.name,
          startTime: wf.startTime.toISOString(),
          documents: Array.isArray(wf.memo?.documents)
            ? wf.memo.documents.filter((d): d is string => typeof d === 'string')
            : [],
        });
        if (rounds.length >= limit) break;
      }
    } catch (err) {
      return unavailable(err);
    }
    return { kind: 'done', value: rounds };
  }

  /**
   * Takes an action on a round as an Update. The request's idempotency key is the Update ID, so a
   * double submit (a second click, a retried POST) is answered with the first result.
   */
  async act<K extends ActionName>(
    roundId: string,
    name: K,
    request: ActionRequest<K>,
  ): Promise<Outcome<ActionResult<K>>> {
    const parsed = (ACTIONS[name].request as z.ZodType).safeParse(request, { reportInput: true });
    if (!parsed.success) {
      return { kind: 'refused', refusal: invalidFieldRefusal(parsed.error.issues[0]!, 'request') };
    }
    const canonical = parsed.data as { requestId: string; reply?: Parameters<typeof storeReplyDraft>[1] };
    try {
      if (canonical.reply) await storeReplyDraft(this.store, canonical.reply);
    } catch (err) {
      return unavailable(err);
    }
    const update = UPDATES[name] as unknown as UpdateDefinition<ActionResult<K>, [unknown]>;
    try {
      const value = await this.needsWorker(this.timeouts.updateMs, () =>
        this.client.workflow
          .getHandle(roundId)
          .executeUpdate(update, { args: [canonical], updateId: canonical.requestId }),
      );
      return { kind: 'done', value };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { kind: 'notFound', roundId };
      const failure = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (failure instanceof ApplicationFailure && failure.type === 'InvalidRequest') {
        const detail = failure.details?.[0] as Partial<Refusal> | undefined;
        if (detail?.code && detail.field)
          return {
            kind: 'refused',
            refusal: {
              field: detail.field,
              code: detail.code,
              params: detail.params ?? {},
              message: detail.message ?? failure.message,
            },
          };
        return {
          kind: 'refused',
          refusal: makeRefusal(detail?.field ?? 'request', 'invalidField', {
            detail: detail?.message ?? failure.message,
          }),
        };
      }
      return unavailable(err, this.timeouts.updateMs);
    }
  }

  /** The full reply (texts from the document store), checked against the round's hash. */
  loadReply(summary: ReplySummary): Promise<Reply> {
    return loadReply(this.store, summary);
  }

  async recordedRound(roundId: string): Promise<Outcome<RecordedRound>> {
    const history = await new TemporalHistories(this.client).history(roundId);
    if (history.kind !== 'done') return history;
    const round = recordedRound(roundId, history.value);
    return round
      ? { kind: 'done', value: round }
      : { kind: 'unavailable', cause: `no start in the history of ${roundId}` };
  }
}

type PendingActivity = NonNullable<WorkflowExecutionDescription['raw']['pendingActivities']>[number];

/**
 * What Temporal knows of the round's emails not sent yet: each send is an activity whose ID is its
 * Message-ID (the first one's, for several messages sent together), and the round's pending
 * activities tell its attempts and last error. Without them (a round started before sends had such
 * IDs) the list still says since when each email waits.
 */
function addMailAttempts(status: RoundStatus, pending: PendingActivity[]): void {
  if (!status.mailInFlight?.length) return;
  const byId = new Map(pending.map((p) => [p.activityId, p]));
  for (const m of status.mailInFlight) {
    const p = byId.get(m.activityId ?? m.messageId);
    if (!p) continue;
    if (p.attempt) m.attempts = p.attempt;
    if (p.lastFailure?.message) m.lastError = p.lastFailure.message.slice(0, 500);
    const last = optionalTsToMs(p.lastAttemptCompleteTime);
    if (last) m.lastAttemptAt = new Date(last).toISOString();
  }
}
