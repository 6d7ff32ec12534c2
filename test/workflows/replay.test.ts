/**
 * Replay tests: recorded histories of real rounds must replay against today's workflow code, so a
 * change never breaks a round that is running (months-long rounds outlive many deployments).
 * Record a new history with: npx tsx bench/consultation-actions.ts --record test/histories/<name>.json
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, inject, it } from 'vitest';

const history = (name: string) => historyFromJSON(JSON.parse(readFileSync(new URL(`../histories/${name}`, import.meta.url), 'utf8')));

describe('replay of recorded histories', () => {
  it('replays the seed consultation round (7 replies, deadline, summary) with the current code', async () => {
    await Worker.runReplayHistory({ workflowBundle: { code: inject('workflowBundleCode') } }, history('seed-consultation.json'), 'seed-consultation');
  });

  it('detects a non-deterministic change', async () => {
    const bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../histories/changed-workflow/index.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history('seed-consultation.json'))).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
