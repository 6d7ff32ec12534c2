/**
 * A round publishes in its memo, under `linkViews`, the fingerprint of what each bureau's link shows
 * (domain/linkView.ts), as of the end of each workflow task: a describe of the round returns it, so
 * a web server shows a link's page from a status it read before while that bureau's fingerprint has
 * not moved, instead of asking the round's worker (infra/roundGateway.ts). Other bureaus' replies do
 * not move it.
 *
 * The memo is upserted at the end of every activation that the history alone accounts for (the
 * round's start, an activity's or timer's result, an accepted Update, a cancellation, a signal),
 * whatever changed: whether a task upserts never depends on the status's contents, so a later change
 * to what the status holds, or to what a link shows, cannot change which commands a running round's
 * replay gives. A query changes nothing and upserts nothing; neither does an Update the round's
 * validator refused (it leaves no trace in the history). The cost is one event in the history and
 * one visibility write for each such task.
 *
 * The upsert is added to the activation's commands by a workflow interceptor, the one place that
 * runs after everything in the activation has run. The round registers what to publish with
 * `publishLinkViews` (behind a patch: rounds started before it upsert nothing). This module is
 * shared by every round in a worker (workflows/sharedModules.ts), so what it keeps is by run ID, and
 * a run's entry goes when the worker disposes of the run.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { coresdk } from '@temporalio/proto';
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { LINK_VIEWS_MEMO_KEY, linkViewFingerprints } from '../domain/linkView.js';
import type { RoundStatus } from '../domain/round.js';

/** The status each publishing run publishes from, by run ID. */
const publishing = new Map<string, () => RoundStatus>();

/** From this activation on, the round publishes its bureaus' fingerprints at the end of each task. */
export function publishLinkViews(status: () => RoundStatus): void {
  publishing.set(workflowInfo().runId, status);
}

type Command = coresdk.workflow_commands.IWorkflowCommand;

/** The commands after which a workflow task may have none: the run's end. */
function endsTheRun(c: Command): boolean {
  return Boolean(
    c.completeWorkflowExecution ||
    c.failWorkflowExecution ||
    c.cancelWorkflowExecution ||
    c.continueAsNewWorkflowExecution,
  );
}

/** Jobs that come from the history (a query does not; an Update counts once its handler runs, i.e. it was accepted). */
const NOT_FROM_HISTORY = new Set(['queryWorkflow', 'doUpdate', 'removeFromCache']);

export const interceptors: WorkflowInterceptorsFactory = () => {
  let accountedFor = false;
  return {
    inbound: [
      {
        handleUpdate(input, next) {
          accountedFor = true;
          return next(input);
        },
      },
    ],
    internals: [
      {
        activate(input, next) {
          if (input.activation.jobs?.some((j) => !NOT_FROM_HISTORY.has(jobVariant(j)))) accountedFor = true;
          return next(input);
        },
        concludeActivation(input, next) {
          const status = publishing.get(workflowInfo().runId);
          const publish = accountedFor && status;
          accountedFor = false;
          if (!publish) return next(input);
          const upsert: Command = {
            modifyWorkflowProperties: {
              upsertedMemo: {
                fields: { [LINK_VIEWS_MEMO_KEY]: defaultPayloadConverter.toPayload(linkViewFingerprints(status())) },
              },
            },
          };
          const commands = [...input.commands];
          const end = commands.findIndex(endsTheRun);
          commands.splice(end === -1 ? commands.length : end, 0, upsert);
          return next({ ...input, commands });
        },
        dispose(input, next) {
          publishing.delete(workflowInfo().runId);
          return next(input);
        },
      },
    ],
  };
};

/** A job's kind: the activation's jobs are the protocol's message objects, whose `variant` names the field that is set. */
function jobVariant(job: coresdk.workflow_activation.IWorkflowActivationJob): string {
  return (job as { variant?: string }).variant ?? '';
}
