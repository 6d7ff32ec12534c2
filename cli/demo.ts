/**
 * The consultation demo: the seed's bureaus answer the seed round through the links in the
 * invitations they received, with the replies they actually gave (appendix 3 of the seed; water
 * and culture and tourism from their lines in table 10-1, see seeds/records/README.md).
 */
import { readFile } from 'node:fs/promises';
import { ReviewRecord, type Reply } from '../domain/records.js';
import { unwrap, type RoundService } from '../infra/roundGateway.js';
import { replyLinkIn, replyThroughLink, waitForMail, type LinkReceipt } from './linkReplies.js';

export async function replySeedThroughLinks(opts: {
  rounds: RoundService;
  roundId: string;
  outboxDir: string;
  recordFile: string;
  log: (line: string) => void;
  /** Bureaus that stay silent (to show the deadline's outcome). */
  silent?: string[];
}): Promise<LinkReceipt[]> {
  const record = ReviewRecord.parse(JSON.parse(await readFile(opts.recordFile, 'utf8')));
  const invitations = await waitForMail(
    opts.outboxDir,
    opts.roundId,
    'invitation',
    unwrap(await opts.rounds.status(opts.roundId)).bureaus.length,
  );
  // Read after the invitations went out: by then the round has described its documents.
  const status = unwrap(await opts.rounds.status(opts.roundId));
  opts.log(`${invitations.length} invitations in the outbox`);
  const latest = new Map<string, Reply>();
  for (const r of record.replies) latest.set(r.bureauId, r);

  const receipts: LinkReceipt[] = [];
  for (const b of status.bureaus) {
    const reply = latest.get(b.bureau.id);
    if (!reply || opts.silent?.includes(b.bureau.id)) {
      opts.log(`${b.bureau.nameZh}: stays silent`);
      continue;
    }
    const invitation = invitations.find((m) => m.to.includes(b.bureau.contacts[0]!.email));
    if (!invitation) throw new Error(`no invitation to ${b.bureau.contacts[0]!.email} in the outbox`);
    const receipt = await replyThroughLink(
      replyLinkIn(invitation),
      reply,
      status.documents.map((d) => d.key),
    );
    receipts.push(receipt);
    opts.log(
      `${b.bureau.nameZh}: replied through its link, receipt no. ${receipt.n}, SHA-256 ${receipt.contentSha256}`,
    );
  }
  return receipts;
}
