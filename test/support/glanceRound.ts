/**
 * The seed's seven bureaus in consultation, two hours after the deadline (a day of grace): five
 * replied on time (finance and education with comments), culture waived, forestry silent and its
 * last invitation bounced; and a second plan's round in approval, for the list's filters. Served
 * with the reply links and the coordinator's pages over the same fake rounds.
 */
import { randomUUID } from 'node:crypto';
import type { ReplyDraft } from '../../domain/consultation.js';
import { Templates } from '../../infra/templates.js';
import { roundListPage } from '../../web/roundList.js';
import { coordinatorApp, LI_ACTOR } from './coordinatorApp.js';
import { DAY, replyFixture, ROUND_ID, START, type ReplyFixture } from './replyFixture.js';
import { smallRoundInput } from './rounds.js';

export const OTHER_ROUND_ID = 'round:other-plan:2';

const NO_COMMENTS: ReplyDraft = {
  responder: { name: '王明', position: '办公室主任' },
  perDocument: { protection: { kind: 'noComments' }, 'eco-plan': { kind: 'noComments' } },
};
const COMMENTS: ReplyDraft = {
  responder: { name: '李林', position: '科长' },
  perDocument: {
    protection: { kind: 'noComments' },
    'eco-plan': { kind: 'comments', comments: [{ section: '1.1.1', text: '请补充地理位置图。' }] },
  },
};

export async function glanceRound(): Promise<ReplyFixture> {
  const fx = await replyFixture({ bureaus: 7, graceMs: DAY });
  const now = () => fx.clock.now;
  fx.app.route('/', await coordinatorApp(fx.fake, fx.store, undefined, now));
  fx.app.get('/', roundListPage({ rounds: fx.fake, templates: new Templates(), timeZone: 'Asia/Shanghai', now }));
  const act = async (name: 'submitReply', request: Record<string, unknown>) => {
    const done = await fx.fake.act(ROUND_ID, name, { requestId: randomUUID(), ...request } as never);
    if (done.kind !== 'done') throw new Error(`${name}: ${JSON.stringify(done)}`);
  };
  for (const [bureauId, reply] of [
    ['finance', COMMENTS],
    ['science', NO_COMMENTS],
    ['energy', NO_COMMENTS],
    ['education', COMMENTS],
    ['water', NO_COMMENTS],
  ] as const)
    await act('submitReply', {
      actor: { name: reply.responder.name, role: 'bureau' },
      bureauId,
      linkId: `${bureauId}-link-2`,
      reply,
    });
  // The fake rounds acknowledge a waiver without applying it: the round's state as the workflow leaves it.
  const culture = fx.fake.current.bureaus.find((b) => b.bureau.id === 'culture')!;
  culture.waived = {
    by: { ...LI_ACTOR, role: 'coordinator' },
    at: new Date(START.getTime() + DAY).toISOString(),
    reason: '机构调整',
  };
  culture.outcome = 'waived';
  const forestry = fx.fake.current.bureaus.find((b) => b.bureau.id === 'forestry')!;
  forestry.invitation!.failures.push({
    at: new Date(START.getTime() + 2 * DAY).toISOString(),
    kind: 'reminder',
    messageId: `<${ROUND_ID}.forestry.reminder.1@test>`,
    to: ['forestry@bureaus.example.org'],
    error: '550 mailbox unavailable',
  });
  const other = await fx.fake.start(await smallRoundInput(fx.store, { planId: 'other-plan', n: 2 }));
  if (other.kind !== 'done') throw new Error(`start: ${JSON.stringify(other)}`);
  fx.fake.round(OTHER_ROUND_ID).stage = 'approval';
  fx.clock.now = new Date(fx.deadline.getTime() + 2 * 3600_000);
  return fx;
}
