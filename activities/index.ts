/** All activities, built from their dependencies: the worker passes real ones, tests pass fakes. */
import { createArchiveActivities } from './archive.js';
import { createDocumentActivities } from './documents.js';
import { createEmailActivities, type EmailDeps } from './email.js';
import { createPdfActivities } from './pdf.js';
import { createUploadSweepActivities, type UploadSweepDeps } from './uploadSweep.js';
import type { FontPaths } from '../pdf/render.js';

export type ActivityDeps = EmailDeps & UploadSweepDeps & { fonts?: FontPaths };

export function createActivities(deps: ActivityDeps) {
  return {
    ...createDocumentActivities(deps),
    ...createEmailActivities(deps),
    ...createPdfActivities(deps),
    ...createArchiveActivities(deps),
    ...createUploadSweepActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
