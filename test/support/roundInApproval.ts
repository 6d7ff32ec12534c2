/**
 * A small round brought to its approval stage on a real workflow (time-skipping server): science
 * comments on 1.1.1, finance has none, forestry is waived; the coordinator closes consultation,
 * adopts the comment (anchored at 1.1.1) and publishes, and science acknowledges the outcome.
 * Nothing then blocks approval, and the round renders its candidate PDF.
 */
import { randomUUID } from 'node:crypto';
import type { roundCalls } from '../../bench/support/roundCalls.js';
import type { ReplyDraft } from '../../domain/consultation.js';
import type { ContentStore } from '../../infra/store.js';
import { coordinator, smallRoundInput } from './rounds.js';

export const responder = { name: '王明', position: '办公室主任' };
export const comment: ReplyDraft = {
  responder,
  perDocument: { plan: { kind: 'comments', comments: [{ section: '1.1.1', text: '请补充地理位置说明' }] } },
};
export const none: ReplyDraft = { responder, perDocument: { plan: { kind: 'noComments' } } };

const byCoordinator = <T extends object>(req: T) => ({ requestId: randomUUID(), actor: coordinator, ...req });

export async function roundInApproval(
  rounds: ReturnType<typeof roundCalls>,
  store: ContentStore,
): Promise<{ id: string; commentId: string }> {
  const id = await rounds.start(await smallRoundInput(store, { stages: ['consultation', 'disposition', 'approval'] }));
  const s = await rounds.until(id, (x) => x.bureaus.every((b) => b.invitation?.sentAt));
  const linkOf = (bureauId: string) => s.bureaus.find((b) => b.bureau.id === bureauId)!.invitation!.linkId;
  const receipt = await rounds.replyAs(s, 'science', comment);
  await rounds.replyAs(s, 'finance', none);
  await rounds.act(id, 'waiveBureau', byCoordinator({ bureauId: 'forestry', reason: '机构调整' }));
  await rounds.act(id, 'closeConsultation', byCoordinator({}));
  await rounds.until(id, (x) => x.stage === 'disposition');
  const commentId = `science-${receipt.n}-1`;
  await rounds.act(
    id,
    'disposeComment',
    byCoordinator({ disposition: { commentId, decision: 'adopted', changedAt: [{ doc: 'plan', section: '1.1.1' }] } }),
  );
  await rounds.act(id, 'publishDispositions', byCoordinator({}));
  await rounds.act(id, 'respondToOutcome', {
    requestId: randomUUID(),
    actor: { name: responder.name, role: 'bureau' },
    bureauId: 'science',
    linkId: linkOf('science'),
    response: 'acknowledge',
  });
  return { id, commentId };
}
