/**
 * The plain-text part of an email, made from its HTML part so that the two always say the same:
 * paragraphs and headings on lines of their own, list items numbered or dashed, table rows one per
 * line with their cells separated by " | ", a link's address beside its words (once, when they are
 * the address), removed and added text of a change marked [-…-] and {+…+}.
 */
import type { Element, ElementContent, Root, RootContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';

const SKIP = new Set(['head', 'title', 'style', 'script']);
const BLOCK = new Set([
  'p',
  'div',
  'section',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'ul',
  'ol',
  'blockquote',
  'pre',
  'dl',
]);

/** A block's start and end: a blank line, as many as there are, collapsed later. */
const BREAK = '\n\n';
/** The indent of a list item's next lines; a mark while lines are built, since their spaces are collapsed. */
const INDENT = '\u0001';

export function htmlToText(html: string): string {
  const out = walk(fromHtml(html).children, false);
  return (
    out
      .split('\n')
      .map((line) =>
        line
          .replace(/[ \t]+/g, ' ')
          .trim()
          .replace(new RegExp(`^(${INDENT}+) ?`), (_, marks: string) => '   '.repeat(marks.length)),
      )
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}

function walk(nodes: Array<RootContent | ElementContent>, pre: boolean): string {
  return nodes.map((n) => node(n, pre)).join('');
}

function node(n: RootContent | ElementContent | Root, pre: boolean): string {
  if (n.type === 'text') return pre ? n.value : n.value.replace(/\s+/g, ' ');
  if (n.type !== 'element' && n.type !== 'root') return '';
  if (n.type === 'root') return walk(n.children, pre);
  return element(n, pre);
}

function element(el: Element, pre: boolean): string {
  const tag = el.tagName;
  if (SKIP.has(tag)) return '';
  const inner = (isPre = pre) => walk(el.children, isPre);
  switch (tag) {
    case 'br':
      return '\n';
    case 'hr':
      return `${BREAK}----------${BREAK}`;
    case 'a': {
      const text = inner().trim();
      const href = typeof el.properties.href === 'string' ? el.properties.href : '';
      // mailto: and tel: say what the words already say; a web address is written out.
      if (!/^https?:/.test(href) || href === text) return text;
      return text ? `${text}: ${href}` : href;
    }
    case 'del':
      return `[-${inner()}-]`;
    case 'ins':
      return `{+${inner()}+}`;
    case 'ol':
    case 'ul':
      return BREAK + list(el, pre) + BREAK;
    case 'tr':
      return (
        '\n' +
        el.children
          .filter((c): c is Element => c.type === 'element' && (c.tagName === 'td' || c.tagName === 'th'))
          .map((c) => walk(c.children, pre).trim())
          .join(' | ')
      );
    case 'pre':
      return BREAK + inner(true) + BREAK;
    default:
      return BLOCK.has(tag) ? BREAK + inner() + BREAK : inner();
  }
}

/** Each item on its own line: "1. " in a numbered list, "- " otherwise. */
function list(el: Element, pre: boolean): string {
  const items = el.children.filter((c): c is Element => c.type === 'element' && c.tagName === 'li');
  return items
    .map((li, i) => {
      const marker = el.tagName === 'ol' ? `${i + 1}. ` : '- ';
      const body = walk(li.children, pre)
        .trim()
        .replace(/\n{2,}/g, '\n')
        .replace(/\n/g, `\n${INDENT}`);
      return marker + body;
    })
    .join('\n');
}
