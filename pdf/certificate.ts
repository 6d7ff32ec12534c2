/**
 * A short document of headings, paragraphs and rules on A4 pages, drawn with the plan's own
 * renderer and fonts (the CJK faces subset into the PDF, the same line breaking and page footer),
 * its SHA-256 digests and Message-IDs in the monospaced face: the audit certificate is laid out
 * with it. Deterministic: same blocks, fonts and date, same bytes.
 */
import { createHash } from 'node:crypto';
import { CONTENT_WIDTH, DEFAULT_FONTS, PAGE, TYPE, type FontPaths } from './config.js';
import { drawPdf } from './draw.js';
import { loadFonts } from './fonts.js';
import type { LayoutResult } from './layout.js';
import { breakLines, type Run, type TextRole } from './linebreak.js';
import { Flow } from './pages.js';

export type SimpleBlock =
  | { k: 'title'; text: string }
  | { k: 'heading'; text: string }
  | { k: 'para'; text: string; small?: boolean; gray?: boolean; indent?: number; keepWithNext?: boolean }
  | { k: 'rule' };

export interface SimpleDocument {
  title: string;
  subject: string;
  keywords: string;
  /** The PDF's dates: from the content, never the clock. */
  date: Date;
  blocks: SimpleBlock[];
}

const SMALL = { size: 8.5, lineHeight: 12 } as const;

/** SHA-256 digests and Message-IDs: what a reader compares character by character. */
const CODE = /\b[0-9a-f]{64}\b|<[!-;=?-~]+@[!-;=?-~]+>/g;

/** The text as runs, its hashes and Message-IDs in the monospaced face. */
function withCodes(text: string, role: TextRole, size: number): Run[] {
  const runs: Run[] = [];
  let last = 0;
  for (const m of text.matchAll(CODE)) {
    if (m.index > last) runs.push({ text: text.slice(last, m.index), role, size });
    runs.push({ text: m[0], role: 'mono', size });
    last = m.index + m[0].length;
  }
  if (last < text.length || runs.length === 0) runs.push({ text: text.slice(last), role, size });
  return runs;
}

function baseline(top: number, lineHeight: number, size: number): number {
  return top + lineHeight / 2 + size * 0.36;
}

export async function renderSimpleDocument(
  input: SimpleDocument,
  fonts: FontPaths = DEFAULT_FONTS,
): Promise<{ pdf: Buffer; pages: number; sha256: string }> {
  const set = await loadFonts(fonts);
  const flow = new Flow();
  flow.startBody();

  const place = (
    text: string,
    role: TextRole,
    style: { size: number; lineHeight: number },
    opts: { align?: 'center'; gray?: boolean; indent?: number; keep?: number } = {},
  ) => {
    const x0 = PAGE.marginSide + (opts.indent ?? 0);
    const width = CONTENT_WIDTH - (opts.indent ?? 0);
    const lines = breakLines(set, withCodes(text, role, style.size), width, { where: 'certificate' });
    // A short paragraph (or a heading with what follows) is not split from its next lines.
    flow.need(style.lineHeight * Math.min(lines.length + (opts.keep ?? 0), 4));
    for (const line of lines) {
      flow.need(style.lineHeight);
      const x = opts.align === 'center' ? x0 + Math.max(0, (width - line.width) / 2) : x0;
      flow.push({ k: 'text', x, y: baseline(flow.y, style.lineHeight, style.size), line, cs: 0, gray: opts.gray });
      flow.record(line.text);
      flow.y += style.lineHeight;
    }
  };

  for (const b of input.blocks) {
    switch (b.k) {
      case 'title':
        place(b.text, 'heading', TYPE.h1, { align: 'center' });
        flow.y += TYPE.h1.after;
        break;
      case 'heading':
        flow.y += TYPE.h2.before;
        place(b.text, 'heading', TYPE.h3, { keep: 2 });
        flow.y += TYPE.h3.after;
        break;
      case 'para':
        place(b.text, 'body', b.small ? SMALL : TYPE.note, {
          gray: b.gray,
          indent: b.indent,
          keep: b.keepWithNext ? 2 : 0,
        });
        break;
      case 'rule':
        flow.need(8);
        flow.push({
          k: 'rule',
          x1: PAGE.marginSide,
          y1: flow.y + 4,
          x2: PAGE.marginSide + CONTENT_WIDTH,
          y2: flow.y + 4,
          lineWidth: 0.5,
        });
        flow.y += 8;
        break;
    }
  }

  const layout: LayoutResult = {
    pages: flow.pages,
    sections: [],
    stream: flow.stream,
    printed: flow.pages.map((p) => p.number),
    toc: [],
    title: input.title,
  };
  const pdf = await drawPdf(
    layout,
    set,
    { title: input.title, subject: input.subject, keywords: input.keywords, date: input.date },
    {},
  );
  return { pdf, pages: flow.pages.length, sha256: createHash('sha256').update(pdf).digest('hex') };
}
