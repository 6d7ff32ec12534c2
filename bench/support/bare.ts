/** Drives the reference workflow (bareWorkflows.ts): the engine's raw rate on the same server. */
import { randomUUID } from 'node:crypto';
import { countBillableActions } from './seedRound.js';
import { bareQuery, bareUpdate, type BareInput } from './bareWorkflows.js';
import { pool } from './report.js';
import type { Target } from './target.js';

export interface BareRun {
  workflows: number;
  ms: number;
  /** From the histories; queries are billable too, but leave no event (`queries`). */
  billable: Record<string, number>;
  /** Queries sent. */
  queries: number;
}

/**
 * Runs `n` reference workflows, `concurrency` at a time, each sent its Updates one after another and
 * its queries between them, spread evenly, as a round's page reads come between its actions.
 */
export async function runBare(target: Target, n: number, mix: BareInput, concurrency: number): Promise<BareRun> {
  const prefix = `bare-${randomUUID().slice(0, 8)}`;
  let sent = 0;
  const started = Date.now();
  const ids = await pool(n, concurrency, async (i) => {
    const id = `${prefix}-${i}`;
    const handle = await target.client.workflow.start('bareWorkflow', {
      taskQueue: target.bareTaskQueue,
      workflowId: id,
      args: [mix],
    });
    const queries = mix.queries ?? 0;
    const ask = async (count: number) => {
      for (let q = 0; q < count; q++) await handle.query(bareQuery);
      sent += count;
    };
    if (mix.updates === 0) await ask(queries);
    for (let u = 0; u < mix.updates; u++) {
      await handle.executeUpdate(bareUpdate, { args: [u] });
      await ask(Math.floor(((u + 1) * queries) / mix.updates) - Math.floor((u * queries) / mix.updates));
    }
    await handle.result();
    return id;
  });
  const ms = Date.now() - started;
  return { workflows: n, ms, billable: await sumBillable(target, ids), queries: sent };
}

/** Billable actions summed over the histories of `ids` (Temporal Cloud's rules, bench/support/seedRound.ts). */
export async function sumBillable(target: Target, ids: string[]): Promise<Record<string, number>> {
  const total: Record<string, number> = {};
  await pool(ids.length, 8, async (i) => {
    const counts = countBillableActions(await target.client.workflow.getHandle(ids[i]!).fetchHistory());
    for (const [k, v] of Object.entries(counts)) total[k] = (total[k] ?? 0) + v;
  });
  return total;
}

/** Updates per second on reference workflows, `concurrency` in flight, for `seconds` (the raw Update rate). */
export async function rawUpdateRate(target: Target, workflows: number, concurrency: number, seconds: number) {
  const prefix = `bare-upd-${randomUUID().slice(0, 8)}`;
  const handles = await pool(workflows, 16, (i) =>
    target.client.workflow.start('bareWorkflow', {
      taskQueue: target.bareTaskQueue,
      workflowId: `${prefix}-${i}`,
      args: [{ activities: 0, updates: Number.MAX_SAFE_INTEGER, timers: 0 }],
    }),
  );
  // One Update each first, so every workflow has run its first task before the clock starts.
  await pool(workflows, 16, (i) => handles[i]!.executeUpdate(bareUpdate, { args: [0] }));
  let done = 0;
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, k) => {
      for (let i = k; Date.now() < until; i += concurrency) {
        await handles[i % workflows]!.executeUpdate(bareUpdate, { args: [i] });
        done++;
      }
    }),
  );
  const ms = Date.now() - started;
  await pool(workflows, 16, (i) => handles[i]!.terminate('the benchmark is over'));
  return { updates: done, ms, perSecond: Math.round((done / ms) * 10000) / 10 };
}
