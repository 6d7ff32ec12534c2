/**
 * Reply texts in the document store: the edge stores a reply's draft (its canonical JSON) before it
 * asks the round to record it, and pages, emails and exports read it back by hash to show the
 * full reply. The round itself keeps only summaries (domain/replies.ts).
 */
import { ReplyDraft } from '../domain/consultation.js';
import type { Reply, ReplySummary } from '../domain/records.js';
import { draftBytes, verifiedReply } from '../domain/replies.js';
import type { ContentStore } from './store.js';

export async function storeReplyDraft(store: ContentStore, draft: ReplyDraft): Promise<string> {
  return (await store.put(draftBytes(draft))).sha256;
}

export async function loadReplyDraft(store: ContentStore, sha256: string): Promise<ReplyDraft> {
  return ReplyDraft.parse(JSON.parse((await store.get(sha256)).toString('utf8')));
}

/** The full reply (texts included), checked against the hash the round recorded. */
export async function loadReply(store: ContentStore, summary: ReplySummary): Promise<Reply> {
  return verifiedReply(summary, await loadReplyDraft(store, summary.draftSha256));
}
