/**
 * What each bureau's link was shown of its round in the last minute (STATUS_REUSE_MS), by round and
 * bureau. A reply link's page reads its round once, and a Submit sent soon after its page was read
 * (an acknowledgement, a quick correction) is checked against what that page was built from instead
 * of reading the round again. At most 200 rounds are kept (a few MB); a round pushed out is simply
 * read again. A fresh read costs a describe, and a query only when the bureau's part of the round
 * has changed (infra/roundGateway.ts).
 *
 * A reused status may only let a request through. The round's own validator checks the Update again
 * when it arrives, so a stale status cannot record what the round would refuse; a request that a
 * reused status would turn away is checked again on a fresh read, so a stale status cannot refuse
 * what the round would take. A change this web server makes to a round forgets its status.
 */
import { LRUCache } from 'lru-cache';
import type { RoundStatus } from '../domain/round.js';
import type { Outcome, RoundService } from '../infra/roundGateway.js';

export interface StatusRead {
  found: Outcome<RoundStatus>;
  /** True when the status is one read earlier, not asked of the round for this request. */
  reused: boolean;
}

/** How long a status read for a link's page may stand in for a new read. */
export const STATUS_REUSE_MS = 60_000;

interface Kept {
  view: RoundStatus;
  at: number;
}

export class RecentStatuses {
  /** By round, then by bureau: what each bureau's link was last shown of the round. */
  private readonly kept = new LRUCache<string, Map<string, Kept>>({ max: 200 });

  constructor(
    private readonly rounds: Pick<RoundService, 'status'>,
    /** The web server's clock (the routes' own, so tests can move it). */
    private readonly now: () => Date,
  ) {}

  /**
   * What a bureau's link shows of its round (domain/linkView.ts): from one read within the reuse
   * time when `reuse`, else from a fresh one (then kept).
   */
  async read({ roundId, bureauId }: { roundId: string; bureauId: string }, reuse: boolean): Promise<StatusRead> {
    if (reuse) {
      const kept = this.kept.get(roundId)?.get(bureauId);
      const age = kept ? this.now().getTime() - kept.at : -1;
      if (kept && age >= 0 && age <= STATUS_REUSE_MS)
        return { found: { kind: 'done', value: kept.view }, reused: true };
    }
    const found = await this.rounds.status(roundId, { forBureau: bureauId });
    if (found.kind !== 'done') {
      this.kept.get(roundId)?.delete(bureauId);
      return { found, reused: false };
    }
    const views = this.kept.get(roundId) ?? new Map<string, Kept>();
    views.set(bureauId, { view: found.value, at: this.now().getTime() });
    this.kept.set(roundId, views);
    return { found, reused: false };
  }

  /** After an Update this web server sent: the round has changed (or may have). */
  forget(roundId: string): void {
    this.kept.delete(roundId);
  }
}
