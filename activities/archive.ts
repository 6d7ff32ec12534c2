/** The round's archive at approval (infra/archive.ts), built from the round's own history. */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ArchiveResult } from '../domain/archive.js';
import type { FontPaths } from '../pdf/config.js';
import { ArchiveError, makeArchive } from '../infra/archive.js';
import type { ContentStore } from '../infra/store.js';

export function createArchiveActivities({ store, fonts }: { store: ContentStore; fonts?: FontPaths }) {
  return {
    /**
     * Archives the approved round: its history up to the event before this activity was scheduled
     * (so a retry archives the same events), the trail and the certificate. The history is read with
     * the worker's own client: the round's history on the server, never a copy the workflow hands over.
     */
    async archiveRound(req: { roundId: string }): Promise<ArchiveResult> {
      const ctx = Context.current();
      const execution = ctx.info.workflowExecution;
      if (!execution)
        throw ApplicationFailure.create({
          type: 'NoRound',
          message: 'archiveRound runs for a round',
          nonRetryable: true,
        });
      const { workflowId, runId } = execution;
      const history = await ctx.client.workflow.getHandle(workflowId, runId).fetchHistory();
      const scheduled = history.events?.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityId === ctx.info.activityId,
      );
      if (!scheduled) throw new Error(`archiveRound: activity ${ctx.info.activityId} not yet in the history`);
      const throughEventId = Number(String(scheduled.eventId)) - 1;
      try {
        return await makeArchive({ store, fonts, roundId: req.roundId, history, throughEventId });
      } catch (err) {
        if (err instanceof ArchiveError)
          throw ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: true });
        throw err;
      }
    },
  };
}
