/** The disposition stage: every comment adopted, partially adopted or not adopted, then published (rules.ts, actions.ts, run.ts). */
import { registerActions } from '../../round/actions.js';
import type { Round } from '../../round/round.js';
import type { StageRunner } from '../stage.js';
import { dispositionActions } from './actions.js';
import { Disposition } from './run.js';

export function dispositionStage(round: Round): StageRunner {
  const stage = new Disposition(round);
  registerActions(round, stage, dispositionActions);
  return stage;
}
