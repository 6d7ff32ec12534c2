/**
 * The approval stage's rules, as plain functions over the round's status: what still blocks
 * approval, which document is the plan, the fingerprint of the records a candidate shows, why a
 * decision on a candidate is refused, and how a decision is kept.
 */
import {
  blockerText,
  type ApprovalState,
  type ApproveCandidateRequest,
  type Blocker,
  type RejectCandidateRequest,
} from '../../../domain/approval.js';
import { ROUND_LIMITS } from '../../../domain/limits.js';
import { makeRefusal, type Refusal } from '../../../domain/refusals.js';
import { canonicalSha256 } from '../../../domain/replyHash.js';
import { localDate } from '../../../domain/time.js';
import type { RoundStatus } from '../../../domain/round.js';
import { allComments, brokenAnchors, openObjections, undisposed } from '../disposition/rules.js';

export function approvalBlockers(status: RoundStatus): Blocker[] {
  const blockers: Blocker[] = [];
  const pending = status.bureaus.filter((b) => b.outcome === 'pending').map((b) => b.bureau.nameZh);
  if (pending.length > 0) blockers.push({ code: 'pendingBureaus', params: { names: pending.join('、') } });
  const missing = undisposed(status);
  if (missing.length > 0)
    blockers.push({
      code: 'dispositionsIncomplete',
      params: { count: missing.length, ids: missing.slice(0, 10).join(', ') },
    });
  else if (allComments(status).length > 0 && !status.dispositionsPublished)
    blockers.push({ code: 'dispositionsUnpublished', params: {} });
  const objections = openObjections(status);
  if (objections.length > 0) {
    const names = objections.map(
      (n) => status.bureaus.find((b) => b.bureau.id === n.bureauId)?.bureau.nameZh ?? n.bureauId,
    );
    blockers.push({ code: 'openObjections', params: { count: objections.length, names: names.join('、') } });
  }
  const review = status.expertReview;
  if (review && (!review.opinionsRecorded || review.opinions.some((o) => !o.revisionNote))) {
    const missing = review.opinions.filter((o) => !o.revisionNote).map((o) => o.n);
    blockers.push({ code: 'expertReviewIncomplete', params: { opinions: missing.length ? missing.join(', ') : '-' } });
  }
  const broken = brokenAnchors(status);
  if (broken.length > 0) blockers.push({ code: 'brokenAnchors', params: { count: broken.length } });
  return blockers;
}

/** The plan: the document keyed by the plan's id, else the first one circulated in full. */
export function planDocKey(status: RoundStatus): string {
  return (
    status.documents.find((d) => d.key === status.planId) ??
    status.documents.find((d) => !d.standIn) ??
    status.documents[0]!
  ).key;
}

/** What a candidate shows: document versions, the replies recorded, outcomes, dispositions, the experts' opinions and revision notes. */
export function recordFingerprint(status: RoundStatus): string {
  return canonicalSha256({
    documents: status.documents.map((d) => d.versions.map((v) => v.sha256)),
    replies: status.bureaus.map((b) => [b.bureau.id, b.outcome, b.replies.map((r) => r.contentSha256)]),
    dispositions: status.dispositions,
    expertReview: status.expertReview && { opinions: status.expertReview.opinions, signed: status.expertReview.signed },
  });
}

/**
 * Why the approver may not decide on `pdfSha256` at `now` (approve or reject it): it is not the
 * current candidate, or its issue date has passed (approved after it, a PDF would say it was issued
 * before it was approved; a new candidate is rendered at midnight).
 */
export function candidateRefusal(status: RoundStatus, pdfSha256: string, now: number): Refusal | null {
  if (status.approval.decisions.length >= ROUND_LIMITS.approvalDecisions)
    return makeRefusal('round', 'tooManyDecisions', { max: ROUND_LIMITS.approvalDecisions });
  const { candidate } = status.approval;
  if (!candidate) return makeRefusal('pdfSha256', 'noCandidate');
  if (candidate.pdfSha256 !== pdfSha256 || candidate.fingerprint !== recordFingerprint(status))
    return makeRefusal('pdfSha256', 'notTheCandidate');
  if (candidate.issueDate && candidate.issueDate !== localDate(now, status.timeZone))
    return makeRefusal('pdfSha256', 'candidateOutdated', { issueDate: candidate.issueDate });
  return null;
}

/** Why `pdfSha256` may not be approved at `now`: something blocks approval, or it is not the current candidate. */
export function approveRefusal(status: RoundStatus, pdfSha256: string, now: number): Refusal | null {
  const blockers = approvalBlockers(status);
  if (blockers.length > 0)
    return makeRefusal('round', 'approvalBlocked', { items: blockers.map((b) => blockerText(b).en).join('; ') });
  return candidateRefusal(status, pdfSha256, now);
}

/**
 * Keeps the approver's decision on the candidate: an approval names the approved PDF; a rejection
 * keeps its reason and the fingerprint it was given on, and drops the candidate. Returns the stage
 * the round enters.
 */
export function recordDecision(
  approval: ApprovalState,
  req: ApproveCandidateRequest | RejectCandidateRequest,
  at: string,
): 'approved' | 'revision' {
  if (!('reason' in req)) {
    approval.decisions.push({ by: req.actor, at, decision: 'approved', pdfSha256: req.pdfSha256 });
    return 'approved';
  }
  approval.decisions.push({ by: req.actor, at, decision: 'rejected', reason: req.reason, pdfSha256: req.pdfSha256 });
  approval.rejectedFingerprint = approval.candidate?.fingerprint ?? null;
  approval.candidate = null;
  return 'revision';
}
