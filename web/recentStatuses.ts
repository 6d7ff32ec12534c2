/**
 * What this web server's reply links were shown of their rounds in the last minute (STATUS_REUSE_MS),
 * by round and bureau. A reply link's page reads its bureau's view of the round once, and a Submit
 * sent soon after its page was read (an acknowledgement, a quick correction) is checked against the
 * view that page was built from instead of asking the round again: each read is a query the round's
 * worker answers. At most 200 rounds are kept (a few MB); a round pushed out is simply read again.
 *
 * A reused status may only let a request through. The round's own validator checks the Update again
 * when it arrives, so a stale status cannot record what the round would refuse; a request that a
 * reused status would turn away is checked again on a fresh read, so a stale status cannot refuse
 * what the round would take. A change a link makes through this web server forgets that link's view,
 * so its next page shows the change; the other bureaus' views stay (what one bureau sends changes
 * nothing another bureau's link decides, and another web server's changes are not seen here either):
 * with replies arriving from every bureau, forgetting the whole round would make each Submit read
 * its round again.
 */
import { LRUCache } from 'lru-cache';
import { linkView } from '../domain/linkView.js';
import type { RoundStatus } from '../domain/round.js';
import type { Outcome, RoundService } from '../infra/roundGateway.js';

export interface StatusRead {
  found: Outcome<RoundStatus>;
  /** True when the status is one read earlier, not asked of the round for this request. */
  reused: boolean;
}

/** How long a status read for a link's page may stand in for a new read. */
export const STATUS_REUSE_MS = 60_000;

export class RecentStatuses {
  /** By round, then by bureau: the view each bureau's link was last shown, and when it was read. */
  private readonly kept = new LRUCache<string, Map<string, { view: RoundStatus; at: number }>>({ max: 200 });

  constructor(
    private readonly rounds: Pick<RoundService, 'status' | 'linkView'>,
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
    const found = await this.fresh(roundId, bureauId);
    if (found.kind !== 'done') {
      this.kept.delete(roundId);
      return { found, reused: false };
    }
    const views = this.kept.get(roundId) ?? new Map<string, { view: RoundStatus; at: number }>();
    views.set(bureauId, { view: found.value, at: this.now().getTime() });
    this.kept.set(roundId, views);
    return { found, reused: false };
  }

  /** A bureau's view as its round's worker makes it, or (a service without views) from the round's status. */
  private async fresh(roundId: string, bureauId: string) {
    if (this.rounds.linkView) return this.rounds.linkView(roundId, bureauId);
    // A bureau's link shows none of the round's mail: no describe of its pending activities.
    const found = await this.rounds.status(roundId, { mailAttempts: false });
    return found.kind === 'done' ? { ...found, value: linkView(found.value, bureauId) } : found;
  }

  /** After an Update a bureau's link sent through this web server: its view has changed (or may have). */
  forget({ roundId, bureauId }: { roundId: string; bureauId: string }): void {
    this.kept.get(roundId)?.delete(bureauId);
  }
}
