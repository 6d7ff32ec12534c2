/**
 * Sends the round's emails: one per activity (sendEmail), or the several a round queued at once
 * (sendEmails: a reply's confirmation and the coordinator's notice, the invitations), each rendered
 * from its template with its reply link signed and the drafts attached, and delivered with the
 * Message-ID the workflow chose, so a retry reuses it. Delivery is at-least-once per message: a
 * worker that dies after the server accepted a message and before the activity completed sends it
 * again with the same Message-ID; a retry of several sends only those not done yet.
 */
import { DECISION_LABELS } from '../domain/labels.js';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z, ZodError } from 'zod';
import { DraftMismatchError } from '../domain/replies.js';
import type { Transporter } from 'nodemailer';
import {
  MAIL_RETRY_MAX_INTERVAL_MS,
  type MailBatchOutcome,
  type MailKind,
  type MailRequest,
  type MailResult,
} from '../domain/mail.js';
import { outcomeText } from '../domain/labels.js';
import type { BureauOutcome, Reply } from '../domain/records.js';
import { parseReviewRoundId } from '../domain/ids.js';
import { htmlToText } from '../infra/emailText.js';
import { loadReply } from '../infra/replyStore.js';
import { changedText, SectionsByVersion } from '../infra/changedText.js';
import { signLink } from '../infra/linkTokens.js';
import { ContentCorruptError, ContentNotFoundError, type ContentStore } from '../infra/store.js';
import { formatInstant, formatMeetingTime, type Templates } from '../infra/templates.js';
import { meetingCalendar } from './calendar.js';

/** How often a send heartbeats, so that a heartbeat timeout of a few times this can tell a dead worker from a slow server. */
export const HEARTBEAT_EVERY_MS = 3_000;

export interface EmailDeps {
  /** Defaults to HEARTBEAT_EVERY_MS (tests shorten it). */
  heartbeatEveryMs?: number;
  transport: Transporter;
  templates: Templates;
  store: ContentStore;
  secret: Buffer;
  publicUrl: string;
  from: string;
  /** Renders a circulated document as an attachment (the draft PDF marked 征求意见稿). */
  renderAttachment: (doc: {
    title: string;
    source: string;
    sourceSha256: string;
    standIn: boolean;
    round: { id: string; title: string };
  }) => Promise<{ filename: string; content: string | Buffer; contentType: string }>;
  /**
   * Where a change lands in a version ("P79"), for the outcome notices; without it a notice names
   * the section only (tests that do not render PDFs).
   */
  pageOf?: (
    doc: { source: string; sourceSha256: string; docKey: string },
    anchor: { section: string; quote?: string },
  ) => Promise<string>;
}

/** The round's number beside its title, so that rounds 1, 2 and 3 of one plan are told apart. */
const roundZh = (r: MailRequest) => {
  const n = parseReviewRoundId(r.round.id)?.n;
  return n ? `${r.round.title}（第 ${n} 轮）` : r.round.title;
};
const roundEn = (r: MailRequest) => {
  const n = parseReviewRoundId(r.round.id)?.n;
  return n ? `, round ${n}` : '';
};

const SUBJECTS: Record<MailKind, (r: MailRequest) => string> = {
  invitation: (r) =>
    `征求意见：${roundZh(r)} / Request for comments${roundEn(r)}${r.variant === 'new-link' ? '（新链接 new link）' : ''}`,
  reminder: (r) => `征求意见提醒：${roundZh(r)} / Reminder${roundEn(r)}`,
  replyConfirmation: (r) => `回复回执 第${r.reply?.n}号：${roundZh(r)} / Receipt of your reply${roundEn(r)}`,
  replyNotice: (r) =>
    `收到回复${r.late ? '（逾期）' : ''}：${r.bureau?.nameZh}（${roundZh(r)}）/ ${r.late ? 'Late reply' : 'Reply'} received: ${r.bureau?.nameEn}${roundEn(r)}`,
  deliveryFailure: (r) =>
    `邮件投递失败：${r.bureau?.nameZh ?? r.failure?.to.join(', ')}（${roundZh(r)}）/ Delivery failed${roundEn(r)}`,
  deadlineSummary: (r) => `征求意见结束：${roundZh(r)} / Consultation closed${roundEn(r)}`,
  cancellation: (r) => `征求意见取消：${roundZh(r)} / Consultation cancelled${roundEn(r)}`,
  outcomeNotice: (r) => `意见处理结果：${roundZh(r)} / How your comments were handled${roundEn(r)}`,
  objectionNotice: (r) =>
    `收到异议：${r.bureau?.nameZh}（${roundZh(r)}）/ Objection from ${r.bureau?.nameEn}${roundEn(r)}`,
  meetingInvitation: (r) => `专家评审会邀请：${roundZh(r)} / Invitation to the expert review meeting${roundEn(r)}`,
  meetingUpdate: (r) => `专家评审会变更：${roundZh(r)} / Expert review meeting changed${roundEn(r)}`,
  meetingCancellation: (r) => `专家评审会取消：${roundZh(r)} / Expert review meeting cancelled${roundEn(r)}`,
  meetingReminder: (r) =>
    `专家评审会提醒（明天）：${roundZh(r)} / Reminder: expert review meeting tomorrow${roundEn(r)}`,
};

/**
 * Whether retrying cannot help: the server's 5xx answer (except 503, "bad sequence", which a new
 * session clears), or an envelope refused with no server code (an address nodemailer itself
 * rejects). A 4xx (greylisting, a full mailbox, a busy server) and lost connections are retried.
 */
export function isPermanentSmtpError(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 && e.responseCode !== 503;
  return e.code === 'EENVELOPE';
}

/** Runs a step whose failures of the given kinds no retry can mend: they fail the send for good, as `type`. */
async function permanentOn<T>(
  type: string,
  kinds: Array<abstract new (...args: never[]) => Error>,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (kinds.some((k) => err instanceof k)) {
      throw ApplicationFailure.create({ type, message: (err as Error).message, nonRetryable: true });
    }
    throw err;
  }
}

/**
 * Whether a failing-for-now message has no retry left: the next attempt would start (after at most
 * MAIL_RETRY_MAX_INTERVAL_MS of backoff) too late to finish before the sends' schedule-to-close deadline.
 */
function lastAttempt(info: {
  scheduledTimestampMs: number;
  scheduleToCloseTimeoutMs: number;
  startToCloseTimeoutMs: number;
}): boolean {
  if (!info.scheduleToCloseTimeoutMs) return false;
  const deadline = info.scheduledTimestampMs + info.scheduleToCloseTimeoutMs;
  return Date.now() + MAIL_RETRY_MAX_INTERVAL_MS + info.startToCloseTimeoutMs > deadline;
}

/** What earlier attempts of one send achieved, carried to the next attempt in heartbeat details. */
const Progress = z.object({
  delivered: z.array(z.string()),
  refused: z.array(z.object({ address: z.string(), error: z.string() })),
});
type Progress = z.infer<typeof Progress>;
const NO_PROGRESS: Progress = { delivered: [], refused: [] };

/** What earlier attempts of several sends achieved: each message's progress, and the messages finished. */
const BatchProgress = z.object({
  progress: z.record(z.string(), Progress),
  finished: z.record(z.string(), z.object({ result: z.custom<MailResult>().optional(), error: z.string().optional() })),
});
type BatchProgress = z.infer<typeof BatchProgress>;

/** How a failure reads in the round's records: `Type: message`, as the workflow words an activity's failure. */
function failureText(err: unknown): string {
  return err instanceof ApplicationFailure
    ? `${err.type ?? 'Error'}: ${err.message}`
    : String((err as Error).message ?? err);
}

export function createEmailActivities(deps: EmailDeps) {
  const linkFor = (r: MailRequest) =>
    r.linkId && r.bureau
      ? `${deps.publicUrl.replace(/\/$/, '')}/r/${signLink(deps.secret, { roundId: r.round.id, bureauId: r.bureau.id, linkId: r.linkId })}`
      : undefined;

  const sections = new SectionsByVersion();

  /** An outcome notice's items: each comment's text and decision, and each change's text before and after. */
  async function outcomeView(r: MailRequest) {
    if (!r.outcome) return undefined;
    const replies = new Map<number, Reply>();
    const sources = new Map<string, string>();
    const source = async (sha: string) => {
      if (!sources.has(sha)) sources.set(sha, (await deps.store.get(sha)).toString('utf8'));
      return sources.get(sha)!;
    };
    const items = [];
    for (const item of r.outcome.items) {
      if (!replies.has(item.reply.n)) replies.set(item.reply.n, await loadReply(deps.store, item.reply));
      const comment = Object.values(replies.get(item.reply.n)!.perDocument)
        .flatMap((a) => (a === 'noComments' ? [] : a))
        .find((c) => c.id === item.commentId);
      const changes = [];
      for (const ch of item.changes) {
        const sectionIn = async (sha: string) => (await sections.of(sha, () => source(sha))).text(ch.section) ?? '';
        const after = await sectionIn(ch.afterSha256);
        const before = ch.beforeSha256 ? await sectionIn(ch.beforeSha256) : '';
        const diff = changedText(before, after);
        const page = await deps.pageOf?.(
          { source: await source(ch.afterSha256), sourceSha256: ch.afterSha256, docKey: ch.doc },
          { section: ch.section, ...(ch.quote !== undefined && { quote: ch.quote }) },
        );
        changes.push({
          docTitle: r.round.documents.find((d) => d.key === ch.doc)?.title ?? ch.doc,
          section: ch.section,
          ...(page && page !== '—' && { page }),
          identical: diff.identical,
          parts: diff.parts.map((p) => ({ ...p, removed: p.kind === 'removed', added: p.kind === 'added' })),
        });
      }
      items.push({
        text: comment?.text ?? '',
        decision: DECISION_LABELS[item.decision],
        rationale: item.rationale,
        changes,
      });
    }
    return { items, respondBy: formatInstant(r.outcome.respondBy, r.bureau?.timeZone ?? r.round.timeZone) };
  }

  function templateData(r: MailRequest, reply: Reply | undefined) {
    const tz = r.bureau?.timeZone ?? r.round.timeZone;
    const link = linkFor(r);
    return {
      ...r,
      subject: SUBJECTS[r.kind](r),
      link,
      receiptLink: link && r.kind === 'replyConfirmation' && r.reply ? `${link}/receipt/${r.reply.n}` : undefined,
      deadlineText: r.deadline ? formatInstant(r.deadline, tz) : undefined,
      replyTime: r.reply ? formatInstant(r.reply.submittedAt, tz, { seconds: true }) : undefined,
      replyDocuments: reply
        ? r.round.documents.map((d) => {
            const answer = reply.perDocument[d.key];
            return {
              title: d.title,
              noComments: answer === 'noComments',
              comments: answer === 'noComments' ? [] : (answer ?? []),
            };
          })
        : [],
      summaryRows: (r.summary ?? []).map((s) => ({ ...s, outcomeText: outcomeText(s.outcome as BureauOutcome) })),
      failure: r.failure && { ...r.failure, to: r.failure.to.join(', ') },
      meetingText: r.meeting && meetingText(r),
    };
  }

  /** The meeting's day and hours in its own zone: 2030-03-01 09:00–12:00 (Asia/Shanghai). */
  function meetingText(r: MailRequest): string {
    const { start, end, tz } = r.meeting!.meeting;
    return formatMeetingTime(start, end, tz);
  }

  function meetingAttachment(r: MailRequest) {
    const cancelled = r.kind === 'meetingCancellation';
    const method = cancelled ? 'CANCEL' : 'REQUEST';
    const m = r.meeting!;
    const content = meetingCalendar(m, {
      cancelled,
      summary: `专家评审会：${r.round.title} / Expert review meeting`,
      description: [
        `组织单位 Organiser：${m.meeting.organiser}`,
        `专家 Experts：${m.experts.map((e) => [e.name, e.title, e.organisation].filter(Boolean).join('，')).join('；')}`,
        ...(r.reason ? [`说明 Note：${r.reason}`] : []),
      ].join('\n'),
      organizer: {
        name: r.round.coordinator.name,
        email: r.round.coordinator.email ?? deps.from.match(/<([^>]+)>/)?.[1] ?? deps.from,
      },
    });
    return { filename: 'meeting.ics', content, contentType: `text/calendar; charset=utf-8; method=${method}` };
  }

  async function attachments(r: MailRequest) {
    if (r.meeting && r.kind !== 'meetingReminder') return [meetingAttachment(r)];
    if (r.kind !== 'invitation') return [];
    return Promise.all(
      r.round.documents.map(async (d) =>
        deps.renderAttachment({
          title: d.title,
          standIn: d.standIn,
          sourceSha256: d.sha256,
          source: (await deps.store.get(d.sha256)).toString('utf8'),
          round: { id: r.round.id, title: r.round.title },
        }),
      ),
    );
  }

  return {
    /**
     * Heartbeats while it works (carrying the progress of earlier attempts), so that a heartbeat
     * timeout can notice a worker that died mid-send.
     */
    async sendEmail(r: MailRequest): Promise<MailResult> {
      const context = Context.current();
      const previous = Progress.safeParse(context.info.heartbeatDetails);
      const done: Progress = previous.success ? previous.data : NO_PROGRESS;
      const beat = setInterval(() => context.heartbeat(done), deps.heartbeatEveryMs ?? HEARTBEAT_EVERY_MS);
      try {
        return await send(r, done, (p) => context.heartbeat(p), replyLoader());
      } finally {
        clearInterval(beat);
      }
    },

    /**
     * Several messages in one activity, one after the other. A message that fails for good (its
     * template, its reply's texts, a permanent SMTP refusal) is answered as failed and the others go
     * on; one that fails for now is tried again in the activity's next attempt, which sends only the
     * messages not finished (kept in the heartbeat details). In the last attempt the retries would
     * not outlive, a message failing for now is answered as failed too, so that the round learns
     * which messages went and which did not.
     */
    async sendEmails(requests: MailRequest[]): Promise<MailBatchOutcome[]> {
      const context = Context.current();
      const previous = BatchProgress.safeParse(context.info.heartbeatDetails);
      const state: BatchProgress = previous.success ? previous.data : { progress: {}, finished: {} };
      const beat = setInterval(() => context.heartbeat(state), deps.heartbeatEveryMs ?? HEARTBEAT_EVERY_MS);
      const loadReplyOnce = replyLoader();
      const later: string[] = [];
      try {
        for (const r of requests) {
          if (state.finished[r.messageId]) continue;
          const progress = (p: Progress) => {
            state.progress[r.messageId] = p;
            context.heartbeat(state);
          };
          try {
            const result = await send(r, state.progress[r.messageId] ?? NO_PROGRESS, progress, loadReplyOnce);
            state.finished[r.messageId] = { result };
          } catch (err) {
            if (err instanceof ApplicationFailure && err.nonRetryable) {
              state.finished[r.messageId] = { error: failureText(err) };
            } else if (lastAttempt(context.info)) {
              state.finished[r.messageId] = { error: `${failureText(err)} (retries ran out)` };
            } else {
              later.push(`${r.messageId}: ${failureText(err)}`);
            }
          }
        }
        if (later.length > 0) {
          context.heartbeat(state);
          throw new Error(`not sent yet, retrying them only: ${later.join('; ')}`);
        }
        return requests.map((r) => ({ messageId: r.messageId, ...state.finished[r.messageId] }));
      } finally {
        clearInterval(beat);
      }
    },
  };

  /** Reads each reply's texts once per activity (a reply's confirmation and notice share them). */
  function replyLoader(): (summary: NonNullable<MailRequest['reply']>) => Promise<Reply> {
    const loaded = new Map<string, Promise<Reply>>();
    return (summary) => {
      const key = `${summary.draftSha256}:${summary.contentSha256}`;
      if (!loaded.has(key)) loaded.set(key, loadReply(deps.store, summary));
      return loaded.get(key)!;
    };
  }

  async function send(
    r: MailRequest,
    done: Progress,
    recordProgress: (p: Progress) => void,
    readReply: ReturnType<typeof replyLoader>,
  ): Promise<MailResult> {
    const reply = await permanentOn(
      'ReplyTextError',
      [ContentNotFoundError, ContentCorruptError, DraftMismatchError, ZodError],
      () => (r.reply ? readReply(r.reply) : Promise.resolve(undefined)),
    );
    const outcome = await permanentOn(
      'ReplyTextError',
      [ContentNotFoundError, ContentCorruptError, DraftMismatchError, ZodError],
      () => outcomeView(r),
    );
    let html: string;
    try {
      html = deps.templates.render(`email/${r.kind}`, { ...templateData(r, reply), outcomeView: outcome });
    } catch (err) {
      throw ApplicationFailure.create({
        type: 'TemplateError',
        message: String((err as Error).message),
        nonRetryable: true,
      });
    }
    // Attachments are made before talking to the server, so their failures are not taken for SMTP trouble.
    const files = await permanentOn(
      'AttachmentError',
      [ContentNotFoundError, ContentCorruptError, ApplicationFailure],
      () => attachments(r),
    );
    // Recipients a previous attempt already delivered to (or that refused for good) are not sent to
    // again: only those that refused for now (4xx) are retried, with the same Message-ID.
    const remaining = r.to.filter((a) => !done.delivered.includes(a) && !done.refused.some((x) => x.address === a));
    try {
      const info = await deps.transport.sendMail({
        from: deps.from,
        to: remaining,
        subject: SUBJECTS[r.kind](r),
        html,
        text: htmlToText(html),
        // Base64 rather than quoted-printable, which nodemailer picks when Latin letters outnumber the
        // rest (markup and the English beside the Chinese): quoted-printable writes each byte of a
        // Chinese character as three, and encodes and dot-stuffs byte by byte in JavaScript.
        textEncoding: 'base64',
        messageId: r.messageId,
        headers: { 'X-Plan-Review-Round': r.round.id, 'X-Plan-Review-Kind': r.kind },
        attachments: files,
      });
      const rejectedErrors =
        (info as { rejectedErrors?: Array<{ recipient?: string; message: string; responseCode?: number }> })
          .rejectedErrors ?? [];
      const progress: Progress = {
        delivered: [...done.delivered, ...(info.accepted ?? []).map(String)],
        refused: [...done.refused],
      };
      const later: string[] = [];
      for (const a of (info.rejected ?? []).map(String)) {
        const e = rejectedErrors.find((x) => x.recipient === a);
        if (e && !isPermanentSmtpError(e)) later.push(a);
        else progress.refused.push({ address: a, error: e?.message ?? 'rejected by the mail server' });
      }
      if (later.length > 0) {
        recordProgress(progress);
        throw new Error(`temporarily refused for ${later.join(', ')}; retrying them only`);
      }
      return {
        messageId: r.messageId,
        sentAt: new Date().toISOString(),
        accepted: progress.delivered,
        rejected: progress.refused,
      };
    } catch (err) {
      if (isPermanentSmtpError(err)) {
        throw ApplicationFailure.create({
          type: 'PermanentDeliveryFailure',
          message: (err as Error).message,
          nonRetryable: true,
        });
      }
      throw err;
    }
  }
}
