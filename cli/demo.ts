/**
 * The seed's bureaus answer a round through the links in the invitations they received, with the
 * replies they actually gave (seeds/review/replies.yaml: appendix 3 of the seed, and table 10-1's
 * lines for water and culture and tourism).
 */
import { unwrap, type RoundService } from '../infra/roundGateway.js';
import { loadSeedReview, replyDraftOf, type SeedReply } from '../infra/seedReview.js';
import { replyLinkIn, replyThroughLink, waitForMail, type LinkReceipt } from './linkReplies.js';

export async function replySeedThroughLinks(opts: {
  rounds: RoundService;
  roundId: string;
  outboxDir: string;
  log: (line: string) => void;
  /** The replies to give (default: the seed's). */
  replies?: SeedReply[];
  /** Bureaus that stay silent (to show the deadline's outcome). */
  silent?: string[];
}): Promise<LinkReceipt[]> {
  const replies = opts.replies ?? (await loadSeedReview()).replies;
  const invitations = await waitForMail(
    opts.outboxDir,
    opts.roundId,
    'invitation',
    unwrap(await opts.rounds.status(opts.roundId)).bureaus.length,
  );
  // Read after the invitations went out: by then the round has described its documents.
  const status = unwrap(await opts.rounds.status(opts.roundId));
  opts.log(`${invitations.length} invitations in the outbox`);

  const receipts: LinkReceipt[] = [];
  for (const b of status.bureaus) {
    const reply = replies.find((r) => r.bureau === b.bureau.id);
    if (!reply || opts.silent?.includes(b.bureau.id)) {
      opts.log(`${b.bureau.nameZh}: stays silent`);
      continue;
    }
    const invitation = invitations.find((m) => m.to.includes(b.bureau.contacts[0]!.email));
    if (!invitation) throw new Error(`no invitation to ${b.bureau.contacts[0]!.email} in the outbox`);
    const receipt = await replyThroughLink(
      replyLinkIn(invitation),
      replyDraftOf(reply),
      status.documents.map((d) => d.key),
    );
    receipts.push(receipt);
    opts.log(
      `${b.bureau.nameZh}: replied through its link (${reply.source}), receipt no. ${receipt.n}, SHA-256 ${receipt.contentSha256}`,
    );
  }
  return receipts;
}
