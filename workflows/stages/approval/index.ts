/** The approval stage: the candidate PDF rendered from the round's records, approved by its hash (rules.ts, actions.ts, run.ts). */
import { registerActions } from '../../round/actions.js';
import type { Round } from '../../round/round.js';
import type { StageRunner } from '../stage.js';
import { approvalActions } from './actions.js';
import { Approval } from './run.js';

export function approvalStage(round: Round): StageRunner {
  registerActions(round, round, approvalActions);
  return new Approval(round);
}
