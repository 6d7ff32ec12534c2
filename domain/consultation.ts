/**
 * What people ask a round to do during consultation: one zod schema per Update. The web server and
 * the CLI validate with these before sending; the workflow's validators check them again (with the
 * round's state) so that nothing invalid reaches the history.
 * Imported by workflow code: no Node built-ins, no I/O.
 */
import { z } from 'zod';
import { MESSAGES } from './messages.js';
import {
  Actor,
  BIDI_CONTROL,
  BROKEN_TEXT,
  Bureau,
  Contact,
  Instant,
  LINE_BREAK,
  Responder,
  Sha256,
  Slug,
  line,
  text,
  type Reply,
} from './records.js';

/** Every human action: who acted, and an idempotency key (a double submit is one action). */
export const ActionEnvelope = z.strictObject({
  requestId: z.string().min(8).max(200),
  actor: Actor,
});

/** A comment as a bureau writes it; the workflow gives it its id and pins the document version. */
export const CommentDraft = z.strictObject({
  // A section's id as sent (not trimmed: a stored draft is read back byte for byte), one clean line.
  section: z
    .string()
    .min(1)
    .max(200)
    .refine((s) => !(BROKEN_TEXT.test(s) || LINE_BREAK.test(s) || BIDI_CONTROL.test(s)), {
      message: MESSAGES.brokenText.en,
      params: { code: 'brokenText' },
    })
    .optional(),
  quote: text(2000).optional(),
  draftPage: z.number().int().positive().max(100000).optional(),
  text: text(20000),
  suggestedChange: text(20000).optional(),
});
export type CommentDraft = z.infer<typeof CommentDraft>;

export const DocumentAnswerDraft = z.union([
  z.strictObject({ kind: z.literal('noComments') }),
  z.strictObject({
    kind: z.literal('comments'),
    comments: z.array(CommentDraft).min(1, MESSAGES.addComment.en).max(200),
  }),
]);
export type DocumentAnswerDraft = z.infer<typeof DocumentAnswerDraft>;

export const ReplyDraft = z.strictObject({
  responder: Responder,
  /** One answer per circulated document, keyed by document key. */
  perDocument: z.record(Slug, DocumentAnswerDraft),
  /** The stamped comment card's scan (PDF or image), already in the document store. */
  attachmentSha256: Sha256.optional(),
});
export type ReplyDraft = z.infer<typeof ReplyDraft>;

/** A staff member: a coordinator, an approver or an auditor. */
export const StaffActor = Actor.extend({ role: z.enum(['coordinator', 'approver', 'auditor']) });
export type StaffActor = z.infer<typeof StaffActor>;

/** A bureau's reply through its personal link. */
export const SubmitReplyRequest = ActionEnvelope.extend({
  bureauId: Slug,
  linkId: z.string().min(1).max(100),
  reply: ReplyDraft,
  /**
   * The signed-in staff member who submitted through the bureau's link (say, a coordinator who
   * opened it from the outbox): recorded as the reply's `recordedBy`, so the reply never reads as
   * the bureau's own.
   */
  submittedBy: StaffActor.optional(),
});
export type SubmitReplyRequest = z.infer<typeof SubmitReplyRequest>;

/** A reply that arrived on paper, typed in by the coordinator with the scan. */
export const RecordPaperReplyRequest = ActionEnvelope.extend({
  bureauId: Slug,
  reply: ReplyDraft,
  scanSha256: Sha256,
  /** When the paper reply was received (defaults to when it is recorded). */
  receivedAt: Instant.optional(),
});
export type RecordPaperReplyRequest = z.infer<typeof RecordPaperReplyRequest>;

export const ExtendDeadlineRequest = ActionEnvelope.extend({ bureauId: Slug, deadline: Instant, reason: text(2000) });
export type ExtendDeadlineRequest = z.infer<typeof ExtendDeadlineRequest>;

export const WaiveBureauRequest = ActionEnvelope.extend({ bureauId: Slug, reason: text(2000) });
export type WaiveBureauRequest = z.infer<typeof WaiveBureauRequest>;

export const ChangeContactRequest = ActionEnvelope.extend({
  bureauId: Slug,
  contacts: z.array(Contact).min(1),
  contactPerson: line(200).optional(),
  reason: text(2000),
});
export type ChangeContactRequest = z.infer<typeof ChangeContactRequest>;

export const ResendInvitationRequest = ActionEnvelope.extend({ bureauId: Slug });
export type ResendInvitationRequest = z.infer<typeof ResendInvitationRequest>;

export const AddBureauRequest = ActionEnvelope.extend({
  bureau: Bureau,
  /** Defaults to the round's deadline (the latest bureau deadline). */
  deadline: Instant.optional(),
});
export type AddBureauRequest = z.infer<typeof AddBureauRequest>;

export const CloseConsultationRequest = ActionEnvelope.extend({ reason: text(2000).optional() });
export type CloseConsultationRequest = z.infer<typeof CloseConsultationRequest>;

export const CancelRoundRequest = ActionEnvelope.extend({ reason: text(2000) });
export type CancelRoundRequest = z.infer<typeof CancelRoundRequest>;

/** The most a reply may weigh as canonical JSON: far above any real comment card, far below Temporal's payload limit. */
export const MAX_REPLY_JSON_BYTES = 256 * 1024;

/** What a reply Update returns: the receipt the bureau keeps. */
export const ReplyReceipt = z.object({
  roundId: z.string(),
  bureauId: Slug,
  n: z.number().int().positive(),
  version: z.number().int().positive(),
  submittedAt: Instant,
  contentSha256: Sha256,
  late: z.boolean(),
});
export type ReplyReceipt = z.infer<typeof ReplyReceipt>;

/** The draft a recorded reply was made from: lets a recorded round (the seed's) be replayed through the links. */
export function draftFromReply(reply: Reply): ReplyDraft {
  const perDocument: Record<string, DocumentAnswerDraft> = {};
  for (const [doc, answer] of Object.entries(reply.perDocument)) {
    perDocument[doc] =
      answer === 'noComments'
        ? { kind: 'noComments' }
        : {
            kind: 'comments',
            comments: answer.map((c) => ({
              ...(c.anchor.section !== undefined && { section: c.anchor.section }),
              ...(c.anchor.quote !== undefined && { quote: c.anchor.quote }),
              ...(c.anchor.draftPage !== undefined && { draftPage: c.anchor.draftPage }),
              text: c.text,
              ...(c.suggestedChange !== undefined && { suggestedChange: c.suggestedChange }),
            })),
          };
  }
  return { responder: reply.responder, perDocument, ...(reply.scanSha256 && { attachmentSha256: reply.scanSha256 }) };
}

/**
 * What a coordinator's action returns: a short acknowledgement. The round's status is a query away;
 * returning it from every Update would copy the whole round into the history each time.
 */
export const ActionAck = z.object({ roundId: z.string(), stage: z.string(), at: Instant });
export type ActionAck = z.infer<typeof ActionAck>;
