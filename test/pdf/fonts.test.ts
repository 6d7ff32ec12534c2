/**
 * The faces' layout shortcuts: where the renderer skips shaping (pdf/fonts.ts), what it draws must
 * be what the face's own layout gives: the same glyphs with the same advances.
 */
import { readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import type { Font } from 'fontkit';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FONTS } from '../../pdf/config.js';
import { isSimpleInMono, loadFonts } from '../../pdf/fonts.js';

/** The face as fontkit opens it, without the renderer's shortcuts. */
function plainFace(path: string, postscriptName?: string): Font {
  const opened = fontkit.create(readFileSync(path));
  return 'fonts' in opened ? opened.getFont(postscriptName!)! : opened;
}

/** A fixed sequence of pseudo-random numbers (the same strings in every run). */
function* numbers(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    yield x >>> 8;
  }
}

describe('the monospaced face for hashes and identifiers', () => {
  it('draws any printable ASCII glyph by glyph, as its own layout does', async () => {
    const fonts = await loadFonts(DEFAULT_FONTS);
    const plain = plainFace(DEFAULT_FONTS.mono.path, DEFAULT_FONTS.mono.postscriptName);
    const random = numbers(20261207);
    const strings = [
      'e9805efc0c5fd3a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829',
      '<0f8fad5b-d9cb-469f-a165-70867728950e@review.xinrong.gov.cn>',
      ...'fi fl ffi -> => != <= ... --- 0O 1lI'.split(' '),
    ];
    for (let i = 0; i < 2000; i++) {
      const length = 1 + (random.next().value! % 70);
      strings.push(Array.from({ length }, () => String.fromCharCode(0x21 + (random.next().value! % 94))).join(''));
    }
    for (const s of strings) {
      expect(isSimpleInMono(s), s).toBe(true);
      const fast = fonts.mono.font.layout(s);
      const shaped = plain.layout(s);
      expect(
        fast.glyphs.map((g) => g.id),
        s,
      ).toEqual(shaped.glyphs.map((g) => g.id));
      expect(
        fast.positions.map((p) => [p.xAdvance, p.xOffset, p.yOffset]),
        s,
      ).toEqual(shaped.positions.map((p) => [p.xAdvance, p.xOffset, p.yOffset]));
      expect(fonts.mono.width(s)).toBe(shaped.advanceWidth);
    }
  });

  it('is one width for every character', async () => {
    const { mono } = await loadFonts(DEFAULT_FONTS);
    const widths = new Set(Array.from({ length: 94 }, (_, i) => mono.advance(0x21 + i)));
    expect([...widths]).toEqual([mono.unitsPerEm / 2]);
  });

  it('shapes what is not plain ASCII or CJK as the other faces do', () => {
    expect(isSimpleInMono('SO₂')).toBe(false);
    expect(isSimpleInMono('é')).toBe(false);
    expect(isSimpleInMono('a b')).toBe(false);
  });
});
