/**
 * The comment card: what a bureau writes about a document (page, section, quoted text, comment,
 * suggested change), as typed into the bureau's reply form, into the coordinator's paper-reply
 * form, or into the CLI's paper-reply file, read into a CommentDraft. One grammar for all three,
 * so a card typed in one place reads the same in the others.
 * Imported by workflow code: no Node built-ins, no I/O.
 */
import { z } from 'zod';
import { CommentDraft } from './consultation.js';
import { coded, issueMessage, say } from './messages.js';
import { BIDI_CONTROL, BROKEN_TEXT, LINE_BREAK, type Section } from './records.js';
import { resolveSection } from './sections.js';

export const MAX_DRAFT_PAGE = 100000;
export const MAX_QUOTE = 2000;
export const MAX_COMMENT_TEXT = 20000;

/**
 * Page spellings seen on cards: "33", "P33", "p. 33", "page 33", "第33页", "第 33 页", "33页".
 * The prefix is case-blind because cards are typed by hand ("PAGE 33" means the same page).
 */
const PAGE_SPELLING = /^(?:p(?:age)?\.?\s*|第\s*)?(\d{1,15})\s*页?$/i;

const typedPage = z.union([z.string(), z.number()], { error: say('cardPage') });
/** A section is one line of a number or a title: no control characters, line breaks or direction changes. */
const typedSection = z
  .union([z.string(), z.number()], { error: say('cardSectionType') })
  .refine((v) => typeof v === 'number' || !(BROKEN_TEXT.test(v) || LINE_BREAK.test(v) || BIDI_CONTROL.test(v)), {
    error: say('cardSectionType'),
  })
  .refine((v) => String(v).length <= 200, { error: say('cardSectionType') });
/** Text as typed on a card: refused already as a file is checked when it is broken or turns direction. */
const typedText = (what: { zh: string; en: string }) => {
  const named = { whatZh: what.zh, what: what.en };
  return z
    .string({ error: say('cardTextType', named) })
    .refine((v) => !BROKEN_TEXT.test(v), coded('cardTextBroken', named))
    .refine((v) => !BIDI_CONTROL.test(v), coded('cardTextBidi', named));
};
const QUOTE = { zh: '原文引用', en: 'quotation' };
const COMMENT = { zh: '意见内容', en: 'comment' };
const CHANGE = { zh: '修改建议', en: 'suggested change' };

/** A page as written on a card (a YAML file may give it as a number) → the page number; empty → none. */
export const CardPage = typedPage.transform((value, ctx): number | undefined => {
  const typed = String(value).trim();
  if (typed === '') return undefined;
  const digits = PAGE_SPELLING.exec(typed)?.[1];
  const page = digits === undefined ? NaN : Number(digits);
  if (!Number.isInteger(page) || page < 1) {
    ctx.addIssue({ code: 'custom', ...coded('cardPage') });
    return z.NEVER;
  }
  if (page > MAX_DRAFT_PAGE) {
    ctx.addIssue({ code: 'custom', ...coded('cardPageTooLarge', { max: MAX_DRAFT_PAGE }) });
    return z.NEVER;
  }
  return page;
});

function cardText(max: number, what: { zh: string; en: string }, required: boolean) {
  const named = { whatZh: what.zh, what: what.en };
  return typedText(what)
    .optional()
    .transform((value, ctx): string | undefined => {
      const typed = (value ?? '').trim();
      if (typed === '') {
        if (required) ctx.addIssue({ code: 'custom', ...coded('cardTextEmpty', named) });
        return undefined;
      }
      if (typed.length > max) ctx.addIssue({ code: 'custom', ...coded('cardTextTooLong', { ...named, max }) });
      return typed;
    });
}

/** The fields of a card as typed, before they are read: every one may be left empty. */
export const CARD_FIELDS = ['page', 'section', 'quote', 'text', 'suggestedChange'] as const;
export type CardField = (typeof CARD_FIELDS)[number];

const unknownField = (keys: readonly string[]) =>
  say('cardUnknownFields', {
    keysZh: keys.join('、'),
    fieldsZh: CARD_FIELDS.join('、'),
    keys: keys.join(', '),
    fields: CARD_FIELDS.join(', '),
  });

/** A card as typed, unread: the shape the paper-reply file checks before the round is known. */
export const CommentCardEntry = z.strictObject(
  {
    page: typedPage.optional(),
    section: typedSection.optional(),
    quote: typedText(QUOTE).optional(),
    text: typedText(COMMENT).optional(),
    suggestedChange: typedText(CHANGE).optional(),
  },
  {
    error: (iss) => (iss.code === 'unrecognized_keys' ? unknownField(iss.keys) : say('cardShape')),
  },
);
export type CommentCardEntry = z.infer<typeof CommentCardEntry>;

/**
 * A card's fields read, its section still as typed. One schema for every card: building a schema
 * costs zod far more than running it, and the reply form reads a card for each comment. The section
 * is then looked up among the sections of the document the card comments on (readCommentCard).
 */
const CardFields = z.strictObject(
  {
    page: CardPage.optional(),
    section: typedSection.optional(),
    quote: cardText(MAX_QUOTE, QUOTE, false),
    text: cardText(MAX_COMMENT_TEXT, COMMENT, true),
    suggestedChange: cardText(MAX_COMMENT_TEXT, CHANGE, false),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? unknownField(iss.keys) : undefined) },
);

/** A section as written on a card → its id among the document's sections; empty → none. */
function cardSection(
  typed: string | number | undefined,
  sections: readonly Section[],
): { id?: string; error?: string } {
  const written = String(typed ?? '').trim();
  if (written === '') return {};
  const id = resolveSection([...sections], written);
  return id === undefined ? { error: say(sections.length === 0 ? 'cardNoSections' : 'cardUnknownSection') } : { id };
}

export type CardResult =
  { ok: true; comment: CommentDraft } | { ok: false; errors: Partial<Record<CardField, string>> };

/** A card read against its document's sections, with the first message for each field that is wrong. */
export function readCommentCard(entry: CommentCardEntry, sections: readonly Section[]): CardResult {
  const errors: Partial<Record<CardField, string>> = {};
  const note = (issues: readonly z.core.$ZodIssue[]) => {
    for (const issue of issues) {
      // An issue about the card as a whole (a field it does not have) is shown where the comment is written.
      const field = CARD_FIELDS.find((f) => f === issue.path[0]) ?? 'text';
      errors[field] ??= issueMessage(issue);
    }
  };
  const fields = CardFields.safeParse(entry);
  if (!fields.success) note(fields.error.issues);
  // Looked up beside the other fields' messages, so that every wrong field is named at once.
  const section = errors.section === undefined ? cardSection(entry.section, sections) : {};
  if (section.error !== undefined) errors.section = section.error;
  if (!fields.success || section.error !== undefined) return { ok: false, errors };
  const { page, quote, text, suggestedChange } = fields.data;
  const comment = CommentDraft.safeParse({
    text: text ?? '',
    ...(section.id !== undefined && { section: section.id }),
    ...(page !== undefined && { draftPage: page }),
    ...(quote !== undefined && { quote }),
    ...(suggestedChange !== undefined && { suggestedChange }),
  });
  if (comment.success) return { ok: true, comment: comment.data };
  note(comment.error.issues);
  return { ok: false, errors };
}
