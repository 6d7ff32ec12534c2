/**
 * The changed text an outcome notice shows, on the seed's own case: education asked to change
 * "大、中、小学" to "中、小学" in 7.7 (appendix 3); the approved plan holds the result.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { changedText, Sections, SectionsByVersion } from '../../infra/changedText.js';

const APPROVED = readFileSync(new URL('../../seeds/plan/xinrong-eco-plan.md', import.meta.url), 'utf8');
const DRAFT = APPROVED.replace('特点开展环境保护教育，中、小学定期组织', '特点开展环境保护教育，大、中、小学定期组织');

describe('the text of a section and what a revision changed in it', () => {
  it('reads a section from its heading to the next heading of its level, subsections included', () => {
    const text = new Sections(APPROVED).text('7.7')!;
    expect(text.startsWith('打造新荣区生态文化')).toBe(true);
    expect(text).toContain('1、树立生态文明全民意识');
    expect(text).not.toContain('7.8');
    expect(new Sections(APPROVED).text('99.9')).toBeUndefined();
  });

  it("shows education's change as one removed run, characters kept around it", () => {
    expect(DRAFT).not.toBe(APPROVED);
    const change = changedText(new Sections(DRAFT).text('7.7')!, new Sections(APPROVED).text('7.7')!);
    expect(change.identical).toBe(false);
    expect(change.parts.filter((p) => p.kind !== 'same')).toEqual([{ kind: 'removed', text: '大、' }]);
    expect(
      change.parts
        .filter((p) => p.kind !== 'added')
        .map((p) => p.text)
        .join(''),
    ).toBe(change.before);
    expect(
      change.parts
        .filter((p) => p.kind !== 'removed')
        .map((p) => p.text)
        .join(''),
    ).toBe(change.after);
  });

  it('says so when a section is the same in both versions', () => {
    const same = changedText(new Sections(DRAFT).text('3.7')!, new Sections(APPROVED).text('3.7')!);
    expect(same.identical).toBe(true);
    expect(same.parts.every((p) => p.kind === 'same')).toBe(true);
  });
});

describe('sections by version', () => {
  it('reads each version once and answers every section from it', async () => {
    const byVersion = new SectionsByVersion(2);
    let reads = 0;
    const load = (source: string) => async () => {
      reads++;
      return source;
    };
    for (const id of ['7.7', '3.7', '7.7', '99.9'])
      expect((await byVersion.of('approved', load(APPROVED))).text(id)).toBe(new Sections(APPROVED).text(id));
    expect((await byVersion.of('draft', load(DRAFT))).text('7.7')).toBe(new Sections(DRAFT).text('7.7'));
    expect(reads).toBe(2);
  });

  it('keeps the most recently read versions only', async () => {
    const byVersion = new SectionsByVersion(1);
    let reads = 0;
    const load = async () => {
      reads++;
      return APPROVED;
    };
    await byVersion.of('a', load);
    await byVersion.of('b', load);
    await byVersion.of('a', load);
    expect(reads).toBe(3);
  });
});

describe('a section read from a version', () => {
  // Front matter, a chapter, a section with a subsection and a list, the next section.
  const DOC = [
    '---',
    'title: 示例规划',
    '---',
    '',
    '# 第一章 总则',
    '',
    '## 1.1 规划目的',
    '',
    '甲段。',
    '',
    '### 1.1.1 细则',
    '',
    '乙段，',
    '续行。',
    '',
    '- 一项',
    '- 二项',
    '',
    '## 1.2 规划范围',
    '',
    '丙段。',
    '',
  ].join('\n');

  it('has its blocks one a line, its subsections with their headings, and stops at the next section of its level', () => {
    const sections = new Sections(DOC);
    expect(sections.text('1.1')).toBe('甲段。\n1.1.1 细则\n乙段，\n续行。\n一项二项');
    expect(sections.text('1.1.1')).toBe('乙段，\n续行。\n一项二项');
    expect(sections.text('1.2')).toBe('丙段。');
    expect(sections.text('第一章')).toBe(
      '1.1 规划目的\n甲段。\n1.1.1 细则\n乙段，\n续行。\n一项二项\n1.2 规划范围\n丙段。',
    );
    expect(sections.text('总则')).toBeUndefined();
  });
});
