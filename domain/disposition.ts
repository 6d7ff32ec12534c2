/**
 * What the coordinator does with each comment (table 10-1 of the seed): a disposition per comment
 * (adopted, partially adopted, not adopted), with a rationale unless adopted and the anchors of the
 * change in the current version; saved as drafts, then published together.
 * Imported by workflow code: no Node built-ins, no I/O.
 */
import { z } from 'zod';
import { ActionEnvelope } from './consultation.js';
import { MESSAGES } from './messages.js';
import { Actor, Decision, Instant, Sha256, line, Slug, text } from './records.js';

/** Where a change was made, as the coordinator names it: the round pins it to the document's current version. */
export const AnchorDraft = z.strictObject({
  doc: Slug,
  section: line(200),
  quote: text(2000).optional(),
});
export type AnchorDraft = z.infer<typeof AnchorDraft>;

export const DispositionDraft = z
  .strictObject({
    commentId: z.string().min(1).max(200),
    decision: Decision,
    rationale: text(20000).optional(),
    changedAt: z.array(AnchorDraft).max(20),
  })
  .refine((d) => d.decision === 'adopted' || d.rationale !== undefined, {
    message: MESSAGES.rationaleRequired.en,
    params: { code: 'rationaleRequired' },
    path: ['rationale'],
  });
export type DispositionDraft = z.infer<typeof DispositionDraft>;

/** Saves (or replaces) the draft disposition of one comment. */
export const DisposeCommentRequest = ActionEnvelope.extend({ disposition: DispositionDraft });
export type DisposeCommentRequest = z.infer<typeof DisposeCommentRequest>;

/** Adopts every comment of one bureau that has no disposition yet (the seed adopted all of them). */
export const AdoptAllCommentsRequest = ActionEnvelope.extend({ bureauId: Slug });
export type AdoptAllCommentsRequest = z.infer<typeof AdoptAllCommentsRequest>;

/** Publishes every disposition at once; the stage then ends. */
export const PublishDispositionsRequest = ActionEnvelope.extend({ note: text(2000).optional() });
export type PublishDispositionsRequest = z.infer<typeof PublishDispositionsRequest>;

/** A revised version of a circulated document (Markdown, docs/document-format.md), already in the document store. */
export const AddDocumentVersionRequest = ActionEnvelope.extend({
  docKey: Slug,
  sha256: Sha256,
  note: text(2000).optional(),
});
export type AddDocumentVersionRequest = z.infer<typeof AddDocumentVersionRequest>;

/** Points a disposition's change at sections of the current version again (the decision stands). */
export const ReanchorDispositionRequest = ActionEnvelope.extend({
  commentId: z.string().min(1).max(200),
  changedAt: z.array(AnchorDraft).max(20),
});
export type ReanchorDispositionRequest = z.infer<typeof ReanchorDispositionRequest>;

/** How long a bureau has to acknowledge or object to its outcome notice, unless the round says otherwise. */
export const DEFAULT_OBJECTION_WINDOW_MS = 5 * 24 * 3600_000;

/** The notice of a bureau's outcomes after publication, and the bureau's answer (silence counts as acknowledged). */
export const OutcomeNotice = z.object({
  bureauId: Slug,
  messageId: z.string(),
  sentAt: Instant.optional(),
  respondBy: Instant,
  response: z.enum(['pending', 'acknowledged', 'objected', 'silent']),
  respondedAt: Instant.optional(),
  respondedBy: Actor.optional(),
  objection: text(5000).optional(),
  resolution: z.object({ by: Actor, at: Instant, note: text(5000) }).optional(),
});
export type OutcomeNotice = z.infer<typeof OutcomeNotice>;

/** A bureau's answer to its outcome notice, through its link. */
export const RespondToOutcomeRequest = ActionEnvelope.extend({
  bureauId: Slug,
  linkId: z.string().min(1).max(100),
  response: z.enum(['acknowledge', 'object']),
  objection: text(5000).optional(),
}).refine((r) => r.response === 'acknowledge' || r.objection !== undefined, {
  message: MESSAGES.objectionRequired.en,
  params: { code: 'objectionRequired' },
  path: ['objection'],
});
export type RespondToOutcomeRequest = z.infer<typeof RespondToOutcomeRequest>;

/** The coordinator's resolution of an objection, required before approval. */
export const ResolveObjectionRequest = ActionEnvelope.extend({ bureauId: Slug, note: text(5000) });
export type ResolveObjectionRequest = z.infer<typeof ResolveObjectionRequest>;
