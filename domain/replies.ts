/**
 * A reply in two parts: the summary the round keeps (numbers, dates, who, hashes, how many
 * comments per document) and the reply as typed (the ReplyDraft) in the document store by the
 * SHA-256 of its canonical JSON. The full record (the receipt's Reply) is rebuilt from both, and
 * its contentSha256 is computed over that full record, so the receipt proves every word.
 * Pure JS (the workflow uses it; Node's crypto is not available there).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { ReplyDraft } from './consultation.js';
import type { Comment, DocumentAnswer, Reply, ReplyDocument, ReplySummary } from './records.js';
import { canonicalJson, replyContentSha256 } from './replyHash.js';

/** The bytes a draft is stored as: its canonical JSON (RFC 8785), UTF-8. */
export function draftBytes(draft: ReplyDraft): Uint8Array {
  return new TextEncoder().encode(canonicalJson(draft));
}

export function draftSha256(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/** Comment ids are `<bureau>-<receipt n>-<k>`, k counting across the documents in the round's order. */
export function commentIds(summary: Pick<ReplySummary, 'bureauId' | 'n' | 'documents'>): string[] {
  const total = summary.documents.reduce((k, d) => k + (d.answer === 'comments' ? d.comments : 0), 0);
  return Array.from({ length: total }, (_, i) => `${summary.bureauId}-${summary.n}-${i + 1}`);
}

/** How a draft answers the round's documents (in the round's order), at the versions the bureau read. */
export function replyDocuments(draft: ReplyDraft, documents: Array<{ key: string; version: number }>): ReplyDocument[] {
  return documents.flatMap(({ key, version }) => {
    const answer = draft.perDocument[key];
    if (!answer) return [];
    return [
      answer.kind === 'noComments'
        ? { doc: key, version, answer: 'noComments' as const, comments: 0 }
        : { doc: key, version, answer: 'comments' as const, comments: answer.comments.length },
    ];
  });
}

export class DraftMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DraftMismatchError';
  }
}

/** The full reply record from its summary and its draft (no hash check: see verifiedReply). */
export function expandReply(
  summary: Omit<ReplySummary, 'contentSha256'> & { contentSha256?: string },
  draft: ReplyDraft,
): Reply {
  const { documents, draftSha256: _draft, draftBytes: _bytes, contentSha256, ...meta } = summary;
  const ids = commentIds(summary);
  let k = 0;
  const perDocument: Record<string, DocumentAnswer> = {};
  for (const d of documents) {
    const answer = draft.perDocument[d.doc];
    if (d.answer === 'noComments') {
      perDocument[d.doc] = 'noComments';
      continue;
    }
    if (answer?.kind !== 'comments' || answer.comments.length !== d.comments) {
      throw new DraftMismatchError(
        `the stored draft does not hold the ${d.comments} comments of reply ${summary.n} on ${d.doc}`,
      );
    }
    perDocument[d.doc] = answer.comments.map((c): Comment => ({
      id: ids[k++]!,
      anchor: {
        doc: d.doc,
        version: d.version,
        ...(c.section !== undefined && { section: c.section }),
        ...(c.quote !== undefined && { quote: c.quote }),
        ...(c.draftPage !== undefined && { draftPage: c.draftPage }),
      },
      text: c.text,
      ...(c.suggestedChange !== undefined && { suggestedChange: c.suggestedChange }),
    }));
  }
  return { ...meta, perDocument, contentSha256: contentSha256 ?? '' } as Reply;
}

/** The full record, checked: its hash must be the one the round recorded. */
export function verifiedReply(summary: ReplySummary, draft: ReplyDraft): Reply {
  const reply = expandReply(summary, draft);
  const actual = replyContentSha256(reply);
  if (actual !== summary.contentSha256) {
    throw new DraftMismatchError(
      `reply ${summary.n}: its texts hash to ${actual}, the round recorded ${summary.contentSha256}`,
    );
  }
  return reply;
}

/** Builds the summary (with its content hash) of a reply about to be recorded. */
export function summarizeReply(
  meta: Omit<ReplySummary, 'contentSha256' | 'draftSha256' | 'draftBytes' | 'documents'>,
  draft: ReplyDraft,
  documents: Array<{ key: string; version: number }>,
): ReplySummary {
  const bytes = draftBytes(draft);
  const partial = {
    ...meta,
    documents: replyDocuments(draft, documents),
    draftSha256: draftSha256(bytes),
    draftBytes: bytes.byteLength,
  };
  const contentSha256 = replyContentSha256(expandReply(partial, draft));
  return { ...partial, contentSha256 };
}
