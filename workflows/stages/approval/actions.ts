/** What the approver does: approve the candidate PDF by its hash, or reject it with a reason. */
import type { Refusal } from '../../../domain/refusals.js';
import { iso } from '../../../domain/time.js';
import type { ActionTable } from '../../round/actions.js';
import { refuse } from '../../round/refuse.js';
import type { Round } from '../../round/round.js';
import { approveRefusal, candidateRefusal, recordDecision } from './rules.js';

const raise = (r: Refusal | null) => {
  if (r) refuse(r.field, r.code, r.params);
};

export const approvalActions: ActionTable<Round> = {
  approveCandidate: {
    stages: ['approval'],
    check(round, req) {
      raise(approveRefusal(round.status, req.pdfSha256, Date.now()));
    },
    apply(round, req) {
      round.enter(recordDecision(round.status.approval, req, iso(Date.now())));
      return round.ack();
    },
  },

  rejectCandidate: {
    stages: ['approval'],
    check(round, req) {
      raise(candidateRefusal(round.status, req.pdfSha256, Date.now()));
    },
    apply(round, req) {
      round.enter(recordDecision(round.status.approval, req, iso(Date.now())));
      return round.ack();
    },
  },
};
