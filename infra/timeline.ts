/**
 * A round's timeline for auditors, read from its Temporal event history and nothing else: every
 * human action (the Update, with its actor and the SHA-256 of the request as recorded), every email
 * (kind, recipients, Message-ID, attempts, failures), documents read and PDFs rendered with their
 * hashes, due moments reached (deadlines that deemed a silent bureau), and the round's start and end,
 * in domain words, Chinese and English. A pure function of the history: the same history gives the
 * same timeline, entry for entry (the trail's hash chain, infra/trail.ts, depends on it).
 *
 * "Was every bureau heard" comes with it: per bureau, its outcome and the evidence (reply receipts
 * with their hashes, the waiver, or the due moment that deemed it).
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import type { ArchiveResult } from '../domain/archive.js';
import type { ActionName } from '../domain/actions.js';
import {
  ACTION_LABELS,
  APPROVAL_DECISION_LABELS,
  DECISION_LABELS,
  MAIL_KIND_LABELS,
  OUTCOME_LABELS,
  OUTCOME_RESPONSE_LABELS,
  ROLE_LABELS,
  STAGE_LABELS,
  type Label,
} from '../domain/labels.js';
import type { MailBatchOutcome, MailKind, MailRequest, MailResult } from '../domain/mail.js';
import type { Actor, Bureau, BureauOutcome } from '../domain/records.js';
import { canonicalSha256 } from '../domain/replyHash.js';
import type { RoundInput, RoundResult, Stage } from '../domain/round.js';
import { iso, parseInstantInput, zoneLabel } from '../domain/time.js';
import { formatInstant } from './templates.js';

type HistoryEvent = NonNullable<History['events']>[number];

/** What an entry is about, the coarse filter an auditor picks from. */
export const ENTRY_CATEGORIES = ['round', 'action', 'email', 'document', 'pdf', 'due', 'outside'] as const;
export type EntryCategory = (typeof ENTRY_CATEGORIES)[number];

export const CATEGORY_LABELS: Record<EntryCategory, Label> = {
  round: { zh: '轮次', en: 'Round' },
  action: { zh: '操作', en: 'Action' },
  email: { zh: '邮件', en: 'Email' },
  document: { zh: '文件', en: 'Document' },
  pdf: { zh: 'PDF', en: 'PDF' },
  due: { zh: '到期', en: 'Due moment' },
  outside: { zh: '应用之外的操作', en: 'Outside the app' },
};

/** done: it happened; refused: the round refused it (nothing changed); pending: not finished yet; failed: it did not happen. */
export type EntryStatus = 'done' | 'refused' | 'pending' | 'failed';

export const STATUS_LABELS: Record<EntryStatus, Label> = {
  done: { zh: '完成', en: 'Done' },
  refused: { zh: '被拒绝', en: 'Refused' },
  pending: { zh: '进行中', en: 'In progress' },
  failed: { zh: '失败', en: 'Failed' },
};

export interface EmailFacts {
  kind: MailKind;
  messageId: string;
  to: string[];
  accepted?: string[];
  rejected?: Array<{ address: string; error: string }>;
  sentAt?: string;
  /** Attempts the send took: more than one means a copy may have been delivered (same Message-ID). */
  attempts: number;
  error?: string;
}

export interface TimelineEntry {
  /** The history event the entry comes from (its link in the Temporal Web UI). */
  eventId: number;
  at: string;
  category: EntryCategory;
  /** The action's name (an Update), the email's kind, the activity's, or the round event's. */
  kind: string;
  /** The kind in words. */
  label: Label;
  /** Who acted: the action's actor, who started the round; absent for what the round did by itself. */
  actor?: Actor;
  /** The bureaus the entry concerns (by id). */
  bureaus: string[];
  /** What happened, in a sentence. */
  what: Label;
  status: EntryStatus;
  /** SHA-256 of the RFC 8785 canonical JSON of what the actor submitted (the Update's request, the round's input), as recorded. */
  submittedSha256?: string;
  /** The hashes the entry names: reply content, documents, scans, PDFs, records. */
  hashes: Record<string, string>;
  email?: EmailFacts;
  /** The Update's ID (the request's idempotency key). */
  updateId?: string;
}

export interface Evidence {
  eventId: number;
  at: string;
  kind: 'reply' | 'paperReply' | 'waived' | 'deadline' | 'extended' | 'summary';
  what: Label;
  sha256?: string;
}

export interface BureauHearing {
  bureau: Pick<Bureau, 'id' | 'nameZh' | 'nameEn'>;
  outcome: BureauOutcome;
  evidence: Evidence[];
}

export interface DocumentVersionTrail {
  n: number;
  sha256: string;
  eventId: number;
  at: string;
  by?: Actor;
}

export interface Timeline {
  roundId: string;
  runId?: string;
  title: string;
  timeZone: string;
  /** How the workflow stands: running until a close event. */
  workflowStatus: 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'TERMINATED' | 'FAILED' | 'TIMED_OUT' | 'CONTINUED_AS_NEW';
  /** The round's last stage, from its result (absent while it runs). */
  stage?: Stage;
  entries: TimelineEntry[];
  hearing: BureauHearing[];
  /** Whether the round consults the bureaus at all (its stages include consultation). */
  consults: boolean;
  /** Every bureau has an outcome other than pending. */
  allHeard: boolean;
  documents: Array<{ key: string; title: string; versions: DocumentVersionTrail[] }>;
  /** Every PDF the round rendered (and the record it was rendered from), by hash. */
  pdfs: Array<{ eventId: number; pdfSha256: string; recordSha256?: string }>;
  /** Scans of paper replies and attachments of link replies. */
  scans: Array<{ eventId: number; sha256: string; bureauId: string }>;
  /** The approved PDF: the hash in the last approveCandidate Update the round took. */
  approved?: { pdfSha256: string; eventId: number; at: string; by: Actor };
  /** The round's archive, as the archiving activity's result recorded it: its hash and the trail's head. */
  archive?: ArchiveResult & { eventId: number; at: string };
}

// -------------------------------------------------------------------------------------------------

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(String(v)));

/** An event's time (seconds may be a Long, from the server, or a number, from JSON). */
const eventTime = (ts: HistoryEvent['eventTime']): string =>
  iso(num(ts?.seconds ?? 0) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6));

/** Activities that read or keep documents (the rest render PDFs). */
const documentActivity = (name: string) => name === 'describeDocuments' || name === 'archiveRound';

/** A payload of the history, by the default converter (the project sets no codec). */
export function decodePayload(payloads: Payload[] | null | undefined, i = 0): unknown {
  const p = payloads?.[i];
  return p ? defaultPayloadConverter.fromPayload(p) : undefined;
}

/** A label from its two wordings. */
export const bilingual = (zh: string, en: string): Label => ({ zh, en });
const joinLabel = (parts: Label[], sep = '；', sepEn = '; '): Label => ({
  zh: parts.map((p) => p.zh).join(sep),
  en: parts.map((p) => p.en).join(sepEn),
});

/** The bureau a comment belongs to: comment ids are `<bureau>-<receipt n>-<k>`. */
const bureauOfComment = (commentId: unknown) =>
  typeof commentId === 'string' ? /^(.*)-\d+-\d+$/.exec(commentId)?.[1] : undefined;

type Req = Record<string, unknown> & { actor?: Actor; requestId?: string };

interface PendingActivity {
  name: string;
  input: unknown;
  scheduledEventId: number;
  at: string;
  attempts: number;
}

interface BureauState {
  bureau: Pick<Bureau, 'id' | 'nameZh' | 'nameEn'>;
  outcome: BureauOutcome;
  deadline?: string;
  evidence: Evidence[];
}

interface NoticeState {
  respondBy: string;
  answered: boolean;
}

class Builder {
  readonly entries: TimelineEntry[] = [];
  private readonly updates = new Map<string, { entry: TimelineEntry; name: string; req: Req }>();
  private readonly activities = new Map<number, PendingActivity>();
  private readonly bureaus = new Map<string, BureauState>();
  private readonly notices = new Map<string, NoticeState>();
  readonly t: Omit<Timeline, 'entries' | 'hearing' | 'allHeard'> = {
    roundId: '',
    title: '',
    timeZone: 'Asia/Shanghai',
    workflowStatus: 'RUNNING',
    consults: false,
    documents: [],
    pdfs: [],
    scans: [],
  };

  constructor(private readonly roundId: string) {
    this.t.roundId = roundId;
  }

  private time(instant: string): string {
    return formatInstant(instant, this.t.timeZone);
  }

  private bureauName(id: string): Label {
    const b = this.bureaus.get(id)?.bureau;
    return b ? bilingual(b.nameZh, b.nameEn) : bilingual(id, id);
  }

  private push(entry: Omit<TimelineEntry, 'hashes' | 'bureaus'> & Partial<Pick<TimelineEntry, 'hashes' | 'bureaus'>>) {
    const full: TimelineEntry = { bureaus: [], hashes: {}, ...entry };
    this.entries.push(full);
    return full;
  }

  private addBureau(b: Pick<Bureau, 'id' | 'nameZh' | 'nameEn'>, deadline?: string) {
    if (!this.bureaus.has(b.id))
      this.bureaus.set(b.id, {
        bureau: { id: b.id, nameZh: b.nameZh, nameEn: b.nameEn },
        outcome: 'pending',
        deadline,
        evidence: [],
      });
  }

  apply(e: HistoryEvent): void {
    const eventId = num(e.eventId);
    const at = eventTime(e.eventTime);
    if (e.workflowExecutionStartedEventAttributes) return this.started(eventId, at, e);
    if (e.workflowExecutionUpdateAcceptedEventAttributes) return this.updateAccepted(eventId, at, e);
    if (e.workflowExecutionUpdateCompletedEventAttributes) return this.updateCompleted(e);
    if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      this.activities.set(eventId, {
        name: a.activityType?.name ?? '',
        input: decodePayload(a.input?.payloads),
        scheduledEventId: eventId,
        at,
        attempts: 1,
      });
      return;
    }
    if (e.activityTaskStartedEventAttributes) {
      const a = e.activityTaskStartedEventAttributes;
      const act = this.activities.get(num(a.scheduledEventId));
      if (act) act.attempts = a.attempt ?? 1;
      return;
    }
    if (e.activityTaskCompletedEventAttributes) {
      const a = e.activityTaskCompletedEventAttributes;
      return this.activityClosed(eventId, at, num(a.scheduledEventId), { result: decodePayload(a.result?.payloads) });
    }
    if (e.activityTaskFailedEventAttributes) {
      const a = e.activityTaskFailedEventAttributes;
      const error = [a.failure?.message, a.failure?.cause?.message].filter(Boolean).join(': ');
      return this.activityClosed(eventId, at, num(a.scheduledEventId), { error: error || 'failed' });
    }
    if (e.activityTaskTimedOutEventAttributes) {
      const a = e.activityTaskTimedOutEventAttributes;
      return this.activityClosed(eventId, at, num(a.scheduledEventId), {
        error: `timed out${a.failure?.message ? `: ${a.failure.message}` : ''}`,
      });
    }
    if (e.activityTaskCanceledEventAttributes) {
      const a = e.activityTaskCanceledEventAttributes;
      return this.activityClosed(eventId, at, num(a.scheduledEventId), { error: 'cancelled', cancelled: true });
    }
    if (e.timerFiredEventAttributes) return this.timerFired(eventId, at);
    if (e.workflowExecutionSignaledEventAttributes) {
      const a = e.workflowExecutionSignaledEventAttributes;
      this.push({
        eventId,
        at,
        category: 'outside',
        kind: 'signal',
        label: bilingual('外部信号', 'Signal from outside the app'),
        what: bilingual(
          `信号 ${a.signalName ?? ''}，来自 ${a.identity ?? '未知'}`,
          `Signal ${a.signalName ?? ''} from ${a.identity ?? 'unknown'}`,
        ),
        status: 'done',
      });
      return;
    }
    if (e.workflowExecutionCancelRequestedEventAttributes) {
      const a = e.workflowExecutionCancelRequestedEventAttributes;
      const who = a.identity || '未知 unknown';
      this.push({
        eventId,
        at,
        category: 'outside',
        kind: 'cancelRequested',
        label: bilingual('在 Temporal 中请求取消', 'Cancellation requested in Temporal'),
        what: bilingual(
          `绕过本应用在 Temporal 中请求取消，来自 ${who}${a.cause ? `，原因：${a.cause}` : ''}`,
          `Cancellation requested in Temporal, outside the app, by ${who}${a.cause ? `; cause: ${a.cause}` : ''}`,
        ),
        status: 'done',
      });
      return;
    }
    if (e.workflowExecutionCompletedEventAttributes) {
      const result = decodePayload(e.workflowExecutionCompletedEventAttributes.result?.payloads) as
        RoundResult | undefined;
      this.t.workflowStatus = 'COMPLETED';
      if (result?.stage) this.t.stage = result.stage;
      for (const [id, outcome] of Object.entries(result?.outcomes ?? {})) {
        const b = this.bureaus.get(id);
        if (b) b.outcome = outcome;
      }
      const stage = result?.stage ? STAGE_LABELS[result.stage] : bilingual('', '');
      this.push({
        eventId,
        at,
        category: 'round',
        kind: 'completed',
        label: bilingual('本轮结束', 'Round ended'),
        what: bilingual(`本轮结束：${stage.zh}`, `The round ended: ${stage.en}`),
        status: 'done',
      });
      return;
    }
    const closes: Array<[unknown, Timeline['workflowStatus'], Label]> = [
      [e.workflowExecutionCanceledEventAttributes, 'CANCELLED', bilingual('工作流已取消', 'Workflow cancelled')],
      [e.workflowExecutionTerminatedEventAttributes, 'TERMINATED', bilingual('工作流被终止', 'Workflow terminated')],
      [e.workflowExecutionFailedEventAttributes, 'FAILED', bilingual('工作流失败', 'Workflow failed')],
      [e.workflowExecutionTimedOutEventAttributes, 'TIMED_OUT', bilingual('工作流超时', 'Workflow timed out')],
      [
        e.workflowExecutionContinuedAsNewEventAttributes,
        'CONTINUED_AS_NEW',
        bilingual('工作流已接续', 'Continued as new'),
      ],
    ];
    for (const [attrs, status, label] of closes) {
      if (!attrs) continue;
      this.t.workflowStatus = status;
      const t = e.workflowExecutionTerminatedEventAttributes;
      const f = e.workflowExecutionFailedEventAttributes?.failure?.message;
      const detail = t ? `${t.reason ?? ''}${t.identity ? ` (${t.identity})` : ''}` : (f ?? '');
      this.push({
        eventId,
        at,
        category: t ? 'outside' : 'round',
        kind: status.toLowerCase(),
        label,
        what: bilingual(`${label.zh}${detail ? `：${detail}` : ''}`, `${label.en}${detail ? `: ${detail}` : ''}`),
        status: 'done',
      });
    }
  }

  // --- the round's start ------------------------------------------------------------------------

  private started(eventId: number, at: string, e: HistoryEvent): void {
    const a = e.workflowExecutionStartedEventAttributes!;
    const input = decodePayload(a.input?.payloads) as RoundInput;
    this.t.consults = (input.stages ?? ['consultation']).includes('consultation');
    this.t.runId = a.originalExecutionRunId ?? a.firstExecutionRunId ?? undefined;
    this.t.title = input.title;
    this.t.timeZone = input.timeZone;
    const firstConsults = (input.stages ?? ['consultation'])[0] === 'consultation';
    const deadline =
      'at' in input.deadline
        ? input.deadline.at
        : firstConsults
          ? iso(Date.parse(at) + input.deadline.afterMs)
          : undefined;
    for (const b of input.bureaus) this.addBureau(b, deadline);
    const hashes: Record<string, string> = {};
    for (const d of input.documents) {
      hashes[`document:${d.key}:v1`] = d.sha256;
      this.t.documents.push({
        key: d.key,
        title: d.title,
        versions: [{ n: 1, sha256: d.sha256, eventId, at, by: input.startedBy }],
      });
    }
    const docs = input.documents.map((d) => `《${d.title}》`).join('、');
    const stages = (input.stages ?? ['consultation']).map((s) => STAGE_LABELS[s]);
    this.push({
      eventId,
      at,
      category: 'round',
      kind: 'started',
      label: bilingual('开始本轮审查', 'Round started'),
      actor: input.startedBy,
      bureaus: input.bureaus.map((b) => b.id),
      what: bilingual(
        `开始本轮审查：分发${docs}，征求 ${input.bureaus.length} 个单位意见；阶段：${stages.map((s) => s.zh).join('、')}${deadline ? `；截止 ${this.time(deadline)}` : ''}`,
        `Round started: ${input.documents.length} document(s) circulated to ${input.bureaus.length} bureaus; stages: ${stages.map((s) => s.en).join(', ')}${deadline ? `; deadline ${this.time(deadline)}` : ''}`,
      ),
      status: 'done',
      submittedSha256: canonicalSha256(input),
      hashes,
    });
  }

  // --- human actions (Updates) ------------------------------------------------------------------

  private updateAccepted(eventId: number, at: string, e: HistoryEvent): void {
    const a = e.workflowExecutionUpdateAcceptedEventAttributes!;
    const name = a.acceptedRequest?.input?.name ?? '';
    const req = (decodePayload(a.acceptedRequest?.input?.args?.payloads) ?? {}) as Req;
    const updateId = a.acceptedRequest?.meta?.updateId ?? a.protocolInstanceId ?? '';
    const label = ACTION_LABELS[name as ActionName] ?? bilingual(name, name);
    const entry = this.push({
      eventId,
      at,
      category: 'action',
      kind: name,
      label,
      actor: req.actor,
      bureaus: this.bureausOfRequest(name, req),
      what: label,
      status: 'pending',
      submittedSha256: canonicalSha256(req),
      updateId,
    });
    this.updates.set(updateId, { entry, name, req });
  }

  private bureausOfRequest(name: string, req: Req): string[] {
    if (typeof req.bureauId === 'string') return [req.bureauId];
    if (name === 'addBureau') return [(req.bureau as Bureau).id];
    const commentId = (req.disposition as { commentId?: string } | undefined)?.commentId ?? req.commentId;
    const b = bureauOfComment(commentId);
    return b ? [b] : [];
  }

  private updateCompleted(e: HistoryEvent): void {
    const a = e.workflowExecutionUpdateCompletedEventAttributes!;
    const pending = this.updates.get(a.meta?.updateId ?? '');
    if (!pending) return;
    const { entry, name, req } = pending;
    if (a.outcome?.failure) {
      entry.status = 'refused';
      const why = a.outcome.failure.message ?? '';
      entry.what = bilingual(`${entry.label.zh}：被拒绝（${why}）`, `${entry.label.en}: refused (${why})`);
      return;
    }
    entry.status = 'done';
    const result = decodePayload(a.outcome?.success?.payloads) as Record<string, unknown> | undefined;
    entry.what = this.describeAction(name, req, result ?? {}, entry);
  }

  /** An accepted action's sentence, and its effect on what the trail keeps (outcomes, versions, approval). */
  private describeAction(name: string, req: Req, result: Record<string, unknown>, entry: TimelineEntry): Label {
    const label = entry.label;
    const bureauId = entry.bureaus[0];
    const b = bureauId ? this.bureaus.get(bureauId) : undefined;
    const who = bureauId ? this.bureauName(bureauId) : bilingual('', '');
    const reason = (r: unknown): Label =>
      typeof r === 'string' ? bilingual(`；理由：${r}`, `; reason: ${r}`) : bilingual('', '');
    const cat = (...parts: Label[]) => ({ zh: parts.map((p) => p.zh).join(''), en: parts.map((p) => p.en).join('') });

    switch (name as ActionName) {
      case 'submitReply':
      case 'recordPaperReply': {
        const n = Number(result.n);
        const content = String(result.contentSha256 ?? '');
        if (content) entry.hashes.replyContent = content;
        const reply = req.reply as { perDocument?: Record<string, { kind: string; comments?: unknown[] }> } | undefined;
        const scan =
          name === 'recordPaperReply' ? (req.scanSha256 as string | undefined) : (req.reply as Req)?.attachmentSha256;
        if (typeof scan === 'string') {
          entry.hashes.scan = scan;
          this.t.scans.push({ eventId: entry.eventId, sha256: scan, bureauId: bureauId ?? '' });
        }
        const answers = Object.values(reply?.perDocument ?? {});
        const noComments = answers.every((x) => x.kind === 'noComments');
        const comments = answers.reduce((k, x) => k + (x.comments?.length ?? 0), 0);
        const late = result.late === true;
        if (b && b.outcome !== 'waived') b.outcome = noComments ? 'noComments' : 'replied';
        const what = cat(
          bilingual(
            `${who.zh}：回复 第${n}号（第${String(result.version)}版）`,
            `${who.en}: reply no. ${n} (version ${String(result.version)})`,
          ),
          name === 'recordPaperReply'
            ? bilingual(`，纸质，由${req.actor?.name ?? ''}录入`, `, on paper, recorded by ${req.actor?.name ?? ''}`)
            : bilingual('，通过链接', ', through the link'),
          noComments
            ? bilingual('，无意见', ', no comments')
            : bilingual(`，${comments} 条意见`, `, ${comments} comment(s)`),
          late ? bilingual('（逾期，在宽限期内）', ' (late, within the grace period)') : bilingual('', ''),
        );
        b?.evidence.push({
          eventId: entry.eventId,
          at: entry.at,
          kind: name === 'recordPaperReply' ? 'paperReply' : 'reply',
          what: cat(what, bilingual(`；回执摘要 ${content}`, `; receipt hash ${content}`)),
          sha256: content,
        });
        return what;
      }
      case 'extendDeadline': {
        const deadline = String(req.deadline);
        if (b) {
          b.deadline = deadline;
          if (b.outcome === 'deemedNoComments') b.outcome = 'pending';
          b.evidence.push({
            eventId: entry.eventId,
            at: entry.at,
            kind: 'extended',
            what: bilingual(`截止时间延长至 ${this.time(deadline)}`, `Deadline extended to ${this.time(deadline)}`),
          });
        }
        return cat(
          bilingual(
            `${who.zh}：截止时间延长至 ${this.time(deadline)}`,
            `${who.en}: deadline extended to ${this.time(deadline)}`,
          ),
          reason(req.reason),
        );
      }
      case 'waiveBureau': {
        if (b) {
          b.outcome = 'waived';
          b.evidence.push({
            eventId: entry.eventId,
            at: entry.at,
            kind: 'waived',
            what: cat(
              bilingual(`由${req.actor?.name ?? ''}豁免`, `Waived by ${req.actor?.name ?? ''}`),
              reason(req.reason),
            ),
          });
        }
        return cat(bilingual(`${who.zh}：免于征求意见`, `${who.en}: waived`), reason(req.reason));
      }
      case 'changeContact': {
        const emails = ((req.contacts as Array<{ email: string }>) ?? []).map((c) => c.email).join(', ');
        return cat(
          bilingual(
            `${who.zh}：联系人改为 ${emails}（旧链接作废）`,
            `${who.en}: contact changed to ${emails} (the old link stops working)`,
          ),
          reason(req.reason),
        );
      }
      case 'resendInvitation':
        return bilingual(`${who.zh}：重发邀请`, `${who.en}: invitation resent`);
      case 'addBureau': {
        const bureau = req.bureau as Bureau;
        this.addBureau(bureau, typeof req.deadline === 'string' ? req.deadline : undefined);
        return bilingual(`增加征求意见单位：${bureau.nameZh}`, `Bureau added: ${bureau.nameEn}`);
      }
      case 'closeConsultation':
        return cat(label, reason(req.reason));
      case 'cancelRound':
        return cat(label, reason(req.reason));
      case 'disposeComment': {
        const d = req.disposition as { commentId: string; decision: keyof typeof DECISION_LABELS; rationale?: string };
        const decision = DECISION_LABELS[d.decision];
        return cat(
          bilingual(`意见 ${d.commentId}：${decision.zh}（草稿）`, `Comment ${d.commentId}: ${decision.en} (draft)`),
          d.rationale ? bilingual(`；理由：${d.rationale}`, `; rationale: ${d.rationale}`) : bilingual('', ''),
        );
      }
      case 'adoptAllComments':
        return bilingual(`${who.zh}：全部意见采纳`, `${who.en}: every comment adopted`);
      case 'publishDispositions':
        return cat(
          label,
          typeof req.note === 'string' ? bilingual(`；说明：${req.note}`, `; note: ${req.note}`) : bilingual('', ''),
        );
      case 'addDocumentVersion': {
        const doc = this.t.documents.find((d) => d.key === req.docKey);
        const sha256 = String(req.sha256);
        const n = (doc?.versions.length ?? 0) + 1;
        doc?.versions.push({ n, sha256, eventId: entry.eventId, at: entry.at, by: req.actor });
        entry.hashes[`document:${String(req.docKey)}:v${n}`] = sha256;
        const title = doc?.title ?? String(req.docKey);
        return bilingual(`《${title}》第 ${n} 版：${sha256}`, `《${title}》 version ${n}: ${sha256}`);
      }
      case 'reanchorDisposition':
        return bilingual(
          `意见 ${String(req.commentId)} 的修改位置重新指定`,
          `Comment ${String(req.commentId)}: change re-anchored`,
        );
      case 'respondToOutcome': {
        const notice = bureauId ? this.notices.get(bureauId) : undefined;
        if (notice) notice.answered = true;
        const objected = req.response === 'object';
        const r = OUTCOME_RESPONSE_LABELS[objected ? 'objected' : 'acknowledged'];
        return cat(
          bilingual(`${who.zh}：${r.zh}`, `${who.en}: ${r.en}`),
          objected ? bilingual(`：${String(req.objection)}`, `: ${String(req.objection)}`) : bilingual('', ''),
        );
      }
      case 'resolveObjection':
        return bilingual(
          `${who.zh}的异议已处理：${String(req.note)}`,
          `${who.en}'s objection resolved: ${String(req.note)}`,
        );
      case 'approveCandidate': {
        const pdf = String(req.pdfSha256);
        entry.hashes.pdf = pdf;
        this.t.approved = { pdfSha256: pdf, eventId: entry.eventId, at: entry.at, by: req.actor! };
        const l = APPROVAL_DECISION_LABELS.approved;
        return bilingual(`${l.zh}候选 PDF：${pdf}`, `${l.en} the candidate PDF: ${pdf}`);
      }
      case 'rejectCandidate': {
        const pdf = String(req.pdfSha256);
        entry.hashes.pdf = pdf;
        const l = APPROVAL_DECISION_LABELS.rejected;
        return cat(
          bilingual(`候选 PDF ${pdf} ${l.zh}`, `Candidate PDF ${pdf} ${l.en.toLowerCase()}`),
          reason(req.reason),
        );
      }
      case 'scheduleMeeting':
      case 'rescheduleMeeting': {
        const m = req.meeting as {
          date: string;
          start: string;
          end: string;
          timeZone: string;
          place?: string;
          url?: string;
        };
        const experts = (req.experts as Array<{ name: string }> | undefined)?.map((x) => x.name).join('、');
        const where = m.place ?? m.url ?? '';
        return cat(
          label,
          bilingual(
            `：${m.date} ${m.start}–${m.end}（${m.timeZone}），${where}`,
            `: ${m.date} ${m.start}–${m.end} ${zoneLabel(m.timeZone)}, ${where}`,
          ),
          experts ? bilingual(`；专家：${experts}`, `; experts: ${experts}`) : bilingual('', ''),
          req.held === true ? bilingual('（已召开，补录）', ' (already held, recorded afterwards)') : bilingual('', ''),
          reason(req.reason),
        );
      }
      case 'cancelMeeting':
        return cat(label, reason(req.reason));
      case 'recordOpinions': {
        const n = (req.opinions as unknown[]).length;
        return bilingual(
          `录入专家意见 ${n} 条，${String(req.signedBy)} 于 ${String(req.signedOn)} 签字`,
          `${n} expert opinion(s) recorded, signed by ${String(req.signedBy)} on ${String(req.signedOn)}`,
        );
      }
      case 'writeRevisionNote':
        return bilingual(`专家意见第 ${String(req.n)} 条的修改说明`, `Revision note of opinion ${String(req.n)}`);
    }
    return label;
  }

  // --- what the round did by itself (activities, timers) ----------------------------------------

  private activityClosed(
    eventId: number,
    at: string,
    scheduledEventId: number,
    closed: { result?: unknown; error?: string; cancelled?: boolean },
  ): void {
    const act = this.activities.get(scheduledEventId);
    if (!act) return;
    this.activities.delete(scheduledEventId);
    if (act.name === 'sendEmail') return this.email(eventId, at, act, closed);
    if (act.name === 'sendEmails') {
      // Several messages sent together: each has its own entry, with its own result or failure.
      const outcomes = (closed.result as MailBatchOutcome[] | undefined) ?? [];
      for (const req of act.input as MailRequest[]) {
        const o = outcomes.find((x) => x.messageId === req.messageId);
        const error = closed.error ?? o?.error;
        this.email(eventId, at, { ...act, input: req }, { result: o?.result, ...(error && { error }) });
      }
      return;
    }
    if (closed.error) {
      this.push({
        eventId,
        at,
        category: documentActivity(act.name) ? 'document' : 'pdf',
        kind: act.name,
        label: bilingual(act.name, act.name),
        what: bilingual(`${act.name} 失败：${closed.error}`, `${act.name} failed: ${closed.error}`),
        status: 'failed',
      });
      return;
    }
    if (act.name === 'describeDocuments') {
      const sha256s = (act.input as string[]) ?? [];
      const described = (closed.result as Array<{ sections: unknown[] }>) ?? [];
      this.push({
        eventId,
        at,
        category: 'document',
        kind: act.name,
        label: bilingual('读取文件目录', 'Document outline read'),
        what: bilingual(
          `读取文件目录：${sha256s.map((s, i) => `${s.slice(0, 12)}…（${described[i]?.sections.length ?? 0} 节）`).join('、')}`,
          `Outline read: ${sha256s.map((s, i) => `${s.slice(0, 12)}… (${described[i]?.sections.length ?? 0} sections)`).join(', ')}`,
        ),
        status: 'done',
        hashes: Object.fromEntries(sha256s.map((s, i) => [`source${sha256s.length > 1 ? i + 1 : ''}`, s])),
      });
      return;
    }
    if (act.name === 'archiveRound') {
      const r = closed.result as ArchiveResult;
      this.t.archive = { ...r, eventId, at };
      this.push({
        eventId,
        at,
        category: 'document',
        kind: act.name,
        label: bilingual('归档', 'Archived'),
        what: bilingual(
          `本轮已归档（至事件 #${r.throughEventId}）：批准稿、审计链 ${r.trailEntries} 条（链首 ${r.trailHead}）、审计证明书和工作流历史；归档 SHA-256 ${r.archiveSha256}`,
          `The round was archived (through event #${r.throughEventId}): the approved PDF, the trail of ${r.trailEntries} entries (head ${r.trailHead}), the audit certificate and the workflow history; archive SHA-256 ${r.archiveSha256}`,
        ),
        status: 'done',
        hashes: {
          archive: r.archiveSha256,
          trail: r.trailSha256,
          trailHead: r.trailHead,
          certificate: r.certificateSha256,
          history: r.historySha256,
        },
      });
      return;
    }
    if (act.name === 'renderRoundPdf' || act.name === 'renderPlanPdf') {
      const r = closed.result as { pdfSha256: string; recordSha256?: string; pages: number };
      const mode = (act.input as { mode?: string }).mode;
      this.t.pdfs.push({ eventId, pdfSha256: r.pdfSha256, ...(r.recordSha256 && { recordSha256: r.recordSha256 }) });
      this.push({
        eventId,
        at,
        category: 'pdf',
        kind: act.name,
        label: bilingual('生成 PDF', 'PDF rendered'),
        what: bilingual(
          `生成${mode === 'draft' ? '征求意见稿' : '候选'} PDF（${r.pages} 页）：${r.pdfSha256}`,
          `${mode === 'draft' ? 'Draft' : 'Candidate'} PDF rendered (${r.pages} pages): ${r.pdfSha256}`,
        ),
        status: 'done',
        hashes: { pdf: r.pdfSha256, ...(r.recordSha256 && { record: r.recordSha256 }) },
      });
    }
  }

  private email(
    eventId: number,
    at: string,
    act: PendingActivity,
    closed: { result?: unknown; error?: string; cancelled?: boolean },
  ): void {
    const req = act.input as MailRequest;
    const result = closed.result as MailResult | undefined;
    const kind = MAIL_KIND_LABELS[req.kind] ?? bilingual(req.kind, req.kind);
    const bureauId = req.bureau?.id;
    const rejected = result?.rejected ?? [];
    const status: EntryStatus = closed.error
      ? 'failed'
      : rejected.length > 0 && rejected.length >= req.to.length
        ? 'failed'
        : 'done';
    if (req.kind === 'outcomeNotice' && bureauId && req.outcome?.respondBy)
      this.notices.set(bureauId, { respondBy: req.outcome.respondBy, answered: false });
    if (req.kind === 'invitation' || req.kind === 'reminder') {
      const b = bureauId ? this.bureaus.get(bureauId) : undefined;
      if (b && req.deadline) b.deadline = req.deadline;
    }
    if (req.kind === 'deadlineSummary') this.summary(eventId, at, req);
    const to = req.to.join(', ');
    const copies = act.attempts > 1;
    this.push({
      eventId,
      at,
      category: 'email',
      kind: req.kind,
      label: kind,
      bureaus: bureauId ? [bureauId] : req.failure?.bureauId ? [req.failure.bureauId] : [],
      what: {
        zh: `${kind.zh}${req.variant === 'new-link' ? '（新链接）' : ''} → ${to}${closed.error ? `：未送达（${closed.error}）` : rejected.length ? `：部分地址被拒（${rejected.map((r) => r.address).join(', ')}）` : ''}${copies ? `；共尝试 ${act.attempts} 次（可能有相同 Message-ID 的副本）` : ''}`,
        en: `${kind.en}${req.variant === 'new-link' ? ' (new link)' : ''} → ${to}${closed.error ? `: not delivered (${closed.error})` : rejected.length ? `: refused for ${rejected.map((r) => r.address).join(', ')}` : ''}${copies ? `; ${act.attempts} attempts (a copy with the same Message-ID may exist)` : ''}`,
      },
      status,
      email: {
        kind: req.kind,
        messageId: req.messageId,
        to: req.to,
        ...(result && { accepted: result.accepted, rejected: result.rejected, sentAt: result.sentAt }),
        attempts: act.attempts,
        ...(closed.error && { error: closed.error }),
      },
    });
  }

  /** The consultation's summary to the coordinator states each bureau's outcome as the round decided it. */
  private summary(eventId: number, at: string, req: MailRequest): void {
    for (const line of req.summary ?? []) {
      const b = this.bureaus.get(line.bureau.id);
      if (!b) continue;
      const outcome = line.outcome as BureauOutcome;
      if (outcome === 'deemedNoComments' && !b.evidence.some((x) => x.kind === 'deadline')) {
        b.evidence.push({
          eventId,
          at,
          kind: 'summary',
          what: bilingual(
            '征求意见结束时仍未回复，视为无意见',
            'Still silent when consultation ended: deemed no comments',
          ),
        });
      }
      b.outcome = outcome;
    }
  }

  private timerFired(eventId: number, at: string): void {
    const now = Date.parse(at);
    const deemed: string[] = [];
    for (const b of this.bureaus.values()) {
      if (b.outcome !== 'pending' || !b.deadline || Date.parse(b.deadline) > now) continue;
      b.outcome = 'deemedNoComments';
      deemed.push(b.bureau.id);
      b.evidence.push({
        eventId,
        at,
        kind: 'deadline',
        what: bilingual(
          `截止时间 ${this.time(b.deadline)} 已到，未回复，视为无意见`,
          `Deadline ${this.time(b.deadline)} reached with no reply: deemed no comments`,
        ),
      });
    }
    const silent: string[] = [];
    for (const [id, n] of this.notices) {
      if (n.answered || Date.parse(n.respondBy) > now) continue;
      n.answered = true;
      silent.push(id);
    }
    const parts: Label[] = [];
    if (deemed.length)
      parts.push(
        bilingual(
          `截止时间已到，视为无意见：${deemed.map((id) => this.bureauName(id).zh).join('、')}`,
          `Deadline reached, deemed no comments: ${deemed.map((id) => this.bureauName(id).en).join(', ')}`,
        ),
      );
    if (silent.length)
      parts.push(
        bilingual(
          `处理结果答复期已过，视为认可：${silent.map((id) => this.bureauName(id).zh).join('、')}`,
          `Outcome notice unanswered in time, deemed acknowledged: ${silent.map((id) => this.bureauName(id).en).join(', ')}`,
        ),
      );
    this.push({
      eventId,
      at,
      category: 'due',
      kind: 'timer',
      label: bilingual('到期时刻', 'Due moment reached'),
      bureaus: [...deemed, ...silent],
      what: parts.length
        ? joinLabel(parts)
        : bilingual(
            '到期时刻（提醒、截止或会议提醒，见随后各项）',
            'Due moment (reminders, a deadline or a meeting reminder: see what follows)',
          ),
      status: 'done',
    });
  }

  /** Activities still running when the history was read: queued emails and renders, listed where they were scheduled. */
  finishOpen(): void {
    const open = [...this.activities.values()].flatMap((act) =>
      act.name === 'sendEmails'
        ? (act.input as MailRequest[]).map((req) => ({ ...act, name: 'sendEmail', input: req }))
        : [act],
    );
    for (const act of open) {
      const req = act.input as Partial<MailRequest>;
      const isMail = act.name === 'sendEmail';
      const kind =
        isMail && req.kind
          ? (MAIL_KIND_LABELS[req.kind] ?? bilingual(req.kind, req.kind))
          : bilingual(act.name, act.name);
      this.push({
        eventId: act.scheduledEventId,
        at: act.at,
        category: isMail ? 'email' : documentActivity(act.name) ? 'document' : 'pdf',
        kind: isMail ? (req.kind ?? act.name) : act.name,
        label: kind,
        bureaus: req.bureau?.id ? [req.bureau.id] : [],
        what: bilingual(
          `${kind.zh}${isMail ? ` → ${(req.to ?? []).join(', ')}` : ''}：进行中（第 ${act.attempts} 次尝试）`,
          `${kind.en}${isMail ? ` → ${(req.to ?? []).join(', ')}` : ''}: in progress (attempt ${act.attempts})`,
        ),
        status: 'pending',
        ...(isMail &&
          req.kind && {
            email: { kind: req.kind, messageId: req.messageId ?? '', to: req.to ?? [], attempts: act.attempts },
          }),
      });
    }
  }

  hearing(): BureauHearing[] {
    return [...this.bureaus.values()].map((b) => ({ bureau: b.bureau, outcome: b.outcome, evidence: b.evidence }));
  }
}

/** The timeline of one round from its history (as fetched with `handle.fetchHistory()`, or read back with historyFromJSON). */
export function buildTimeline(roundId: string, history: History): Timeline {
  const builder = new Builder(roundId);
  for (const e of history.events ?? []) builder.apply(e);
  builder.finishOpen();
  const entries = builder.entries.sort((a, b) => a.eventId - b.eventId);
  const hearing = builder.hearing();
  return { ...builder.t, entries, hearing, allHeard: hearing.every((h) => h.outcome !== 'pending') };
}

/** The outcome of a bureau in words (a deemed outcome is never shown as "no comments"). */
export const outcomeLabel = (o: BureauOutcome): Label => OUTCOME_LABELS[o];

/** Who acted, in words: name and role. */
export function actorLabel(actor: Actor | undefined): Label {
  if (!actor) return ROLE_LABELS.system;
  const role = ROLE_LABELS[actor.role] ?? bilingual(actor.role, actor.role);
  return bilingual(`${actor.name}（${role.zh}）`, `${actor.name} (${role.en})`);
}

// -------------------------------------------------------------------------------------------------
// Filters

export interface TimelineFilter {
  /** A bureau id: entries about that bureau. */
  bureau?: string;
  /** A person: part of the actor's name, username or email (case-insensitive). */
  person?: string;
  /** A category (action, email, due...) or a kind (submitReply, invitation, timer...). */
  kind?: string;
  /** Entries at or after this instant. */
  since?: string;
  /** Entries before this instant. */
  until?: string;
}

export function filterEntries(entries: TimelineEntry[], f: TimelineFilter): TimelineEntry[] {
  const person = f.person?.trim().toLowerCase();
  const since = f.since ? Date.parse(f.since) : undefined;
  const until = f.until ? Date.parse(f.until) : undefined;
  return entries.filter((e) => {
    if (f.bureau && !e.bureaus.includes(f.bureau)) return false;
    if (person) {
      const a = e.actor;
      const names = [a?.name, a?.username, a?.email].filter((x): x is string => !!x).map((x) => x.toLowerCase());
      if (!names.some((n) => n.includes(person))) return false;
    }
    if (f.kind && e.category !== f.kind && e.kind !== f.kind) return false;
    const t = Date.parse(e.at);
    if (since !== undefined && t < since) return false;
    if (until !== undefined && t >= until) return false;
    return true;
  });
}

/** The entry's event in the Temporal Web UI, when one is configured. */
export function eventUrl(
  uiBase: string | undefined,
  namespace: string,
  t: Pick<Timeline, 'roundId' | 'runId'>,
  eventId: number,
) {
  if (!uiBase || !t.runId) return undefined;
  const base = uiBase.replace(/\/$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(t.roundId)}/${encodeURIComponent(t.runId)}/history/events/${eventId}`;
}

/** What an auditor typed as filters (CLI options, the page's query), before it is checked. */
export interface TimelineFilterInput {
  bureau?: string;
  person?: string;
  kind?: string;
  since?: string;
  until?: string;
}

/**
 * Checks typed filters against the timeline: a known bureau and kind, times as instants or local
 * date-times in the round's time zone (a date alone: `since` from its midnight, `until` to the end
 * of that day). An empty value is no filter.
 */
export function readTimelineFilter(
  input: TimelineFilterInput,
  t: Pick<Timeline, 'timeZone' | 'hearing' | 'entries'>,
): { filter: TimelineFilter; problems: Array<{ field: keyof TimelineFilterInput; message: Label }> } {
  const filter: TimelineFilter = {};
  const problems: Array<{ field: keyof TimelineFilterInput; message: Label }> = [];
  const value = (v: string | undefined) => (v && v.trim() !== '' ? v.trim() : undefined);
  const bureau = value(input.bureau);
  if (bureau) {
    if (t.hearing.some((h) => h.bureau.id === bureau)) filter.bureau = bureau;
    else
      problems.push({
        field: 'bureau',
        message: bilingual(
          `本轮没有单位“${bureau}”（有：${t.hearing.map((h) => h.bureau.id).join('、')}）`,
          `This round has no bureau "${bureau}" (it has: ${t.hearing.map((h) => h.bureau.id).join(', ')})`,
        ),
      });
  }
  const person = value(input.person);
  if (person) filter.person = person;
  const kind = value(input.kind);
  if (kind) {
    const kinds = timelineKinds(t);
    if ((ENTRY_CATEGORIES as readonly string[]).includes(kind) || kinds.includes(kind)) filter.kind = kind;
    else
      problems.push({
        field: 'kind',
        message: bilingual(
          `没有这种记录：“${kind}”（可选：${[...ENTRY_CATEGORIES, ...kinds].join('、')}）`,
          `No entries of kind "${kind}" (choose from: ${[...ENTRY_CATEGORIES, ...kinds].join(', ')})`,
        ),
      });
  }
  for (const field of ['since', 'until'] as const) {
    const v = value(input[field]);
    if (!v) continue;
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(v);
    const at = parseInstantInput(dateOnly ? `${v}T00:00` : v, t.timeZone);
    if (!at) {
      problems.push({
        field,
        message: bilingual(
          `不是有效的日期或时间，请按 ${t.timeZone} 时间填写，如 2030-03-01 或 2030-03-01T18:00`,
          `Not a date or a date and time; give it in ${t.timeZone} time, e.g. 2030-03-01 or 2030-03-01T18:00`,
        ),
      });
      continue;
    }
    filter[field] = dateOnly && field === 'until' ? endOfDay(v, t.timeZone) : at;
  }
  return { filter, problems };
}

/** The next midnight after a date, in a time zone. */
function endOfDay(date: string, timeZone: string): string {
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return parseInstantInput(`${next}T00:00`, timeZone)!;
}

/** The kinds of the timeline's entries (actions, emails...), in the order they first appear. */
export function timelineKinds(t: Pick<Timeline, 'entries'>): string[] {
  return [...new Set(t.entries.map((e) => e.kind))];
}
