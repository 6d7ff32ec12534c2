/**
 * A round's archive: made when the round is approved, kept in the document store by the SHA-256 of
 * its manifest, so that the round can be verified after Temporal has deleted its history. The
 * manifest names, by hash, the approved PDF, the trail (JSON), the audit certificate (PDF) and the
 * round's history as far as the archive covers it; the archiving activity's result, in the round's
 * history, records the archive's hash and the trail's head (ArchiveResult).
 */
import { z } from 'zod';
import { Sha256 } from './records.js';

export const ARCHIVE_FORMAT = 'plan-review-archive/1';

export const ArchiveManifest = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  roundId: z.string(),
  runId: z.string().optional(),
  title: z.string(),
  /** The last event of the round's history the archive covers (the history up to the archiving). */
  throughEventId: z.number().int().positive(),
  approvedPdf: z.object({ sha256: Sha256, eventId: z.number().int() }),
  trail: z.object({ sha256: Sha256, head: Sha256, entries: z.number().int().nonnegative() }),
  certificate: z.object({ sha256: Sha256, pages: z.number().int().positive() }),
  /** The history as far as the archive covers it, as the Temporal CLI and the SDK's replayer read it. */
  history: z.object({ sha256: Sha256, events: z.number().int().positive() }),
});
export type ArchiveManifest = z.infer<typeof ArchiveManifest>;

/** What the archiving activity returns: recorded in the round's history. */
export const ArchiveResult = z.object({
  archiveSha256: Sha256,
  throughEventId: z.number().int().positive(),
  trailSha256: Sha256,
  trailHead: Sha256,
  trailEntries: z.number().int().nonnegative(),
  certificateSha256: Sha256,
  historySha256: Sha256,
});
export type ArchiveResult = z.infer<typeof ArchiveResult>;

/** The store's name of a round's archive (how `plan-review verify` finds it without the history). */
export const archiveName = (roundId: string) => `archive/${roundId}`;
