/**
 * The typed fake rounds the edges' tests use (test/support/fakeRounds.ts) refuse for the round's
 * own reasons: the action's schema, the role, the reply link and draft rules; a request ID is one
 * action; a test can make it refuse or be unavailable.
 */
import { describe, expect, it } from 'vitest';
import type { ReplyDraft } from '../../domain/consultation.js';
import { makeRefusal } from '../../domain/refusals.js';
import { draftBytes } from '../../domain/replies.js';
import { sha256Hex } from '../../infra/store.js';
import { FakeRounds } from '../support/fakeRounds.js';
import { MemoryContentStore } from '../../infra/store.js';
import { smallRoundInput } from '../support/rounds.js';
import { replyFixture, ROUND_ID, START, DAY } from '../support/replyFixture.js';

const responder = { name: '王明', position: '办公室主任' };
const draft: ReplyDraft = { responder, perDocument: { protection: { kind: 'noComments' } } };
const bureauActor = { name: '王明', role: 'bureau' as const };
const coordinator = { name: '李协调', role: 'coordinator' as const };
const submit = (requestId: string, extra: object = {}) => ({
  requestId,
  actor: bureauActor,
  bureauId: 'finance',
  linkId: 'finance-link-2',
  reply: draft,
  ...extra,
});

describe('the fake rounds', () => {
  it("records a reply by the round's rules, stores its draft, and answers a repeated request ID with the first receipt", async () => {
    const { fake, store } = await replyFixture();
    const first = await fake.act(ROUND_ID, 'submitReply', submit('request-0001'));
    expect(first).toMatchObject({
      kind: 'done',
      value: { roundId: ROUND_ID, bureauId: 'finance', n: 1, version: 1, late: false },
    });
    expect(await fake.act(ROUND_ID, 'submitReply', submit('request-0001'))).toEqual(first);
    expect(fake.calls).toHaveLength(2);
    expect(fake.updates).toHaveLength(1);
    const [reply] = fake.current.bureaus[0]!.replies;
    expect(reply).toMatchObject({ channel: 'link', n: 1 });
    expect(fake.current.bureaus[0]!.outcome).toBe('noComments');
    expect(await store.has(sha256Hex(draftBytes(draft)))).toBe(true);
    expect((await fake.loadReply(reply!)).perDocument).toEqual({ protection: 'noComments' });
  });

  it('refuses by the schema, the role, the link and the draft', async () => {
    const { fake, clock, deadline } = await replyFixture();
    expect(await fake.act(ROUND_ID, 'submitReply', submit('short'))).toMatchObject({
      kind: 'refused',
      refusal: { field: 'requestId', code: 'invalidField' },
    });
    expect(await fake.act(ROUND_ID, 'submitReply', submit('request-0002', { actor: coordinator }))).toMatchObject({
      kind: 'refused',
      refusal: { field: 'actor.role', code: 'roleNotAllowed' },
    });
    expect(
      await fake.act(ROUND_ID, 'extendDeadline', {
        requestId: 'request-0003',
        actor: bureauActor,
        bureauId: 'finance',
        deadline: deadline.toISOString(),
        reason: 'x',
      }),
    ).toMatchObject({
      kind: 'refused',
      refusal: { code: 'roleNotAllowed' },
    });
    expect(await fake.act(ROUND_ID, 'submitReply', submit('request-0004', { linkId: 'finance-link-1' }))).toMatchObject(
      { kind: 'refused', refusal: { field: 'link', code: 'linkReplaced' } },
    );
    expect(
      await fake.act(
        ROUND_ID,
        'submitReply',
        submit('request-0005', { reply: { responder, perDocument: { annex: { kind: 'noComments' } } } }),
      ),
    ).toMatchObject({
      kind: 'refused',
      refusal: { field: 'reply.perDocument.annex', code: 'unknownDocument' },
    });
    clock.now = new Date(deadline.getTime() + 1);
    expect(await fake.act(ROUND_ID, 'submitReply', submit('request-0006'))).toMatchObject({
      kind: 'refused',
      refusal: { field: 'link', code: 'deadlinePassed' },
    });
    expect(fake.updates).toEqual([]);
    expect(await fake.act('round:other:1', 'submitReply', submit('request-0007'))).toEqual({
      kind: 'notFound',
      roundId: 'round:other:1',
    });
  });

  it("records and acknowledges a coordinator action; numbers a paper reply by the round's rules", async () => {
    const { fake, clock } = await replyFixture();
    const ack = await fake.act(ROUND_ID, 'waiveBureau', {
      requestId: 'request-0010',
      actor: coordinator,
      bureauId: 'science',
      reason: '撤并',
    });
    expect(ack).toEqual({
      kind: 'done',
      value: { roundId: ROUND_ID, stage: 'consultation', at: clock.now.toISOString() },
    });
    expect(fake.sent('waiveBureau')).toEqual([
      {
        name: 'waiveBureau',
        updateId: 'request-0010',
        request: { requestId: 'request-0010', actor: coordinator, bureauId: 'science', reason: '撤并' },
      },
    ]);
    await fake.act(ROUND_ID, 'submitReply', submit('request-0011'));
    const paper = await fake.act(ROUND_ID, 'recordPaperReply', {
      requestId: 'request-0012',
      actor: coordinator,
      bureauId: 'forestry',
      reply: draft,
      scanSha256: sha256Hex('scan'),
      receivedAt: new Date(START.getTime() + DAY / 2).toISOString(),
    });
    expect(paper).toMatchObject({ kind: 'done', value: { bureauId: 'forestry', n: 2, version: 1, late: false } });
    expect(fake.round(ROUND_ID).bureaus.find((b) => b.bureau.id === 'forestry')!.replies[0]).toMatchObject({
      channel: 'paper',
      recordedBy: coordinator,
      scanSha256: sha256Hex('scan'),
    });
  });

  it('refuses as a test says, and can be unavailable', async () => {
    const { fake } = await replyFixture();
    fake.refuseWith = makeRefusal('round', 'consultationEnded');
    expect(await fake.act(ROUND_ID, 'submitReply', submit('request-0020'))).toEqual({
      kind: 'refused',
      refusal: makeRefusal('round', 'consultationEnded'),
    });
    fake.refuseWith = (name) =>
      name === 'cancelRound'
        ? makeRefusal('round', 'roundFinished', { stage: 'cancelled', stageZh: '取消' })
        : undefined;
    expect(
      await fake.act(ROUND_ID, 'cancelRound', { requestId: 'request-0021', actor: coordinator, reason: 'x' }),
    ).toMatchObject({ kind: 'refused', refusal: { code: 'roundFinished' } });
    expect(await fake.act(ROUND_ID, 'submitReply', submit('request-0022'))).toMatchObject({ kind: 'done' });
    fake.unavailable = true;
    expect(await fake.status(ROUND_ID)).toMatchObject({ kind: 'unavailable' });
    expect(await fake.act(ROUND_ID, 'submitReply', submit('request-0023'))).toMatchObject({ kind: 'unavailable' });
  });

  it('starts a round once, refusing a bad input, and lists it', async () => {
    const store = new MemoryContentStore();
    const fake = new FakeRounds(store);
    const input = await smallRoundInput(store);
    const started = await fake.start(input);
    expect(started).toEqual({ kind: 'done', value: `round:${input.planId}:1` });
    expect(await fake.start(input)).toEqual({ kind: 'exists', roundId: `round:${input.planId}:1` });
    expect(await fake.start({ ...input, planId: 'Bad Id' })).toMatchObject({
      kind: 'refused',
      refusal: { field: 'planId', code: 'invalidField' },
    });
    const status = await fake.status(`round:${input.planId}:1`);
    expect(status).toMatchObject({
      kind: 'done',
      value: { stage: 'consultation', bureaus: input.bureaus.map((bureau) => ({ bureau, outcome: 'pending' })) },
    });
    expect(await fake.list()).toMatchObject({
      kind: 'done',
      value: [{ id: `round:${input.planId}:1`, title: input.title, status: 'RUNNING' }],
    });
  });
});
