/**
 * Embeds a CFF face as a Type0 font with a CIDFontType0 descendant whose CIDs are the face's glyph
 * ids: content streams carry glyph ids directly (pre-encoded per string, cached across renders),
 * and the embedded program is the subset written by cff.ts. Widths (W, DW), a ToUnicode CMap that
 * maps each glyph back to the characters it was drawn for, and a subset tag derived from the glyphs.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type PDFDocument from 'pdfkit';
import type { LoadedFont, Shaped } from './fonts.js';

type Doc = InstanceType<typeof PDFDocument>;
interface Ref {
  data: Record<string, unknown>;
  end(chunk?: Uint8Array | string): void;
}
const ref = (doc: Doc, data?: Record<string, unknown>): Ref =>
  (doc as unknown as { ref(d?: Record<string, unknown>): Ref }).ref(data);

/** zlib level for the embedded font programs (desubroutinized charstrings compress little). */
export const FONT_ZLIB_LEVEL = 6;

const hex4 = (n: number): string => (n < 0x1000 ? (0x10000 + n).toString(16).slice(1) : n.toString(16));

function utf16Hex(cps: number[]): string {
  let s = '';
  for (let v of cps) {
    if (v > 0xffff) {
      v -= 0x10000;
      s += hex4(0xd800 | ((v >>> 10) & 0x3ff));
      v = 0xdc00 | (v & 0x3ff);
    }
    s += hex4(v);
  }
  return s;
}

export class CidFont {
  /** The Type0 font dictionary (filled at `finish`). */
  readonly ref: Ref;
  private readonly used = new Map<number, { cps: number[]; width: number }>();
  private readonly scale: number;

  constructor(
    private readonly doc: Doc,
    readonly font: LoadedFont,
    /** Resource name, e.g. C1. */
    readonly id: string,
  ) {
    this.ref = ref(doc);
    this.scale = 1000 / font.unitsPerEm;
  }

  /** Records the glyphs of a drawn string (for the subset, widths and ToUnicode). */
  use(s: Shaped): void {
    const { gids } = s;
    for (let k = 0; k < gids.length; k++) {
      const g = gids[k]!;
      if (!this.used.has(g)) this.used.set(g, { cps: s.codePoints[k]!, width: s.advances[k]! * this.scale });
    }
  }

  /** Writes the font program, descriptor, CID font, ToUnicode CMap and the Type0 dictionary. */
  finish(): void {
    const cff = this.font.cff!;
    const f = this.font.font as unknown as {
      postscriptName: string;
      unitsPerEm: number;
      ascent: number;
      descent: number;
      capHeight?: number;
      xHeight?: number;
      italicAngle: number;
      bbox: { minX: number; minY: number; maxX: number; maxY: number };
      post: { isFixedPitch: number };
      head: { macStyle: { italic: boolean } };
      'OS/2'?: { sFamilyClass: number };
      getGlyph(id: number): { advanceWidth: number };
    };
    const gids = [...this.used.keys()].sort((a, b) => a - b);
    const tag = createHash('sha256')
      .update(`${f.postscriptName}:${gids.join(',')}`)
      .digest()
      .subarray(0, 6)
      .reduce((s, b) => s + String.fromCharCode(65 + (b % 26)), '');
    const name = `${tag}+${f.postscriptName.replaceAll(' ', '_')}`;
    const program = cff.subset(gids, f.postscriptName);
    const fontFile = ref(this.doc, { Subtype: 'CIDFontType0C', Filter: 'FlateDecode' });
    fontFile.end(deflateSync(program, { level: FONT_ZLIB_LEVEL }));

    const s = this.scale;
    const familyClass = (f['OS/2']?.sFamilyClass ?? 0) >> 8;
    let flags = 0;
    if (f.post.isFixedPitch) flags |= 1;
    if (familyClass >= 1 && familyClass <= 7) flags |= 2;
    flags |= 4;
    if (familyClass === 10) flags |= 8;
    if (f.head.macStyle.italic) flags |= 64;
    const descriptor = ref(this.doc, {
      Type: 'FontDescriptor',
      FontName: name,
      Flags: flags,
      FontBBox: [f.bbox.minX * s, f.bbox.minY * s, f.bbox.maxX * s, f.bbox.maxY * s],
      ItalicAngle: f.italicAngle,
      Ascent: f.ascent * s,
      Descent: f.descent * s,
      CapHeight: (f.capHeight || f.ascent) * s,
      XHeight: (f.xHeight || 0) * s,
      StemV: 0,
      FontFile3: fontFile,
    });
    descriptor.end();

    // Widths: DW is the commonest width; W lists the others, consecutive CIDs grouped.
    const widthOf = (g: number): number =>
      Math.round((this.used.get(g)?.width ?? f.getGlyph(g).advanceWidth * s) * 1e6) / 1e6;
    const counts = new Map<number, number>();
    for (const g of gids) counts.set(widthOf(g), (counts.get(widthOf(g)) ?? 0) + 1);
    let dw = 1000;
    let best = -1;
    for (const [w, n] of counts) if (n > best || (n === best && w < dw)) [dw, best] = [w, n];
    const W: Array<number | number[]> = [];
    const all = [0, ...gids.filter((g) => g !== 0)];
    for (const g of all) {
      const w = widthOf(g);
      if (w === dw) continue;
      const lastArr = W[W.length - 1];
      const lastStart = W[W.length - 2];
      if (Array.isArray(lastArr) && typeof lastStart === 'number' && lastStart + lastArr.length === g) lastArr.push(w);
      else W.push(g, [w]);
    }
    const descendant = ref(this.doc, {
      Type: 'Font',
      Subtype: 'CIDFontType0',
      BaseFont: name,
      CIDSystemInfo: { Registry: new String('Adobe'), Ordering: new String('Identity'), Supplement: 0 },
      FontDescriptor: descriptor,
      DW: dw,
      W,
    });
    descendant.end();

    this.ref.data = {
      Type: 'Font',
      Subtype: 'Type0',
      BaseFont: name,
      Encoding: 'Identity-H',
      DescendantFonts: [descendant],
      ToUnicode: this.toUnicode(gids),
    };
    this.ref.end();
  }

  /** bfrange for runs of consecutive glyph ids mapped to consecutive single characters, bfchar otherwise. */
  private toUnicode(gids: number[]): Ref {
    const ranges: string[] = [];
    const chars: string[] = [];
    let i = 0;
    while (i < gids.length) {
      const g = gids[i]!;
      const cps = this.used.get(g)!.cps;
      if (cps.length === 0) {
        i++;
        continue;
      }
      let j = i + 1;
      if (cps.length === 1 && cps[0]! <= 0xffff) {
        while (j < gids.length) {
          const gj = gids[j]!;
          const cj = this.used.get(gj)!.cps;
          const d = j - i;
          if (
            gj !== g + d ||
            cj.length !== 1 ||
            cj[0] !== cps[0]! + d ||
            (gj & 0xff00) !== (g & 0xff00) ||
            (cj[0]! & 0xff00) !== (cps[0]! & 0xff00)
          )
            break;
          j++;
        }
      }
      if (j - i > 1) ranges.push(`<${hex4(g)}> <${hex4(gids[j - 1]!)}> <${utf16Hex(cps)}>`);
      else chars.push(`<${hex4(g)}> <${utf16Hex(cps)}>`);
      i = j;
    }
    const blocks: string[] = [];
    for (let k = 0; k < chars.length; k += 100) {
      const part = chars.slice(k, k + 100);
      blocks.push(`${part.length} beginbfchar\n${part.join('\n')}\nendbfchar`);
    }
    for (let k = 0; k < ranges.length; k += 100) {
      const part = ranges.slice(k, k + 100);
      blocks.push(`${part.length} beginbfrange\n${part.join('\n')}\nendbfrange`);
    }
    const cmap = ref(this.doc);
    cmap.end(`/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo <<
  /Registry (Adobe)
  /Ordering (UCS)
  /Supplement 0
>> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000><ffff>
endcodespacerange
${blocks.join('\n')}
endcmap
CMapName currentdict /CMap defineresource pop
end
end`);
    return cmap;
  }
}
