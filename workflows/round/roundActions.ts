/** Actions on the round as a whole, in any stage. */
import { STAGE_LABELS } from '../../domain/labels.js';
import { AFTER_CONSULTATION, Stage } from '../../domain/round.js';
import type { ActionTable } from './actions.js';
import { refuse } from './refuse.js';
import type { Round } from './round.js';
import { addVersionRefusal } from './rules.js';

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

  addDocumentVersion: {
    // After consultation: what the bureaus read stays what they were invited to comment on.
    stages: AFTER_CONSULTATION,
    check(round, req) {
      const refusal = addVersionRefusal(round.status, req);
      if (refusal) refuse(refusal.field, refusal.code, refusal.params);
    },
    async apply(round, req) {
      await round.addVersion(req.docKey, req.sha256, req.actor);
      return round.ack();
    },
  },
};
