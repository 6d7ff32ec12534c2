/** How the round's validators refuse: with the field, a catalog code and its parameters (domain/refusals.ts). */
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { canonicalJson } from '../../domain/replyHash.js';
import { invalidFieldRefusal } from '../../domain/messages.js';
import { makeRefusal, type RefusalCode, type RefusalParams } from '../../domain/refusals.js';
import type { Role } from '../../domain/records.js';
import type { Stage } from '../../domain/round.js';
import { STAGE_LABELS } from '../../domain/labels.js';

export const INVALID_REQUEST = 'InvalidRequest';

/** Refuses an Update; nothing reaches the history. The edge shows the catalog's words beside `field`. */
export function refuse(field: string, code: RefusalCode, params: RefusalParams = {}): never {
  const refusal = makeRefusal(field, code, params);
  throw ApplicationFailure.create({
    type: INVALID_REQUEST,
    message: `${field}: ${refusal.message}`,
    details: [refusal],
    nonRetryable: true,
  });
}

/**
 * Parses a request with its schema and refuses it unless it is already in the schema's canonical
 * form (trimmed, defaults filled): the handler applies the payload exactly as recorded, so what is
 * recorded must be what the schema accepts, unchanged. Callers send `schema.parse(x)`.
 */
export function parseCanonical<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const refusal = invalidFieldRefusal(parsed.error.issues[0]!, 'request');
    refuse(refusal.field, refusal.code, refusal.params);
  }
  if (canonicalJson(parsed.data) !== canonicalJson(raw)) refuse('request', 'notCanonical');
  return parsed.data;
}

export function requireRole(role: Role, allowed: readonly Role[]): void {
  if (!allowed.includes(role)) refuse('actor.role', 'roleNotAllowed', { role, allowed: allowed.join(', ') });
}

export function requireStage(stage: Stage, allowed: readonly Stage[]): void {
  if (!allowed.includes(stage)) {
    refuse('round', 'wrongStage', { stage, stageZh: STAGE_LABELS[stage].zh, expected: allowed.join(' or ') });
  }
}
