/** The HTML table reader: what the standard HTML parser reads, and what the document format refuses. */
import { describe, expect, it } from 'vitest';
import { walkDocument } from '../../pdf/blocks.js';
import { HtmlTableError, isHtmlTable, parseHtmlTable } from '../../pdf/htmltable.js';
import type { TableModel } from '../../pdf/table.js';

/** The text of the only body cell of a one-cell table. */
const cellOf = (inner: string): string => parseHtmlTable(`<table><tr><td>${inner}</td></tr></table>`).body[0]![0]!.text;
const texts = (rows: TableModel['body']): string[][] => rows.map((r) => r.map((c) => c.text));
const spans = (rows: TableModel['body']): string[][] => rows.map((r) => r.map((c) => `${c.rowspan}x${c.colspan}`));

describe('isHtmlTable', () => {
  it('recognises a table block and nothing else', () => {
    expect(isHtmlTable('<table>\n<tr><td>a</td></tr>\n</table>')).toBe(true);
    expect(isHtmlTable('  <TABLE class="x">')).toBe(true);
    expect(isHtmlTable('<tablet>')).toBe(false);
    expect(isHtmlTable('<div><table></table></div>')).toBe(false);
    expect(isHtmlTable('<!-- <table> -->')).toBe(false);
  });
});

describe('character references', () => {
  it('decodes named, hexadecimal and decimal references once', () => {
    expect(cellOf('R&amp;D')).toBe('R&D');
    expect(cellOf('&#x4e2d;&#X56FD;&#22269;')).toBe('中国国');
    expect(cellOf('&lt;30 &gt; &quot;x&quot; &apos;y&apos;')).toBe('<30 > "x" \'y\'');
    expect(cellOf('&amp;lt;')).toBe('&lt;');
  });

  it('knows the whole HTML set, not a hand-picked few', () => {
    expect(cellOf('1998&ndash;2020 &mdash; &times;10&sup3; &le;5 &deg;C &yen;')).toBe('1998–2020 — ×10³ ≤5 °C ¥');
  });

  it('keeps a no-break space as text: it neither collapses nor trims away', () => {
    expect(cellOf('a&nbsp;&nbsp;b')).toBe('a\u00a0\u00a0b');
    expect(cellOf(' &nbsp;x&nbsp; ')).toBe('\u00a0x\u00a0');
  });

  it('leaves a bare ampersand that starts no reference as it is', () => {
    expect(cellOf('A & B, R&D')).toBe('A & B, R&D');
  });
});

describe('cells', () => {
  it('reads rowspan and colspan into the model, with header rows from <thead>', () => {
    const t = parseHtmlTable(`<table>
<thead>
<tr><th rowspan="2">序号</th><th colspan="2">水质</th></tr>
<tr><th>2015年</th><th>2020年</th></tr>
</thead>
<tbody>
<tr><td rowspan=2>1</td><td>IV类</td><td colspan='1'>V类</td></tr>
<tr><td>劣V类</td><td>III类</td></tr>
</tbody>
</table>`);
    expect(texts(t.head)).toEqual([
      ['序号', '水质'],
      ['2015年', '2020年'],
    ]);
    expect(spans(t.head)).toEqual([
      ['2x1', '1x2'],
      ['1x1', '1x1'],
    ]);
    expect(t.head.flat().every((c) => c.header)).toBe(true);
    expect(texts(t.body)).toEqual([
      ['1', 'IV类', 'V类'],
      ['劣V类', 'III类'],
    ]);
    expect(spans(t.body)).toEqual([
      ['2x1', '1x1', '1x1'],
      ['1x1', '1x1'],
    ]);
    expect(t.body.flat().some((c) => c.header)).toBe(false);
  });

  it('reads span values as HTML does and bounds them', () => {
    const t = parseHtmlTable(
      '<table><tr><td rowspan="2x">a</td><td colspan="2.5">b</td><td rowspan="0" colspan="-3">c</td><td rowspan="junk">d</td><td rowspan="99999" colspan="99999">e</td></tr></table>',
    );
    expect(spans(t.body)).toEqual([['2x1', '1x2', '1x1', '1x1', '1000x100']]);
  });

  it('reads only the rowspan attribute itself, and attribute values holding ">"', () => {
    const t = parseHtmlTable('<table><tr><td data-rowspan="5" title="a>b">x</td></tr></table>');
    expect(t.body).toEqual([[{ text: 'x', rowspan: 1, colspan: 1, header: false }]]);
  });

  it('takes a first row of <th> without <thead> as the header, and a <th> in the body as a header cell', () => {
    const t = parseHtmlTable('<table><tr><th>名称</th><th>数值</th></tr><tr><th>甲</th><td>1</td></tr></table>');
    expect(texts(t.head)).toEqual([['名称', '数值']]);
    expect(t.body[0]!.map((c) => c.header)).toEqual([true, false]);
  });

  it('accepts the end tags HTML lets one omit', () => {
    const t = parseHtmlTable('<table>\n<tr><td>a<td>b\n<tr><td>c<td>d\n</table>');
    expect(texts(t.body)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('ignores comments, <colgroup> and an empty <caption>', () => {
    const t = parseHtmlTable(
      '<!-- 表 --><table><caption></caption><colgroup><col><col></colgroup><tr><td>a<!-- note --></td><td>b</td></tr></table>\n<!-- end -->',
    );
    expect(texts(t.body)).toEqual([['a', 'b']]);
  });
});

describe('sub- and superscripts', () => {
  it('become Unicode where every character has a form', () => {
    expect(cellOf('PM<sub>2.5</sub>、SO<sub>2</sub>、m<sup>3</sup>、10<sup>-6</sup>')).toBe('PM₂.₅、SO₂、m³、10⁻⁶');
  });

  it('stay plain where one has none', () => {
    expect(cellOf('C<sub>x</sub>H<sup>a</sup>')).toBe('CxHa');
  });

  it('see through markup nested inside them', () => {
    expect(cellOf('NO<sub><b>x</b></sub> O<sub><span>3</span></sub>')).toBe('NOx O₃');
  });
});

describe('inline markup and white space', () => {
  it('prints the text of nested inline elements', () => {
    expect(cellOf('<b>重点<span>项目</span></b>（<strong>新建</strong>）')).toBe('重点项目（新建）');
  });

  it('collapses white space across inline tags and source lines, as a browser shows it', () => {
    expect(cellOf('\n  a <b> b</b>\t\n  <span> c </span>  ')).toBe('a b c');
  });

  it('breaks lines at <br> and between paragraphs, dropping spaces around the break', () => {
    expect(cellOf('一 <br> 二<br/>三')).toBe('一\n二\n三');
    expect(cellOf('x<p>y</p><p>z</p>')).toBe('x\ny\nz');
    expect(cellOf('<br>a<br>')).toBe('a');
  });

  it('keeps an ideographic space, which is text in HTML', () => {
    expect(cellOf('甲\u3000乙')).toBe('甲\u3000乙');
  });
});

describe('malformed HTML', () => {
  const fails = (html: string, message: RegExp, firstLine?: number): void => {
    let error: unknown;
    try {
      parseHtmlTable(html, firstLine);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HtmlTableError);
    expect((error as Error).message).toMatch(message);
  };

  it('reports a syntax error the parser would repair, at its line in the document', () => {
    fails(
      '<table>\n<tr><td>R&amp D</td></tr>\n</table>',
      /^HTML table: line 11:\d+: Missing semicolon after character reference/,
      10,
    );
    fails('<table><tr><td colspan="2"</td></tr></table>', /line 1:\d+: Missing whitespace between attributes/);
    fails('<table><tr><td>&bogus;</td></tr></table>', /unknown named character reference/);
  });

  it('names a tag the format does not allow', () => {
    fails('<table><tr><td><div>x</div></td></tr></table>', /line 1:16: <div> is not allowed in a table block/);
    fails('<table><tr><td><img src="x.png"></td></tr></table>', /<img> is not allowed/);
    fails('<table><script>x</script><tr><td>a</td></tr></table>', /<script> is not allowed/);
    fails('<table><tr><td>a</td></tr><div>x</div></table>', /<div> is not allowed/);
  });

  it('refuses text and inline tags outside the cells, which a browser would move above the table', () => {
    fails('<table>stray<tr><td>a</td></tr></table>', /text outside a cell: "stray"/);
    fails('<table><tr>lost<td>a</td></tr></table>', /text outside a cell: "lost"/);
    fails('<table><tr><td>a</td></tr><b>bold</b></table>', /<b> outside a cell: "bold"/);
    fails('<table><tr><td>a</td></tr></table>\ntail', /line 2:1: text outside a cell: "tail"/);
  });

  it('refuses a nested table, a second table and a captioned table', () => {
    fails('<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>', /<table> inside a cell/);
    fails(
      '<table><tr><td>a</td></tr></table>\n<table><tr><td>b</td></tr></table>',
      /line 2:1: a second <table> in one block/,
    );
    fails('<table><caption>表 1</caption><tr><td>a</td></tr></table>', /<caption> text is not printed/);
  });

  it('refuses a table that is not closed, as when a blank line splits the Markdown block', () => {
    fails('<table>\n<tr><td>a</td></tr>', /line 1:1: <table> is not closed/);
    fails('<table><tr><td>a</td></tr></tbody>', /<table> is not closed/);
  });

  it('points at the source line when a whole document is walked', () => {
    const source =
      '# 第一章 总则\n\n正文。\n\n<table>\n<tr><td>a</td></tr>\n<tr><td><div>x</div></td></tr>\n</table>\n';
    expect(() => walkDocument(source)).toThrow(/^HTML table: line 7:9: <div> is not allowed in a table block$/);
  });
});
