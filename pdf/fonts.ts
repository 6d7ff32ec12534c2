/**
 * Fonts: loaded once per process (a module-level cache keyed by path and face), with per-character
 * advance widths cached across renders, coverage checks, and a faster layout for CJK text.
 */
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import * as fontkit from 'fontkit';
import type { Font, Glyph, GlyphRun } from 'fontkit';
import { LRUCache } from 'lru-cache';
import { CffFont } from './cff.js';
import type { FontFace, FontPaths } from './config.js';

export type FontRole = 'body' | 'heading' | 'fallback' | 'mono';

export class FontMissingError extends Error {
  constructor(readonly missing: string[]) {
    super(`PDF renderer: font file(s) not found: ${missing.join(', ')}`);
    this.name = 'FontMissingError';
  }
}

export class UnsupportedCharacterError extends Error {
  constructor(
    readonly character: string,
    readonly where: string,
  ) {
    const cp = character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    super(`PDF renderer: no font has a glyph for U+${cp} "${character}" in ${where}`);
    this.name = 'UnsupportedCharacterError';
  }
}

/** One loaded face, shared by every render in the process. */
export class LoadedFont {
  /** Advance widths in font units per code point. */
  private readonly advances = new Map<number, number>();
  private readonly covered = new Map<number, boolean>();
  /** Shaped widths (font units) of non-CJK words. */
  private readonly words = new Map<string, number>();
  /** Glyphs of drawn strings (the glyphs pdfkit would draw for them). */
  private readonly shapes = new Map<string, Shaped>();
  /**
   * The face's layouts of recent words and pieces: a piece of a line that was measured to break the
   * line (a hash, a time at the end of a line) is not shaped a second time to be drawn.
   */
  private readonly runs = new LRUCache<string, GlyphRun>({ max: 4_000 });
  private readonly layoutOf = (text: string): GlyphRun => {
    let run = this.runs.get(text);
    if (!run) {
      run = this.font.layout(text);
      this.runs.set(text, run);
    }
    return run;
  };
  private cffFont: CffFont | null | undefined;

  constructor(
    readonly role: FontRole,
    readonly face: FontFace,
    readonly font: Font,
    readonly sha256: string,
    /** The font file (the whole collection for a .ttc face). */
    private readonly file?: Uint8Array,
    /** Strings this face draws glyph by glyph, each with its own advance (no shaping needed). */
    private readonly simple: (s: string) => boolean = isSimple,
  ) {}

  /** The face's CFF outlines for the PDF subsetter; null for a TrueType face (pdfkit embeds those). Parsed once. */
  get cff(): CffFont | null {
    if (this.cffFont === undefined) {
      const table = (
        this.font as unknown as { directory?: { tables?: Record<string, { offset: number; length: number }> } }
      ).directory?.tables?.['CFF '];
      try {
        this.cffFont =
          table && this.file ? new CffFont(this.file.subarray(table.offset, table.offset + table.length)) : null;
      } catch {
        // A CFF this subsetter does not read (e.g. CFF2): pdfkit embeds the face instead.
        this.cffFont = null;
      }
    }
    return this.cffFont;
  }

  /**
   * The glyphs and positions of a string as drawn: split after each space or tab and shaped piece
   * by piece with the face's layout (as pdfkit draws text), cached across renders.
   */
  shape(text: string): Shaped {
    let v = this.shapes.get(text);
    if (!v) {
      v = shapeText(this.layoutOf, this.font.unitsPerEm, text);
      if (this.shapes.size > 50_000) this.shapes.clear();
      this.shapes.set(text, v);
    }
    return v;
  }

  private upem = 0;

  get unitsPerEm(): number {
    return (this.upem ||= this.font.unitsPerEm);
  }

  has(cp: number): boolean {
    let v = this.covered.get(cp);
    if (v === undefined) {
      v = this.font.hasGlyphForCodePoint(cp);
      this.covered.set(cp, v);
    }
    return v;
  }

  /** Advance of one character in font units (no shaping). */
  advance(cp: number): number {
    let v = this.advances.get(cp);
    if (v === undefined) {
      v = this.font.glyphForCodePoint(cp).advanceWidth;
      this.advances.set(cp, v);
    }
    return v;
  }

  /** Width in font units of a string as pdfkit will draw it (shaped unless every character is simple). */
  width(s: string): number {
    if (s.length === 1 || this.simple(s)) {
      let w = 0;
      for (const ch of s) w += this.advance(ch.codePointAt(0)!);
      return w;
    }
    let v = this.words.get(s);
    if (v === undefined) {
      v = this.layoutOf(s).advanceWidth;
      if (this.words.size > 50_000) this.words.clear();
      this.words.set(s, v);
    }
    return v;
  }
}

/** A shaped string; advances and offsets in font units. */
export interface Shaped {
  gids: number[];
  codePoints: number[][];
  /** Advance width of each glyph (its entry in the PDF font's widths). */
  advances: number[];
  xAdvance: number[];
  xOffset: number[];
  yOffset: number[];
  /** True when some glyph has an x or y offset (mark positioning). */
  offsets: boolean;
  /** The TJ array body (codes are glyph ids) with the kerning adjustments, unless `offsets`. */
  tj: string;
}

const hex4 = (n: number): string => (n < 0x1000 ? (0x10000 + n).toString(16).slice(1) : n.toString(16));

/** A number as printed in a content stream (at most six decimals, as pdfkit prints). */
export function pdfNum(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}

function shapeText(layout: (piece: string) => GlyphRun, unitsPerEm: number, text: string): Shaped {
  const out: Shaped = {
    gids: [],
    codePoints: [],
    advances: [],
    xAdvance: [],
    xOffset: [],
    yOffset: [],
    offsets: false,
    tj: '',
  };
  let last = 0;
  for (let i = 0; i <= text.length; i++) {
    const end = i === text.length;
    if (!end && text[i] !== ' ' && text[i] !== '\t') continue;
    const chunk = text.slice(last, end ? i : i + 1);
    last = i + 1;
    if (!chunk) continue;
    const run = layout(chunk);
    run.glyphs.forEach((g, k) => {
      const p = run.positions[k]!;
      out.gids.push(g.id);
      out.codePoints.push(g.codePoints);
      out.advances.push(g.advanceWidth);
      out.xAdvance.push(p.xAdvance);
      out.xOffset.push(p.xOffset);
      out.yOffset.push(p.yOffset);
      if (p.xOffset || p.yOffset) out.offsets = true;
    });
  }
  // As pdfkit: a kerning adjustment after each glyph whose advance differs from its width.
  const scale = 1000 / unitsPerEm;
  const parts: string[] = [];
  let cur = '';
  for (let k = 0; k < out.gids.length; k++) {
    cur += hex4(out.gids[k]!);
    const adjust = (out.xAdvance[k]! - out.advances[k]!) * scale;
    if (adjust !== 0) {
      parts.push(`<${cur}> ${pdfNum(-adjust)}`);
      cur = '';
    }
  }
  if (cur) parts.push(`<${cur}>`);
  out.tj = parts.join(' ');
  return out;
}

export interface FontSet {
  body: LoadedFont;
  heading: LoadedFont;
  fallback: LoadedFont;
  mono: LoadedFont;
  /** SHA-256 of each font file used, keyed by path. */
  sha256: Record<string, string>;
  /** Identifies the faces (for caches of measurements shared across renders). */
  key: string;
}

/**
 * Characters whose shaping result equals their cmap glyph with its advance: CJK ideographs, kana,
 * CJK and full-width punctuation. For strings made only of these, shaping is skipped.
 */
function simpleCp(cp: number): boolean {
  return (
    (cp >= 0x2e80 && cp <= 0x9fff) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff01 && cp <= 0xffee) ||
    cp === 0x2018 ||
    cp === 0x2019 ||
    cp === 0x201c ||
    cp === 0x201d ||
    cp === 0x2026 ||
    cp === 0x00b7 ||
    cp === 0x2014
  );
}

export function isSimple(s: string): boolean {
  if (s.includes('——')) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return false;
    if (!simpleCp(c)) return false;
  }
  return true;
}

/**
 * In the monospaced face (Noto Sans Mono CJK), printable ASCII too: none of the lookups of its
 * default features takes an ASCII glyph and it has no kerning, so a hash is its characters' glyphs
 * side by side (test/pdf/fonts.test.ts compares this with the face's own layout).
 */
export function isSimpleInMono(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x21 || c > 0x7e) && !simpleCp(c)) return false;
  }
  return !s.includes('——');
}

/**
 * Replaces the face's layout with one that (a) maps simple CJK strings straight to glyphs and
 * advances, and (b) shapes everything else with `ccmp` off, except strings with a double em dash
 * (the only visible effect of ccmp in Noto CJK is joining "——"). pdfkit caches per-string layouts
 * per document; this keeps that cache usable (no per-call features) and cheap to fill.
 */
function speedUpLayout(font: Font, simple: (s: string) => boolean): void {
  const original = font.layout.bind(font);
  const noCcmp = { ccmp: false };
  // A face's cmap is searched for every character otherwise (fontkit keeps glyphs by id, not by character).
  const byCodePoint = new Map<number, { glyph: Glyph; advance: number }>();
  const fast = (text: string, features?: string[] | Record<string, boolean>): GlyphRun => {
    if (features === undefined && simple(text)) {
      const glyphs: Glyph[] = [];
      const positions = [];
      let advanceWidth = 0;
      for (const ch of text) {
        const cp = ch.codePointAt(0)!;
        let g = byCodePoint.get(cp);
        if (!g) {
          const glyph = font.glyphForCodePoint(cp);
          g = { glyph, advance: glyph.advanceWidth };
          byCodePoint.set(cp, g);
        }
        glyphs.push(g.glyph);
        positions.push({ xAdvance: g.advance, yAdvance: 0, xOffset: 0, yOffset: 0 });
        advanceWidth += g.advance;
      }
      return { glyphs, positions, advanceWidth };
    }
    if (features === undefined && !text.includes('——')) return original(text, noCcmp);
    return original(text, features);
  };
  Object.defineProperty(font, 'layout', { value: fast, configurable: true, writable: true });
}

const faces = new Map<string, Promise<LoadedFont>>();
const fileHashes = new Map<string, string>();

async function loadFace(role: FontRole, face: FontFace): Promise<LoadedFont> {
  const bytes = await readFile(face.path);
  let sha = fileHashes.get(face.path);
  if (!sha) {
    sha = createHash('sha256').update(bytes).digest('hex');
    fileHashes.set(face.path, sha);
  }
  const opened = fontkit.create(bytes);
  let font: Font | null;
  if ('fonts' in opened) {
    if (!face.postscriptName) {
      throw new Error(
        `PDF renderer: ${face.path} is a font collection; name a face (one of ${opened.fonts.map((f) => f.postscriptName).join(', ')})`,
      );
    }
    font = opened.getFont(face.postscriptName);
    if (!font) {
      throw new Error(
        `PDF renderer: ${face.path} has no face "${face.postscriptName}" (it has ${opened.fonts.map((f) => f.postscriptName).join(', ')})`,
      );
    }
  } else {
    font = opened;
  }
  const simple = role === 'mono' ? isSimpleInMono : isSimple;
  speedUpLayout(font, simple);
  return new LoadedFont(role, face, font, sha, bytes, simple);
}

/** Loads (or returns the cached) font set; fails naming every missing file. */
export async function loadFonts(paths: FontPaths): Promise<FontSet> {
  const entries: Array<[FontRole, FontFace]> = [
    ['body', paths.body],
    ['heading', paths.heading],
    ['fallback', paths.fallback],
    ['mono', paths.mono],
  ];
  const missing: string[] = [];
  for (const [, face] of entries) {
    if (faces.has(key(face))) continue;
    try {
      await access(face.path);
    } catch {
      missing.push(face.path);
    }
  }
  if (missing.length > 0) throw new FontMissingError([...new Set(missing)]);
  const loaded = await Promise.all(
    entries.map(([role, face]) => {
      const k = key(face);
      let p = faces.get(k);
      if (!p) {
        p = loadFace(role, face);
        p.catch(() => faces.delete(k));
        faces.set(k, p);
      }
      return p;
    }),
  );
  const [body, heading, fallback, mono] = loaded as [LoadedFont, LoadedFont, LoadedFont, LoadedFont];
  const sha256: Record<string, string> = {};
  for (const f of loaded) sha256[f.face.path] = f.sha256;
  return { body, heading, fallback, mono, sha256, key: loaded.map((f) => `${key(f.face)}@${f.sha256}`).join('|') };
}

function key(face: FontFace): string {
  return `${face.path}#${face.postscriptName ?? ''}`;
}
