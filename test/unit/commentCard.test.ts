/** The one comment-card grammar the reply form, the paper-reply form and the CLI's paper file share. */
import { describe, expect, it } from 'vitest';
import { CardPage, CommentCardEntry, readCommentCard } from '../../domain/commentCard.js';
import type { Section } from '../../domain/records.js';
import { resolveSection } from '../../domain/sections.js';

const sections: Section[] = [
  { id: '第一章', number: '第一章', title: '第一章', level: 1 },
  { id: '1.1', number: '1.1', title: '自然概况', level: 2 },
  { id: '3.7', number: '3.7', title: '规划目标和指标', level: 2 },
  { id: 'untitled-2', number: '', title: '附录', level: 1 },
];

describe('the page of a card', () => {
  it.each([
    ['33', 33],
    ['  33 ', 33],
    ['P33', 33],
    ['p33', 33],
    ['P.33', 33],
    ['p. 33', 33],
    ['page 33', 33],
    ['Page 33', 33],
    ['PAGE. 33', 33],
    ['第33页', 33],
    ['第 33 页', 33],
    ['第33', 33],
    ['33页', 33],
    [33, 33],
    ['100000', 100000],
  ])('reads %j as page %d', (typed, page) => {
    expect(CardPage.parse(typed)).toBe(page);
  });

  it('reads an empty page as no page', () => {
    expect(CardPage.parse('')).toBeUndefined();
    expect(CardPage.parse('   ')).toBeUndefined();
  });

  it.each(['abc', '0', '-3', '3.5', 'pp. 33', '33-34', '第页', 'P', '三十三'])(
    'refuses %j with a bilingual message',
    (typed) => {
      const r = CardPage.safeParse(typed);
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.message).toBe(
        '页码应为正整数，如 33、P33 或 第33页。The page is a whole number, such as 33, P33 or 第33页.',
      );
    },
  );

  it('refuses a number that is not a whole page, and one past the last page', () => {
    expect(CardPage.safeParse(36.5).success).toBe(false);
    expect(CardPage.safeParse(0).success).toBe(false);
    expect(CardPage.safeParse('100001').error!.issues[0]!.message).toMatch(
      /^页码过大（最大 100000）。The page number is too large/,
    );
    expect(CardPage.safeParse('9999999999999999999').success).toBe(false);
  });
});

describe('the section of a card', () => {
  it('finds a section by id, number, "number title" label or title', () => {
    expect(resolveSection(sections, '3.7')).toBe('3.7');
    expect(resolveSection(sections, '3.7  规划目标和指标')).toBe('3.7');
    expect(resolveSection(sections, '规划目标和指标')).toBe('3.7');
    expect(resolveSection(sections, '第一章')).toBe('第一章');
    expect(resolveSection(sections, 'untitled-2')).toBe('untitled-2');
    expect(resolveSection(sections, '附录')).toBe('untitled-2');
    expect(resolveSection(sections, '9.9')).toBeUndefined();
  });

  it('reads a section a YAML file gave as a number', () => {
    expect(readCommentCard({ section: 3.7, text: 'x' }, sections)).toEqual({
      ok: true,
      comment: { section: '3.7', text: 'x' },
    });
  });

  it('says what to do when the section is not in the document, and when the document has none', () => {
    expect(readCommentCard({ section: '9.9', text: 'x' }, sections)).toEqual({
      ok: false,
      errors: {
        section:
          '找不到这个章节，请从本文件的章节中选择，或留空。This is not a section of this document: pick one of its sections, or leave it empty.',
      },
    });
    const none = readCommentCard({ section: '3.7', text: 'x' }, []);
    expect(none.ok ? '' : none.errors.section).toMatch(/^该文件没有章节目录.*This document has no sections/);
  });

  it('names every wrong field of a card at once, the section among them', () => {
    const read = readCommentCard({ page: 'p. x', section: '9.9', text: '' }, sections);
    expect(read.ok).toBe(false);
    expect(Object.keys(read.ok ? {} : read.errors).sort()).toEqual(['page', 'section', 'text']);
  });
});

describe('a whole card', () => {
  it('becomes a CommentDraft: trimmed, with the empty fields left out', () => {
    const card = readCommentCard(
      {
        page: '第36页',
        section: '3.7 规划目标和指标',
        quote: ' 森林覆盖率 ',
        text: ' 数据应更新为 2021 年。 ',
        suggestedChange: '',
      },
      sections,
    );
    expect(card).toStrictEqual({
      ok: true,
      comment: { text: '数据应更新为 2021 年。', section: '3.7', draftPage: 36, quote: '森林覆盖率' },
    });
  });

  it('reports every wrong field at once, each in Chinese then English', () => {
    const card = readCommentCard(
      { page: 'abc', section: '9.9', quote: 'x'.repeat(2001), text: '  ', suggestedChange: 'a\u0000b' },
      sections,
    );
    expect(card.ok).toBe(false);
    const errors = card.ok ? {} : card.errors;
    expect(Object.keys(errors).sort()).toEqual(['page', 'quote', 'section', 'suggestedChange', 'text']);
    expect(errors.text).toBe('请填写意见内容。The comment must not be empty.');
    expect(errors.quote).toBe('原文引用不能超过 2000 个字符。The quotation must be at most 2000 characters.');
    expect(errors.suggestedChange).toMatch(/^修改建议含有控制字符.*UTF-8/);
    for (const message of Object.values(errors)) expect(message).toMatch(/^[^a-zA-Z]*[\u4e00-\u9fff].*[.]$/);
  });

  it('refuses characters that turn the text around, saying so', () => {
    const card = readCommentCard({ text: '同意\u202e。意见无' }, sections);
    expect(card.ok).toBe(false);
    expect(card.ok ? undefined : card.errors.text).toMatch(
      /^意见内容含有改变文字显示方向的隐藏字符.*change the direction of text/,
    );
  });

  it('accepts a comment with nothing but its text', () => {
    expect(readCommentCard({ text: '建议补充资金来源。' }, [])).toStrictEqual({
      ok: true,
      comment: { text: '建议补充资金来源。' },
    });
  });

  it('names the fields a card does not have, in the shape check and in the reading', () => {
    const shape = CommentCardEntry.safeParse({ text: 'x', pgae: 3 });
    expect(shape.error!.issues[0]!.message).toMatch(/^意见卡没有这些栏目：pgae.*A comment card has no field pgae/);
    const read = readCommentCard({ text: 'x', note: 'y' } as CommentCardEntry, sections);
    expect(read.ok || read.errors.text).toMatch(/no field note/);
    expect(CommentCardEntry.safeParse('33').error!.issues[0]!.message).toMatch(/^每条意见应写成/);
  });
});

describe('a card of the wrong type, as a YAML file can give one', () => {
  it('says which field is not text, in Chinese then English', () => {
    const shape = CommentCardEntry.safeParse({ page: { n: 3 }, section: [1], text: 42 });
    expect(shape.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['page', '页码应为正整数，如 33、P33 或 第33页。The page is a whole number, such as 33, P33 or 第33页.'],
      ['section', '章节应写编号或标题，如 3.7。Give the section by its number or title, such as 3.7.'],
      ['text', '意见内容应为文字。The comment must be text.'],
    ]);
  });
});
