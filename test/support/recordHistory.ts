/**
 * Records a scenario's round for the replay suite (test/workflows/replay.test.ts). The history is
 * always fetched, so recording never changes what a scenario does; it is written to
 * test/histories/<name>.json only when RECORD_HISTORIES=1:
 *
 *   RECORD_HISTORIES=1 npx vitest run test/workflows/consultation.test.ts
 */
import { writeFile } from 'node:fs/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

export const HISTORIES_DIR = new URL('../histories/', import.meta.url);

export async function recordHistory(handle: Pick<WorkflowHandle, 'fetchHistory'>, name: string): Promise<void> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new Error(`history name must be kebab-case: ${name}`);
  const history = await handle.fetchHistory();
  if (process.env.RECORD_HISTORIES !== '1') return;
  await writeFile(new URL(`${name}.json`, HISTORIES_DIR), historyToJSON(history) + '\n');
}
