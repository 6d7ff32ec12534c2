/**
 * The disposition stage's loop: it waits for the coordinator to publish every comment's disposition,
 * then sends each bureau with comments its outcome notice and waits for the answers: a bureau may
 * acknowledge or object until its notice's deadline, and silence counts as acknowledged.
 */
import { iso } from '../../../domain/time.js';
import type { DueSchedule, Round } from '../../round/round.js';
import { commentsByBureau, noticeItems } from './rules.js';

export class Disposition implements DueSchedule {
  constructor(readonly round: Round) {}

  get status() {
    return this.round.status;
  }

  async run(): Promise<void> {
    this.round.enter('disposition');
    await this.round.runUntilOver(this);
  }

  /** Sends the outcome notices (called when the dispositions are published). */
  sendNotices(): void {
    const respondBy = iso(Date.now() + (this.round.input.objectionWindowMs ?? 5 * 24 * 3600_000));
    for (const bureauId of commentsByBureau(this.status).keys()) {
      const b = this.round.bureau(bureauId);
      const notice = { bureauId, messageId: '', respondBy, response: 'pending' as const };
      this.status.notices.push(notice);
      this.round.outbox.enqueue(
        'outcomeNotice',
        bureauId,
        b.bureau.contacts.map((c) => c.email),
        {
          bureau: b.bureau,
          linkId: b.invitation?.linkId,
          outcome: { respondBy, items: noticeItems(this.status, bureauId) },
        },
        (r) => {
          const sent = this.status.notices.find((n) => n.bureauId === bureauId)!;
          sent.messageId = r.messageId;
          sent.sentAt = r.sentAt;
        },
      );
    }
  }

  /** A notice whose deadline passed unanswered counts as acknowledged ("silent"). */
  applyDue(now: number): void {
    for (const n of this.status.notices)
      if (n.response === 'pending' && Date.parse(n.respondBy) <= now) n.response = 'silent';
  }

  nextDue(): number | null {
    const due = this.status.notices.filter((n) => n.response === 'pending').map((n) => Date.parse(n.respondBy));
    return due.length > 0 ? Math.min(...due) : null;
  }

  isOver(): boolean {
    return this.status.dispositionsPublished !== null && this.status.notices.every((n) => n.response !== 'pending');
  }
}
