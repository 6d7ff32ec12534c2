/**
 * Renderer configuration: font files and page geometry. Font paths are passed in by the caller (the
 * worker or CLI parses its own config); nothing in pdf/ reads process.env.
 */

/** A font file and, for a collection (.ttc), the PostScript name of the face to use. */
export interface FontFace {
  path: string;
  postscriptName?: string;
}

export interface FontPaths {
  /** Body text: Noto Serif CJK SC. */
  body: FontFace;
  /** Headings, table headers, captions: Noto Sans CJK SC Bold. */
  heading: FontFace;
  /** Characters the CJK faces lack (subscript digits in SO₂, PM₁₀): DejaVu Sans. */
  fallback: FontFace;
  /**
   * Hashes and identifiers, which readers compare character by character: Noto Sans Mono CJK SC
   * (one width for every character; its Latin letters and digits are shaped one by one, so a
   * 64-digit hash is laid out in a quarter of the time the serif face takes).
   */
  mono: FontFace;
}

export const DEFAULT_FONTS: FontPaths = {
  body: { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', postscriptName: 'NotoSerifCJKsc-Regular' },
  heading: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', postscriptName: 'NotoSansCJKsc-Bold' },
  fallback: { path: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' },
  mono: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansMonoCJKsc-Regular' },
};

/** A4 in points, with the margins of a Chinese government document (2.54 cm top/bottom, 3.17 cm sides). */
export const PAGE = {
  width: 595.28,
  height: 841.89,
  marginTop: 72,
  marginBottom: 72,
  marginSide: 90,
  /** Baseline area of the "- N -" footer, from the top of the page. */
  footerY: 841.89 - 52,
} as const;

export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.marginSide;
export const CONTENT_BOTTOM = PAGE.height - PAGE.marginBottom;

/** Type sizes (pt): 小四 body, 五号 tables, 三号/四号 headings. */
export const TYPE = {
  body: { size: 12, lineHeight: 22 },
  table: { size: 10.5, lineHeight: 15, padX: 4, padY: 4 },
  note: { size: 10.5, lineHeight: 17 },
  h1: { size: 16, lineHeight: 30, before: 6, after: 14 },
  h2: { size: 14, lineHeight: 26, before: 10, after: 6 },
  h3: { size: 12, lineHeight: 22, before: 6, after: 4 },
  caption: { size: 10.5, lineHeight: 18 },
  footer: { size: 10.5 },
  tocTitle: { size: 16 },
  toc: { size: 12, lineHeight: 20 },
} as const;
