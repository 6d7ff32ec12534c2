/**
 * A deliberately incompatible change to reviewRound, for the replay test that must catch it:
 * it sleeps before describing the documents, so its commands no longer match a recorded history.
 */
import { sleep } from '@temporalio/workflow';
import type { RoundInput } from '../../../domain/round.js';
import { reviewRound as current } from '../../../workflows/reviewRound.js';

export async function reviewRound(input: RoundInput) {
  await sleep('1 minute');
  return current(input);
}
