/**
 * The document walker: turns the parsed Markdown (infra/documents.ts, the one pipeline) into the
 * renderer's blocks. Generated parts stay as directive blocks; the layout fills them from the record.
 */
import type { Heading, Nodes, Paragraph, PhrasingContent, Root, RootContent, Table } from 'mdast';
import type { ContainerDirective, LeafDirective } from 'mdast-util-directive';
import { toString } from 'mdast-util-to-string';
import { parseDocument, sectionId, splitHeading, type FrontMatter } from '../infra/documents.js';
import { isHtmlTable, parseHtmlTable } from './htmltable.js';
import { scriptText } from './subsup.js';
import type { TableModel } from './table.js';

export type ReviewKind = 'revision-notes' | 'consultation' | 'replies' | 'expert-opinions';

export type Block =
  | { t: 'heading'; level: number; number: string; title: string; id: string; text: string; toc: boolean }
  | {
      t: 'para';
      text: string;
      style: 'body' | 'note' | 'center' | 'title' | 'plain' | 'right';
      indent?: boolean;
      inset?: number;
      bold?: boolean;
    }
  | { t: 'caption'; text: string }
  | { t: 'table'; table: TableModel }
  | { t: 'figure'; number?: string; title?: string; src?: string; caption?: string }
  | { t: 'gap'; note: string }
  | { t: 'box'; title?: string; children: Block[] }
  | { t: 'review'; kind: ReviewKind }
  | { t: 'space'; h: number };

export interface WalkedDocument {
  frontMatter: FrontMatter;
  blocks: Block[];
  /** Index in `blocks` of the first body heading (前言, else the first level-1 heading). */
  bodyStart: number;
}

const REVIEW_KINDS = new Set<ReviewKind>(['revision-notes', 'consultation']);
const APPENDIX_KINDS = new Set<ReviewKind>(['replies', 'expert-opinions']);

export class DirectiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectiveError';
  }
}

/** Inline content as text: soft line breaks between CJK characters vanish, sub/sup become Unicode. */
export function inlineText(nodes: PhrasingContent[]): string {
  let out = '';
  let script: 'sub' | 'sup' | null = null;
  let buf = '';
  const emit = (s: string): void => {
    if (script) buf += s;
    else out += s;
  };
  const walk = (list: PhrasingContent[]): void => {
    for (const n of list) {
      switch (n.type) {
        case 'text':
        case 'inlineCode':
          emit(n.value);
          break;
        case 'break':
          emit('\n');
          break;
        case 'html': {
          const m = /^<(\/?)(sub|sup|br)\s*\/?>$/i.exec(n.value.trim());
          if (!m) emit(n.value);
          else if (m[2]!.toLowerCase() === 'br') emit('\n');
          else if (!m[1]) {
            script = m[2]!.toLowerCase() as 'sub' | 'sup';
            buf = '';
          } else if (script) {
            out += scriptText(buf, script);
            script = null;
          }
          break;
        }
        case 'image':
          break;
        default:
          if ('children' in n) walk(n.children as PhrasingContent[]);
          else if ('value' in n) emit(String((n as { value: unknown }).value));
      }
    }
  };
  walk(nodes);
  if (script) out += buf;
  // A soft line break: nothing between CJK characters, a space elsewhere.
  return out.replace(/[ \t]*\n[ \t]*/g, (m, offset: number, s: string) => {
    const a = s.charAt(offset - 1);
    const b = s.charAt(offset + m.length);
    return isCjk(a) || isCjk(b) ? '' : ' ';
  });
}

function isCjk(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xff00 && cp <= 0xffef) || (cp >= 0xf900 && cp <= 0xfaff);
}

function gfmTable(node: Table): TableModel {
  const rows = node.children.map((r) =>
    r.children.map((c) => ({ text: inlineText(c.children).trim(), rowspan: 1, colspan: 1, header: false })),
  );
  const head = rows.slice(0, 1).map((r) => r.map((c) => ({ ...c, header: true })));
  const align = node.align?.map((a) => (a === 'center' ? 'center' : a === 'right' ? 'right' : 'left')) ?? undefined;
  return { head, body: rows.slice(1), align: align as TableModel['align'] };
}

const CAPTION_TABLE = /^表\s*[\dA-Za-z]+([-－.．]\d+)*\s/;
const CAPTION_FIGURE = /^图\s*[\dA-Za-z]+([-－.．]\d+)*\s/;

function attr(node: LeafDirective | ContainerDirective, name: string): string | undefined {
  const v = node.attributes?.[name];
  return v === null || v === undefined ? undefined : String(v);
}

function walkChildren(children: RootContent[], out: Block[], where: string): void {
  for (let i = 0; i < children.length; i++) {
    const node = children[i]!;
    const next = children[i + 1];
    switch (node.type) {
      case 'yaml':
      case 'definition':
      case 'footnoteDefinition':
      case 'thematicBreak':
        break;
      case 'heading': {
        const h = node as Heading;
        const text = inlineText(h.children).trim();
        const parts = splitHeading(text);
        out.push({
          t: 'heading',
          level: h.depth,
          number: parts.number,
          title: parts.title,
          id: sectionId(parts),
          text,
          toc: h.depth <= 2,
        });
        break;
      }
      case 'paragraph': {
        const p = node as Paragraph;
        const images = p.children.filter((c) => c.type === 'image');
        const text = inlineText(p.children).trim();
        if (images.length > 0 && !text) {
          // ![](file) followed by its caption paragraph 图 x-y.
          const capNode = next?.type === 'paragraph' ? inlineText((next as Paragraph).children).trim() : '';
          const caption = CAPTION_FIGURE.test(capNode) ? capNode : undefined;
          for (const img of images) out.push({ t: 'figure', src: (img as { url: string }).url, caption });
          if (caption) i++;
          break;
        }
        if (!text) break;
        const nextIsTable =
          next &&
          (next.type === 'table' ||
            (next.type === 'html' && isHtmlTable(next.value)) ||
            (next.type === 'leafDirective' && (next as LeafDirective).name === 'review-table'));
        if (CAPTION_TABLE.test(text) && nextIsTable) out.push({ t: 'caption', text });
        else if (CAPTION_FIGURE.test(text)) out.push({ t: 'caption', text });
        else if (/^注[：:]/.test(text) || /^资料来源[：:]/.test(text)) out.push({ t: 'para', text, style: 'note' });
        else out.push({ t: 'para', text, style: 'body', indent: true });
        break;
      }
      case 'table':
        out.push({ t: 'table', table: gfmTable(node as Table) });
        break;
      case 'html':
        if (isHtmlTable(node.value))
          out.push({ t: 'table', table: parseHtmlTable(node.value, node.position?.start.line) });
        else if (node.value.trim() && !/^<!--[\s\S]*-->$/.test(node.value.trim()))
          out.push({ t: 'para', text: node.value.trim(), style: 'body' });
        break;
      case 'list': {
        let n = node.start ?? 1;
        for (const item of node.children) {
          const marker = node.ordered ? `${n++}. ` : '• ';
          const inner: Block[] = [];
          walkChildren(item.children as RootContent[], inner, where);
          let first = true;
          for (const b of inner) {
            if (b.t === 'para') {
              out.push({ ...b, text: (first ? marker : '') + b.text, indent: false, inset: 24 });
              first = false;
            } else out.push(b);
          }
        }
        break;
      }
      case 'blockquote': {
        const inner: Block[] = [];
        walkChildren(node.children as RootContent[], inner, where);
        for (const b of inner) out.push(b.t === 'para' ? { ...b, inset: 24 } : b);
        break;
      }
      case 'code':
        for (const line of node.value.split('\n')) out.push({ t: 'para', text: line || ' ', style: 'plain' });
        break;
      case 'leafDirective': {
        const d = node as LeafDirective;
        const line = d.position?.start.line ?? 0;
        if (d.name === 'review-table' || d.name === 'appendix') {
          const kind = attr(d, 'kind') as ReviewKind | undefined;
          const allowed = d.name === 'review-table' ? REVIEW_KINDS : APPENDIX_KINDS;
          if (!kind || !allowed.has(kind))
            throw new DirectiveError(`line ${line}: ::${d.name} has unknown kind "${kind ?? ''}"`);
          out.push({ t: 'review', kind });
        } else if (d.name === 'figure') {
          const number = attr(d, 'number');
          const title = attr(d, 'title');
          out.push({
            t: 'figure',
            number,
            title,
            src: attr(d, 'src'),
            caption: [number ? `图 ${number}` : '', title ?? ''].join(' ').trim() || undefined,
          });
        } else if (d.name === 'gap') {
          out.push({ t: 'gap', note: attr(d, 'note') ?? toString(d) ?? '' });
        } else {
          throw new DirectiveError(`line ${line}: unknown directive ::${d.name}`);
        }
        break;
      }
      case 'containerDirective': {
        const d = node as ContainerDirective;
        if (d.name !== 'box')
          throw new DirectiveError(`line ${d.position?.start.line ?? 0}: unknown directive :::${d.name}`);
        const inner: Block[] = [];
        const kids = d.children.filter(
          (c) => !(c.type === 'paragraph' && (c.data as { directiveLabel?: boolean } | undefined)?.directiveLabel),
        );
        walkChildren(kids as RootContent[], inner, where);
        out.push({ t: 'box', title: attr(d, 'title'), children: inner });
        break;
      }
      default: {
        const text = toString(node as Nodes).trim();
        if (text) out.push({ t: 'para', text, style: 'body', indent: true });
      }
    }
  }
}

const walked = new Map<string, WalkedDocument>();

/** Parses (with the shared pipeline) and walks a document; cached by source text. */
export function walkDocument(source: string): WalkedDocument {
  const hit = walked.get(source);
  if (hit) return hit;
  const parsed = parseDocument(source);
  const blocks: Block[] = [];
  walkChildren((parsed.tree as Root).children, blocks, 'document');
  let bodyStart = blocks.findIndex((b) => b.t === 'heading' && b.level === 1 && b.title.replace(/\s+/g, '') === '前言');
  if (bodyStart < 0) bodyStart = blocks.findIndex((b) => b.t === 'heading' && b.level === 1);
  if (bodyStart < 0) bodyStart = 0;
  const result = { frontMatter: parsed.frontMatter, blocks, bodyStart };
  if (walked.size > 20) walked.clear();
  walked.set(source, result);
  return result;
}
