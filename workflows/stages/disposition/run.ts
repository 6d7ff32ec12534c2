/** The disposition stage's loop: it waits for the coordinator to publish every comment's disposition. */
import type { DueSchedule, Round } from '../../round/round.js';

export class Disposition implements DueSchedule {
  constructor(readonly round: Round) {}

  async run(): Promise<void> {
    this.round.enter('disposition');
    await this.round.runUntilOver(this);
  }

  applyDue(): void {}

  nextDue(): number | null {
    return null;
  }

  isOver(): boolean {
    return this.round.status.dispositionsPublished !== null;
  }
}
