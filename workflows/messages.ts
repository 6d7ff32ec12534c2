/** The typed messages of the reviewRound workflow: its query, updates and signals. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { RoundStatus } from '../domain/round.js';
import type { Actor } from '../domain/records.js';

export const statusQuery = defineQuery<RoundStatus>('status');

export interface CancelRoundRequest {
  requestId: string;
  actor: Actor;
  reason: string;
}
export const cancelRoundUpdate = defineUpdate<RoundStatus, [CancelRoundRequest]>('cancelRound');
