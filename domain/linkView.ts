/**
 * What a bureau's link may show of its round: the round as a whole (title, stage, documents,
 * deadlines, the coordinator) and that bureau's own part (its invitation and replies, its outcome
 * notice, the dispositions of its comments, its emails under way). Another bureau's reply, notice
 * or outcome never reaches a link's page, whatever the page's code reads; and what a page shows
 * changes only when the round as a whole or this bureau's part does.
 */
import { commentIds } from './replies.js';
import type { RoundStatus } from './round.js';

export function linkView(status: RoundStatus, bureauId: string): RoundStatus {
  const bureaus = status.bureaus.filter((b) => b.bureau.id === bureauId);
  const comments = new Set(bureaus.flatMap((b) => b.replies.flatMap(commentIds)));
  return {
    ...status,
    bureaus,
    notices: status.notices.filter((n) => n.bureauId === bureauId),
    dispositions: status.dispositions.filter((d) => comments.has(d.commentId)),
    mailInFlight: status.mailInFlight.filter((m) => m.recipient === bureauId),
    // The coordinator's worklist: failed deliveries and unreadable documents, which may name other bureaus.
    problems: [],
  };
}
