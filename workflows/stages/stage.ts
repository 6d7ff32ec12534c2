/** What a stage gives the round: a run that returns when the stage is over (or the round cancelled). */
import type { RunnableStage } from '../../domain/round.js';
import type { Round } from '../round/round.js';
import { consultationStage } from './consultation/index.js';
import { approvalStage } from './approval/index.js';
import { dispositionStage } from './disposition/index.js';
import { expertReviewStage } from './expertReview/index.js';

export interface StageRunner {
  run(): Promise<void>;
}

/**
 * Every stage a round can run. Building one registers its actions, which must happen before the
 * round's first await (an Update arriving with the first task needs its handler).
 */
export const STAGES: Record<RunnableStage, (round: Round) => StageRunner> = {
  consultation: consultationStage,
  disposition: dispositionStage,
  approval: approvalStage,
  expertReview: expertReviewStage,
};
