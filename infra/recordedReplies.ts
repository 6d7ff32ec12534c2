/**
 * A round's recorded replies, read from its workflow history. Temporal's server keeps the history
 * and answers for it without a worker, and a reply's Update (the request, with its texts) and its
 * result (the receipt) are both in it: so a reply's receipt can be shown while no worker runs,
 * from the history and the document store, where the round's status (a query) cannot be read.
 * Every reply rebuilt here is checked against the receipt's hash before it is shown.
 */
import type {
  AddBureauRequest,
  RecordPaperReplyRequest,
  ReplyReceipt,
  SubmitReplyRequest,
} from '../domain/consultation.js';
import type { AddDocumentVersionRequest } from '../domain/disposition.js';
import type { Bureau, ReplySummary } from '../domain/records.js';
import { summarizeReply } from '../domain/replies.js';
import type { RoundInput } from '../domain/round.js';
import type { History } from './roundHistory.js';
import { decodePayload } from './timeline.js';

/** What a receipt shows of its round, and the replies recorded in it. */
export interface RecordedRound {
  id: string;
  title: string;
  timeZone: string;
  documents: Array<{ key: string; title: string }>;
  bureaus: Bureau[];
  /** Every reply, in the order it was recorded, with the link it came through (a link reply's). */
  replies: Array<{ summary: ReplySummary; linkId?: string }>;
}

/** An event as far as the replies need it: the round's start, an Update accepted (its request) or completed (its result). */
interface ReplyEvent {
  started?: { input: unknown };
  accepted?: { updateId: string; name: string; request: unknown };
  completed?: { updateId: string; result: unknown };
}

/** The events of a history that the replies are rebuilt from, their payloads decoded. */
function* replyEvents(history: History): Generator<ReplyEvent> {
  for (const e of history.events ?? []) {
    const started = e.workflowExecutionStartedEventAttributes;
    if (started) yield { started: { input: decodePayload(started.input?.payloads) } };
    const accepted = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
    if (accepted?.meta?.updateId && accepted.input?.name)
      yield {
        accepted: {
          updateId: accepted.meta.updateId,
          name: accepted.input.name,
          request: decodePayload(accepted.input.args?.payloads),
        },
      };
    const completed = e.workflowExecutionUpdateCompletedEventAttributes;
    if (completed?.meta?.updateId && completed.outcome?.success)
      yield {
        completed: { updateId: completed.meta.updateId, result: decodePayload(completed.outcome.success.payloads) },
      };
  }
}

/** The replies a history recorded, each rebuilt from its request and receipt and checked by its hash. */
export function recordedRound(roundId: string, history: History): RecordedRound | undefined {
  let input: RoundInput | undefined;
  const versions = new Map<string, number>();
  const bureaus: Bureau[] = [];
  const requests = new Map<string, { name: string; request: unknown }>();
  const replies: RecordedRound['replies'] = [];
  for (const e of replyEvents(history)) {
    if (e.started) {
      input = e.started.input as RoundInput;
      for (const d of input.documents) versions.set(d.key, 1);
      bureaus.push(...input.bureaus);
    }
    if (e.accepted) requests.set(e.accepted.updateId, { name: e.accepted.name, request: e.accepted.request });
    if (!e.completed || !input) continue;
    const update = requests.get(e.completed.updateId);
    if (!update || e.completed.result === undefined) continue;
    if (update.name === 'addDocumentVersion') {
      const { docKey } = update.request as AddDocumentVersionRequest;
      versions.set(docKey, (versions.get(docKey) ?? 1) + 1);
    } else if (update.name === 'addBureau') {
      bureaus.push((update.request as AddBureauRequest).bureau);
    } else if (update.name === 'submitReply' || update.name === 'recordPaperReply') {
      const receipt = e.completed.result as ReplyReceipt;
      const req = update.request as SubmitReplyRequest | RecordPaperReplyRequest;
      const paper = update.name === 'recordPaperReply';
      const recordedBy = paper ? req.actor : (req as SubmitReplyRequest).submittedBy;
      const scanSha256 = paper ? (req as RecordPaperReplyRequest).scanSha256 : req.reply.attachmentSha256;
      const summary = summarizeReply(
        {
          n: receipt.n,
          bureauId: receipt.bureauId,
          version: receipt.version,
          submittedAt: receipt.submittedAt,
          channel: paper ? 'paper' : 'link',
          responder: req.reply.responder,
          ...(recordedBy && { recordedBy }),
          ...(scanSha256 && { scanSha256 }),
          ...(receipt.late && { late: true as const }),
        },
        req.reply,
        input.documents.map((d) => ({ key: d.key, version: versions.get(d.key) ?? 1 })),
      );
      // Only a reply that proves to be the one the round recorded is shown.
      if (summary.contentSha256 !== receipt.contentSha256) continue;
      replies.push({ summary, ...(!paper && { linkId: (req as SubmitReplyRequest).linkId }) });
    }
  }
  if (!input) return undefined;
  return {
    id: roundId,
    title: input.title,
    timeZone: input.timeZone,
    documents: input.documents.map((d) => ({ key: d.key, title: d.title })),
    bureaus,
    replies,
  };
}
