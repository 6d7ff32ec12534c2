/**
 * reviewRound: one review round of one plan, from the first invitation to the end of its last
 * stage. One workflow per round (its status and each bureau link's view of it as queries, one history for auditors); the stages run in
 * the order the round's input lists them, each from its folder under workflows/stages/.
 * The input was parsed by the edge that started the round (infra/rounds.ts); it is applied as
 * recorded, so a later, stricter schema never breaks a running round's replay.
 */
import { CancellationScope, isCancellation, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { DEFAULT_STAGES, type RoundInput, type RoundResult } from '../domain/round.js';
import { linkView } from '../domain/linkView.js';
import { linkViewQuery, statusQuery } from './messages.js';
import { PATCHES } from './patches.js';
import { registerActions } from './round/actions.js';
import { Round } from './round/round.js';
import { roundActions } from './round/roundActions.js';
import { STAGES } from './stages/stage.js';

/** Archiving renders the certificate and reads the whole history: seconds, like a render. */
const archive = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: { maximumAttempts: 5 } });

export async function reviewRound(input: RoundInput): Promise<RoundResult> {
  const round = new Round(input);
  setHandler(statusQuery, () => round.status);
  setHandler(linkViewQuery, (bureauId) => linkView(round.status, bureauId));
  registerActions(round, round, roundActions);
  const stages = (input.stages ?? DEFAULT_STAGES).map((name) => STAGES[name](round));

  try {
    await round.describeDocuments();
    for (const stage of stages) {
      if (round.cancelled) break;
      await stage.run();
    }
    // An approved round stays 'approved'; any other round whose stages are done is complete.
    if (!round.cancelled && round.status.stage !== 'approved') round.enter('completed');
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled from Temporal itself (not through the cancelRound action): still stamp it and tell the bureaus.
    await CancellationScope.nonCancellable(async () => {
      round.cancel({ name: 'Temporal', role: 'system' }, 'the workflow was cancelled in Temporal');
      await round.drain();
    });
    throw err;
  }
  const result = await round.finish();
  if (round.status.stage !== 'approved' || !patched(PATCHES.archiveAtApproval)) return result;
  // Everything is sent and every handler done: the history so far is the whole round, and stays as it is.
  await archive.archiveRound({ roundId: round.id });
  return round.finish();
}
