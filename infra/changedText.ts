/**
 * What a revision changed in one section: the section's text in two versions of a document, and
 * their character-level difference (a character is a word in Chinese). The outcome notices show a
 * bureau the text before and after for each adopted comment.
 */
import { diffChars } from 'diff';
import type { Heading, RootContent } from 'mdast';
import { LRUCache } from 'lru-cache';
import { toString } from 'mdast-util-to-string';
import { parseMarkdown, sectionId, splitHeading } from './documents.js';

/** A document's top-level blocks as Sections reads them: each one's text, and what a heading opens. */
interface Block {
  text: string;
  heading?: { id: string; depth: number };
}

/** A version's sections, read from one parse of its source. */
export class Sections {
  private readonly blocks: Block[];

  constructor(source: string) {
    this.blocks = parseMarkdown(source)
      .children.filter((n) => n.type !== 'yaml')
      .map((n: RootContent) => {
        const text = toString(n);
        return n.type === 'heading'
          ? { text: text.trim(), heading: { id: sectionId(splitHeading(text)), depth: (n as Heading).depth } }
          : { text: text.trim() };
      });
  }

  /**
   * The text of a section: from its heading to the next heading of the same or a higher level
   * (its subsections included), one line per block; undefined when the document has no such section.
   */
  text(id: string): string | undefined {
    const start = this.blocks.findIndex((b) => b.heading?.id === id);
    if (start < 0) return undefined;
    const depth = this.blocks[start]!.heading!.depth;
    const lines: string[] = [];
    for (const b of this.blocks.slice(start + 1)) {
      if (b.heading && b.heading.depth <= depth) break;
      if (b.text) lines.push(b.text);
    }
    return lines.join('\n');
  }
}

/**
 * Sections by version, for a process that shows changes again and again (each outcome notice of a
 * round reads the same versions): a version is content-addressed, so its sections, parsed once, never
 * change. The most recently read versions are kept.
 */
export class SectionsByVersion {
  private readonly kept: LRUCache<string, Sections>;

  constructor(max = 16) {
    this.kept = new LRUCache({ max });
  }

  async of(sha256: string, source: () => Promise<string>): Promise<Sections> {
    let sections = this.kept.get(sha256);
    if (!sections) {
      sections = new Sections(await source());
      this.kept.set(sha256, sections);
    }
    return sections;
  }
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
