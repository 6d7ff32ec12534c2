/**
 * A round's records as one file: the review record its approved PDF (or current candidate) was
 * rendered from, assembled from the round's status and the texts in the store, with the approval
 * that was recorded. `plan-review round records <id>` writes it; `plan-review render` reads it back.
 */
import { ReviewRecord } from '../domain/records.js';
import type { RoundStatus } from '../domain/round.js';
import { assembleReviewRecord, type RecordExtras } from './reviewRecord.js';
import type { ContentStore } from './store.js';

/**
 * What the record carries beyond the status, as the round's candidate was rendered with it: its issue
 * date and the coordinator's organisation (a candidate of a round recorded before candidates were
 * dated carried neither).
 */
export function recordExtrasOf(status: RoundStatus): RecordExtras {
  const { candidate } = status.approval;
  if (candidate && !candidate.issueDate) return {};
  return { ...(candidate?.issueDate && { issueDate: candidate.issueDate }), coordinatorOrg: status.coordinator.name };
}

/** The approval that stands: the last decision, when it approved. */
export function approvalOf(status: RoundStatus) {
  const last = status.approval.decisions.at(-1);
  return last?.decision === 'approved' ? last : undefined;
}

/**
 * An approved round's records are the very record its PDF was rendered from (kept in the store by
 * the hash the candidate carries) with the approval; any other round's are assembled from its status.
 */
export async function exportRoundRecords(status: RoundStatus, store: ContentStore): Promise<ReviewRecord> {
  const approval = approvalOf(status);
  const { candidate } = status.approval;
  if (approval && candidate && candidate.pdfSha256 === approval.pdfSha256) {
    const rendered = ReviewRecord.parse(JSON.parse((await store.get(candidate.recordSha256)).toString('utf8')));
    return { ...rendered, approval };
  }
  return assembleReviewRecord(status, store, recordExtrasOf(status));
}
