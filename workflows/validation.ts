/** Synchronous checks shared by the update validators: a rejected update never reaches history. */
import { ApplicationFailure } from '@temporalio/workflow';
import { z } from 'zod';
import { Actor, type Role } from '../domain/records.js';

/** Rejects an update with the field that is wrong, so a page can show the message beside it. */
export function rejectInvalid(field: string, message: string): never {
  throw ApplicationFailure.create({ type: 'InvalidRequest', message: `${field}: ${message}`, details: [{ field, message }], nonRetryable: true });
}

const Envelope = z.object({ requestId: z.string().min(8).max(200), actor: Actor });

/** Every human action carries who acted and an idempotency key; the actor's role must be allowed. */
export function requireActor(req: unknown, roles: Role[]): void {
  const parsed = Envelope.safeParse(req);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    rejectInvalid(issue.path.join('.') || 'request', issue.message);
  }
  if (!roles.includes(parsed.data.actor.role)) {
    rejectInvalid('actor.role', `a ${parsed.data.actor.role} may not do this (allowed: ${roles.join(', ')})`);
  }
}

/** Parses an update's payload with its schema, rejecting with the first failing field. */
export function parseOrReject<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    rejectInvalid(issue.path.join('.') || 'request', issue.message);
  }
  return parsed.data;
}
