/**
 * The embedded Temporal: the CLI's dev server on a SQLite file, so rounds survive a restart.
 * Used by `plan-review up` and by the end-to-end tests' global setup.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';

const run = promisify(execFile);

export interface DevServerOptions {
  cli: string;
  dbFile: string;
  port: number;
  /** Omit to run headless (no Web UI). */
  uiPort?: number;
  namespace: string;
  /** How long closed workflow histories are kept, e.g. 3650d. */
  retention: string;
  logFile: string;
  /** How long to wait for the server to answer. */
  startTimeoutMs?: number;
  /** Serve the server's metrics (Prometheus text) on this port at /metrics; omit for none. */
  metricsPort?: number;
}

export interface DevServer {
  address: string;
  /** The server's process (a fault battery kills it). */
  pid: number;
  uiUrl?: string;
  stop(): Promise<void>;
}

/**
 * How many threads the embedded server's Go runtime runs at once: half the cores (at least one),
 * unless GOMAXPROCS is set. The server shares the machine with the worker and the web server; on two
 * cores, allowed both, it spent a fifth more CPU per reply (likely its scheduler spinning for work
 * between requests), CPU the worker needed (the reply-latency benchmark in BENCHMARKS.md).
 */
export function devServerGoMaxProcs(env: NodeJS.ProcessEnv = process.env, cores = os.availableParallelism()): string {
  return env.GOMAXPROCS || String(Math.max(1, Math.floor(cores / 2)));
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  await mkdir(path.dirname(opts.dbFile), { recursive: true });
  await mkdir(path.dirname(opts.logFile), { recursive: true });
  const address = `127.0.0.1:${opts.port}`;
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    opts.dbFile,
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    // A write-ahead log instead of SQLite's rollback journal: one sync per commit instead of several,
    // and reads no longer wait for writes. synchronous=full keeps every commit on disk before the
    // server answers, so a power cut loses nothing a person was told was recorded. The mode is kept
    // in the file: a data folder made before switches on its next start.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=full',
  ];
  if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.metricsPort !== undefined) args.push('--metrics-port', String(opts.metricsPort));

  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(opts.cli, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GOMAXPROCS: devServerGoMaxProcs() },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  let lastError: unknown;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `the Temporal dev server exited with code ${child.exitCode} (is port ${opts.port} or ${opts.uiPort} in use?); see ${opts.logFile}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: opts.namespace });
      await connection.close();
      break;
    } catch (err) {
      lastError = err;
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw new Error(
          `the Temporal dev server did not answer on ${address} within ${opts.startTimeoutMs ?? 60_000} ms: ${String(lastError)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  // Auditors read closed rounds' histories: keep them far longer than the 24-hour default.
  await run(opts.cli, [
    'operator',
    'namespace',
    'update',
    '--address',
    address,
    '-n',
    opts.namespace,
    '--retention',
    retentionHours(opts.retention),
  ]);

  return {
    address,
    pid: child.pid!,
    uiUrl: opts.uiPort !== undefined ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

/** The CLI takes Go durations: 3650d becomes 87600h. */
export function retentionHours(retention: string): string {
  const m = /^(\d+)(d|h)$/.exec(retention);
  if (!m) throw new Error(`retention must look like 3650d or 8760h, not ${retention}`);
  return `${m[2] === 'd' ? Number(m[1]) * 24 : Number(m[1])}h`;
}
