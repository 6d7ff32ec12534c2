/**
 * Reads the one kind of HTML the document format allows: a `<table>` block with `<thead>`/`<tbody>`,
 * `<tr>`, `<th>`/`<td>` carrying rowspan/colspan, and `<br>`, `<sub>`/`<sup>` inside cells
 * (docs/document-format.md).
 *
 * The HTML is read by the standard HTML parser, so entities, omitted end tags and attribute values
 * come out as a browser would read them. Where a browser would quietly repair the source (a syntax
 * error, text or a tag outside the cells, a table cut short), the printed plan would show something
 * the author did not write, so those fail instead, with the place and the offending tag named.
 */
import type { Element, ElementContent, Root, RootContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toString } from 'hast-util-to-string';
import { scriptText } from './subsup.js';
import type { TableCell, TableModel } from './table.js';

export class HtmlTableError extends Error {
  constructor(message: string) {
    super(`HTML table: ${message}`);
    this.name = 'HtmlTableError';
  }
}

/** Whether Markdown handed over an HTML block that is a table (the other HTML blocks print as text). */
export function isHtmlTable(html: string): boolean {
  return /^\s*<table[\s>]/i.test(html);
}

// Allowed but printing nothing of their own: the caption is a paragraph before the table, widths
// come from the content.
const SILENT = new Set(['caption', 'colgroup', 'col']);
const STRUCTURE = new Set(['table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', ...SILENT]);
const INLINE = new Set(['br', 'sub', 'sup', 'p', 'span', 'b', 'strong']);

// HTML's white space, not JavaScript's \s: a no-break space (&nbsp;) or an ideographic space is text.
const SPACE = /[ \t\n\f\r]+/g;
const BLANK = /^[ \t\n\f\r]*$/;

// Layout guards: a typo such as rowspan="100" must not make a table of a thousand empty rows.
const MAX_ROWSPAN = 1000;
const MAX_COLSPAN = 100;

/**
 * The table model of one HTML table block. `firstLine` is the block's line in the document, so
 * errors point at the source line.
 */
export function parseHtmlTable(html: string, firstLine = 1): TableModel {
  const at = (line: number | undefined, column: number | undefined): string =>
    `line ${(line ?? 1) + firstLine - 1}${column ? `:${column}` : ''}`;
  const where = (node: RootContent | ElementContent): string => {
    const start = node.position?.start;
    if (!start || node.type !== 'text') return at(start?.line, start?.column);
    // Point at the stray text itself, not at the line break before it.
    const lead = /^[ \t\n\f\r]*/.exec(node.value)![0];
    const breaks = lead.split('\n').length - 1;
    return at(start.line + breaks, breaks ? lead.length - lead.lastIndexOf('\n') : start.column + lead.length);
  };

  const syntax: string[] = [];
  const root: Root = fromHtml(html, {
    fragment: true,
    onerror: (m) => void syntax.push(`${at(m.line, m.column)}: ${m.reason}`),
  });
  if (syntax.length > 0) throw new HtmlTableError(syntax.join('; '));

  /** Only white space and comments may stand between the cells. */
  const noStray = (node: RootContent | ElementContent): void => {
    if (node.type === 'comment' || node.type === 'doctype' || (node.type === 'text' && BLANK.test(node.value))) return;
    if (node.type === 'element' && !STRUCTURE.has(node.tagName) && !INLINE.has(node.tagName)) throw notAllowed(node);
    const what = node.type === 'element' ? `<${node.tagName}>` : 'text';
    const text = toString(node).trim().slice(0, 40);
    throw new HtmlTableError(`${where(node)}: ${what} outside a cell${text ? `: "${text}"` : ''}`);
  };
  const notAllowed = (node: Element): HtmlTableError =>
    new HtmlTableError(`${where(node)}: <${node.tagName}> is not allowed in a table block`);

  let table: Element | undefined;
  for (const node of root.children) {
    if (node.type === 'element' && node.tagName === 'table' && !table) table = node;
    else if (node.type === 'element' && node.tagName === 'table')
      throw new HtmlTableError(`${where(node)}: a second <table> in one block`);
    else noStray(node);
  }
  if (!table) throw new HtmlTableError(`${at(1, 1)}: no <table>`);
  // Markdown ends an HTML block at a blank line, and the parser closes whatever is open at the end.
  if (!/<\/table\s*>$/i.test(html.slice(0, table.position?.end.offset ?? html.length))) {
    throw new HtmlTableError(
      `${where(table)}: <table> is not closed (a blank line ends an HTML block in Markdown, so a table may have none)`,
    );
  }

  const head: TableCell[][] = [];
  const body: TableCell[][] = [];

  const cellText = (nodes: ElementContent[]): string => {
    let out = '';
    for (const n of nodes) {
      if (n.type === 'text') out += n.value.replace(SPACE, ' ');
      else if (n.type !== 'element') continue;
      else if (n.tagName === 'br') out += '\n';
      else if (n.tagName === 'sub' || n.tagName === 'sup') out += scriptText(cellText(n.children), n.tagName);
      else if (n.tagName === 'p') out += `${out && !out.endsWith('\n') ? '\n' : ''}${cellText(n.children)}\n`;
      else if (INLINE.has(n.tagName)) out += cellText(n.children);
      else
        throw STRUCTURE.has(n.tagName)
          ? new HtmlTableError(`${where(n)}: <${n.tagName}> inside a cell`)
          : notAllowed(n);
    }
    return out;
  };

  const cell = (el: Element, section: 'head' | 'body'): TableCell => ({
    // Spaces collapse across inline tags and vanish around line breaks, as a browser shows them.
    text: cellText(el.children)
      .replace(/ {2,}/g, ' ')
      .replace(/ *\n */g, '\n')
      .replace(/^[ \n]+|[ \n]+$/g, ''),
    rowspan: span(el.properties.rowSpan, MAX_ROWSPAN),
    colspan: span(el.properties.colSpan, MAX_COLSPAN),
    header: el.tagName === 'th' || section === 'head',
  });

  const rows = (parent: Element, section: 'head' | 'body'): void => {
    for (const n of parent.children) {
      if (n.type !== 'element') noStray(n);
      else if (n.tagName === 'thead' || n.tagName === 'tbody' || n.tagName === 'tfoot') {
        rows(n, n.tagName === 'thead' ? 'head' : 'body');
      } else if (n.tagName === 'tr') {
        const row: TableCell[] = [];
        for (const c of n.children) {
          if (c.type === 'element' && (c.tagName === 'td' || c.tagName === 'th')) row.push(cell(c, section));
          else noStray(c);
        }
        (section === 'head' ? head : body).push(row);
      } else if (SILENT.has(n.tagName)) {
        if (!BLANK.test(toString(n)))
          throw new HtmlTableError(
            `${where(n)}: <${n.tagName}> text is not printed; put the caption in a paragraph (表 x-y …) before the table`,
          );
      } else noStray(n);
    }
  };
  rows(table, 'body');

  // A table without <thead> whose first row is all <th> has that row as its header.
  if (head.length === 0 && body.length > 0 && body[0]!.length > 0 && body[0]!.every((c) => c.header))
    head.push(body.shift()!);
  return { head, body };
}

/** A rowspan/colspan as HTML reads it ("2x" and "2.5" are 2; nothing, junk or less than 1 is 1). */
function span(value: unknown, max: number): number {
  const n = typeof value === 'number' ? Math.trunc(value) : Number.parseInt(String(value ?? ''), 10);
  return Number.isFinite(n) ? Math.max(1, Math.min(max, n)) : 1;
}
