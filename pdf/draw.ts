/**
 * Emits the laid-out pages: text, rules and frames written as content-stream operators (text in the
 * CFF faces with pre-encoded glyph ids, see pdffont.ts; a TrueType face through pdfkit), and through
 * pdfkit the pages, images, named destinations and links (contents → headings), the outline and the
 * document information. Everything that varies between runs (dates, file ID) comes from the input.
 */
import PDFDocument from 'pdfkit';
import { PAGE, TYPE } from './config.js';
import { pdfNum, type FontSet, type Shaped } from './fonts.js';
import { breakLines, type Line, type SegFont } from './linebreak.js';
import type { LayoutResult } from './layout.js';
import { CidFont } from './pdffont.js';

export interface PdfMeta {
  title: string;
  author?: string;
  subject: string;
  keywords: string;
  /** Creation and modification date: from the record, never the clock. */
  date: Date;
}

type Doc = InstanceType<typeof PDFDocument>;
// pdfkit's outline API is not in @types/pdfkit.
interface Outline {
  addItem(title: string, options?: Record<string, unknown>): Outline;
}

export async function drawPdf(
  layout: LayoutResult,
  fonts: FontSet,
  meta: PdfMeta,
  images: Record<string, Buffer>,
): Promise<Buffer> {
  const doc: Doc = new PDFDocument({
    autoFirstPage: false,
    size: [PAGE.width, PAGE.height],
    margin: 0,
    compress: true,
    pdfVersion: '1.7',
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: meta.title,
      Author: meta.author ?? '',
      Subject: meta.subject,
      Keywords: meta.keywords,
      Creator: 'plan-review',
      Producer: 'plan-review (PDFKit)',
      CreationDate: meta.date,
      ModDate: meta.date,
    },
  } as PDFKit.PDFDocumentOptions);
  // The faces are fontkit objects shared by every render in the process.
  doc.registerFont('body', fonts.body.font as never);
  doc.registerFont('heading', fonts.heading.font as never);
  doc.registerFont('fallback', fonts.fallback.font as never);
  doc.registerFont('mono', fonts.mono.font as never);

  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });

  const root = (doc as unknown as { outline: Outline }).outline;
  const parents: Outline[] = [root];
  const out = new Content(doc, fonts);

  for (const page of layout.pages) {
    doc.addPage({ size: [PAGE.width, PAGE.height], margin: 0 });
    out.startPage();
    for (const it of page.items) {
      switch (it.k) {
        case 'text':
          out.gray(!!it.gray);
          out.line(it.line, it.x, it.y, it.cs);
          break;
        case 'rect': {
          let s = `q\n${pdfNum(it.lineWidth)} w\n`;
          if (it.dash) s += '[3 2] 0 d\n';
          if (it.fill) s += `${fillColor(it.fill)}\n`;
          s += `${n2(it.x)} ${n2(it.y)} ${n2(it.w)} ${n2(it.h)} re\n${it.fill ? 'B' : 'S'}\nQ\n`;
          out.raw(s);
          break;
        }
        case 'rule':
          if (it.x2 > it.x1) {
            out.raw(
              `q\n${pdfNum(it.lineWidth)} w\n${it.dots ? '1 J\n[0.01 3.5] 0 d\n' : ''}${n2(it.x1)} ${n2(it.y1)} m\n${n2(it.x2)} ${n2(it.y2)} l\nS\nQ\n`,
            );
          }
          break;
        case 'image': {
          const buf = images[it.src];
          if (buf) {
            out.flush();
            doc.image(buf, it.x, it.y, { width: it.w, height: it.h });
          }
          break;
        }
        case 'dest':
          doc.addNamedDestination(it.name, 'XYZ', 0, it.y, null);
          break;
        case 'link':
          doc.goTo(it.x, it.y, it.w, it.h, it.dest);
          break;
        case 'outline': {
          // pdfkit computes left = pageWidth - options.left and top = pageHeight - options.top;
          // pass the fit option explicitly (without it an options object drops the default fit).
          const parent = parents[Math.min(it.level - 1, parents.length - 1)]!;
          const item = parent.addItem(it.title, {
            fit: false,
            top: it.y,
            left: PAGE.width,
            zoom: 0,
            expanded: it.level === 1,
          });
          parents.length = it.level;
          parents[it.level] = item;
          break;
        }
      }
    }
    if (page.number !== undefined) {
      const size = TYPE.footer.size;
      const line = breakLines(fonts, [{ text: `- ${page.number} -`, role: 'body', size }], 200, {
        where: 'footer',
      })[0]!;
      out.gray(false);
      out.line(line, (PAGE.width - line.width) / 2, PAGE.footerY, 0);
    }
    out.flush();
  }
  out.finish();
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

/** A coordinate with two decimals (1/7200 inch). */
function n2(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function fillColor(c: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
  if (!m) return '0 g';
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => Math.round((parseInt(h!, 16) / 255) * 1000) / 1000) as [
    number,
    number,
    number,
  ];
  return r === g && g === b ? `${r} g` : `${r} ${g} ${b} rg`;
}

/**
 * The content of the current page, collected as text and written to pdfkit's page in one piece
 * (before anything pdfkit draws itself). Tracks the text state (font, size, spacing, colour).
 */
class Content {
  private parts: string[] = [];
  private readonly cid = new Map<SegFont, CidFont>();
  private font = '';
  private size = 0;
  private cs = 0;
  private isGray = false;
  /** pdfkit's own text state (for a TrueType face). */
  private kitFont = '';
  private kitSize = 0;

  constructor(
    private readonly doc: Doc,
    private readonly fonts: FontSet,
  ) {}

  startPage(): void {
    this.font = '';
    this.size = 0;
    this.cs = 0;
    this.isGray = false;
    this.kitFont = '';
    this.kitSize = 0;
  }

  raw(s: string): void {
    this.parts.push(s);
  }

  gray(on: boolean): void {
    if (on === this.isGray) return;
    this.parts.push(on ? '0.4 g\n' : '0 g\n');
    this.isGray = on;
  }

  flush(): void {
    if (this.parts.length === 0) return;
    (this.doc as unknown as { page: { write(b: Uint8Array): void } }).page.write(
      Buffer.from(this.parts.join(''), 'latin1'),
    );
    this.parts = [];
  }

  private cidFont(role: SegFont): CidFont | null {
    let f = this.cid.get(role);
    if (f) return f;
    if (!this.fonts[role].cff) return null;
    f = new CidFont(this.doc, this.fonts[role], `C${this.cid.size + 1}`);
    this.cid.set(role, f);
    return f;
  }

  /** One laid-out line at baseline y; `cs` is the extra spacing after each character. */
  line(line: Line, x: number, y: number, cs: number): void {
    let open = false;
    const page = (this.doc as unknown as { page: { fonts: Record<string, unknown> } }).page;
    for (const seg of line.segs) {
      const f = seg.text.trim() ? this.cidFont(seg.font) : null;
      if (f) {
        const shaped = f.font.shape(seg.text);
        f.use(shaped);
        let s = open ? '' : 'BT\n';
        open = true;
        if (f.id !== this.font || seg.size !== this.size) {
          page.fonts[f.id] ??= f.ref;
          s += `/${f.id} ${pdfNum(seg.size)} Tf\n`;
          this.font = f.id;
          this.size = seg.size;
        }
        const c = Math.round(cs * 1000) / 1000;
        if (c !== this.cs) {
          s += `${c} Tc\n`;
          this.cs = c;
        }
        s += `1 0 0 -1 ${n2(x)} ${n2(y)} Tm\n`;
        if (shaped.offsets) s += this.offsetGlyphs(shaped, seg.size, f.font.unitsPerEm);
        else s += `[${shaped.tj}] TJ\n`;
        this.parts.push(s);
      } else if (seg.text.trim()) {
        // A face without CFF outlines (the TrueType fallback): drawn by pdfkit.
        if (open) this.parts.push('ET\n');
        open = false;
        this.flush();
        if (seg.font !== this.kitFont) this.doc.font(seg.font);
        if (seg.size !== this.kitSize) this.doc.fontSize(seg.size);
        this.kitFont = seg.font;
        this.kitSize = seg.size;
        this.doc.text(seg.text, x, y, {
          lineBreak: false,
          baseline: 'alphabetic',
          characterSpacing: cs || undefined,
        } as PDFKit.Mixins.TextOptions);
      }
      x += seg.width + cs * seg.count;
    }
    if (open) this.parts.push('ET\n');
  }

  /** Glyphs with mark offsets: text rise for y, TJ adjustments for x. */
  private offsetGlyphs(s: Shaped, size: number, unitsPerEm: number): string {
    const scale = 1000 / unitsPerEm;
    let out = '';
    let rise = 0;
    for (let k = 0; k < s.gids.length; k++) {
      const dy = Math.round(s.yOffset[k]! * scale * size) / 1000;
      if (dy !== rise) {
        out += `${dy} Ts\n`;
        rise = dy;
      }
      const dx = s.xOffset[k]! * scale;
      const after = (s.xAdvance[k]! - s.advances[k]!) * scale;
      const hex = (0x10000 + s.gids[k]!).toString(16).slice(1);
      out += `[${dx ? `${pdfNum(-dx)} ` : ''}<${hex}>${dx || after ? ` ${pdfNum(dx - after)}` : ''}] TJ\n`;
    }
    if (rise !== 0) out += '0 Ts\n';
    return out;
  }

  /** Embeds the fonts used. */
  finish(): void {
    for (const f of this.cid.values()) f.finish();
  }
}
