/**
 * The disposition stage after consultation (table 10-1): every comment of the replies that count is
 * adopted, partially adopted or not adopted, with a rationale unless adopted and the anchors of the
 * change; drafts are saved, one bureau's comments adopted at once, and all published together.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import type { ReplyDraft } from '../../domain/consultation.js';
import type { RoundResult, RoundStatus } from '../../domain/round.js';
import { ROUND_LIMITS } from '../../domain/limits.js';
import { RoundGatewayError } from '../../infra/roundGateway.js';
import { MemoryContentStore } from '../../infra/store.js';
import { recordHistory } from '../support/recordHistory.js';
import { brokenAnchors } from '../../workflows/stages/disposition/rules.js';
import { coordinator, SMALL_PLAN, smallRoundInput } from '../support/rounds.js';
import { replyOnPlan, TEST_RESPONDER } from '../support/rounds.js';
import { timeSkippingWorker } from '../support/testWorker.js';

const TASK_QUEUE = 'test-disposition';
let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;
const store = new MemoryContentStore();
const rounds = () => roundCalls(env.client, store, TASK_QUEUE);
const as = <T extends object>(req: T) => ({ requestId: randomUUID(), actor: coordinator, ...req });

beforeAll(async () => {
  ({ env, stop } = await timeSkippingWorker({ taskQueue: TASK_QUEUE, store }));
});

afterAll(async () => {
  await stop?.();
});

const responder = TEST_RESPONDER;
const comments = replyOnPlan;
const reply = (s: RoundStatus, bureauId: string, draft: ReplyDraft) => rounds().replyAs(s, bureauId, draft);

describe('disposition of comments', () => {
  it('decides every comment, refuses what is wrong, and publishes them together', async () => {
    const id = await rounds().start(await smallRoundInput(store, { stages: ['consultation', 'disposition'] }));
    const s = await rounds().until(id, (x) => x.bureaus.every((b) => b.invitation?.sentAt));
    await reply(s, 'finance', { responder, perDocument: { plan: { kind: 'noComments' } } });
    const science = await reply(s, 'science', comments('请补充数据来源', '请核对表格'));
    const forestry = await reply(s, 'forestry', comments('森林覆盖率应为 27.04%'));
    await rounds().act(id, 'closeConsultation', as({ reason: '各单位均已答复' }));
    await rounds().until(id, (x) => x.stage === 'disposition');

    const [s1, s2] = [`science-${science.n}-1`, `science-${science.n}-2`];
    const f1 = `forestry-${forestry.n}-1`;
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (err: unknown) =>
          err instanceof RoundGatewayError && err.outcome.kind === 'refused' ? err.outcome.refusal : err,
      );

    // Bad input: each refused with the field named, nothing recorded.
    expect(
      await refused(
        rounds().act(
          id,
          'disposeComment',
          as({ disposition: { commentId: 'finance-1-1', decision: 'adopted', changedAt: [] } }),
        ),
      ),
    ).toMatchObject({ field: 'disposition.commentId', code: 'unknownComment' });
    expect(
      await refused(
        rounds().act(
          id,
          'disposeComment',
          as({ disposition: { commentId: f1, decision: 'adopted', changedAt: [{ doc: 'plan', section: '9.9' }] } }),
        ),
      ),
    ).toMatchObject({ field: 'disposition.changedAt.0.section', code: 'unknownAnchorSection' });
    expect(
      await refused(
        rounds().act(
          id,
          'disposeComment',
          as({ disposition: { commentId: f1, decision: 'notAdopted', changedAt: [] } }),
        ),
      ),
    ).toMatchObject({ field: 'disposition.rationale', code: 'invalidField' });
    expect(
      await refused(
        rounds().act(id, 'disposeComment', {
          requestId: randomUUID(),
          actor: { name: '某局', role: 'bureau' },
          disposition: { commentId: f1, decision: 'adopted', changedAt: [] },
        }),
      ),
    ).toMatchObject({ field: 'actor.role' });
    expect(await refused(rounds().act(id, 'adoptAllComments', as({ bureauId: 'finance' })))).toMatchObject({
      code: 'bureauHasNoComments',
    });
    expect((await rounds().status(id)).dispositions).toEqual([]);

    // One bureau's comments adopted at once; publishing waits for the last comment.
    await rounds().act(id, 'adoptAllComments', as({ bureauId: 'science' }));
    expect(await refused(rounds().act(id, 'publishDispositions', as({})))).toMatchObject({
      code: 'dispositionsIncomplete',
      params: { count: 1, ids: f1 },
    });
    await rounds().act(
      id,
      'disposeComment',
      as({
        disposition: { commentId: f1, decision: 'notAdopted', rationale: '规划目标以上级下达指标为准', changedAt: [] },
      }),
    );
    // A draft may be changed before publication: the later decision replaces the earlier one.
    await rounds().act(
      id,
      'disposeComment',
      as({
        disposition: {
          commentId: s2,
          decision: 'partial',
          rationale: '部分数据暂无来源',
          changedAt: [{ doc: 'plan', section: '1.1.1', quote: '新荣区位于大同市北部' }],
        },
      }),
    );
    const drafts = (await rounds().status(id)).dispositions;
    expect(drafts.map((d) => [d.commentId, d.decision, d.published])).toEqual([
      [s1, 'adopted', false],
      [s2, 'partial', false],
      [f1, 'notAdopted', false],
    ]);
    expect(drafts[1]!.changedAt).toEqual([
      { doc: 'plan', version: 1, section: '1.1.1', quote: '新荣区位于大同市北部' },
    ]);
    expect(drafts.every((d) => d.decidedBy.name === coordinator.name)).toBe(true);

    await rounds().act(id, 'publishDispositions', as({ note: '意见处理完毕' }));
    const result: RoundResult = await env.client.workflow.getHandle(id).result();
    expect(result.stage).toBe('completed');
    const done = await rounds().status(id);
    expect(done.dispositions.every((d) => d.published)).toBe(true);
    expect(done.dispositionsPublished).toMatchObject({ by: coordinator, reason: '意见处理完毕' });
    await recordHistory(env.client.workflow.getHandle(id), 'disposition');
  });

  it('takes a revised version, reports the anchors it broke, and lets them be pointed again', async () => {
    const id = await rounds().start(await smallRoundInput(store, { stages: ['consultation', 'disposition'] }));
    const s = await rounds().until(id, (x) => x.bureaus.every((b) => b.invitation?.sentAt));
    const science = await reply(s, 'science', comments('请补充地理位置说明'));
    await reply(s, 'finance', { responder, perDocument: { plan: { kind: 'noComments' } } });
    await reply(s, 'forestry', { responder, perDocument: { plan: { kind: 'noComments' } } });
    await rounds().act(id, 'closeConsultation', as({}));
    await rounds().until(id, (x) => x.stage === 'disposition');
    const commentId = `science-${science.n}-1`;
    await rounds().act(
      id,
      'disposeComment',
      as({ disposition: { commentId, decision: 'adopted', changedAt: [{ doc: 'plan', section: '1.1.1' }] } }),
    );
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (err: unknown) =>
          err instanceof RoundGatewayError && err.outcome.kind === 'refused' ? err.outcome.refusal : err,
      );

    // A file that is not a document in the format, or the current version again: refused, nothing changes.
    const malformed = (await store.put(Buffer.from('# 第一章 区域概况\n\n## 1.1 自然概况\n\n## 1.1 自然概况\n')))
      .sha256;
    expect(
      await refusal(rounds().act(id, 'addDocumentVersion', as({ docKey: 'plan', sha256: malformed }))),
    ).toMatchObject({ field: 'sha256', code: 'documentUnreadable' });
    const current = (await rounds().status(id)).documents[0]!.versions[0]!.sha256;
    expect(
      await refusal(rounds().act(id, 'addDocumentVersion', as({ docKey: 'plan', sha256: current }))),
    ).toMatchObject({ code: 'versionUnchanged' });
    expect(
      await refusal(rounds().act(id, 'addDocumentVersion', as({ docKey: 'annex', sha256: current }))),
    ).toMatchObject({ field: 'docKey', code: 'unknownDocument' });
    expect((await rounds().status(id)).documents[0]!.versions).toHaveLength(1);

    // Version 2 renumbers 1.1.1: the disposition's anchor is broken until pointed again.
    const revised = (await store.put(Buffer.from(SMALL_PLAN.replace('### 1.1.1 地理位置', '### 1.1.2 地理位置与范围'))))
      .sha256;
    await rounds().act(id, 'addDocumentVersion', as({ docKey: 'plan', sha256: revised, note: '根据意见修改' }));
    let after = await rounds().status(id);
    expect(after.documents[0]!.versions.map((v) => [v.n, v.sha256])).toEqual([
      [1, current],
      [2, revised],
    ]);
    expect(after.documents[0]!.versions[1]!.sections.map((x) => x.number)).toContain('1.1.2');
    expect(brokenAnchors(after)).toEqual([{ commentId, anchor: { doc: 'plan', version: 1, section: '1.1.1' } }]);

    expect(
      await refusal(
        rounds().act(id, 'reanchorDisposition', as({ commentId, changedAt: [{ doc: 'plan', section: '1.1.1' }] })),
      ),
    ).toMatchObject({ code: 'unknownAnchorSection' });
    await rounds().act(
      id,
      'reanchorDisposition',
      as({ commentId, changedAt: [{ doc: 'plan', section: '1.1.2', quote: '新荣区位于大同市北部' }] }),
    );
    after = await rounds().status(id);
    expect(brokenAnchors(after)).toEqual([]);
    expect(after.dispositions[0]).toMatchObject({
      decision: 'adopted',
      changedAt: [{ doc: 'plan', version: 2, section: '1.1.2', quote: '新荣区位于大同市北部' }],
    });
    // Versions are bounded: each keeps its outline in the round's status.
    for (let v = 3; v <= ROUND_LIMITS.versionsPerDocument; v++) {
      const sha = (await store.put(Buffer.from(`${SMALL_PLAN}\n修订 ${v}\n`))).sha256;
      await rounds().act(id, 'addDocumentVersion', as({ docKey: 'plan', sha256: sha }));
    }
    const extra = (await store.put(Buffer.from(`${SMALL_PLAN}\n再一次修订\n`))).sha256;
    expect(await refusal(rounds().act(id, 'addDocumentVersion', as({ docKey: 'plan', sha256: extra })))).toMatchObject({
      code: 'tooManyVersions',
    });
    await rounds().act(id, 'publishDispositions', as({}));
    expect((await env.client.workflow.getHandle(id).result()).stage).toBe('completed');
    await recordHistory(env.client.workflow.getHandle(id), 'revised-version');
  });
});
