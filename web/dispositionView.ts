/**
 * The disposition table of the coordinator's page, as table 10-1 of the plan lays it out: per bureau
 * its outcome (a bureau without comments shows "no comments" or "deemed no comments", never an
 * adoption), and per comment of the reply that counts: its text from the store, the decision, the
 * rationale, where the change was made, who decided and when, and whether it is published. Also what
 * the disposition forms offer: the comments, the decisions, the current versions' sections.
 */
import { DECISION_LABELS, OUTCOME_LABELS } from '../domain/labels.js';
import type { Anchor, Comment, Reply } from '../domain/records.js';
import type { RoundStatus } from '../domain/round.js';
import { latestSections, sectionAt, sectionLabel } from '../domain/sections.js';
import { pageTime } from '../infra/templates.js';
import { countingReply } from '../workflows/stages/consultation/rules.js';
import { commentsByBureau, undisposed } from '../workflows/stages/disposition/rules.js';
import { ANCHOR_ROWS, anchorValue } from './actions/dispose.js';
import type { FieldErrors, FormValues } from './coordinatorForms.js';

const DECISIONS = ['adopted', 'partial', 'notAdopted'] as const;

/** A comment's texts, by id, from the bureau's counting reply as loaded from the store. */
function commentTexts(reply: Reply | undefined): Map<string, Comment> {
  const out = new Map<string, Comment>();
  for (const answer of Object.values(reply?.perDocument ?? {}))
    if (answer !== 'noComments') for (const c of answer) out.set(c.id, c);
  return out;
}

export const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Where a change was made, as a person reads it: the document's title, the version, the section's label. */
export function anchorView(round: RoundStatus, a: Anchor) {
  return {
    doc: round.documents.find((d) => d.key === a.doc)?.title ?? a.doc,
    version: a.version,
    section: sectionAt(round, a.doc, a.version, a.section),
    quote: a.quote,
  };
}

/** The table: one group per bureau, one row per comment that awaits (or has) a disposition. */
export function dispositionTable(round: RoundStatus, texts: Map<number, Reply>) {
  const tz = round.timeZone;
  const byBureau = commentsByBureau(round);
  const decided = new Map(round.dispositions.map((d) => [d.commentId, d]));
  const docTitle = (key: string) => round.documents.find((d) => d.key === key)?.title ?? key;
  return round.bureaus.map((b) => {
    const reply = b.outcome === 'replied' ? countingReply(b) : undefined;
    const comments = commentTexts(reply && texts.get(reply.n));
    const ids = byBureau.get(b.bureau.id) ?? [];
    const outcome = OUTCOME_LABELS[b.outcome];
    return {
      id: b.bureau.id,
      name: b.bureau.shortNameZh ?? b.bureau.nameZh,
      nameEn: b.bureau.nameEn,
      outcome: b.outcome,
      outcomeZh: outcome.zh,
      outcomeEn: outcome.en,
      receipt: reply?.n,
      rows: ids.length,
      comments: ids.map((id) => {
        const c = comments.get(id);
        const d = decided.get(id);
        const label = DECISION_LABELS[d?.decision ?? 'undecided'];
        return {
          id,
          text: c?.text,
          suggestedChange: c?.suggestedChange,
          where: c && {
            doc: docTitle(c.anchor.doc),
            section: sectionAt(round, c.anchor.doc, c.anchor.version, c.anchor.section),
          },
          decision: d?.decision ?? 'undecided',
          decisionZh: label.zh,
          decisionEn: label.en,
          rationale: d?.rationale,
          anchors: (d?.changedAt ?? []).map((a) => anchorView(round, a)),
          decidedBy: d?.decidedBy,
          decidedAt: d && pageTime(d.decidedAt, tz, { seconds: true }),
          published: d?.published === true,
          draft: d !== undefined && !d.published,
          decideUrl: `/rounds/${round.id}/manage?comment=${encodeURIComponent(id)}#form-dispose`,
        };
      }),
    };
  });
}

/** What the disposition forms choose from, with what was typed (a re-shown form) or chosen from the table. */
export function dispositionForms(
  round: RoundStatus,
  table: ReturnType<typeof dispositionTable>,
  dispose: { v: FormValues; e: FieldErrors },
  adopt: { v: FormValues },
) {
  const { v, e } = dispose;
  const a = adopt.v;
  const open = undisposed(round);
  const rows = Math.max(
    ANCHOR_ROWS,
    ...Object.keys(v)
      .map((k) => /^at\.(\d+)\.(section|quote)$/.exec(k))
      .filter((m) => m && v[m[0]]!.trim() !== '')
      .map((m) => Number(m![1]) + 1),
  );
  const docs = round.documents
    .map((d) => ({ key: d.key, title: d.title, sections: latestSections(round, d.key) }))
    .filter((d) => d.sections.length > 0);
  return {
    undecided: open.length,
    total: table.reduce((n, b) => n + b.rows, 0),
    decided: table.reduce((n, b) => n + b.comments.filter((c) => c.decision !== 'undecided').length, 0),
    commentOptions: table.flatMap((b) =>
      b.comments.map((c) => ({
        id: c.id,
        label: `${c.id} · ${b.name} · ${c.decisionZh}${c.text ? ` · ${short(c.text, 30)}` : ''}`,
        selected: v.commentId === c.id,
      })),
    ),
    decisionOptions: DECISIONS.map((d) => ({
      value: d,
      zh: DECISION_LABELS[d].zh,
      en: DECISION_LABELS[d].en,
      selected: v.decision === d,
    })),
    anchorRows: Array.from({ length: rows }, (_, i) => ({
      n: i + 1,
      name: `at.${i}.section`,
      quoteName: `at.${i}.quote`,
      quote: v[`at.${i}.quote`] ?? '',
      error: e[`at.${i}.section`],
      quoteError: e[`at.${i}.quote`],
      docs: docs.map((d) => ({
        title: d.title,
        options: d.sections.map((s) => ({
          value: anchorValue(d.key, s.id),
          label: sectionLabel(s),
          selected: v[`at.${i}.section`] === anchorValue(d.key, s.id),
        })),
      })),
    })),
    adoptOptions: table
      .filter((b) => b.rows > 0)
      .map((b) => {
        const left = b.comments.filter((c) => c.decision === 'undecided').length;
        return {
          id: b.id,
          label: `${b.name} ${b.id} · 待处理 ${left} / ${b.rows} 条 (${left} of ${b.rows} undecided)`,
          selected: a.bureauId === b.id,
        };
      }),
  };
}
