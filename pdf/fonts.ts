/**
 * Fonts: loaded once per process (a module-level cache keyed by path and face), with per-character
 * advance widths cached across renders, coverage checks, and a faster layout for CJK text.
 */
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import * as fontkit from 'fontkit';
import type { Font, Glyph, GlyphRun } from 'fontkit';
import type { FontFace, FontPaths } from './config.js';

export type FontRole = 'body' | 'heading' | 'fallback';

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

  constructor(
    readonly role: FontRole,
    readonly face: FontFace,
    readonly font: Font,
    readonly sha256: string,
  ) {}

  get unitsPerEm(): number {
    return this.font.unitsPerEm;
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
    if (s.length === 1 || isSimple(s)) {
      let w = 0;
      for (const ch of s) w += this.advance(ch.codePointAt(0)!);
      return w;
    }
    let v = this.words.get(s);
    if (v === undefined) {
      v = this.font.layout(s).advanceWidth;
      if (this.words.size > 50_000) this.words.clear();
      this.words.set(s, v);
    }
    return v;
  }
}

export interface FontSet {
  body: LoadedFont;
  heading: LoadedFont;
  fallback: LoadedFont;
  /** SHA-256 of each font file used, keyed by path. */
  sha256: Record<string, string>;
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
 * Replaces the face's layout with one that (a) maps simple CJK strings straight to glyphs and
 * advances, and (b) shapes everything else with `ccmp` off, except strings with a double em dash
 * (the only visible effect of ccmp in Noto CJK is joining "——"). pdfkit caches per-string layouts
 * per document; this keeps that cache usable (no per-call features) and cheap to fill.
 */
function speedUpLayout(font: Font): void {
  const original = font.layout.bind(font);
  const noCcmp = { ccmp: false };
  const fast = (text: string, features?: string[] | Record<string, boolean>): GlyphRun => {
    if (features === undefined && isSimple(text)) {
      const glyphs: Glyph[] = [];
      const positions = [];
      let advanceWidth = 0;
      for (const ch of text) {
        const g = font.glyphForCodePoint(ch.codePointAt(0)!);
        glyphs.push(g);
        positions.push({ xAdvance: g.advanceWidth, yAdvance: 0, xOffset: 0, yOffset: 0 });
        advanceWidth += g.advanceWidth;
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
  speedUpLayout(font);
  return new LoadedFont(role, face, font, sha);
}

/** Loads (or returns the cached) font set; fails naming every missing file. */
export async function loadFonts(paths: FontPaths): Promise<FontSet> {
  const entries: Array<[FontRole, FontFace]> = [
    ['body', paths.body],
    ['heading', paths.heading],
    ['fallback', paths.fallback],
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
  const [body, heading, fallback] = loaded as [LoadedFont, LoadedFont, LoadedFont];
  const sha256: Record<string, string> = {};
  for (const f of loaded) sha256[f.face.path] = f.sha256;
  return { body, heading, fallback, sha256 };
}

function key(face: FontFace): string {
  return `${face.path}#${face.postscriptName ?? ''}`;
}
