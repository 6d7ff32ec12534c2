/**
 * Approval of the candidate PDF (time-skipping server): the round renders the plan from its own
 * records once nothing blocks approval; the approver approves that file by its SHA-256; a rejection
 * returns the round to revision with its reason; a record changed after the candidate makes it stale.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import type { ReplyDraft } from '../../domain/consultation.js';
import type { Actor, ReviewRecord } from '../../domain/records.js';
import { localDate, nextLocalMidnight } from '../../domain/time.js';
import type { RoundStatus } from '../../domain/round.js';
import { RoundGatewayError } from '../../infra/roundGateway.js';
import { MemoryContentStore } from '../../infra/store.js';
import { recordHistory } from '../support/recordHistory.js';
import { comment, none, responder, roundInApproval as roundInApprovalOf } from '../support/roundInApproval.js';
import { coordinator, SMALL_PLAN, smallRoundInput } from '../support/rounds.js';
import { timeSkippingWorker } from '../support/testWorker.js';

const TASK_QUEUE = 'test-approval';
let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;
const store = new MemoryContentStore();
const rounds = () => roundCalls(env.client, store, TASK_QUEUE);
const approver: Actor = { name: '区政府审批人', role: 'approver' };
const by = <T extends object>(actor: Actor, req: T) => ({ requestId: randomUUID(), actor, ...req });
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => (err instanceof RoundGatewayError && err.outcome.kind === 'refused' ? err.outcome.refusal : err),
  );

beforeAll(async () => {
  ({ env, stop } = await timeSkippingWorker({ taskQueue: TASK_QUEUE, store }));
});

afterAll(async () => {
  await stop?.();
});

const roundInApproval = () => roundInApprovalOf(rounds(), store);

const candidateOf = (s: RoundStatus) => s.approval.candidate;

describe('approval of the candidate PDF', () => {
  it('approves the very file that was read, by its hash, and refuses anything else', async () => {
    const { id } = await roundInApproval();
    const s = await rounds().until(id, (x) => candidateOf(x) !== null, 60_000);
    const candidate = candidateOf(s)!;
    expect(s.stage).toBe('approval');
    expect(s.approval.blockers).toEqual([]);
    const pdf = await store.get(candidate.pdfSha256);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

    expect(
      await refusal(rounds().act(id, 'approveCandidate', by(coordinator, { pdfSha256: candidate.pdfSha256 }))),
    ).toMatchObject({ field: 'actor.role' });
    expect(
      await refusal(rounds().act(id, 'approveCandidate', by(approver, { pdfSha256: 'f'.repeat(64) }))),
    ).toMatchObject({ code: 'notTheCandidate' });
    await rounds().act(id, 'approveCandidate', by(approver, { pdfSha256: candidate.pdfSha256 }));
    expect((await env.client.workflow.getHandle(id).result()).stage).toBe('approved');
    const done = await rounds().status(id);
    expect(done.approval.decisions).toEqual([
      expect.objectContaining({ by: approver, decision: 'approved', pdfSha256: candidate.pdfSha256 }),
    ]);
    await recordHistory(env.client.workflow.getHandle(id), 'approval');
  });

  it('refuses approval while something blocks it, listing what is missing', async () => {
    // A round whose file runs approval straight after consultation: nobody disposes of the comment.
    const id = await rounds().start(await smallRoundInput(store, { stages: ['consultation', 'approval'] }));
    const s0 = await rounds().until(id, (x) => x.bureaus.every((b) => b.invitation?.sentAt));
    const linkOf = (bureauId: string) => s0.bureaus.find((b) => b.bureau.id === bureauId)!.invitation!.linkId;
    const reply = (bureauId: string, draft: ReplyDraft) =>
      rounds().act(id, 'submitReply', {
        requestId: randomUUID(),
        actor: { name: responder.name, role: 'bureau' },
        bureauId,
        linkId: linkOf(bureauId),
        reply: draft,
      });
    const receipt = await reply('science', comment);
    await reply('finance', none);
    await rounds().act(id, 'waiveBureau', by(coordinator, { bureauId: 'forestry', reason: '机构调整' }));
    await rounds().act(id, 'closeConsultation', by(coordinator, {}));
    const s = await rounds().until(id, (x) => x.stage === 'approval' && x.approval.blockers.length > 0);
    expect(s.approval.blockers).toEqual([
      { code: 'dispositionsIncomplete', params: { count: 1, ids: `science-${receipt.n}-1` } },
    ]);
    expect(s.approval.candidate).toBeNull();
    const refused = await refusal(rounds().act(id, 'approveCandidate', by(approver, { pdfSha256: 'a'.repeat(64) })));
    expect(refused).toMatchObject({ field: 'round', code: 'approvalBlocked' });
    expect(JSON.stringify(refused)).toContain(`science-${receipt.n}-1`);
    expect((await rounds().status(id)).approval.decisions).toEqual([]);
    await rounds().act(id, 'cancelRound', by(coordinator, { reason: '测试结束' }));
    await recordHistory(env.client.workflow.getHandle(id), 'approval-blocked');
  });

  it("dates each candidate with the day it was rendered, and renders a new one at the next midnight in the round's zone", async () => {
    const { id } = await roundInApproval();
    const first = candidateOf(await rounds().until(id, (x) => candidateOf(x) !== null, 60_000))!;
    const { timeZone } = await rounds().status(id);
    const renderedOn = localDate(Date.parse(first.renderedAt), timeZone);
    expect(first.issueDate).toBe(renderedOn);
    const record = JSON.parse((await store.get(first.recordSha256)).toString('utf8')) as ReviewRecord;
    expect(record.round).toMatchObject({ issueDate: renderedOn, coordinatorOrg: coordinator.name });

    // The approver comes back the next day: yesterday's PDF would be issued before its approval.
    await env.sleep(nextLocalMidnight(await env.currentTimeMs(), timeZone) - (await env.currentTimeMs()) + 60_000);
    const next = candidateOf(
      await rounds().until(id, (x) => candidateOf(x) !== null && candidateOf(x)!.issueDate !== renderedOn, 60_000),
    )!;
    expect(next.issueDate! > renderedOn).toBe(true);
    expect(next.pdfSha256).not.toBe(first.pdfSha256);
    expect(next.fingerprint).toBe(first.fingerprint);
    expect(
      await refusal(rounds().act(id, 'approveCandidate', by(approver, { pdfSha256: first.pdfSha256 }))),
    ).toMatchObject({ code: 'notTheCandidate' });
    await rounds().act(id, 'approveCandidate', by(approver, { pdfSha256: next.pdfSha256 }));
    const done = await rounds().status(id);
    expect(localDate(Date.parse(done.approval.decisions[0]!.at), timeZone)).toBe(next.issueDate);
    await recordHistory(env.client.workflow.getHandle(id), 'approval-next-day');
  });

  it('returns a rejected candidate to revision; a changed record brings a new candidate; a broken anchor blocks it', async () => {
    const { id, commentId } = await roundInApproval();
    const first = candidateOf(await rounds().until(id, (x) => candidateOf(x) !== null, 60_000))!;
    await rounds().act(id, 'rejectCandidate', by(approver, { pdfSha256: first.pdfSha256, reason: '请补充修改说明' }));
    let s = await rounds().until(id, (x) => x.stage === 'revision');
    expect(s.approval.decisions).toEqual([expect.objectContaining({ decision: 'rejected', reason: '请补充修改说明' })]);
    expect(candidateOf(s)).toBeNull();

    // The revision renumbers the anchored section: approval is blocked until the change is re-anchored.
    const revised = (await store.put(Buffer.from(SMALL_PLAN.replace('### 1.1.1 地理位置', '### 1.1.2 地理位置与范围'))))
      .sha256;
    await rounds().act(id, 'addDocumentVersion', by(coordinator, { docKey: 'plan', sha256: revised }));
    s = await rounds().until(id, (x) => x.approval.blockers.length > 0);
    expect(s.approval.blockers).toEqual([{ code: 'brokenAnchors', params: { count: 1 } }]);
    expect(
      await refusal(rounds().act(id, 'approveCandidate', by(approver, { pdfSha256: first.pdfSha256 }))),
    ).toMatchObject({ field: 'round' });

    await rounds().act(
      id,
      'reanchorDisposition',
      by(coordinator, { commentId, changedAt: [{ doc: 'plan', section: '1.1.2' }] }),
    );
    s = await rounds().until(id, (x) => candidateOf(x) !== null, 60_000);
    const second = candidateOf(s)!;
    expect(s.stage).toBe('approval');
    expect(second.pdfSha256).not.toBe(first.pdfSha256);
    expect(
      await refusal(rounds().act(id, 'approveCandidate', by(approver, { pdfSha256: first.pdfSha256 }))),
    ).toMatchObject({ code: 'notTheCandidate' });
    await rounds().act(id, 'approveCandidate', by(approver, { pdfSha256: second.pdfSha256 }));
    expect((await env.client.workflow.getHandle(id).result()).stage).toBe('approved');
    await recordHistory(env.client.workflow.getHandle(id), 'approval-rejected-then-approved');
  });

  it('sends each bureau with comments its outcome notice; an objection blocks approval until resolved; silence counts as acknowledged; the round ends approved', async () => {
    const id = await rounds().start(
      await smallRoundInput(store, { stages: ['consultation', 'disposition', 'approval'] }),
    );
    const s = await rounds().until(id, (x) => x.bureaus.every((b) => b.invitation?.sentAt));
    const linkOf = (bureauId: string) => s.bureaus.find((b) => b.bureau.id === bureauId)!.invitation!.linkId;
    const asBureau = <T extends object>(bureauId: string, extra: T) => ({
      requestId: randomUUID(),
      actor: { name: responder.name, role: 'bureau' as const },
      bureauId,
      linkId: linkOf(bureauId),
      ...extra,
    });
    const science = await rounds().act(id, 'submitReply', asBureau('science', { reply: comment }));
    const forestry = await rounds().act(id, 'submitReply', asBureau('forestry', { reply: comment }));
    await rounds().act(id, 'submitReply', asBureau('finance', { reply: none }));
    await rounds().act(id, 'closeConsultation', by(coordinator, {}));
    await rounds().until(id, (x) => x.stage === 'disposition');
    await rounds().act(
      id,
      'disposeComment',
      by(coordinator, {
        disposition: {
          commentId: `science-${science.n}-1`,
          decision: 'notAdopted',
          rationale: '与上位规划不一致',
          changedAt: [],
        },
      }),
    );
    await rounds().act(id, 'adoptAllComments', by(coordinator, { bureauId: 'forestry' }));
    await rounds().act(id, 'publishDispositions', by(coordinator, {}));
    const published = await rounds().until(id, (x) => x.notices.length === 2 && x.notices.every((n) => n.sentAt));
    expect(published.notices.map((n) => [n.bureauId, n.response])).toEqual([
      ['science', 'pending'],
      ['forestry', 'pending'],
    ]);
    expect(forestry.n).toBeGreaterThan(0);

    // Science objects; forestry says nothing: when the window closes, forestry's silence counts as acknowledged.
    expect(
      await refusal(rounds().act(id, 'respondToOutcome', asBureau('science', { response: 'object' }))),
    ).toMatchObject({ field: 'objection' });
    await rounds().act(
      id,
      'respondToOutcome',
      asBureau('science', { response: 'object', objection: '不采纳的理由不充分' }),
    );
    await env.sleep('5 days');
    let after = await rounds().until(id, (x) => x.stage === 'approval' || x.stage === 'revision');
    expect(after.notices.map((n) => [n.bureauId, n.response])).toEqual([
      ['science', 'objected'],
      ['forestry', 'silent'],
    ]);
    expect(
      await refusal(
        rounds().act(id, 'respondToOutcome', asBureau('forestry', { response: 'object', objection: '太晚了' })),
      ),
    ).toMatchObject({ code: 'outcomeWindowClosed' });
    after = await rounds().until(id, (x) => x.approval.blockers.length > 0);
    expect(after.approval.blockers).toEqual([
      {
        code: 'openObjections',
        params: { count: 1, names: after.bureaus.find((b) => b.bureau.id === 'science')!.bureau.nameZh },
      },
    ]);
    expect(after.approval.candidate).toBeNull();

    await rounds().act(
      id,
      'resolveObjection',
      by(coordinator, { bureauId: 'science', note: '已与科技局沟通，维持原处理意见' }),
    );
    const ready = await rounds().until(id, (x) => x.approval.candidate !== null, 60_000);
    expect(ready.notices[0]!.resolution).toMatchObject({ by: coordinator, note: '已与科技局沟通，维持原处理意见' });
    await recordHistory(env.client.workflow.getHandle(id), 'outcome-objection');

    // To the round's end: the candidate rendered once the objection was resolved is approved.
    await rounds().act(id, 'approveCandidate', by(approver, { pdfSha256: ready.approval.candidate!.pdfSha256 }));
    const done = await env.client.workflow.getHandle(id).result();
    expect(done.stage).toBe('approved');
    expect((await rounds().status(id)).notices.map((n) => [n.bureauId, n.response, n.resolution?.note])).toEqual([
      ['science', 'objected', '已与科技局沟通，维持原处理意见'],
      ['forestry', 'silent', undefined],
    ]);
    await recordHistory(env.client.workflow.getHandle(id), 'outcome-objection-complete');
  });
});
