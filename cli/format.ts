/** Plain-text tables for the terminal. */
import type { RoundStatus } from '../domain/round.js';
import { problemsWithMailDelays } from '../domain/mail.js';
import { both, DECISION_LABELS, LATE_LABEL, outcomeText, stageText } from '../domain/labels.js';
import { commentsByBureau } from '../workflows/stages/disposition/rules.js';
import { repliedLate } from '../workflows/stages/consultation/rules.js';
import type { RoundListing } from '../infra/roundGateway.js';
import { joined } from '../domain/messages.js';
import { blockerText } from '../domain/approval.js';
import { formatInstant, formatMeetingTime } from '../infra/templates.js';

/** Display width: CJK characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return w;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(widths[i]! - width(c)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatRoundStatus(s: RoundStatus): string {
  const head = [
    `${s.id}  ${s.title}`,
    `stage: ${stageText(s.stage)}   started: ${formatInstant(s.startedAt, s.timeZone, { seconds: true })} by ${s.startedBy.name}   coordinator: ${s.coordinator.name}`,
    '',
    table(
      ['document', 'version', 'sections', 'sha256'],
      s.documents.flatMap((d) =>
        d.versions.map((v) => [
          d.key + (d.standIn ? ' (title only)' : ''),
          String(v.n),
          String(v.sections.length),
          v.sha256.slice(0, 16),
        ]),
      ),
    ),
  ];
  if (s.bureaus.length > 0) {
    head.push(
      '',
      table(
        ['bureau', 'outcome', 'deadline', 'replies', 'reminders', 'failures'],
        s.bureaus.map((b) => [
          `${b.bureau.id} ${b.bureau.nameZh}`,
          repliedLate(b) ? `${outcomeText(b.outcome)} · ${both(LATE_LABEL)}` : outcomeText(b.outcome),
          formatInstant(b.deadline, b.bureau.timeZone ?? s.timeZone),
          String(b.replies.length),
          String(b.invitation?.remindersSent.length ?? 0),
          String(b.invitation?.failures.length ?? 0),
        ]),
      ),
    );
  }
  const comments = [...commentsByBureau(s).values()].flat();
  if (s.stage === 'disposition' || s.dispositions.length > 0) {
    const decided = new Map(s.dispositions.map((d) => [d.commentId, d]));
    head.push(
      '',
      s.dispositionsPublished
        ? `dispositions: published ${formatInstant(s.dispositionsPublished.at, s.timeZone, { seconds: true })} by ${s.dispositionsPublished.by.name}`
        : `dispositions: ${comments.filter((id) => decided.has(id)).length} of ${comments.length} decided (drafts until published)`,
      table(
        ['comment', 'decision', 'rationale', 'changed at', 'decided by'],
        comments.map((id) => {
          const d = decided.get(id);
          return [
            id,
            both(DECISION_LABELS[d?.decision ?? 'undecided']),
            (d?.rationale ?? '').replace(/\s+/g, ' ').slice(0, 40),
            (d?.changedAt ?? []).map((a) => `${a.doc} v${a.version} ${a.section ?? ''}`.trim()).join('; '),
            d ? `${d.decidedBy.name} ${formatInstant(d.decidedAt, s.timeZone, { seconds: true })}` : '',
          ];
        }),
      ),
    );
  }
  head.push(...expertReviewLines(s), ...objectionLines(s));
  for (const b of s.approval.blockers) head.push(`approval blocked: ${joined(blockerText(b))}`);
  for (const m of s.mailInFlight ?? [])
    head.push(
      `mail not sent yet: ${m.kind} to ${m.to.join(', ')} since ${formatInstant(m.since, s.timeZone)}${m.attempts ? `, attempt ${m.attempts}` : ''}${m.lastError ? `: ${m.lastError}` : ''}`,
    );
  for (const p of problemsWithMailDelays(s, Date.now())) head.push(`problem: ${p.message}`);
  return head.join('\n');
}

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

/** The meeting (its calendar UID and SEQUENCE), the experts, the opinions with their revision notes. */
function expertReviewLines(s: RoundStatus): string[] {
  const r = s.expertReview;
  if (!r) return [];
  const m = r.meeting;
  const lines = [''];
  if (!m) lines.push('expert review: no meeting scheduled yet');
  else {
    const state = r.cancelled ? ` · cancelled: ${r.cancelled.reason ?? ''}` : m.held ? ' · held' : '';
    lines.push(
      `expert meeting: ${formatMeetingTime(m.start, m.end, m.tz)} · ${m.place ?? m.url ?? ''} · ${m.organiser}${state}`,
      `  UID ${m.uid}  SEQUENCE ${m.sequence}`,
      `  experts: ${r.experts.map((e) => [e.name, e.title, e.organisation].filter(Boolean).join(', ') + (e.email ? ` <${e.email}>` : '')).join('; ')}`,
    );
  }
  if (r.opinionsRecorded && r.signed) {
    lines.push(
      `expert opinions: signed ${r.signed.on} by ${r.signed.by}`,
      table(
        ['n', 'opinion', 'revision note', 'changed at'],
        r.opinions.map((o) => [
          String(o.n),
          oneLine(o.text, 40),
          o.revisionNote ? oneLine(o.revisionNote.text, 40) : '(none yet)',
          (o.revisionNote?.changedAt ?? []).map((a) => `${a.doc} v${a.version} ${a.section ?? ''}`.trim()).join('; '),
        ]),
      ),
    );
  }
  return lines;
}

function objectionLines(s: RoundStatus): string[] {
  const objected = s.notices.filter((n) => n.response === 'objected');
  if (objected.length === 0) return [];
  return [
    '',
    table(
      ['objection', 'text', 'resolution'],
      objected.map((n) => [
        n.bureauId,
        oneLine(n.objection ?? '', 40),
        n.resolution ? `${n.resolution.by.name}: ${oneLine(n.resolution.note, 40)}` : 'open',
      ]),
    ),
  ];
}

export function formatRoundList(rounds: RoundListing[]): string {
  if (rounds.length === 0) return 'no rounds';
  return table(
    ['round', 'workflow', 'started', 'title'],
    rounds.map((r) => [r.id, r.status, r.startTime, r.title]),
  );
}
