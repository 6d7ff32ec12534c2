/**
 * Emits the laid-out pages with pdfkit: text runs with justification spacing, rules, frames,
 * images, named destinations and links (contents → headings), the outline, footers "- N -" and the
 * document information. Everything that varies between runs (dates, file ID) comes from the input.
 */
import PDFDocument from 'pdfkit';
import { PAGE, TYPE } from './config.js';
import type { FontSet } from './fonts.js';
import { breakLines } from './linebreak.js';
import type { LayoutResult } from './layout.js';

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

export async function drawPdf(layout: LayoutResult, fonts: FontSet, meta: PdfMeta, images: Record<string, Buffer>): Promise<Buffer> {
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

  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });

  const root = (doc as unknown as { outline: Outline }).outline;
  const parents: Outline[] = [root];
  let curFont = '';
  let curSize = 0;
  let gray = false;

  for (const page of layout.pages) {
    doc.addPage({ size: [PAGE.width, PAGE.height], margin: 0 });
    curFont = '';
    curSize = 0;
    for (const it of page.items) {
      switch (it.k) {
        case 'text': {
          let x = it.x;
          if (!!it.gray !== gray) {
            doc.fillColor(it.gray ? '#666666' : 'black');
            gray = !!it.gray;
          }
          for (const seg of it.line.segs) {
            if (seg.font !== curFont) {
              doc.font(seg.font);
              curFont = seg.font;
            }
            if (seg.size !== curSize) {
              doc.fontSize(seg.size);
              curSize = seg.size;
            }
            if (seg.text.trim()) {
              doc.text(seg.text, x, it.y, { lineBreak: false, baseline: 'alphabetic', characterSpacing: it.cs || undefined } as PDFKit.Mixins.TextOptions);
            }
            x += seg.width + it.cs * seg.count;
          }
          break;
        }
        case 'rect':
          doc.save();
          if (it.fill) doc.rect(it.x, it.y, it.w, it.h).fill(it.fill);
          doc.lineWidth(it.lineWidth);
          if (it.dash) doc.dash(3, { space: 2 });
          doc.rect(it.x, it.y, it.w, it.h).stroke('black');
          doc.restore();
          if (gray) doc.fillColor('#666666');
          break;
        case 'rule':
          doc.save();
          doc.lineWidth(it.lineWidth);
          if (it.dots) {
            doc.lineCap('round');
            doc.dash(0.01, { space: 3.5 });
          }
          if (it.x2 > it.x1) doc.moveTo(it.x1, it.y1).lineTo(it.x2, it.y2).stroke('black');
          doc.restore();
          break;
        case 'image': {
          const buf = images[it.src];
          if (buf) doc.image(buf, it.x, it.y, { width: it.w, height: it.h });
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
          const item = parent.addItem(it.title, { fit: false, top: it.y, left: PAGE.width, zoom: 0, expanded: it.level === 1 });
          parents.length = it.level;
          parents[it.level] = item;
          break;
        }
      }
    }
    if (page.number !== undefined) {
      const size = TYPE.footer.size;
      const line = breakLines(fonts, [{ text: `- ${page.number} -`, role: 'body', size }], 200, { where: 'footer' })[0]!;
      doc.font('body').fontSize(size);
      curFont = 'body';
      curSize = size;
      doc.text(line.text, (PAGE.width - line.width) / 2, PAGE.footerY, { lineBreak: false, baseline: 'alphabetic' } as PDFKit.Mixins.TextOptions);
    }
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
