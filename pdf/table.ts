/**
 * The table writer: multi-line cells, merged cells (rowspan/colspan), header rows repeated on every
 * page the table runs over, and rows taller than the rest of a page split across pages line by line,
 * so no text is lost. (pdfkit's own table neither repeats headers nor splits tall rows.)
 */
import { TYPE } from './config.js';
import type { FontSet } from './fonts.js';
import { breakLines, measure, minWidth, type Line, type Run } from './linebreak.js';
import type { Flow } from './pages.js';

export interface TableCell {
  text: string;
  rowspan: number;
  colspan: number;
  header: boolean;
  align?: 'left' | 'center' | 'right';
}

export interface TableModel {
  head: TableCell[][];
  body: TableCell[][];
  /** Column widths as fractions of the table width (computed from the content when absent). */
  widths?: number[];
  align?: Array<'left' | 'center' | 'right'>;
}

interface Placed {
  cell: TableCell;
  row: number;
  col: number;
  lines: Line[];
  /** Height needed including padding. */
  need: number;
}

interface Grid {
  rows: number;
  cols: number;
  cells: Placed[];
}

const ST = TYPE.table;

function runsOf(cell: TableCell): Run[] {
  return [{ text: cell.text, role: cell.header ? 'heading' : 'body', size: ST.size }];
}

/** Places cells on the grid (HTML algorithm: each cell takes the first free column). */
function place(rows: TableCell[][]): { cells: Array<{ cell: TableCell; row: number; col: number }>; cols: number } {
  const taken: boolean[][] = [];
  const cells: Array<{ cell: TableCell; row: number; col: number }> = [];
  let cols = 0;
  rows.forEach((row, r) => {
    taken[r] ??= [];
    let c = 0;
    for (const cell of row) {
      while (taken[r]![c]) c++;
      const rs = Math.min(cell.rowspan, rows.length - r);
      for (let dr = 0; dr < rs; dr++) {
        taken[r + dr] ??= [];
        for (let dc = 0; dc < cell.colspan; dc++) taken[r + dr]![c + dc] = true;
      }
      cells.push({ cell: { ...cell, rowspan: rs }, row: r, col: c });
      c += cell.colspan;
      cols = Math.max(cols, c);
    }
  });
  return { cells, cols };
}

function columnWidths(
  fonts: FontSet,
  model: TableModel,
  all: Array<{ cell: TableCell; col: number }>,
  cols: number,
  width: number,
  where: string,
): number[] {
  if (model.widths && model.widths.length === cols) {
    const sum = model.widths.reduce((a, b) => a + b, 0);
    return model.widths.map((w) => (w / sum) * width);
  }
  const pad = 2 * ST.padX;
  const maxW = new Array<number>(cols).fill(0);
  const minW = new Array<number>(cols).fill(ST.size * 2 + pad);
  for (const { cell, col } of all) {
    if (cell.colspan !== 1) continue;
    const runs = runsOf(cell);
    const longest = Math.max(...cell.text.split('\n').map((t) => measure(fonts, [{ ...runs[0]!, text: t }], where)));
    maxW[col] = Math.max(maxW[col]!, longest + pad + 1);
    // Short cells (up to four characters, e.g. 约束性) keep their full width; longer ones may wrap.
    const short = longest <= 4.2 * ST.size ? longest + pad + 1 : 0;
    minW[col] = Math.max(minW[col]!, Math.min(Math.max(minWidth(fonts, runs, where) + pad + 1, short), width / cols));
  }
  for (let c = 0; c < cols; c++) if (maxW[c] === 0) maxW[c] = width / cols;
  const totalMax = maxW.reduce((a, b) => a + b, 0);
  if (totalMax <= width) return maxW.map((w) => (w / totalMax) * width);
  // Start from the minimum, hand out the rest in proportion to what each column still wants.
  const w = maxW.map((m, c) => Math.min(m, minW[c]!));
  let rest = width - w.reduce((a, b) => a + b, 0);
  for (let iter = 0; iter < 5 && rest > 0.5; iter++) {
    const want = w.map((x, c) => Math.max(0, maxW[c]! - x));
    const totalWant = want.reduce((a, b) => a + b, 0);
    if (totalWant <= 0) break;
    let given = 0;
    for (let c = 0; c < cols; c++) {
      const add = Math.min(want[c]!, (rest * want[c]!) / totalWant);
      w[c] = w[c]! + add;
      given += add;
    }
    rest -= given;
  }
  if (rest > 0.5) {
    const sum = w.reduce((a, b) => a + b, 0);
    return w.map((x) => (x / sum) * width);
  }
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => (x / sum) * width);
}

function prepare(
  fonts: FontSet,
  rows: TableCell[][],
  colX: number[],
  colW: number[],
  where: string,
): { grid: Grid; heights: number[] } {
  const { cells } = place(rows);
  const placed: Placed[] = cells.map(({ cell, row, col }) => {
    let w = 0;
    for (let c = col; c < col + cell.colspan && c < colW.length; c++) w += colW[c]!;
    const lines = breakLines(fonts, runsOf(cell), Math.max(ST.size, w - 2 * ST.padX), {
      where: `${where}, row ${row + 1}`,
      justify: true,
    });
    return { cell, row, col, lines, need: lines.length * ST.lineHeight + 2 * ST.padY };
  });
  const heights = new Array<number>(rows.length).fill(ST.lineHeight + 2 * ST.padY);
  for (const p of placed) if (p.cell.rowspan === 1) heights[p.row] = Math.max(heights[p.row]!, p.need);
  for (const p of placed) {
    if (p.cell.rowspan === 1) continue;
    let sum = 0;
    for (let r = p.row; r < p.row + p.cell.rowspan; r++) sum += heights[r]!;
    if (sum < p.need) heights[p.row + p.cell.rowspan - 1]! += p.need - sum;
  }
  void colX;
  return { grid: { rows: rows.length, cols: colW.length, cells: placed }, heights };
}

/** One piece of a row on one page. */
interface Slice {
  row: number;
  page: number;
  y: number;
  h: number;
  /** Lines [from, to) of each single-row cell shown in this slice. */
  from: number;
  to: number;
  split: boolean;
}

export interface TableLayoutOptions {
  x: number;
  width: number;
  where: string;
  /** Called when the table continues on a new page (before the header is repeated). */
  onNewPage?: () => void;
}

/** Lays a table out into the flow, page by page. */
export function layoutTable(fonts: FontSet, flow: Flow, model: TableModel, opts: TableLayoutOptions): void {
  const all = [...model.head, ...model.body];
  if (all.length === 0) return;
  const { cells, cols } = place(all);
  const colW = columnWidths(fonts, model, cells, cols, opts.width, opts.where);
  const colX: number[] = [];
  let acc = opts.x;
  for (const w of colW) {
    colX.push(acc);
    acc += w;
  }
  if (model.align) {
    for (const row of model.body) {
      let c = 0;
      for (const cell of row) {
        cell.align ??= model.align[c];
        c += cell.colspan;
      }
    }
  }
  const head = prepare(fonts, model.head, colX, colW, `${opts.where} (header)`);
  const body = prepare(fonts, model.body, colX, colW, opts.where);
  const headH = head.heights.reduce((a, b) => a + b, 0);
  const pageH = flow.bottom - flow.top;

  const drawHead = (): void => {
    let y = flow.y;
    const rowY: number[] = [];
    for (const h of head.heights) {
      rowY.push(y);
      y += h;
    }
    for (const p of head.grid.cells) {
      let h = 0;
      for (let r = p.row; r < p.row + p.cell.rowspan; r++) h += head.heights[r]!;
      drawCell(flow, p, colX[p.col]!, widthOf(colW, p), rowY[p.row]!, h, 0, p.lines.length, true);
    }
    flow.y = y;
  };

  // Keep the header with at least the first line of the first row.
  const firstNeed = headH + Math.min(body.heights[0] ?? 0, ST.lineHeight * 2 + 2 * ST.padY);
  flow.need(firstNeed);
  drawHead();

  const slices: Slice[] = [];
  const newPage = (): void => {
    flow.newPage();
    opts.onNewPage?.();
    drawHead();
  };
  for (let r = 0; r < body.grid.rows; r++) {
    const h = body.heights[r]!;
    const maxLines = Math.max(
      0,
      ...body.grid.cells.filter((p) => p.row === r && p.cell.rowspan === 1).map((p) => p.lines.length),
    );
    if (h <= flow.room + 0.01) {
      slices.push({ row: r, page: flow.current, y: flow.y, h, from: 0, to: maxLines, split: false });
      flow.y += h;
      continue;
    }
    if (h <= pageH - headH) {
      newPage();
      slices.push({ row: r, page: flow.current, y: flow.y, h, from: 0, to: maxLines, split: false });
      flow.y += h;
      continue;
    }
    // Taller than a page: split line by line.
    let from = 0;
    let remaining = h;
    while (from < maxLines || remaining > 0.01) {
      let fit = Math.floor((flow.room - 2 * ST.padY) / ST.lineHeight);
      if (fit < 1) {
        newPage();
        fit = Math.floor((flow.room - 2 * ST.padY) / ST.lineHeight);
      }
      const to = Math.min(maxLines, from + fit);
      const last = to >= maxLines;
      const sh = last ? Math.max(remaining, (to - from) * ST.lineHeight + 2 * ST.padY) : flow.room;
      const shFit = Math.min(sh, flow.room);
      slices.push({ row: r, page: flow.current, y: flow.y, h: shFit, from, to, split: true });
      flow.y += shFit;
      remaining = Math.max(0, remaining - shFit);
      from = to;
      if (last) break;
      newPage();
    }
  }

  // Draw: single-row cells per slice; spanning cells over their slices, page by page.
  const byRow = new Map<number, Slice[]>();
  for (const s of slices) {
    const list = byRow.get(s.row) ?? [];
    list.push(s);
    byRow.set(s.row, list);
  }
  for (const p of body.grid.cells) {
    const x = colX[p.col]!;
    const w = widthOf(colW, p);
    if (p.cell.rowspan === 1) {
      for (const s of byRow.get(p.row) ?? []) {
        drawCellOn(
          flow,
          s.page,
          p,
          x,
          w,
          s.y,
          s.h,
          Math.min(s.from, p.lines.length),
          Math.min(s.to, p.lines.length),
          !s.split,
        );
      }
      continue;
    }
    // Segments: consecutive slices of the spanned rows on the same page.
    const segs: Array<{ page: number; y: number; h: number }> = [];
    for (let r = p.row; r < p.row + p.cell.rowspan; r++) {
      for (const s of byRow.get(r) ?? []) {
        const last = segs[segs.length - 1];
        if (last && last.page === s.page && Math.abs(last.y + last.h - s.y) < 0.01) last.h += s.h;
        else segs.push({ page: s.page, y: s.y, h: s.h });
      }
    }
    // Broken over pages: each part that can hold the whole text repeats it (centred), so every
    // page shows what the rows belong to; text too tall for any part flows through the parts.
    const capOf = (sg: { h: number }): number => Math.max(0, Math.floor((sg.h - 2 * ST.padY) / ST.lineHeight));
    if (segs.length > 1 && segs.some((sg) => capOf(sg) >= p.lines.length)) {
      let recorded = false;
      for (const sg of segs) {
        const whole = capOf(sg) >= p.lines.length;
        drawCellOn(flow, sg.page, p, x, w, sg.y, sg.h, 0, whole ? p.lines.length : 0, true, !recorded);
        if (whole) recorded = true;
      }
      continue;
    }
    let from = 0;
    segs.forEach((sg, i) => {
      const to = i === segs.length - 1 ? p.lines.length : Math.min(p.lines.length, from + capOf(sg));
      drawCellOn(flow, sg.page, p, x, w, sg.y, sg.h, from, to, segs.length === 1);
      from = to;
    });
  }
}

function widthOf(colW: number[], p: Placed): number {
  let w = 0;
  for (let c = p.col; c < p.col + p.cell.colspan && c < colW.length; c++) w += colW[c]!;
  return w;
}

function drawCell(
  flow: Flow,
  p: Placed,
  x: number,
  w: number,
  y: number,
  h: number,
  from: number,
  to: number,
  center: boolean,
): void {
  drawCellOn(flow, flow.current, p, x, w, y, h, from, to, center);
}

/** Draws a cell's frame and lines [from, to); `record` adds the lines to the text stream (page references). */
function drawCellOn(
  flow: Flow,
  page: number,
  p: Placed,
  x: number,
  w: number,
  y: number,
  h: number,
  from: number,
  to: number,
  middle: boolean,
  record = true,
): void {
  const items = flow.pages[page]!.items;
  items.push({ k: 'rect', x, y, w, h, lineWidth: 0.6, fill: p.cell.header ? '#f2f2f2' : undefined });
  const n = to - from;
  const textH = n * ST.lineHeight;
  let ty = y + ST.padY;
  if (middle) ty = y + Math.max(ST.padY, (h - textH) / 2);
  const inner = w - 2 * ST.padX;
  const single = p.lines.length === 1;
  const align = p.cell.align ?? (single || p.cell.header ? 'center' : 'left');
  for (let i = from; i < to; i++) {
    const line = p.lines[i]!;
    let lx = x + ST.padX;
    if (align === 'center') lx += Math.max(0, (inner - line.width) / 2);
    else if (align === 'right') lx += Math.max(0, inner - line.width);
    const justify = align === 'left' && line.justify;
    const cs = justify && line.count > 1 ? Math.max(0, (inner - line.width) / (line.count - 1)) : 0;
    const baseline = ty + ST.lineHeight / 2 + ST.size * 0.36;
    items.push({ k: 'text', x: lx, y: baseline, line, cs: cs > ST.size * 0.2 ? 0 : cs });
    if (record) flow.stream.push({ page, text: line.text });
    ty += ST.lineHeight;
  }
  if (page === flow.current || page > flow.lastContentPage) flow.lastContentPage = Math.max(flow.lastContentPage, page);
}
