/**
 * The expert review's loop: it reminds the experts a day before the meeting (one due moment on the
 * round's shared timer, moved when the meeting is) and ends once the opinions are recorded and each
 * has its revision note.
 */
import type { DueSchedule, Round } from '../../round/round.js';
import { sendMeetingMail } from './actions.js';
import { expertReviewOver, newExpertReview } from './rules.js';

export class ExpertReview implements DueSchedule {
  constructor(readonly round: Round) {}

  async run(): Promise<void> {
    this.round.status.expertReview ??= newExpertReview();
    this.round.enter('expertReview');
    await this.round.runUntilOver(this);
  }

  applyDue(now: number): void {
    const state = this.round.status.expertReview!;
    if (!state.meeting || !state.reminderDueAt || Date.parse(state.reminderDueAt) > now) return;
    state.reminderDueAt = null;
    state.reminders.push({ at: new Date(now).toISOString(), sequence: state.meeting.sequence });
    sendMeetingMail(this.round, 'meetingReminder', false);
  }

  nextDue(): number | null {
    const at = this.round.status.expertReview?.reminderDueAt;
    return at ? Date.parse(at) : null;
  }

  isOver(): boolean {
    return expertReviewOver(this.round.status.expertReview);
  }
}
