import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { documentToEmailAttachment, documentToHtml, sectionAnchor } from '../../infra/documentHtml.js';
import { parseDocument } from '../../infra/documents.js';
import { DOC_ECO } from '../support/replyFixture.js';

const SEED_PLAN = readFileSync(new URL('../../seeds/plan/xinrong-eco-plan.md', import.meta.url), 'utf8');
const STAND_IN = readFileSync(new URL('../../seeds/documents/eco-protection-plan.md', import.meta.url), 'utf8');

describe('documentToHtml', () => {
  it('has the same outline as parseDocument, each heading anchored and linked to the reply form', () => {
    const { html, sections } = documentToHtml(DOC_ECO, { commentLinksFor: 'eco-plan' });
    expect(sections).toEqual(parseDocument(DOC_ECO).sections);
    for (const s of sections) {
      expect(html).toContain(`id="${sectionAnchor(s.id)}"`);
      expect(html).toContain(`href="?doc=eco-plan&#x26;section=${encodeURIComponent(s.id)}#form"`);
    }
    expect(sectionAnchor('第一章')).toBe('sec-%E7%AC%AC%E4%B8%80%E7%AB%A0');
    expect(html).toContain('<h3 id="sec-1.1.1">1.1.1 地理位置 <a class="doc-comment-link"');
    expect(html).toContain('对此节提出意见');
    expect(html).toContain('Comment on this section');
  });

  it('renders the directives visibly and keeps merged table cells', () => {
    const { html } = documentToHtml(DOC_ECO);
    expect(html).toContain('<th rowspan="2">指标</th><th colspan="2">数值</th>');
    expect(html).toContain('<figcaption>图 1-1 新荣区地理位置图（图片未提供 image not supplied）</figcaption>');
    expect(html).toContain('<section class="doc-box">');
    expect(html).toContain('<p class="doc-box-title">专栏 1 两山七河一流域</p>');
    expect(html).toContain('［原文此处缺失：此处原文缺失］');
    expect(html).toContain('【征求意见采纳情况表】');
    expect(html).toContain('generated here from the review records on approval');
    expect(html).not.toContain('doc-comment-link'); // no links unless asked for
  });

  it('sanitizes whatever HTML the source holds', () => {
    const source = `# 第一章 总则

<script>alert(1)</script>

<table><tr><td rowspan="2" onclick="alert(1)">a</td><td><a href="javascript:alert(1)">x</a></td></tr></table>

<img src="x" onerror="alert(1)">

<h2 id="form" onmouseover="alert(1)">raw heading</h2>

::gap{note="<b>not markup</b>"}
`;
    const { html } = documentToHtml(source, { commentLinksFor: 'plan' });
    expect(html).not.toMatch(/<script|onclick|onerror|onmouseover|javascript:/);
    expect(html).toContain('<td rowspan="2">a</td>');
    expect(html).not.toContain('id="form"'); // a raw heading cannot take the form's anchor
    expect(html).toContain('&#x3C;b>not markup&#x3C;/b>');
  });

  it('keeps running text that merely looks like a text directive', () => {
    expect(documentToHtml('会议时间 8:30，比例:abc。').html).toContain('比例:abc');
  });

  it('shows a stand-in banner for a title-only document', () => {
    const { html, standIn } = documentToHtml(STAND_IN);
    expect(standIn).toBe(true);
    expect(html).toContain('替代稿');
    expect(html).toContain('Stand-in: this file carries the title only');
  });

  it('renders the whole seed plan with its outline', () => {
    const { html, sections } = documentToHtml(SEED_PLAN, { commentLinksFor: 'xinrong-eco-plan' });
    expect(sections).toEqual(parseDocument(SEED_PLAN).sections);
    expect(html.match(/class="doc-comment-link"/g)).toHaveLength(sections.length);
    expect(html).not.toContain('<script');
  });
});

describe('documentToEmailAttachment', () => {
  it('is a standalone page with its charset, title, draft marker and inline CSS', () => {
    const page = documentToEmailAttachment('测试规划 <征求意见稿> & "附件"', DOC_ECO);
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<title>测试规划 &lt;征求意见稿&gt; &amp; &quot;附件&quot;（征求意见稿）</title>');
    expect(page).toContain('<span class="draft-mark">征求意见稿</span>');
    expect(page).toContain('<style>');
    expect(page).not.toContain('<link');
    expect(page).not.toContain('doc-comment-link');
    expect(page).toContain('<th rowspan="2">指标</th>');
  });
});
