/**
 * What a coordinator types line by line for the expert review and the dispositions' changes (the
 * coordinator's forms and the CLI read the same grammar): experts as `name | title | organisation |
 * email`, places as `doc#section | quotation`, opinions one per line or one per block.
 * Each reader answers with what it read, or the first problem (Chinese, then English) naming its line.
 * Imported by workflow code: no Node built-ins, no I/O.
 */
import { z } from 'zod';
import type { AnchorDraft } from './disposition.js';
import { say } from './messages.js';
import type { Expert } from './records.js';
import type { RoundStatus } from './round.js';
import { latestSections, resolveSection } from './sections.js';

/** The most places one change or revision note names (the requests' own bound). */
export const MAX_ANCHORS = 20;

const nonEmptyLines = (value: string) =>
  value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

const EXPERT_PARTS = [
  { key: 'name', max: 200, whatZh: '姓名', what: 'name' },
  { key: 'title', max: 200, whatZh: '职称', what: 'title' },
  { key: 'organisation', max: 300, whatZh: '单位', what: 'organisation' },
] as const;

/** One expert a line: `李华 | 教授 | 山西大学 | lihua@example.org` (title, organisation and email may be empty). */
export function parseExpertLines(value: string): { experts: Expert[]; error?: string } {
  const experts: Expert[] = [];
  for (const [i, line] of nonEmptyLines(value).entries()) {
    const n = i + 1;
    const parts = line.split('|').map((p) => p.trim());
    if (parts.length > 4 || parts[0] === '') return { experts: [], error: say('expertLine', { line: n }) };
    const expert: Record<string, string> = {};
    for (const [k, part] of EXPERT_PARTS.entries()) {
      const typed = parts[k] ?? '';
      if (typed.length > part.max) return { experts: [], error: say('expertLineTooLong', { line: n, ...part }) };
      if (typed) expert[part.key] = typed;
    }
    const email = parts[3] ?? '';
    if (email && !z.email().safeParse(email).success)
      return { experts: [], error: say('expertEmail', { line: n, email }) };
    experts.push({ ...(expert as { name: string }), ...(email ? { email } : {}) });
  }
  if (experts.length === 0) return { experts, error: say('expertsMissing') };
  return { experts };
}

/** Experts as lines again (a form shown with what was recorded). */
export const expertLines = (experts: Expert[]) =>
  experts
    .map((e) => [e.name, e.title ?? '', e.organisation ?? '', e.email ?? ''].join(' | ').replace(/( \| )+$/, ''))
    .join('\n');

/**
 * One place a line: `plan#3.7`, or `plan#3.7 | 原文引用`. The section may be typed by its number,
 * its label, its title or its id; it must be one of the document's current version.
 */
export function parseAnchorLines(value: string, round: RoundStatus): { anchors: AnchorDraft[]; error?: string } {
  const anchors: AnchorDraft[] = [];
  const lines = nonEmptyLines(value);
  if (lines.length > MAX_ANCHORS) return { anchors, error: say('tooMany', { max: MAX_ANCHORS }) };
  for (const [i, line] of lines.entries()) {
    const bar = line.indexOf('|');
    const head = bar < 0 ? line : line.slice(0, bar);
    const quote = bar < 0 ? '' : line.slice(bar + 1).trim();
    const hash = head.indexOf('#');
    const doc = head.slice(0, Math.max(hash, 0)).trim();
    const typed = head.slice(hash + 1).trim();
    if (hash < 0 || doc === '' || typed === '') return { anchors: [], error: say('anchorLine', { line: i + 1 }) };
    const document = round.documents.find((d) => d.key === doc);
    if (!document)
      return {
        anchors: [],
        error: say('anchorLineDocument', { line: i + 1, doc, docs: round.documents.map((d) => d.key).join(', ') }),
      };
    const section = resolveSection(latestSections(round, doc), typed);
    if (!section)
      return { anchors: [], error: say('anchorLineSection', { line: i + 1, title: document.title, section: typed }) };
    anchors.push({ doc, section, ...(quote ? { quote } : {}) });
  }
  return { anchors };
}

/** Places as lines again. */
export const anchorLines = (anchors: Array<{ doc: string; section?: string; quote?: string }>) =>
  anchors.map((a) => `${a.doc}#${a.section ?? ''}${a.quote ? ` | ${a.quote}` : ''}`).join('\n');

/** A number the coordinator typed before an opinion (1. 1、 （1） 一、): the round numbers them itself. */
const NUMBERING = /^(?:[（(]\s*\d+\s*[)）]|\d+\s*(?:[、．)）]|\.(?!\d))|[一二三四五六七八九十]+\s*[、．.])\s*/;

/** Opinions one per block when blank lines separate them, else one per line; a typed number in front is dropped. */
export function splitOpinions(value: string): string[] {
  const all = value.replace(/\r\n?/g, '\n').trim();
  if (all === '') return [];
  const blocks = /\n[ \t]*\n/.test(all) ? all.split(/\n[ \t]*\n\s*/) : all.split('\n');
  return blocks.map((b) => b.trim().replace(NUMBERING, '').trim()).filter((b) => b !== '');
}

/** Lines of a paragraph list (the report's assessment), empty lines dropped. */
export const paragraphLines = (value: string) => nonEmptyLines(value);
