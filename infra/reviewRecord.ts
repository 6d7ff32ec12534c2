/**
 * The PDF renderer's input, assembled from a round: its status (summaries) and the reply texts
 * fetched from the document store by hash, each checked against the hash the round recorded.
 * The status itself is never the record: it holds no texts (so it stays small whatever bureaus send).
 */
import { ReviewRecord } from '../domain/records.js';
import type { RoundStatus } from '../domain/round.js';
import { loadReply } from './replyStore.js';
import type { ContentStore } from './store.js';

/** What the record carries that the round's status does not (yet): set by the approval stage. */
export interface RecordExtras {
  issueDate?: string;
  coordinatorOrg?: string;
}

/** The expert review as the PDF prints it, once the meeting, its report and its opinions are recorded. */
function expertReviewOf(status: RoundStatus) {
  const review = status.expertReview;
  if (!review?.meeting || !review.report || !review.opinionsRecorded) return undefined;
  return { meeting: review.meeting, experts: review.experts, report: review.report, opinions: review.opinions };
}

export async function assembleReviewRecord(
  status: RoundStatus,
  store: ContentStore,
  extras: RecordExtras = {},
): Promise<ReviewRecord> {
  const summaries = status.bureaus.flatMap((b) => b.replies).sort((a, b) => a.n - b.n);
  const replies = [];
  for (const summary of summaries) replies.push(await loadReply(store, summary));
  return ReviewRecord.parse({
    round: { id: status.id, planId: status.planId, n: status.n, title: status.title, ...extras },
    documents: status.documents,
    bureaus: status.bureaus.map((b) => b.bureau),
    replies,
    outcomes: Object.fromEntries(status.bureaus.map((b) => [b.bureau.id, b.outcome])),
    dispositions: status.dispositions,
    ...(expertReviewOf(status) && { expertReview: expertReviewOf(status) }),
  });
}
