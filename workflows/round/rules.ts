/**
 * Round-wide rules as plain functions over the status: whether a revised version of a circulated
 * document may be added. The round's action table (roundActions.ts) and the edges' typed fake rounds
 * apply the same functions.
 */
import type { AddDocumentVersionRequest } from '../../domain/disposition.js';
import { ROUND_LIMITS } from '../../domain/limits.js';
import { makeRefusal, type Refusal } from '../../domain/refusals.js';
import type { RoundStatus } from '../../domain/round.js';

/** The document must circulate in the round, the file must differ from its current version, and versions are bounded. */
export function addVersionRefusal(status: RoundStatus, req: AddDocumentVersionRequest): Refusal | null {
  const doc = status.documents.find((d) => d.key === req.docKey);
  if (!doc) return makeRefusal('docKey', 'unknownDocument', { doc: req.docKey });
  if (doc.versions[doc.versions.length - 1]!.sha256 === req.sha256)
    return makeRefusal('sha256', 'versionUnchanged', { title: doc.title });
  if (doc.versions.length >= ROUND_LIMITS.versionsPerDocument)
    return makeRefusal('sha256', 'tooManyVersions', { title: doc.title, max: ROUND_LIMITS.versionsPerDocument });
  return null;
}
