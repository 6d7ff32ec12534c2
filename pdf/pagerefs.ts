/**
 * Page references: an anchor resolves to the printed pages where its quotation lies (within its
 * section when it names one), else to the page range of its section, in the PDF being laid out.
 * "P35", "P7-10", several anchors "P87-88、96-100".
 */
import type { Anchor } from '../domain/records.js';
import type { StreamEntry } from './pages.js';

export interface SectionSpan {
  id: string;
  number: string;
  title: string;
  level: number;
  /** Physical page indexes. */
  startPage: number;
  endPage: number;
  streamFrom: number;
  streamTo: number;
}

/** What the page references need from a layout. */
export interface LaidOut {
  sections: SectionSpan[];
  stream: StreamEntry[];
  /** Printed number of each physical page (undefined for front pages). */
  printed: Array<number | undefined>;
}

export type Range = [number, number];

export function anchorKey(a: Anchor): string {
  return JSON.stringify([a.doc, a.version, a.section ?? null, a.quote ?? null]);
}

const norm = (s: string): string => s.normalize('NFKC').replace(/\s+/g, '');

function findQuote(stream: StreamEntry[], from: number, to: number, quote: string): Range | null {
  const q = norm(quote);
  if (!q) return null;
  let text = '';
  const pages: number[] = [];
  for (let i = from; i < to; i++) {
    const e = stream[i]!;
    const t = norm(e.text);
    text += t;
    for (let k = 0; k < t.length; k++) pages.push(e.page);
  }
  const at = text.indexOf(q);
  if (at < 0) return null;
  return [pages[at]!, pages[at + q.length - 1]!];
}

export interface Resolution {
  /** Printed page range, or null when the anchor does not resolve in this PDF. */
  range: Range | null;
  warning?: string;
}

/** Resolves one anchor of the rendered document (`docKey`) to printed pages. */
export function resolveAnchor(layout: LaidOut, docKey: string, a: Anchor): Resolution {
  if (a.doc !== docKey) return { range: null, warning: `anchor points at another document (${a.doc})` };
  const section = a.section ? layout.sections.find((s) => s.id === a.section) : undefined;
  if (a.section && !section) return { range: null, warning: `section "${a.section}" not found` };
  let phys: Range | null = null;
  let warning: string | undefined;
  if (a.quote) {
    phys = section
      ? findQuote(layout.stream, section.streamFrom, section.streamTo, a.quote)
      : findQuote(layout.stream, 0, layout.stream.length, a.quote);
    if (!phys) warning = `quotation "${a.quote.slice(0, 30)}" not found${section ? ` in section ${section.id}` : ''}`;
  }
  if (!phys && section) phys = [section.startPage, section.endPage];
  if (!phys) return { range: null, warning };
  const first = layout.printed[phys[0]];
  const last = layout.printed[phys[1]];
  if (first === undefined || last === undefined)
    return { range: null, warning: 'anchor lies outside the numbered pages' };
  return { range: [first, last], warning };
}

/** Merges ranges and prints them: "P35", "P7-10", "P87-88、96-100". */
export function formatRanges(ranges: Range[]): string {
  if (ranges.length === 0) return '';
  const sorted = ranges
    .map((r) => [Math.min(...r), Math.max(...r)] as Range)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Range[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return 'P' + merged.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join('、');
}

/** Page references of one layout pass, looked up by the review tables of the next pass. */
export class PageRefs {
  private readonly resolved = new Map<string, Resolution>();

  constructor(
    private readonly layout: LaidOut | null,
    private readonly docKey: string,
  ) {}

  resolve(a: Anchor): Resolution {
    const key = anchorKey(a);
    let r = this.resolved.get(key);
    if (!r) {
      r = this.layout ? resolveAnchor(this.layout, this.docKey, a) : { range: [88, 88] };
      this.resolved.set(key, r);
    }
    return r;
  }

  /** The printed pages of a list of anchors; "—" when none resolves. */
  text(anchors: Anchor[]): string {
    const ranges = anchors.map((a) => this.resolve(a).range).filter((r): r is Range => r !== null);
    if (!this.layout) return anchors.length > 0 ? 'P88-88' : '—';
    return ranges.length > 0 ? formatRanges(ranges) : '—';
  }

  /** Every anchor looked up so far with its printed pages, in first-use order. */
  entries(): Array<{ key: string; pages: string; warning?: string }> {
    return [...this.resolved].map(([key, r]) => ({
      key,
      pages: r.range ? formatRanges([r.range]) : '—',
      warning: r.warning,
    }));
  }

  /** A fingerprint of the resolved pages, to tell when passes are stable. */
  fingerprint(): string {
    return [...this.resolved].map(([k, r]) => `${k}=${r.range?.join('-') ?? ''}`).join('\n');
  }
}
