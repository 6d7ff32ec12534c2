/**
 * The round's actions as a table: for each, the stages in which it may be taken, the checks that
 * depend on the round's state, and its effect. The request schema and the roles come from
 * domain/actions.ts, the Update from workflows/messages.ts. One validator preamble serves all:
 * a repeated request passes (it gets the first answer), the request must be in its schema's
 * canonical form, the actor's role allowed, the round in one of the action's stages.
 * Handlers apply the payload exactly as recorded: on replay they run with today's code on
 * yesterday's payloads, while validators do not run at all.
 */
import { setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import { ACTIONS, type ActionName } from '../../domain/actions.js';
import type { Stage } from '../../domain/round.js';
import { UPDATES, type Updates } from '../messages.js';
import { parseCanonical, requireRole, requireStage } from './refuse.js';
import type { Round } from './round.js';

export type RequestOf<K extends ActionName> = z.output<(typeof ACTIONS)[K]['request']>;
export type ResultOf<K extends ActionName> =
  Updates[K] extends UpdateDefinition<infer R, infer _A, infer _N> ? R : never;

export interface RoundAction<K extends ActionName, C> {
  stages: readonly Stage[];
  /** Refusals that depend on the round's state: synchronous, never mutating. */
  check?(ctx: C, req: RequestOf<K>): void;
  /** The effect; an async one (it reads a document through an activity) returns a promise. */
  apply(ctx: C, req: RequestOf<K>): ResultOf<K> | Promise<ResultOf<K>>;
}

export type ActionTable<C> = { [K in ActionName]?: RoundAction<K, C> };

export function registerActions<C>(round: Round, ctx: C, table: ActionTable<C>): void {
  for (const name of Object.keys(table) as ActionName[])
    register(round, ctx, name, table[name] as RoundAction<typeof name, C>);
}

function register<K extends ActionName, C>(round: Round, ctx: C, name: K, action: RoundAction<K, C>): void {
  const { request, roles } = ACTIONS[name];
  const update = UPDATES[name] as unknown as UpdateDefinition<ResultOf<K>, [RequestOf<K>]>;
  setHandler(update, (req) => round.once(req.requestId, () => action.apply(ctx, req)), {
    validator: (req) => {
      if (round.hasHandled(req?.requestId)) return;
      const parsed = parseCanonical(request, req) as RequestOf<K>;
      requireRole(parsed.actor.role, roles);
      requireStage(round.status.stage, action.stages);
      action.check?.(ctx, parsed);
    },
  });
}
