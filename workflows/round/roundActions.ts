/** Actions on the round as a whole, in any stage. */
import { STAGE_LABELS } from '../../domain/labels.js';
import { ROUND_LIMITS } from '../../domain/limits.js';
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

  addDocumentVersion: {
    // After consultation: what the bureaus read stays what they were invited to comment on.
    stages: ['disposition', 'expertReview', 'revision', 'approval'],
    check(round, req) {
      const doc = round.status.documents.find((d) => d.key === req.docKey);
      if (!doc) refuse('docKey', 'unknownDocument', { doc: req.docKey });
      if (doc.versions[doc.versions.length - 1]!.sha256 === req.sha256)
        refuse('sha256', 'versionUnchanged', { title: doc.title });
      if (doc.versions.length >= ROUND_LIMITS.versionsPerDocument) {
        refuse('sha256', 'tooManyVersions', { title: doc.title, max: ROUND_LIMITS.versionsPerDocument });
      }
    },
    async apply(round, req) {
      await round.addVersion(req.docKey, req.sha256, req.actor);
      return round.ack();
    },
  },
};
