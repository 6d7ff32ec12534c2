/**
 * `plan-review worker` as an operator starts it runs without the SDK's workflow stack traces
 * (worker/workflowStackTraces.cjs says why), and WORKFLOW_STACK_TRACES=on brings them back. Two real
 * worker processes against the dev server, each on its own task queue with a round waiting on it;
 * the Temporal UI's Stack Trace tab asks the round with the same query as here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { loadConfig } from '../../infra/config.js';
import { freePort } from '../../infra/ports.js';
import { startSmtpSink, type SmtpSink } from '../../infra/smtpSink.js';
import { LocalContentStore } from '../../infra/store.js';
import { connectClient } from '../../infra/temporal.js';
import { smallRoundInput } from '../support/rounds.js';

const CLI = fileURLToPath(new URL('../../bin/plan-review', import.meta.url));
const STACK_TRACE_QUERY = '__stack_trace';

let dir: string;
let sink: SmtpSink;
let client: Client;
const workers: ChildProcess[] = [];
const roundIds: string[] = [];

/** A `plan-review worker` process on a task queue of its own, once it polls; its output so far. */
async function startWorker(queue: string, extra: Record<string, string>): Promise<{ output: () => string }> {
  const child = spawn(CLI, ['worker'], {
    env: {
      ...process.env,
      PLAN_REVIEW_DATA_DIR: dir,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: queue,
      SMTP_SINK_PORT: String(sink.port),
      LINK_SECRET: 'ab'.repeat(32),
      UPLOAD_SWEEP_EVERY: 'off',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await expect.poll(() => out, { timeout: 120_000, interval: 200 }).toContain(`[worker] polling ${queue}`);
  return { output: () => out };
}

/** Starts a round on the queue and waits until its loop waits (the invitations sent). */
async function waitingRound(queue: string): Promise<string> {
  const store = new LocalContentStore(path.join(dir, 'store'));
  const calls = roundCalls(client, store, queue);
  const id = await calls.start(await smallRoundInput(store));
  roundIds.push(id);
  await expect
    .poll(async () => (await calls.status(id)).bureaus.every((b) => b.invitation?.sentAt), {
      timeout: 60_000,
      interval: 250,
    })
    .toBe(true);
  return id;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-stack-traces-'));
  sink = await startSmtpSink({ dir: path.join(dir, 'outbox'), port: await freePort() });
  client = await connectClient(loadConfig({ TEMPORAL_ADDRESS: inject('temporalAddress') }));
});

afterAll(async () => {
  await Promise.all(
    roundIds.map((id) =>
      client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
  await Promise.all(
    workers.map(async (w) => {
      if (w.exitCode !== null) return;
      const exited = new Promise((r) => w.once('exit', r));
      w.kill('SIGTERM');
      await exited;
    }),
  );
  await client?.connection.close();
  await sink?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('workflow stack traces in a worker process', () => {
  it('are off unless WORKFLOW_STACK_TRACES=on, and then show where a round waits', async () => {
    const [off, on] = await Promise.all([
      startWorker(`stack-traces-off-${process.pid}`, {}),
      startWorker(`stack-traces-on-${process.pid}`, { WORKFLOW_STACK_TRACES: 'on' }),
    ]);
    expect(off.output()).toContain('[worker] workflow stack traces off (WORKFLOW_STACK_TRACES=on');
    expect(on.output()).toContain('[worker] workflow stack traces on');

    const [withoutTraces, withTraces] = await Promise.all([
      waitingRound(`stack-traces-off-${process.pid}`),
      waitingRound(`stack-traces-on-${process.pid}`),
    ]);
    await expect(client.workflow.getHandle(withoutTraces).query(STACK_TRACE_QUERY)).rejects.toThrow(
      'Workflow stack traces are not enabled on this worker',
    );
    const stack = await client.workflow.getHandle(withTraces).query<string>(STACK_TRACE_QUERY);
    expect(stack).toContain('runUntilOver');
    // Leaving the hook out breaks nothing else the rounds run on (the SDK's cancellation scopes use
    // Node's AsyncLocalStorage, which has promise hooks of its own): no workflow task failed.
    for (const id of [withoutTraces, withTraces]) {
      const { events } = await client.workflow.getHandle(id).fetchHistory();
      expect(events!.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
    }
    expect(off.output()).not.toMatch(/Workflow failed|Failing workflow task/);
  }, 240_000);
});
