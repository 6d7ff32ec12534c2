/**
 * reviewRound: one review round of one plan, from the first invitation to approval. Per-bureau
 * state lives here (a handful of bureaus), so one query returns the whole picture.
 */
import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { RoundInput, type RoundStatus } from '../domain/round.js';
import { reviewRoundId } from '../domain/ids.js';
import { cancelRoundUpdate, statusQuery, type CancelRoundRequest } from './messages.js';
import { requireActor, rejectInvalid } from './validation.js';

const documents = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});

export async function reviewRound(rawInput: RoundInput): Promise<RoundStatus> {
  const input = RoundInput.parse(rawInput);
  const startedAt = new Date(workflowInfo().startTime).toISOString();
  const status: RoundStatus = {
    id: reviewRoundId(input.planId, input.n),
    planId: input.planId,
    n: input.n,
    title: input.title,
    timeZone: input.timeZone,
    stage: 'drafting',
    coordinator: input.coordinator,
    startedAt,
    startedBy: input.startedBy,
    graceMs: input.graceMs,
    reminderOffsetsMs: input.reminderOffsetsMs,
    documents: [],
    bureaus: [],
    consultation: { closed: null },
    cancelled: null,
    problems: [],
  };
  const handled = new Set<string>();

  setHandler(statusQuery, () => status);
  setHandler(
    cancelRoundUpdate,
    (req: CancelRoundRequest) => {
      if (!handled.has(req.requestId)) {
        handled.add(req.requestId);
        status.cancelled = { by: req.actor, at: new Date().toISOString(), reason: req.reason };
        status.stage = 'cancelled';
      }
      return status;
    },
    {
      validator: (req: CancelRoundRequest) => {
        requireActor(req, ['coordinator']);
        if (typeof req.reason !== 'string' || req.reason.trim() === '') rejectInvalid('reason', 'a reason is required to cancel a round');
        if (status.cancelled && !handled.has(req.requestId)) rejectInvalid('round', 'the round is already cancelled');
      },
    },
  );

  for (const doc of input.documents) {
    const described = await documents.describeDocument(doc.sha256);
    status.documents.push({
      key: doc.key,
      title: doc.title,
      standIn: described.standIn,
      versions: [{ n: 1, sha256: doc.sha256, createdAt: startedAt, createdBy: input.startedBy, sections: described.sections }],
    });
  }

  await condition(() => status.cancelled !== null);
  await condition(allHandlersFinished);
  return status;
}
