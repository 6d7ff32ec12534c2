/** Builds the worker from its dependencies; `plan-review worker` and `plan-review up` run it. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type Activities, type ActivityDeps } from '../activities/index.js';

/** The workflow bundle, built by a child process (worker/bundleMain.ts) so that webpack's memory is not the worker's. */
export async function bundleWorkflows(): Promise<{ code: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-bundle-'));
  try {
    const out = path.join(dir, 'workflows.js');
    const loader = fileURLToPath(new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url));
    await promisify(execFile)(
      process.execPath,
      ['--import', loader, fileURLToPath(new URL('./bundleMain.ts', import.meta.url)), out],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return { code: await readFile(out, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function createWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle (tests bundle once and share it); else bundled in a child process. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * How many rounds stay in the workflow cache (WORKER_MAX_CACHED_WORKFLOWS); unset, the SDK's
   * default (about 2,300 with a 4 GB heap). A cached round costs about 0.1 MB once the worker has
   * settled (the workflow modules are shared, worker/bundleOptions.ts, and `plan-review worker`
   * runs on jemalloc, bin/plan-review): 1,000 open rounds kept a worker under 400 MB in
   * BENCHMARKS.md. A small cache saves little more, and it is only safe while fewer rounds than it
   * holds are busy at the same moment:
   * with a cache of 40 and 200 rounds answered at once, the SDK's core logged "Extra buffered run
   * should not have produced an activation" (two tasks of one round, a query among them, waiting
   * for the same cache slot) and stopped answering those rounds. So the default stays the SDK's.
   */
  maxCachedWorkflows?: number;
  /** Activities that replace the real ones (the benchmarks' stand-ins); never set by a deployed worker. */
  activityOverrides?: Partial<Activities>;
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle ?? (await bundleWorkflows()),
    ...(opts.maxCachedWorkflows !== undefined && { maxCachedWorkflows: opts.maxCachedWorkflows }),
    activities: { ...createActivities(opts.deps), ...opts.activityOverrides },
  });
}
