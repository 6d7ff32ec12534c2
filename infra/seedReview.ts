/**
 * The seed's review, as files the full demo reads (seeds/review/): the bureaus' replies from their
 * comment cards, the dispositions of table 10-1, and the expert review of appendix 4 with the
 * revision notes of the 修改说明 table. Each file is checked here; the demo never reads a record
 * file written by hand.
 */
import path from 'node:path';
import { z } from 'zod';
import { CommentDraft, type ReplyDraft } from '../domain/consultation.js';
import { AnchorDraft } from '../domain/disposition.js';
import { ExpertDraft, ExpertReport } from '../domain/expertReview.js';
import { Decision, IanaTimeZone, line, Responder, Slug, text } from '../domain/records.js';
import { readStructuredFile } from './structuredFile.js';
import { PROJECT_ROOT } from './tools.js';

export const SEED_REVIEW_DIR = path.join(PROJECT_ROOT, 'seeds', 'review');

export const SeedReply = z.strictObject({
  bureau: Slug,
  /** Where the seed prints it. */
  source: line(300),
  responder: Responder,
  /** Per circulated document: no comments, or the card's comments in order; a document left out was not addressed. */
  documents: z.record(Slug, z.union([z.literal('noComments'), z.array(CommentDraft).min(1)])),
});
export type SeedReply = z.infer<typeof SeedReply>;

export const SeedDisposition = z.strictObject({
  bureau: Slug,
  /** The comment's place (from 1) on the bureau's reply. */
  comment: z.number().int().positive(),
  decision: Decision,
  rationale: text(20000).optional(),
  changedAt: z.array(AnchorDraft),
});
export type SeedDisposition = z.infer<typeof SeedDisposition>;

export const SeedExpertReview = z.strictObject({
  /** The meeting, apart from its time: the demo schedules it a few minutes ahead. */
  meeting: z.strictObject({
    organiser: line(200),
    place: line(300),
    timeZone: IanaTimeZone,
    durationMinutes: z.number().int().positive().max(600),
  }),
  experts: z.array(ExpertDraft).min(1),
  signedBy: line(300),
  report: ExpertReport,
  opinions: z
    .array(
      z.strictObject({
        text: text(20000),
        revisionNote: z.strictObject({ text: text(20000), changedAt: z.array(AnchorDraft) }),
      }),
    )
    .min(1),
});
export type SeedExpertReview = z.infer<typeof SeedExpertReview>;

export interface SeedReview {
  replies: SeedReply[];
  dispositions: SeedDisposition[];
  expertReview: SeedExpertReview;
}

export async function loadSeedReview(dir = SEED_REVIEW_DIR): Promise<SeedReview> {
  return {
    replies: await readStructuredFile(path.join(dir, 'replies.yaml'), z.array(SeedReply).min(1)),
    dispositions: await readStructuredFile(path.join(dir, 'dispositions.yaml'), z.array(SeedDisposition)),
    expertReview: await readStructuredFile(path.join(dir, 'expert-review.yaml'), SeedExpertReview),
  };
}

/** A seed reply as the reply form would send it. */
export function replyDraftOf(seed: SeedReply): ReplyDraft {
  return {
    responder: seed.responder,
    perDocument: Object.fromEntries(
      Object.entries(seed.documents).map(([doc, answer]) => [
        doc,
        answer === 'noComments' ? { kind: 'noComments' as const } : { kind: 'comments' as const, comments: answer },
      ]),
    ),
  };
}
