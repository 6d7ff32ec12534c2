/**
 * The disposition stage's rules, as plain functions over the round's status: which comments await a
 * disposition (those of each bureau's counting reply), whether a change's anchors name sections of
 * the documents' current versions, which comments are still undecided.
 */
import type { AnchorDraft, ReanchorDispositionRequest, ResolveObjectionRequest } from '../../../domain/disposition.js';
import { commentIds } from '../../../domain/replies.js';
import type { Anchor, Disposition } from '../../../domain/records.js';
import type { MailRequest } from '../../../domain/mail.js';
import { makeRefusal, type Refusal } from '../../../domain/refusals.js';
import type { RoundStatus } from '../../../domain/round.js';
import { iso } from '../../../domain/time.js';
import { countingReply } from '../consultation/rules.js';

/** The comments to dispose of, by bureau: every comment of the reply that counts for it. */
export function commentsByBureau(status: RoundStatus): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const b of status.bureaus) {
    const reply = b.outcome === 'replied' ? countingReply(b) : undefined;
    if (reply) out.set(b.bureau.id, commentIds(reply));
  }
  return out;
}

export const allComments = (status: RoundStatus): string[] => [...commentsByBureau(status).values()].flat();

export function undisposed(status: RoundStatus): string[] {
  const decided = new Set(status.dispositions.map((d) => d.commentId));
  return allComments(status).filter((id) => !decided.has(id));
}

/** The first anchor naming a document or section that the current versions do not have. */
export function anchorRefusal(status: RoundStatus, anchors: AnchorDraft[], field: string): Refusal | null {
  for (const [i, a] of anchors.entries()) {
    const doc = status.documents.find((d) => d.key === a.doc);
    if (!doc) return makeRefusal(`${field}.${i}.doc`, 'unknownDocument', { doc: a.doc });
    if (!doc.versions[doc.versions.length - 1]!.sections.some((s) => s.id === a.section)) {
      return makeRefusal(`${field}.${i}.section`, 'unknownAnchorSection', { section: a.section, title: doc.title });
    }
  }
  return null;
}

/** Anchors pinned to the version they were named in: pages are resolved per rendered PDF. */
export function pinAnchors(status: RoundStatus, anchors: AnchorDraft[]): Anchor[] {
  return anchors.map((a) => {
    const doc = status.documents.find((d) => d.key === a.doc)!;
    return {
      doc: a.doc,
      version: doc.versions[doc.versions.length - 1]!.n,
      section: a.section,
      ...(a.quote !== undefined && { quote: a.quote }),
    };
  });
}

/**
 * The anchors of dispositions that no longer resolve: their section is not in the document's current
 * version (a revised version dropped or renumbered it). They block approval until re-anchored.
 */
export function brokenAnchors(status: RoundStatus): Array<{ commentId: string; anchor: Anchor }> {
  const current = new Map(
    status.documents.map((d) => [d.key, new Set(d.versions[d.versions.length - 1]!.sections.map((s) => s.id))]),
  );
  return status.dispositions.flatMap((d) =>
    d.changedAt
      .filter((a) => a.section !== undefined && !current.get(a.doc)?.has(a.section))
      .map((anchor) => ({ commentId: d.commentId, anchor })),
  );
}

/** The objections a coordinator has not resolved yet: they block approval. */
export const openObjections = (status: RoundStatus) =>
  status.notices.filter((n) => n.response === 'objected' && !n.resolution);

export function reanchorRefusal(status: RoundStatus, req: ReanchorDispositionRequest): Refusal | null {
  if (!status.dispositions.some((d) => d.commentId === req.commentId))
    return makeRefusal('commentId', 'unknownDisposition', { commentId: req.commentId });
  return anchorRefusal(status, req.changedAt, 'changedAt');
}

/** A disposition's change pointed again (the decision stands); its last change is this one: who, and when. */
export function reanchorDisposition(status: RoundStatus, req: ReanchorDispositionRequest, now: number): void {
  const i = status.dispositions.findIndex((x) => x.commentId === req.commentId);
  status.dispositions[i] = {
    ...status.dispositions[i]!,
    changedAt: pinAnchors(status, req.changedAt),
    decidedBy: req.actor,
    decidedAt: iso(now),
  };
}

export function resolveObjectionRefusal(status: RoundStatus, req: ResolveObjectionRequest): Refusal | null {
  const notice = status.notices.find((n) => n.bureauId === req.bureauId);
  return !notice || notice.response !== 'objected' || notice.resolution
    ? makeRefusal('bureauId', 'noOpenObjection')
    : null;
}

export function resolveObjection(status: RoundStatus, req: ResolveObjectionRequest, now: number): void {
  status.notices.find((n) => n.bureauId === req.bureauId)!.resolution = { by: req.actor, at: iso(now), note: req.note };
}

/**
 * What one bureau's outcome notice shows: each of its comments' decisions, and for each change the
 * section in the version the bureau read and in the version the change was made in.
 */
export function noticeItems(status: RoundStatus, bureauId: string): NonNullable<MailRequest['outcome']>['items'] {
  const b = status.bureaus.find((x) => x.bureau.id === bureauId)!;
  const reply = countingReply(b)!;
  const byId = new Map(status.dispositions.map((d): [string, Disposition] => [d.commentId, d]));
  const shaOf = (doc: string, version: number) =>
    status.documents.find((d) => d.key === doc)?.versions.find((v) => v.n === version)?.sha256;
  return commentIds(reply).flatMap((commentId) => {
    const d = byId.get(commentId);
    if (!d) return [];
    return [
      {
        commentId,
        reply,
        decision: d.decision,
        ...(d.rationale !== undefined && { rationale: d.rationale }),
        changes: d.changedAt.map((a) => {
          const read = reply.documents.find((x) => x.doc === a.doc)?.version;
          const beforeSha256 = read !== undefined ? shaOf(a.doc, read) : undefined;
          return {
            doc: a.doc,
            section: a.section ?? '',
            ...(a.quote !== undefined && { quote: a.quote }),
            ...(beforeSha256 && { beforeSha256 }),
            afterSha256: shaOf(a.doc, a.version)!,
          };
        }),
      },
    ];
  });
}
