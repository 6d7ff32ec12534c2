/** The V8 flags a worker process runs with (worker/node-flags; bin/plan-review says why). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WORKER_NODE_FLAGS_FILE = fileURLToPath(new URL('./node-flags', import.meta.url));

export function workerNodeFlags(): string[] {
  return readFileSync(WORKER_NODE_FLAGS_FILE, 'utf8').split(/\s+/).filter(Boolean);
}
