/** Actions on the round as a whole, in any stage. */
import { STAGE_LABELS } from '../../domain/labels.js';
import { Stage } from '../../domain/round.js';
import type { ActionTable } from './actions.js';
import { refuse } from './refuse.js';
import type { Round } from './round.js';

const FINISHED: Stage[] = ['cancelled', 'approved', 'completed'];

export const roundActions: ActionTable<Round> = {
  cancelRound: {
    stages: Stage.options,
    check(round) {
      const { stage } = round.status;
      if (FINISHED.includes(stage)) refuse('round', 'roundFinished', { stage, stageZh: STAGE_LABELS[stage].zh });
    },
    apply(round, req) {
      round.cancel(req.actor, req.reason);
      return round.ack();
    },
  },
};
