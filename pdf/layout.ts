/**
 * The layout: places the walked document on pages — cover, staff page, the front part (revision
 * notes), the table of contents, then 前言 and the chapters — and records where each section and each
 * line of text landed. Pure computation (no pdfkit), so the renderer can run it in passes.
 */
import type { ReviewRecord } from '../domain/records.js';
import { chineseNumeral } from '../infra/documents.js';
import { CONTENT_WIDTH, PAGE, TYPE } from './config.js';
import type { Block, WalkedDocument } from './blocks.js';
import type { FontSet } from './fonts.js';
import { imageSize } from './images.js';
import { breakLines, measure, type Line, type Run } from './linebreak.js';
import type { PageRefs, SectionSpan } from './pagerefs.js';
import { Flow, type Page } from './pages.js';
import { renderReview, type Mode } from './review.js';
import { layoutTable } from './table.js';

export interface LayoutInput {
  doc: WalkedDocument;
  fonts: FontSet;
  mode: Mode;
  record: ReviewRecord;
  refs: PageRefs;
  /** Printed page of each TOC entry from the previous pass (by section id). */
  tocPages: Map<string, number>;
  images: Record<string, Buffer>;
}

export interface TocEntry {
  id: string;
  number: string;
  title: string;
  level: number;
  page: number;
  dest: string;
}

export interface LayoutResult {
  pages: Page[];
  sections: SectionSpan[];
  stream: Flow['stream'];
  printed: Array<number | undefined>;
  toc: TocEntry[];
  title: string;
  issuer?: string;
}

const X: number = PAGE.marginSide;
const W = CONTENT_WIDTH;

function baseline(top: number, lineHeight: number, size: number): number {
  return top + lineHeight / 2 + size * 0.36;
}

class Layout {
  readonly flow = new Flow();
  readonly sections: SectionSpan[] = [];
  private readonly open: SectionSpan[] = [];
  private readonly fonts: FontSet;
  private destCount = 0;
  private chapter = 0;
  private chapterTables = 0;
  readonly headingDests = new Map<string, string>();

  constructor(private readonly input: LayoutInput) {
    this.fonts = input.fonts;
  }

  /** Places lines of one paragraph; `align` center/right/left(justified). */
  lines(
    lines: Line[],
    opts: {
      x?: number;
      width?: number;
      lineHeight: number;
      size: number;
      align?: 'left' | 'center' | 'right';
      gray?: boolean;
      record?: boolean;
    },
  ): void {
    const x0 = opts.x ?? X;
    const width = opts.width ?? W;
    for (const line of lines) {
      this.flow.need(opts.lineHeight);
      let x = x0 + line.indent;
      const avail = width - line.indent;
      let cs = 0;
      if (opts.align === 'center') x += Math.max(0, (avail - line.width) / 2);
      else if (opts.align === 'right') x += Math.max(0, avail - line.width);
      else if (line.justify && line.count > 1) {
        cs = (avail - line.width) / (line.count - 1);
        if (cs < 0 || cs > opts.size * 0.25) cs = 0;
      }
      this.flow.push({ k: 'text', x, y: baseline(this.flow.y, opts.lineHeight, opts.size), line, cs, gray: opts.gray });
      if (opts.record !== false) this.flow.record(line.text);
      this.flow.y += opts.lineHeight;
    }
  }

  text(
    runs: Run[],
    where: string,
    opts: {
      x?: number;
      width?: number;
      lineHeight: number;
      size: number;
      align?: 'left' | 'center' | 'right';
      indent?: number;
      justify?: boolean;
      gray?: boolean;
    },
  ): void {
    const lines = breakLines(this.fonts, runs, opts.width ?? W, {
      where,
      indent: opts.indent,
      justify: opts.justify ?? opts.align === undefined,
    });
    this.lines(lines, opts);
  }

  block(b: Block, x = X, width = W): void {
    const where = `${this.currentSection()}`;
    switch (b.t) {
      case 'heading':
        this.heading(b);
        break;
      case 'para': {
        const inset = b.inset ?? 0;
        if (b.style === 'title') {
          this.text([{ text: b.text, role: 'heading', size: TYPE.h2.size }], where, {
            x,
            width,
            lineHeight: TYPE.h2.lineHeight,
            size: TYPE.h2.size,
            align: 'center',
          });
        } else if (b.style === 'note') {
          this.text([{ text: b.text, role: 'body', size: TYPE.note.size }], where, {
            x: x + inset,
            width: width - inset,
            lineHeight: TYPE.note.lineHeight,
            size: TYPE.note.size,
            justify: true,
          });
        } else {
          const size = TYPE.body.size;
          const role = b.bold ? 'heading' : 'body';
          const align = b.style === 'center' ? 'center' : b.style === 'right' ? 'right' : undefined;
          this.text([{ text: b.text, role, size }], where, {
            x: x + inset,
            width: width - inset,
            lineHeight: TYPE.body.lineHeight,
            size,
            align,
            indent: b.indent ? 2 * size : 0,
            justify: align === undefined,
          });
        }
        break;
      }
      case 'caption': {
        // Keep a caption with the start of its table.
        this.flow.need(TYPE.caption.lineHeight + 3 * (TYPE.table.lineHeight + 2 * TYPE.table.padY));
        if (/^表/.test(b.text)) this.chapterTables++;
        this.text([{ text: b.text, role: 'heading', size: TYPE.caption.size }], where, {
          x,
          width,
          lineHeight: TYPE.caption.lineHeight,
          size: TYPE.caption.size,
          align: 'center',
        });
        this.flow.y += 2;
        break;
      }
      case 'table':
        layoutTable(this.fonts, this.flow, b.table, { x, width, where: `table in ${where}` });
        this.flow.y += 8;
        break;
      case 'figure':
        this.figure(b, x, width, where);
        break;
      case 'gap':
        this.gap(b.note, x, width, where);
        break;
      case 'box':
        this.box(b, x, width);
        break;
      case 'space':
        this.flow.y = Math.min(this.flow.bottom, this.flow.y + b.h);
        break;
      case 'review': {
        const caption = `表 ${this.chapter || 1}-${++this.chapterTables} 征求意见及采纳结果统计表`;
        if (b.kind === 'consultation') this.chapterTables--; // counted again by its caption block
        const blocks = renderReview(b.kind, {
          record: this.input.record,
          mode: this.input.mode,
          refs: this.input.refs,
          title: this.title(),
          caption,
        });
        for (const inner of blocks) this.block(inner, x, width);
        break;
      }
    }
  }

  title(): string {
    return this.input.doc.frontMatter.title ?? this.input.record.round.title;
  }

  currentSection(): string {
    const s = this.open[this.open.length - 1];
    return s ? `section ${s.id}` : 'front matter';
  }

  heading(b: Extract<Block, { t: 'heading' }>): void {
    // Close the sections this heading ends.
    while (this.open.length > 0 && this.open[this.open.length - 1]!.level >= b.level) {
      const s = this.open.pop()!;
      s.endPage = Math.max(s.startPage, this.flow.lastContentPage);
      s.streamTo = this.flow.stream.length;
    }
    if (b.level === 1) {
      const m = /^第(.+)章$/.exec(b.number);
      this.chapter = m ? chineseNumeral(m[1]!) : this.chapter;
      this.chapterTables = 0;
      this.flow.freshPage();
    }
    const st = b.level === 1 ? TYPE.h1 : b.level === 2 ? TYPE.h2 : TYPE.h3;
    const runs: Run[] = [
      {
        text: b.number ? `${b.number} ${b.title}` : b.title.replace(/^前言$/, '前  言'),
        role: 'heading',
        size: st.size,
      },
    ];
    const lines = breakLines(this.fonts, runs, W, { where: `heading ${b.id}` });
    // Keep the heading with two lines of what follows.
    if (!this.flow.atTop) this.flow.y += st.before;
    this.flow.need(lines.length * st.lineHeight + 2 * TYPE.body.lineHeight);
    const dest = `s${++this.destCount}`;
    this.headingDests.set(b.id, dest);
    this.flow.push({ k: 'dest', name: dest, y: this.flow.y });
    if (b.level <= 3) this.flow.push({ k: 'outline', level: b.level, title: b.text, y: this.flow.y });
    const span: SectionSpan = {
      id: b.id,
      number: b.number,
      title: b.title,
      level: b.level,
      startPage: this.flow.current,
      endPage: this.flow.current,
      streamFrom: this.flow.stream.length,
      streamTo: this.flow.stream.length,
    };
    this.sections.push(span);
    this.open.push(span);
    this.lines(lines, { lineHeight: st.lineHeight, size: st.size, align: b.level === 1 ? 'center' : 'left' });
    this.flow.y += st.after;
  }

  closeAll(): void {
    while (this.open.length > 0) {
      const s = this.open.pop()!;
      s.endPage = Math.max(s.startPage, this.flow.lastContentPage);
      s.streamTo = this.flow.stream.length;
    }
  }

  figure(b: Extract<Block, { t: 'figure' }>, x: number, width: number, where: string): void {
    const img = b.src ? this.input.images[b.src] : undefined;
    const capH = b.caption ? TYPE.caption.lineHeight : 0;
    let w = width;
    let h = 110;
    const size = img ? imageSize(img) : null;
    if (img && size) {
      const maxH = (this.flow.bottom - this.flow.top) * 0.6;
      const scale = Math.min(width / size.width, maxH / size.height, 1.5);
      w = size.width * scale;
      h = size.height * scale;
    }
    this.flow.need(h + capH + 8);
    const fx = x + (width - w) / 2;
    if (img && size) {
      this.flow.push({ k: 'image', x: fx, y: this.flow.y, w, h, src: b.src! });
    } else {
      this.flow.push({ k: 'rect', x: fx, y: this.flow.y, w, h, lineWidth: 0.8, dash: true });
      const note = b.src ? `图片未提供（${b.src}）` : '图片未提供';
      const lines = breakLines(this.fonts, [{ text: note, role: 'body', size: TYPE.note.size }], w - 20, { where });
      const saveY = this.flow.y;
      this.flow.y += (h - lines.length * TYPE.note.lineHeight) / 2;
      this.lines(lines, {
        x: fx + 10,
        width: w - 20,
        lineHeight: TYPE.note.lineHeight,
        size: TYPE.note.size,
        align: 'center',
        gray: true,
      });
      this.flow.y = saveY;
    }
    this.flow.y += h + 4;
    if (b.caption)
      this.text([{ text: b.caption, role: 'heading', size: TYPE.caption.size }], where, {
        x,
        width,
        lineHeight: TYPE.caption.lineHeight,
        size: TYPE.caption.size,
        align: 'center',
      });
    this.flow.y += 6;
  }

  gap(note: string, x: number, width: number, where: string): void {
    const size = TYPE.note.size;
    const lines = breakLines(this.fonts, [{ text: `［原文缺失］${note}`, role: 'body', size }], width - 20, {
      where,
      justify: true,
    });
    const h = lines.length * TYPE.note.lineHeight + 10;
    this.flow.need(Math.min(h, this.flow.bottom - this.flow.top));
    this.flow.push({ k: 'rect', x, y: this.flow.y, w: width, h, lineWidth: 0.8, dash: true, fill: '#eeeeee' });
    this.flow.y += 5;
    this.lines(lines, { x: x + 10, width: width - 20, lineHeight: TYPE.note.lineHeight, size });
    this.flow.y += 5 + 6;
  }

  box(b: Extract<Block, { t: 'box' }>, x: number, width: number): void {
    const pad = 10;
    this.flow.need(TYPE.h3.lineHeight + 3 * TYPE.body.lineHeight);
    let startPage = this.flow.current;
    let startY = this.flow.y;
    this.flow.y += pad;
    const frames: Array<{ page: number; y0: number; y1: number }> = [];
    const originalNewPage = this.flow.newPage.bind(this.flow);
    // Close the frame on each page the box runs over.
    this.flow.newPage = () => {
      frames.push({ page: this.flow.current, y0: startY, y1: this.flow.bottom });
      originalNewPage();
      startPage = this.flow.current;
      startY = this.flow.y;
      this.flow.y += pad / 2;
    };
    try {
      if (b.title)
        this.text([{ text: b.title, role: 'heading', size: TYPE.h3.size }], 'box title', {
          x: x + pad,
          width: width - 2 * pad,
          lineHeight: TYPE.h3.lineHeight,
          size: TYPE.h3.size,
          align: 'center',
        });
      for (const child of b.children) this.block(child, x + pad, width - 2 * pad);
    } finally {
      this.flow.newPage = originalNewPage;
    }
    this.flow.y += pad / 2;
    frames.push({ page: startPage, y0: startY, y1: this.flow.y });
    for (const f of frames)
      this.flow.pages[f.page]!.items.unshift({ k: 'rect', x, y: f.y0, w: width, h: f.y1 - f.y0, lineWidth: 1 });
    this.flow.y += 8;
  }

  cover(): void {
    const fm = this.input.doc.frontMatter;
    this.flow.newPage();
    const title = this.title();
    this.flow.y = 200;
    this.text([{ text: title, role: 'heading', size: 22 }], 'cover title', {
      lineHeight: 40,
      size: 22,
      align: 'center',
    });
    if (this.input.mode === 'draft') {
      this.flow.y += 24;
      this.text([{ text: '（征求意见稿）', role: 'heading', size: 18 }], 'cover', {
        lineHeight: 30,
        size: 18,
        align: 'center',
      });
    }
    this.flow.y = 560;
    if (fm.issuer)
      this.text([{ text: fm.issuer, role: 'heading', size: 16 }], 'cover issuer', {
        lineHeight: 30,
        size: 16,
        align: 'center',
      });
    const date = this.input.mode === 'draft' ? '征求意见稿' : fm.date ? printedDate(fm.date) : undefined;
    if (date)
      this.text([{ text: date, role: 'heading', size: 16 }], 'cover date', {
        lineHeight: 30,
        size: 16,
        align: 'center',
      });
  }

  staff(): void {
    const fm = this.input.doc.frontMatter;
    if (fm.staff.length === 0) return;
    this.flow.newPage();
    this.flow.y = 150;
    this.text([{ text: this.title(), role: 'heading', size: 16 }], 'staff page', {
      lineHeight: 30,
      size: 16,
      align: 'center',
    });
    this.flow.y += 60;
    const size = 14;
    const labelW = Math.max(
      ...fm.staff.map((s) => measure(this.fonts, [{ text: `${s.role}：`, role: 'heading', size }], 'staff page')),
    );
    const x = X + 40;
    for (const s of fm.staff) {
      const label = breakLines(this.fonts, [{ text: `${s.role}：`, role: 'heading', size }], labelW + 1, {
        where: 'staff page',
      });
      const value = breakLines(this.fonts, [{ text: s.value, role: 'body', size }], W - 40 - labelW, {
        where: 'staff page',
      });
      this.flow.need(value.length * 32);
      const top = this.flow.y;
      this.lines(label, { x, width: labelW, lineHeight: 32, size, align: 'right' });
      this.flow.y = top;
      this.lines(value, { x: x + labelW, width: W - 40 - labelW, lineHeight: 32, size, align: 'left' });
    }
  }

  toc(entries: TocEntry[]): void {
    this.flow.newPage();
    this.text([{ text: '目  录', role: 'heading', size: TYPE.tocTitle.size }], 'contents', {
      lineHeight: 36,
      size: TYPE.tocTitle.size,
      align: 'center',
    });
    this.flow.y += 10;
    const st = TYPE.toc;
    const numW = 30;
    for (const e of entries) {
      const indent = e.level >= 2 ? 2 * st.size : 0;
      const label = e.number ? `${e.number} ${e.title}` : e.title;
      const role = e.level === 1 ? 'heading' : 'body';
      const lines = breakLines(this.fonts, [{ text: label, role, size: st.size }], W - indent - numW - 12, {
        where: 'contents',
      });
      this.flow.need(lines.length * st.lineHeight);
      const top = this.flow.y;
      this.lines(lines, {
        x: X + indent,
        width: W - indent - numW - 12,
        lineHeight: st.lineHeight,
        size: st.size,
        align: 'left',
        record: false,
      });
      const last = lines[lines.length - 1]!;
      const lastY = this.flow.y - st.lineHeight;
      const pageText = String(e.page || '');
      const pageLine = breakLines(this.fonts, [{ text: pageText || '0', role: 'body', size: st.size }], numW + 20, {
        where: 'contents',
      })[0]!;
      const px = X + W - pageLine.width;
      if (pageText)
        this.flow.push({ k: 'text', x: px, y: baseline(lastY, st.lineHeight, st.size), line: pageLine, cs: 0 });
      const by = baseline(lastY, st.lineHeight, st.size);
      this.flow.push({
        k: 'rule',
        x1: X + indent + last.width + 6,
        y1: by - 1,
        x2: px - 6,
        y2: by - 1,
        lineWidth: 1,
        dots: true,
      });
      this.flow.push({ k: 'link', x: X, y: top, w: W, h: this.flow.y - top, dest: e.dest });
    }
  }
}

/** "2022-02" or "2022-02-01" → 2022年2月(1日); anything else as printed. */
export function printedDate(s: string): string {
  const m = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$/.exec(s.trim());
  if (!m) return s;
  return `${m[1]}年${Number(m[2])}月${m[3] ? `${Number(m[3])}日` : ''}`;
}

export function layoutDocument(input: LayoutInput): LayoutResult {
  const L = new Layout(input);
  const { blocks, bodyStart } = input.doc;
  L.cover();
  L.staff();
  const front = blocks.slice(0, bodyStart);
  if (front.length > 0) {
    L.flow.newPage();
    for (const b of front) L.block(b);
  }
  // The contents: level-1 and level-2 headings of the body, pages from the previous pass.
  let n = 0;
  const tocEntries: TocEntry[] = [];
  for (const [i, b] of blocks.entries()) {
    if (b.t !== 'heading') continue;
    n++; // the layout names each heading's destination s1, s2... in document order
    if (!b.toc || i < bodyStart) continue;
    tocEntries.push({
      id: b.id,
      number: b.number,
      title: b.title,
      level: b.level,
      page: input.tocPages.get(b.id) ?? 0,
      dest: `s${n}`,
    });
  }
  L.toc(tocEntries);
  L.flow.startBody();
  for (const b of blocks.slice(bodyStart)) L.block(b);
  L.closeAll();
  const printed = L.flow.pages.map((p) => p.number);
  const toc = tocEntries.map((e) => {
    const s = L.sections.find((x) => x.id === e.id);
    return { ...e, page: s ? (printed[s.startPage] ?? 0) : 0 };
  });
  const fm = input.doc.frontMatter;
  return {
    pages: L.flow.pages,
    sections: L.sections,
    stream: L.flow.stream,
    printed,
    toc,
    title: L.title(),
    issuer: fm.issuer,
  };
}
