import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chineseNumeral, DocumentFormatError, parseDocument, splitHeading } from '../../infra/documents.js';

const SEED_PLAN = readFileSync(new URL('../../seeds/plan/xinrong-eco-plan.md', import.meta.url), 'utf8');
/** The PDF-converter text the seed plan was converted from (seeds/plan/README.md), kept beside it. */
const SEED_TEXT = readFileSync(new URL('../../seeds/plan/xinrong-eco-plan.source.txt', import.meta.url), 'utf8');

describe('splitHeading', () => {
  it.each([
    ['第三章 总则', '第三章', '总则'],
    ['3.7 规划目标和指标', '3.7', '规划目标和指标'],
    ['4.2.1 植绿护绿，构建生态屏障', '4.2.1', '植绿护绿，构建生态屏障'],
    ['附件 3：征求意见结果', '附件 3', '征求意见结果'],
    ['附件3：征求意见结果', '附件 3', '征求意见结果'],
    ['前言', '', '前言'],
    ['2025 年目标', '', '2025 年目标'],
  ])('%s', (raw, number, title) => {
    expect(splitHeading(raw)).toEqual({ number, title });
  });

  it('reads chapter numerals', () => {
    expect([chineseNumeral('一'), chineseNumeral('十'), chineseNumeral('十四'), chineseNumeral('二十一')]).toEqual([
      1, 10, 14, 21,
    ]);
  });
});

describe('parseDocument on the seed plan', () => {
  const doc = parseDocument(SEED_PLAN);

  it('reads the cover data', () => {
    expect(doc.frontMatter.issuer).toBe('大同市新荣区人民政府');
    expect(doc.frontMatter.staff.map((s) => s.role)).toContain('项目负责人');
  });

  it('has every chapter and section the bureaus cited, in order, without warnings', () => {
    const numbers = doc.sections.map((s) => s.number).filter(Boolean);
    for (const cited of ['1.1.7', '2.2', '3.7', '4.2.1', '4.2.2', '5.1.3', '7.7']) expect(numbers).toContain(cited);
    expect(numbers.filter((n) => n.startsWith('第'))).toHaveLength(10);
    expect(doc.warnings).toEqual([]);
    expect(doc.sections.find((s) => s.number === '3.7')).toEqual({
      id: '3.7',
      number: '3.7',
      title: '规划目标和指标',
      level: 2,
    });
  });

  it('holds every numbered heading of the seed text', () => {
    const numbered = new Set(doc.sections.map((s) => s.number));
    const seedHeadings = SEED_TEXT.split('\n')
      .slice(120) // after the seed's table of contents
      .filter((l) => /^(第[一二三四五六七八九十]+章 |\d+\.\d+(\.\d+)? )\S/.test(l))
      .map((l) => l.split(' ')[0]!);
    expect(seedHeadings.length).toBeGreaterThan(100);
    expect(seedHeadings.filter((n) => !numbered.has(n))).toEqual([]);
  });
});

describe('parseDocument reports what is wrong', () => {
  it('reports numbering gaps as warnings', () => {
    const { warnings } = parseDocument('# 第一章 甲\n\n## 1.1 乙\n\n## 1.3 丙\n\n# 第三章 丁\n');
    expect(warnings).toEqual(['line 5: 1.3 follows 1.1', 'line 7: 第三章 follows 1.3']);
  });

  it('refuses duplicate section numbers, listing each', () => {
    try {
      parseDocument('# 第一章 甲\n\n## 1.1 乙\n\n## 1.1 乙二\n\n## 1.2 丙\n\n## 1.2 丙\n');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DocumentFormatError);
      expect((err as DocumentFormatError).problems).toEqual([
        'line 5: duplicate section "1.1" (first at line 3)',
        'line 9: duplicate section "1.2" (first at line 7)',
      ]);
    }
  });

  it('refuses invalid front matter', () => {
    expect(() => parseDocument('---\nstaff: nope\n---\n# 前言\n')).toThrow(/front matter is invalid/);
  });
});
