/**
 * The workflow bundle's code is kept at one byte per character (worker/bundleOptions.ts): every
 * character beyond Latin-1 becomes an escape that means the same character where it occurs.
 */
import { describe, expect, it } from 'vitest';
import { oneBytePerChar } from '../../worker/bundleOptions.js';

const value = (code: string): unknown => new Function(`return ${code};`)();
const isOneByte = (s: string) => /^[\u0000-\u00ff]*$/.test(s);

describe('oneBytePerChar', () => {
  it.each([
    ["'已采纳 Adopted'", '已采纳 Adopted'],
    ['"第十章，表10-1。"', '第十章，表10-1。'],
    ['`${"中"}文 ${1 + 1} 项`', '中文 2 项'],
    ['"an identity escape: \\采"', 'an identity escape: 采'],
    ['"a backslash, then a character: \\\\采"', 'a backslash, then a character: \\采'],
    ['"emoji 📄 café"', 'emoji 📄 café'],
  ])('keeps the value of %s', (code, expected) => {
    const escaped = oneBytePerChar(code);
    expect(isOneByte(escaped)).toBe(true);
    expect(value(escaped)).toBe(expected);
  });

  it('keeps what a regex literal matches, with or without the u flag', () => {
    for (const re of ['/[。！？]$/', '/^📄+$/u', '/\\。/']) {
      const escaped = oneBytePerChar(re);
      expect(isOneByte(escaped)).toBe(true);
      const [before, after] = [value(re), value(escaped)] as RegExp[];
      for (const s of ['好。', '好', '📄📄', '。']) expect(after!.test(s)).toBe(before!.test(s));
    }
  });

  it('leaves a Latin-1 text as it was', () => {
    const code = "const s = 'déjà vu \\\\ \\n'; // ok";
    expect(oneBytePerChar(code)).toBe(code);
  });
});
