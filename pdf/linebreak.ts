/**
 * Line breaking for Chinese text: per-character measurement, breaks between any two CJK characters
 * and at spaces, Latin words kept whole unless longer than a line, and 禁则 (no line starts with
 * closing punctuation, none ends with opening punctuation: the previous character is pulled down).
 * Results are cached per (text, style, width) across renders.
 */
import { UnsupportedCharacterError, type FontSet, type LoadedFont } from './fonts.js';

/** `mono`: a hash or an identifier (pdf/config.ts). */
export type TextRole = 'body' | 'heading' | 'mono';
export type SegFont = TextRole | 'fallback';

/** A run of text in one style. */
export interface Run {
  text: string;
  role: TextRole;
  size: number;
}

/** A piece of a line drawn with one font. */
export interface Seg {
  font: SegFont;
  size: number;
  text: string;
  /** Natural width in points. */
  width: number;
  /** Code points (each gets the justification spacing after it). */
  count: number;
}

export interface Line {
  segs: Seg[];
  width: number;
  count: number;
  /** Spread the remaining width over the character gaps (not the last line of a paragraph). */
  justify: boolean;
  /** Indent of this line in points. */
  indent: number;
  text: string;
}

/** Characters that must not start a line. */
const NO_START = new Set(Array.from('，。、；：？！）」』】》〉〕］｝〗”’…—–%‰℃°·・.,;:?!)]}>／/'));
/** Characters that must not end a line. */
const NO_END = new Set(Array.from('（「『【《〈〔［｛〖“‘([{<'));

type UnitKind = 'cjk' | 'word' | 'glue' | 'break';
interface Unit {
  kind: UnitKind;
  text: string;
  font: SegFont;
  size: number;
  width: number;
  /** No break allowed before this unit (a word continued in another font, e.g. PM + ₁₀). */
  joinPrev?: boolean;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x2e80 && cp <= 0x9fff) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xffef) ||
    (cp >= 0x20000 && cp <= 0x3ffff) ||
    cp === 0x2018 ||
    cp === 0x2019 ||
    cp === 0x201c ||
    cp === 0x201d ||
    cp === 0x2026
  );
}

function fontOf(fonts: FontSet, role: SegFont): LoadedFont {
  return fonts[role];
}

/** Picks the font for one character: the style's face, else the fallback, else a clear error. */
export function pickFont(fonts: FontSet, role: TextRole, cp: number, ch: string, where: string): SegFont {
  if (fonts[role].has(cp)) return role;
  if (fonts.fallback.has(cp)) return 'fallback';
  throw new UnsupportedCharacterError(ch, where);
}

function toUnits(fonts: FontSet, runs: Run[], where: string): Unit[] {
  const units: Unit[] = [];
  for (const run of runs) {
    const chars = Array.from(run.text);
    let i = 0;
    while (i < chars.length) {
      const ch = chars[i]!;
      const cp = ch.codePointAt(0)!;
      if (ch === '\n') {
        units.push({ kind: 'break', text: '', font: run.role, size: run.size, width: 0 });
        i++;
        continue;
      }
      if (ch === ' ' || ch === '\t' || ch === '\u00a0') {
        const f = fontOf(fonts, run.role);
        units.push({
          kind: 'glue',
          text: ' ',
          font: run.role,
          size: run.size,
          width: (f.advance(32) / f.unitsPerEm) * run.size,
        });
        i++;
        continue;
      }
      const font = pickFont(fonts, run.role, cp, ch, where);
      if (ch === '—' && chars[i + 1] === '—') {
        // A double em dash is one unit, never split across lines.
        const f = fontOf(fonts, font);
        units.push({ kind: 'cjk', text: '——', font, size: run.size, width: (f.width('——') / f.unitsPerEm) * run.size });
        i += 2;
        continue;
      }
      if (isWide(cp) || ch === '—') {
        const f = fontOf(fonts, font);
        units.push({ kind: 'cjk', text: ch, font, size: run.size, width: (f.advance(cp) / f.unitsPerEm) * run.size });
        i++;
        continue;
      }
      // A word: consecutive non-wide, non-space characters in the same font.
      let j = i;
      let word = '';
      while (j < chars.length) {
        const c = chars[j]!;
        const p = c.codePointAt(0)!;
        if (c === ' ' || c === '\t' || c === '\n' || c === '\u00a0' || isWide(p) || c === '—') break;
        if (pickFont(fonts, run.role, p, c, where) !== font) break;
        word += c;
        j++;
      }
      const f = fontOf(fonts, font);
      const joinPrev = units[units.length - 1]?.kind === 'word';
      units.push({
        kind: 'word',
        text: word,
        font,
        size: run.size,
        width: (f.width(word) / f.unitsPerEm) * run.size,
        joinPrev,
      });
      i = j;
    }
  }
  return units;
}

function splitWord(fonts: FontSet, u: Unit): Unit[] {
  const f = fontOf(fonts, u.font);
  return Array.from(u.text).map((ch) => ({
    kind: 'cjk' as const,
    text: ch,
    font: u.font,
    size: u.size,
    width: (f.advance(ch.codePointAt(0)!) / f.unitsPerEm) * u.size,
  }));
}

function firstChar(u: Unit): string {
  return u.text.charAt(0);
}
function lastChar(u: Unit): string {
  return u.text.charAt(u.text.length - 1);
}

function makeLine(units: Unit[], justify: boolean, indent: number): Line {
  while (units.length > 0 && units[units.length - 1]!.kind === 'glue') units.pop();
  const segs: Seg[] = [];
  let width = 0;
  let count = 0;
  let text = '';
  for (const u of units) {
    const n = Array.from(u.text).length;
    const last = segs[segs.length - 1];
    if (last && last.font === u.font && last.size === u.size) {
      last.text += u.text;
      last.width += u.width;
      last.count += n;
    } else {
      segs.push({ font: u.font, size: u.size, text: u.text, width: u.width, count: n });
    }
    width += u.width;
    count += n;
    text += u.text;
  }
  return { segs, width, count, justify, indent, text };
}

export interface BreakOptions {
  /** First-line indent in points (two characters for body text). */
  indent?: number;
  /** Justify all lines but the last. */
  justify?: boolean;
  /** Where this text comes from, for error messages. */
  where: string;
}

const cache = new Map<string, Line[]>();

/** Breaks runs into lines of at most `width` points. */
export function breakLines(fonts: FontSet, runs: Run[], width: number, opts: BreakOptions): Line[] {
  const indent = opts.indent ?? 0;
  const justify = opts.justify ?? false;
  let key = `${fonts.key}|${width.toFixed(2)}|${indent}|${justify ? 1 : 0}`;
  for (const r of runs) key += `|${r.role}${r.size}:${r.text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const lines = breakUncached(fonts, runs, width, indent, justify, opts.where);
  if (cache.size > 20_000) cache.clear();
  cache.set(key, lines);
  return lines;
}

function breakUncached(
  fonts: FontSet,
  runs: Run[],
  width: number,
  indent: number,
  justify: boolean,
  where: string,
): Line[] {
  const units = toUnits(fonts, runs, where);
  const lines: Line[] = [];
  let cur: Unit[] = [];
  let curW = 0;
  let lineIndent = indent;
  let avail = width - indent;
  const eps = 0.01;
  let i = 0;
  while (i < units.length) {
    const u = units[i]!;
    if (u.kind === 'break') {
      lines.push(makeLine(cur, false, lineIndent));
      cur = [];
      curW = 0;
      lineIndent = 0;
      avail = width;
      i++;
      continue;
    }
    if (u.kind === 'glue') {
      if (cur.length > 0) {
        cur.push(u);
        curW += u.width;
      }
      i++;
      continue;
    }
    if (curW + u.width <= avail + eps) {
      cur.push(u);
      curW += u.width;
      i++;
      continue;
    }
    if (u.kind === 'word' && u.width > width) {
      // Longer than a whole line: break it between characters.
      units.splice(i, 1, ...splitWord(fonts, u));
      continue;
    }
    if (cur.length === 0) {
      // A single unit wider than the line (cannot happen for characters of normal size): place it alone.
      cur.push(u);
      curW += u.width;
      i++;
      continue;
    }
    // Break before u, honouring 禁则.
    while (cur.length > 0 && cur[cur.length - 1]!.kind === 'glue') cur.pop();
    const carry: Unit[] = [];
    const startsBad = (): boolean => {
      const first = carry[0] ?? u;
      return NO_START.has(firstChar(first)) || first.joinPrev === true;
    };
    while (cur.length > 1 && startsBad()) {
      carry.unshift(cur.pop()!);
      while (cur.length > 1 && cur[cur.length - 1]!.kind === 'glue') cur.pop();
    }
    while (cur.length > 1 && NO_END.has(lastChar(cur[cur.length - 1]!))) carry.unshift(cur.pop()!);
    lines.push(makeLine(cur, true, lineIndent));
    cur = carry;
    curW = carry.reduce((s, c) => s + c.width, 0);
    lineIndent = 0;
    avail = width;
  }
  if (cur.length > 0 || lines.length === 0) lines.push(makeLine(cur, false, lineIndent));
  if (!justify) for (const l of lines) l.justify = false;
  return lines;
}

/** Natural width and widest unbreakable piece of runs, cached across renders (keyed by fonts and runs). */
const widths = new Map<string, { total: number; widest: number }>();

function widthsOf(fonts: FontSet, runs: Run[], where: string): { total: number; widest: number } {
  let key = fonts.key;
  for (const r of runs) key += `|${r.role}${r.size}:${r.text}`;
  let v = widths.get(key);
  if (!v) {
    const units = toUnits(fonts, runs, where);
    v = {
      total: units.reduce((s, u) => s + u.width, 0),
      widest: units.reduce((m, u) => Math.max(m, u.kind === 'glue' ? 0 : u.width), 0),
    };
    if (widths.size > 20_000) widths.clear();
    widths.set(key, v);
  }
  return v;
}

/** Width of a single-line text (no breaking), in points. */
export function measure(fonts: FontSet, runs: Run[], where: string): number {
  return widthsOf(fonts, runs, where).total;
}

/** The widest unbreakable piece of the text (a CJK character or a Latin word), in points. */
export function minWidth(fonts: FontSet, runs: Run[], where: string): number {
  return widthsOf(fonts, runs, where).widest;
}
