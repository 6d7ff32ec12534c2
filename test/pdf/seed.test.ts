/** The seed plan rendered with the seed round's records: content, page references, fonts, determinism. */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { ReviewRecord } from '../../domain/records.js';
import { localDate } from '../../domain/time.js';
import { parseDocument } from '../../infra/documents.js';
import { DEFAULT_FONTS, renderPlan, type RenderResult } from '../../pdf/render.js';
import {
  darkPixels,
  loadSeedRecord,
  norm,
  pagesText,
  pdffonts,
  pdfinfo,
  savePdf,
  seedPlanPath,
  seedRecordPath,
} from './helpers.js';

const source = readFileSync(seedPlanPath, 'utf8');
let result: RenderResult;
let path: string;
let pages: string[];
/** Index (0-based) of the page printed "- 1 -". */
let first: number;
const printed = (n: number): string => pages[first + n - 1] ?? '';

beforeAll(async () => {
  result = await renderPlan({ source, record: loadSeedRecord(), mode: 'approved' });
  path = savePdf(result.pdf);
  pages = pagesText(path);
  first = pages.findIndex((p) => /^- 1 -$/m.test(p));
}, 120_000);

describe('seed records fixture', () => {
  it('is a valid ReviewRecord whose reply hashes recompute', () => {
    const record = ReviewRecord.parse(JSON.parse(readFileSync(seedRecordPath, 'utf8')));
    expect(record.bureaus.map((b) => b.id)).toEqual([
      'finance',
      'science',
      'forestry',
      'energy',
      'education',
      'water',
      'culture',
    ]);
    for (const r of record.replies) {
      const { contentSha256, ...rest } = r;
      expect(createHash('sha256').update(canonicalize(rest)!).digest('hex')).toBe(contentSha256);
    }
    // The approved text is the plan's last version.
    const plan = record.documents.find((d) => d.key === 'xinrong-eco-plan')!;
    expect(plan.versions.at(-1)!.sections).toEqual(parseDocument(source).sections);
  });
});

describe('the seed plan rendered', () => {
  it('has every heading, in order, in the body', () => {
    const body = norm(pages.slice(first).join('\n'));
    let at = 0;
    for (const s of parseDocument(source).sections) {
      const label = norm(s.number ? `${s.number} ${s.title}` : s.title === '前言' ? '前 言' : s.title);
      const found = body.indexOf(label, at);
      expect(found, `heading ${s.id}`).toBeGreaterThanOrEqual(at);
      at = found + label.length;
    }
    expect(pages.length).toBe(result.pages);
  });

  it('prints the contents with the pages where the headings are', () => {
    const tocText = norm(pages.slice(0, first).join('\n'));
    expect(result.toc.length).toBeGreaterThan(40);
    for (const e of result.toc) {
      const label = norm(e.number ? `${e.number} ${e.title}` : e.title);
      expect(tocText, `TOC entry ${label}`).toContain(label + String(e.page));
      const heading = e.title === '前言' ? '前言' : label;
      expect(norm(printed(e.page)), `heading ${label} on page ${e.page}`).toContain(heading);
    }
  });

  it("prints table 10-1 with seven bureaus, forestry's three comments, all adopted", () => {
    const start = pages.findIndex((p) => p.includes('表 10-1'));
    expect(start).toBeGreaterThan(first);
    const end = pages.findIndex((p, i) => i > start && /附\s*件/.test(p) && p.includes('附件 1'));
    const table = pages.slice(start, end).join('\n');
    const t = norm(table);
    let at = 0;
    for (const name of ['区财政局', '区科技局', '区林业局', '区能源局', '区教育局', '区水利局', '区文旅局']) {
      const i = t.indexOf(name, at);
      expect(i, name).toBeGreaterThanOrEqual(at);
      at = i;
    }
    expect(t).toContain('33页表3-1.序号14');
    expect(t).toContain('36页4.2.1');
    expect(t).toContain('37页4.2.2');
    expect(table.match(/已采纳/g)?.length).toBe(7);
    expect(t.match(/无意见/g)?.length).toBe(2);
    for (const p of ['P35', 'P38', 'P39', 'P48', 'P79']) expect(t).toContain(p);
  });

  it('puts every page reference where its quotation or section is', () => {
    const record = loadSeedRecord();
    const sections = parseDocument(source).sections;
    expect(result.anchors.length).toBeGreaterThan(10);
    for (const { anchor, pages: ref } of result.anchors) {
      const m = /^P(\d+)(?:-(\d+))?$/.exec(ref);
      expect(m, `${anchor.section} ${ref}`).not.toBeNull();
      const a = Number(m![1]);
      const b = Number(m![2] ?? m![1]);
      const text = norm(Array.from({ length: b - a + 1 }, (_, k) => printed(a + k)).join(''));
      if (anchor.quote) {
        expect(text, `${anchor.section} "${anchor.quote}" on ${ref}`).toContain(norm(anchor.quote));
      } else {
        const s = sections.find((x) => x.id === anchor.section)!;
        expect(norm(printed(a)), `section ${s.id} starts on ${ref}`).toContain(
          norm(s.number ? `${s.number} ${s.title}` : s.title),
        );
      }
    }
    // The revision-notes table prints them.
    const front = norm(pages.slice(0, first).join(''));
    for (const o of record.expertReview!.opinions) expect(front).toContain(norm(o.text).slice(0, 20));
    expect(front).toMatch(/见P\d+-\d+/);
  });

  it('prints appendices 3 and 4 from the record', () => {
    const t = norm(pages.slice(first).join(''));
    expect(t).toContain(norm('征求意见稿第 77 页，7.7'));
    expect(t).toContain('大同市新荣区财政局');
    // Each card is dated with the day its reply arrived (in China time), as the record says.
    const [y, m, d] = localDate(Date.parse(loadSeedRecord().replies[0]!.submittedAt), 'Asia/Shanghai').split('-');
    expect(t).toContain(`${y}年${Number(m)}月${Number(d)}日`);
    expect(t).toContain(norm('技术审查意见'));
    expect(t).toContain(norm('5、补充完善附图、附件。'));
  });

  it('embeds subset fonts, metadata from the record, and visible text', () => {
    const fonts = pdffonts(path).split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThanOrEqual(2);
    for (const line of fonts) expect(line).toMatch(/yes\s+yes\s+yes/);
    expect(fonts.join('\n')).toContain('NotoSerifCJKsc-Regular');
    const info = pdfinfo(path);
    expect(info).toMatch(/Author:\s+大同市新荣区人民政府/);
    // The PDF's date is the record's issue date, 00:00 China time.
    const created = new Date(`${loadSeedRecord().round.issueDate}T00:00:00+08:00`);
    const [, day, mon, year, time] = created.toUTCString().split(' ');
    expect(info).toMatch(new RegExp(`CreationDate:\\s+\\w{3} ${mon}\\s+${Number(day)} ${time} ${year} UTC`));
    const { dark, total } = darkPixels(path, first + 1);
    expect(dark / total).toBeGreaterThan(0.005); // a blank page has 0; this one is full of body text
    // Every font file of the renderer by hash: body, headings, fallback and the monospaced face.
    expect(Object.keys(result.fontSha256).sort()).toEqual(
      Object.values(DEFAULT_FONTS)
        .map((f) => f.path)
        .sort(),
    );
  });

  it('renders byte-identical PDFs for the same inputs', async () => {
    const again = await renderPlan({ source, record: loadSeedRecord(), mode: 'approved' });
    expect(again.sha256).toBe(result.sha256);
    expect(again.pdf.equals(result.pdf)).toBe(true);
  }, 120_000);
});
