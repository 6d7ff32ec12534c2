/**
 * The approval stage's loop: while nothing blocks approval and the records changed since the last
 * candidate (or rejection), it renders a new candidate PDF from the round's own records; it ends
 * when the approver approves the current candidate by its hash.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities/index.js';
import { iso, localDate, nextLocalMidnight } from '../../../domain/time.js';
import { PATCHES } from '../../patches.js';
import type { Round } from '../../round/round.js';
import { approvalBlockers, planDocKey, recordFingerprint } from './rules.js';

/**
 * A render takes seconds; the plan is long. It heartbeats (activities/pdf.ts), so a render whose
 * worker died is tried again once its heartbeats stop for a minute, not after five. (Activity
 * options are not part of a history's determinism: rounds started before keep replaying.)
 */
const pdf = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

export class Approval {
  constructor(readonly round: Round) {}

  get state() {
    return this.round.status.approval;
  }

  async run(): Promise<void> {
    this.round.enter('approval');
    const dated = patched(PATCHES.candidateIssueDate);
    const { timeZone } = this.round.status;
    while (!this.round.cancelled && this.round.status.stage !== 'approved') {
      this.round.outbox.startSends();
      this.state.blockers = approvalBlockers(this.round.status);
      const fingerprint = recordFingerprint(this.round.status);
      const today = dated ? localDate(Date.now(), timeZone) : undefined;
      const due =
        this.state.blockers.length === 0 &&
        (this.state.candidate?.fingerprint !== fingerprint || this.state.candidate.issueDate !== today) &&
        this.state.rejectedFingerprint !== fingerprint;
      if (!due) {
        await this.nextChange(dated && this.state.candidate ? nextLocalMidnight(Date.now(), timeZone) : null);
        continue;
      }
      if (this.round.status.stage === 'revision') this.round.enter('approval');
      this.state.candidate = null;
      const docKey = planDocKey(this.round.status);
      const rendered = await pdf.renderRoundPdf({
        status: this.round.status,
        docKey,
        mode: 'approved',
        ...(today && { extras: { issueDate: today, coordinatorOrg: this.round.status.coordinator.name } }),
      });
      // A record that changed while the PDF was rendered makes it stale at once: render again.
      if (recordFingerprint(this.round.status) === fingerprint) {
        this.state.candidate = {
          docKey,
          pdfSha256: rendered.pdfSha256,
          recordSha256: rendered.recordSha256,
          pages: rendered.pages,
          renderedAt: iso(Date.now()),
          fingerprint,
          ...(today && { issueDate: today }),
        };
        this.round.poke();
      }
    }
    this.round.timer.arm(null);
  }

  /** Waits for the next change to the round, or until `at` (the next midnight: a new issue date). */
  private async nextChange(at: number | null): Promise<void> {
    if (at === null) return this.round.waitForChange();
    this.round.timer.arm(at);
    await this.round.changeOrDue(() => Promise.race([this.round.timer.fired, this.round.waitForChange()]));
  }
}
