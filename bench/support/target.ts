/**
 * What a benchmark drives: a Temporal server (a dev server of its own on a temporary SQLite file, or
 * the running cluster of scripts/cluster.sh: its Temporal server on PostgreSQL and its document
 * store), with web servers and workers started for the run as processes of their own (so each can be
 * measured and counted), on a task queue of their own (so the cluster's own workers never take the
 * run's rounds), sending mail to a counting sink. Everything started here is stopped by stop().
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../infra/config.js';
import { startDevServer } from '../../infra/devServer.js';
import { freePort } from '../../infra/ports.js';
import { cpuMsOf } from './report.js';
import { CONTENT_TABLE } from '../../infra/postgresStore.js';
import { openStore } from '../../infra/stores.js';
import type { ContentStore } from '../../infra/store.js';
import { connectClient } from '../../infra/temporal.js';
import { PROJECT_ROOT, temporalCli } from '../../infra/tools.js';
import { workerEnv, workerNodeFlags } from '../../worker/launchSettings.js';
import { startCountingSink, type CountingSink } from './countingSink.js';

export type TargetName = 'devserver' | 'cluster';

export interface TargetOptions {
  target: TargetName;
  workers: number;
  webServers: number;
  /** The workflow cache's size in each worker (unset: the deployed default, WORKER_MAX_CACHED_WORKFLOWS). */
  maxCachedWorkflows?: number;
  /** Whether the workers also run the reference workflow (default: yes). */
  bare?: boolean;
}

export interface Target {
  name: TargetName;
  client: Client;
  store: ContentStore;
  secret: Buffer;
  taskQueue: string;
  bareTaskQueue: string;
  webUrls: string[];
  webPids: number[];
  sink: CountingSink;
  workerPids: number[];
  /** The Temporal server's processes: the dev server the benchmark started, or the cluster's server. */
  serverPids: number[];
  /** The cluster's PostgreSQL (its postmaster's pid), which the Temporal server and the document store share; null on the dev server. */
  postgresPid: number | null;
  /**
   * The requests the Temporal server's frontend has answered so far, by operation (QueryWorkflow,
   * DescribeWorkflowExecution, …), from its own metrics: every process's calls counted in one place
   * (the cluster's own workers and web servers too, idle during a run). Null when the server has no
   * metrics endpoint.
   */
  serverRequests(): Promise<Record<string, number> | null>;
  /**
   * Lookups of the document store's content table so far (PostgreSQL's count of its index scans:
   * each read, and the check of each write), by every process; null without STORE_URL. PostgreSQL
   * publishes a connection's counts within seconds, not at once.
   */
  storeLookups(): Promise<number | null>;
  /** Stops one worker (SIGTERM) and waits for it to exit. */
  stopWorker(pid: number): Promise<void>;
  /** Starts one more worker; resolves with its pid once it polls. */
  addWorker(opts?: { maxCachedWorkflows?: number }): Promise<number>;
  stop(): Promise<void>;
}

const TSX_LOADER = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const run = promisify(execFile);

/**
 * The cluster's shared environment, as `scripts/cluster.sh env` prints it, and where its Temporal
 * server's metrics are, as its status says; refuses a cluster that is not up.
 */
async function clusterEnv(): Promise<{
  env: Record<string, string>;
  metricsUrl: string | null;
  temporalPid: number;
  postgresPid: number;
}> {
  const script = path.join(PROJECT_ROOT, 'scripts', 'cluster.sh');
  const status = (await run('bash', [script, 'status'])).stdout;
  if (/\(stopped\)|not running/.test(status))
    throw new Error(`the cluster is not running (bash scripts/cluster.sh up starts it):\n${status}`);
  const metricsUrl = /^Temporal metrics:\s+(\S+)/m.exec(status)?.[1] ?? null;
  const temporalPid = Number(/^\s*temporal\s+running \(pid (\d+)\)/m.exec(status)?.[1]);
  const dataDir = /^PostgreSQL:.*data in (\S+) \(running\)/m.exec(status)?.[1];
  if (!temporalPid || !dataDir)
    throw new Error(`scripts/cluster.sh status names no Temporal server or PostgreSQL:\n${status}`);
  // postmaster.pid's first line is the postmaster's pid.
  const postgresPid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const env: Record<string, string> = {};
  for (const line of (await run('bash', [script, 'env'])).stdout.split('\n')) {
    const m = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return { env, metricsUrl, temporalPid, postgresPid };
}

function waitForLine(child: ChildProcess, line: string, what: string, timeoutMs = 180_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start within ${timeoutMs / 1000} s:\n${out}`)),
      timeoutMs,
    );
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready:\n${out}`));
    });
  });
}

/** The target a driving benchmark's common options name: its workers, and its web servers (two on a cluster unless given). */
export function startTargetFor(args: {
  target: 'devserver' | 'cluster';
  workers: number;
  webServers?: number | undefined;
}): Promise<Target> {
  return startTarget({
    target: args.target,
    workers: args.workers,
    webServers: args.webServers ?? (args.target === 'cluster' ? 2 : 1),
  });
}

export async function startTarget(opts: TargetOptions): Promise<Target> {
  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch((err) => console.error(`while stopping: ${String(err)}`));
  };
  try {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-bench-'));
    stoppers.push(() => rm(dir, { recursive: true, force: true }));
    const sink = await startCountingSink();
    stoppers.push(sink.stop);
    const runId = randomUUID().slice(0, 8);
    const serverPids: number[] = [];
    let postgresPid: number | null = null;
    let metricsUrl: string | null = null;
    const env: Record<string, string> = {
      PLAN_REVIEW_DATA_DIR: dir,
      TEMPORAL_TASK_QUEUE: `bench-${runId}`,
      ...(opts.bare !== false && { BENCH_BARE_TASK_QUEUE: `bench-bare-${runId}` }),
      SMTP_URL: sink.url,
      LINK_SECRET: randomBytes(32).toString('hex'),
    };
    if (opts.target === 'devserver') {
      const port = await freePort();
      const metricsPort = await freePort();
      const dev = await startDevServer({
        cli: temporalCli(undefined),
        dbFile: path.join(dir, 'temporal.sqlite'),
        port,
        namespace: 'default',
        retention: '1d',
        logFile: path.join(dir, 'temporal.log'),
        metricsPort,
      });
      metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
      stoppers.push(() => dev.stop());
      serverPids.push(dev.pid);
      env.TEMPORAL_ADDRESS = dev.address;
    } else {
      const cluster = await clusterEnv();
      for (const k of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'STORE_URL'] as const) {
        if (!cluster.env[k]) throw new Error(`scripts/cluster.sh env gives no ${k}`);
        env[k] = cluster.env[k];
      }
      metricsUrl = cluster.metricsUrl;
      serverPids.push(cluster.temporalPid);
      postgresPid = cluster.postgresPid;
    }
    const config = loadConfig(env);
    const client = await connectClient(config);
    stoppers.push(() => client.connection.close());
    const opened = openStore(config);
    stoppers.push(opened.close);

    const children = new Map<number, ChildProcess>();
    const stopChild = async (pid: number) => {
      const child = children.get(pid);
      if (!child) return;
      children.delete(pid);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    };
    stoppers.push(async () => {
      await Promise.all([...children.keys()].map(stopChild));
    });
    const spawnNode = (args: string[], extra: Record<string, string>, nodeFlags: string[] = []) => {
      const child = spawn(
        process.execPath,
        [
          ...nodeFlags,
          ...(process.env.BENCH_CPU_PROFILE_DIR
            ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`]
            : []),
          '--import',
          TSX_LOADER,
          ...args,
        ],
        {
          cwd: PROJECT_ROOT,
          env: { ...process.env, ...env, ...extra },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.set(child.pid!, child);
      return child;
    };
    const addWorker = async (w: { maxCachedWorkflows?: number } = {}) => {
      const cache = w.maxCachedWorkflows ?? opts.maxCachedWorkflows;
      // With the deployed worker's V8 flags and environment, as `plan-review worker` has them.
      const child = spawnNode(
        [path.join(PROJECT_ROOT, 'bench', 'support', 'benchWorker.ts')],
        {
          ...workerEnv(),
          ...(cache !== undefined && { WORKER_MAX_CACHED_WORKFLOWS: String(cache) }),
          ...(process.env.BENCH_WORKER_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS }),
        },
        workerNodeFlags(),
      );
      await waitForLine(child, 'ready', 'a bench worker');
      return child.pid!;
    };
    const webUrls: string[] = [];
    const webPids: number[] = [];
    await Promise.all(
      Array.from({ length: opts.webServers }, async () => {
        const port = await freePort();
        const child = spawnNode([path.join(PROJECT_ROOT, 'cli', 'main.ts'), 'web'], { WEB_PORT: String(port) });
        await waitForLine(child, '[web] listening', 'a web server');
        webUrls.push(`http://127.0.0.1:${port}`);
        webPids.push(child.pid!);
      }),
    );
    const workerPids: number[] = [];
    // One at a time: each bundles the workflows, and two bundles at once only slow each other.
    for (let i = 0; i < opts.workers; i++) workerPids.push(await addWorker());

    return {
      name: opts.target,
      client,
      store: opened.store,
      secret: Buffer.from(env.LINK_SECRET!, 'hex'),
      taskQueue: env.TEMPORAL_TASK_QUEUE!,
      bareTaskQueue: env.BENCH_BARE_TASK_QUEUE ?? '',
      webUrls,
      webPids,
      sink,
      workerPids,
      serverPids,
      postgresPid,
      serverRequests: () => (metricsUrl ? frontendRequests(metricsUrl) : Promise.resolve(null)),
      storeLookups: async () => {
        if (!opened.pool) return null;
        const { rows } = await opened.pool.query<{ idx_scan: string | null }>(
          `SELECT idx_scan FROM pg_stat_user_tables WHERE relname = $1`,
          [CONTENT_TABLE],
        );
        return rows[0]?.idx_scan == null ? null : Number(rows[0].idx_scan);
      },
      stopWorker: stopChild,
      addWorker,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The frontend's `service_requests` counters of the Temporal server's metrics, by operation. */
async function frontendRequests(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(url)).text();
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^service_requests\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || !/service_name="frontend"/.test(m[1]!)) continue;
    const operation = /operation="([^"]+)"/.exec(m[1]!)?.[1];
    if (operation) counts[operation] = (counts[operation] ?? 0) + Number(m[2]);
  }
  return counts;
}

/** The requests of each operation answered between two readings of serverRequests, per unit of work. */
export function requestsPer(
  before: Record<string, number> | null,
  after: Record<string, number> | null,
  units: number,
  operations: readonly string[],
): Record<string, number> | null {
  if (!before || !after) return null;
  return Object.fromEntries(
    operations.map((op) => [op, Math.round((((after[op] ?? 0) - (before[op] ?? 0)) / units) * 10) / 10]),
  );
}

/**
 * Runs a benchmark's measurement on its target, prints the result as JSON (what BENCHMARKS.md quotes),
 * and stops the target whatever happens; a failure is printed before the stop, since calls still in
 * flight fail once their connection closes.
 */
export async function reportOn(target: Target, measure: () => Promise<unknown>): Promise<void> {
  try {
    console.log(JSON.stringify(await measure(), null, 2));
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    await target.stop();
  }
}

/** CPU time (ms) used so far by the web servers, the workers, this process (the driver) and the Temporal server when the benchmark started it. */
export async function cpuSpent(target: Target) {
  const sum = async (pids: number[]) => (await Promise.all(pids.map(cpuMsOf))).reduce((a, b) => a + b, 0);
  const own = process.cpuUsage();
  return {
    web: await sum(target.webPids),
    workers: await sum(target.workerPids),
    server: target.serverPids.length > 0 ? await sum(target.serverPids) : null,
    postgres: target.postgresPid === null ? null : await postgresCpu(target.postgresPid),
    driver: (own.user + own.system) / 1000,
  };
}

/**
 * PostgreSQL's CPU so far (ms): the postmaster, its live processes, and those that have exited
 * (the postmaster's children's time); `store` is the live connections to the document store's
 * database (plan_review), the rest is the Temporal server's persistence and PostgreSQL's own work.
 */
async function postgresCpu(postmaster: number): Promise<{ total: number; store: number }> {
  const statOf = async (pid: number) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  const own = await statOf(postmaster);
  if (!own) throw new Error(`PostgreSQL (pid ${postmaster}) is not running`);
  // utime, stime, cutime, cstime: the 12th to 15th fields after the command.
  let total = ((Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])) * 1000) / 100;
  let store = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = await statOf(Number(entry));
    if (!fields || Number(fields[1]) !== postmaster) continue;
    const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    total += ms;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    // A connection's title: "postgres: <user> <database> <client> <state>".
    if (/^postgres: \S+ plan_review /.test(cmdline)) store += ms;
  }
  return { total, store };
}
export type CpuSpent = Awaited<ReturnType<typeof cpuSpent>>;

/** CPU per unit of work (ms) of each process between two readings of cpuSpent. */
export function cpuPer(before: CpuSpent, after: CpuSpent, units: number) {
  const per = (a: number, b: number) => Math.round((b - a) / Math.max(1, units));
  return {
    webServers: per(before.web, after.web),
    workers: per(before.workers, after.workers),
    driver: per(before.driver, after.driver),
    temporalServer: before.server === null || after.server === null ? null : per(before.server, after.server),
    /** The cluster's PostgreSQL, all of it and the document store's connections alone; null on the dev server. */
    postgres:
      before.postgres === null || after.postgres === null ? null : per(before.postgres.total, after.postgres.total),
    postgresStore:
      before.postgres === null || after.postgres === null ? null : per(before.postgres.store, after.postgres.store),
  };
}
