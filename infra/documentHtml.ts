/**
 * A circulated document as safe HTML, for the reply page and for the email attachment. The
 * Markdown is read by the one parsing pipeline (parseMarkdown in infra/documents.ts); remark-rehype,
 * rehype-raw and rehype-sanitize turn it into HTML that may be shown to anyone: whatever HTML the
 * source holds passes through a GitHub-style allow-list (tables with rowspan/colspan kept).
 *
 * Headings get the section anchors of the format (`sec-<encoded section id>`, the same ids as
 * parseDocument) and, on the reply page, a link that opens the reply form on that section.
 * Directives are rendered visibly: generated tables as a note, figures as a captioned frame, gaps
 * as a gap note, boxed columns as a bordered box.
 */
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import type { Heading, Nodes, Parent, Root as MdastRoot, RootContent, Yaml } from 'mdast';
import { toString } from 'mdast-util-to-string';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { parse as parseYaml } from 'yaml';
import type { Section } from '../domain/records.js';
import { FrontMatter, parseMarkdown, sectionId, splitHeading } from './documents.js';

export interface DocumentHtml {
  html: string;
  sections: Section[];
  /** The front matter's title, when it has one. */
  title?: string;
  standIn: boolean;
}

export interface DocumentHtmlOptions {
  /**
   * The document's key in the round: when given, every section heading carries a link to the reply
   * form with that section preselected (`?doc=<key>&section=<id>#form`, a GET that only pre-fills).
   */
  commentLinksFor?: string;
  /**
   * The level of the page's heading the document sits under: its `#` headings become one level
   * below it, so that a page's headings nest without a second h1 (0, the default: a page of its own).
   */
  headingsBelow?: number;
}

/** The anchor id of a section: `sec-` and the section id, percent-encoded (ids hold spaces and CJK). */
export function sectionAnchor(id: string): string {
  return `sec-${encodeURIComponent(id)}`;
}

/** The reply-form link of a section, relative to the reply page. */
export function sectionCommentHref(docKey: string, id: string): string {
  return `?doc=${encodeURIComponent(docKey)}&section=${encodeURIComponent(id)}#form`;
}

const REVIEW_TABLES: Record<string, { zh: string; en: string }> = {
  consultation: { zh: '征求意见采纳情况表', en: 'The consultation results table' },
  'revision-notes': { zh: '修改说明', en: 'The revision notes table' },
  replies: { zh: '各单位回复意见', en: "The appendix of the bureaus' replies" },
  'expert-opinions': { zh: '专家评审意见', en: 'The appendix of the expert review opinions' },
};

// ---------------------------------------------------------------------------------------------
// hast builders (text only ever enters as text nodes, so attribute values in the source stay text)

const t = (value: string): ElementContent => ({ type: 'text', value });
const el = (
  tagName: string,
  className: string[] | null,
  children: ElementContent[],
  extra: Element['properties'] = {},
): Element => ({
  type: 'element',
  tagName,
  properties: className ? { className, ...extra } : { ...extra },
  children,
});
const en = (value: string): Element => el('span', ['en'], [t(value)], { lang: 'en' });

function attr(node: { attributes?: Record<string, string | null | undefined> | null }, name: string): string {
  const v = node.attributes?.[name];
  return typeof v === 'string' ? v.trim() : '';
}

/** An mdast stand-in node that remark-rehype turns into the given hast element. */
function rendered(element: Element): RootContent {
  return {
    type: 'paragraph',
    children: [],
    data: {
      hName: element.tagName,
      hProperties: element.properties as Record<string, string[]>,
      hChildren: element.children,
    },
  } as unknown as RootContent;
}

function directiveToHast(node: {
  name: string;
  attributes?: Record<string, string | null | undefined> | null;
}): Element {
  switch (node.name) {
    case 'review-table':
    case 'appendix': {
      const kind = attr(node, 'kind');
      const label = REVIEW_TABLES[kind] ?? { zh: kind || node.name, en: `The generated part "${kind || node.name}"` };
      return el(
        'div',
        ['doc-generated'],
        [
          el('p', null, [
            t(`【${label.zh}】此处内容在批准时根据审查记录自动生成。`),
            en(`${label.en} is generated here from the review records on approval.`),
          ]),
        ],
      );
    }
    case 'figure': {
      const number = attr(node, 'number');
      const title = attr(node, 'title');
      const caption = `图 ${number}${number && title ? ' ' : ''}${title}（图片未提供 image not supplied）`;
      return el(
        'figure',
        ['doc-figure'],
        [
          el('div', ['doc-figure-frame'], [t('图片未提供'), en('image not supplied')]),
          el('figcaption', null, [t(caption)]),
        ],
      );
    }
    case 'gap': {
      const note = attr(node, 'note');
      return el(
        'p',
        ['doc-gap'],
        [
          t(`［原文此处缺失${note ? '：' + note : ''}］`),
          en('Gap in the source text: nothing has been invented here.'),
        ],
      );
    }
    default:
      return el('p', ['doc-gap'], [t(`［未知指令 ::${node.name}］`), en(`unknown directive ::${node.name}`)]);
  }
}

/** Replaces the format's directives in place by what a reader should see. */
function renderDirectives(parent: Parent): void {
  parent.children = parent.children.map((child) => {
    const node = child as Nodes;
    if (node.type === 'leafDirective') return rendered(directiveToHast(node));
    if (node.type === 'containerDirective') {
      renderDirectives(node);
      const title = attr(node, 'title');
      // remark-directive keeps a `[label]` as the first child paragraph flagged directiveLabel.
      const body = node.children.filter(
        (c) => !(c.type === 'paragraph' && (c.data as { directiveLabel?: boolean } | undefined)?.directiveLabel),
      );
      const titleNode = {
        type: 'paragraph',
        children: [{ type: 'text', value: title }],
        data: { hProperties: { className: ['doc-box-title'] } },
      };
      return {
        type: 'blockquote',
        children: title ? [titleNode, ...body] : body,
        data: {
          hName: node.name === 'box' ? 'section' : 'div',
          hProperties: { className: [node.name === 'box' ? 'doc-box' : 'doc-container'] },
        },
      } as unknown as RootContent;
    }
    if (node.type === 'textDirective') {
      // `8:30` or `比例:abc` in running text: not a directive of the format, give the text back.
      return {
        type: 'text',
        value: `:${node.name}${node.children.length ? `[${toString(node)}]` : ''}`,
      } as RootContent;
    }
    if ('children' in node && Array.isArray(node.children)) renderDirectives(node as Parent);
    return child;
  }) as Parent['children'];
}

const SCHEMA: SanitizeSchema = {
  ...defaultSchema,
  tagNames: [...(defaultSchema.tagNames ?? []), 'figure', 'figcaption', 'caption', 'colgroup', 'col'],
  attributes: {
    ...defaultSchema.attributes,
    div: [
      ...(defaultSchema.attributes?.div ?? []),
      ['className', 'doc-generated', 'doc-figure-frame', 'doc-container'],
    ],
    p: [['className', 'doc-gap', 'doc-box-title']],
    span: [['className', 'en']],
    section: ['dataFootnotes', ['className', 'doc-box', 'footnotes']],
    figure: [['className', 'doc-figure']],
    td: ['rowSpan', 'colSpan', 'align'],
    th: ['rowSpan', 'colSpan', 'align', 'scope'],
    col: ['span'],
    colgroup: ['span'],
    ...Object.fromEntries(
      ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => [
        h,
        [...(defaultSchema.attributes?.[h] ?? []), 'id', 'className'],
      ]),
    ),
  },
};

const toHtml = unified().use(remarkRehype, { allowDangerousHtml: true }).use(rehypeRaw).use(rehypeSanitize, SCHEMA);
const stringifier = unified().use(rehypeStringify);

interface HeadingMark {
  section: Section;
  line: number;
}

/** The outline exactly as parseDocument derives it (top-level headings); a repeated id keeps its first heading. */
function outline(tree: MdastRoot): HeadingMark[] {
  const marks: HeadingMark[] = [];
  const seen = new Set<string>();
  for (const node of tree.children) {
    if (node.type !== 'heading') continue;
    const heading = node as Heading;
    const parts = splitHeading(toString(heading));
    if (!parts.number && !parts.title) continue;
    const id = sectionId(parts);
    if (seen.has(id)) continue;
    seen.add(id);
    marks.push({
      section: { id, number: parts.number, title: parts.title, level: heading.depth },
      line: heading.position?.start.line ?? -1,
    });
  }
  return marks;
}

/** After sanitizing: gives each outline heading its anchor and, on the reply page, its comment link. */
function decorateHeadings(root: HastRoot, marks: HeadingMark[], docKey: string | undefined): void {
  const byLine = new Map(marks.map((m) => [m.line, m.section]));
  for (const node of root.children) {
    if (node.type !== 'element' || !/^h[1-6]$/.test(node.tagName)) continue;
    const section = byLine.get(node.position?.start.line ?? -2);
    if (!section) {
      delete node.properties.id;
      continue;
    }
    byLine.delete(node.position?.start.line ?? -2);
    node.properties.id = sectionAnchor(section.id);
    if (docKey !== undefined) {
      node.children.push(
        t(' '),
        el('a', ['doc-comment-link'], [t('对此节提出意见'), t(' '), en('Comment on this section')], {
          href: sectionCommentHref(docKey, section.id),
        }),
      );
    }
  }
}

/** Moves every heading `by` levels down; below h6, an h6 that says its level (aria-level). */
function lowerHeadings(node: HastRoot | Element, by: number): void {
  for (const child of node.children) {
    if (child.type !== 'element') continue;
    const level = /^h([1-6])$/.exec(child.tagName)?.[1];
    if (level) {
      const lowered = Number(level) + by;
      child.tagName = `h${Math.min(lowered, 6)}`;
      if (lowered > 6) child.properties.ariaLevel = lowered;
    }
    lowerHeadings(child, by);
  }
}

function readFrontMatter(tree: MdastRoot): { title?: string; standIn: boolean } {
  const yaml = tree.children.find((n): n is Yaml => n.type === 'yaml');
  if (!yaml) return { standIn: false };
  try {
    const fm = FrontMatter.safeParse(parseYaml(yaml.value) ?? {});
    return fm.success ? { title: fm.data.title, standIn: fm.data.standIn } : { standIn: false };
  } catch {
    return { standIn: false };
  }
}

/** Markdown in the document format → safe HTML and the section outline. Never throws on content. */
export function documentToHtml(markdownSource: string, options: DocumentHtmlOptions = {}): DocumentHtml {
  const tree = parseMarkdown(markdownSource);
  const { title, standIn } = readFrontMatter(tree);
  const marks = outline(tree);
  renderDirectives(tree);
  const hast = toHtml.runSync(tree) as HastRoot;
  decorateHeadings(hast, marks, options.commentLinksFor);
  if (options.headingsBelow) lowerHeadings(hast, options.headingsBelow);
  if (standIn) {
    hast.children.unshift(
      el(
        'div',
        ['doc-generated', 'doc-standin'],
        [
          el('p', null, [
            t(`替代稿：本文件仅有标题${title ? '《' + title + '》' : ''}，正文未提供。`),
            en('Stand-in: this file carries the title only; the text of the document was not supplied.'),
          ]),
        ],
      ),
    );
  }
  return { html: stringifier.stringify(hast), sections: marks.map((m) => m.section), title, standIn };
}

// ---------------------------------------------------------------------------------------------
// The email attachment: one standalone page

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

const ATTACHMENT_CSS = `
body { font-family: "Noto Serif CJK SC", "Songti SC", "SimSun", serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; line-height: 1.8; }
.draft-mark { display: inline-block; border: 2px solid #b00020; color: #b00020; padding: .1rem .6rem; font-weight: bold; letter-spacing: .2em; }
h1.doc-title { font-size: 1.5rem; text-align: center; }
.en { color: #666; font-size: .9em; margin-left: .3em; }
table { border-collapse: collapse; margin: .8rem 0; }
th, td { border: 1px solid #888; padding: .2rem .4rem; vertical-align: top; }
th { background: #f4f0ea; }
.doc-generated { border: 1px dashed #999; background: #f7f7f7; padding: .4rem .8rem; margin: .8rem 0; }
.doc-standin { border-color: #b00020; background: #fff3f3; }
.doc-gap { border-left: 4px solid #d08a00; background: #fff8e6; padding: .3rem .6rem; }
.doc-figure { margin: 1rem 0; text-align: center; }
.doc-figure-frame { border: 1px solid #999; background: #fafafa; height: 6rem; display: flex; align-items: center; justify-content: center; color: #666; }
.doc-box { border: 1.5px solid #333; padding: .2rem 1rem; margin: 1rem 0; }
.doc-box-title { font-weight: bold; text-align: center; }
`;

/** A complete standalone HTML page of a document, attached to invitation emails. */
export function documentToEmailAttachment(title: string, source: string): string {
  const { html } = documentToHtml(source, { headingsBelow: 1 });
  const safeTitle = escapeHtml(title);
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${safeTitle}（征求意见稿）</title>
<style>${ATTACHMENT_CSS}</style>
</head>
<body>
<p><span class="draft-mark">征求意见稿</span><span class="en">Draft for comments</span></p>
<h1 class="doc-title">${safeTitle}</h1>
${html}
</body>
</html>
`;
}
