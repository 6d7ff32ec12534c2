/**
 * The emails a round sends, as the workflow asks for them. Rendering and delivery happen in the
 * email activity; the workflow decides who gets what, and the Message-ID, so that a retried
 * activity reuses it and a copy after a crash is recognisable.
 * Imported by workflow code: no Node built-ins, no I/O.
 */
import type { Bureau, Expert, Meeting, ReplySummary } from './records.js';
import type { MailInFlight } from './round.js';

/** The longest wait between two attempts of a send (the mail activities' retry policy, workflows/round/outbox.ts). */
export const MAIL_RETRY_MAX_INTERVAL_MS = 60_000;

/** An email not sent this long after the round asked for it is a problem the coordinator is shown. */
export const MAIL_DELAY_PROBLEM_MS = 15 * 60_000;

/** Whether an email has waited long enough to be a problem. */
export function mailDelayed(m: MailInFlight, now: number): boolean {
  return now - Date.parse(m.since) >= MAIL_DELAY_PROBLEM_MS;
}

/**
 * The round's problems as a person is shown them: those the round recorded, and each email that has
 * waited MAIL_DELAY_PROBLEM_MS or more (at the time it was asked for).
 */
export function problemsWithMailDelays(
  status: { problems: Array<{ at: string; message: string }>; mailInFlight?: MailInFlight[] },
  now: number,
): Array<{ at: string; message: string }> {
  const delayed = (status.mailInFlight ?? [])
    .filter((m) => mailDelayed(m, now))
    .map((m) => {
      const attempts = m.attempts === undefined ? '' : `；已尝试 ${m.attempts} 次 ${m.attempts} attempts`;
      const error = m.lastError ? `；最近的错误 last error: ${m.lastError}` : '';
      return {
        at: m.since,
        message: `邮件尚未发出 Mail not sent yet: ${m.kind} → ${m.to.join(', ')}${attempts}${error}`,
      };
    });
  return [...status.problems, ...delayed];
}

export type MailKind =
  | 'invitation'
  | 'reminder'
  | 'replyConfirmation'
  | 'replyNotice'
  | 'deliveryFailure'
  | 'deadlineSummary'
  | 'cancellation'
  | 'outcomeNotice'
  | 'objectionNotice'
  | 'meetingInvitation'
  | 'meetingUpdate'
  | 'meetingCancellation'
  | 'meetingReminder';

export interface MailRound {
  id: string;
  title: string;
  timeZone: string;
  coordinator: { name: string; email?: string; phone?: string };
  documents: Array<{ key: string; title: string; sha256: string; standIn: boolean }>;
}

export interface SummaryLine {
  bureau: Pick<Bureau, 'id' | 'nameZh' | 'nameEn'>;
  outcome: string;
  replies: number;
  comments: number;
  /** The reply that counts came in the grace period (absent in summaries sent before this was recorded). */
  late?: boolean;
}

/** What the email activity needs to write one message; the per-kind parts are optional fields. */
export interface MailRequest {
  kind: MailKind;
  messageId: string;
  to: string[];
  round: MailRound;
  bureau?: Bureau;
  /** The link this message carries (invitations and reminders): the activity signs it. */
  linkId?: string;
  deadline?: string;
  /** The reply confirmed or announced: its texts are read from the document store by hash. */
  reply?: ReplySummary;
  late?: boolean;
  failure?: { kind: string; to: string[]; error: string; bureauId?: string };
  summary?: SummaryLine[];
  reason?: string;
  /** An outcome notice: each comment's decision, and for each change the section in the version read and in the new one. */
  outcome?: {
    respondBy: string;
    items: Array<{
      commentId: string;
      reply: ReplySummary;
      decision: 'adopted' | 'partial' | 'notAdopted';
      rationale?: string;
      /** Where each change is: the section, the quotation of the new text when given, both versions' sources by hash. */
      changes: Array<{ doc: string; section: string; quote?: string; beforeSha256?: string; afterSha256: string }>;
    }>;
  };
  /** 'new-link' marks an invitation sent because the contact changed (the old link stops working). */
  variant?: 'new-link' | 'resend';
  /** The expert meeting (its invitation, update, cancellation or reminder): the activity writes its .ics. */
  meeting?: MeetingMail;
}

export interface MeetingMail {
  meeting: Meeting;
  experts: Expert[];
  /** Whom the message greets. */
  addressee: string;
}

export interface MailResult {
  messageId: string;
  sentAt: string;
  accepted: string[];
  rejected: Array<{ address: string; error: string }>;
}

/** One message of several sent in one activity: its result, or why it was not delivered. */
export interface MailBatchOutcome {
  messageId: string;
  result?: MailResult;
  error?: string;
}

/**
 * `<round-xinrong-eco-plan-1.finance.invitation.2@domain>`: round, recipient, kind and sequence.
 * RFC 5322 ids are dot-atoms, so the round id's colons become dashes.
 */
export function messageIdFor(roundId: string, recipient: string, kind: MailKind, seq: number, domain: string): string {
  const atom = (s: string) => s.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]/g, '-');
  return `<${atom(roundId)}.${atom(recipient)}.${kind}.${seq}@${domain}>`;
}
