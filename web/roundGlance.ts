/**
 * A round at a glance, for the coordinator: how many bureaus have replied out of those invited, who
 * is pending, waived, deemed or late, the next deadline, and what needs the coordinator (a bureau
 * past its deadline without a reply, whose paper reply may be waiting to be recorded; a delivery that
 * failed since the last one that went; an email still not sent after MAIL_DELAY_PROBLEM_MS; an open
 * objection; what else blocks approval). The round list and the top of the round's page read the
 * same figures.
 */
import { blockerText } from '../domain/approval.js';
import { MAIL_KIND_LABELS, type Label } from '../domain/labels.js';
import { mailDelayed, type MailKind } from '../domain/mail.js';
import { OUTCOME_LABELS } from '../domain/labels.js';
import type { BureauStatus, RoundStatus } from '../domain/round.js';
import { zoneLabel } from '../domain/time.js';
import { pageTime, timeLeft, type PageTime } from '../infra/templates.js';
import { openObjections } from '../workflows/stages/disposition/rules.js';
import { repliedLate } from '../workflows/stages/consultation/rules.js';

/** The coordinator's forms a bureau's row and an attention item lead to. */
export type BureauForm = 'extend' | 'waive' | 'paper' | 'resend' | 'contact' | 'resolve-objection';

/** Blockers of approval that the list names already, bureau by bureau. */
const NAMED_ELSEWHERE = new Set(['pendingBureaus', 'openObjections']);

export interface AttentionItem {
  kind: 'overdue' | 'deliveryFailed' | 'mailDelayed' | 'objection' | 'approvalBlocked';
  bureauId?: string;
  /** What needs the coordinator, in both languages, naming the bureau. */
  text: Label;
  /** The forms that answer it, in the order to try them. */
  forms: BureauForm[];
}

export interface RoundGlance {
  invited: number;
  /** Replied, with or without comments (a deemed bureau did not reply). */
  replied: number;
  pending: number;
  waived: number;
  deemed: number;
  /** Past the deadline without a reply on time: replied in the grace period, or still silent in it. */
  late: number;
  /** The earliest deadline still ahead: a pending bureau's, or an outcome notice's answer. */
  nextDeadline: string | undefined;
  attention: AttentionItem[];
}

const ms = (iso: string) => Date.parse(iso);

/** Past its deadline, still no reply: the round takes one until the grace period ends. */
const overdue = (b: BureauStatus, now: number) => b.outcome === 'pending' && ms(b.deadline) < now;

/** The invitation's latest failure came after its latest accepted message: the bureau may not have it. */
function undelivered(b: BureauStatus): boolean {
  const inv = b.invitation;
  if (!inv || inv.failures.length === 0) return false;
  const failed = Math.max(...inv.failures.map((f) => ms(f.at)));
  const sent = Math.max(-Infinity, ...inv.messages.map((m) => ms(m.at)));
  return failed > sent;
}

const named = (b: BureauStatus) => ({ zh: b.bureau.shortNameZh ?? b.bureau.nameZh, en: b.bureau.nameEn });

export function roundGlance(round: RoundStatus, now: number): RoundGlance {
  const count = (pred: (b: BureauStatus) => boolean) => round.bureaus.filter(pred).length;
  const attention: AttentionItem[] = [];
  const running = round.stage !== 'cancelled' && round.stage !== 'approved' && round.stage !== 'completed';
  if (running) {
    for (const b of round.bureaus) {
      const n = named(b);
      if (overdue(b, now))
        attention.push({
          kind: 'overdue',
          bureauId: b.bureau.id,
          text: {
            zh: `${n.zh}已过截止时间仍未回复：如收到纸质回复请登记，或延期`,
            en: `${n.en} is past its deadline without a reply: record a paper reply, or extend`,
          },
          forms: ['paper', 'extend'],
        });
      if (b.outcome === 'pending' && undelivered(b))
        attention.push({
          kind: 'deliveryFailed',
          bureauId: b.bureau.id,
          text: {
            zh: `发给${n.zh}的邮件投递失败：请核对联系人后重发`,
            en: `Mail to ${n.en} could not be delivered: check the contact, then resend`,
          },
          forms: ['contact', 'resend'],
        });
    }
    for (const notice of openObjections(round)) {
      const b = round.bureaus.find((x) => x.bureau.id === notice.bureauId);
      const n = b ? named(b) : { zh: notice.bureauId, en: notice.bureauId };
      attention.push({
        kind: 'objection',
        bureauId: notice.bureauId,
        text: {
          zh: `${n.zh}对处理结果提出异议，待处理`,
          en: `${n.en} objected to the outcome: resolve it`,
        },
        forms: ['resolve-objection'],
      });
    }
    for (const m of round.mailInFlight ?? []) {
      if (!mailDelayed(m, now)) continue;
      const b = round.bureaus.find((x) => x.bureau.id === m.recipient);
      const n = b ? named(b) : { zh: m.to.join('、'), en: m.to.join(', ') };
      const kind = Object.hasOwn(MAIL_KIND_LABELS, m.kind)
        ? MAIL_KIND_LABELS[m.kind as MailKind]
        : { zh: m.kind, en: m.kind };
      const minutes = Math.floor((now - ms(m.since)) / 60_000);
      attention.push({
        kind: 'mailDelayed',
        ...(b && { bureauId: b.bureau.id }),
        text: {
          zh: `发给${n.zh}的${kind.zh}已等待 ${minutes} 分钟仍未发出${m.lastError ? `（最近的错误：${m.lastError}）` : ''}`,
          en: `The ${kind.en.toLowerCase()} to ${n.en} has waited ${minutes} minutes and is not sent yet${m.lastError ? ` (last error: ${m.lastError})` : ''}`,
        },
        forms: b ? ['contact'] : [],
      });
    }
    if (round.stage === 'approval')
      for (const blocker of round.approval.blockers.filter((x) => !NAMED_ELSEWHERE.has(x.code))) {
        const why = blockerText(blocker);
        attention.push({
          kind: 'approvalBlocked',
          text: { zh: `尚不能批准：${why.zh}`, en: `Approval is not possible yet: ${why.en}` },
          forms: [],
        });
      }
  }
  const ahead = [
    ...round.bureaus.filter((b) => b.outcome === 'pending').map((b) => ms(b.deadline)),
    ...round.notices.filter((n) => n.response === 'pending').map((n) => ms(n.respondBy)),
  ].filter((t) => t > now);
  return {
    invited: round.bureaus.length,
    replied: count((b) => b.outcome === 'replied' || b.outcome === 'noComments'),
    pending: count((b) => b.outcome === 'pending'),
    waived: count((b) => b.outcome === 'waived'),
    deemed: count((b) => b.outcome === 'deemedNoComments'),
    late: count((b) => repliedLate(b) || overdue(b, now)),
    nextDeadline: ahead.length > 0 ? new Date(Math.min(...ahead)).toISOString() : undefined,
    attention,
  };
}

/** The glance as a page shows it: the next deadline in the round's zone. */
export function glanceOnPage(
  round: RoundStatus,
  now: number,
): Omit<RoundGlance, 'nextDeadline'> & { nextDeadline?: PageTime } {
  const glance = roundGlance(round, now);
  return { ...glance, nextDeadline: glance.nextDeadline ? pageTime(glance.nextDeadline, round.timeZone) : undefined };
}

// ---------------------------------------------------------------------------------------------
// The glance as the round's pages show it: the summary line, what needs the coordinator, a row per bureau

/** The forms a row or an attention item opens on the coordinator's page, named as its button is. */
export const BUREAU_FORMS: Record<BureauForm, Label> = {
  paper: { zh: '登记纸质回复', en: 'Record a paper reply' },
  extend: { zh: '延期', en: 'Extend' },
  resend: { zh: '重发', en: 'Resend' },
  contact: { zh: '更换联系人', en: 'Change the contact' },
  waive: { zh: '豁免', en: 'Waive' },
  'resolve-objection': { zh: '处理异议', en: 'Resolve the objection' },
};

/**
 * Which of the coordinator's forms the page offers: all of the consultation's while it runs, only
 * the paper reply after it (a card received in time is still recorded), none to a reader or once
 * the round is over.
 */
export type FormsOffered = 'consultation' | 'paper' | 'none';

/** What the coordinator's page offers for this round (the manage page's own rule: web/coordinatorRoutes.ts). */
export function formsOffered(round: RoundStatus, coordinator: boolean): FormsOffered {
  if (!coordinator || round.stage === 'cancelled' || round.stage === 'approved') return 'none';
  return round.stage === 'disposition' ? 'paper' : 'consultation';
}

function rowForms(b: BureauStatus, offered: FormsOffered): BureauForm[] {
  if (offered === 'none') return [];
  if (offered === 'paper') return b.outcome === 'pending' || b.outcome === 'deemedNoComments' ? ['paper'] : [];
  switch (b.outcome) {
    case 'pending':
      return ['paper', 'extend', ...(b.invitation ? (['resend'] as const) : []), 'contact', 'waive'];
    case 'deemedNoComments':
      return ['paper', 'extend'];
    default:
      return [];
  }
}

/** A form of the coordinator's page, opened with the bureau chosen (a GET that only pre-fills). */
export const formLink = (roundId: string, form: BureauForm, bureauId: string) => ({
  href: `/rounds/${roundId}/manage?form=${form}&bureau=${encodeURIComponent(bureauId)}#form-${form}`,
  ...BUREAU_FORMS[form],
});

const bureauTz = (b: BureauStatus, round: RoundStatus) => b.bureau.timeZone ?? round.timeZone;

/**
 * The top of a round's page. Times are in the round's zone, named once in the table's heading; a
 * bureau in another zone has its own named beside its time. IDs (Message-IDs, links) stay out: the
 * bureau's details hold them.
 */
export function glanceView(round: RoundStatus, now: number, offered: FormsOffered) {
  const glance = glanceOnPage(round, now);
  const links = (forms: BureauForm[], bureauId: string | undefined) =>
    offered !== 'none' && bureauId ? forms.map((f) => formLink(round.id, f, bureauId)) : [];
  return {
    ...glance,
    zone: zoneLabel(round.timeZone),
    timeZone: round.timeZone,
    attention: glance.attention.map((item) => ({
      ...item,
      links: links(item.forms, item.bureauId),
      detail:
        item.kind === 'approvalBlocked'
          ? `/rounds/${round.id}/approval#blockers`
          : item.bureauId && offered !== 'none'
            ? `/rounds/${round.id}/manage#bureau-${item.bureauId}`
            : undefined,
    })),
    rows: round.bureaus.map((b) => {
      const latest = b.replies[b.replies.length - 1];
      const tz = bureauTz(b, round);
      const otherZone = tz !== round.timeZone;
      return {
        id: b.bureau.id,
        name: b.bureau.shortNameZh ?? b.bureau.nameZh,
        nameEn: b.bureau.nameEn,
        outcome: b.outcome,
        label: OUTCOME_LABELS[b.outcome],
        late: repliedLate(b) || overdue(b, now),
        deadline: pageTime(b.deadline, tz, { zone: otherZone }),
        left: b.outcome === 'pending' ? timeLeft(ms(b.deadline), now) : undefined,
        latest: latest && {
          n: latest.n,
          at: pageTime(latest.submittedAt, tz, { zone: otherZone }),
          paper: latest.channel === 'paper',
        },
        actions: rowForms(b, offered).map((f) => formLink(round.id, f, b.bureau.id)),
      };
    }),
  };
}
