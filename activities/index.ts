/** All activities, built from their dependencies: the worker passes real ones, tests pass fakes. */
import { createDocumentActivities } from './documents.js';
import { createEmailActivities, type EmailDeps } from './email.js';

export type ActivityDeps = EmailDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...createDocumentActivities(deps),
    ...createEmailActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
