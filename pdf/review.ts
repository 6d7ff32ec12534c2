/**
 * The generated parts: the directive renderers that fill the review tables and appendices from the
 * ReviewRecord. They return ordinary blocks (tables, paragraphs) for the layout.
 */
import type { Bureau, BureauOutcome, Comment, Decision, Reply, ReviewRecord } from '../domain/records.js';
import { OUTCOME_LABELS } from '../domain/labels.js';
import type { Block, ReviewKind } from './blocks.js';
import type { PageRefs } from './pagerefs.js';
import type { TableCell } from './table.js';

export type Mode = 'draft' | 'approved';

const DECISION: Record<Decision, string> = { adopted: '已采纳', partial: '部分采纳', notAdopted: '未采纳' };

export interface ReviewContext {
  record: ReviewRecord;
  mode: Mode;
  refs: PageRefs;
  /** Title of the plan being rendered (for the revision-notes heading). */
  title: string;
  /** Caption of table 10-1 (number computed by the layout). */
  caption: string;
}

const c = (text: string, extra: Partial<TableCell> = {}): TableCell => ({
  text,
  rowspan: 1,
  colspan: 1,
  header: false,
  ...extra,
});
const h = (text: string): TableCell => ({ text, rowspan: 1, colspan: 1, header: true });

/** The latest reply of each bureau (highest version). */
export function latestReplies(record: ReviewRecord): Map<string, Reply> {
  const latest = new Map<string, Reply>();
  for (const r of record.replies) {
    const cur = latest.get(r.bureauId);
    if (!cur || r.version > cur.version) latest.set(r.bureauId, r);
  }
  return latest;
}

function shortName(b: Bureau): string {
  return b.shortNameZh ?? b.nameZh;
}

function commentsOf(record: ReviewRecord, reply: Reply): Comment[] {
  const out: Comment[] = [];
  const keys = [
    ...record.documents.map((d) => d.key),
    ...Object.keys(reply.perDocument).filter((k) => !record.documents.some((d) => d.key === k)),
  ];
  for (const k of keys) {
    const a = reply.perDocument[k];
    if (a && a !== 'noComments') out.push(...a);
  }
  return out;
}

export function formatDate(iso: string, timeZone = 'Asia/Shanghai'): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(new Date(iso));
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}年${Number(get('month'))}月${Number(get('day'))}日`;
}

function pending(kind: ReviewKind): Block[] {
  const what = kind === 'revision-notes' || kind === 'consultation' ? '本表' : '本附件';
  return [{ t: 'para', text: `（${what}在规划批准时根据审查记录生成。）`, style: 'note' }];
}

function revisionNotes(ctx: ReviewContext): Block[] {
  const out: Block[] = [
    { t: 'para', text: `《${ctx.title}》`, style: 'title' },
    { t: 'para', text: '修 改 说 明', style: 'title' },
    { t: 'space', h: 6 },
  ];
  const opinions = ctx.record.expertReview?.opinions ?? [];
  const body = opinions.map((o) => [
    c(String(o.n), { align: 'center' }),
    c(o.text),
    c(o.revisionNote?.text ?? '—'),
    c(o.revisionNote && o.revisionNote.changedAt.length > 0 ? `见 ${ctx.refs.text(o.revisionNote.changedAt)}` : '—', {
      align: 'center',
    }),
  ]);
  out.push({
    t: 'table',
    table: { head: [[h('序号'), h('专家意见'), h('修改说明'), h('修改页码')]], body, widths: [0.08, 0.38, 0.38, 0.16] },
  });
  return out;
}

function consultation(ctx: ReviewContext): Block[] {
  const { record } = ctx;
  const latest = latestReplies(record);
  const body: TableCell[][] = [];
  record.bureaus.forEach((b, i) => {
    const outcome = record.outcomes[b.id];
    const reply = latest.get(b.id);
    const comments = reply ? commentsOf(record, reply) : [];
    const rowFor = (text: string, adoption: string, note: string): TableCell[] => [
      c(text),
      c(adoption, { align: 'center' }),
      c(note, { align: 'center' }),
    ];
    let rows: TableCell[][];
    const printed = (o: BureauOutcome) => rowFor(OUTCOME_LABELS[o].printed, '/', '/');
    if (outcome === 'deemedNoComments' || outcome === 'waived') rows = [printed(outcome)];
    else if (!reply) rows = [printed('pending')];
    else if (comments.length === 0) rows = [printed('noComments')];
    else {
      rows = comments.map((cm) => {
        const d = record.dispositions.find((x) => x.commentId === cm.id);
        if (!d) return rowFor(cm.text, '待处理', '/');
        const note = d.changedAt.length > 0 ? ctx.refs.text(d.changedAt) : (d.rationale ?? '/');
        return rowFor(
          cm.text,
          DECISION[d.decision],
          d.decision !== 'adopted' && d.rationale && d.changedAt.length > 0 ? `${note}；${d.rationale}` : note,
        );
      });
    }
    rows[0]!.unshift(
      c(String(i + 1), { rowspan: rows.length, align: 'center' }),
      c(shortName(b), { rowspan: rows.length, align: 'center' }),
    );
    body.push(...rows);
  });
  return [
    { t: 'caption', text: ctx.caption },
    {
      t: 'table',
      table: {
        head: [[h('序号'), h('单位'), h('回复意见情况'), h('意见采纳情况'), h('备注')]],
        body,
        widths: [0.07, 0.14, 0.51, 0.14, 0.14],
      },
    },
  ];
}

function replies(ctx: ReviewContext): Block[] {
  const { record } = ctx;
  const latest = latestReplies(record);
  const out: Block[] = [];
  record.bureaus.forEach((b, i) => {
    const reply = latest.get(b.id);
    const outcome = record.outcomes[b.id];
    out.push({ t: 'para', text: `${i + 1}. ${b.nameZh}`, style: 'plain', bold: true });
    if (!reply) {
      const silent = outcome === 'deemedNoComments' || outcome === 'waived' ? outcome : 'pending';
      out.push({ t: 'para', text: `${OUTCOME_LABELS[silent].printed}。`, style: 'body', indent: true });
      out.push({ t: 'space', h: 8 });
      return;
    }
    for (const d of record.documents) {
      const answer = reply.perDocument[d.key];
      if (answer === undefined) continue;
      if (answer === 'noComments') {
        out.push({ t: 'para', text: `关于《${d.title}》：无意见。`, style: 'body', indent: true });
        continue;
      }
      out.push({ t: 'para', text: `关于《${d.title}》：`, style: 'body', indent: true });
      answer.forEach((cm, k) => {
        const where = [
          cm.anchor.draftPage ? `征求意见稿第 ${cm.anchor.draftPage} 页` : '',
          cm.anchor.section ? `${cm.anchor.section}` : '',
        ]
          .filter(Boolean)
          .join('，');
        const quote = cm.anchor.quote ? `“${cm.anchor.quote}”` : '';
        out.push({ t: 'para', text: `（${k + 1}）${where ? `${where}：` : ''}${quote}`, style: 'body', inset: 24 });
        out.push({ t: 'para', text: `意见：${cm.text}`, style: 'body', inset: 24 });
        if (cm.suggestedChange)
          out.push({ t: 'para', text: `建议修改为：${cm.suggestedChange}`, style: 'body', inset: 24 });
      });
    }
    const via =
      reply.channel === 'paper' ? `（纸质回复${reply.recordedBy ? `，由${reply.recordedBy.name}录入` : ''}）` : '';
    out.push({
      t: 'para',
      text: `回复人：${reply.responder.name}（${reply.responder.position}）${via}`,
      style: 'right',
    });
    out.push({ t: 'para', text: b.nameZh, style: 'right' });
    out.push({ t: 'para', text: formatDate(reply.submittedAt, b.timeZone), style: 'right' });
    out.push({ t: 'space', h: 10 });
  });
  return out;
}

function expertOpinions(ctx: ReviewContext): Block[] {
  const er = ctx.record.expertReview;
  if (!er) return [{ t: 'para', text: '（尚未召开专家评审会。）', style: 'note' }];
  const out: Block[] = [
    { t: 'para', text: er.report.title, style: 'title' },
    { t: 'space', h: 6 },
    { t: 'para', text: er.report.intro, style: 'body', indent: true },
  ];
  for (const p of er.report.assessment) out.push({ t: 'para', text: p, style: 'body', indent: true });
  for (const o of er.opinions) out.push({ t: 'para', text: `${o.n}、${o.text}`, style: 'body', indent: true });
  if (er.experts.length > 0) {
    out.push({ t: 'para', text: `专家：${er.experts.map((e) => e.name).join('、')}`, style: 'body' });
  }
  out.push({ t: 'para', text: er.meeting.organiser, style: 'right' });
  out.push({ t: 'para', text: formatDate(er.meeting.start, er.meeting.tz), style: 'right' });
  return out;
}

/** Expands one generated part. In draft mode the review parts print one line saying they come on approval. */
export function renderReview(kind: ReviewKind, ctx: ReviewContext): Block[] {
  if (ctx.mode === 'draft') return pending(kind);
  switch (kind) {
    case 'revision-notes':
      return revisionNotes(ctx);
    case 'consultation':
      return consultation(ctx);
    case 'replies':
      return replies(ctx);
    case 'expert-opinions':
      return expertOpinions(ctx);
  }
}
