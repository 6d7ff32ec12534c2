/**
 * Reads the one kind of HTML the document format allows: a `<table>` block with `<thead>`/`<tbody>`,
 * `<tr>`, `<th>`/`<td>` carrying rowspan/colspan, and `<br>`, `<sub>`/`<sup>` inside cells
 * (docs/document-format.md). Anything else fails with the offending tag named.
 */
import type { TableCell, TableModel } from './table.js';

export class HtmlTableError extends Error {
  constructor(message: string) {
    super(`HTML table: ${message}`);
    this.name = 'HtmlTableError';
  }
}

const SUB: Record<string, string> = {
  '0': '₀', '1': '₁', '2': '₂', '3': '₃', '4': '₄', '5': '₅', '6': '₆', '7': '₇', '8': '₈', '9': '₉',
  '+': '₊', '-': '₋', '=': '₌', '(': '₍', ')': '₎', '.': '.',
};
const SUP: Record<string, string> = {
  '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
  '+': '⁺', '-': '⁻', '=': '⁼', '(': '⁽', ')': '⁾', n: 'ⁿ',
};

/** Sub/superscript as Unicode where every character has a form, else the plain text. */
export function scriptText(text: string, kind: 'sub' | 'sup'): string {
  const map = kind === 'sub' ? SUB : SUP;
  const chars = Array.from(text);
  return chars.every((c) => map[c] !== undefined) ? chars.map((c) => map[c]).join('') : text;
}

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (_m, e: string) => {
    const l = e.toLowerCase();
    if (l === 'amp') return '&';
    if (l === 'lt') return '<';
    if (l === 'gt') return '>';
    if (l === 'quot') return '"';
    if (l === 'apos') return "'";
    if (l === 'nbsp') return ' ';
    const cp = l.startsWith('#x') ? parseInt(l.slice(2), 16) : parseInt(l.slice(1), 10);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
  });
}

const ALLOWED = new Set(['table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'br', 'sub', 'sup', 'p', 'span', 'b', 'strong', 'caption', 'colgroup', 'col']);

export function isHtmlTable(html: string): boolean {
  return /^\s*<table[\s>]/i.test(html);
}

export function parseHtmlTable(html: string): TableModel {
  const head: TableCell[][] = [];
  const body: TableCell[][] = [];
  let section: 'head' | 'body' = 'body';
  let row: TableCell[] | null = null;
  let cell: TableCell | null = null;
  let script: 'sub' | 'sup' | null = null;
  let scriptBuf = '';
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>|<!--[\s\S]*?-->/g;
  let last = 0;
  const addText = (raw: string): void => {
    const t = decodeEntities(raw.replace(/\s+/g, ' '));
    if (!cell) {
      if (t.trim()) throw new HtmlTableError(`text outside a cell: "${t.trim().slice(0, 40)}"`);
      return;
    }
    if (script) scriptBuf += t;
    else cell.text += t;
  };
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    addText(html.slice(last, m.index));
    last = tag.lastIndex;
    if (!m[2]) continue; // comment
    const closing = m[1] === '/';
    const name = m[2].toLowerCase();
    if (!ALLOWED.has(name)) throw new HtmlTableError(`<${name}> is not allowed in a table block`);
    if (name === 'thead' || name === 'tbody' || name === 'tfoot') {
      section = !closing && name === 'thead' ? 'head' : 'body';
    } else if (name === 'tr') {
      if (!closing) {
        row = [];
        (section === 'head' ? head : body).push(row);
      } else row = null;
    } else if (name === 'th' || name === 'td') {
      if (!closing) {
        if (!row) throw new HtmlTableError(`<${name}> outside <tr>`);
        const attr = m[3] ?? '';
        const rs = /rowspan\s*=\s*["']?(\d+)/i.exec(attr);
        const cs = /colspan\s*=\s*["']?(\d+)/i.exec(attr);
        cell = {
          text: '',
          rowspan: rs ? Math.max(1, Math.min(1000, Number(rs[1]))) : 1,
          colspan: cs ? Math.max(1, Math.min(100, Number(cs[1]))) : 1,
          header: name === 'th' || section === 'head',
        };
        row.push(cell);
      } else {
        if (cell) cell.text = cell.text.replace(/[ \t]*\n[ \t]*/g, '\n').trim();
        cell = null;
      }
    } else if (name === 'br' || (name === 'p' && closing)) {
      if (cell) cell.text += '\n';
    } else if (name === 'sub' || name === 'sup') {
      if (!closing) {
        script = name;
        scriptBuf = '';
      } else if (script) {
        if (cell) cell.text += scriptText(scriptBuf, script);
        script = null;
      }
    }
  }
  addText(html.slice(last));
  if (head.length === 0 && body.length > 0 && body[0]!.every((c) => c.header)) head.push(body.shift()!);
  return { head, body };
}
