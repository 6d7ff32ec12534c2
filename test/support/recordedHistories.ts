/**
 * Round histories for the audit pages' and commands' tests: recorded histories of real rounds
 * (test/histories/), served under the round ids a test gives them, as Temporal would serve them.
 */
import { readFileSync } from 'node:fs';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils.js';
import type { Outcome } from '../../infra/roundGateway.js';
import type { RoundHistories } from '../../infra/roundHistory.js';
import { HISTORIES_DIR } from './recordHistory.js';

export function recordedHistory(name: string): History {
  return historyFromJSON(JSON.parse(readFileSync(new URL(`${name}.json`, HISTORIES_DIR), 'utf8')));
}

export class RecordedHistories implements RoundHistories {
  readonly byRound = new Map<string, History>();

  /** `rounds`: round id → the name of a recorded history (approval, silent-bureau-deadline...). */
  constructor(rounds: Record<string, string>) {
    for (const [id, name] of Object.entries(rounds)) this.byRound.set(id, recordedHistory(name));
  }

  async history(roundId: string): Promise<Outcome<History>> {
    const h = this.byRound.get(roundId);
    return h ? { kind: 'done', value: h } : { kind: 'notFound', roundId };
  }
}

/** The round ids of the recorded histories the audit tests read (as they were recorded). */
export const APPROVED_ROUND = 'round:test-04b45af3:1';
export const SILENT_ROUND = 'round:test-87148703:1';
