/**
 * Every message of the two catalogues a person can read (domain/messages.ts for fields,
 * domain/refusals.ts for what a round refuses), walked one by one: Chinese and English both there,
 * Chinese quotation marks in the Chinese (never doubled), no schema's wording; the page marks the
 * English of each joined message as English; and no zod issue reaches a page in zod's own words.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { issueText, joined, MESSAGES, messageText, type MessageCode, type Text } from '../../domain/messages.js';
import { REFUSALS, refusalText, type RefusalCode } from '../../domain/refusals.js';
import { IanaTimeZone, Sha256 } from '../../domain/records.js';
import { englishStart } from '../../infra/templates.js';

/** Placeholder values, so that every template is read filled in. */
const PARAMS = new Proxy({} as Record<string, string>, {
  get: (_, k) =>
    String(k).endsWith('Zh') ? '意见' : ['max', 'min', 'line', 'n', 'count'].includes(String(k)) ? '3' : 'finance',
});

const catalogue: [string, { zh: string; en: string }][] = [
  ...(Object.keys(MESSAGES) as MessageCode[]).map((c): [string, Text] => [`messages.${c}`, messageText(c, PARAMS)]),
  ...(Object.keys(REFUSALS) as RefusalCode[]).map((c): [string, Text] => [`refusals.${c}`, refusalText(c, PARAMS)]),
];

/** zod's and a schema's words, which mean nothing to the person at the form. */
const SCHEMA_WORDS =
  /\b(IANA|schema|expected \w+|undefined|null|string|boolean|enum|regex|hex|Invalid input|Invalid option)\b/i;

describe('the message catalogue', () => {
  it('holds some hundred messages', () => {
    expect(catalogue.length).toBeGreaterThan(100);
  });

  for (const [code, { zh, en }] of catalogue) {
    it(code, () => {
      expect(zh, 'Chinese').toMatch(/[\u4e00-\u9fff]/);
      expect(en, 'English').toMatch(/[A-Za-z]{2}/);
      // Chinese quotes its words with “” or 「」, never with ASCII quotes, and never twice over.
      expect(zh, 'ASCII quotation marks in the Chinese').not.toMatch(/"/);
      expect(zh, 'doubled quotation marks').not.toMatch(/[“「][“「]|[”」][”」]|“「|「“/);
      expect(en, "a schema's wording").not.toMatch(SCHEMA_WORDS);
      expect(zh, "a schema's wording").not.toMatch(SCHEMA_WORDS);
      // The page finds where the English starts, to mark it lang="en".
      const line = joined({ zh, en });
      expect(line.slice(englishStart(line)).trim(), 'the English as the page marks it').toBe(en.trim());
    });
  }
});

describe("no zod issue reads in zod's own words", () => {
  const cases: [string, z.ZodType, unknown][] = [
    ['a missing field', z.object({ name: z.string() }), {}],
    ['a field of another type', z.object({ name: z.string() }), { name: 42 }],
    ['an option not offered', z.enum(['adopted', 'partial']), 'maybe'],
    ['a literal', z.literal('approve'), 'reject'],
    ['a union', z.union([z.literal('a'), z.number()]), 'b'],
    ['an email', z.email(), 'not-an-email'],
    ['a link', z.url(), 'not a url'],
    ['a number too small', z.number().int().min(1), 0],
    ['a number too large', z.number().max(10), 11],
    ['a date', z.iso.date(), '2030-13-45'],
    ['unknown fields', z.strictObject({ a: z.string() }), { a: 'x', b: 'y' }],
    ['a time zone', IanaTimeZone, 'Mars/Base'],
    ['a SHA-256', Sha256, 'abc'],
  ];
  for (const [what, schema, value] of cases) {
    it(what, () => {
      const r = schema.safeParse(value, { reportInput: true });
      expect(r.success).toBe(false);
      for (const issue of r.error!.issues) {
        const text = issueText(issue);
        expect(text.zh, 'Chinese').toMatch(/[\u4e00-\u9fff]/);
        expect(`${text.zh} ${text.en}`).not.toMatch(SCHEMA_WORDS);
        expect(`${text.zh} ${text.en}`).not.toMatch(/无效输入|期望|实际接收|Invalid/);
      }
    });
  }
});
