/**
 * What a revision changed in one section: the section's text in two versions of a document, and
 * their character-level difference (a character is a word in Chinese). The outcome notices show a
 * bureau the text before and after for each adopted comment.
 */
import { diffChars } from 'diff';
import type { Heading, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { parseMarkdown, sectionId, splitHeading } from './documents.js';

/**
 * The text of a section: from its heading to the next heading of the same or a higher level
 * (its subsections included), one line per block; undefined when the document has no such section.
 */
export function sectionText(source: string, id: string): string | undefined {
  const blocks = parseMarkdown(source).children;
  const start = blocks.findIndex((n) => n.type === 'heading' && sectionId(splitHeading(toString(n))) === id);
  if (start < 0) return undefined;
  const depth = (blocks[start] as Heading).depth;
  const lines: string[] = [];
  for (const node of blocks.slice(start + 1) as RootContent[]) {
    if (node.type === 'heading' && node.depth <= depth) break;
    if (node.type === 'yaml') continue;
    const text = toString(node).trim();
    if (text) lines.push(text);
  }
  return lines.join('\n');
}

export interface ChangedText {
  before: string;
  after: string;
  identical: boolean;
  /** The difference, in order: kept, removed and added runs of characters. */
  parts: Array<{ kind: 'same' | 'removed' | 'added'; text: string }>;
}

export function changedText(before: string, after: string): ChangedText {
  const parts = diffChars(before, after).map((c) => ({
    kind: c.added ? ('added' as const) : c.removed ? ('removed' as const) : ('same' as const),
    text: c.value,
  }));
  return { before, after, identical: before === after, parts };
}
