/**
 * The document source format (docs/document-format.md): one parsing pipeline for every stage
 * that reads a document, and the section outline derived from its numbered headings.
 */
import type { Heading, Root, Yaml } from 'mdast';
import { toString } from 'mdast-util-to-string';
import remarkDirective from 'remark-directive';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { say } from '../domain/messages.js';
import type { Section } from '../domain/records.js';

const processor = unified().use(remarkParse).use(remarkGfm).use(remarkDirective).use(remarkFrontmatter, ['yaml']);

export function parseMarkdown(source: string): Root {
  return processor.parse(source);
}

export const FrontMatter = z
  .object({
    title: z.string().optional(),
    issuer: z.string().optional(),
    date: z.union([z.string(), z.date().transform((d) => d.toISOString().slice(0, 10))]).optional(),
    staff: z.array(z.object({ role: z.string(), value: z.string() })).default([]),
    standIn: z.boolean().default(false),
  })
  .strict();
export type FrontMatter = z.infer<typeof FrontMatter>;

export class DocumentFormatError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
    this.name = 'DocumentFormatError';
  }
}

/** Printed heading numbers: 第三章, 3.7, 4.2.1, 附件 3 / 附件3. */
const CHAPTER = /^第([一二三四五六七八九十百零〇]+)章$/;
const DECIMAL = /^\d+(\.\d+)+$/;
const APPENDIX = /^附件\s*(\d+)[：:]?$/;

export interface HeadingParts {
  number: string;
  title: string;
}

/** Splits "3.7 规划目标和指标" into number and title; an unnumbered heading has number "". */
export function splitHeading(raw: string): HeadingParts {
  const textValue = raw.replace(/\s+/g, ' ').trim();
  const appendix = /^(附件\s*\d+)\s*[：:]\s*(.*)$/.exec(textValue);
  if (appendix)
    return { number: appendix[1]!.replace(/\s+/g, ' ').replace(/附件(\d)/, '附件 $1'), title: appendix[2]! };
  const space = textValue.indexOf(' ');
  if (space > 0) {
    const head = textValue.slice(0, space);
    if (CHAPTER.test(head) || DECIMAL.test(head) || APPENDIX.test(head)) {
      return { number: head, title: textValue.slice(space + 1).trim() };
    }
  }
  return { number: '', title: textValue };
}

const CHINESE_DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 第十三章 → 13; enough for chapter numbers up to 99. */
export function chineseNumeral(s: string): number {
  if (s === '十') return 10;
  const ten = s.indexOf('十');
  if (ten < 0) return CHINESE_DIGITS[s] ?? NaN;
  const tens = ten === 0 ? 1 : (CHINESE_DIGITS[s.slice(0, ten)] ?? NaN);
  const units = ten === s.length - 1 ? 0 : (CHINESE_DIGITS[s.slice(ten + 1)] ?? NaN);
  return tens * 10 + units;
}

/** The number path of a section: 第三章 → [3], 3.7 → [3, 7]; [] when unnumbered or an appendix. */
function numberPath(num: string): number[] {
  const chapter = CHAPTER.exec(num);
  if (chapter) return [chineseNumeral(chapter[1]!)];
  if (DECIMAL.test(num)) return num.split('.').map(Number);
  return [];
}

/** Section ids: the printed number where there is one, else the title. Stable while both survive. */
export function sectionId(parts: HeadingParts): string {
  return parts.number || parts.title;
}

export interface ParsedDocument {
  frontMatter: FrontMatter;
  sections: Section[];
  /** Numbering gaps and other oddities worth a reader's look; duplicates are errors, not problems. */
  warnings: string[];
  tree: Root;
}

/**
 * Parses a document and derives its outline. Duplicate section ids make anchors ambiguous, so they
 * fail with every duplicate listed; numbering gaps (3.5 followed by 3.7) are reported as warnings.
 */
export function parseDocument(source: string): ParsedDocument {
  const tree = parseMarkdown(source);
  const yamlNode = tree.children.find((n): n is Yaml => n.type === 'yaml');
  let frontMatter: FrontMatter;
  try {
    frontMatter = FrontMatter.parse(yamlNode ? (parseYaml(yamlNode.value) ?? {}) : {});
  } catch (err) {
    const detail = err instanceof z.ZodError ? z.prettifyError(err) : String(err);
    throw new DocumentFormatError(`front matter is invalid: ${detail}`, [detail]);
  }

  const sections: Section[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  const seen = new Map<string, number>();
  let previous: number[] = [];

  for (const node of tree.children) {
    if (node.type !== 'heading') continue;
    const heading = node as Heading;
    const parts = splitHeading(toString(heading));
    const line = heading.position?.start.line ?? 0;
    if (!parts.title && !parts.number) {
      errors.push(`line ${line}: empty heading`);
      continue;
    }
    const id = sectionId(parts);
    const firstLine = seen.get(id);
    if (firstLine !== undefined) {
      errors.push(`line ${line}: duplicate section "${id}" (first at line ${firstLine})`);
      continue;
    }
    seen.set(id, line);
    const path = numberPath(parts.number);
    if (path.length > 0) {
      const gap = numberingGap(previous, path);
      if (gap) warnings.push(`line ${line}: ${parts.number} follows ${gap}`);
      previous = path;
    }
    sections.push({ id, number: parts.number, title: parts.title, level: heading.depth });
  }
  if (errors.length > 0) {
    throw new DocumentFormatError(`document outline has ${errors.length} error(s): ${errors.join('; ')}`, errors);
  }
  return { frontMatter, sections, warnings, tree };
}

/** Describes the expected predecessor when `next` does not directly follow `prev`, else null. */
function numberingGap(prev: number[], next: number[]): string | null {
  const expectedOk = (): boolean => {
    if (next.length <= prev.length) {
      // Same depth or going up: the last number goes up by one at its depth.
      const depth = next.length - 1;
      for (let i = 0; i < depth; i++) if (next[i] !== prev[i]) return false;
      return next[depth] === (prev[depth] ?? 0) + 1;
    }
    // Going down one level starts at 1 under the same parent; a chapter without subsections is fine.
    if (next.length === prev.length + 1) {
      return prev.every((v, i) => next[i] === v) && next[next.length - 1] === 1;
    }
    return false;
  };
  if (prev.length === 0) return next.every((v, i) => v === 1 || i === 0) && next[0] === 1 ? null : 'the start';
  return expectedOk() ? null : prev.join('.');
}

/**
 * Why a revised version's file cannot be taken (Chinese, then English), or undefined when it can:
 * it must be UTF-8 text in the document format (docs/document-format.md), within `maxBytes`. The
 * round reads it again when the version is added; this tells the person at once, naming the problem.
 */
export function documentFileProblem(bytes: Uint8Array, maxBytes: number): string | undefined {
  if (bytes.byteLength === 0) return say('attachDocument');
  if (bytes.byteLength > maxBytes)
    return say('documentTooLarge', { max: `${(maxBytes / 1024 / 1024).toFixed(1)} MiB` });
  let source: string;
  try {
    source = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return say('documentNotText');
  }
  try {
    parseDocument(source);
  } catch (err) {
    if (err instanceof DocumentFormatError)
      return say('documentMalformed', { detail: err.problems.slice(0, 5).join('; ').slice(0, 1000) });
    throw err;
  }
  return undefined;
}
