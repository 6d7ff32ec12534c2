/**
 * The periodic sweep of unused uploads, as a deployed worker runs it: the worker keeps a Temporal
 * schedule for its task queue, the schedule starts the sweep workflow, and the sweep deletes the old
 * uploads no round refers to, and nothing else. On a dev server of its own, so that the rounds it
 * reads are this test's only.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorker } from '../../cli/stack.js';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { UPLOAD_SWEEP_WORKFLOW_TYPE } from '../../domain/ids.js';
import type { UploadSweepSummary } from '../../activities/uploadSweep.js';
import { loadConfig, type Config } from '../../infra/config.js';
import { devServerGoMaxProcs, startDevServer, type DevServer } from '../../infra/devServer.js';
import { freePort } from '../../infra/ports.js';
import { LocalContentStore } from '../../infra/store.js';
import { connectClient } from '../../infra/temporal.js';
import { temporalCli } from '../../infra/tools.js';
import { uploadSweepScheduleId } from '../../infra/uploadSweepSchedule.js';
import { smallRoundInput } from '../support/rounds.js';

const DAY = 24 * 3600 * 1000;
let dir: string;
let server: DevServer;
let client: Client;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-upload-sweep-'));
  server = await startDevServer({
    cli: temporalCli(process.env.TEMPORAL_CLI_PATH),
    dbFile: path.join(dir, 'temporal.sqlite'),
    port: await freePort(),
    namespace: 'default',
    retention: '1d',
    logFile: path.join(dir, 'temporal.log'),
  });
  client = await connectClient(configWith({}));
});

afterAll(async () => {
  await client?.connection.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function configWith(env: Record<string, string>): Config {
  return loadConfig({
    PLAN_REVIEW_DATA_DIR: dir,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: 'upload-sweep-test',
    ...env,
  });
}

/** Runs the worker as `plan-review worker` does, collecting what it logs. */
async function worker(env: Record<string, string>): Promise<{ lines: string[]; stop: () => Promise<void> }> {
  const lines: string[] = [];
  const stop = await runWorker(configWith(env), (line) => lines.push(line));
  return { lines, stop };
}

/** The sweep the schedule started last, once it has finished. */
async function lastSweep(): Promise<UploadSweepSummary> {
  let workflowId: string | undefined;
  await expect
    .poll(
      async () => {
        for await (const wf of client.workflow.list({ query: `WorkflowType = '${UPLOAD_SWEEP_WORKFLOW_TYPE}'` }))
          workflowId = wf.workflowId;
        return workflowId;
      },
      { timeout: 30_000, interval: 500 },
    )
    .toBeDefined();
  return (await client.workflow.getHandle(workflowId!).result()) as UploadSweepSummary;
}

describe('the upload sweep schedule', () => {
  it('deletes the old uploads no round refers to, keeps the rest, and goes when turned off', async () => {
    const store = new LocalContentStore(configWith({}).paths.store);
    const running = await worker({ UPLOAD_SWEEP_EVERY: '1d', UPLOAD_SWEEP_OLDER_THAN: '7d' });
    try {
      const scheduleId = uploadSweepScheduleId('upload-sweep-test');
      expect(running.lines).toContain(`upload sweep created: ${scheduleId}, every 1d, uploads unused for 7d`);
      const schedule = await client.schedule.getHandle(scheduleId).describe();
      expect(schedule.spec.intervals?.map((i) => i.every)).toEqual([DAY]);

      // A round whose document was also recorded as an upload long ago: the round refers to it.
      const input = await smallRoundInput(store);
      const roundId = await roundCalls(client, store, 'upload-sweep-test').start(input);
      const inUse = input.documents[0]!.sha256;
      const eightDaysAgo = new Date(Date.now() - 8 * DAY).toISOString();
      await store.recordUpload({ sha256: inUse, size: 1, roundId, at: eightDaysAgo });
      // A scan uploaded long ago and never submitted, and one uploaded today.
      const old = await store.put(Buffer.from('a scan never submitted'));
      await store.recordUpload({ ...old, roundId, at: eightDaysAgo });
      const fresh = await store.put(Buffer.from('a scan being filled in now'));
      await store.recordUpload({ ...fresh, roundId, at: new Date().toISOString() });

      await client.schedule.getHandle(scheduleId).trigger();
      const sweep = await lastSweep();

      expect(sweep).toMatchObject({ rounds: 1, candidates: 2, deleted: 1, deletedBytes: old.size, kept: 1 });
      expect(await store.has(old.sha256)).toBe(false);
      expect(await store.has(fresh.sha256)).toBe(true);
      expect(await store.has(inUse)).toBe(true);
      expect((await store.uploadsBefore(new Date())).map((u) => u.sha256)).toEqual([fresh.sha256]);
    } finally {
      await running.stop();
    }

    const off = await worker({ UPLOAD_SWEEP_EVERY: 'off' });
    await off.stop();
    expect(off.lines).toContain(`upload sweep deleted: ${uploadSweepScheduleId('upload-sweep-test')}`);
    await expect(client.schedule.getHandle(uploadSweepScheduleId('upload-sweep-test')).describe()).rejects.toThrow(
      ScheduleNotFoundError,
    );
  });
});

describe('the embedded dev server', () => {
  it('keeps its state in SQLite write-ahead-log mode', async () => {
    // Bytes 18 and 19 of an SQLite file's header are its write and read versions: 2 in WAL mode, 1 with a rollback journal.
    const header = await readFile(path.join(dir, 'temporal.sqlite'));
    expect([header[18], header[19]]).toEqual([2, 2]);
    await expect(stat(path.join(dir, 'temporal.sqlite-wal'))).resolves.toBeTruthy();
  });

  it('runs its Go runtime on half the cores, or on as many as GOMAXPROCS says', async () => {
    const environ = (await readFile(`/proc/${server.pid}/environ`, 'utf8')).split('\0');
    expect(environ).toContain(`GOMAXPROCS=${devServerGoMaxProcs()}`);
    expect(devServerGoMaxProcs({}, 2)).toBe('1');
    expect(devServerGoMaxProcs({}, 1)).toBe('1');
    expect(devServerGoMaxProcs({}, 16)).toBe('8');
    expect(devServerGoMaxProcs({ GOMAXPROCS: '3' }, 16)).toBe('3');
  });
});
