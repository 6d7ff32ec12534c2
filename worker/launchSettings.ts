/**
 * How a worker process is launched: the V8 flags of worker/node-flags and the environment of
 * worker/env (bin/plan-review says why), the same for `plan-review worker` and the benchmarks.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WORKER_NODE_FLAGS_FILE = fileURLToPath(new URL('./node-flags', import.meta.url));
const WORKER_ENV_FILE = fileURLToPath(new URL('./env', import.meta.url));

export function workerNodeFlags(): string[] {
  return readFileSync(WORKER_NODE_FLAGS_FILE, 'utf8').split(/\s+/).filter(Boolean);
}

/**
 * worker/env's variables, each unless `env` already sets it (an operator's own setting wins), and
 * LD_PRELOAD only when the dynamic loader finds its library: a machine without it runs on glibc's
 * malloc instead of printing the loader's warning from every process the worker starts.
 */
export function workerEnv(env: NodeJS.ProcessEnv = process.env, file = WORKER_ENV_FILE): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m || env[m[1]!] !== undefined) continue;
    const [, name, value] = m as unknown as [string, string, string];
    if (name === 'LD_PRELOAD' && !preloadable(value)) continue;
    vars[name] = value;
  }
  return vars;
}

/** Whether a program starts with `library` preloaded and the loader says nothing about it. */
function preloadable(library: string): boolean {
  const run = spawnSync('true', { env: { ...process.env, LD_PRELOAD: library }, encoding: 'utf8' });
  return run.status === 0 && run.stderr === '';
}
