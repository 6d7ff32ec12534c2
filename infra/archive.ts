/**
 * A round's archive (domain/archive.ts), made by the archiving activity when the round is approved:
 * the round's history up to that moment, its trail (JSON) and audit certificate (PDF) built from that
 * history, and a manifest naming them and the approved PDF, each in the document store by hash. The
 * store names the manifest by the round (`archive/<round id>`), and the activity's result, in the
 * round's history, records its hash and the trail's head. Everything is built from the history alone,
 * so a retried activity stores the same bytes.
 */
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils.js';
import { ARCHIVE_FORMAT, ArchiveManifest, archiveName, type ArchiveResult } from '../domain/archive.js';
import type { Label } from '../domain/labels.js';
import { canonicalJson } from '../domain/replyHash.js';
import type { FontPaths } from '../pdf/config.js';
import { renderCertificate } from './certificate.js';
import { ContentCorruptError, ContentNotFoundError, type ContentStore } from './store.js';
import { bilingual, buildTimeline, type Timeline } from './timeline.js';
import { buildTrail, trailJson, type Trail } from './trail.js';

/** What is wrong with an archive, in both languages. */
export class ArchiveError extends Error {
  constructor(readonly label: Label) {
    super(label.en);
    this.name = 'ArchiveError';
  }
}

const eventIdOf = (e: NonNullable<History['events']>[number]) => Number(String(e.eventId));

/** The history up to and including `throughEventId`. */
export function historyThrough(history: History, throughEventId: number): History {
  return { events: (history.events ?? []).filter((e) => eventIdOf(e) <= throughEventId) };
}

export async function makeArchive(opts: {
  store: ContentStore;
  fonts?: FontPaths;
  roundId: string;
  history: History;
  throughEventId: number;
}): Promise<ArchiveResult> {
  const { store, roundId, throughEventId } = opts;
  const history = historyThrough(opts.history, throughEventId);
  const events = history.events ?? [];
  const timeline = buildTimeline(roundId, history);
  if (!timeline.approved)
    throw new ArchiveError(
      bilingual(
        `${roundId} 的历史至事件 #${throughEventId} 中没有批准稿`,
        `${roundId}: no approved PDF in its history through event #${throughEventId}`,
      ),
    );
  // The trail is dated by the last event it covers, not the clock: the same history, the same bytes.
  const lastAt = timeline.entries.at(-1)?.at ?? timeline.approved.at;
  const trail = buildTrail(timeline, new Date(lastAt));
  const trailFile = await store.put(Buffer.from(trailJson(trail)));
  const certificate = await renderCertificate({ timeline, trail, trailFileSha256: trailFile.sha256, throughEventId });
  await store.put(certificate.pdf);
  const historyFile = await store.put(Buffer.from(historyToJSON(history)));
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    roundId,
    ...(timeline.runId && { runId: timeline.runId }),
    title: timeline.title,
    throughEventId,
    approvedPdf: { sha256: timeline.approved.pdfSha256, eventId: timeline.approved.eventId },
    trail: { sha256: trailFile.sha256, head: trail.head, entries: trail.entries.length },
    certificate: { sha256: certificate.sha256, pages: certificate.pages },
    history: { sha256: historyFile.sha256, events: events.length },
  };
  const { sha256: archiveSha256 } = await store.put(Buffer.from(canonicalJson(manifest)));
  await store.setName(archiveName(roundId), archiveSha256);
  return {
    archiveSha256,
    throughEventId,
    trailSha256: trailFile.sha256,
    trailHead: trail.head,
    trailEntries: trail.entries.length,
    certificateSha256: certificate.sha256,
    historySha256: historyFile.sha256,
  };
}

export interface OpenedArchive {
  sha256: string;
  manifest: ArchiveManifest;
  /** The timeline of the archived history. */
  timeline: Timeline;
  /** The archived trail, as stored. */
  trail: Trail;
}

/**
 * Opens an archive by its hash: the manifest and the history and trail it names, each read from the
 * store by hash (the store refuses bytes that do not match). Throws ArchiveError saying what is wrong.
 */
export async function openArchive(store: ContentStore, sha256: string, roundId: string): Promise<OpenedArchive> {
  const read = async (hash: string, what: Label) => {
    try {
      return await store.get(hash);
    } catch (err) {
      if (err instanceof ContentNotFoundError)
        throw new ArchiveError(
          bilingual(`存储中没有${what.zh} ${hash}`, `${what.en} ${hash} is missing from the store`),
        );
      if (err instanceof ContentCorruptError)
        throw new ArchiveError(
          bilingual(
            `${what.zh} ${hash} 已被替换（其内容的 SHA-256 为 ${err.actual}）`,
            `${what.en} ${hash} was replaced (its bytes hash to ${err.actual})`,
          ),
        );
      throw err;
    }
  };
  let manifest: ArchiveManifest;
  try {
    manifest = ArchiveManifest.parse(
      JSON.parse((await read(sha256, bilingual('归档', 'the archive'))).toString('utf8')),
    );
  } catch (err) {
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError(
      bilingual(`${sha256} 不是归档（${ARCHIVE_FORMAT}）`, `${sha256} is not an archive (${ARCHIVE_FORMAT})`),
    );
  }
  if (manifest.roundId !== roundId)
    throw new ArchiveError(
      bilingual(
        `${sha256} 是 ${manifest.roundId} 的归档，不是 ${roundId} 的`,
        `${sha256} is the archive of ${manifest.roundId}, not of ${roundId}`,
      ),
    );
  const history = historyFromJSON(
    JSON.parse(
      (await read(manifest.history.sha256, bilingual('归档的工作流历史', "the archive's history"))).toString('utf8'),
    ),
  );
  const trail = JSON.parse(
    (await read(manifest.trail.sha256, bilingual('归档的审计链', "the archive's trail"))).toString('utf8'),
  ) as Trail;
  await read(manifest.certificate.sha256, bilingual('归档的审计证明书', "the archive's certificate"));
  return { sha256, manifest, timeline: buildTimeline(roundId, history), trail };
}
