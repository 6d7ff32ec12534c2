/**
 * Behaviour changes of the round workflow, each behind a `patched()` marker so that a round started
 * before the change replays (and goes on) with the behaviour it started with, and rounds started
 * after it get the new one. The convention (README, "Changing workflow code"):
 *   1. a new id here, with the date and what changed;
 *   2. `if (patched(PATCHES.x)) { new } else { old }` where the behaviour changes;
 *   3. a recorded history from before the change keeps replaying (test/histories/);
 *   4. once no round older than the change is open, `deprecatePatch(PATCHES.x)`, and one
 *      release later the old branch and the id go.
 */
export const PATCHES = {
  /**
   * 2026-11-30: a bureau added without a deadline gets the round's deadline, not the latest
   * (possibly extended) deadline of another bureau.
   */
  addBureauRoundDeadline: 'add-bureau-round-deadline',
  /**
   * 2026-11-30: publishing the dispositions sends each bureau with comments its outcome notice and
   * opens the window to acknowledge or object; rounds published before that have no notices.
   */
  outcomeNotices: 'outcome-notices',
  /**
   * 2026-11-30: a deadline given as a duration (P14D) counts from the start of the consultation, not of
   * the round, when another stage (the expert review) runs first; before, the bureaus could find
   * their deadline already passed when the invitations went out.
   */
  consultationDeadlineFromStageStart: 'consultation-deadline-from-stage-start',
  /**
   * 2026-11-30: a candidate carries its issue date (the day it was rendered, in the round's time zone)
   * and is rendered again at the next midnight, so the approved PDF's issue date is never before
   * the approval; before, candidates had no issue date.
   */
  candidateIssueDate: 'candidate-issue-date',
  /**
   * 2026-12-01: each email's send has its Message-ID as its activity ID, so the pages can show a
   * delayed email's attempts and last error (from the round's pending activities); before, sends
   * had Temporal's numbered activity IDs.
   */
  mailActivityIds: 'mail-activity-ids',
  /**
   * 2026-12-01: an approved round archives itself before it completes (its history so far, trail,
   * audit certificate and approved PDF, content-addressed in the document store), and the archiving's
   * result records the archive's hash and the trail's head in the history; before, nothing was archived.
   */
  archiveAtApproval: 'archive-at-approval',
  /**
   * 2026-12-01: the messages a round queues together (a reply's confirmation and the coordinator's
   * notice, the invitations, the outcome notices) go in one activity, `sendEmails`, which answers
   * for each message; before, each message had an activity of its own.
   */
  mailBatches: 'mail-batches',
  /**
   * 2026-12-07: a stage's loop waits on one condition over the round's changes and the due timer's
   * fires; before, it raced the timer's promise with a condition on the changes. The same wake-ups
   * while a loop waits, with fewer promises in workflow code (the worker captures a stack trace for each).
   */
  wakeOnCounters: 'wake-on-counters',
} as const;
