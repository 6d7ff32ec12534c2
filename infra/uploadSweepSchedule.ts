/**
 * The schedule that sweeps unused uploads (workflows/uploadSweep.ts): one per task queue, kept by
 * Temporal, so however many workers run, the sweep runs once per interval, and a run missed while no
 * worker was up is made up once they are back.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { UPLOAD_SWEEP_WORKFLOW_TYPE } from '../domain/ids.js';

export function uploadSweepScheduleId(taskQueue: string): string {
  return `plan-review-upload-sweep-${taskQueue}`;
}

export interface UploadSweepPlan {
  taskQueue: string;
  /** How often it runs; `undefined`: never (an existing schedule is deleted). */
  everyMs: number | undefined;
  /** How old an unused upload must be before it goes. */
  olderThanMs: number;
}

/** Creates the schedule, or brings an existing one to `plan`; says which. */
export async function ensureUploadSweepSchedule(
  client: Client,
  plan: UploadSweepPlan,
): Promise<'created' | 'updated' | 'deleted' | 'off'> {
  const scheduleId = uploadSweepScheduleId(plan.taskQueue);
  if (plan.everyMs === undefined) {
    try {
      await client.schedule.getHandle(scheduleId).delete();
      return 'deleted';
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return 'off';
      throw err;
    }
  }
  const spec = { intervals: [{ every: plan.everyMs }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: UPLOAD_SWEEP_WORKFLOW_TYPE,
    workflowId: scheduleId,
    taskQueue: plan.taskQueue,
    args: [{ olderThanMs: plan.olderThanMs }],
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      // One sweep at a time; after an outage, one catch-up run is enough.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: plan.everyMs },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
  return 'updated';
}
