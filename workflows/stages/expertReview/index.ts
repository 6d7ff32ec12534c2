/** The expert review stage: the experts' meeting, their opinions, a revision note per opinion (rules.ts, actions.ts, run.ts). */
import { registerActions } from '../../round/actions.js';
import type { Round } from '../../round/round.js';
import type { StageRunner } from '../stage.js';
import { expertReviewActions } from './actions.js';
import { ExpertReview } from './run.js';

export function expertReviewStage(round: Round): StageRunner {
  registerActions(round, round, expertReviewActions);
  return new ExpertReview(round);
}
