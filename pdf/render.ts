/**
 * renderPlan: the approved plan PDF (or the circulation draft) from the document source and the
 * round's ReviewRecord. Lays out in passes until the page numbers the review tables print are
 * stable, then draws once. Deterministic: same inputs and fonts, byte-identical PDF.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { ReviewRecord, type Anchor } from '../domain/records.js';
import { DEFAULT_FONTS, type FontPaths } from './config.js';
import { walkDocument } from './blocks.js';
import { drawPdf } from './draw.js';
import { loadFonts } from './fonts.js';
import { layoutDocument, type LayoutResult } from './layout.js';
import { PageRefs, formatRanges } from './pagerefs.js';
import type { Mode } from './review.js';

export type { FontPaths } from './config.js';
export { DEFAULT_FONTS } from './config.js';
export { FontMissingError, UnsupportedCharacterError } from './fonts.js';

export interface RenderInput {
  /** The document source (Markdown, docs/document-format.md). */
  source: string;
  record: ReviewRecord;
  mode: Mode;
  /** Figure files by name (the `src` of `::figure`). */
  images?: Record<string, Buffer>;
  fonts?: FontPaths;
  /** Key of the rendered document in record.documents; defaults to record.round.planId. */
  docKey?: string;
}

export interface RenderResult {
  pdf: Buffer;
  pages: number;
  sha256: string;
  fontSha256: Record<string, string>;
  anchors: Array<{ anchor: Anchor; pages: string }>;
  toc: Array<{ number: string; title: string; page: number }>;
  /** Layout passes run until page numbers were stable. */
  passes: number;
  /** Anchors that resolved only partly (quotation not found, section used instead). */
  warnings: string[];
}

export class AnchorError extends Error {
  constructor(readonly problems: string[]) {
    super(`PDF renderer: ${problems.length} anchor(s) do not resolve in this document: ${problems.join('; ')}`);
    this.name = 'AnchorError';
  }
}

const MAX_PASSES = 6;

/** Every anchor the review tables print, in table order. */
function printedAnchors(record: ReviewRecord): Anchor[] {
  const out: Anchor[] = [];
  for (const o of record.expertReview?.opinions ?? []) out.push(...(o.revisionNote?.changedAt ?? []));
  for (const d of record.dispositions) out.push(...d.changedAt);
  return out;
}

/** The PDF's date: the record's issue date (00:00 China time), else the approval time; never the clock. */
function pdfDate(record: ReviewRecord): Date {
  if (record.round.issueDate) return new Date(`${record.round.issueDate}T00:00:00+08:00`);
  if (record.approval) return new Date(record.approval.at);
  return new Date('2000-01-01T00:00:00Z');
}

/** Lays the document out in passes until the pages the review tables print (and the TOC) are stable. */
async function settledLayout(input: RenderInput) {
  const fonts = await loadFonts(input.fonts ?? DEFAULT_FONTS);
  const record = ReviewRecord.parse(input.record);
  const doc = walkDocument(input.source);
  const docKey = input.docKey ?? record.round.planId;
  const images = input.images ?? {};

  let refs = new PageRefs(null, docKey);
  let tocPages = new Map<string, number>();
  let layout: LayoutResult | null = null;
  let passes = 0;
  let previous = '';
  for (;;) {
    passes++;
    layout = layoutDocument({ doc, fonts, mode: input.mode, record, refs, tocPages, images });
    const next = new PageRefs(layout, docKey);
    for (const a of printedAnchors(record)) next.resolve(a);
    const nextToc = new Map(layout.toc.map((e) => [e.id, e.page]));
    const fingerprint = `${next.fingerprint()}\n${[...nextToc].join(';')}`;
    const stable = passes > 1 && fingerprint === previous;
    previous = fingerprint;
    refs = next;
    tocPages = nextToc;
    if (stable || passes >= MAX_PASSES) break;
  }
  return { fonts, record, docKey, images, layout, refs, passes };
}

/**
 * Where anchors land in a document as circulated (its draft layout, no review tables): the returned
 * function gives "P12" or "P12-14" for an anchor, "—" for one that does not resolve. Laid out once;
 * the outcome notices print these pages.
 */
export async function anchorLocator(input: Omit<RenderInput, 'mode'>): Promise<(anchor: Anchor) => string> {
  const { layout, docKey } = await settledLayout({ ...input, mode: 'draft' });
  return (anchor) => {
    const r = new PageRefs(layout, docKey).resolve(anchor).range;
    return r ? formatRanges([r]) : '—';
  };
}

export async function renderPlan(input: RenderInput): Promise<RenderResult> {
  const { fonts, record, docKey, images, layout, refs, passes } = await settledLayout(input);

  const warnings: string[] = [];
  const anchors = printedAnchors(record).map((anchor) => {
    const r = refs.resolve(anchor);
    if (r.warning)
      warnings.push(
        `${anchor.section ?? ''} ${anchor.quote ? `"${anchor.quote.slice(0, 20)}"` : ''}: ${r.warning}`.trim(),
      );
    return { anchor, pages: r.range ? formatRanges([r.range]) : '—' };
  });
  const broken = anchors.filter((a) => a.pages === '—' && a.anchor.doc === docKey);
  if (input.mode === 'approved' && broken.length > 0) {
    throw new AnchorError(
      broken.map((a) =>
        `${a.anchor.doc} v${a.anchor.version} ${a.anchor.section ?? ''} ${a.anchor.quote ?? ''}`.trim(),
      ),
    );
  }

  const draft = input.mode === 'draft';
  const pdf = await drawPdf(
    layout,
    fonts,
    {
      title: layout.title,
      author: layout.issuer,
      subject: `${layout.title}（${draft ? '征求意见稿' : '审定稿'}）`,
      keywords: [record.round.planId, record.round.id, draft ? 'draft' : 'approved'].join(', '),
      date: pdfDate(record),
    },
    images,
  );
  return {
    pdf,
    pages: layout.pages.length,
    sha256: createHash('sha256').update(pdf).digest('hex'),
    fontSha256: fonts.sha256,
    anchors,
    toc: layout.toc.map((e) => ({ number: e.number, title: e.title, page: e.page })),
    passes,
    warnings: [...new Set(warnings)],
  };
}

/** For the CLI (`plan-review render`): renders the approved PDF of a document and a record file. */
export async function renderPreview(
  docPath: string,
  recordPath: string,
  outPath: string,
  mode: Mode = 'approved',
): Promise<RenderResult> {
  const [source, recordText] = await Promise.all([readFile(docPath, 'utf8'), readFile(recordPath, 'utf8')]);
  const result = await renderPlan({ source, record: ReviewRecord.parse(JSON.parse(recordText)), mode });
  await writeFile(outPath, result.pdf);
  return result;
}
