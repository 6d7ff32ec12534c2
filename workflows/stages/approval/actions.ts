/** What the approver does: approve the candidate PDF by its hash, or reject it with a reason. */
import { refusalText } from '../../../domain/refusals.js';
import type { RefusalCode } from '../../../domain/refusals.js';
import { ROUND_LIMITS } from '../../../domain/limits.js';
import { iso, localDate } from '../../../domain/time.js';
import type { ActionTable } from '../../round/actions.js';
import { refuse } from '../../round/refuse.js';
import type { Round } from '../../round/round.js';
import { approvalBlockers, recordFingerprint } from './rules.js';

function currentCandidate(round: Round, pdfSha256: string) {
  if (round.status.approval.decisions.length >= ROUND_LIMITS.approvalDecisions) {
    refuse('round', 'tooManyDecisions', { max: ROUND_LIMITS.approvalDecisions });
  }
  const { candidate } = round.status.approval;
  if (!candidate) refuse('pdfSha256', 'noCandidate');
  if (candidate.pdfSha256 !== pdfSha256 || candidate.fingerprint !== recordFingerprint(round.status))
    refuse('pdfSha256', 'notTheCandidate');
  // Approved after its issue date, a PDF would say it was issued before it was approved.
  if (candidate.issueDate && candidate.issueDate !== localDate(Date.now(), round.status.timeZone))
    refuse('pdfSha256', 'candidateOutdated', { issueDate: candidate.issueDate });
  return candidate;
}

export const approvalActions: ActionTable<Round> = {
  approveCandidate: {
    stages: ['approval'],
    check(round, req) {
      const blockers = approvalBlockers(round.status);
      if (blockers.length > 0) {
        const items = blockers.map((b) => refusalText(b.code as RefusalCode, b.params));
        refuse('round', 'approvalBlocked', { items: items.map((t) => t.en).join('; ') });
      }
      currentCandidate(round, req.pdfSha256);
    },
    apply(round, req) {
      round.status.approval.decisions.push({
        by: req.actor,
        at: iso(Date.now()),
        decision: 'approved',
        pdfSha256: req.pdfSha256,
      });
      round.enter('approved');
      return round.ack();
    },
  },

  rejectCandidate: {
    stages: ['approval'],
    check(round, req) {
      currentCandidate(round, req.pdfSha256);
    },
    apply(round, req) {
      const { approval } = round.status;
      approval.decisions.push({
        by: req.actor,
        at: iso(Date.now()),
        decision: 'rejected',
        reason: req.reason,
        pdfSha256: req.pdfSha256,
      });
      approval.rejectedFingerprint = approval.candidate?.fingerprint ?? null;
      approval.candidate = null;
      round.enter('revision');
      return round.ack();
    },
  },
};
