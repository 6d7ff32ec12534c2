/** The catalog every field's message reads from: Chinese first, English beside it, never a schema's wording. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { coded, invalidFieldRefusal, issueMessage, issueText, MESSAGES, say } from '../../domain/messages.js';
import { line, text } from '../../domain/records.js';

const firstIssue = (schema: z.ZodType, value: unknown, reportInput = false) => {
  const r = schema.safeParse(value, { reportInput });
  if (r.success) throw new Error('expected a refusal');
  return r.error.issues[0]!;
};

describe('the message of an issue', () => {
  it('says a typed field is empty', () => {
    expect(issueText(firstIssue(text(200), '   '))).toEqual({ zh: '不能为空', en: 'must not be empty' });
    // zod's own too_small on a bare string reads the same, not as zod words it.
    expect(issueText(firstIssue(z.string().min(1), ''))).toEqual({ zh: '不能为空', en: 'must not be empty' });
  });

  it('says a typed field is too long, with its limit', () => {
    expect(issueText(firstIssue(text(5), 'x'.repeat(6)))).toEqual({
      zh: '不能超过 5 个字符',
      en: 'must be at most 5 characters',
    });
    expect(issueMessage(firstIssue(z.string().max(3), 'abcd'))).toBe('不能超过 3 个字符 must be at most 3 characters');
  });

  it('says a field is missing, or of the wrong type, without naming the schema', () => {
    const missing = issueText(firstIssue(z.object({ reason: z.string() }), {}));
    expect(missing).toEqual({ zh: '请填写此项。', en: 'Fill this in.' });
    const wrong = issueText(firstIssue(z.string(), 42, true));
    expect(wrong).toEqual({ zh: '应为文字。', en: 'This must be text.' });
    expect(wrong.zh).not.toMatch(/string|期望/);
  });

  it('refuses every character that turns text around, and line breaks only in single-line fields', () => {
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'])
      expect(text(200).safeParse(`a${c}b`).success, c.codePointAt(0)!.toString(16)).toBe(false);
    // Direction marks cannot reorder letters: allowed.
    expect(text(200).safeParse('a\u200eb\u200f').success).toBe(true);
    for (const c of ['\n', '\r', '\u0085', '\u2028', '\u2029']) {
      expect(line(200).safeParse(`a${c}b`).success).toBe(false);
      expect(text(200).safeParse(`a${c}b`).success).toBe(true);
    }
    expect(line(200).parse('  王明 ')).toBe('王明');
  });

  it("reads the project's own codes from the catalog", () => {
    const broken = issueText(firstIssue(text(200), 'a\u0000b'));
    expect(broken).toEqual(MESSAGES.brokenText);
    expect(issueText(firstIssue(text(200), 'abc\u202Efdp.exe'))).toEqual(MESSAGES.bidiControl);
    expect(issueText(firstIssue(line(200), '王明\r\n主任'))).toEqual(MESSAGES.lineBreak);
    const custom = z.string().transform((v, ctx) => {
      ctx.addIssue({ code: 'custom', ...coded('dateTime', { tz: 'Asia/Urumqi' }) });
      return v;
    });
    expect(issueText(firstIssue(custom, 'x'))).toEqual({
      zh: '不是有效的日期时间，请按 Asia/Urumqi 时间填写，如 2022-02-17T18:00。',
      en: 'Not a date and time; enter it in Asia/Urumqi time, e.g. 2022-02-17T18:00.',
    });
    // A check worded by its code's joined text finds its code again.
    expect(issueText(firstIssue(z.string().min(1, say('giveReason')), ''))).toEqual({
      zh: '请填写理由。',
      en: 'Give a reason.',
    });
    expect(say('giveReason')).toBe('请填写理由。Give a reason.');
  });

  it("never falls back to zod's wording, and keeps a wording it does not know", () => {
    expect(issueText(firstIssue(z.enum(['a', 'b']), 'c'))).toEqual(MESSAGES.invalidChoice);
    expect(issueText(firstIssue(z.string().regex(/^x$/), 'c'))).toEqual(MESSAGES.invalidValue);
    expect(
      issueMessage(
        firstIssue(
          z.string().refine(() => false, 'too similar'),
          'x',
        ),
      ),
    ).toBe('too similar');
  });

  it("carries both wordings in a round's refusal", () => {
    const refusal = invalidFieldRefusal(firstIssue(z.object({ reason: text(10) }), { reason: '' }), 'request');
    expect(refusal).toMatchObject({
      field: 'reason',
      code: 'invalidField',
      params: { detail: 'must not be empty', detailZh: '不能为空' },
    });
  });
});
