/** All activities, built from their dependencies: the worker passes real ones, tests pass fakes. */
import type { ContentStore } from '../infra/store.js';
import { createDocumentActivities } from './documents.js';

export interface ActivityDeps {
  store: ContentStore;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createDocumentActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
