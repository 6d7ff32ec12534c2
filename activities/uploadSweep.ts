/** The periodic sweep of uploads no round refers to (infra/uploads.ts says what it keeps). */
import { ApplicationFailure } from '@temporalio/activity';
import { SweepError, sweepUploads, type RoundsToSweep, type UploadLedger } from '../infra/uploads.js';

export interface UploadSweepDeps {
  /** Where uploads are recorded and deleted; and how the rounds are read. Only a deployed worker has both. */
  uploadSweep?: { ledger: UploadLedger; rounds: RoundsToSweep };
}

export interface UploadSweepSummary {
  rounds: number;
  candidates: number;
  deleted: number;
  deletedBytes: number;
  kept: number;
  cutoff: string;
}

export function createUploadSweepActivities(deps: UploadSweepDeps) {
  return {
    async sweepUnusedUploads({ olderThanMs }: { olderThanMs: number }): Promise<UploadSweepSummary> {
      if (!deps.uploadSweep)
        throw ApplicationFailure.nonRetryable('this worker was built without the upload sweep', 'SweepNotConfigured');
      const cutoff = new Date(Date.now() - olderThanMs);
      try {
        const report = await sweepUploads(deps.uploadSweep.ledger, deps.uploadSweep.rounds, cutoff);
        return {
          rounds: report.rounds,
          candidates: report.candidates,
          deleted: report.deleted.length,
          deletedBytes: report.deleted.reduce((n, d) => n + d.size, 0),
          kept: report.kept,
          cutoff: cutoff.toISOString(),
        };
      } catch (err) {
        // A round that could not be read: nothing was deleted; the next attempt (or run) tries again.
        if (err instanceof SweepError) throw ApplicationFailure.retryable(err.message, 'SweepIncomplete');
        throw err;
      }
    },
  };
}
