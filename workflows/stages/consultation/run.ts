/**
 * The consultation stage's state and loop: invitations go out at the start, reminders only to
 * silent bureaus, a silent bureau is deemed to have no comments at its deadline, and the stage
 * ends at the last deadline plus grace (or when the coordinator closes it once everyone has
 * answered), with a summary to the coordinator.
 */
import { patched, uuid4 } from '@temporalio/workflow';
import type { ReplyReceipt } from '../../../domain/consultation.js';
import type { MailRequest } from '../../../domain/mail.js';
import type { ReplySummary } from '../../../domain/records.js';
import type { BureauStatus } from '../../../domain/round.js';
import { iso } from '../../../domain/time.js';
import { PATCHES } from '../../patches.js';
import type { DueSchedule, Round } from '../../round/round.js';
import { consultationEnd, consultationOver, countComments, outcomeOf, reminderMoments, repliedLate } from './rules.js';

export class Consultation implements DueSchedule {
  /** Reminder moments still to come, per bureau. */
  private readonly reminders = new Map<string, number[]>();
  /** Bureaus whose deadline has been processed (deemed no comments if silent). */
  private readonly deadlinePassed = new Set<string>();

  constructor(readonly round: Round) {}

  get status() {
    return this.round.status;
  }

  async run(): Promise<void> {
    this.startDeadlinesNow();
    this.round.enter('consultation');
    this.updateEnd();
    for (const b of this.status.bureaus) this.invite(b);
    await this.round.runUntilOver(this);
  }

  isOver(): boolean {
    return this.status.consultation.endedAt !== null;
  }

  /** A deadline given as a duration counts from the consultation's start when another stage ran first. */
  private startDeadlinesNow(): void {
    const { deadline, stages } = this.round.input;
    if (!('afterMs' in deadline) || (stages ?? ['consultation'])[0] === 'consultation') return;
    if (!patched(PATCHES.consultationDeadlineFromStageStart)) return;
    const before = this.round.roundDeadline;
    this.round.roundDeadline = iso(Date.now() + deadline.afterMs);
    for (const b of this.status.bureaus) if (b.deadline === before) b.deadline = this.round.roundDeadline;
  }

  // --- steps the actions share ------------------------------------------------------------------------

  invite(b: BureauStatus, variant?: MailRequest['variant']): void {
    b.invitation ??= {
      bureauId: b.bureau.id,
      messageId: '',
      linkId: uuid4(),
      deadline: b.deadline,
      messages: [],
      remindersSent: [],
      failures: [],
    };
    const invitation = b.invitation;
    this.round.outbox.enqueue(
      'invitation',
      b.bureau.id,
      emails(b),
      { bureau: b.bureau, linkId: invitation.linkId, deadline: b.deadline, variant },
      (r) => {
        invitation.messageId = r.messageId;
        invitation.sentAt ??= r.sentAt;
        invitation.messages.push({ at: r.sentAt, messageId: r.messageId });
      },
    );
    this.reminders.set(b.bureau.id, reminderMoments(b.deadline, this.status.reminderOffsetsMs, Date.now()));
  }

  recordReply(b: BureauStatus, reply: ReplySummary): ReplyReceipt {
    b.replies.push(reply);
    b.outcome = outcomeOf(b, this.deadlinePassed.has(b.bureau.id));
    const late = reply.late === true;
    // The bureau's link, so that the confirmation links to the receipt.
    this.round.outbox.enqueue('replyConfirmation', b.bureau.id, emails(b), {
      bureau: b.bureau,
      reply,
      late,
      ...(b.invitation && { linkId: b.invitation.linkId }),
    });
    this.round.notifyCoordinator('replyNotice', { bureau: b.bureau, reply, late });
    return {
      roundId: this.round.id,
      bureauId: b.bureau.id,
      n: reply.n,
      version: reply.version,
      submittedAt: reply.submittedAt,
      contentSha256: reply.contentSha256,
      late,
    };
  }

  extend(b: BureauStatus): void {
    this.deadlinePassed.delete(b.bureau.id);
    b.outcome = outcomeOf(b, false);
    this.reminders.set(b.bureau.id, reminderMoments(b.deadline, this.status.reminderOffsetsMs, Date.now()));
    this.updateEnd();
  }

  waive(b: BureauStatus): void {
    b.outcome = 'waived';
    this.reminders.delete(b.bureau.id);
    this.updateEnd();
  }

  addBureau(b: BureauStatus): void {
    this.status.bureaus.push(b);
    this.invite(b);
    this.updateEnd();
  }

  updateEnd(): void {
    this.status.consultationEndsAt = iso(consultationEnd(this.status) ?? Date.now());
  }

  // --- the schedule ---------------------------------------------------------------------------------------

  /** Sends reminders, deems silent bureaus, ends consultation: whatever is due at `now`. */
  applyDue(now: number): void {
    for (const b of this.status.bureaus) {
      const id = b.bureau.id;
      const moments = this.reminders.get(id) ?? [];
      while (moments.length > 0 && moments[0]! <= now) {
        moments.shift();
        if (b.outcome === 'pending' && b.invitation) {
          const invitation = b.invitation;
          this.round.outbox.enqueue(
            'reminder',
            id,
            emails(b),
            { bureau: b.bureau, linkId: invitation.linkId, deadline: b.deadline },
            (r) => invitation.remindersSent.push({ at: r.sentAt, messageId: r.messageId }),
          );
        }
      }
      if (!this.deadlinePassed.has(id) && b.waived === null && Date.parse(b.deadline) <= now) {
        this.deadlinePassed.add(id);
        this.reminders.delete(id);
        b.outcome = outcomeOf(b, true);
      }
    }
    if (consultationOver(this.status, now)) this.end(now);
  }

  nextDue(): number | null {
    const moments: number[] = [];
    for (const b of this.status.bureaus) {
      if (b.outcome !== 'pending' || b.waived !== null) continue;
      moments.push(...(this.reminders.get(b.bureau.id) ?? []).slice(0, 1));
      if (!this.deadlinePassed.has(b.bureau.id)) moments.push(Date.parse(b.deadline));
    }
    const end = consultationEnd(this.status);
    if (end !== null) moments.push(end);
    return moments.length > 0 ? Math.min(...moments) : null;
  }

  private end(now: number): void {
    this.status.consultation.endedAt = iso(now);
    for (const b of this.status.bureaus) if (b.outcome === 'pending') b.outcome = 'deemedNoComments';
    this.round.notifyCoordinator('deadlineSummary', {
      summary: this.status.bureaus.map((b) => ({
        bureau: { id: b.bureau.id, nameZh: b.bureau.nameZh, nameEn: b.bureau.nameEn },
        outcome: b.outcome,
        replies: b.replies.length,
        comments: countComments(b),
        late: repliedLate(b),
      })),
      ...(this.status.consultation.closed?.reason && { reason: this.status.consultation.closed.reason }),
    });
  }
}

const emails = (b: BureauStatus) => b.bureau.contacts.map((c) => c.email);
