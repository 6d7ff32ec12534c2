/** The CLI's disposition commands (cli/users.ts) over the typed fake rounds, which keep dispositions by the stage's rules. */
import { beforeEach, describe, expect, it } from 'vitest';
import { CliUsageError, coordinatorActionCommands, USERS_USAGE, type ActionContext } from '../../cli/users.js';
import { formatRoundStatus } from '../../cli/format.js';
import { RoundGatewayError } from '../../infra/roundGateway.js';
import { storeReplyDraft } from '../../infra/replyStore.js';
import { MemoryContentStore } from '../../infra/store.js';
import {
  DISPOSITION_ROUND_ID as ROUND_ID,
  dispositionRound,
  FINANCE,
  FORESTRY,
  NONE,
} from '../support/dispositionRound.js';
import { FakeRounds } from '../support/fakeRounds.js';

const actor = { name: '李协调', role: 'coordinator' as const, email: 'li@example.org' };
const { dispose, 'adopt-all': adoptAll, publish } = coordinatorActionCommands;

let rounds: FakeRounds;
let ctx: ActionContext;
beforeEach(async () => {
  const store = new MemoryContentStore();
  for (const d of [FINANCE, FORESTRY, NONE]) await storeReplyDraft(store, d);
  rounds = new FakeRounds(store, dispositionRound(), () => new Date('2030-01-20T02:00:00.000Z'));
  ctx = { rounds, actor, store, attachmentMaxBytes: 1024 * 1024 };
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => (err instanceof RoundGatewayError && err.outcome.kind === 'refused' ? err.outcome.refusal : err),
  );

describe('disposition from the CLI', () => {
  it('decides a comment with its rationale and places (sections as typed), as PLAN_REVIEW_USER', async () => {
    const out = await dispose(ctx, [
      ROUND_ID,
      'finance-1-1',
      '--decision',
      'not-adopted',
      '--rationale',
      '以上级下达指标为准',
      '--at',
      'plan:3.7 规划目标和指标:资金来源: 另行说明',
      '--at',
      'plan:自然概况',
    ]);
    const [sent] = rounds.sent('disposeComment');
    expect(sent!.request).toMatchObject({
      actor,
      disposition: {
        commentId: 'finance-1-1',
        decision: 'notAdopted',
        rationale: '以上级下达指标为准',
        changedAt: [
          { doc: 'plan', section: '3.7', quote: '资金来源: 另行说明' },
          { doc: 'plan', section: '1.1' },
        ],
      },
    });
    expect(sent!.updateId).toMatch(/^cli:/);
    expect(out.message).toContain('意见 finance-1-1：不采纳 not adopted');
    expect(out.message).toContain('2 still undecided');
    expect(out.status.dispositions).toMatchObject([{ commentId: 'finance-1-1', decision: 'notAdopted' }]);
    expect(formatRoundStatus(out.status)).toMatch(
      /finance-1-1\s+不采纳 Not adopted\s+以上级下达指标为准\s+plan v1 3\.7; plan v1 1\.1/,
    );
  });

  it('checks its arguments before asking the round', async () => {
    await expect(dispose(ctx, [ROUND_ID, 'finance-1-1', '--decision', 'maybe'])).rejects.toThrow(CliUsageError);
    await expect(dispose(ctx, [ROUND_ID, 'finance-1-1', '--decision', 'partial'])).rejects.toThrow(
      /未完全采纳的意见须说明理由/,
    );
    await expect(dispose(ctx, [ROUND_ID, 'finance-1-1', '--decision', 'adopted', '--at', 'plan'])).rejects.toThrow(
      /<doc>:<section>/,
    );
    await expect(dispose(ctx, [ROUND_ID, '--decision', 'adopted'])).rejects.toThrow(/<id> <comment-id>/);
    await expect(adoptAll(ctx, [ROUND_ID, 'nobody'])).rejects.toThrow(/has no bureau nobody/);
    await expect(publish(ctx, ['not-a-round'])).rejects.toThrow(CliUsageError);
    expect(rounds.calls).toHaveLength(0);
  });

  it("passes on the round's refusals: an unknown comment, a section not in the current version, an early publication", async () => {
    expect(await refusal(dispose(ctx, [ROUND_ID, 'science-9-1', '--decision', 'adopted']))).toMatchObject({
      field: 'disposition.commentId',
      code: 'unknownComment',
    });
    expect(
      await refusal(dispose(ctx, [ROUND_ID, 'forestry-2-1', '--decision', 'adopted', '--at', 'plan:9.9'])),
    ).toMatchObject({ field: 'disposition.changedAt.0.section', code: 'unknownAnchorSection' });
    expect(await refusal(adoptAll(ctx, [ROUND_ID, 'science']))).toMatchObject({
      field: 'bureauId',
      code: 'bureauHasNoComments',
    });
    expect(await refusal(publish(ctx, [ROUND_ID]))).toMatchObject({ code: 'dispositionsIncomplete' });
    expect(rounds.updates).toHaveLength(0);
  });

  it("adopts all of a bureau's undecided comments, then publishes with a note", async () => {
    await dispose(ctx, [ROUND_ID, 'finance-1-2', '--decision', 'partial', '--rationale', '部分数据暂无来源']);
    const adopted = await adoptAll(ctx, [ROUND_ID, 'finance']);
    expect(adopted.message).toContain('已采纳区财政局的 1 条待处理意见');
    await adoptAll(ctx, [ROUND_ID, 'forestry', '--request-id', 'adopt-forestry-1']);
    expect(rounds.sent('adoptAllComments').map((u) => u.request.bureauId)).toEqual(['finance', 'forestry']);
    const out = await publish(ctx, [ROUND_ID, '--note', '意见处理完毕']);
    expect(out.message).toContain('已发布 3 条意见的处理结果');
    expect(rounds.sent('publishDispositions')[0]!.request).toMatchObject({ note: '意见处理完毕', actor });
    expect(out.status.dispositions.map((d) => [d.commentId, d.decision, d.published])).toEqual([
      ['finance-1-2', 'partial', true],
      ['finance-1-1', 'adopted', true],
      ['forestry-2-1', 'adopted', true],
    ]);
    expect(out.status.dispositionsPublished).toMatchObject({ by: actor, reason: '意见处理完毕' });
  });

  it('lists the commands in the usage', () => {
    expect(USERS_USAGE).toContain('plan-review round dispose <id> <comment-id> --decision adopted|partial|not-adopted');
    expect(USERS_USAGE).toContain('[--at <doc>:<section>[:<quote>]]...');
    expect(USERS_USAGE).toContain('plan-review round adopt-all <id> <bureau>');
    expect(USERS_USAGE).toContain('plan-review round publish <id> [--note N]');
  });
});
