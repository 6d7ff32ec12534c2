/**
 * One sweep of unused uploads, started by the `plan-review-upload-sweep` schedule
 * (infra/uploadSweepSchedule.ts). The sweep itself reads every round and the store, so it is an
 * activity; this workflow only gives the schedule something to start and keeps each run's report
 * in its history.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const { sweepUnusedUploads } = proxyActivities<Activities>({
  // Reading every round's status can take a while with many rounds; it deletes nothing until all are read.
  startToCloseTimeout: '30 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1 minute' },
});

export async function uploadSweep(input: { olderThanMs: number }) {
  return await sweepUnusedUploads(input);
}
