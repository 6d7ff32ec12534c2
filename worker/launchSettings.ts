/**
 * How a worker process is launched: the V8 flags of worker/node-flags, the preload that keeps the
 * SDK's workflow stack traces off (worker/workflowStackTraces.cjs) and the environment of worker/env
 * (bin/plan-review says why), the same for `plan-review worker` and the benchmarks.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WORKER_NODE_FLAGS_FILE = fileURLToPath(new URL('./node-flags', import.meta.url));
const WORKER_ENV_FILE = fileURLToPath(new URL('./env', import.meta.url));
export const STACK_TRACES_PRELOAD = fileURLToPath(new URL('./workflowStackTraces.cjs', import.meta.url));

export function workerNodeFlags(): string[] {
  const v8Flags = readFileSync(WORKER_NODE_FLAGS_FILE, 'utf8').split(/\s+/).filter(Boolean);
  return [...v8Flags, '--require', STACK_TRACES_PRELOAD];
}

/**
 * Whether this process's workflow threads keep the SDK's stack traces: off when it was started with
 * the preload and WORKFLOW_STACK_TRACES is not `on`; on otherwise (the SDK's default, as in a worker
 * started without bin/plan-review).
 */
export function workflowStackTraces(
  setting: 'on' | 'off',
  execArgv: readonly string[] = process.execArgv,
): 'on' | 'off' {
  const preloaded = execArgv.some((a) => a === STACK_TRACES_PRELOAD || a === `--require=${STACK_TRACES_PRELOAD}`);
  return preloaded && setting === 'off' ? 'off' : 'on';
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
