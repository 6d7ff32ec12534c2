/**
 * The consultation stage's rules, as plain functions over the round's status: when reminders are
 * due, when consultation ends, whether a reply link may act, which reply counts, how a reply
 * becomes a record. No Temporal APIs here: the workflow calls them with its deterministic clock,
 * the web pages with the wall clock, and tests without a server.
 */
import type { DocumentAnswerDraft, ReplyDraft, SubmitReplyRequest } from '../../../domain/consultation.js';
import { ROUND_LIMITS, formatKib, formatMib } from '../../../domain/limits.js';
import type { Actor, BureauOutcome, ReplySummary } from '../../../domain/records.js';
import { makeRefusal, type Refusal } from '../../../domain/refusals.js';
import { draftBytes, summarizeReply } from '../../../domain/replies.js';
import type { BureauStatus, RoundStatus } from '../../../domain/round.js';
import { iso } from '../../../domain/time.js';

const ms = (instant: string) => Date.parse(instant);

/** The moments reminders are due for a deadline, only those still ahead (a short round sends none late). */
export function reminderMoments(deadline: string, offsetsMs: number[], now: number): number[] {
  return offsetsMs
    .map((o) => ms(deadline) - o)
    .filter((t) => t > now)
    .sort((a, b) => a - b);
}

/** Consultation ends at the latest deadline (plus grace) of the bureaus still expected to answer. */
export function consultationEnd(status: RoundStatus): number | null {
  const expected = status.bureaus.filter((b) => b.waived === null);
  if (expected.length === 0) return null;
  return Math.max(...expected.map((b) => ms(b.deadline))) + status.graceMs;
}

/** Whether consultation is over at `now`: closed by the coordinator, no bureau expected, or past its end. */
export function consultationOver(status: RoundStatus, now: number): boolean {
  const end = consultationEnd(status);
  return status.consultation.closed !== null || status.consultation.endedAt !== null || end === null || now >= end;
}

/**
 * Whether a bureau's reply link may submit at `at`, and if not, why. The one rule for the round's
 * validator and the web pages (which only ask): the link must be the bureau's current one, the
 * round in consultation, the bureau not waived, the deadline plus grace not past.
 */
export function replyLinkRefusal(status: RoundStatus, b: BureauStatus, linkId: string, at: number): Refusal | null {
  if (!b.invitation || b.invitation.linkId !== linkId) return makeRefusal('link', 'linkReplaced');
  if (status.stage === 'cancelled')
    return makeRefusal('link', 'roundFinished', { stage: 'cancelled', stageZh: '取消' });
  if (b.waived) return makeRefusal('link', 'bureauWaived');
  if (status.stage !== 'consultation' || status.consultation.closed || status.consultation.endedAt)
    return makeRefusal('link', 'consultationClosed');
  if (at > ms(b.deadline) + status.graceMs) return makeRefusal('link', 'deadlinePassed');
  if (consultationOver(status, at)) return makeRefusal('link', 'consultationClosed');
  return null;
}

/** A reply received after the bureau's deadline (within the grace) is marked late. */
export const isLate = (b: BureauStatus, at: number) => at > ms(b.deadline);

export function outcomeOfReply(reply: ReplySummary): BureauOutcome {
  return reply.documents.every((d) => d.answer === 'noComments') ? 'noComments' : 'replied';
}

/**
 * The reply that counts: the latest received on time (by when it was received, so a paper reply
 * typed in later does not displace a newer one); failing that, the latest late one (in the grace).
 */
export function countingReply(b: BureauStatus): ReplySummary | undefined {
  const deadline = ms(b.deadline);
  const byTime = [...b.replies].sort((x, y) => ms(x.submittedAt) - ms(y.submittedAt) || x.n - y.n);
  const onTime = byTime.filter((r) => ms(r.submittedAt) <= deadline);
  return onTime[onTime.length - 1] ?? byTime[byTime.length - 1];
}

/** Whether the reply that counts came in the grace period after the deadline (shown as late, 逾期, wherever it appears). */
export const repliedLate = (b: BureauStatus): boolean => countingReply(b)?.late === true;

/** A bureau's outcome from its state: waived, its counting reply, deemed once its deadline passed, else pending. */
export function outcomeOf(b: BureauStatus, deadlinePassed: boolean): BureauOutcome {
  if (b.waived) return 'waived';
  const reply = countingReply(b);
  if (reply) return outcomeOfReply(reply);
  return deadlinePassed ? 'deemedNoComments' : 'pending';
}

export function countComments(b: BureauStatus): number {
  return countingReply(b)?.documents.reduce((n, d) => n + d.comments, 0) ?? 0;
}

/**
 * Checks a reply draft against the round: known documents, sections that exist, at least one
 * document answered, and the limits on its size and on the bureau's and the round's replies.
 * A document the bureau did not address stays absent (the seed's cards often address one).
 */
export function replyDraftRefusal(status: RoundStatus, b: BureauStatus, draft: ReplyDraft): Refusal | null {
  const keys = status.documents.map((d) => d.key);
  for (const key of Object.keys(draft.perDocument)) {
    if (!keys.includes(key)) return makeRefusal(`reply.perDocument.${key}`, 'unknownDocument', { doc: key });
  }
  if (Object.keys(draft.perDocument).length === 0) return makeRefusal('reply.perDocument', 'noDocumentAnswered');
  for (const doc of status.documents) {
    const answer: DocumentAnswerDraft | undefined = draft.perDocument[doc.key];
    if (answer?.kind !== 'comments') continue;
    const sections = new Set(doc.versions[doc.versions.length - 1]!.sections.map((s) => s.id));
    for (const [i, c] of answer.comments.entries()) {
      if (c.section !== undefined && !sections.has(c.section)) {
        return makeRefusal(`reply.perDocument.${doc.key}.comments.${i}.section`, 'unknownSection', {
          section: c.section,
          title: doc.title,
        });
      }
    }
  }
  const bytes = draftBytes(draft).byteLength;
  if (bytes > ROUND_LIMITS.replyBytes)
    return makeRefusal('reply', 'replyTooLarge', { limit: formatKib(ROUND_LIMITS.replyBytes) });
  if (b.replies.length >= ROUND_LIMITS.repliesPerBureau)
    return makeRefusal('reply', 'tooManyReplies', { max: ROUND_LIMITS.repliesPerBureau });
  const bureauBytes = b.replies.reduce((n, r) => n + r.draftBytes, 0);
  if (bureauBytes + bytes > ROUND_LIMITS.replyBytesPerBureau)
    return makeRefusal('reply', 'bureauReplyQuota', { limit: formatMib(ROUND_LIMITS.replyBytesPerBureau) });
  const roundBytes = status.bureaus.reduce((n, x) => n + x.replies.reduce((m, r) => m + r.draftBytes, 0), 0);
  if (roundBytes + bytes > ROUND_LIMITS.replyBytesPerRound)
    return makeRefusal('reply', 'roundReplyQuota', { limit: formatMib(ROUND_LIMITS.replyBytesPerRound) });
  return null;
}

/** Turns an accepted draft into the summary the round keeps: receipt number, version, anchors' versions, hashes. */
/** How a reply through a link is recorded: when, whether late, and the staff member who submitted it, if one did. */
export function linkReplyMeta(b: BureauStatus, req: Pick<SubmitReplyRequest, 'submittedBy'>, at: number) {
  return {
    at,
    channel: 'link' as const,
    late: isLate(b, at),
    ...(req.submittedBy && { recordedBy: req.submittedBy }),
  };
}

export function buildReply(
  status: RoundStatus,
  b: BureauStatus,
  draft: ReplyDraft,
  meta: { at: number; channel: ReplySummary['channel']; recordedBy?: Actor; scanSha256?: string; late: boolean },
): ReplySummary {
  const scanSha256 = meta.scanSha256 ?? draft.attachmentSha256;
  return summarizeReply(
    {
      n: status.bureaus.reduce((sum, x) => sum + x.replies.length, 0) + 1,
      bureauId: b.bureau.id,
      version: b.replies.length + 1,
      submittedAt: iso(meta.at),
      channel: meta.channel,
      responder: draft.responder,
      ...(meta.recordedBy && { recordedBy: meta.recordedBy }),
      ...(scanSha256 && { scanSha256 }),
      ...(meta.late && { late: true as const }),
    },
    draft,
    status.documents.map((d) => ({ key: d.key, version: d.versions[d.versions.length - 1]!.n })),
  );
}
