/**
 * Benchmark: the pdfkit renderer (warm, fonts loaded as in the worker) against headless Chromium
 * printing the same content as HTML (kept running). Run: npx tsx bench/pdf/render.bench.ts [N]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../support/chromium.js';
import { ReviewRecord } from '../../domain/records.js';
import { walkDocument, type Block } from '../../pdf/blocks.js';
import { PageRefs } from '../../pdf/pagerefs.js';
import { renderPlan } from '../../pdf/render.js';
import { renderReview } from '../../pdf/review.js';
import type { TableModel } from '../../pdf/table.js';

const N = Number(process.argv[2] ?? 10);
const source = readFileSync(fileURLToPath(new URL('../../seeds/plan/xinrong-eco-plan.md', import.meta.url)), 'utf8');
const record = ReviewRecord.parse(
  JSON.parse(readFileSync(fileURLToPath(new URL('../../seeds/records/xinrong-round-1.json', import.meta.url)), 'utf8')),
);

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '<br>');

function tableHtml(t: TableModel): string {
  const row = (cells: TableModel['body'][number], tag: string): string =>
    `<tr>${cells.map((c) => `<${tag}${c.rowspan > 1 ? ` rowspan="${c.rowspan}"` : ''}${c.colspan > 1 ? ` colspan="${c.colspan}"` : ''}>${esc(c.text)}</${tag}>`).join('')}</tr>`;
  return `<table><thead>${t.head.map((r) => row(r, 'th')).join('')}</thead><tbody>${t.body.map((r) => row(r, 'td')).join('')}</tbody></table>`;
}

/** The same content as HTML: headings, paragraphs, tables, boxes, gaps, and the review parts (pages from the pdfkit render). */
function toHtml(): string {
  const doc = walkDocument(source);
  const refs = new PageRefs(null, record.round.planId);
  const out: string[] = [];
  const emit = (b: Block): void => {
    switch (b.t) {
      case 'heading':
        out.push(`<h${b.level}>${esc(b.text)}</h${b.level}>`);
        break;
      case 'para':
        out.push(`<p class="${b.style}${b.indent ? ' indent' : ''}">${esc(b.text)}</p>`);
        break;
      case 'caption':
        out.push(`<p class="caption">${esc(b.text)}</p>`);
        break;
      case 'table':
        out.push(tableHtml(b.table));
        break;
      case 'figure':
        out.push(`<div class="figure">图片未提供</div><p class="caption">${esc(b.caption ?? '')}</p>`);
        break;
      case 'gap':
        out.push(`<div class="gap">［原文缺失］${esc(b.note)}</div>`);
        break;
      case 'box':
        out.push(`<div class="box"><p class="caption">${esc(b.title ?? '')}</p>`);
        b.children.forEach(emit);
        out.push('</div>');
        break;
      case 'review':
        renderReview(b.kind, {
          record,
          mode: 'approved',
          refs,
          title: doc.frontMatter.title ?? '',
          caption: '表 10-1 征求意见及采纳结果统计表',
        }).forEach(emit);
        break;
      case 'space':
        break;
    }
  };
  doc.blocks.forEach(emit);
  const css = `@page { size: A4; margin: 25.4mm 31.7mm; }
body { font-family: 'Noto Serif CJK SC'; font-size: 12pt; line-height: 22pt; text-align: justify; }
h1, h2, h3, h4, .caption, th { font-family: 'Noto Sans CJK SC'; font-weight: bold; }
h1 { font-size: 16pt; text-align: center; break-before: page; } h2 { font-size: 14pt; } h3 { font-size: 12pt; }
p { margin: 0; } p.indent { text-indent: 2em; } .caption { text-align: center; font-size: 10.5pt; }
table { border-collapse: collapse; width: 100%; font-size: 10.5pt; line-height: 15pt; } thead { display: table-header-group; }
td, th { border: 0.6pt solid black; padding: 4pt; } .box { border: 1pt solid black; padding: 10pt; }
.gap { border: 0.8pt dashed black; background: #eee; padding: 5pt; } .figure { border: 0.8pt dashed; height: 110pt; text-align: center; }`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>${css}</style></head><body><h1 style="break-before:auto">${esc(doc.frontMatter.title ?? '')}</h1>${out.join('\n')}</body></html>`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** RSS (bytes) of a process and all its descendants, from /proc. */
function treeRss(pid: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      rss.set(Number(d), Number(fields[21]) * 4096);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // process ended
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

async function main(): Promise<void> {
  // pdfkit: one warm-up render loads the fonts (as a worker does at its first task).
  let ours = await renderPlan({ source, record, mode: 'approved' });
  const oursTimes: number[] = [];
  let oursPeak = process.memoryUsage().rss;
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    ours = await renderPlan({ source, record, mode: 'approved' });
    oursTimes.push(performance.now() - t);
    oursPeak = Math.max(oursPeak, process.memoryUsage().rss);
  }

  const html = toHtml();
  const browser = await launchChromium();
  const page = await browser.newPage();
  let chromePdf: Buffer = Buffer.alloc(0);
  const chromeTimes: number[] = [];
  let chromePeak = 0;
  for (let i = 0; i <= N; i++) {
    const t = performance.now();
    await page.setContent(html, { waitUntil: 'load' });
    chromePdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    if (i > 0) chromeTimes.push(performance.now() - t);
    // Chromium's processes are descendants of this one.
    chromePeak = Math.max(chromePeak, treeRss(process.pid) - process.memoryUsage().rss);
  }
  await browser.close();
  const chromePages = (chromePdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;

  const mb = (b: number): string => (b / 1024 / 1024).toFixed(1);
  const rows = [
    ['pdfkit renderer (warm)', median(oursTimes), oursPeak, ours.pages, ours.pdf.length],
    ['Chromium (playwright, kept running)', median(chromeTimes), chromePeak, chromePages, chromePdf.length],
  ] as const;
  console.log(`N = ${N} renders each, seed plan with seed records; Node ${process.version}\n`);
  console.log('| renderer | median time | peak RSS | pages | file size |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, t, rss, pages, size] of rows)
    console.log(`| ${name} | ${(t / 1000).toFixed(3)} s | ${mb(rss)} MB | ${pages} | ${mb(size)} MB (${size} B) |`);
  console.log(
    `\nspeed-up ${(median(chromeTimes) / median(oursTimes)).toFixed(2)}x; size ratio ${((ours.pdf.length / chromePdf.length) * 100).toFixed(1)}%`,
  );
  console.log(
    'pdfkit RSS is the whole Node process (fonts cached); Chromium RSS is its process tree, not counting this Node process.',
  );
}

await main();
