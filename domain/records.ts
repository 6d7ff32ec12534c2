/**
 * The records every stage shares: round status, documents and versions, anchors, replies,
 * dispositions, expert review and approval. One zod schema per record; the TypeScript types are
 * inferred from them, so the status query, the seed fixture and the PDF renderer input are one format.
 *
 * This module is imported by workflow code: it must stay free of Node built-ins and I/O.
 */
import { z } from 'zod';
import { MESSAGES } from './messages.js';

/**
 * Control characters, U+FFFD (what a decoder leaves of bytes that were not UTF-8), and a lone
 * surrogate (what a YAML or JSON escape such as "\ud800" spells: no character at all).
 */
export const BROKEN_TEXT =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Characters that change the direction of the text after them (embeddings, overrides, isolates):
 * U+202E can make "gpj.exe" read "exe.jpg", or a comment read other than it is. The direction
 * marks U+200E/U+200F, which cannot reorder letters, are allowed.
 */
export const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/** Line breaks of every kind (the single-line fields refuse them). */
export const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;

/**
 * Free text typed by a person: trimmed, non-empty, bounded, no control characters but newlines and
 * tabs, no characters that change the direction of text.
 */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, MESSAGES.empty.en)
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !BROKEN_TEXT.test(s), { message: MESSAGES.brokenText.en, params: { code: 'brokenText' } })
    .refine((s) => !BIDI_CONTROL.test(s), { message: MESSAGES.bidiControl.en, params: { code: 'bidiControl' } });

/** One line of text typed by a person (a name, a position, a title): as text(), without line breaks. */
export const line = (max: number) =>
  text(max).refine((s) => !LINE_BREAK.test(s), { message: MESSAGES.lineBreak.en, params: { code: 'lineBreak' } });

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, MESSAGES.sha256.en);
export type Sha256 = z.infer<typeof Sha256>;

/** ISO-8601 instant with an offset, as produced by Date#toISOString. */
export const Instant = z.iso.datetime({ offset: true });

/** Short identifiers used in URLs, workflow IDs and Message-IDs. */
export const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, MESSAGES.slug.en);

export const IanaTimeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: MESSAGES.timeZone.en, params: { code: 'timeZone' } },
);

/** A telephone number as people write it: 0352-1234567, (0352) 1234567, +86 352 123 4567. */
export const Phone = z
  .string()
  .trim()
  .regex(/^[+(]?[0-9][0-9 ()-]{3,28}[0-9]$/, MESSAGES.phone.en);

export const Role = z.enum(['coordinator', 'approver', 'auditor', 'bureau', 'expert', 'system']);
export type Role = z.infer<typeof Role>;

/** Who acted. Every human action carries one; the system itself acts as role 'system'. */
export const Actor = z.object({
  name: line(200),
  role: Role,
  /** The signed-in user's account, when the actor is one (names alone can repeat). */
  username: z.string().min(1).max(64).optional(),
  email: z.email().optional(),
});
export type Actor = z.infer<typeof Actor>;

// ---------------------------------------------------------------------------------------------
// Documents

/** A section as printed: `number` is "第二章", "3.7", "4.2.1" or "附件 3"; `id` survives revisions. */
export const Section = z.object({
  id: z.string().min(1),
  number: z.string(),
  title: z.string(),
  level: z.number().int().min(1).max(6),
});
export type Section = z.infer<typeof Section>;

export const DocumentVersion = z.object({
  n: z.number().int().positive(),
  sha256: Sha256,
  createdAt: Instant,
  createdBy: Actor,
  sections: z.array(Section),
});
export type DocumentVersion = z.infer<typeof DocumentVersion>;

export const DocumentRef = z.object({
  key: Slug,
  title: line(300),
  /** True when the circulated file is a stand-in that carries the title only. */
  standIn: z.boolean().default(false),
  versions: z.array(DocumentVersion).min(1),
});
export type DocumentRef = z.infer<typeof DocumentRef>;

/** Where a comment, a disposition or a revision note points. Pages are resolved per rendered PDF. */
export const Anchor = z.object({
  doc: Slug,
  version: z.number().int().positive(),
  section: z.string().min(1).optional(),
  quote: text(2000).optional(),
  /** The page the bureau cited in the draft it read. */
  draftPage: z.number().int().positive().max(100000).optional(),
});
export type Anchor = z.infer<typeof Anchor>;

// ---------------------------------------------------------------------------------------------
// Bureaus, invitations and replies

export const Contact = z.object({ email: z.email(), name: line(200).optional() });
export type Contact = z.infer<typeof Contact>;

export const Bureau = z.object({
  id: Slug,
  nameZh: line(200),
  /** The short name printed in table 10-1 (区财政局); defaults to nameZh. */
  shortNameZh: line(100).optional(),
  nameEn: line(200),
  contacts: z.array(Contact).min(1),
  contactPerson: line(200),
  timeZone: IanaTimeZone.optional(),
});
export type Bureau = z.infer<typeof Bureau>;

export const Responder = z.object({ name: line(200), position: line(200) });
export type Responder = z.infer<typeof Responder>;

export const Comment = z.object({
  id: z.string().min(1),
  anchor: Anchor,
  text: text(20000),
  suggestedChange: text(20000).optional(),
});
export type Comment = z.infer<typeof Comment>;

export const NO_COMMENTS = 'noComments' as const;
export const DocumentAnswer = z.union([z.literal(NO_COMMENTS), z.array(Comment).min(1)]);
export type DocumentAnswer = z.infer<typeof DocumentAnswer>;

export const ReplyChannel = z.enum(['link', 'paper']);

export const Reply = z.object({
  /** Receipt number, sequential across the round. */
  n: z.number().int().positive(),
  bureauId: Slug,
  /** The bureau's revision: 1 for its first reply, 2 for the first revision... */
  version: z.number().int().positive(),
  submittedAt: Instant,
  channel: ReplyChannel,
  responder: Responder,
  /** The coordinator who typed in a paper reply. */
  recordedBy: Actor.optional(),
  /** The scan of the stamped comment card, in the document store. */
  scanSha256: Sha256.optional(),
  perDocument: z.record(z.string(), DocumentAnswer),
  /** Set when the reply came after the bureau's deadline, within the grace period. */
  late: z.literal(true).optional(),
  /** SHA-256 of the RFC 8785 canonical JSON of this record without this field. */
  contentSha256: Sha256,
});
export type Reply = z.infer<typeof Reply>;

/** How one reply answered one document: the version the bureau read and how many comments it made. */
export const ReplyDocument = z.object({
  doc: Slug,
  version: z.number().int().positive(),
  answer: z.enum(['noComments', 'comments']),
  comments: z.number().int().nonnegative(),
});
export type ReplyDocument = z.infer<typeof ReplyDocument>;

/**
 * What a round keeps of a reply: the record without its texts. The texts are the reply as typed
 * (the ReplyDraft), kept in the document store by the SHA-256 of its canonical JSON; the full
 * Reply is rebuilt from both (domain/replies.ts), and its contentSha256 checks the two together.
 */
export const ReplySummary = Reply.omit({ perDocument: true }).extend({
  /** The documents answered, in the round's order of documents. */
  documents: z.array(ReplyDocument),
  draftSha256: Sha256,
  draftBytes: z.number().int().nonnegative(),
});
export type ReplySummary = z.infer<typeof ReplySummary>;

export const BureauOutcome = z.enum(['pending', 'replied', 'noComments', 'deemedNoComments', 'waived']);
export type BureauOutcome = z.infer<typeof BureauOutcome>;

export const DeliveryFailure = z.object({
  at: Instant,
  kind: z.string(),
  messageId: z.string(),
  to: z.array(z.string()),
  error: z.string(),
});
export type DeliveryFailure = z.infer<typeof DeliveryFailure>;

export const Invitation = z.object({
  bureauId: Slug,
  /** When the first message for this link was accepted by the mail server. */
  sentAt: Instant.optional(),
  messageId: z.string(),
  linkId: z.string(),
  deadline: Instant,
  /** Every invitation message sent for this link (a resend or a new link adds one). */
  messages: z.array(z.object({ at: Instant, messageId: z.string() })),
  remindersSent: z.array(z.object({ at: Instant, messageId: z.string() })),
  failures: z.array(DeliveryFailure),
});
export type Invitation = z.infer<typeof Invitation>;

// ---------------------------------------------------------------------------------------------
// Disposition, expert review, approval

export const Decision = z.enum(['adopted', 'partial', 'notAdopted']);
export type Decision = z.infer<typeof Decision>;

export const Disposition = z
  .object({
    commentId: z.string().min(1),
    decision: Decision,
    rationale: text(20000).optional(),
    changedAt: z.array(Anchor),
    decidedBy: Actor,
    decidedAt: Instant,
    published: z.boolean(),
  })
  .refine((d) => d.decision === 'adopted' || d.rationale !== undefined, {
    message: MESSAGES.rationaleRequired.en,
    params: { code: 'rationaleRequired' },
    path: ['rationale'],
  });
export type Disposition = z.infer<typeof Disposition>;

export const Expert = z.object({
  name: line(200),
  title: line(200).optional(),
  organisation: line(300).optional(),
  /** Where the invitation and its updates go; a meeting recorded afterwards may have none. */
  email: z.email().optional(),
});
export type Expert = z.infer<typeof Expert>;

export const RevisionNote = z.object({ text: text(20000), changedAt: z.array(Anchor) });
export type RevisionNote = z.infer<typeof RevisionNote>;

export const Opinion = z.object({
  n: z.number().int().positive(),
  text: text(20000),
  revisionNote: RevisionNote.optional(),
});
export type Opinion = z.infer<typeof Opinion>;

export const Meeting = z.object({
  start: Instant,
  end: Instant,
  tz: IanaTimeZone,
  place: line(300).optional(),
  url: z.url().optional(),
  organiser: line(200),
  uid: z.string().min(1),
  sequence: z.number().int().nonnegative(),
  /** Recorded as already held when scheduled, or once its opinions are recorded. */
  held: z.boolean().optional(),
});
export type Meeting = z.infer<typeof Meeting>;

export const ExpertReview = z.object({
  meeting: Meeting,
  experts: z.array(Expert),
  /** The review report as the experts wrote it: its title, the meeting paragraph, the overall assessment. */
  report: z.object({ title: line(500), intro: text(5000), assessment: z.array(text(5000)) }),
  opinions: z.array(Opinion),
});
export type ExpertReview = z.infer<typeof ExpertReview>;

export const Approval = z.object({
  by: Actor,
  at: Instant,
  decision: z.enum(['approved', 'rejected']),
  reason: text(5000).optional(),
  pdfSha256: Sha256.optional(),
});
export type Approval = z.infer<typeof Approval>;

// ---------------------------------------------------------------------------------------------
// What the PDF renderer reads

/**
 * The parts of a round's status that the review tables show. The round workflow's status query
 * returns a superset; the seed fixture is one of these.
 */
export const ReviewRecord = z.object({
  round: z.object({
    id: z.string(),
    planId: Slug,
    n: z.number().int().positive(),
    title: line(300),
    /** The issue date printed on the cover and used as the PDF's creation date. */
    issueDate: z.iso.date().optional(),
    coordinatorOrg: line(200).optional(),
  }),
  documents: z.array(DocumentRef),
  bureaus: z.array(Bureau),
  /** Every reply version received; the latest per bureau counts. */
  replies: z.array(Reply),
  outcomes: z.record(z.string(), BureauOutcome),
  dispositions: z.array(Disposition),
  expertReview: ExpertReview.optional(),
  approval: Approval.optional(),
});
export type ReviewRecord = z.infer<typeof ReviewRecord>;
