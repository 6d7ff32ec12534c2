/**
 * The receipts of replies this web server has just recorded, so that the receipt page a bureau is
 * sent to after Submit needs no second status query. The reply is rebuilt from what the web server
 * sent and what the round's Update answered, and kept only when its content hash is the one the
 * round recorded: the page then shows exactly the recorded reply. Kept for one look within
 * seconds; anything else (another web server, a reload, a mismatch) reads the round as before.
 */
import { LRUCache } from 'lru-cache';
import { ReplyDraft, type ReplyReceipt, type StaffActor } from '../domain/consultation.js';
import type { DocumentRef, Reply } from '../domain/records.js';
import { expandReply, summarizeReply } from '../domain/replies.js';
import type { BureauStatus, RoundStatus } from '../domain/round.js';

/** What a receipt shows of its round: from the round's status, or from its history while no worker runs. */
export interface ReceiptContext {
  round: { id: string; title: string };
  bureau: { nameZh: string; nameEn: string };
  timeZone: string;
  documents: Array<{ key: string; title: string; sectionLabel(version: number, id: string): string }>;
  /** The bureau's latest reply. */
  latest?: { n: number; version: number };
}

export interface FoundReply {
  receipt: ReceiptContext;
  reply: Reply;
}

/** A section's number and title in a version of the document, as the receipt names it. */
export const sectionLabelIn =
  (doc: DocumentRef) =>
  (version: number, id: string): string => {
    const s = doc.versions.find((v) => v.n === version)?.sections.find((x) => x.id === id);
    return s ? `${s.number ? s.number + ' ' : ''}${s.title}` : id;
  };

/** What the receipt shows of a round's status for one bureau. */
export function receiptContext(status: RoundStatus, bureau: BureauStatus, timeZone: string): ReceiptContext {
  const latest = bureau.replies[bureau.replies.length - 1];
  return {
    round: { id: status.id, title: status.title },
    bureau: { nameZh: bureau.bureau.nameZh, nameEn: bureau.bureau.nameEn },
    timeZone,
    documents: status.documents.map((d) => ({ key: d.key, title: d.title, sectionLabel: sectionLabelIn(d) })),
    ...(latest && { latest: { n: latest.n, version: latest.version } }),
  };
}

export class FreshReceipts {
  // By link: only its latest reply's receipt, so an earlier one is read from the round (which says it was
  // superseded). The browser follows the redirect at once; 15 s covers a slow phone.
  private readonly kept = new LRUCache<string, FoundReply>({ max: 2_000, ttl: 15_000 });

  /**
   * Keeps the receipt of a reply the round just recorded. `status` is the one the link was checked
   * against before the Update; `draft` the reply as sent.
   */
  remember(
    token: string,
    sent: {
      status: RoundStatus;
      bureau: BureauStatus;
      timeZone: string;
      draft: unknown;
      submittedBy?: StaffActor;
      receipt: ReplyReceipt;
    },
  ): void {
    const draft = ReplyDraft.safeParse(sent.draft);
    if (!draft.success) return;
    const { receipt } = sent;
    const summary = summarizeReply(
      {
        n: receipt.n,
        bureauId: receipt.bureauId,
        version: receipt.version,
        submittedAt: receipt.submittedAt,
        channel: 'link',
        responder: draft.data.responder,
        ...(sent.submittedBy && { recordedBy: sent.submittedBy }),
        ...(draft.data.attachmentSha256 && { scanSha256: draft.data.attachmentSha256 }),
        ...(receipt.late && { late: true as const }),
      },
      draft.data,
      sent.status.documents.map((d) => ({ key: d.key, version: d.versions[d.versions.length - 1]!.n })),
    );
    if (summary.contentSha256 !== receipt.contentSha256) return;
    const reply = expandReply(summary, draft.data);
    const context = receiptContext(sent.status, sent.bureau, sent.timeZone);
    this.kept.set(token, {
      reply,
      receipt: { ...context, latest: { n: receipt.n, version: receipt.version } },
    });
  }

  /**
   * The receipt once, for the page the Submit redirects to; a second look (a reload, the receipt
   * after a revision) reads the round, which also knows of later replies.
   */
  take(token: string, n: number): FoundReply | undefined {
    const found = this.kept.get(token);
    if (found?.reply.n !== n) return undefined;
    this.kept.delete(token);
    return found;
  }
}
