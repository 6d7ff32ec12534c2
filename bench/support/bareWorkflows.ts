/**
 * The engine's reference load: a workflow that does nothing of its own. It runs the activities it is
 * given (all at once, as a round sends its invitations), takes the Updates it is told to expect, sleeps
 * out its timers and completes; each Update and each activity echoes a few bytes, and its query
 * answers a number. The benchmarks drive
 * the same Temporal server with it, in the same run, to measure what the server can do at most.
 */
import { condition, defineQuery, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { bareActivities } from './bareActivities.js';

const { echo } = proxyActivities<typeof bareActivities>({ startToCloseTimeout: '1 minute' });

export const bareUpdate = defineUpdate<number, [number]>('bareUpdate');
/** How many Updates the workflow has taken: what a status query of a round is to the reference. */
export const bareQuery = defineQuery<number>('bareQuery');

export interface BareInput {
  activities: number;
  updates: number;
  timers: number;
  /** Queries its driver sends it, spread over its Updates (the workflow only answers them). */
  queries?: number;
}

export async function bareWorkflow(input: BareInput): Promise<number> {
  let received = 0;
  setHandler(bareQuery, () => received);
  setHandler(
    bareUpdate,
    (n: number) => {
      received++;
      return n;
    },
    {
      validator: (n: number) => {
        if (!Number.isInteger(n)) throw new Error('an Update carries an integer');
      },
    },
  );
  await Promise.all(Array.from({ length: input.activities }, (_, i) => echo(i)));
  await condition(() => received >= input.updates);
  for (let i = 0; i < input.timers; i++) await sleep(1);
  return received;
}
