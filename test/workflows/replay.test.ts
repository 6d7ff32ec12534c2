/**
 * Replay tests: recorded histories of real rounds must replay against today's workflow code, so a
 * change never breaks a round that is running (months-long rounds outlive many deployments).
 * Every test/histories/*.json is replayed, one test per file. seed-consultation.json was recorded
 * with earlier workflow code and is kept as it is: the proof that old rounds survive changes.
 *
 * Record (or re-record) one history per scenario of the time-skipping workflow tests, written to
 * test/histories/<scenario>.json by test/support/recordHistory.ts:
 *   RECORD_HISTORIES=1 npx vitest run test/workflows/consultation.test.ts
 * Record the seed round's consultation alone with:
 *   npx tsx bench/consultation-actions.ts --record test/histories/<name>.json
 * Re-record only on purpose: a history that no longer replays is a finding, not a stale file.
 * seed-full-cycle.json is the seed round whole (test/workflows/seedFullCycle.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, inject, it } from 'vitest';
import { HISTORIES_DIR } from '../support/recordHistory.js';

const history = (file: string) => historyFromJSON(JSON.parse(readFileSync(new URL(file, HISTORIES_DIR), 'utf8')));
const files = readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('replay of recorded histories', () => {
  it('has the recorded histories, the seed round among them', () => {
    expect(files).toContain('seed-consultation.json');
    expect(files.length).toBeGreaterThan(1);
  });

  it('has complete rounds (through to the round’s end) for what auditors are shown', () => {
    // The seed round whole, a silent bureau, an objection, a moved expert meeting, a rejection then approval.
    const complete = {
      'seed-full-cycle.json': 'approved',
      'silent-bureau-deadline.json': 'completed',
      'outcome-objection-complete.json': 'approved',
      'expert-review.json': 'completed',
      'approval-rejected-then-approved.json': 'approved',
    };
    for (const [file, stage] of Object.entries(complete)) {
      const events = history(file).events!;
      const last = events.at(-1)!.workflowExecutionCompletedEventAttributes;
      expect(last, file).toBeTruthy();
      const result = JSON.parse(Buffer.from(last!.result!.payloads![0]!.data!).toString('utf8')) as { stage: string };
      expect(result.stage, file).toBe(stage);
    }
    const updates = (file: string) =>
      history(file).events!.flatMap(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? [],
      );
    expect(updates('seed-full-cycle.json')).toEqual(
      expect.arrayContaining(['rescheduleMeeting', 'submitReply', 'publishDispositions', 'approveCandidate']),
    );
    expect(updates('outcome-objection-complete.json')).toEqual(expect.arrayContaining(['resolveObjection']));
    expect(updates('expert-review.json')).toContain('rescheduleMeeting');
    expect(updates('approval-rejected-then-approved.json')).toEqual(
      expect.arrayContaining(['rejectCandidate', 'approveCandidate']),
    );
  });

  it.each(files)('replays %s with the current code', async (file) => {
    await Worker.runReplayHistory(
      { workflowBundle: { code: inject('workflowBundleCode') } },
      history(file),
      file.replace(/\.json$/, ''),
    );
  });

  it('detects a non-deterministic change', async () => {
    const bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('changed-workflow/index.ts', HISTORIES_DIR)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle }, history('seed-consultation.json')),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
