/**
 * The plain-text part of an email, made from its HTML part so that the two always say the same:
 * paragraphs and headings on lines of their own, list items numbered or dashed, table rows one per
 * line with their cells separated by " | ", a link's address beside its words (once, when they are
 * the address), removed and added text of a change marked [-…-] and {+…+}.
 */
import { compile, type FormatCallback } from 'html-to-text';

/** A change's removed or added words, marked as word diffs mark them, since a text part has no colour. */
const marked =
  (open: string, close: string): FormatCallback =>
  (elem, walk, builder) => {
    builder.addInline(open, { noWordTransform: true });
    walk(elem.children, builder);
    builder.addInline(close, { noWordTransform: true });
  };

/** A table row on one line, its cells joined by " | ": layout tables and data tables alike. */
const row: FormatCallback = (elem, walk, builder) => {
  builder.openBlock({ leadingLineBreaks: 1 });
  const cells = (elem.children ?? []).filter(
    (c: { type: string; name?: string }) => c.type === 'tag' && (c.name === 'td' || c.name === 'th'),
  );
  cells.forEach((cell: { children: unknown[] }, i: number) => {
    if (i > 0) builder.addInline(' | ', { noWordTransform: true });
    walk(cell.children as never, builder);
  });
  builder.closeBlock({ trailingLineBreaks: 1 });
};

/** A link: its words, then its address when the words are not already the address (mailto: and tel: never). */
const link: FormatCallback = (elem, walk, builder) => {
  const href = typeof elem.attribs?.href === 'string' ? elem.attribs.href : '';
  if (!/^https?:/.test(href)) return walk(elem.children, builder);
  const text = textOf(elem);
  walk(elem.children, builder);
  if (text !== href) builder.addInline(text ? `: ${href}` : href, { noWordTransform: true });
};

function textOf(elem: { children?: Array<{ type: string; data?: string; children?: unknown[] }> }): string {
  return (elem.children ?? [])
    .map((c) => (c.type === 'text' ? (c.data ?? '') : textOf(c as never)))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

const convert = compile({
  wordwrap: false,
  formatters: { deleted: marked('[-', '-]'), inserted: marked('{+', '+}'), row, link },
  selectors: [
    { selector: 'a', format: 'link' },
    { selector: 'del', format: 'deleted' },
    { selector: 'ins', format: 'inserted' },
    { selector: 'tr', format: 'row' },
    { selector: 'table', format: 'block' },
    { selector: 'tbody', format: 'inline' },
    { selector: 'thead', format: 'inline' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'hr', options: { length: 10 } },
    { selector: 'ul', options: { itemPrefix: '- ' } },
    { selector: 'img', format: 'skip' },
  ],
});

export function htmlToText(html: string): string {
  return (
    convert(html)
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}
