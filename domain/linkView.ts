/**
 * What a bureau's link may show of its round: the round as a whole (title, stage, documents,
 * deadlines, the coordinator) and that bureau's own part (its invitation and replies, its outcome
 * notice, the dispositions of its comments, its emails under way). Another bureau's reply, notice
 * or outcome never reaches a link's page, whatever the page's code reads; and what a page shows
 * changes only when the round as a whole or this bureau's part does.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { commentIds } from './replies.js';
import type { RoundStatus } from './round.js';

/** The field of a round's memo that holds its bureaus' fingerprints, by bureau ID. */
export const LINK_VIEWS_MEMO_KEY = 'linkViews';

/** The fields of a round's status that hold every bureau's part; a link's view keeps only its own. */
type OwnPart = Pick<RoundStatus, 'bureaus' | 'notices' | 'dispositions' | 'mailInFlight'>;

function ownPart(status: RoundStatus, bureauId: string): OwnPart {
  const bureaus = status.bureaus.filter((b) => b.bureau.id === bureauId);
  const comments = new Set(bureaus.flatMap((b) => b.replies.flatMap(commentIds)));
  return {
    bureaus,
    notices: status.notices.filter((n) => n.bureauId === bureauId),
    dispositions: status.dispositions.filter((d) => comments.has(d.commentId)),
    mailInFlight: status.mailInFlight.filter((m) => m.recipient === bureauId),
  };
}

export function linkView(status: RoundStatus, bureauId: string): RoundStatus {
  return {
    ...status,
    ...ownPart(status, bureauId),
    // The coordinator's worklist: failed deliveries and unreadable documents, which may name other bureaus.
    problems: [],
  };
}

/**
 * A fingerprint of each bureau's view (by bureau ID): equal while what the bureau's link shows is
 * the same, whatever changes in other bureaus' parts. The round publishes them in its memo
 * (workflows/linkViewsMemo.ts), and a web server shows a link's page from a status it read before
 * while that bureau's fingerprint has not moved (infra/roundGateway.ts). The first 16 hex digits
 * of a SHA-256 of the view's JSON, in two steps so that the round-wide part is hashed once for all
 * bureaus: computed in every workflow task, where Node's crypto is not available.
 */
export function linkViewFingerprints(status: RoundStatus): Record<string, string> {
  const roundWide = digest(JSON.stringify(withoutOwnParts(status)));
  return Object.fromEntries(
    status.bureaus.map((b) => [b.bureau.id, digest(roundWide + JSON.stringify(ownPart(status, b.bureau.id)))]),
  );
}

/** The fingerprint of one bureau's view, the same as linkViewFingerprints gives for it. */
export function linkViewFingerprint(status: RoundStatus, bureauId: string): string {
  return digest(digest(JSON.stringify(withoutOwnParts(status))) + JSON.stringify(ownPart(status, bureauId)));
}

/** The round-wide part of a view: the status with every bureau's part left out (as a view's problems are). */
function withoutOwnParts(status: RoundStatus): RoundStatus {
  return { ...status, bureaus: [], notices: [], dispositions: [], mailInFlight: [], problems: [] };
}

function digest(text: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(text))).slice(0, 16);
}
