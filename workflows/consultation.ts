/**
 * The consultation stage's rules, as plain functions over the round's status: who is due a
 * reminder, when a silent bureau is deemed to have no comments, when consultation ends, how a
 * reply becomes a record. No Temporal APIs here, so the rules are testable without a server; the
 * workflow calls them with its own deterministic clock.
 */
import type { DocumentAnswerDraft, ReplyDraft } from '../domain/consultation.js';
import type { Actor, Bureau, BureauOutcome, Comment, DocumentAnswer, Reply } from '../domain/records.js';
import { replyContentSha256 } from '../domain/replyHash.js';
import type { BureauStatus, RoundStatus } from '../domain/round.js';
import { rejectInvalid } from './validation.js';

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();

export function findBureau(status: RoundStatus, bureauId: string): BureauStatus {
  const b = status.bureaus.find((x) => x.bureau.id === bureauId);
  if (!b) rejectInvalid('bureauId', `no bureau "${bureauId}" in this round`);
  return b;
}

export function newBureauStatus(bureau: Bureau, deadline: string): BureauStatus {
  return { bureau, outcome: 'pending', deadline, invitation: null, previousInvitations: [], replies: [], extensions: [], waived: null, revokedLinkIds: [] };
}

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

export function acceptsReplies(status: RoundStatus, b: BureauStatus, at: number): boolean {
  return status.stage === 'consultation' && b.waived === null && at <= ms(b.deadline) + status.graceMs;
}

/** Outcome of a reply: explicit "no comments" on every document it answers, or comments. */
export function outcomeOfReply(reply: Reply): BureauOutcome {
  return Object.values(reply.perDocument).every((a) => a === 'noComments') ? 'noComments' : 'replied';
}

/**
 * The reply that counts: the latest received on time (by when it was received, so a paper reply
 * typed in later does not displace a newer one); failing that, the latest late one (in the grace).
 */
export function countingReply(b: BureauStatus): Reply | undefined {
  const deadline = Date.parse(b.deadline);
  const byTime = [...b.replies].sort((x, y) => Date.parse(x.submittedAt) - Date.parse(y.submittedAt) || x.n - y.n);
  const onTime = byTime.filter((r) => Date.parse(r.submittedAt) <= deadline);
  return onTime[onTime.length - 1] ?? byTime[byTime.length - 1];
}

/** A bureau's outcome from its state: waived, its counting reply, deemed once its deadline passed, else pending. */
export function outcomeOf(b: BureauStatus, deadlinePassed: boolean): BureauOutcome {
  if (b.waived) return 'waived';
  const reply = countingReply(b);
  if (reply) return outcomeOfReply(reply);
  return deadlinePassed ? 'deemedNoComments' : 'pending';
}

/**
 * Checks a reply draft against the round: known documents, sections that exist, at least one document
 * answered. A document the bureau did not address stays absent (the seed's cards often address one).
 */
export function validateReplyDraft(status: RoundStatus, draft: ReplyDraft): void {
  const keys = status.documents.map((d) => d.key);
  for (const key of Object.keys(draft.perDocument)) {
    if (!keys.includes(key)) rejectInvalid(`reply.perDocument.${key}`, `no document "${key}" circulates in this round`);
  }
  if (Object.keys(draft.perDocument).length === 0) {
    rejectInvalid('reply.perDocument', 'answer at least one document: "no comments" or comments');
  }
  for (const doc of status.documents) {
    const answer = draft.perDocument[doc.key];
    if (answer?.kind === 'comments') {
      const sections = new Set(doc.versions[doc.versions.length - 1]!.sections.map((s) => s.id));
      answer.comments.forEach((c, i) => {
        if (c.section !== undefined && !sections.has(c.section)) {
          rejectInvalid(`reply.perDocument.${doc.key}.comments.${i}.section`, `no section "${c.section}" in 《${doc.title}》`);
        }
      });
    }
  }
}

/** Turns a validated draft into the reply record: comment ids, anchors pinned to the version read, the hash. */
export function buildReply(
  status: RoundStatus,
  b: BureauStatus,
  draft: ReplyDraft,
  meta: { at: number; channel: Reply['channel']; recordedBy?: Actor; scanSha256?: string; late: boolean },
): Reply {
  const n = status.bureaus.reduce((sum, x) => sum + x.replies.length, 0) + 1;
  let k = 0;
  const perDocument: Record<string, DocumentAnswer> = {};
  for (const doc of status.documents) {
    const answer: DocumentAnswerDraft | undefined = draft.perDocument[doc.key];
    if (!answer) continue;
    const version = doc.versions[doc.versions.length - 1]!.n;
    perDocument[doc.key] =
      answer.kind === 'noComments'
        ? 'noComments'
        : answer.comments.map(
            (c): Comment => ({
              id: `${b.bureau.id}-${n}-${++k}`,
              anchor: {
                doc: doc.key,
                version,
                ...(c.section !== undefined && { section: c.section }),
                ...(c.quote !== undefined && { quote: c.quote }),
                ...(c.draftPage !== undefined && { draftPage: c.draftPage }),
              },
              text: c.text,
              ...(c.suggestedChange !== undefined && { suggestedChange: c.suggestedChange }),
            }),
          );
  }
  const record: Omit<Reply, 'contentSha256'> = {
    n,
    bureauId: b.bureau.id,
    version: b.replies.length + 1,
    submittedAt: iso(meta.at),
    channel: meta.channel,
    responder: draft.responder,
    ...(meta.recordedBy && { recordedBy: meta.recordedBy }),
    ...((meta.scanSha256 ?? draft.attachmentSha256) && { scanSha256: meta.scanSha256 ?? draft.attachmentSha256 }),
    perDocument,
    ...(meta.late && { late: true as const }),
  };
  return { ...record, contentSha256: replyContentSha256(record) };
}

export function countComments(b: BureauStatus): number {
  const counting = countingReply(b);
  if (!counting) return 0;
  return Object.values(counting.perDocument).reduce((n, a) => n + (a === 'noComments' ? 0 : a.length), 0);
}
