/** A small document (not the seed) exercising tables, figures, gaps, boxes, draft mode and hostile input. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Anchor, ReviewRecord } from '../../domain/records.js';
import { DEFAULT_FONTS } from '../../pdf/config.js';
import { FontMissingError, UnsupportedCharacterError, loadFonts } from '../../pdf/fonts.js';
import { breakLines } from '../../pdf/linebreak.js';
import { formatRanges } from '../../pdf/pagerefs.js';
import { renderPlan } from '../../pdf/render.js';
import { fixturePath, loadSeedRecord, norm, pagesText, pdffonts, savePdf } from './helpers.js';

const TALL = '超长单元格文字测试。'.repeat(400);
const rows = Array.from(
  { length: 60 },
  (_, i) => `<tr><td>${i + 1}</td><td>项目${i + 1}</td><td>数值${i + 1}</td></tr>`,
);
rows.splice(30, 0, `<tr><td>长</td><td>${TALL}</td><td>完</td></tr>`);
const source = readFileSync(fixturePath, 'utf8').replace('ROWS', rows.join('\n'));

/** The seed round's record, re-anchored to the fixture's sections. */
function fixtureRecord(mutate?: (r: ReviewRecord) => void): ReviewRecord {
  const r = structuredClone(loadSeedRecord());
  const here = (section: string): Anchor => ({ doc: r.round.planId, version: 1, section });
  for (const d of r.dispositions) d.changedAt = [here('1.1')];
  for (const o of r.expertReview!.opinions) o.revisionNote!.changedAt = [here('1.2'), here('2.1')];
  mutate?.(r);
  return r;
}

describe('line breaking', () => {
  it('never starts a line with closing punctuation (禁则)', async () => {
    const fonts = await loadFonts(DEFAULT_FONTS);
    const text =
      '生态文明是以人与自然、人与人、人与社会和谐共生、良性循环、全面发展、持续繁荣为基本宗旨的社会形态。“十三五”期间，山西省、大同市和新荣区深入贯彻习近平生态文明思想！（括号）《书名》';
    for (let chars = 5; chars <= 30; chars++) {
      const lines = breakLines(fonts, [{ text, role: 'body', size: 12 }], chars * 12, { where: 'test', justify: true });
      expect(lines.map((l) => l.text).join('')).toBe(text);
      for (const l of lines.slice(1)) expect('，。、；：？！）」』】》”').not.toContain(l.text.charAt(0));
      for (const l of lines.slice(0, -1)) expect('（「《“').not.toContain(l.text.charAt(l.text.length - 1));
    }
  });

  it('formats page ranges', () => {
    expect(formatRanges([[35, 35]])).toBe('P35');
    expect(formatRanges([[7, 10]])).toBe('P7-10');
    expect(
      formatRanges([
        [96, 100],
        [87, 88],
        [97, 97],
      ]),
    ).toBe('P87-88、96-100');
  });
});

describe('the fixture document', () => {
  it('renders tables over pages with the header repeated and a tall row split without loss', async () => {
    const result = await renderPlan({ source, record: fixtureRecord(), mode: 'approved' });
    const path = savePdf(result.pdf);
    const pages = pagesText(path);
    const withHeader = pages.filter((p) => p.includes('列甲') && p.includes('乙一'));
    expect(withHeader.length).toBeGreaterThanOrEqual(3);
    const all = norm(pages.join(''));
    // Split over pages, between repeated headers and footers: keep only the tall cell's characters.
    const only = all.replace(/[^超长单元格文字测试。]/g, '');
    expect(only).toContain(norm(TALL));
    for (let i = 1; i <= 60; i++) expect(all).toContain(`项目${i}数值${i}`);
    expect(all).toContain(norm('图片未提供（figures/1-1.png）'));
    expect(all).toContain('此处原文缺失一段文字');
    expect(all).toContain('专栏1测试专栏');
    expect(pages.join('')).toContain('SO₂');
    expect(pages.join('')).toContain('PM₁₀');
    expect(pdffonts(path)).toContain('DejaVuSans');
    expect(all).toContain(norm('表 2-1 征求意见及采纳结果统计表'));
  }, 60_000);

  it('repeats the text of a merged (rowspan) cell on each page its rows run over', async () => {
    const merged = Array.from(
      { length: 70 },
      (_, i) => `<tr>${i === 0 ? '<td rowspan="70">合并单元格</td>' : ''}<td>子项${i + 1}</td><td>值${i + 1}</td></tr>`,
    );
    const src = readFileSync(fixturePath, 'utf8').replace('ROWS', merged.join('\n'));
    const result = await renderPlan({ source: src, record: fixtureRecord(), mode: 'approved' });
    const pages = pagesText(savePdf(result.pdf)).map(norm);
    const withRows = pages.filter((p) => /子项\d+值\d+/.test(p));
    expect(withRows.length).toBeGreaterThanOrEqual(2);
    for (const p of withRows) expect(p).toContain('合并单元格');
    for (let i = 1; i <= 70; i++) expect(pages.join('')).toContain(`子项${i}值${i}`);
  }, 60_000);

  it('embeds a supplied figure', async () => {
    // A 1×1 grey PNG.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==',
      'base64',
    );
    const result = await renderPlan({
      source,
      record: fixtureRecord(),
      mode: 'approved',
      images: { 'figures/1-1.png': png },
    });
    const all = norm(pagesText(savePdf(result.pdf)).join(''));
    expect(all).not.toContain('图片未提供');
    expect(result.pdf.includes(Buffer.from('/Subtype /Image'))).toBe(true);
  }, 60_000);

  it('marks the draft and leaves the review tables for approval', async () => {
    const result = await renderPlan({ source, record: fixtureRecord(), mode: 'draft' });
    const pages = pagesText(savePdf(result.pdf));
    expect(norm(pages[0]!)).toContain('征求意见稿');
    const all = norm(pages.join(''));
    expect(all).toContain('本表在规划批准时根据审查记录生成');
    expect(all).not.toContain('区林业局');
  }, 60_000);

  it('prints hostile text literally', async () => {
    const long = 'A'.repeat(300);
    const record = fixtureRecord((r) => {
      const reply = r.replies.find((x) => x.bureauId === 'water')!;
      (reply.perDocument['xinrong-eco-plan'] as Array<{ text: string }>)[0]!.text =
        `<script>alert(1)</script> ${long} &amp;`;
    });
    const result = await renderPlan({ source, record, mode: 'approved' });
    const all = norm(pagesText(savePdf(result.pdf)).join(''));
    expect(all).toContain('<script>alert(1)</script>');
    expect(all).toContain(long);
    expect(all).toContain('&amp;');
  }, 60_000);

  it('prints an emoji with the fallback face (DejaVu Sans has the emoticons block)', async () => {
    const record = fixtureRecord((r) => {
      const reply = r.replies.find((x) => x.bureauId === 'culture')!;
      (reply.perDocument['xinrong-eco-plan'] as Array<{ text: string }>)[0]!.text = '文物😀数量';
    });
    const result = await renderPlan({ source, record, mode: 'approved' });
    expect(norm(pagesText(savePdf(result.pdf)).join(''))).toContain('文物😀数量');
  }, 60_000);

  it('fails naming a character no font has, and where it is', async () => {
    for (const ch of ['\ue000', '\u{f0000}']) {
      const record = fixtureRecord((r) => {
        const reply = r.replies.find((x) => x.bureauId === 'culture')!;
        (reply.perDocument['xinrong-eco-plan'] as Array<{ text: string }>)[0]!.text = `文物${ch}数量`;
      });
      const err = await renderPlan({ source, record, mode: 'approved' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedCharacterError);
      expect((err as Error).message).toContain(`U+${ch.codePointAt(0)!.toString(16).toUpperCase()}`);
      expect((err as Error).message).toMatch(/table in section 2\.1/);
    }
  }, 60_000);

  it('fails clearly when a font file is missing', async () => {
    const fonts = {
      ...DEFAULT_FONTS,
      body: { path: '/nonexistent/NotoSerifCJK-Regular.ttc', postscriptName: 'NotoSerifCJKsc-Regular' },
    };
    const err = await renderPlan({ source, record: fixtureRecord(), mode: 'approved', fonts }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FontMissingError);
    expect((err as Error).message).toContain('/nonexistent/NotoSerifCJK-Regular.ttc');
  });
});
