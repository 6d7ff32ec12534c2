/** What a form or a file let through that the app's text rules refuse (domain/records.ts). */
import { BIDI_CONTROL, BROKEN_TEXT, LINE_BREAK } from '../../domain/records.js';

const SINGLE_LINE_KEYS =
  /^(name|position|title|shortName|shortNameZh|nameZh|nameEn|contactPerson|organiser|place|organisation|username)$/;

/** What a request left in the rounds that no form should have let through. */
export function badText(value: unknown, key = ''): string | undefined {
  if (typeof value === 'string') {
    if (BIDI_CONTROL.test(value)) return `${key}: a direction control`;
    if (BROKEN_TEXT.test(value)) return `${key}: a control character`;
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value))
      return `${key}: a lone surrogate`;
    if (SINGLE_LINE_KEYS.test(key) && LINE_BREAK.test(value)) return `${key}: a line break in a one-line field`;
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      const bad = badText(v, key);
      if (bad) return bad;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const bad = badText(v, k);
      if (bad) return `${key ? `${key}.` : ''}${bad}`;
    }
  }
  return undefined;
}
