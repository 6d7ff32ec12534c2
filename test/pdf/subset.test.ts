/**
 * The CFF subsetter (pdf/cff.ts) and the CID fonts written with it (pdf/pdffont.ts): subsets keep
 * only the used glyphs with their subroutines inlined, each glyph keeps its original id as CID, and
 * every glyph of the seed plan renders ink and maps back to its character in the PDF.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CffFont, describeCff } from '../../pdf/cff.js';
import { DEFAULT_FONTS } from '../../pdf/config.js';
import { drawPdf } from '../../pdf/draw.js';
import { loadFonts, type FontSet, type LoadedFont } from '../../pdf/fonts.js';
import type { LayoutResult } from '../../pdf/layout.js';
import { breakLines } from '../../pdf/linebreak.js';
import type { Page } from '../../pdf/pages.js';
import { pagesText, pdffonts, rasterGray, savePdf, seedPlanPath, seedRecordPath } from './helpers.js';

let fonts: FontSet;
/** Every distinct non-space character of the seed plan and its record. */
let chars: string[];

beforeAll(async () => {
  fonts = await loadFonts(DEFAULT_FONTS);
  const text = readFileSync(seedPlanPath, 'utf8') + readFileSync(seedRecordPath, 'utf8');
  chars = [...new Set(Array.from(text))].filter((c) => c.trim() !== '').sort();
});

function glyphsOf(face: LoadedFont): number[] {
  const gids = new Set<number>();
  for (const c of chars) if (face.has(c.codePointAt(0)!)) gids.add(face.font.glyphForCodePoint(c.codePointAt(0)!).id);
  return [...gids].sort((a, b) => a - b);
}

describe('the CFF subsetter', () => {
  for (const role of ['body', 'heading'] as const) {
    it(`subsets the ${role} face: used glyphs only, no subroutines, CIDs = original glyph ids`, () => {
      const face = fonts[role];
      const cff = face.cff!;
      expect(cff).not.toBeNull();
      const gids = glyphsOf(face);
      expect(gids.length).toBeGreaterThan(role === 'body' ? 1000 : 500);
      const bytes = cff.subset(gids, face.font.postscriptName);
      const info = describeCff(bytes);
      expect(info.glyphs).toBe(gids.length + (gids[0] === 0 ? 0 : 1));
      expect(info.cids).toEqual(gids[0] === 0 ? gids : [0, ...gids]);
      expect(info.globalSubrs).toBe(0);
      expect(info.localSubrs).toBe(0);
      expect(info.subrCalls).toBe(0);
      expect(info.fontDicts).toBeGreaterThan(0);
      expect(info.fontDicts).toBeLessThanOrEqual(new Set(gids.map((g) => cff.fdIndex(g))).size + 1);
      // Each subset glyph's charstring is the original's with its subroutines inlined.
      const sub = new CffFont(bytes);
      info.cids.forEach((gid, i) =>
        expect(Buffer.from(sub.charstring(i)).equals(Buffer.from(cff.charstring(gid))), `glyph ${gid}`).toBe(true),
      );
      // Deterministic.
      expect(Buffer.from(cff.subset([...gids].reverse(), face.font.postscriptName)).equals(Buffer.from(bytes))).toBe(
        true,
      );
    });
  }

  it('is much smaller than the face, and a few glyphs make a few kilobytes', () => {
    const face = fonts.body;
    const few = face.cff!.subset(
      Array.from('生态文明', (c) => face.font.glyphForCodePoint(c.codePointAt(0)!).id),
      'x',
    );
    expect(few.length).toBeLessThan(4000);
  });
});

describe('every glyph of the seed plan in the PDF', () => {
  // A grid of characters, 24 pt in 32 pt cells, one face per page run.
  const SIZE = 24;
  const CELL = 40;
  const COLS = 10;
  const ROWS = 16;
  const X0 = 90;
  const Y0 = 80;

  interface Cell {
    page: number;
    col: number;
    row: number;
    ch: string;
    inked: boolean;
    /** The glyph's bounding box on the page (points), from fontkit reading the original face. */
    box: { x0: number; y0: number; x1: number; y1: number };
  }

  function layout(): { layout: LayoutResult; cells: Cell[] } {
    const pages: Page[] = [];
    const cells: Cell[] = [];
    for (const role of ['body', 'heading'] as const) {
      const face = fonts[role];
      const list = chars.filter((c) => face.has(c.codePointAt(0)!));
      list.forEach((ch, i) => {
        const k = i % (COLS * ROWS);
        if (k === 0) pages.push({ front: true, items: [] });
        const col = k % COLS;
        const row = Math.floor(k / COLS);
        const line = breakLines(fonts, [{ text: ch, role, size: SIZE }], 1000, { where: 'test' })[0]!;
        expect(line.segs.map((s) => s.font)).toEqual([role]);
        const x = X0 + col * CELL + 8;
        const y = Y0 + row * CELL + 8 + SIZE * 0.88;
        pages[pages.length - 1]!.items.push({ k: 'text', x, y, line, cs: 0 });
        const glyph = face.font.glyphForCodePoint(ch.codePointAt(0)!) as unknown as {
          path: { commands: unknown[] };
          bbox: { minX: number; minY: number; maxX: number; maxY: number };
        };
        const k2 = SIZE / face.unitsPerEm;
        const b = glyph.bbox;
        cells.push({
          page: pages.length,
          col,
          row,
          ch,
          inked: glyph.path.commands.length > 0,
          box: { x0: x + b.minX * k2, x1: x + b.maxX * k2, y0: y - b.maxY * k2, y1: y - b.minY * k2 },
        });
      });
    }
    return {
      layout: { pages, sections: [], stream: [], printed: pages.map(() => undefined), toc: [], title: 'glyphs' },
      cells,
    };
  }

  it('renders ink for each glyph that has an outline, and pdftotext reads each character back', async () => {
    const { layout: l, cells } = layout();
    const pdf = await drawPdf(
      l,
      fonts,
      { title: 'glyphs', subject: 'glyphs', keywords: '', date: new Date('2000-01-01T00:00:00Z') },
      {},
    );
    const path = savePdf(pdf);
    // Two subset CID fonts, nothing else.
    const listed = pdffonts(path).split('\n').slice(2).filter(Boolean);
    expect(listed).toHaveLength(2);
    for (const line of listed)
      expect(line).toMatch(/^[A-Z]{6}\+NotoS\w+CJKsc-\w+\s+CID Type 0C\s+Identity-H\s+yes\s+yes\s+yes/);

    // Text: every character, in order, page by page.
    const text = pagesText(path).map((p) => p.replace(/\s+/g, ''));
    for (let page = 1; page <= l.pages.length; page++) {
      expect(text[page - 1], `page ${page}`).toBe(
        cells
          .filter((c) => c.page === page)
          .map((c) => c.ch)
          .join(''),
      );
    }

    // Ink: dark pixels inside each cell (72 dpi: 1 px per point), and their bounding box is the
    // glyph's as fontkit reads it from the original face (within 2 px).
    const missing: string[] = [];
    const misplaced: string[] = [];
    for (let page = 1; page <= l.pages.length; page++) {
      const img = rasterGray(path, page, 72);
      for (const c of cells.filter((x) => x.page === page && x.inked)) {
        let ink = 0;
        const box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
        for (let y = Y0 + c.row * CELL; y < Y0 + (c.row + 1) * CELL; y++) {
          for (let x = X0 + c.col * CELL; x < X0 + (c.col + 1) * CELL; x++) {
            if (img.data[y * img.width + x]! >= 224) continue;
            ink++;
            box.x0 = Math.min(box.x0, x);
            box.y0 = Math.min(box.y0, y);
            box.x1 = Math.max(box.x1, x + 1);
            box.y1 = Math.max(box.y1, y + 1);
          }
        }
        if (ink === 0) missing.push(c.ch);
        else if (
          Math.abs(box.x0 - c.box.x0) > 2 ||
          Math.abs(box.x1 - c.box.x1) > 2 ||
          Math.abs(box.y0 - c.box.y0) > 2 ||
          Math.abs(box.y1 - c.box.y1) > 2
        )
          misplaced.push(`${c.ch} ${JSON.stringify(box)} ${JSON.stringify(c.box)}`);
      }
    }
    expect(missing, `glyphs without ink: ${missing.join(' ')}`).toEqual([]);
    expect(misplaced, `glyphs whose ink is not where the face puts it: ${misplaced.join(' ')}`).toEqual([]);
    expect(cells.filter((c) => c.inked).length).toBeGreaterThan(2000);
    // The poppler tools read the file without complaint.
    expect(execFileSync('pdfinfo', [path], { encoding: 'utf8' })).toMatch(new RegExp(`Pages:\\s+${l.pages.length}`));
  }, 120_000);
});
